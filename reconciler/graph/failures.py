"""Plain words for a Graph call that got no HTTP answer: what failed, and the likely fix.

requests wraps urllib3 wraps the socket error (`ConnectionError(MaxRetryError(
NewConnectionError(ConnectionRefusedError)))`); an admin needs the innermost fact ("connection
refused") and what to check, not the wrapper text.
"""

from __future__ import annotations

import errno
import http.client
import re
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError, ProtocolError
from urllib3.exceptions import ProxyError as Urllib3ProxyError

_GRAPH_URL_SETTING = "--graph-url / EDUSYNC_GRAPH_URL"
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
#: OpenSSL's words when the other side answered a TLS hello with plain HTTP.
_SSL_SOURCE = re.compile(r"\s*\(_ssl\.c:\d+\)")
_NOT_TLS = ("wrong_version_number", "wrong version number", "record layer failure", "http_request")


@dataclass(frozen=True)
class NoResponse:
    #: A short name for logs and reports (`ConnectionRefused`, `TlsNotSpoken`, …).
    code: str
    #: What failed and the likely fix, in plain words.
    message: str
    #: True when the request cannot have reached the server (safe to send a write again).
    never_sent: bool


def describe_no_response(
    exc: BaseException,
    url: str,
    *,
    connect_timeout: float,
    read_timeout: float,
    base_url: str | None = None,
    proxy_address: str | None = None,
) -> NoResponse:
    """Classify a failure that produced no HTTP response to `url` (a request below the Graph
    root `base_url`, which fixes are written against). `proxy_address` names the proxy when
    the exception cannot (a bare socket error)."""
    parts = urlsplit(url)
    root_path = urlsplit(base_url).path if base_url else parts.path
    host = parts.hostname or "?"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    where = f"{host} port {port}"
    causes = list(_causes(exc))
    text = " ".join(str(c) for c in causes).lower()

    proxy = next((c for c in causes if isinstance(c, Urllib3ProxyError)), None)
    if proxy is not None or isinstance(exc, requests.exceptions.ProxyError):
        return NoResponse("ProxyError", _proxy_message(causes, proxy_address), never_sent=True)
    if isinstance(exc, requests.exceptions.SSLError) or _has(causes, ssl.SSLError):
        return _tls_failure(causes, text, where, root_path)
    if _has(causes, NameResolutionError) or _has(causes, socket.gaierror):
        return NoResponse(
            "HostNotFound",
            f"cannot find the host {host!r} (DNS lookup failed) — check the host name in "
            f"{_GRAPH_URL_SETTING}, and this machine's network and DNS",
            never_sent=True,
        )
    if _has(causes, ConnectionRefusedError):
        fix = (
            "is the emulator running (edusync-reconcile emulator), and is the port in "
            f"{_GRAPH_URL_SETTING} right?"
            if host in _LOOPBACK
            else f"nothing accepts connections there: check {_GRAPH_URL_SETTING} "
            "(Microsoft Graph is https://graph.microsoft.com/beta)"
        )
        return NoResponse(
            "ConnectionRefused",
            f"cannot connect to {where}: connection refused — {fix}",
            never_sent=True,
        )
    if _errno_in(causes, {errno.ENETUNREACH, errno.EHOSTUNREACH}):
        return NoResponse(
            "NetworkUnreachable",
            f"cannot reach {where}: no network route to it — check this machine's network "
            "connection (behind a proxy, set HTTPS_PROXY)",
            never_sent=True,
        )
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return NoResponse(
            "ConnectTimeout",
            f"no answer from {where} within {connect_timeout:g} s while connecting — a firewall "
            f"may be dropping the connection, or {_GRAPH_URL_SETTING} is wrong "
            "(behind a proxy, set HTTPS_PROXY)",
            never_sent=True,
        )
    if isinstance(exc, requests.exceptions.Timeout) or "read timed out" in text:
        return NoResponse(
            "ReadTimeout",
            f"{where} accepted the request but sent no answer within {read_timeout:g} s "
            "(timed out); Graph may be busy: run again in a few minutes",
            never_sent=False,
        )
    if _has(causes, NewConnectionError):  # refused/unreachable with another errno
        inner = _innermost(causes)
        return NoResponse(
            "ConnectionFailed",
            f"cannot connect to {where}: {inner} — check {_GRAPH_URL_SETTING} and the network",
            never_sent=True,
        )
    if _has(causes, ConnectionResetError) or _has(causes, http.client.RemoteDisconnected):
        fix = (
            f" — if that server speaks HTTPS, use https:// in {_GRAPH_URL_SETTING}"
            if parts.scheme == "http"
            else ""
        )
        return NoResponse(
            "ConnectionClosed",
            f"{where} closed the connection without an answer{fix}",
            never_sent=False,
        )
    if _has(causes, ProtocolError) or isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return NoResponse(
            type(exc).__name__,
            f"the answer from {where} was cut off ({_innermost(causes)})",
            never_sent=False,
        )
    return NoResponse(type(exc).__name__, f"{_innermost(causes)}", never_sent=False)


def _tls_failure(causes: list[BaseException], text: str, where: str, path: str) -> NoResponse:
    if any(marker in text for marker in _NOT_TLS):
        return NoResponse(
            "TlsNotSpoken",
            f"TLS handshake failed: the server at {where} does not speak HTTPS — use http:// "
            f"for a local emulator (--graph-url http://{where.replace(' port ', ':')}{path})",
            never_sent=True,
        )
    if _has(causes, ssl.SSLCertVerificationError) or "certificate_verify_failed" in text:
        detail = _after(text, "certificate verify failed:") or "not trusted"
        return NoResponse(
            "CertificateNotTrusted",
            f"cannot verify the TLS certificate of {where} ({detail}) — if your network "
            "inspects HTTPS with its own certificate authority, set REQUESTS_CA_BUNDLE to that "
            "authority's certificate file (PEM)",
            never_sent=True,
        )
    # Other TLS errors may come after the request went out (a connection cut mid-answer):
    # for a write that means "outcome unknown", and apply re-reads before deciding.
    return NoResponse(
        "TlsFailed",
        f"the TLS connection to {where} failed ({_innermost(causes)}) — check "
        f"{_GRAPH_URL_SETTING} and, behind a TLS-inspecting proxy, REQUESTS_CA_BUNDLE",
        never_sent=False,
    )


def _proxy_message(causes: list[BaseException], address: str | None) -> str:
    failed = next((c for c in causes if isinstance(c, NewConnectionError)), None)
    conn = getattr(failed, "conn", None)
    proxy = f" {conn.host}:{conn.port}" if conn is not None else f" {address}" if address else ""
    reason = "connection refused" if _has(causes, ConnectionRefusedError) else _innermost(causes)
    return (
        f"cannot connect through the proxy{proxy} ({reason}) — check HTTPS_PROXY and "
        "HTTP_PROXY (and NO_PROXY for hosts that must bypass the proxy)"
    )


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and everything it wraps, outermost first."""
    seen: set[int] = set()
    queue: list[BaseException] = [exc]
    while queue:
        current = queue.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [a for a in current.args if isinstance(a, BaseException)]
        for attr in ("reason", "original_error"):
            value = getattr(current, attr, None)
            if isinstance(value, BaseException):
                linked.append(value)
        linked += [c for c in (current.__cause__, current.__context__) if c is not None]
        queue.extend(linked)


def _has(causes: list[BaseException], kind: type[BaseException]) -> bool:
    return any(isinstance(c, kind) for c in causes)


def _errno_in(causes: list[BaseException], numbers: set[int]) -> bool:
    return any(isinstance(c, OSError) and c.errno in numbers for c in causes)


def _innermost(causes: list[BaseException]) -> str:
    """The deepest error's own words (`[Errno 113] No route to host` → `No route to host`)."""
    last = causes[-1]
    if isinstance(last, OSError) and last.strerror:
        text = last.strerror.strip()
    else:
        text = str(last).strip() or type(last).__name__
    return _SSL_SOURCE.sub("", text)  # OpenSSL's source line means nothing to an admin


def _after(text: str, marker: str) -> str:
    if marker not in text:
        return ""
    rest = text.split(marker, 1)[1]
    return rest.split("(_ssl.c", 1)[0].strip(" ')\"")
