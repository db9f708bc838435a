"""Delegated sign-in: `login` (device code), the 0600 token cache, silent refresh, `logout`."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reconciler.auth import token_provider_from_env
from reconciler.clouds import CLOUDS
from reconciler.commands.auth_cmd import login, logout
from reconciler.errors import AuthError
from reconciler.identity import Permission

GLOBAL = CLOUDS["global"]
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _invoke(command: Any, args: list[str], env: dict[str, str]) -> Any:
    return CliRunner().invoke(command, args, env=env, standalone_mode=False, catch_exceptions=True)


# ---------------------------------------------------------------- login


def test_login_writes_a_private_cache_that_a_later_run_uses_silently(
    entra: Any, base_env: dict[str, str], config_home: Path
) -> None:
    entra.device_pending_polls = 1  # the admin takes a moment: msal polls once more
    entra.user_token_lifetime = 200  # already inside msal's 5-minute margin: next use refreshes

    result = _invoke(login, ["--client-id", entra.CLIENT_ID], base_env)

    assert result.exception is None, result.exception
    assert result.return_value == 0
    assert "https://microsoft.com/devicelogin" in result.stderr
    assert "FAKE-CODE" in result.stderr
    cache = config_home / "edusync-reconcile" / "token-cache.json"
    assert f"Signed in as {entra.USER}. Token cache: {cache}" in result.stdout
    assert _mode(cache) == 0o600
    assert _mode(cache.parent) == 0o700
    (devicecode,) = [c for c in entra.calls if c.path.endswith("/devicecode")]
    assert devicecode.path == "/organizations/oauth2/v2.0/devicecode"
    assert "https://graph.microsoft.com/EduAdministration.ReadWrite" in devicecode.form["scope"]
    assert len(entra.token_calls(DEVICE_GRANT)) == 2  # pending, then signed in
    login_refresh_token = json.loads(cache.read_text())["RefreshToken"].popitem()[1]["secret"]

    # The next run: the cached access token is too old, so the refresh token is used, once.
    entra.calls.clear()
    entra.user_token_lifetime = 3600
    provider = token_provider_from_env(base_env, GLOBAL)
    tokens = {provider.token() for _ in range(5)}

    assert len(tokens) == 1
    (refresh,) = entra.token_calls()
    assert refresh.form["grant_type"] == "refresh_token"
    assert refresh.form["refresh_token"] == login_refresh_token
    assert provider.identity.permission is Permission.DELEGATED
    assert provider.identity.principal == entra.USER
    # The rotated refresh token is saved for the run after, still owner-only.
    saved = json.loads(cache.read_text())["RefreshToken"]
    assert login_refresh_token not in {entry["secret"] for entry in saved.values()}
    assert _mode(cache) == 0o600
    assert not [p for p in cache.parent.iterdir() if p.name.endswith(".tmp")]


def test_fresh_cached_token_needs_no_token_request(
    entra: Any, base_env: dict[str, str], signed_in: Path
) -> None:
    provider = token_provider_from_env(base_env, GLOBAL)
    assert provider.token() == entra.issued_access_tokens[-1]
    assert entra.token_calls() == []


def test_login_reads_client_id_and_tenant_from_the_environment(
    entra: Any, base_env: dict[str, str]
) -> None:
    env = dict(base_env, EDUSYNC_CLIENT_ID=entra.CLIENT_ID, AZURE_TENANT_ID="contoso.edu")
    result = _invoke(login, [], env)
    assert result.return_value == 0, result.exception
    assert entra.token_calls(DEVICE_GRANT)[0].path == "/contoso.edu/oauth2/v2.0/token"


def test_login_without_a_client_id_is_an_auth_error(base_env: dict[str, str]) -> None:
    result = _invoke(login, [], base_env)
    assert isinstance(result.exception, AuthError)
    assert "--client-id, EDUSYNC_CLIENT_ID or AZURE_CLIENT_ID" in str(result.exception)


def test_login_to_an_app_without_public_client_flows_explains_the_fix(
    entra: Any, base_env: dict[str, str]
) -> None:
    entra.apps[entra.CLIENT_ID].public_client = False
    result = _invoke(login, ["--client-id", entra.CLIENT_ID, "--tenant", "contoso.edu"], base_env)
    assert isinstance(result.exception, AuthError)
    message = str(result.exception)
    assert "AADSTS7000218" in message
    assert "Allow public client flows" in message


def test_login_without_admin_consent_says_which_permission(
    entra: Any, base_env: dict[str, str], config_home: Path
) -> None:
    entra.apps[entra.CLIENT_ID].consented = False
    result = _invoke(login, ["--client-id", entra.CLIENT_ID], base_env)
    assert isinstance(result.exception, AuthError)
    assert "AADSTS65001" in str(result.exception)
    assert "admin consent" in str(result.exception)
    assert "EduAdministration.ReadWrite" in str(result.exception)
    assert not (config_home / "edusync-reconcile" / "token-cache.json").exists()


@pytest.mark.parametrize("cloud", ["usgov", "china"])
def test_delegated_scope_follows_the_cloud(
    entra: Any, base_env: dict[str, str], cloud: str
) -> None:
    entra.user_token_lifetime = 200
    result = _invoke(login, ["--client-id", entra.CLIENT_ID, "--cloud", cloud], base_env)
    assert result.return_value == 0, result.exception
    token_provider_from_env(base_env, CLOUDS[cloud]).token()

    scope = f"{CLOUDS[cloud].graph_host}/EduAdministration.ReadWrite"
    (devicecode,) = [c for c in entra.calls if c.path.endswith("/devicecode")]
    (refresh,) = entra.token_calls("refresh_token")
    assert scope in devicecode.form["scope"].split()
    assert scope in refresh.form["scope"].split()


def test_login_through_the_cli_with_global_options_before_it(
    entra: Any, base_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from reconciler.cli import run

    for name, value in base_env.items():
        monkeypatch.setenv(name, value)
    assert run(["--cloud", "usgov", "login", "--client-id", entra.CLIENT_ID]) == 0
    (devicecode,) = [c for c in entra.calls if c.path.endswith("/devicecode")]
    assert "https://graph.microsoft.us/EduAdministration.ReadWrite" in devicecode.form["scope"]
    assert "global cloud only" in capsys.readouterr().err

    monkeypatch.setenv("EDUSYNC_CLIENT_ID", "not-registered")
    assert run(["login", "--tenant", "contoso.edu"]) == 1
    assert "error: device code sign-in for app not-registered" in capsys.readouterr().err


def test_login_help_has_an_example() -> None:
    result = CliRunner().invoke(login, ["--help"])
    assert result.exit_code == 0
    assert "edusync-reconcile login --client-id" in result.output
    assert "EDUSYNC_CLIENT_ID" in result.output


# ---------------------------------------------------------------- the cache as a source


def test_missing_cache_named_by_variable_says_how_to_fix_it(
    entra: Any, base_env: dict[str, str], tmp_path: Path
) -> None:
    env = dict(base_env, EDUSYNC_TOKEN_CACHE=str(tmp_path / "nowhere.json"))
    with pytest.raises(AuthError) as caught:
        token_provider_from_env(env, GLOBAL)
    assert str(caught.value) == (
        f"no token cache at {tmp_path / 'nowhere.json'}: run `edusync-reconcile login` again, "
        "or supply the cache from a secret"
    )
    assert entra.calls == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ("{}", "holds no signed-in account"),
        ('{"Account": {}, "RefreshToken": {}}', "holds no signed-in account"),
        ("not json", "is not a token cache"),
    ],
)
def test_unusable_cache_is_an_auth_error(
    entra: Any, base_env: dict[str, str], tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "cache.json"
    path.write_text(content)
    with pytest.raises(AuthError, match=message) as caught:
        token_provider_from_env(dict(base_env, EDUSYNC_TOKEN_CACHE=str(path)), GLOBAL)
    assert "run `edusync-reconcile login` again, or supply the cache from a secret" in str(
        caught.value
    )


def test_failed_refresh_is_an_auth_error_with_entras_reason(
    entra: Any, base_env: dict[str, str], signed_in: Path
) -> None:
    entra.user_token_lifetime = 200
    refresh_token = next(iter(entra.refresh_tokens))
    entra.refresh_tokens.clear()  # revoked, or expired after 90 days idle
    cache = json.loads(signed_in.read_text())
    for entry in cache["AccessToken"].values():
        entry["expires_on"] = entry["extended_expires_on"] = "1"  # long expired
    signed_in.write_text(json.dumps(cache))

    provider = token_provider_from_env(base_env, GLOBAL)
    with pytest.raises(AuthError) as caught:
        provider.token()

    message = str(caught.value)
    assert "invalid_grant" in message and "AADSTS700082" in message
    assert "run `edusync-reconcile login` again, or supply the cache from a secret" in message
    assert refresh_token not in message


def test_cache_supplied_from_a_secret_works_and_loose_mode_is_warned(
    entra: Any, base_env: dict[str, str], signed_in: Path, tmp_path: Path, caplog: Any
) -> None:
    supplied = tmp_path / "from-secret.json"
    shutil.copyfile(signed_in, supplied)
    supplied.chmod(0o644)
    env = dict(base_env, EDUSYNC_TOKEN_CACHE=str(supplied), XDG_CONFIG_HOME=str(tmp_path / "x"))
    with caplog.at_level("WARNING", logger="reconciler.auth"):
        provider = token_provider_from_env(env, GLOBAL)
    assert provider.token()
    assert f"chmod 600 {supplied}" in caplog.text


def test_cache_from_another_authority_is_refused(
    entra: Any, base_env: dict[str, str], signed_in: Path
) -> None:
    # Same fake, other host name: to msal a different authority (like another cloud).
    other = entra.base_url.replace("127.0.0.1", "localhost")
    provider = token_provider_from_env(dict(base_env, AZURE_AUTHORITY_HOST=other), GLOBAL)
    with pytest.raises(
        AuthError, match=r"the sign-in there is for 127\.0\.0\.1, not https://localhost"
    ):
        provider.token()


def test_the_cache_client_id_wins_over_an_unrelated_azure_client_id(
    entra: Any, base_env: dict[str, str], signed_in: Path
) -> None:
    entra.user_token_lifetime = 200
    cache = json.loads(signed_in.read_text())
    for entry in cache["AccessToken"].values():
        entry["expires_on"] = "1"
    signed_in.write_text(json.dumps(cache))
    token_provider_from_env(dict(base_env, AZURE_CLIENT_ID="some-other-app"), GLOBAL).token()
    (refresh,) = entra.token_calls()
    assert refresh.form["client_id"] == entra.CLIENT_ID


# ---------------------------------------------------------------- logout


def test_logout_removes_the_cache_and_can_be_repeated(
    base_env: dict[str, str], signed_in: Path
) -> None:
    first = _invoke(logout, [], base_env)
    second = _invoke(logout, [], base_env)

    assert first.return_value == second.return_value == 0
    assert not signed_in.exists()
    assert f"Signed out: removed {signed_in}" in first.stdout
    assert f"Not signed in: no token cache at {signed_in}" in second.stdout
    with pytest.raises(AuthError, match="no credentials found"):
        token_provider_from_env(base_env, GLOBAL)


def test_logout_honours_edusync_token_cache(base_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.json"
    path.write_text("{}")
    result = _invoke(logout, ["--help"], base_env)
    assert "edusync-reconcile logout" in result.stdout
    assert _invoke(logout, [], dict(base_env, EDUSYNC_TOKEN_CACHE=str(path))).return_value == 0
    assert not path.exists()
