"""Reading (never verifying) JWT claims: enough to describe a token, not to trust it.

Graph verifies every token it receives; we only look inside to say what a token can do
(`scp` = delegated, `roles` = app-only), who it belongs to, and when it runs out.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from reconciler.identity import Permission

Claims = dict[str, Any]

# Which claim names a principal, in order of preference: v1 user, v2 user, then the app.
_PRINCIPAL_CLAIMS = ("upn", "unique_name", "preferred_username", "appid", "azp")


def jwt_claims(token: str) -> Claims | None:
    """The payload of a compact JWT, or None when the token is opaque (not a JWT)."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[1]:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, UnicodeEncodeError):  # binascii.Error and JSONDecodeError are ValueErrors
        return None
    return claims if isinstance(claims, dict) else None


def permission_of(claims: Claims | None) -> Permission:
    """Any `scp` means a signed-in user (delegated); `roles` without `scp` means app-only."""
    if claims is None:
        return Permission.UNKNOWN
    if claims.get("scp"):
        return Permission.DELEGATED
    if claims.get("roles"):
        return Permission.APP_ONLY
    return Permission.UNKNOWN


def principal_of(claims: Claims | None) -> str | None:
    for name in _PRINCIPAL_CLAIMS:
        value = (claims or {}).get(name)
        if isinstance(value, str) and value:
            return value
    return None


def expiry_of(claims: Claims | None) -> float | None:
    """The `exp` claim as a UNIX time, when there is one."""
    value = (claims or {}).get("exp")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def scopes_of(claims: Claims | None) -> tuple[str, ...]:
    """Delegated permissions: the space-separated `scp` claim."""
    value = (claims or {}).get("scp")
    return tuple(value.split()) if isinstance(value, str) else ()


def roles_of(claims: Claims | None) -> tuple[str, ...]:
    """Application permissions: the `roles` claim."""
    value = (claims or {}).get("roles")
    return tuple(str(r) for r in value) if isinstance(value, list) else ()


def text_claim(claims: Claims | None, *names: str) -> str | None:
    """The first of these claims that holds text (`tid`; `appid`/`azp`; `aud`; …)."""
    for name in names:
        value = (claims or {}).get(name)
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, str) and value:
            return value
    return None
