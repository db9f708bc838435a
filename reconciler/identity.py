"""What the graph client needs from authentication, and nothing more.

`reconciler.auth` (the only module importing msal) produces a TokenProvider; everything else
depends on this protocol so that tests can hand in a static token.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class Permission(StrEnum):
    DELEGATED = "delegated"  # a signed-in admin: may create/update/delete profiles
    APP_ONLY = "app-only"  # may read and pause/resume/reset only
    UNKNOWN = "unknown"  # an opaque token: Graph's answer decides

    @property
    def plain(self) -> str:
        """What this means for the admin, in words (never the enum value)."""
        return _PLAIN[self]


_PLAIN = {
    Permission.DELEGATED: "an admin's own sign-in: may change profiles",
    Permission.APP_ONLY: "an app's own identity: may read, pause and resume, not change profiles",
    Permission.UNKNOWN: "permissions unknown: Graph will decide",
}


@dataclass(frozen=True)
class Identity:
    """Who is calling Graph, for messages (never holds a secret)."""

    permission: Permission
    #: Where the token comes from, in words: "the token in EDUSYNC_ACCESS_TOKEN",
    #: "client secret for app 1234…"
    credential: str
    principal: str | None = None
    #: The token's claims when it is a JWT we were handed (never the token itself), so the
    #: identity line can say what it may really do (`reconciler.auth.verdict`).
    claims: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)


class TokenProvider(Protocol):
    @property
    def identity(self) -> Identity: ...

    def token(self) -> str:
        """A bearer token valid for at least the next few minutes."""
        ...


class StaticTokenProvider:
    """A bearer token used as is."""

    def __init__(self, token: str, identity: Identity) -> None:
        self._token = token
        self._identity = identity

    @property
    def identity(self) -> Identity:
        return self._identity

    def token(self) -> str:
        return self._token

    def __repr__(self) -> str:  # never show the token
        return f"StaticTokenProvider({self._identity.credential})"
