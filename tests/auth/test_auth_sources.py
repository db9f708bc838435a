"""Which source wins (contract §3: first match wins), partial sets, and the no-match error."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from reconciler.auth import token_provider_from_env
from reconciler.clouds import CLOUDS
from reconciler.errors import AuthError
from reconciler.identity import Permission, StaticTokenProvider

GLOBAL = CLOUDS["global"]
ORDER = ["static", "oidc", "file", "secret", "certificate", "cache"]


@pytest.fixture
def everything(
    entra: Any, app_env: dict[str, str], certificate_files: Any, signed_in: Path, tmp_path: Path
) -> dict[str, dict[str, str]]:
    """Every source, fully set and usable on its own, by name."""
    app = entra.apps[entra.CLIENT_ID]
    app.federated_subject = entra.GITHUB_SUBJECT
    app.certificate = certificate_files.certificate
    token_file = tmp_path / "federated-token"
    token_file.write_text(entra.federated_token())
    return {
        "static": {"EDUSYNC_ACCESS_TOKEN": entra.jwt({"scp": "EduAdministration.ReadWrite"})},
        "oidc": {
            "ACTIONS_ID_TOKEN_REQUEST_URL": entra.github_request_url,
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": entra.github_request_token,
        },
        "file": {"AZURE_FEDERATED_TOKEN_FILE": str(token_file)},
        "secret": {"AZURE_CLIENT_SECRET": entra.SECRET},
        "certificate": {"AZURE_CLIENT_CERTIFICATE_PATH": str(certificate_files.pem)},
        "cache": {"EDUSYNC_TOKEN_CACHE": str(signed_in)},
    }


@pytest.mark.parametrize("winner", ORDER)
def test_first_match_wins(
    entra: Any, app_env: dict[str, str], everything: dict[str, dict[str, str]], winner: str
) -> None:
    env = dict(app_env)
    for name in ORDER[ORDER.index(winner) :]:  # the winner and every source after it
        env.update(everything[name])

    provider = token_provider_from_env(env, GLOBAL)
    provider.token()

    credential = provider.identity.credential
    expected = {
        "static": "the token in EDUSYNC_ACCESS_TOKEN",
        "oidc": "GitHub OIDC federated credential for app",
        "file": "federated token file",
        "secret": "client secret for app",
        "certificate": "certificate ",
        "cache": "delegated sign-in from token cache",
    }[winner]
    assert credential.startswith(expected)
    assert bool(entra.github_calls()) == (winner == "oidc")
    token_calls = entra.token_calls()
    if winner == "static":
        assert entra.calls == []  # nothing sent anywhere
    elif winner == "cache":
        # Signed in via `organizations`, now asked for tenant contoso: one silent refresh.
        assert [c.form["grant_type"] for c in token_calls] == ["refresh_token"]
        assert provider.identity.permission is Permission.DELEGATED
    else:
        assert [c.form["grant_type"] for c in token_calls] == ["client_credentials"]
        assert provider.identity.permission is Permission.APP_ONLY


def test_partial_set_is_noted_by_name_and_skipped(
    entra: Any, base_env: dict[str, str], signed_in: Path, caplog: pytest.LogCaptureFixture
) -> None:
    env = dict(
        base_env,
        AZURE_CLIENT_SECRET=entra.SECRET,
        AZURE_CLIENT_ID=entra.CLIENT_ID,  # but no tenant anywhere
        ACTIONS_ID_TOKEN_REQUEST_URL=entra.github_request_url,  # but no request token
    )
    with caplog.at_level(logging.INFO, logger="reconciler.auth"):
        provider = token_provider_from_env(env, GLOBAL)

    assert provider.identity.credential.startswith("delegated sign-in from token cache")
    notes = [r.getMessage() for r in caplog.records if "not used" in r.getMessage()]
    assert notes == [
        "credential source GitHub OIDC not used: ACTIONS_ID_TOKEN_REQUEST_TOKEN, "
        "AZURE_TENANT_ID not set",
        "credential source client secret not used: AZURE_TENANT_ID not set",
    ]
    assert entra.SECRET not in caplog.text


def test_nothing_matching_lists_the_options_and_the_partial_sets(
    entra: Any, base_env: dict[str, str]
) -> None:
    env = dict(base_env, AZURE_CLIENT_CERTIFICATE_PASSWORD="pw-value", AZURE_CLIENT_ID="x")
    with pytest.raises(AuthError) as caught:
        token_provider_from_env(env, GLOBAL)
    message = str(caught.value)
    assert message.startswith("no credentials found (client certificate not used: ")
    assert "AZURE_CLIENT_CERTIFICATE_PATH, AZURE_TENANT_ID not set" in message
    for option in (
        "EDUSYNC_ACCESS_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_CLIENT_SECRET",
        "AZURE_CLIENT_CERTIFICATE_PATH",
        "`edusync-reconcile login`",
        "EDUSYNC_TOKEN_CACHE",
    ):
        assert option in message
    assert "pw-value" not in message
    assert entra.calls == []


def test_empty_values_count_as_unset(entra: Any, app_env: dict[str, str]) -> None:
    # GitHub Actions expands a missing secret to "": that must not select the source.
    env = dict(app_env, EDUSYNC_ACCESS_TOKEN="", AZURE_CLIENT_SECRET=entra.SECRET)
    provider = token_provider_from_env(env, GLOBAL)
    assert not isinstance(provider, StaticTokenProvider)
    assert provider.identity.credential.startswith("client secret")


def test_tenant_from_edusync_yaml_unless_azure_tenant_id(
    entra: Any, base_env: dict[str, str]
) -> None:
    env = dict(base_env, AZURE_CLIENT_ID=entra.CLIENT_ID, AZURE_CLIENT_SECRET=entra.SECRET)
    token_provider_from_env(env, GLOBAL, tenant="fabrikam.edu").token()
    token_provider_from_env(dict(env, AZURE_TENANT_ID="contoso.edu"), GLOBAL, tenant="x").token()
    paths = [c.path for c in entra.token_calls()]
    assert paths == ["/fabrikam.edu/oauth2/v2.0/token", "/contoso.edu/oauth2/v2.0/token"]


def test_default_cache_location_matches_without_any_variable(
    entra: Any, base_env: dict[str, str], signed_in: Path, config_home: Path
) -> None:
    assert signed_in == config_home / "edusync-reconcile" / "token-cache.json"
    provider = token_provider_from_env(base_env, GLOBAL)
    assert provider.identity.permission is Permission.DELEGATED
    assert provider.identity.principal == entra.USER


CHOICE_OF = {
    "static": "token",
    "oidc": "oidc",
    "file": "federated-file",
    "secret": "secret",
    "certificate": "certificate",
    "cache": "cache",
}


@pytest.mark.parametrize("chosen", ORDER)
def test_credential_pins_one_source_even_when_an_earlier_one_matches(
    entra: Any, app_env: dict[str, str], everything: dict[str, dict[str, str]], chosen: str
) -> None:
    # Every source is available: without a pin the static token would win.
    env = dict(app_env)
    for name in ORDER:
        env.update(everything[name])

    provider = token_provider_from_env(env, GLOBAL, credential=CHOICE_OF[chosen])
    provider.token()

    assert bool(entra.github_calls()) == (chosen == "oidc")
    if chosen == "cache":
        assert provider.identity.permission is Permission.DELEGATED
    elif chosen != "static":
        assert provider.identity.permission is Permission.APP_ONLY


def test_pinned_source_that_is_incomplete_fails_without_falling_back(
    entra: Any, app_env: dict[str, str], everything: dict[str, dict[str, str]]
) -> None:
    # The OIDC trap of an apply job: the cache is pinned but not supplied; OIDC is on offer.
    env = dict(app_env, **everything["oidc"], EDUSYNC_TOKEN_CACHE="")
    with pytest.raises(AuthError) as caught:
        token_provider_from_env(env, GLOBAL, credential="secret")
    assert "'secret' (client secret), but AZURE_CLIENT_SECRET is not set" in str(caught.value)
    assert entra.calls == []


def test_bad_credential_value_is_a_usage_error(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDUSYNC_CREDENTIAL", "kerberos")
    assert cli("validate", "--help").code == 64
    monkeypatch.delenv("EDUSYNC_CREDENTIAL")
    assert cli("plan", "--credential", "kerberos").code == 64


def test_no_credentials_and_no_tenant_points_at_the_demo(entra: Any, base_env: Any) -> None:
    with pytest.raises(AuthError) as caught:
        token_provider_from_env(base_env, GLOBAL)
    first, hint = str(caught.value).split("\n")
    assert first.startswith("no credentials found. Use one of: ")
    assert "`edusync-reconcile demo`" in hint and "`edusync-reconcile emulator --demo`" in hint


def test_no_credentials_with_a_tenant_gives_no_demo_hint(entra: Any, base_env: Any) -> None:
    with pytest.raises(AuthError) as caught:
        token_provider_from_env(dict(base_env, AZURE_TENANT_ID=entra.TENANT), GLOBAL)
    assert "\n" not in str(caught.value) and "demo" not in str(caught.value)
