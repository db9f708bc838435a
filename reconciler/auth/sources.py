"""Which credential source the environment selects (product contract §3: first match wins).

A source matches only when all its variables are set; a source with some of its own
variables set but not all is a likely typo or a missing secret, so it is noted (names only,
never values). Empty values count as unset: GitHub Actions expands a missing secret to "".
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from reconciler.auth.cachefile import CACHE_VAR, cache_path
from reconciler.errors import AuthError

log = logging.getLogger("reconciler.auth")

# Environment variable names (not secrets).
ACCESS_TOKEN_VAR = "EDUSYNC_ACCESS_TOKEN"  # noqa: S105 (a name, not a secret)
OIDC_URL_VAR = "ACTIONS_ID_TOKEN_REQUEST_URL"
OIDC_TOKEN_VAR = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"  # noqa: S105 (a name, not a secret)
FEDERATED_FILE_VAR = "AZURE_FEDERATED_TOKEN_FILE"
SECRET_VAR = "AZURE_CLIENT_SECRET"  # noqa: S105 (a name, not a secret)
CERT_PATH_VAR = "AZURE_CLIENT_CERTIFICATE_PATH"
CERT_PASSWORD_VAR = "AZURE_CLIENT_CERTIFICATE_PASSWORD"  # noqa: S105 (a name, not a secret)
TENANT_VAR = "AZURE_TENANT_ID"
CLIENT_ID_VAR = "AZURE_CLIENT_ID"
LOGIN_CLIENT_ID_VAR = "EDUSYNC_CLIENT_ID"
#: The tenant a delegated sign-in uses when none is configured: any work or school account.
DEFAULT_DELEGATED_TENANT = "organizations"


class SourceKind(StrEnum):
    STATIC = "static token"
    GITHUB_OIDC = "GitHub OIDC"
    FEDERATED_FILE = "federated token file"
    CLIENT_SECRET = "client secret"  # noqa: S105 (a name, not a secret)
    CLIENT_CERTIFICATE = "client certificate"
    TOKEN_CACHE = "delegated token cache"  # noqa: S105 (a name, not a secret)


@dataclass(frozen=True)
class _Spec:
    kind: SourceKind
    own: tuple[str, ...]  # the variables that select this source
    optional: tuple[str, ...] = ()
    needs_app: bool = False  # also needs AZURE_CLIENT_ID and a tenant


_SPECS = (
    _Spec(SourceKind.STATIC, (ACCESS_TOKEN_VAR,)),
    _Spec(SourceKind.GITHUB_OIDC, (OIDC_URL_VAR, OIDC_TOKEN_VAR), needs_app=True),
    _Spec(SourceKind.FEDERATED_FILE, (FEDERATED_FILE_VAR,), needs_app=True),
    _Spec(SourceKind.CLIENT_SECRET, (SECRET_VAR,), needs_app=True),
    _Spec(SourceKind.CLIENT_CERTIFICATE, (CERT_PATH_VAR,), (CERT_PASSWORD_VAR,), needs_app=True),
)

_APP_OPTIONS = (
    f"{ACCESS_TOKEN_VAR} (a bearer token); "
    f"GitHub OIDC ({OIDC_URL_VAR} + {OIDC_TOKEN_VAR}, i.e. `permissions: id-token: write`, "
    f"with {TENANT_VAR} and {CLIENT_ID_VAR}); "
    f"{FEDERATED_FILE_VAR} with {TENANT_VAR} and {CLIENT_ID_VAR}; "
    f"{SECRET_VAR} or {CERT_PATH_VAR} with {TENANT_VAR} and {CLIENT_ID_VAR}; "
)
_WITHOUT_A_TENANT = (
    "No tenant yet? Try it on a sample tenant: `edusync-reconcile demo`, or run "
    "`edusync-reconcile emulator --demo` and set the two variables it prints."
)


@dataclass(frozen=True)
class Selected:
    kind: SourceKind
    #: AZURE_TENANT_ID, else edusync.yaml's tenant; for the token cache `organizations`.
    tenant: str


#: `--credential` / EDUSYNC_CREDENTIAL names (settings.CREDENTIAL_CHOICES) → source.
CHOICES: dict[str, SourceKind] = {
    "token": SourceKind.STATIC,
    "oidc": SourceKind.GITHUB_OIDC,
    "federated-file": SourceKind.FEDERATED_FILE,
    "secret": SourceKind.CLIENT_SECRET,
    "certificate": SourceKind.CLIENT_CERTIFICATE,
    "cache": SourceKind.TOKEN_CACHE,
}


@dataclass(frozen=True)
class SourceReport:
    """One credential source as the environment offers it (names only, never values)."""

    kind: SourceKind
    matches: bool
    #: Variables (or the cache file) it lacks; empty when it matches.
    missing: tuple[str, ...]
    #: Some of its own variables are set: a typo or a missing secret is likely.
    partial: bool


def present(env: Mapping[str, str], name: str) -> bool:
    return bool(env.get(name, "").strip())


def tenant_of(env: Mapping[str, str], configured: str | None) -> str | None:
    """AZURE_TENANT_ID wins over edusync.yaml (env > file)."""
    if present(env, TENANT_VAR):
        return env[TENANT_VAR].strip()
    return configured.strip() if configured and configured.strip() else None


def _missing(spec: _Spec, env: Mapping[str, str], tenant: str | None) -> list[str]:
    missing = [name for name in spec.own if not present(env, name)]
    if spec.needs_app and not present(env, CLIENT_ID_VAR):
        missing.append(CLIENT_ID_VAR)
    if spec.needs_app and tenant is None:
        missing.append(TENANT_VAR)
    return missing


def survey(env: Mapping[str, str], configured_tenant: str | None = None) -> list[SourceReport]:
    """Every source in contract order, with what each lacks (for `doctor` and error hints)."""
    tenant = tenant_of(env, configured_tenant)
    reports = []
    for spec in _SPECS:
        missing = _missing(spec, env, tenant)
        partial = bool(missing) and any(present(env, n) for n in spec.own + spec.optional)
        reports.append(SourceReport(spec.kind, not missing, tuple(missing), partial))
    has_cache = present(env, CACHE_VAR) or cache_path(env).exists()
    cache_missing = () if has_cache else (f"a token cache at {cache_path(env)} (run login)",)
    reports.append(SourceReport(SourceKind.TOKEN_CACHE, has_cache, cache_missing, False))
    return reports


def select_source(
    env: Mapping[str, str], configured_tenant: str | None = None, credential: str = "auto"
) -> Selected:
    """The source `credential` names, or with `auto` the first whose variables are all set;
    AuthError saying what is missing otherwise (never a silent fallback)."""
    tenant = tenant_of(env, configured_tenant)
    reports = survey(env, configured_tenant)
    if credential != "auto":
        wanted = CHOICES[credential]
        report = next(r for r in reports if r.kind is wanted)
        if not report.matches:
            raise AuthError(
                f"EDUSYNC_CREDENTIAL/--credential is {credential!r} ({wanted.value}), but "
                f"{', '.join(report.missing)} {'is' if len(report.missing) == 1 else 'are'} "
                "not set; set them, or choose another source (auto picks the first that matches)"
            )
        return _selected(wanted, tenant)
    notes: list[str] = []
    for report in reports:
        if report.matches:
            return _selected(report.kind, tenant)
        if report.partial:
            note = f"{report.kind.value} not used: {', '.join(report.missing)} not set"
            log.info("credential source %s", note)
            notes.append(note)
    detail = f" ({'; '.join(notes)})" if notes else ""
    # No tenant anywhere: most likely someone trying the tool, who can do so without one.
    try_it = "" if tenant else f"\n{_WITHOUT_A_TENANT}"
    raise AuthError(
        f"no credentials found{detail}. Use one of: {_APP_OPTIONS}or run "
        f"`edusync-reconcile login` (there is no token cache at {cache_path(env)}; "
        f"{CACHE_VAR} names another){try_it}"
    )


def _selected(kind: SourceKind, tenant: str | None) -> Selected:
    if kind is SourceKind.TOKEN_CACHE:
        return Selected(kind, tenant or DEFAULT_DELEGATED_TENANT)
    return Selected(kind, tenant or "")
