"""Every check `doctor` makes, in the order a run meets them: settings, credential, token and
its permissions, the network, each kind's API, the desired state. A check never raises: what
goes wrong becomes a ✗ line with its fix, and what it makes impossible to check is skipped."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import requests

from reconciler.auth.claims import (
    Claims,
    expiry_of,
    jwt_claims,
    permission_of,
    principal_of,
    roles_of,
    scopes_of,
    text_claim,
)
from reconciler.auth.sources import SourceReport, select_source, survey, tenant_of
from reconciler.desired import DesiredState, Severity, load_desired
from reconciler.desired.secrets import variable_names
from reconciler.doctor.model import Check, DoctorReport, Outcome
from reconciler.doctor.network import NetworkProbe, probe
from reconciler.errors import GraphError, ReconcileError
from reconciler.graph import GraphClient
from reconciler.graph.retry import GraphRetry
from reconciler.identity import Permission, TokenProvider
from reconciler.kinds.model import Kind
from reconciler.retirement import is_retired_answer, retirement_message
from reconciler.settings import FileSettings, Settings, resolve_settings, setting_sources

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
#: Doctor's reads: answer in seconds, never wait out plan's retry policy.
PROBE_TIMEOUT = (3.0, 15.0)
LOGIN_FIX = (
    "sign in as an SDS admin with `edusync-reconcile login` and run with "
    "EDUSYNC_CREDENTIAL=cache (in CI: the token cache from an environment secret)"
)


def no_retries() -> GraphRetry:
    return GraphRetry(
        total=0,
        connect=0,
        read=0,
        status=0,
        other=0,
        redirect=0,
        raise_on_status=False,
        raise_on_redirect=False,
    )


@dataclass(frozen=True)
class DoctorInput:
    path: str
    env: Mapping[str, str]
    kinds: Sequence[Kind]
    #: Values given on the command line only (the rest come from env, file or default).
    cloud_flag: str | None = None
    graph_url_flag: str | None = None
    credential_flag: str | None = None
    #: Also require what `apply` needs (delegated write permission, every ${NAME} set).
    for_apply: bool = False


@dataclass
class _Run:
    inp: DoctorInput
    checks: list[Check] = field(default_factory=list)
    state: DesiredState | None = None
    settings: Settings | None = None
    provider: TokenProvider | None = None
    claims: Claims | None = None
    permission: Permission = Permission.UNKNOWN

    def add(self, check: Check) -> None:
        self.checks.append(check)

    def skip(self, id_: str, title: str, why: str) -> None:
        self.add(Check(id_, title, Outcome.SKIP, why))

    @property
    def kinds_in_use(self) -> list[Kind]:
        used = {o.kind.name for o in self.state.objects} if self.state else set()
        return [k for k in self.inp.kinds if k.name in used] or list(self.inp.kinds)


# -- settings ----------------------------------------------------------------------------------
def _settings(run: _Run) -> None:
    inp = run.inp
    file = run.state.settings if run.state else FileSettings()
    try:
        settings = resolve_settings(
            env=inp.env,
            file=file,
            cloud_flag=inp.cloud_flag,
            graph_url_flag=inp.graph_url_flag,
            credential_flag=inp.credential_flag,
        )
    except ReconcileError as exc:
        run.add(Check("settings", "settings", Outcome.FAIL, str(exc), fix="correct that setting"))
        return
    run.settings = settings
    sources = setting_sources(
        env=inp.env,
        file=file,
        cloud_flag=inp.cloud_flag,
        graph_url_flag=inp.graph_url_flag,
        credential_flag=inp.credential_flag,
    )
    tenant = tenant_of(inp.env, settings.tenant)
    details = (
        f"cloud: {settings.cloud.name} ({sources['cloud']})",
        f"tenant: {tenant} ({sources['tenant']})"
        if tenant
        else "tenant: not set (a delegated sign-in then uses `organizations`)",
        f"update method: {settings.update_method.value} ({sources['update_method']})",
        f"parallelism: {settings.parallelism} ({sources['parallelism']})",
        f"credential: {settings.credential} ({sources['credential']})",
    )
    summary = f"graph URL {settings.graph_url} ({sources['graph_url']})"
    if not settings.cloud.sds_profiles_documented:
        run.add(
            Check(
                "settings",
                "settings",
                Outcome.WARN,
                summary,
                (
                    *details,
                    "the SDS profile API is documented for the global cloud only, "
                    f"not {settings.cloud.name}",
                ),
            )
        )
        return
    run.add(Check("settings", "settings", Outcome.OK, summary, details))


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


def _credential(run: _Run) -> bool:
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
                fix=str(exc),
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


def _token(run: _Run) -> None:
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


def _in(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 120:
        return f"in {minutes} min"
    return f"in {minutes // 60} h" if minutes < 48 * 60 else f"in {minutes // 1440} d"


def _token_check(run: _Run, provider: TokenProvider, claims: Claims | None) -> Check:
    assert run.settings is not None
    identity = provider.identity
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
    parts = [f"{run.permission.value} token from {identity.credential}"]
    if who and who != app:
        parts.append(f"user {who}")
    details = [
        f"tenant: {tid or '(no tid claim)'}",
        f"app: {app or '(no appid claim)'}" + (f" ({app_name})" if app_name else ""),
        f"scopes (delegated): {' '.join(scopes_of(claims)) or '(none)'}",
        f"roles (application): {' '.join(roles_of(claims)) or '(none)'}",
    ]
    problems: list[tuple[str, str]] = []
    expires = expiry_of(claims)
    if expires is not None:
        seconds = expires - time.time()
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
def _granted(run: _Run) -> set[str]:
    names = (
        scopes_of(run.claims) if run.permission is Permission.DELEGATED else roles_of(run.claims)
    )
    return {n.lower() for n in names}


def _needed(kind: Kind, run: _Run, *, write: bool) -> tuple[str, ...]:
    p = kind.permissions
    if run.permission is Permission.DELEGATED:
        return p.write_delegated if write else p.read_delegated
    return p.write_application if write else p.read_application


def _permission_checks(run: _Run) -> None:
    kinds = [
        k
        for k in run.kinds_in_use
        if k.permissions.read_delegated or k.permissions.read_application
    ]
    names = ", ".join(k.name for k in kinds)
    if run.permission is Permission.UNKNOWN:
        for id_, what in (("plan", "plan (read)"), ("apply", "apply (write)")):
            run.add(
                Check(
                    id_,
                    what,
                    Outcome.WARN,
                    "the token's permissions cannot be read (not a JWT); the API lines below "
                    "show whether Graph accepts it",
                )
            )
        return
    granted = _granted(run)
    kind_word = "scope" if run.permission is Permission.DELEGATED else "application role"
    missing_read = [
        k for k in kinds if not granted & {n.lower() for n in _needed(k, run, write=False)}
    ]
    if missing_read:
        wanted = sorted({n for k in missing_read for n in _needed(k, run, write=False)})
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
    cannot = [k for k in kinds if not granted & {n.lower() for n in _needed(k, run, write=True)}]
    if not cannot:
        run.add(
            Check("apply", "apply (write)", Outcome.OK, f"may create, update and delete {names}")
        )
        return
    cannot_names = ", ".join(k.name for k in cannot)
    if run.permission is Permission.APP_ONLY:
        run.add(
            Check(
                "apply",
                "apply (write)",
                write_outcome,
                f"app-only identity: creating, updating or deleting {cannot_names} needs a "
                "delegated sign-in (EduAdministration.ReadWrite); plan and pause/resume work",
                fix=LOGIN_FIX,
            )
        )
        return
    wanted = sorted({n for k in cannot for n in _needed(k, run, write=True)})
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


# -- network and the kinds' APIs ---------------------------------------------------------------
def _network_check(result: NetworkProbe, latency_ms: float | None) -> Check:
    where = f"{result.host}:{result.port}"
    via = f"proxy {result.proxy} ({result.proxy_source})" if result.proxy else "no proxy"
    details = [f"proxy: {via}"] if result.proxy else []
    if result.addresses:
        details.append(f"DNS: {', '.join(result.addresses[:4])} in {result.dns_ms or 0:.0f} ms")
    if result.tcp_ms is not None:
        details.append(f"TCP connect: {result.tcp_ms:.0f} ms")
    if result.tls_version:
        details.append(f"TLS: {result.tls_version}, handshake {result.tls_ms or 0:.0f} ms")
    elif result.tcp_ms is not None:
        details.append(
            "TLS: checked by the request below" if result.proxy else "TLS: not used (http)"
        )
    if latency_ms is not None:
        details.append(f"latency: one Graph request answered in {latency_ms:.0f} ms")
    if result.failed_step:
        fixes = {
            "dns": "check the Graph URL (--graph-url, EDUSYNC_GRAPH_URL) and this machine's DNS",
            "tcp": "check the URL and port, the firewall, and HTTPS_PROXY/NO_PROXY if a proxy "
            "is required here",
            "tls": "a TLS-inspecting proxy needs its CA: set REQUESTS_CA_BUNDLE to a bundle "
            "holding it",
        }
        return Check(
            "network",
            "network",
            Outcome.FAIL,
            result.error or f"{where} unreachable",
            tuple(details),
            fix=fixes[result.failed_step],
        )
    return Check("network", "network", Outcome.OK, f"{where} reachable, {via}", tuple(details))


def _api_check(run: _Run, kind: Kind, client: GraphClient) -> tuple[Check, float | None]:
    started = time.perf_counter()
    title = f"API {kind.name}"
    try:
        response = client.fetch(kind.collection)
    except GraphError as exc:
        elapsed = (time.perf_counter() - started) * 1000 if exc.status is not None else None
        return _api_failure(run, kind, title, exc), elapsed
    elapsed = (time.perf_counter() - started) * 1000
    body = response.body if isinstance(response.body, dict) else {}
    items = body.get("value")
    count = f", {len(items)} on the first page" if isinstance(items, list) else ""
    return (
        Check(
            f"api.{kind.name}",
            title,
            Outcome.OK,
            f"GET /{kind.collection} answered {response.status} in {elapsed:.0f} ms{count}",
        ),
        elapsed,
    )


def _api_failure(run: _Run, kind: Kind, title: str, exc: GraphError) -> Check:
    ident = f"api.{kind.name}"
    request = f"[request-id: {exc.request_id or '-'}]"
    used = kind.name in {k.name for k in run.kinds_in_use}
    if kind.retired_on and is_retired_answer(exc.status, exc.code):
        return Check(
            ident,
            title,
            Outcome.FAIL if used else Outcome.WARN,
            retirement_message(kind, exc.status, exc.code),
            (request,),
            fix="classic profiles cannot run any more: describe the sync with the Industry "
            "Data kinds (`convert-classic` will translate profile YAML)",
        )
    if exc.status == 401:
        return Check(
            ident,
            title,
            Outcome.FAIL,
            f"Graph refused the token: HTTP 401 ({exc.code}) {request}",
            fix="the token is expired, for another tenant or not for Microsoft Graph: get a "
            "fresh one from the credential source above",
        )
    if exc.status == 403:
        wanted = " or ".join(_needed(kind, run, write=False)) or "the kind's read permission"
        return Check(
            ident,
            title,
            Outcome.FAIL,
            f"Graph denied reading /{kind.collection}: HTTP 403 ({exc.code}) {request}",
            fix=f"grant {wanted} to this identity (admin consent) and get a new token",
        )
    return Check(
        ident,
        title,
        Outcome.FAIL,
        str(exc),
        fix="see Graph's message; retry later if it is a 5xx or a timeout",
    )


def _apis(run: _Run, network: NetworkProbe) -> float | None:
    assert run.settings is not None
    titles = [(f"api.{k.name}", f"API {k.name}") for k in run.inp.kinds]
    if network.failed_step or run.provider is None:
        why = "Graph is unreachable (see network)" if network.failed_step else "no token"
        for id_, title in titles:
            run.skip(id_, title, why)
        return None
    client = GraphClient(
        run.settings.graph_url, run.provider, pool_size=1, timeout=PROBE_TIMEOUT, reads=no_retries()
    )
    latency: float | None = None
    try:
        for kind in run.inp.kinds:
            check, elapsed = _api_check(run, kind, client)
            run.add(check)
            latency = latency if latency is not None else elapsed
    finally:
        client.close()
    return latency


# -- desired state -----------------------------------------------------------------------------
def _load(run: _Run) -> Check:
    path = run.inp.path
    title = f"desired state ({path})"
    if not Path(path).exists():
        return Check(
            "desired",
            title,
            Outcome.FAIL,
            f"{path} does not exist",
            fix="pass the directory holding your YAML (default ./desired-state), or create it "
            "from the tenant with `edusync-reconcile export`",
        )
    try:
        state = load_desired(path)
    except ReconcileError as exc:
        return Check("desired", title, Outcome.FAIL, str(exc))
    run.state = state
    errors = [p for p in state.problems if p.severity is Severity.ERROR]
    warnings = [p for p in state.problems if p.severity is Severity.WARNING]
    per_kind: dict[str, int] = {}
    for obj in state.objects:
        per_kind[obj.kind.name] = per_kind.get(obj.kind.name, 0) + 1
    counts = ", ".join(f"{n} {k} object(s)" for k, n in per_kind.items()) or "no objects"
    summary = f"{counts} in {state.files} file(s)"
    shown = tuple(str(p) for p in (*errors, *warnings)[:8])
    if errors:
        return Check(
            "desired",
            title,
            Outcome.FAIL,
            f"{summary}: {len(errors)} error(s), {len(warnings)} warning(s)",
            shown,
            fix=f"`edusync-reconcile validate {path}` lists every problem with its line",
        )
    if warnings:
        return Check(
            "desired", title, Outcome.WARN, f"{summary}: {len(warnings)} warning(s)", shown
        )
    return Check("desired", title, Outcome.OK, f"{summary}, no problems")


def _variables(run: _Run) -> None:
    if run.state is None:
        return
    missing: dict[str, list[str]] = {}
    for obj in run.state.objects:
        for name in sorted(variable_names(obj)):
            if name not in run.inp.env:
                missing.setdefault(name, []).append(obj.where)
    if not missing:
        return
    details = tuple(f"{name} ({', '.join(where)})" for name, where in sorted(missing.items()))
    run.add(
        Check(
            "variables",
            "variables",
            Outcome.FAIL if run.inp.for_apply else Outcome.WARN,
            f"apply will need {len(missing)} environment variable(s) that are not set "
            "(plan and validate do not)",
            details,
            fix="set them for the apply job (CI secrets)",
        )
    )


def run_doctor(inp: DoctorInput) -> DoctorReport:
    run = _Run(inp)
    desired = _load(run)
    _settings(run)
    if run.settings is None:
        for id_, title in (
            ("credential", "credential"),
            ("token", "token"),
            ("network", "network"),
        ):
            run.skip(id_, title, "settings are wrong (see above)")
    else:
        if _credential(run):
            _token(run)
            if run.provider is not None:
                _permission_checks(run)
        else:
            run.skip("token", "token", "no credential source")
        network = probe(run.settings.graph_url, inp.env)
        position = len(run.checks)
        latency = _apis(run, network)
        run.checks.insert(position, _network_check(network, latency))
    run.add(desired)
    _variables(run)
    return DoctorReport(tuple(run.checks))
