"""App-only (client credentials) tokens through msal's ConfidentialClientApplication.

One application object per provider, with msal's in-memory token cache: a token is reused for
its lifetime and msal asks for a new one when less than 5 minutes are left, so a run normally
asks the authority once. Tokens are never written to disk.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import msal

from reconciler.auth.authority import Authority, access_token_of, msal_app_options, talking_to
from reconciler.identity import Identity, Permission


class AppOnlyProvider:
    """A TokenProvider for an app registration's own identity (Graph application permissions)."""

    def __init__(
        self,
        *,
        client_id: str,
        client_credential: str | dict[str, Any],
        description: str,
        authority: Authority,
        scope: str,
        http_client: object | None = None,
        hint: Callable[[], str] = lambda: "",
    ) -> None:
        self._identity = Identity(Permission.APP_ONLY, description, principal=client_id)
        self._client_id = client_id
        self._credential = client_credential
        self._authority = authority
        self._scope = scope
        self._http_client = http_client
        self._hint = hint
        # Graph calls run in parallel; one lock keeps them from racing to the authority.
        self._lock = threading.Lock()
        self._app: Any = None

    @property
    def identity(self) -> Identity:
        return self._identity

    def token(self) -> str:
        with self._lock, talking_to(self._authority, self._identity.credential):
            if self._app is None:
                # Built lazily: constructing it fetches the authority's metadata.
                self._app = msal.ConfidentialClientApplication(
                    self._client_id,
                    client_credential=self._credential,
                    **msal_app_options(self._authority, self._http_client),
                )
            result = self._app.acquire_token_for_client(scopes=[self._scope])
        # The hint is computed late: for federated credentials it quotes the assertion's claims.
        if isinstance(result, dict) and "access_token" in result:
            return access_token_of(result, self._identity.credential)
        return access_token_of(result, self._identity.credential, self._hint())

    def __repr__(self) -> str:
        return f"AppOnlyProvider({self._identity.credential})"
