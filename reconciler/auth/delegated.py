"""Delegated tokens: device-code sign-in (`login`) and silent refresh from the token cache.

The cache is msal's SerializableTokenCache, persisted as a 0600 file. Profile create/update/
delete need a signed-in admin (`EduAdministration.ReadWrite` delegated), which is why this
path exists beside the app-only credentials.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msal

from reconciler.auth.authority import (
    Authority,
    access_token_of,
    authority_for,
    msal_app_options,
    refused,
    talking_to,
    warn_if_sds_undocumented,
)
from reconciler.auth.cachefile import RELOGIN_HINT, read_cache, write_private
from reconciler.clouds import Cloud
from reconciler.errors import AuthError
from reconciler.identity import Identity, Permission

log = logging.getLogger("reconciler.auth")

_PUBLIC_CLIENT_HINT = (
    "Check the client id and that the app registration allows public client flows "
    "(Authentication > Advanced settings > Allow public client flows = Yes)"
)
_CONSENT_HINT = (
    "Grant admin consent for the delegated Microsoft Graph permission "
    "EduAdministration.ReadWrite on the app registration (API permissions)"
)


@dataclass(frozen=True)
class CachedSignIn:
    """The account in a token cache and the app (client id) its refresh token belongs to."""

    home_account_id: str
    username: str
    environment: str
    client_id: str


def _description(path: Path) -> str:
    return f"delegated sign-in from token cache {path}"


def load_cache(path: Path) -> msal.SerializableTokenCache:
    cache = msal.SerializableTokenCache()
    try:
        cache.deserialize(read_cache(path))
    except ValueError:  # not JSON
        raise AuthError(f"the token cache {path} is not a token cache: {RELOGIN_HINT}") from None
    return cache


def cached_sign_in(
    cache: msal.SerializableTokenCache, path: Path, preferred_client_id: str | None = None
) -> CachedSignIn:
    """The signed-in account, read from the cache itself so no network is needed."""
    accounts = list(cache.search(msal.TokenCache.CredentialType.ACCOUNT))
    refresh = list(cache.search(msal.TokenCache.CredentialType.REFRESH_TOKEN))
    for account in accounts:
        home = account.get("home_account_id")
        clients = [str(rt["client_id"]) for rt in refresh if rt.get("home_account_id") == home]
        if clients:
            client_id = preferred_client_id if preferred_client_id in clients else clients[0]
            return CachedSignIn(
                home_account_id=str(home),
                username=str(account.get("username") or home),
                environment=str(account.get("environment", "")),
                client_id=str(client_id),
            )
    raise AuthError(f"the token cache {path} holds no signed-in account: {RELOGIN_HINT}")


class DelegatedCacheProvider:
    """A TokenProvider refreshing the signed-in admin's token silently from the cache file."""

    def __init__(
        self,
        *,
        path: Path,
        cache: msal.SerializableTokenCache,
        sign_in: CachedSignIn,
        authority: Authority,
        scope: str,
        http_client: object | None = None,
    ) -> None:
        self._identity = Identity(Permission.DELEGATED, _description(path), sign_in.username)
        self._path = path
        self._cache = cache
        self._sign_in = sign_in
        self._authority = authority
        self._scope = scope
        self._http_client = http_client
        self._lock = threading.Lock()
        self._app: Any = None

    @property
    def identity(self) -> Identity:
        return self._identity

    def token(self) -> str:
        with self._lock:
            with talking_to(self._authority, self._identity.credential):
                result = self._acquire()
            token = access_token_of(result, self._identity.credential, RELOGIN_HINT)
            self._save_if_changed()
            return token

    def _acquire(self) -> Any:
        if self._app is None:
            self._app = msal.PublicClientApplication(
                self._sign_in.client_id,
                token_cache=self._cache,
                **msal_app_options(self._authority, self._http_client),
            )
        account = self._account(self._app)
        result = self._app.acquire_token_silent_with_error([self._scope], account=account)
        if result is None:
            raise AuthError(
                f"{self._identity.credential}: no usable token for {self._scope} "
                f"(signed in as {self._sign_in.username}): {RELOGIN_HINT}"
            )
        return result

    def _account(self, app: Any) -> Any:
        for account in app.get_accounts():
            if account.get("home_account_id") == self._sign_in.home_account_id:
                return account
        # msal matches accounts by authority host, so a cache from another cloud is no use here.
        raise AuthError(
            f"{self._identity.credential}: the sign-in there is for {self._sign_in.environment}, "
            f"not {self._authority.host} (check --cloud and AZURE_AUTHORITY_HOST): {RELOGIN_HINT}"
        )

    def _save_if_changed(self) -> None:
        # A refresh may rotate the refresh token; keep the newest one for the next run. A
        # read-only cache (mounted from a secret) still works for this run, so only warn.
        if not self._cache.has_state_changed:
            return
        try:
            write_private(self._path, self._cache.serialize())
            self._cache.has_state_changed = False
        except OSError as exc:
            log.warning("could not update the token cache %s: %s", self._path, exc.strerror or exc)

    def __repr__(self) -> str:
        return f"DelegatedCacheProvider({self._path})"


def device_code_login(
    env: Mapping[str, str],
    cloud: Cloud,
    *,
    client_id: str,
    tenant: str,
    path: Path,
    show: Callable[[str], None],
    http_client: object | None = None,
) -> Identity:
    """Sign in with a device code and write a fresh token cache (0600) to `path`.

    The new cache replaces any earlier one, so a cache always holds exactly one admin.
    """
    warn_if_sds_undocumented(cloud)
    authority = authority_for(env, cloud, tenant)
    cache = msal.SerializableTokenCache()
    description = f"device code sign-in for app {client_id} at {authority.url}"
    with talking_to(authority, description):
        app = msal.PublicClientApplication(
            client_id, token_cache=cache, **msal_app_options(authority, http_client)
        )
        flow = app.initiate_device_flow(scopes=[cloud.delegated_scope])
        if "user_code" not in flow:
            raise refused(flow, description, _login_hint(flow))
        show(str(flow["message"]))
        result = app.acquire_token_by_device_flow(flow)
    access_token_of(result, description, _login_hint(result))
    write_private(path, cache.serialize())
    username = _username(result)
    log.info("signed in as %s; token cache written to %s", username, path)
    return Identity(Permission.DELEGATED, _description(path), username)


def _login_hint(result: Mapping[str, Any]) -> str:
    """What to change in the app registration, for the two mistakes Entra reports most."""
    codes = set(result.get("error_codes") or [])
    if codes & {65001, 65004, 90094} or "AADSTS65001" in str(result.get("error_description")):
        return _CONSENT_HINT
    if result.get("error") in {"invalid_client", "unauthorized_client"} or 7000218 in codes:
        return _PUBLIC_CLIENT_HINT
    return ""


def _username(result: Mapping[str, Any]) -> str | None:
    claims = result.get("id_token_claims") or {}
    for name in ("preferred_username", "upn", "email", "name"):
        if claims.get(name):
            return str(claims[name])
    return None
