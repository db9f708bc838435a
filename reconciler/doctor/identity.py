"""Who a run would be: the credential source chosen (and why not the others), the token it
yields, and whether that identity may read (plan) and write (apply) each kind."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import requests

from reconciler.auth import verdict
from reconciler.auth.claims import (
    Claims,
    jwt_claims,
    permission_of,
    principal_of,
    roles_of,
    scopes_of,
    text_claim,
)
from reconciler.auth.sources import SourceReport, select_source, survey, tenant_of
from reconciler.doctor.model import Check, Outcome
from reconciler.doctor.state import Run
from reconciler.errors import ReconcileError
from reconciler.identity import Permission, TokenProvider
from reconciler.kinds.model import Kind

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
LOGIN_FIX = (
    "sign in as an SDS admin with `edusync-reconcile login` and run with "
    "EDUSYNC_CREDENTIAL=cache (in CI: the token cache from an environment secret)"
)


# -- credential and token ----------------------------------------------------------------------
def _why_not(report: SourceReport, pinned: bool) -> str:
    name = report.kind.value
    if report.matches:
        winner = "the pinned source" if pinned else "an earlier source"
        return f"{name}: also set, not used ({winner} wins)"
    if report.partial:
        return (
            f"{name}: partly set, {', '.join(report.missing)} missing (a typo or a missing secret?)"
        )
    return f"{name}: not set ({', '.join(report.missing)})"


def credential_check(run: Run) -> bool:
    assert run.settings is not None
    env, settings = run.inp.env, run.settings
    reports = survey(env, settings.tenant)
    pinned = settings.credential != "auto"
    try:
        selected = select_source(env, settings.tenant, settings.credential)
    except ReconcileError as exc:
        details = tuple(_why_not(r, pinned) for r in reports)
        run.add(
            Check(
                "credential",
                "credential",
                Outcome.FAIL,
                "no usable credential source",
                details,
                fix=" ".join(str(exc).split("\n")),  # one line: a list item in Markdown
            )
        )
        return False
    how = (
        f"pinned by {'--credential' if run.inp.credential_flag else 'EDUSYNC_CREDENTIAL'}"
        if pinned
        else "the first source that matches"
    )
    details = tuple(_why_not(r, pinned) for r in reports if r.kind is not selected.kind)
    run.add(Check("credential", "credential", Outcome.OK, f"{selected.kind.value}: {how}", details))
    return True


def obtain_token(run: Run) -> None:
    assert run.settings is not None
    from reconciler.auth import token_provider_from_env

    settings = run.settings
    try:
        provider = token_provider_from_env(
            run.inp.env, settings.cloud, tenant=settings.tenant, credential=settings.credential
        )
        token = provider.token()
    except (ReconcileError, requests.RequestException, OSError) as exc:
        run.add(
            Check(
                "token",
                "token",
                Outcome.FAIL,
                f"no token: {exc}",
                fix="fix the credential named above (see its message), then run doctor again",
            )
        )
        return
    run.provider = provider
    claims = jwt_claims(token)
    run.claims = claims
    run.permission = permission_of(claims) if claims else provider.identity.permission
    run.add(_token_check(run, provider, claims))


#: Hosts of this machine: a Graph there (plain http, as Microsoft Graph never is) is a local
#: stand-in such as the built-in emulator, whose tokens are not Microsoft's.
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def local_graph(graph_url: str) -> bool:
    """A Graph served over plain http on this machine (the built-in emulator, a test double)."""
    parts = urlsplit(graph_url)
    return parts.scheme.lower() == "http" and (parts.hostname or "").lower() in _LOCAL_HOSTS


def _in(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 120:
        return f"in {minutes} min"
    return f"in {minutes // 60} h" if minutes < 48 * 60 else f"in {minutes // 1440} d"


def _token_check(run: Run, provider: TokenProvider, claims: Claims | None) -> Check:
    assert run.settings is not None
    identity = provider.identity
    if claims is None and local_graph(run.settings.graph_url):
        return Check(
            "token",
            "token",
            Outcome.OK,
            f"obtained from {identity.credential}; a Graph on this machine (such as the "
            "built-in emulator, which takes any token) decides alone what it may do",
        )
    if claims is None:
        return Check(
            "token",
            "token",
            Outcome.WARN,
            f"obtained from {identity.credential}; not a JWT, so who it is and what it may do "
            "cannot be read here (Graph's answers below decide)",
        )
    who = principal_of(claims)
    tid = text_claim(claims, "tid")
    app = text_claim(claims, "appid", "azp")
    app_name = text_claim(claims, "app_displayname")
    parts = [f"{run.permission.value} token: {identity.credential}"]
    if who and who != app:
        parts.append(f"user {who}")
    details = [
        f"tenant: {tid or '(no tid claim)'}",
        f"app: {app or '(no appid claim)'}" + (f" ({app_name})" if app_name else ""),
        f"scopes (delegated): {' '.join(scopes_of(claims)) or '(none)'}",
        f"roles (application): {' '.join(roles_of(claims)) or '(none)'}",
    ]
    problems: list[tuple[str, str]] = []
    seconds = verdict.seconds_left(claims)
    if seconds is not None:
        details.append(f"expires: {_in(seconds)}" if seconds >= 0 else "expires: EXPIRED")
        if seconds < 0:
            problems.append(("the token has expired", "get a fresh token (or sign in again)"))
    audience = text_claim(claims, "aud")
    wanted = {
        run.settings.cloud.graph_host.lower(),
        f"{run.settings.cloud.graph_host.lower()}/",
        GRAPH_APP_ID,
    }
    if audience:
        details.append(f"audience: {audience}")
        if audience.lower() not in wanted:
            problems.append(
                (
                    f"the token is for {audience}, not Microsoft Graph "
                    f"({run.settings.cloud.graph_host})",
                    f"request a token for {run.settings.cloud.app_scope} (or the delegated scope)",
                )
            )
    configured = tenant_of(run.inp.env, run.settings.tenant)
    if tid and configured and _GUID.match(configured) and configured.lower() != tid.lower():
        problems.append(
            (
                f"the token is for tenant {tid}, but the configured tenant is {configured}",
                "use a credential of the configured tenant, or correct AZURE_TENANT_ID / "
                "edusync.yaml `tenant`",
            )
        )
    if problems:
        return Check(
            "token",
            "token",
            Outcome.FAIL,
            "; ".join(p for p, _ in problems),
            tuple(details),
            fix="; ".join(f for _, f in problems),
        )
    return Check("token", "token", Outcome.OK, ", ".join(parts), tuple(details))


# -- permissions ---------------------------------------------------------------------------
def _granted(run: Run) -> set[str]:
    return verdict.granted(run.claims, run.permission)  # one judgement with plan's identity line


def needed(kind: Kind, run: Run, *, write: bool) -> tuple[str, ...]:
    return verdict.needed(kind, run.permission, write=write)


def permission_checks(run: Run) -> None:
    kinds = [
        k
        for k in run.kinds_in_use
        if k.permissions.read_delegated or k.permissions.read_application
    ]
    names = ", ".join(k.name for k in kinds)
    if run.permission is Permission.UNKNOWN:
        local = run.settings is not None and local_graph(run.settings.graph_url)
        for id_, what in (("plan", "plan (read)"), ("apply", "apply (write)")):
            run.add(
                Check(
                    id_,
                    what,
                    Outcome.OK if local else Outcome.WARN,
                    "not checked: a Graph on this machine decides (the API lines below)"
                    if local
                    else "the token's permissions cannot be read (not a JWT); the API lines "
                    "below show whether Graph accepts it",
                )
            )
        return
    granted = _granted(run)
    kind_word = "scope" if run.permission is Permission.DELEGATED else "application role"
    missing_read = [
        k for k in kinds if not granted & {n.lower() for n in needed(k, run, write=False)}
    ]
    if missing_read:
        wanted = sorted({n for k in missing_read for n in needed(k, run, write=False)})
        run.add(
            Check(
                "plan",
                "plan (read)",
                Outcome.FAIL,
                f"cannot read {', '.join(k.name for k in missing_read)}: the token has no "
                f"{kind_word} {' or '.join(wanted)}",
                fix=f"grant {' or '.join(wanted)} ({kind_word}, with admin consent) to the app "
                "and get a new token",
            )
        )
    else:
        run.add(Check("plan", "plan (read)", Outcome.OK, f"may read {names}"))
    write_outcome = Outcome.FAIL if run.inp.for_apply else Outcome.WARN
    cannot = [k for k in kinds if not granted & {n.lower() for n in needed(k, run, write=True)}]
    if not cannot:
        run.add(
            Check("apply", "apply (write)", Outcome.OK, f"may create, update and delete {names}")
        )
        return
    cannot_names = ", ".join(k.name for k in cannot)
    if run.permission is Permission.APP_ONLY:
        delegated = " or ".join(
            dict.fromkeys(n for k in cannot for n in k.permissions.write_delegated)
        )
        app_may = "/".join(dict.fromkeys(a for k in cannot for a in k.permissions.app_only_actions))
        run.add(
            Check(
                "apply",
                "apply (write)",
                write_outcome,
                f"app-only identity: creating, updating or deleting {cannot_names} needs a "
                f"delegated sign-in ({delegated or 'an admin'}); "
                + (f"plan and {app_may} work" if app_may else "plan works"),
                fix=LOGIN_FIX,
            )
        )
        return
    wanted = sorted({n for k in cannot for n in needed(k, run, write=True)})
    run.add(
        Check(
            "apply",
            "apply (write)",
            write_outcome,
            f"cannot create, update or delete {cannot_names}: the token has no scope "
            f"{' or '.join(wanted)}",
            fix=f"consent to {' or '.join(wanted)} for the sign-in app and sign in again "
            "(`edusync-reconcile login`)",
        )
    )
