"""`token_provider_from_env`: pick the credential source and build its TokenProvider."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.auth.assertions import (
    FederatedTokenFile,
    GitHubIdToken,
    RefreshingAssertion,
    mismatch_hint,
)
from reconciler.auth.authority import authority_for, warn_if_sds_undocumented
from reconciler.auth.cachefile import cache_path
from reconciler.auth.claims import jwt_claims, permission_of, principal_of
from reconciler.auth.sources import (
    ACCESS_TOKEN_VAR,
    CERT_PASSWORD_VAR,
    CERT_PATH_VAR,
    CLIENT_ID_VAR,
    FEDERATED_FILE_VAR,
    LOGIN_CLIENT_ID_VAR,
    OIDC_TOKEN_VAR,
    OIDC_URL_VAR,
    SECRET_VAR,
    SourceKind,
    select_source,
)
from reconciler.clouds import Cloud
from reconciler.identity import Identity, StaticTokenProvider, TokenProvider
from reconciler.logsetup import register_secret

if TYPE_CHECKING:
    from reconciler.auth.app_only import AppOnlyProvider

# msal and cryptography (about 0.14 s to import) are imported by the builders that use them:
# a run with a static token, the common CI case, never needs them.

log = logging.getLogger("reconciler.auth")


@dataclass(frozen=True)
class _Request:
    env: Mapping[str, str]
    cloud: Cloud
    tenant: str
    http_client: object | None

    def var(self, name: str) -> str:
        return self.env[name].strip()

    def app(self, description: str) -> str:
        return f"{description} for app {self.var(CLIENT_ID_VAR)} in tenant {self.tenant}"


def token_provider_from_env(
    env: Mapping[str, str],
    cloud: Cloud,
    *,
    tenant: str | None = None,
    credential: str = "auto",
    http_client: object | None = None,
) -> TokenProvider:
    """The TokenProvider of the first credential source the environment sets (contract §3).

    `tenant` is edusync.yaml's; AZURE_TENANT_ID wins over it. `credential` (--credential /
    EDUSYNC_CREDENTIAL) names one source instead of the first that matches. Raises AuthError when
    no source matches or the matching one is unusable (no fallback to the next source). Build one
    provider per run and share it: it asks the authority for one token and reuses it.
    """
    warn_if_sds_undocumented(cloud)
    selected = select_source(env, tenant, credential)
    request = _Request(env, cloud, selected.tenant, http_client)
    provider = _BUILDERS[selected.kind](request)
    log.info(
        "credentials: %s (%s)", provider.identity.credential, provider.identity.permission.value
    )
    return provider


def _static(request: _Request) -> TokenProvider:
    token = request.var(ACCESS_TOKEN_VAR)
    # A pasted "Bearer xyz" header value is the same token; Graph wants it without the prefix.
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    register_secret(token)
    claims = jwt_claims(token)
    # An expired token is still used (Graph decides); the identity line says it has expired.
    identity = Identity(
        permission_of(claims), f"the token in {ACCESS_TOKEN_VAR}", principal_of(claims), claims
    )
    return StaticTokenProvider(token, identity)


def _app_only(
    request: _Request,
    credential: str | Mapping[str, object],
    description: str,
    hint: Callable[[], str] = lambda: "",
) -> AppOnlyProvider:
    from reconciler.auth.app_only import AppOnlyProvider

    return AppOnlyProvider(
        client_id=request.var(CLIENT_ID_VAR),
        client_credential=credential if isinstance(credential, str) else dict(credential),
        description=request.app(description),
        authority=authority_for(request.env, request.cloud, request.tenant),
        scope=request.cloud.app_scope,
        http_client=request.http_client,
        hint=hint,
    )


def _github_oidc(request: _Request) -> TokenProvider:
    assertion = RefreshingAssertion(
        GitHubIdToken(request.var(OIDC_URL_VAR), request.var(OIDC_TOKEN_VAR), request.http_client)
    )
    credential = {"client_assertion": assertion}
    hint = lambda: mismatch_hint(assertion.claims)  # noqa: E731
    return _app_only(request, credential, "GitHub OIDC federated credential", hint)


def _federated_file(request: _Request) -> TokenProvider:
    assertion = FederatedTokenFile(Path(request.var(FEDERATED_FILE_VAR)).expanduser())
    description = f"federated token file {assertion.path}"
    hint = lambda: mismatch_hint(assertion.claims)  # noqa: E731
    return _app_only(request, {"client_assertion": assertion}, description, hint)


def _client_secret(request: _Request) -> TokenProvider:
    secret = request.env[SECRET_VAR]  # as given: a secret may legitimately end in whitespace
    register_secret(secret)
    hint = (
        f"Check that {SECRET_VAR} holds the secret's Value (not its Secret ID) and has not expired"
    )
    return _app_only(request, secret, "client secret", lambda: hint)


def _client_certificate(request: _Request) -> TokenProvider:
    from reconciler.auth.certificate import load_client_certificate

    path = Path(request.var(CERT_PATH_VAR)).expanduser()
    cert = load_client_certificate(path, request.env.get(CERT_PASSWORD_VAR) or None)
    credential = {"private_key": cert.private_key_pem, "thumbprint": cert.thumbprint}
    hint = f"Check that certificate {cert.thumbprint} is uploaded to the app registration"
    return _app_only(request, credential, f"certificate {cert.thumbprint}", lambda: hint)


def _token_cache(request: _Request) -> TokenProvider:
    from reconciler.auth.delegated import DelegatedCacheProvider, cached_sign_in, load_cache

    path = cache_path(request.env)
    cache = load_cache(path)
    preferred = request.env.get(LOGIN_CLIENT_ID_VAR) or request.env.get(CLIENT_ID_VAR)
    return DelegatedCacheProvider(
        path=path,
        cache=cache,
        sign_in=cached_sign_in(cache, path, preferred),
        authority=authority_for(request.env, request.cloud, request.tenant),
        scope=request.cloud.delegated_scope,
        http_client=request.http_client,
    )


_BUILDERS: dict[SourceKind, Callable[[_Request], TokenProvider]] = {
    SourceKind.STATIC: _static,
    SourceKind.GITHUB_OIDC: _github_oidc,
    SourceKind.FEDERATED_FILE: _federated_file,
    SourceKind.CLIENT_SECRET: _client_secret,
    SourceKind.CLIENT_CERTIFICATE: _client_certificate,
    SourceKind.TOKEN_CACHE: _token_cache,
}
