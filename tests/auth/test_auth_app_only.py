"""App-only credentials against the fake authority: secret, certificate, GitHub OIDC, token file."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from reconciler.auth import token_provider_from_env
from reconciler.auth.assertions import RefreshingAssertion, with_audience
from reconciler.auth.claims import jwt_claims
from reconciler.clouds import CLOUDS
from reconciler.errors import AuthError, ConfigError
from reconciler.identity import Permission

GLOBAL = CLOUDS["global"]
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _oidc_env(app_env: dict[str, str], entra: Any) -> dict[str, str]:
    return dict(
        app_env,
        ACTIONS_ID_TOKEN_REQUEST_URL=entra.github_request_url,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN=entra.github_request_token,
    )


def _federated_app(entra: Any) -> None:
    entra.apps[entra.CLIENT_ID].federated_subject = entra.GITHUB_SUBJECT


# ---------------------------------------------------------------- client secret


def test_client_secret_gets_an_app_only_token(entra: Any, app_env: dict[str, str]) -> None:
    provider = token_provider_from_env(dict(app_env, AZURE_CLIENT_SECRET=entra.SECRET), GLOBAL)
    token = provider.token()

    assert token == entra.issued_access_tokens[-1]
    assert jwt_claims(token)["roles"] == ["EduAdministration.Read.All"]  # type: ignore[index]
    identity = provider.identity
    assert identity.permission is Permission.APP_ONLY
    assert identity.credential == (
        f"client secret for app {entra.CLIENT_ID} in tenant {entra.TENANT}"
    )
    assert entra.SECRET not in identity.credential
    (call,) = entra.token_calls()
    assert call.path == f"/{entra.TENANT}/oauth2/v2.0/token"
    assert call.form["grant_type"] == "client_credentials"
    assert call.form["scope"] == "https://graph.microsoft.com/.default"


def test_wrong_secret_is_an_auth_error_and_nothing_else_is_tried(
    entra: Any, app_env: dict[str, str], jwt: Any, config_home: Path
) -> None:
    # A usable delegated cache is present too: the failing secret must not fall back to it.
    cache = config_home / "edusync-reconcile" / "token-cache.json"
    cache.parent.mkdir()
    cache.write_text("{}")
    env = dict(app_env, AZURE_CLIENT_SECRET="wrong-secret-value")
    provider = token_provider_from_env(env, GLOBAL)

    with pytest.raises(AuthError) as caught:
        provider.token()

    message = str(caught.value)
    assert "invalid_client" in message
    assert "AADSTS7000215" in message
    assert "Correlation ID" in message  # Entra's own trace, for support
    assert "Secret ID" in message  # the hint
    assert "wrong-secret-value" not in message
    assert len(entra.token_calls()) == 1
    assert entra.token_calls("refresh_token") == []


def test_unreachable_authority_is_an_auth_error(app_env: dict[str, str], entra: Any) -> None:
    env = dict(
        app_env, AZURE_CLIENT_SECRET=entra.SECRET, AZURE_AUTHORITY_HOST="https://127.0.0.1:9"
    )
    provider = token_provider_from_env(env, GLOBAL)
    with pytest.raises(
        AuthError, match=r"request to the login authority https://127\.0\.0\.1:9/\S+ failed"
    ):
        provider.token()


def test_unknown_tenant_is_an_auth_error(entra: Any, app_env: dict[str, str]) -> None:
    env = dict(app_env, AZURE_CLIENT_SECRET=entra.SECRET, AZURE_CLIENT_ID="not-registered")
    with pytest.raises(AuthError, match="AADSTS700016"):
        token_provider_from_env(env, GLOBAL).token()


def test_http_authority_host_is_rejected(app_env: dict[str, str], entra: Any) -> None:
    env = dict(app_env, AZURE_CLIENT_SECRET=entra.SECRET, AZURE_AUTHORITY_HOST="http://x")
    with pytest.raises(ConfigError, match="https://"):
        token_provider_from_env(env, GLOBAL)


# ---------------------------------------------------------------- one token per run


def test_one_token_per_run_even_from_many_threads(entra: Any, app_env: dict[str, str]) -> None:
    provider = token_provider_from_env(dict(app_env, AZURE_CLIENT_SECRET=entra.SECRET), GLOBAL)
    tokens: list[str] = []

    def use() -> None:
        for _ in range(10):
            tokens.append(provider.token())

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(tokens)) == 1 and len(tokens) == 80
    assert len(entra.token_calls()) == 1
    openid = [c for c in entra.calls if c.path.endswith("openid-configuration")]
    assert len(openid) == 1  # msal's metadata request, once per provider


def test_token_is_refreshed_five_minutes_before_expiry(entra: Any, app_env: dict[str, str]) -> None:
    entra.app_token_lifetime = 301  # usable for one more second, then inside the 5-min margin
    provider = token_provider_from_env(dict(app_env, AZURE_CLIENT_SECRET=entra.SECRET), GLOBAL)

    first = provider.token()
    assert provider.token() == first
    assert len(entra.token_calls()) == 1
    time.sleep(1.2)
    second = provider.token()

    assert second != first
    assert len(entra.token_calls()) == 2


# ---------------------------------------------------------------- certificate


@pytest.mark.parametrize("kind", ["pem", "encrypted_pem", "pfx"])
def test_certificate_credential_signs_an_assertion(
    entra: Any, app_env: dict[str, str], certificate_files: Any, kind: str
) -> None:
    entra.apps[entra.CLIENT_ID].secret = None
    entra.apps[entra.CLIENT_ID].certificate = certificate_files.certificate
    env = dict(app_env, AZURE_CLIENT_CERTIFICATE_PATH=str(getattr(certificate_files, kind)))
    if kind != "pem":
        env["AZURE_CLIENT_CERTIFICATE_PASSWORD"] = certificate_files.password

    provider = token_provider_from_env(env, GLOBAL)
    provider.token()

    assert provider.identity.credential == (
        f"certificate {certificate_files.thumbprint} for app {entra.CLIENT_ID} "
        f"in tenant {entra.TENANT}"
    )
    (call,) = entra.token_calls()
    # The fake verified the signature with the certificate's key and the x5t thumbprint.
    assert call.form["client_assertion_type"] == JWT_BEARER
    assert "client_secret" not in call.form


def test_certificate_with_wrong_password_is_an_auth_error(
    entra: Any, app_env: dict[str, str], certificate_files: Any
) -> None:
    env = dict(
        app_env,
        AZURE_CLIENT_CERTIFICATE_PATH=str(certificate_files.encrypted_pem),
        AZURE_CLIENT_CERTIFICATE_PASSWORD="not-the-password",
    )
    with pytest.raises(AuthError, match="cannot read the private key") as caught:
        token_provider_from_env(env, GLOBAL)
    assert "not-the-password" not in str(caught.value)
    assert entra.calls == []


def test_encrypted_certificate_without_password_says_so(
    entra: Any, app_env: dict[str, str], certificate_files: Any
) -> None:
    env = dict(app_env, AZURE_CLIENT_CERTIFICATE_PATH=str(certificate_files.encrypted_pem))
    with pytest.raises(AuthError, match="set AZURE_CLIENT_CERTIFICATE_PASSWORD"):
        token_provider_from_env(env, GLOBAL)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        (b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", "private key"),
        (b"not a pfx", "cannot read"),
    ],
)
def test_unusable_certificate_file_is_an_auth_error(
    entra: Any, app_env: dict[str, str], tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "cert.pem"
    if content is not None:
        path.write_bytes(content)
    env = dict(app_env, AZURE_CLIENT_CERTIFICATE_PATH=str(path))
    with pytest.raises(AuthError, match=message):
        token_provider_from_env(env, GLOBAL)


def test_certificate_not_uploaded_to_the_app_is_refused_with_a_hint(
    entra: Any, app_env: dict[str, str], certificate_files: Any
) -> None:
    env = dict(app_env, AZURE_CLIENT_CERTIFICATE_PATH=str(certificate_files.pem))
    with pytest.raises(AuthError, match=f"certificate {certificate_files.thumbprint} is uploaded"):
        token_provider_from_env(env, GLOBAL).token()


# ---------------------------------------------------------------- GitHub OIDC


def test_github_oidc_exchanges_the_actions_id_token(entra: Any, app_env: dict[str, str]) -> None:
    _federated_app(entra)
    provider = token_provider_from_env(_oidc_env(app_env, entra), GLOBAL)

    provider.token()

    assert provider.identity.permission is Permission.APP_ONLY
    assert provider.identity.credential == (
        f"GitHub OIDC federated credential for app {entra.CLIENT_ID} in tenant {entra.TENANT}"
    )
    (github,) = entra.github_calls()
    assert github.query == {"api-version": "2.0", "audience": "api://AzureADTokenExchange"}
    assert github.headers["authorization"] == f"Bearer {entra.github_request_token}"
    (call,) = entra.token_calls()
    assert call.form["client_assertion_type"] == JWT_BEARER
    assert call.form["client_assertion"] == entra.issued_github_tokens[0]


def test_github_id_token_is_reused_until_it_nears_expiry(
    entra: Any, app_env: dict[str, str]
) -> None:
    _federated_app(entra)
    entra.app_token_lifetime = 120  # inside msal's 5-minute margin: every call asks again
    provider = token_provider_from_env(_oidc_env(app_env, entra), GLOBAL)
    provider.token()
    provider.token()
    assert len(entra.token_calls()) == 2
    assert len(entra.github_calls()) == 1  # the 10-minute GitHub token was still good

    entra.github_token_lifetime = 30  # less than the 60 s margin: fetched anew each time
    provider = token_provider_from_env(_oidc_env(app_env, entra), GLOBAL)
    provider.token()
    provider.token()
    assert len(entra.github_calls()) == 3


def test_refreshing_assertion_follows_the_exp_claim(jwt: Any) -> None:
    now = [1000.0]
    issued: list[str] = []

    def fetch() -> str:
        issued.append(jwt({"exp": 1000 + 300, "n": len(issued)}))
        return issued[-1]

    assertion = RefreshingAssertion(fetch, clock=lambda: now[0])
    assert assertion() == assertion() == issued[0]
    now[0] = 1000 + 300 - 61
    assert assertion() == issued[0]
    now[0] = 1000 + 300 - 60
    assert assertion() == issued[1]


def test_github_oidc_without_id_token_permission_is_an_auth_error(
    entra: Any, app_env: dict[str, str]
) -> None:
    _federated_app(entra)
    env = dict(_oidc_env(app_env, entra), ACTIONS_ID_TOKEN_REQUEST_TOKEN="not-the-request-token")
    with pytest.raises(AuthError, match="id-token: write") as caught:
        token_provider_from_env(env, GLOBAL).token()
    assert "not-the-request-token" not in str(caught.value)
    assert entra.token_calls() == []


def test_github_subject_mismatch_names_the_subject(entra: Any, app_env: dict[str, str]) -> None:
    entra.apps[entra.CLIENT_ID].federated_subject = "repo:contoso/sds-config:pull_request"
    with pytest.raises(AuthError) as caught:
        token_provider_from_env(_oidc_env(app_env, entra), GLOBAL).token()
    message = str(caught.value)
    assert f"subject {entra.GITHUB_SUBJECT}" in message
    assert "issuer https://token.actions.githubusercontent.com" in message
    assert entra.issued_github_tokens[0] not in message


@pytest.mark.parametrize(
    "response",
    [(200, {"count": 0}), (200, {"value": ""}), (500, {"message": "runtime down"})],
)
def test_unusable_github_answer_is_an_auth_error(
    entra: Any, app_env: dict[str, str], response: tuple[int, dict[str, Any]]
) -> None:
    _federated_app(entra)
    entra.github_override = response
    with pytest.raises(AuthError, match="GitHub OIDC"):
        token_provider_from_env(_oidc_env(app_env, entra), GLOBAL).token()
    assert entra.token_calls() == []
    # A transient 5xx from the Actions runtime is retried (twice) before giving up.
    assert len(entra.github_calls()) == (3 if response[0] == 500 else 1)


def test_unreachable_github_endpoint_is_an_auth_error(entra: Any, app_env: dict[str, str]) -> None:
    env = dict(
        _oidc_env(app_env, entra),
        ACTIONS_ID_TOKEN_REQUEST_URL="https://127.0.0.1:9/idtoken?api-version=2.0",
    )
    with pytest.raises(AuthError, match="GitHub OIDC: cannot reach ACTIONS_ID_TOKEN_REQUEST_URL"):
        token_provider_from_env(env, GLOBAL).token()


def test_an_injected_http_client_carries_every_request(
    entra: Any, app_env: dict[str, str], tls: Any
) -> None:
    import requests

    seen: list[str] = []
    session = requests.Session()
    session.verify = str(tls.ca_file)
    session.hooks["response"].append(lambda response, **_: seen.append(response.url))
    _federated_app(entra)

    provider = token_provider_from_env(_oidc_env(app_env, entra), GLOBAL, http_client=session)
    provider.token()

    assert [url.split("?")[0].rsplit("/", 1)[-1] for url in seen] == [
        "openid-configuration",
        "idtoken",
        "token",
    ]


@pytest.mark.parametrize(
    ("url", "expected_query"),
    [
        (
            "https://x/token?api-version=2.0",
            "api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange",
        ),
        ("https://x/token", "audience=api%3A%2F%2FAzureADTokenExchange"),
        ("https://x/token?audience=old&a=1", "a=1&audience=api%3A%2F%2FAzureADTokenExchange"),
    ],
)
def test_audience_is_appended_properly(url: str, expected_query: str) -> None:
    assert with_audience(url) == f"https://x/token?{expected_query}"


# ---------------------------------------------------------------- federated token file


def test_federated_token_file_is_read_for_every_token_request(
    entra: Any, app_env: dict[str, str], tmp_path: Path
) -> None:
    _federated_app(entra)
    entra.app_token_lifetime = 120  # every provider.token() goes to the authority
    token_file = tmp_path / "azure-identity-token"
    first = entra.federated_token()
    token_file.write_text(first + "\n")
    provider = token_provider_from_env(
        dict(app_env, AZURE_FEDERATED_TOKEN_FILE=str(token_file)), GLOBAL
    )

    provider.token()
    second = entra.federated_token()
    token_file.write_text(second)  # the platform rotated the file
    provider.token()

    assert [c.form["client_assertion"] for c in entra.token_calls()] == [first, second]
    assert provider.identity.credential.startswith(f"federated token file {token_file} for app")


def test_missing_or_empty_federated_token_file_is_an_auth_error(
    entra: Any, app_env: dict[str, str], tmp_path: Path
) -> None:
    _federated_app(entra)
    token_file = tmp_path / "token"
    env = dict(app_env, AZURE_FEDERATED_TOKEN_FILE=str(token_file))
    with pytest.raises(AuthError, match="cannot read"):
        token_provider_from_env(env, GLOBAL).token()
    token_file.write_text("  \n")
    with pytest.raises(AuthError, match="is empty"):
        token_provider_from_env(env, GLOBAL).token()
    assert entra.token_calls() == []


# ---------------------------------------------------------------- clouds


@pytest.mark.parametrize("cloud", list(CLOUDS))
def test_app_scope_follows_the_cloud(
    entra: Any, app_env: dict[str, str], cloud: str, caplog: pytest.LogCaptureFixture
) -> None:
    env = dict(
        app_env,
        AZURE_CLIENT_SECRET=entra.SECRET,
        # --graph-url pointing elsewhere must not change the scope
        EDUSYNC_GRAPH_URL="http://127.0.0.1:1/beta",
    )
    with caplog.at_level(logging.WARNING, logger="reconciler.auth"):
        token_provider_from_env(env, CLOUDS[cloud]).token()

    (call,) = entra.token_calls()
    assert call.form["scope"] == f"{CLOUDS[cloud].graph_host}/.default"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    if cloud == "global":
        assert warnings == []
    else:
        assert any("global cloud only" in w for w in warnings)


def test_authority_host_defaults_to_the_cloud(app_env: dict[str, str], entra: Any) -> None:
    from reconciler.auth.authority import authority_for

    assert authority_for({}, CLOUDS["usgov"], "t").url == "https://login.microsoftonline.us/t"
    assert authority_for({}, CLOUDS["china"], "t").host == "https://login.chinacloudapi.cn"
    custom = authority_for({"AZURE_AUTHORITY_HOST": "login.example.test/"}, GLOBAL, "t")
    assert custom.url == "https://login.example.test/t" and custom.custom
