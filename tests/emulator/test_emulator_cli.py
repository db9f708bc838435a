"""`edusync-reconcile emulator`: the real command in a subprocess, talking over loopback."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from reconciler.cli import EXIT_USAGE, run
from tests.emulator.emulator_helpers import CSV_PROFILE, body

REPO = Path(__file__).resolve().parents[2]
URL = re.compile(r"^http://127\.0\.0\.1:(\d+)/beta$")


@contextmanager
def serving(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Run `python -m reconciler emulator ARGS`; yield the process and its first stdout line."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "emulator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    watchdog = threading.Timer(20, process.kill)  # never let a hung server outlive the test
    watchdog.start()
    try:
        assert process.stdout is not None
        yield process, process.stdout.readline().strip()
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
        process.wait(timeout=5)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def stop(process: subprocess.Popen[str], sig: signal.Signals) -> int:
    process.send_signal(sig)
    return process.wait(timeout=10)


def test_serves_with_its_flags_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    state = tmp_path / "tenant.json"
    args = ("--port", "0", "--token", "cli-token", "--page-size", "2", "--state", str(state))
    with serving(*args, "--drop-after-commit", "1", "--latency-ms", "30") as (process, url):
        assert URL.match(url), url
        session = requests.Session()
        session.headers["Authorization"] = "Bearer cli-token"
        profiles = f"{url}/education/synchronizationProfiles"
        with pytest.raises(requests.ConnectionError):  # the first write is dropped after commit
            session.post(profiles, json=CSV_PROFILE, timeout=5)
        for name in ("B", "C"):
            assert (
                session.post(
                    profiles, json=body(CSV_PROFILE, displayName=name), timeout=5
                ).status_code
                == 201
            )
        started = time.monotonic()
        first = session.get(profiles, timeout=5).json()
        assert time.monotonic() - started >= 0.03
        assert len(first["value"]) == 2  # --page-size
        second = session.get(first["@odata.nextLink"], timeout=5).json()
        assert len(second["value"]) == 1
        wrong = requests.get(profiles, headers={"Authorization": "Bearer other"}, timeout=5)
        assert wrong.status_code == 401
        assert stop(process, signal.SIGTERM) == 0
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert sorted(p["displayName"] for p in saved) == ["B", "C", CSV_PROFILE["displayName"]]


def test_injected_429_with_retry_after_and_sigint() -> None:
    with serving("--fault", "429=1", "--retry-after", "0.25") as (process, url):
        assert URL.match(url), url
        response = requests.get(
            f"{url}/education/synchronizationProfiles",
            headers={"Authorization": "Bearer any"},
            timeout=5,
        )
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "0.25"
        assert stop(process, signal.SIGINT) == 0


@pytest.mark.parametrize("fault", ["500=0.1", "429=1.5", "429", "429=x", "503=-0.1", "=0.1"])
def test_bad_fault_values_are_usage_errors(capsys: pytest.CaptureFixture[str], fault: str) -> None:
    assert run(["emulator", "--fault", fault]) == EXIT_USAGE
    assert "expected 429=P or 503=P" in capsys.readouterr().err


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["emulator", "--help"]) == 0
    out = capsys.readouterr().out
    assert "Examples:" in out
    assert "edusync-reconcile emulator --port 8765 --state tenant.json" in out
    for flag in (
        "--port",
        "--state",
        "--token",
        "--page-size",
        "--latency-ms",
        "--fault",
        "--retry-after",
        "--drop-after-commit",
    ):
        assert flag in out


def test_state_help_names_both_file_forms(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["emulator", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # as one line, whatever the wrapping
    assert '{"profiles": [...], "industryData": {...}}, or a list of profiles' in out
