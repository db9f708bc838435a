"""A fake Entra ID authority and GitHub Actions OIDC endpoint, served over HTTPS on 127.0.0.1.

msal talks to it exactly as to login.microsoftonline.com (AZURE_AUTHORITY_HOST points here and
REQUESTS_CA_BUNDLE trusts a throwaway CA), so the tests exercise msal's real HTTP path. Every
request is recorded so tests can count token requests and inspect what was sent.

Everything lives here (not in a helper module) because the suite runs with
--import-mode=importlib, where test modules cannot import their neighbours; tests reach the
fakes through fixtures.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import logging
import re
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt as pyjwt  # PyJWT, installed with msal: verifies certificate-signed assertions
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
AUDIENCE = "api://AzureADTokenExchange"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
GITHUB_SUBJECT = "repo:contoso/sds-config:environment:production"
TENANT_GUID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
USER = "admin@contoso.edu"
CLIENT_ID = "11111111-2222-3333-4444-555555555555"
TENANT = "contoso.onmicrosoft.com"
SECRET = "s3cr3t~value.that-must-never-be-logged"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_jwt(claims: dict[str, Any], header: dict[str, Any] | None = None) -> str:
    """A JWT-shaped token (not signed: only our fake and our claim reader look inside)."""
    head = header or {"alg": "RS256", "typ": "JWT", "kid": "fake"}
    parts = [json.dumps(head).encode(), json.dumps(claims).encode(), uuid.uuid4().bytes * 8]
    return ".".join(b64url(p) for p in parts)


# ---------------------------------------------------------------- certificates


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_cert(
    key: rsa.RSAPrivateKey,
    cn: str,
    issuer_key: rsa.RSAPrivateKey | None = None,
    issuer_cn: str | None = None,
    *,
    ca: bool = False,
    san_ip: bool = False,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(issuer_cn or cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if san_ip:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
    return builder.sign(issuer_key or key, hashes.SHA256())


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key: rsa.RSAPrivateKey, password: bytes | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def sha1_thumbprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA1()).hex().upper()


@dataclass(frozen=True)
class Tls:
    ca_file: Path
    server_context: ssl.SSLContext


def make_tls(directory: Path) -> Tls:
    ca_key, server_key = new_key(), new_key()
    ca = make_cert(ca_key, "edusync test CA", ca=True)
    server = make_cert(server_key, "127.0.0.1", ca_key, "edusync test CA", san_ip=True)
    (directory / "ca.pem").write_bytes(pem(ca))
    (directory / "server.pem").write_bytes(pem(server) + key_pem(server_key))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory / "server.pem")
    return Tls(directory / "ca.pem", context)


# ---------------------------------------------------------------- the fake authority


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]


@dataclass
class AppRegistration:
    client_id: str
    secret: str | None = None
    certificate: x509.Certificate | None = None
    federated_subject: str | None = None  # GitHub OIDC / token file subject accepted
    public_client: bool = False
    consented: bool = True  # admin consent for the delegated permission


@dataclass
class FakeEntra:
    # Names tests need (test modules cannot import this file under --import-mode=importlib).
    CLIENT_ID = CLIENT_ID
    TENANT = TENANT
    SECRET = SECRET
    USER = USER
    GITHUB_SUBJECT = GITHUB_SUBJECT
    jwt = staticmethod(make_jwt)

    base_url: str = ""
    apps: dict[str, AppRegistration] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    app_token_lifetime: int = 3600
    user_token_lifetime: int = 3600
    device_pending_polls: int = 0
    github_request_token: str = "ghs_request_token_0123456789abcdef"
    github_token_lifetime: int = 600
    github_override: tuple[int, dict[str, Any]] | None = None  # a broken Actions runtime
    issued_access_tokens: list[str] = field(default_factory=list)
    issued_github_tokens: list[str] = field(default_factory=list)
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # token -> client id
    _device_codes: dict[str, list[Any]] = field(default_factory=dict)  # [pending polls, scope]
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- what tests look at

    def token_calls(self, grant_type: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.path.endswith("/oauth2/v2.0/token")
            and (grant_type is None or c.form.get("grant_type") == grant_type)
        ]

    def github_calls(self) -> list[Call]:
        return [c for c in self.calls if c.path == "/github/idtoken"]

    @property
    def github_request_url(self) -> str:
        return f"{self.base_url}/github/idtoken?api-version=2.0"

    def federated_token(self, subject: str = GITHUB_SUBJECT, lifetime: int = 600) -> str:
        """A workload-identity token as a platform would project into a file."""
        now = int(time.time())
        return make_jwt(
            {
                "iss": "https://oidc.example.test",
                "sub": subject,
                "aud": AUDIENCE,
                "iat": now,
                "exp": now + lifetime,
            }
        )

    # -- request handling

    def handle(self, call: Call) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.calls.append(call)
        parts = call.path.strip("/").split("/")
        if call.path == "/github/idtoken":
            return self._github(call)
        if call.method == "GET" and parts[1:] == ["v2.0", ".well-known", "openid-configuration"]:
            return 200, self._openid_configuration(parts[0])
        if call.method == "POST" and parts[1:] == ["oauth2", "v2.0", "devicecode"]:
            return self._devicecode(call)
        if call.method == "POST" and parts[1:] == ["oauth2", "v2.0", "token"]:
            return self._token(parts[0], call)
        return 404, {"error": "not_found", "error_description": call.path}

    def _openid_configuration(self, tenant: str) -> dict[str, Any]:
        base = f"{self.base_url}/{tenant}"
        return {
            "issuer": f"{self.base_url}/{TENANT_GUID}/v2.0",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
        }

    def _github(self, call: Call) -> tuple[int, dict[str, Any]]:
        if self.github_override is not None:
            return self.github_override
        if call.headers.get("authorization") != f"Bearer {self.github_request_token}":
            return 401, {"message": "bad request token"}
        if call.query.get("audience") != AUDIENCE or call.query.get("api-version") != "2.0":
            return 400, {"message": f"bad query {call.query}"}
        now = int(time.time())
        token = make_jwt(
            {
                "iss": GITHUB_ISSUER,
                "sub": GITHUB_SUBJECT,
                "aud": AUDIENCE,
                "iat": now,
                "exp": now + self.github_token_lifetime,
            }
        )
        self.issued_github_tokens.append(token)
        return 200, {"value": token, "count": 1}

    def _devicecode(self, call: Call) -> tuple[int, dict[str, Any]]:
        app = self.apps.get(call.form.get("client_id", ""))
        if app is None or not app.public_client:
            return 400, _error(
                "invalid_client",
                "AADSTS7000218: The request body must contain the following parameter: "
                "'client_assertion' or 'client_secret'.",
            )
        code = f"dc-{uuid.uuid4()}"
        self._device_codes[code] = [self.device_pending_polls, call.form.get("scope", "")]
        return 200, {
            "device_code": code,
            "user_code": "FAKE-CODE",
            "verification_uri": "https://microsoft.com/devicelogin",
            "expires_in": 900,
            "interval": 1,
            "message": "To sign in, use a web browser to open the page "
            "https://microsoft.com/devicelogin and enter the code FAKE-CODE to authenticate.",
        }

    def _token(self, tenant: str, call: Call) -> tuple[int, dict[str, Any]]:
        grant = call.form.get("grant_type")
        if grant == "client_credentials":
            return self._client_credentials(tenant, call)
        if grant == DEVICE_GRANT:
            return self._device_grant(tenant, call)
        if grant == "refresh_token":
            return self._refresh(tenant, call)
        return 400, _error("unsupported_grant_type", f"AADSTS70003: {grant}")

    def _client_credentials(self, tenant: str, call: Call) -> tuple[int, dict[str, Any]]:
        app = self.apps.get(call.form.get("client_id", ""))
        if app is None:
            return 400, _error("unauthorized_client", "AADSTS700016: Application not found.")
        if not self._authenticated(app, tenant, call):
            return 401, _error("invalid_client", "AADSTS7000215: Invalid client secret provided.")
        scope = call.form.get("scope", "")
        if not scope.endswith("/.default"):
            return 400, _error("invalid_scope", f"AADSTS1002012: {scope}")
        now = int(time.time())
        token = make_jwt(
            {
                "aud": scope.removesuffix("/.default"),
                "appid": app.client_id,
                "tid": tenant,
                "roles": ["EduAdministration.Read.All"],
                "iat": now,
                "exp": now + self.app_token_lifetime,
            }
        )
        self.issued_access_tokens.append(token)
        return 200, {
            "token_type": "Bearer",
            "expires_in": self.app_token_lifetime,
            "ext_expires_in": self.app_token_lifetime,
            "access_token": token,
        }

    def _authenticated(self, app: AppRegistration, tenant: str, call: Call) -> bool:
        form = call.form
        if "client_secret" in form or call.headers.get("authorization", "").startswith("Basic"):
            return app.secret is not None and form.get("client_secret") == app.secret
        if form.get("client_assertion_type") != JWT_BEARER:
            return False
        assertion = form.get("client_assertion", "")
        if app.federated_subject is not None and self._federated_ok(app, assertion):
            return True
        return app.certificate is not None and self._signed_by_certificate(app, tenant, assertion)

    def _federated_ok(self, app: AppRegistration, assertion: str) -> bool:
        claims = pyjwt.decode(assertion, options={"verify_signature": False})
        from_github = assertion in self.issued_github_tokens
        return (
            (from_github or claims.get("iss") == "https://oidc.example.test")
            and claims.get("sub") == app.federated_subject
            and claims.get("aud") == AUDIENCE
            and claims.get("exp", 0) > time.time()
        )

    def _signed_by_certificate(self, app: AppRegistration, tenant: str, assertion: str) -> bool:
        assert app.certificate is not None
        header = pyjwt.get_unverified_header(assertion)
        expected_x5t = b64url(bytes.fromhex(sha1_thumbprint(app.certificate)))
        if str(header.get("x5t", "")).rstrip("=") != expected_x5t:  # msal pads it
            return False
        try:
            claims = pyjwt.decode(
                assertion,
                app.certificate.public_key(),  # type: ignore[arg-type]
                algorithms=["RS256", "PS256"],
                audience=f"{self.base_url}/{tenant}/oauth2/v2.0/token",
            )
        except pyjwt.PyJWTError:
            return False
        return bool(claims.get("iss") == claims.get("sub") == app.client_id)

    def _device_grant(self, tenant: str, call: Call) -> tuple[int, dict[str, Any]]:
        code = call.form.get("device_code", "")
        if code not in self._device_codes:
            return 400, _error("expired_token", "AADSTS70019: device code expired")
        pending, scope = self._device_codes[code]
        if pending > 0:
            self._device_codes[code][0] -= 1
            return 400, _error("authorization_pending", "AADSTS70016: pending")
        del self._device_codes[code]
        if not self.apps[call.form["client_id"]].consented:
            return 400, _error(
                "invalid_grant",
                "AADSTS65001: The user or administrator has not consented to use the application.",
            )
        return 200, self._user_tokens(tenant, call, scope)

    def _refresh(self, tenant: str, call: Call) -> tuple[int, dict[str, Any]]:
        token = call.form.get("refresh_token", "")
        if self.refresh_tokens.get(token) != call.form.get("client_id"):
            return 400, _error(
                "invalid_grant",
                "AADSTS700082: The refresh token has expired due to inactivity.",
            )
        return 200, self._user_tokens(tenant, call, call.form.get("scope", ""))

    def _user_tokens(self, tenant: str, call: Call, scope: str) -> dict[str, Any]:
        # Like Entra: the granted scopes come back without the OIDC ones.
        client_id = call.form["client_id"]
        scopes = [s for s in scope.split() if s not in {"openid", "profile", "offline_access"}]
        resource = scopes[0].rsplit("/", 1)[0] if scopes else "https://graph.microsoft.com"
        now = int(time.time())
        oid = "00000000-0000-0000-0000-00000000a11c"
        access = make_jwt(
            {
                "aud": resource,
                "scp": "EduAdministration.ReadWrite",
                "upn": USER,
                "tid": TENANT_GUID,
                "iat": now,
                "exp": now + self.user_token_lifetime,
            }
        )
        refresh = f"rt-{uuid.uuid4()}"
        self.refresh_tokens[refresh] = client_id
        self.issued_access_tokens.append(access)
        id_token = make_jwt(
            {
                "iss": f"{self.base_url}/{TENANT_GUID}/v2.0",
                "sub": "subject-a11c",
                "aud": client_id,
                "oid": oid,
                "tid": TENANT_GUID,
                "preferred_username": USER,
                "name": "Ada Admin",
                "iat": now,
                "exp": now + 3600,
            }
        )
        return {
            "token_type": "Bearer",
            "scope": " ".join(scopes),
            "expires_in": self.user_token_lifetime,
            "ext_expires_in": self.user_token_lifetime,
            "access_token": access,
            "refresh_token": refresh,
            "id_token": id_token,
            "client_info": b64url(json.dumps({"uid": oid, "utid": TENANT_GUID}).encode()),
        }


def _error(error: str, description: str) -> dict[str, Any]:
    correlation = str(uuid.uuid4())
    return {
        "error": error,
        "error_description": f"{description}\r\nTrace ID: {uuid.uuid4()}\r\n"
        f"Correlation ID: {correlation}\r\nTimestamp: 2025-01-01 00:00:00Z",
        "error_codes": [int(code) for code in re.findall(r"AADSTS(\d+)", description)],
        "correlation_id": correlation,
    }


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        call = Call(
            method=method,
            path=url.path,
            query={k: v[0] for k, v in parse_qs(url.query).items()},
            form={k: v[0] for k, v in parse_qs(body).items()},
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        status, payload = self.server.fake.handle(call)
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeEntra


def serve(tls: Tls) -> tuple[FakeEntra, _Server]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.socket = tls.server_context.wrap_socket(server.socket, server_side=True)
    fake = FakeEntra(base_url=f"https://127.0.0.1:{server.server_address[1]}")
    server.fake = fake
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return fake, server


# ---------------------------------------------------------------- fixtures

_PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    return make_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def entra(tls: Tls, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEntra]:
    """The fake authority, trusted by requests through REQUESTS_CA_BUNDLE."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls.ca_file))
    for name in _PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    fake, server = serve(tls)
    fake.apps[CLIENT_ID] = AppRegistration(CLIENT_ID, secret=SECRET, public_client=True)
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def config_home(tmp_path: Path) -> Path:
    """A private config dir, so no test ever sees the real user's token cache."""
    path = tmp_path / "config"
    path.mkdir()
    return path


@pytest.fixture
def base_env(entra: FakeEntra, config_home: Path) -> dict[str, str]:
    """What every test environment has: the fake authority and an empty config dir."""
    return {"AZURE_AUTHORITY_HOST": entra.base_url, "XDG_CONFIG_HOME": str(config_home)}


@pytest.fixture(autouse=True)
def _no_ambient_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The CLI commands read os.environ: a developer's own AZURE_*/EDUSYNC_* settings or token
    # cache must neither change a test's outcome nor be touched by it.
    import os

    for name in list(os.environ):
        if name.startswith(("AZURE_", "EDUSYNC_", "ACTIONS_ID_TOKEN_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "ambient-config"))


@pytest.fixture(autouse=True)
def _restore_reconciler_logger() -> Iterator[None]:
    # The CLI's logging setup detaches the `reconciler` logger from the root (propagate=False);
    # put it back so caplog sees records in later tests.
    logger = logging.getLogger("reconciler")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved


@pytest.fixture
def app_env(base_env: dict[str, str]) -> dict[str, str]:
    """base_env plus the app registration's tenant and client id (no credential yet)."""
    return dict(base_env, AZURE_TENANT_ID=TENANT, AZURE_CLIENT_ID=CLIENT_ID)


@pytest.fixture
def jwt() -> Callable[[dict[str, Any]], str]:
    return make_jwt


@dataclass(frozen=True)
class CertificateFiles:
    pem: Path  # certificate + unencrypted key
    encrypted_pem: Path  # certificate + key encrypted with `password`
    pfx: Path
    password: str
    thumbprint: str
    certificate: x509.Certificate


@pytest.fixture(scope="session")
def certificate_files(tmp_path_factory: pytest.TempPathFactory) -> CertificateFiles:
    from cryptography.hazmat.primitives.serialization import pkcs12

    directory = tmp_path_factory.mktemp("cert")
    key = new_key()
    cert = make_cert(key, "edusync-reconcile")
    password = "pfx-and-pem-passw0rd"
    files = CertificateFiles(
        pem=directory / "client.pem",
        encrypted_pem=directory / "client-encrypted.pem",
        pfx=directory / "client.pfx",
        password=password,
        thumbprint=sha1_thumbprint(cert),
        certificate=cert,
    )
    files.pem.write_bytes(pem(cert) + key_pem(key))
    files.encrypted_pem.write_bytes(key_pem(key, password.encode()) + pem(cert))
    files.pfx.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"client", key, cert, None, serialization.BestAvailableEncryption(password.encode())
        )
    )
    return files


@pytest.fixture
def signed_in(entra: FakeEntra, base_env: dict[str, str]) -> Path:
    """A token cache written by a device-code sign-in, as `login` leaves it."""
    from reconciler.auth import cache_path, device_code_login
    from reconciler.clouds import CLOUDS

    path = cache_path(base_env)
    device_code_login(
        base_env,
        CLOUDS["global"],
        client_id=CLIENT_ID,
        tenant="organizations",
        path=path,
        show=lambda _message: None,
    )
    entra.calls.clear()
    return path
