"""A defect (an exception nobody expected) is one plain line asking for a report; `--debug`
adds the traceback. Neither shows the token. The defect is simulated in a third-party
library (requests' transport raises what it never should), not in our code."""

from __future__ import annotations

import pytest
import requests.adapters

from tests.conftest import SAMPLE_DIR

TOKEN = "internal-error-token-0123456789"


@pytest.fixture
def broken_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    def send(self: object, request: requests.PreparedRequest, **_kw: object) -> None:
        raise ValueError(f"simulated defect while sending {request.headers['Authorization']}")

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    for name in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "EDUSYNC_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EDUSYNC_ACCESS_TOKEN", TOKEN)


def _plan(cli, *extra: str):
    return cli("plan", str(SAMPLE_DIR), "--graph-url", "http://127.0.0.1:9/beta", *extra)


def test_an_internal_error_is_one_line_that_asks_for_a_report(cli, broken_transport) -> None:
    result = _plan(cli)
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if "internal error" in line]
    assert errors == [
        "internal error: ValueError: simulated defect while sending Bearer (redacted). "
        "Run again with --debug for the traceback and please report it."
    ]
    assert "Traceback" not in result.err
    assert TOKEN not in result.out + result.err


def test_debug_adds_the_traceback_and_still_hides_the_token(cli, broken_transport) -> None:
    result = _plan(cli, "--debug")
    assert result.code == 1
    assert "Traceback (most recent call last)" in result.err
    assert "ValueError: simulated defect while sending Bearer (redacted)" in result.err
    assert result.err.rstrip().endswith("please report it.")
    assert TOKEN not in result.out + result.err


def test_debug_shows_the_traceback_of_an_ordinary_error_too(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("EDUSYNC_LOG_LEVEL", raising=False)
    missing = str(tmp_path / "missing")
    plain = cli("plan", missing)
    debug = cli("plan", missing, "--debug")
    assert plain.code == debug.code == 1
    assert "Traceback" not in plain.err and plain.err.startswith("error: ")
    assert "Traceback (most recent call last)" in debug.err
    assert debug.err.rstrip().splitlines()[-1] == plain.err.rstrip().splitlines()[-1]
