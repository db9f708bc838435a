"""Doctor's pure parts: what counts as a retired API, where settings come from, proxies."""

from __future__ import annotations

import socket

import pytest

from reconciler.doctor.network import masked_proxy, probe, proxy_for
from reconciler.kinds import KINDS
from reconciler.retirement import is_retired_answer, retirement_message
from reconciler.settings import FileSettings, setting_sources


@pytest.mark.parametrize(
    ("status", "code", "retired"),
    [
        (400, "BadRequest", True),  # Graph's answer for a segment it does not know
        (404, "ResourceNotFound", True),
        (404, None, True),
        (410, "Gone", True),
        (400, "Request_ResourceNotFound", True),
        (400, "invalidRequest", False),
        (401, "InvalidAuthenticationToken", False),
        (403, "Authorization_RequestDenied", False),
        (500, "generalException", False),
        (None, "ConnectionError", False),
    ],
)
def test_which_answers_mean_retired(status: int | None, code: str | None, retired: bool) -> None:
    assert is_retired_answer(status, code) is retired


def test_the_retirement_sentence_comes_from_kind_data() -> None:
    assert retirement_message(KINDS["synchronizationProfile"], 404, "ResourceNotFound") == (
        "Microsoft retired /education/synchronizationProfiles on 2024-12-31; this tenant answers "
        "HTTP 404 (ResourceNotFound); manage new SDS with the Industry Data kinds"
    )


@pytest.mark.parametrize(
    ("flag", "env", "file", "expected"),
    [
        ("usgov", {"EDUSYNC_CLOUD": "china"}, "global", "flag"),
        (None, {"EDUSYNC_CLOUD": "china"}, "global", "env EDUSYNC_CLOUD"),
        (None, {"EDUSYNC_CLOUD": ""}, "global", "edusync.yaml"),
        (None, {}, None, "default"),
    ],
)
def test_setting_sources_follow_the_precedence(
    flag: str | None, env: dict[str, str], file: str | None, expected: str
) -> None:
    sources = setting_sources(env=env, file=FileSettings(cloud=file), cloud_flag=flag)
    assert sources["cloud"] == expected
    assert sources["graph_url"] == "default for the cloud"
    assert sources["tenant"] == "not set"


def test_proxies_are_masked_and_no_proxy_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://user:pa55@proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "graph.internal")
    proxy, source = proxy_for("https://graph.microsoft.com/beta", {"HTTPS_PROXY": "x"})
    assert proxy == "http://user:pa55@proxy.example:3128" and source == "HTTPS_PROXY"
    assert masked_proxy(proxy) == "http://***@proxy.example:3128"
    assert proxy_for("https://graph.internal/beta", {})[0] is None


def test_through_a_proxy_the_proxy_is_what_must_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    result = probe("https://graph.microsoft.com/beta", {"HTTPS_PROXY": "set"})
    assert result.failed_step == "tcp"
    assert f"127.0.0.1:{port}" in (result.error or "")
    assert result.proxy == f"http://127.0.0.1:{port}"
