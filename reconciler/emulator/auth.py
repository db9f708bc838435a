"""The bearer-token check, and telling app-only tokens from delegated ones.

Create, update and delete of profiles support delegated permissions only; app-only tokens may
read and pause/resume/reset (graph-sds-api.md §1). Like the product (spec §3), a JWT with
`roles` and no `scp` is app-only. The signature is not verified: this is an emulator.
"""

from __future__ import annotations

import base64
import binascii
import json
from enum import StrEnum

from reconciler.emulator.graph_errors import GraphFault


class Caller(StrEnum):
    DELEGATED = "delegated"
    APP_ONLY = "app-only"
    OPAQUE = "opaque"  # not a JWT: no permission guess, like Graph for tokens it cannot judge


def _unauthorized(message: str) -> GraphFault:
    return GraphFault(
        401,
        "InvalidAuthenticationToken",
        message,
        headers={"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'},
    )


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer …` header, or 401."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("Access token is empty.")
    return token.strip()


def jwt_claims(token: str) -> dict[str, object] | None:
    """The payload of a JWT, unverified; None when the token is not a JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        return None
    return claims if isinstance(claims, dict) else None


def classify(token: str) -> Caller:
    claims = jwt_claims(token)
    if claims is None:
        return Caller.OPAQUE
    if claims.get("roles") and not claims.get("scp"):  # same reading as the client's
        return Caller.APP_ONLY
    return Caller.DELEGATED


def authenticate(authorization: str | None, required_token: str | None) -> Caller:
    """Who is calling; 401 for a missing bearer or one that is not the configured token."""
    token = bearer_token(authorization)
    if required_token is not None and token != required_token:
        raise _unauthorized("Access token validation failure. Invalid audience.")
    return classify(token)


def refuse_app_only_write(caller: Caller) -> None:
    """403 for an app-only caller of create/update/delete (Application: not supported)."""
    if caller is Caller.APP_ONLY:
        raise GraphFault(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation: application permissions are not "
            "supported for creating, updating or deleting synchronization profiles; "
            "sign in as a user with EduAdministration.ReadWrite.",
        )
