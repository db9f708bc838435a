"""No token, assertion or secret reaches a log line or an error message, even at DEBUG."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reconciler.auth import token_provider_from_env
from reconciler.clouds import CLOUDS
from reconciler.commands.auth_cmd import login
from reconciler.errors import AuthError
from reconciler.logsetup import configure_logging, redact

GLOBAL = CLOUDS["global"]


def _secrets(entra: Any, *extra: str) -> list[str]:
    values = [
        entra.SECRET,
        entra.github_request_token,
        *entra.issued_access_tokens,
        *entra.issued_github_tokens,
        *entra.refresh_tokens,
        *extra,
    ]
    assert all(len(v) > 8 for v in values)
    return values


def _assert_absent(secrets: list[str], *texts: str) -> None:
    for text in texts:
        for secret in secrets:
            assert secret not in text


def test_every_credential_kind_at_debug_leaks_nothing(
    entra: Any,
    app_env: dict[str, str],
    base_env: dict[str, str],
    certificate_files: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = entra.apps[entra.CLIENT_ID]
    app.federated_subject = entra.GITHUB_SUBJECT
    app.certificate = certificate_files.certificate
    token_file = tmp_path / "federated"
    file_token = entra.federated_token()
    token_file.write_text(file_token)
    static = entra.jwt({"scp": "EduAdministration.ReadWrite", "upn": "a@b.c"})
    envs = [
        {"EDUSYNC_ACCESS_TOKEN": static},
        {
            "ACTIONS_ID_TOKEN_REQUEST_URL": entra.github_request_url,
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": entra.github_request_token,
        },
        {"AZURE_FEDERATED_TOKEN_FILE": str(token_file)},
        {"AZURE_CLIENT_SECRET": entra.SECRET},
        {
            "AZURE_CLIENT_CERTIFICATE_PATH": str(certificate_files.encrypted_pem),
            "AZURE_CLIENT_CERTIFICATE_PASSWORD": certificate_files.password,
        },
        {"AZURE_CLIENT_SECRET": "a-wrong-secret-value"},  # a failure, with Entra's error text
    ]
    errors: list[str] = []
    # Every logger (msal's included) at DEBUG, raw messages: not even a redacted form may appear.
    with caplog.at_level(logging.DEBUG):
        for extra in envs:
            try:
                provider = token_provider_from_env(dict(app_env, **extra), GLOBAL)
                provider.token()
                errors.append(repr(provider))
            except AuthError as exc:
                errors.append(str(exc))

    assert {"msal", "reconciler"} <= {r.name.split(".")[0] for r in caplog.records}
    secrets = _secrets(
        entra, static, file_token, certificate_files.password, "a-wrong-secret-value"
    )
    _assert_absent(secrets, caplog.text, *errors)
    assert any("AADSTS7000215" in e for e in errors)


def test_login_and_refresh_at_debug_leak_nothing(
    entra: Any, base_env: dict[str, str], capfd: pytest.CaptureFixture[str]
) -> None:
    entra.user_token_lifetime = 200  # so the provider refreshes once
    result = CliRunner().invoke(
        login, ["--client-id", entra.CLIENT_ID, "--debug"], env=base_env, standalone_mode=False
    )
    assert result.return_value == 0, result.exception
    entra.user_token_lifetime = 3600
    configure_logging("debug")  # the CLI's stderr logging, as `plan --debug` sets it up
    token = token_provider_from_env(base_env, GLOBAL).token()
    logging.getLogger("reconciler.graph").debug("GET /x Authorization: Bearer %s", token)

    captured = capfd.readouterr()
    secrets = _secrets(entra)
    _assert_absent(secrets, result.stdout, result.stderr, captured.out, captured.err)
    assert "DEBUG reconciler.graph: GET /x Authorization: (redacted)" in captured.err
    assert token in secrets


def test_registered_tokens_are_redacted_even_when_code_logs_them(
    entra: Any, app_env: dict[str, str]
) -> None:
    provider = token_provider_from_env(dict(app_env, AZURE_CLIENT_SECRET=entra.SECRET), GLOBAL)
    token = provider.token()
    opaque = "opaque-access-token-not-a-jwt"
    token_provider_from_env({"EDUSYNC_ACCESS_TOKEN": opaque}, GLOBAL)

    line = redact(f"token={token} secret {entra.SECRET} static {opaque}")
    _assert_absent([token, entra.SECRET, opaque], line)
