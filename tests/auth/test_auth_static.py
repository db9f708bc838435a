"""EDUSYNC_ACCESS_TOKEN: used as is, judged by its JWT claims (contract §3)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import pytest

from reconciler.auth import token_provider_from_env
from reconciler.auth.claims import jwt_claims, permission_of, principal_of
from reconciler.clouds import CLOUDS
from reconciler.identity import Permission, StaticTokenProvider

GLOBAL = CLOUDS["global"]


@pytest.mark.parametrize(
    ("claims", "permission", "principal"),
    [
        (
            {"scp": "EduAdministration.ReadWrite", "upn": "ada@contoso.edu"},
            Permission.DELEGATED,
            "ada@contoso.edu",
        ),
        # any scp wins, even next to roles
        (
            {"scp": "User.Read", "roles": ["X"], "unique_name": "bob@contoso.edu"},
            Permission.DELEGATED,
            "bob@contoso.edu",
        ),
        (
            {"roles": ["EduAdministration.Read.All"], "appid": "app-123"},
            Permission.APP_ONLY,
            "app-123",
        ),
        ({"roles": ["EduAdministration.Read.All"], "azp": "app-v2"}, Permission.APP_ONLY, "app-v2"),
        ({"aud": "https://graph.microsoft.com"}, Permission.UNKNOWN, None),  # JWT, neither claim
        ({"scp": "", "roles": []}, Permission.UNKNOWN, None),
    ],
)
def test_jwt_claims_decide_the_permission(
    jwt: Callable[[dict[str, Any]], str],
    claims: dict[str, object],
    permission: Permission,
    principal: str | None,
) -> None:
    token = jwt(claims)
    provider = token_provider_from_env({"EDUSYNC_ACCESS_TOKEN": token}, GLOBAL)
    assert isinstance(provider, StaticTokenProvider)
    assert provider.token() == token
    assert provider.identity.permission is permission
    assert provider.identity.principal == principal
    assert provider.identity.credential == "the token in EDUSYNC_ACCESS_TOKEN"


@pytest.mark.parametrize(
    "token",
    [
        "opaque-token-value-0123456789",
        "a.b.c",  # three parts, payload not base64 JSON
        "aaa.W10.ccc",  # payload is JSON but not an object ([])
        "aaa..ccc",
        "EwB4A8l6BAAU" + "x" * 200,  # the shape of a consumer (MSA) token
    ],
)
def test_opaque_token_is_used_as_is_with_no_permission_guess(token: str) -> None:
    provider = token_provider_from_env({"EDUSYNC_ACCESS_TOKEN": token}, GLOBAL)
    assert provider.token() == token
    assert provider.identity.permission is Permission.UNKNOWN
    assert provider.identity.principal is None


def test_a_pasted_bearer_prefix_is_dropped(jwt: Callable[[dict[str, Any]], str]) -> None:
    token = jwt({"roles": ["R"]})
    provider = token_provider_from_env({"EDUSYNC_ACCESS_TOKEN": f"Bearer {token}\n"}, GLOBAL)
    assert provider.token() == token


def test_expired_static_token_is_used_and_its_identity_says_so(
    jwt: Callable[[dict[str, Any]], str], caplog: pytest.LogCaptureFixture
) -> None:
    # The identity line says "EXPIRED" (tests/cli/test_identity_line.py); no second warning.
    token = jwt({"scp": "x", "exp": int(time.time()) - 60})
    with caplog.at_level(logging.INFO, logger="reconciler"):
        provider = token_provider_from_env({"EDUSYNC_ACCESS_TOKEN": token}, GLOBAL)
    assert provider.token() == token
    assert provider.identity.claims is not None and provider.identity.claims["scp"] == "x"
    assert token not in caplog.text and token not in repr(provider.identity)


def test_static_token_repr_hides_the_token(jwt: Callable[[dict[str, Any]], str]) -> None:
    token = jwt({"scp": "x"})
    provider = token_provider_from_env({"EDUSYNC_ACCESS_TOKEN": token}, GLOBAL)
    assert token not in repr(provider)


def test_claim_helpers_on_edge_values() -> None:
    assert jwt_claims("x.eyJhIjoxfQ.y") == {"a": 1}
    assert jwt_claims("x.\u00e9\u00e9.y") is None
    assert permission_of(None) is Permission.UNKNOWN
    assert principal_of({"upn": "", "appid": "a"}) == "a"
