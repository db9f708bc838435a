"""Connection failures in plain words, against real loopback sockets: a closed port, a plain-HTTP
server addressed with https://, a TLS server with an untrusted certificate, a dead proxy; and
the hints on 401, 403 and a Graph URL without its version."""

from __future__ import annotations

import base64
import datetime as dt
import http.server
import ipaddress
import json
import logging
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

from reconciler.emulator import Emulator
from reconciler.errors import GraphError
from reconciler.graph import GraphClient
from reconciler.graph.failures import describe_no_response
from reconciler.graph.retry import GraphRetry, read_retry, write_retry
from reconciler.identity import Identity, Permission, StaticTokenProvider

COLLECTION = "education/synchronizationProfiles"
STATIC = Identity(Permission.UNKNOWN, "static token (EDUSYNC_ACCESS_TOKEN)")


@pytest.fixture(autouse=True)
def _restore_reconciler_logger() -> Iterator[None]:
    # The CLI's logging setup detaches the `reconciler` logger (propagate=False); put it back.
    logger = logging.getLogger("reconciler")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved


def tokens(token: str = "t", identity: Identity = STATIC) -> StaticTokenProvider:
    return StaticTokenProvider(token, identity)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Quiet(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def plain_http_server() -> Iterator[int]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[int]:
    cert_file, key_file = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server = http.server.HTTPServer(("127.0.0.1", 0), _Quiet)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def failure(url: str, **client_args: object) -> GraphError:
    client = GraphClient(url, tokens(), **client_args)  # type: ignore[arg-type]
    try:
        with pytest.raises(GraphError) as info:
            client.list(COLLECTION)
    finally:
        client.close()
    return info.value


def test_refused_connection_is_plain_and_tried_only_three_times(caplog) -> None:
    port = closed_port()
    with caplog.at_level(logging.INFO, logger="reconciler.graph"):
        error = failure(f"http://127.0.0.1:{port}/beta")  # the default (slow) backoff policy
    message = str(error)
    assert f"cannot connect to 127.0.0.1 port {port}: connection refused" in message
    assert "is the emulator running" in message and "--graph-url" in message
    assert "HTTPConnectionPool" not in message and "NewConnectionError" not in message
    retries = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retries) == 2, retries
    assert retries[-1].endswith("(attempt 3 of 3)")


def test_refused_write_is_not_an_unknown_outcome() -> None:
    client = GraphClient(f"http://127.0.0.1:{closed_port()}/beta", tokens())
    with pytest.raises(GraphError) as info:
        client.write("POST", COLLECTION, {"displayName": "x"})
    client.close()
    assert type(info.value) is GraphError  # never sent: not WriteOutcomeUnknown
    assert "connection refused" in str(info.value)


def test_https_to_a_plain_http_server_says_use_http(plain_http_server: int) -> None:
    message = str(failure(f"https://127.0.0.1:{plain_http_server}/beta"))
    assert "TLS handshake failed" in message
    assert f"the server at 127.0.0.1 port {plain_http_server} does not speak HTTPS" in message
    assert f"(--graph-url http://127.0.0.1:{plain_http_server}/beta)" in message
    assert "WRONG_VERSION_NUMBER" not in message and "SSLError" not in message


def test_untrusted_certificate_names_requests_ca_bundle(tls_server: int) -> None:
    message = str(failure(f"https://127.0.0.1:{tls_server}/beta"))
    assert f"cannot verify the TLS certificate of 127.0.0.1 port {tls_server}" in message
    assert "self-signed certificate" in message
    assert "REQUESTS_CA_BUNDLE" in message


def test_plain_http_to_a_tls_server_suggests_https(tls_server: int) -> None:
    message = str(
        failure(f"http://127.0.0.1:{tls_server}/beta", reads=read_retry(backoff_factor=0.01))
    )
    assert "closed the connection without an answer" in message
    assert "use https://" in message


def test_dead_proxy_is_named(monkeypatch, plain_http_server: int) -> None:
    proxy_port = closed_port()
    monkeypatch.setenv("HTTP_PROXY", f"http://user:hunter2@127.0.0.1:{proxy_port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    message = str(failure(f"http://127.0.0.1:{plain_http_server}/beta"))
    assert f"cannot connect through the proxy 127.0.0.1:{proxy_port} (connection refused)" in (
        message
    )
    assert "HTTPS_PROXY" in message and "hunter2" not in message


def _wrapped(reason: Exception, wrapper: type[requests.RequestException]) -> Exception:
    return wrapper(MaxRetryError(None, "/beta", reason))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("exc", "code", "fragment"),
    [
        (
            _wrapped(
                NameResolutionError("graph.contoso", None, socket.gaierror(-2, "Name unknown")),  # type: ignore[arg-type]
                requests.ConnectionError,
            ),
            "HostNotFound",
            "cannot find the host 'graph.example.edu' (DNS lookup failed)",
        ),
        (
            _wrapped(
                NewConnectionError(None, "Failed: [Errno 101] Network is unreachable"),  # type: ignore[arg-type]
                requests.ConnectionError,
            ),
            "ConnectionFailed",
            "cannot connect to graph.example.edu port 443",
        ),
        (
            requests.ConnectTimeout("connect timed out"),
            "ConnectTimeout",
            "no answer from graph.example.edu port 443 within 10 s while connecting",
        ),
        (
            requests.ReadTimeout("Read timed out. (read timeout=60)"),
            "ReadTimeout",
            "sent no answer within 60 s",
        ),
    ],
    ids=["dns", "other connect failure", "connect timeout", "read timeout"],
)
def test_no_response_classes(exc: Exception, code: str, fragment: str) -> None:
    described = describe_no_response(
        exc, "https://graph.example.edu/beta/x", connect_timeout=10, read_timeout=60
    )
    assert described.code == code
    assert fragment in described.message


def test_network_unreachable_by_errno() -> None:
    inner = NewConnectionError(None, "Failed to establish a new connection")  # type: ignore[arg-type]
    inner.__cause__ = OSError(101, "Network is unreachable")
    described = describe_no_response(
        _wrapped(inner, requests.ConnectionError),
        "https://graph.example.edu/beta",
        connect_timeout=10,
        read_timeout=60,
    )
    assert described.code == "NetworkUnreachable" and described.never_sent


def test_refused_retries_are_bounded_and_quick_in_the_policy() -> None:
    for policy in (read_retry(), write_retry()):
        refused = NewConnectionError(None, "refused")  # type: ignore[arg-type]
        retry: GraphRetry = policy
        retry = retry.increment("GET", "/x", error=refused)  # type: ignore[assignment]
        retry = retry.increment("GET", "/x", error=refused)  # type: ignore[assignment]
        assert retry.get_backoff_time() <= 0.25
        with pytest.raises(MaxRetryError):
            retry.increment("GET", "/x", error=refused)


def test_connect_timeouts_keep_the_full_retry_budget() -> None:
    from urllib3.exceptions import ConnectTimeoutError

    retry: GraphRetry = read_retry()
    for _ in range(4):
        retry = retry.increment("GET", "/x", error=ConnectTimeoutError())  # type: ignore[assignment]
    assert not retry.is_exhausted()


# -- hints on Graph's answers ----------------------------------------------------------------


def test_401_with_a_static_token_names_the_variable() -> None:
    with Emulator(token="right") as emu:
        client = GraphClient(emu.base_url, tokens("wrong"))
        with pytest.raises(GraphError) as info:
            client.list(COLLECTION)
        client.close()
    message = str(info.value)
    assert "HTTP 401" in message and info.value.request_id in message
    assert "set it to the token the emulator was started with (its --token)" in message


def test_401_from_graph_with_a_static_token_says_it_expired() -> None:
    from reconciler.graph.hints import status_hint

    hint = status_hint(
        401, "GET", "https://graph.microsoft.com/beta/x", "https://graph.microsoft.com/beta", STATIC
    )
    assert hint is not None and "EDUSYNC_ACCESS_TOKEN" in hint and "expired" in hint
    assert "edusync-reconcile login" in hint


def test_401_with_a_delegated_sign_in_says_login_again() -> None:
    identity = Identity(Permission.DELEGATED, "delegated token cache")
    with Emulator(token="right") as emu:
        client = GraphClient(emu.base_url, tokens("wrong", identity))
        with pytest.raises(GraphError) as info:
            client.list(COLLECTION)
        client.close()
    assert "run `edusync-reconcile login` again" in str(info.value)


def test_403_names_the_permission_needed() -> None:
    claims = base64.urlsafe_b64encode(json.dumps({"roles": ["x"]}).encode()).decode().rstrip("=")
    app = Identity(Permission.APP_ONLY, "client secret for app 1234")
    with Emulator() as emu:
        client = GraphClient(emu.base_url, tokens(f"eyJhbGciOiJub25lIn0.{claims}.x", app))
        with pytest.raises(GraphError) as info:
            client.write("POST", COLLECTION, {"displayName": "x"})
        client.close()
    assert info.value.status == 403
    assert "EduAdministration.ReadWrite, delegated" in str(info.value)


def test_graph_url_without_version_gets_a_hint() -> None:
    with Emulator() as emu:
        unversioned = emu.base_url.removesuffix("/beta")
        error = failure(unversioned)
    assert error.status == 404
    assert f"Graph URLs include the version: {unversioned}/beta" in str(error)


def test_v1_graph_url_points_at_beta() -> None:
    from reconciler.graph.hints import version_hint

    assert version_hint("https://graph.microsoft.com/v1.0") == (
        "School Data Sync profiles are in Graph beta only: use "
        "https://graph.microsoft.com/beta in --graph-url"
    )
    assert version_hint("https://graph.microsoft.com/beta") is None
    assert version_hint("https://graph.microsoft.com") == (
        "Graph URLs include the version: https://graph.microsoft.com/beta"
    )


def test_a_path_after_the_version_points_back_at_the_root() -> None:
    from reconciler.graph.hints import version_hint

    assert version_hint("https://graph.microsoft.com/beta/education/synchronizationProfiles") == (
        "the Graph URL ends at the version: use https://graph.microsoft.com/beta in --graph-url"
    )
    assert version_hint("https://proxy.example.edu/graph/v1.0/education") == (
        "the Graph URL ends at the version: use https://proxy.example.edu/graph/beta in --graph-url"
    )


def test_cli_refused_connection_is_one_plain_line(cli, monkeypatch) -> None:
    monkeypatch.setenv("EDUSYNC_ACCESS_TOKEN", "t")
    sample = Path(__file__).resolve().parents[2] / "desired-state"
    port = closed_port()
    result = cli("plan", str(sample), "--graph-url", f"http://127.0.0.1:{port}/beta")
    assert result.code == 1
    assert f"cannot connect to 127.0.0.1 port {port}: connection refused" in result.err
    assert "Max retries" not in result.err and "Traceback" not in result.err


@pytest.mark.parametrize(
    ("reason", "code", "never_sent"),
    [
        ("[SSL: WRONG_VERSION_NUMBER] wrong version number", "TlsNotSpoken", True),
        (
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: x",
            "CertificateNotTrusted",
            True,
        ),
        ("[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred", "TlsFailed", False),
    ],
)
def test_tls_failures_say_whether_a_write_may_have_gone_out(
    reason: str, code: str, never_sent: bool
) -> None:
    exc = requests.exceptions.SSLError(MaxRetryError(None, "/beta", ssl.SSLError(1, reason)))  # type: ignore[arg-type]
    described = describe_no_response(
        exc, "https://graph.example.edu/beta/x", connect_timeout=10, read_timeout=60
    )
    assert (described.code, described.never_sent) == (code, never_sent)


def test_openssl_source_lines_are_left_out() -> None:
    reason = ssl.SSLError(1, "[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] handshake failure (_ssl.c:1006)")
    exc = requests.exceptions.SSLError(MaxRetryError(None, "/beta", reason))  # type: ignore[arg-type]
    described = describe_no_response(
        exc, "https://graph.example.edu/beta/x", connect_timeout=10, read_timeout=60
    )
    assert described.code == "TlsFailed"
    assert "handshake failure)" in described.message and "_ssl.c" not in described.message
