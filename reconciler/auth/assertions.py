"""Federated client assertions: the GitHub Actions ID token, or a token file (workload identity).

msal calls an assertion callable only when it must send a token request, so these are
consulted at most once per token the authority issues.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from reconciler.auth.authority import HTTP_TIMEOUT
from reconciler.auth.claims import Claims, expiry_of, jwt_claims
from reconciler.auth.sources import FEDERATED_FILE_VAR, OIDC_URL_VAR
from reconciler.errors import AuthError
from reconciler.logsetup import redact, register_secret

#: The audience Entra ID expects in a federated credential's token (its fixed default).
ENTRA_AUDIENCE = "api://AzureADTokenExchange"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
#: Fetch a fresh assertion once the current one has less than this left (seconds): Entra
#: rejects an assertion that expires while the token request is in flight.
EXPIRY_MARGIN = 60


class _Response(Protocol):
    status_code: int
    text: str


class _HttpGet(Protocol):
    def get(self, url: str, **kwargs: Any) -> _Response: ...


def with_audience(url: str, audience: str = ENTRA_AUDIENCE) -> str:
    """The request URL with `audience` added as a properly encoded query parameter."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "audience"]
    query.append(("audience", audience))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _github_session() -> requests.Session:
    # The Actions token service has the odd transient 5xx; a GET is safe to repeat.
    session = requests.Session()
    retry = Retry(total=2, backoff_factor=0.5, status_forcelist=(500, 502, 503, 504))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.mount("http://", HTTPAdapter(max_retries=retry))
    return session


class GitHubIdToken:
    """Asks the Actions runtime for the job's OIDC ID token (needs `id-token: write`)."""

    def __init__(
        self, request_url: str, request_token: str, http_client: object | None = None
    ) -> None:
        register_secret(request_token)
        self._url = with_audience(request_url)
        self._request_token = request_token
        self._http = cast(_HttpGet, http_client) if http_client is not None else _github_session()

    def __call__(self) -> str:
        headers = {"Authorization": f"Bearer {self._request_token}", "Accept": "application/json"}
        try:
            response = self._http.get(self._url, headers=headers, timeout=HTTP_TIMEOUT)
        except requests.RequestException as exc:
            raise AuthError(redact(f"GitHub OIDC: cannot reach {OIDC_URL_VAR}: {exc}")) from exc
        if response.status_code != 200:
            raise AuthError(
                f"GitHub OIDC: the ID token request failed with HTTP {response.status_code}; "
                "does the job have `permissions: id-token: write`?"
            )
        return _id_token_value(response.text)

    def __repr__(self) -> str:
        return "GitHubIdToken()"


def _id_token_value(body: str) -> str:
    try:
        value = json.loads(body).get("value")
    except (ValueError, AttributeError):
        value = None
    if not isinstance(value, str) or not value:
        raise AuthError("GitHub OIDC: the ID token response holds no token")
    register_secret(value)
    return value


class RefreshingAssertion:
    """Reuses an assertion until shortly before its `exp`, then fetches a new one."""

    def __init__(self, fetch: Callable[[], str], clock: Callable[[], float] = time.time) -> None:
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._value: str | None = None
        self._good_until = 0.0
        #: Claims of the latest assertion (issuer/subject make a mismatch explainable).
        self.claims: Claims | None = None

    def __call__(self) -> str:
        with self._lock:
            if self._value is None or self._clock() >= self._good_until:
                self._value = self._fetch()
                self.claims = jwt_claims(self._value)
                # Without an `exp` we cannot tell its age, so such a token is never reused.
                self._good_until = (expiry_of(self.claims) or 0.0) - EXPIRY_MARGIN
            return self._value

    def __repr__(self) -> str:
        return "RefreshingAssertion()"


class FederatedTokenFile:
    """Reads AZURE_FEDERATED_TOKEN_FILE on every use: the platform rotates it in place."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.claims: Claims | None = None

    def __call__(self) -> str:
        try:
            value = self.path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise AuthError(f"{FEDERATED_FILE_VAR}: cannot read {self.path}: {exc}") from None
        if not value:
            raise AuthError(f"{FEDERATED_FILE_VAR}: {self.path} is empty")
        register_secret(value)
        self.claims = jwt_claims(value)
        return value

    def __repr__(self) -> str:
        return f"FederatedTokenFile({self.path})"


def mismatch_hint(claims: Claims | None, audience: str = ENTRA_AUDIENCE) -> str:
    """Says what the app's federated credential must match, from the assertion's own claims."""
    if not claims:
        return ""
    issuer = claims.get("iss", "?")
    subject = claims.get("sub", "?")
    return (
        "The app registration needs a federated credential with issuer "
        f"{issuer}, subject {subject} and audience {audience}"
    )
