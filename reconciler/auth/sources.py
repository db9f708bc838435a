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


@dataclass(frozen=True)
class Selected:
    kind: SourceKind
    #: AZURE_TENANT_ID, else edusync.yaml's tenant; for the token cache `organizations`.
    tenant: str


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


def _note_partial(spec: _Spec, env: Mapping[str, str], missing: list[str]) -> str | None:
    if not any(present(env, name) for name in spec.own + spec.optional):
        return None
    note = f"{spec.kind.value} not used: {', '.join(missing)} not set"
    log.info("credential source %s", note)
    return note


def select_source(env: Mapping[str, str], configured_tenant: str | None = None) -> Selected:
    """The first source whose variables are all set; AuthError listing the options if none."""
    tenant = tenant_of(env, configured_tenant)
    notes: list[str] = []
    for spec in _SPECS:
        missing = _missing(spec, env, tenant)
        if not missing:
            return Selected(spec.kind, tenant or "")
        note = _note_partial(spec, env, missing)
        if note:
            notes.append(note)
    if present(env, CACHE_VAR) or cache_path(env).exists():
        return Selected(SourceKind.TOKEN_CACHE, tenant or DEFAULT_DELEGATED_TENANT)
    detail = f" ({'; '.join(notes)})" if notes else ""
    raise AuthError(
        f"no credentials found{detail}. Use one of: {_APP_OPTIONS}or run "
        f"`edusync-reconcile login` (there is no token cache at {cache_path(env)}; "
        f"{CACHE_VAR} names another)"
    )
