"""Can this machine reach Graph: DNS, TCP, TLS, and which proxy is in the way.

Each step has a short timeout and no retries: doctor must answer in seconds, not wait out the
retry policy `plan` rightly uses.
"""

from __future__ import annotations

import os
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlsplit, urlunsplit

import requests.utils

from reconciler.graph.failures import describe_no_response

PROBE_TIMEOUT = 3.0


@dataclass(frozen=True)
class NetworkProbe:
    host: str
    port: int
    #: The proxy requests will use for Graph (credentials masked), or None.
    proxy: str | None = None
    proxy_source: str | None = None
    addresses: tuple[str, ...] = ()
    dns_ms: float | None = None
    tcp_ms: float | None = None
    tls_ms: float | None = None
    tls_version: str | None = None
    #: Which step failed (`dns`, `tcp`, `tls`), and why in the Graph client's words: what
    #: failed, and (after " — ") the likely fix; `failure` names the class (`ProxyError`, …).
    failed_step: str | None = None
    error: str | None = None
    failure: str | None = None


def masked_proxy(url: str) -> str:
    """A proxy URL without its user name and password."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def proxy_for(url: str, env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(proxy URL, the variable naming it) as requests would choose, NO_PROXY honoured."""
    proxies = requests.utils.get_environ_proxies(url)
    scheme = urlsplit(url).scheme
    proxy = proxies.get(scheme) or proxies.get("all")
    if not proxy:
        return None, None
    names = [f"{scheme}_proxy", "all_proxy"]
    source = next(
        (n.upper() if n.upper() in env else n for n in names if n in env or n.upper() in env), None
    )
    return proxy, source


def _ca_bundle(env: Mapping[str, str]) -> str:
    return (
        env.get("REQUESTS_CA_BUNDLE")
        or env.get("CURL_CA_BUNDLE")
        or requests.utils.DEFAULT_CA_BUNDLE_PATH
    )


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _failed(
    result: NetworkProbe, step: str, exc: BaseException, url: str, *, via_proxy: str | None
) -> NetworkProbe:
    """`result` failing at `step`, described as plan describes the same failure. The socket
    error is put in the requests exception it would have become, so the classes match."""
    wrapped: BaseException = exc
    if via_proxy:
        wrapped = requests.exceptions.ProxyError(exc)
    elif isinstance(exc, TimeoutError):
        timeout = (
            requests.exceptions.ConnectTimeout if step != "tls" else requests.exceptions.ReadTimeout
        )
        wrapped = timeout(exc)
    described = describe_no_response(
        wrapped,
        url,
        connect_timeout=PROBE_TIMEOUT,
        read_timeout=PROBE_TIMEOUT,
        proxy_address=via_proxy,
    )
    return replace(result, failed_step=step, error=described.message, failure=described.code)


def probe(url: str, env: Mapping[str, str] | None = None) -> NetworkProbe:
    """Resolve, connect and (for https without a proxy) shake hands with Graph's host."""
    env = os.environ if env is None else env
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    proxy, source = proxy_for(url, env)
    result = NetworkProbe(host, port, masked_proxy(proxy) if proxy else None, source)
    target_host, target_port = host, port
    via = None
    if proxy:  # the proxy is what this machine must reach; it reaches Graph for us
        proxy_parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        target_host = proxy_parts.hostname or ""
        target_port = proxy_parts.port or 8080
        via = f"{target_host}:{target_port}"
    started = time.perf_counter()
    try:
        infos = socket.getaddrinfo(target_host, target_port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:  # UnicodeError: a label IDNA cannot encode
        if isinstance(exc, UnicodeError):
            exc = socket.gaierror(socket.EAI_NONAME, f"not a valid host name ({exc})")
        return _failed(result, "dns", exc, url, via_proxy=via)
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    result = replace(result, addresses=addresses, dns_ms=_ms(started))
    started = time.perf_counter()
    try:
        connection = socket.create_connection((target_host, target_port), timeout=PROBE_TIMEOUT)
    except OSError as exc:
        return _failed(result, "tcp", exc, url, via_proxy=via)
    with connection:
        result = replace(result, tcp_ms=_ms(started))
        if parts.scheme != "https" or proxy:
            return result
        started = time.perf_counter()
        try:
            context = ssl.create_default_context(cafile=_ca_bundle(env))
            with context.wrap_socket(connection, server_hostname=host) as tls:
                version = tls.version()
        except (ssl.SSLError, OSError) as exc:
            return _failed(result, "tls", exc, url, via_proxy=None)
    return replace(result, tls_ms=_ms(started), tls_version=version)
