"""Ctrl-C during apply: a real SIGINT to the CLI in a child process while two creates are on
their way to a slow emulator. The writes under way finish (reported done, not settled: waiting
for provisioning stops), nothing new starts (reported not attempted), and apply exits 1 saying
it was interrupted."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.emulator import Emulator, Scheduled
from tests.e2e.conftest import SAMPLE, SECRETS, TOKEN

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")

COLLECTION = "/beta/education/synchronizationProfiles"
#: How long each create takes on the server: long enough to be interrupted mid-way.
SLOW_CREATE_MS = 1500


def _interruptible() -> None:
    """Run in the child before it starts: a job started in the background (nohup, `cmd &` in a
    script, some CI runners) inherits SIGINT ignored, and Python then installs no Ctrl-C
    handler at all. A terminal's Ctrl-C is what these tests stand for: restore it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupted(
    args: list[str], env: dict[str, str], *, when: threading.Event, never: str
) -> tuple[int, str, str]:
    """Run the CLI in a child process, send it SIGINT once `when` is set; (exit code, stdout,
    stderr). `never`: the failure message when `when` is not set within a minute."""
    child = subprocess.Popen(
        [sys.executable, "-m", "reconciler", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
        preexec_fn=_interruptible,  # noqa: PLW1509 (the child runs no threads yet)
    )
    try:
        assert when.wait(timeout=60), never
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    return child.returncode, out, err


def _six_profiles(tmp_path: Path) -> Path:
    """The sample's three profiles twice (renamed copies, distinct sources)."""
    root = tmp_path / "desired-state"
    shutil.copytree(SAMPLE, root)
    for path in sorted(root.glob("*.yaml")):
        text = path.read_text()
        copy = text.replace("displayName: ", "displayName: Copy of ", 1)
        for host in ("testschool.edu", "contoso.powerschool.com", "oneroster.fabrikam.k12.us"):
            copy = copy.replace(host, f"copy.{host}")
        copy = copy.replace("clientId: 6c1c4b8e", "clientId: 7c1c4b8e")
        copy = copy.replace("clientId: fabrikam-sds", "clientId: fabrikam-copy")
        (root / f"copy-{path.name}").write_text(copy)
    return root


def test_ctrl_c_finishes_the_writes_under_way_and_starts_no_more(tmp_path: Path) -> None:
    root = _six_profiles(tmp_path)
    two_in_flight = threading.Event()
    creates = Counter[str]()
    lock = threading.Lock()

    def slow_creates(method: str, path: str) -> Scheduled | None:
        if method == "POST" and path == COLLECTION:
            with lock:
                creates["received"] += 1
                if creates["received"] == 2:
                    two_in_flight.set()
            return Scheduled(delay_ms=SLOW_CREATE_MS)
        return None

    # Provisioning outlasts the test: the wait after each create is what Ctrl-C cuts short.
    with Emulator(token=TOKEN, provisioning_delay=60.0) as emu:
        emu.faults.schedule = slow_creates
        env = {
            **os.environ,
            **SECRETS,
            "EDUSYNC_ACCESS_TOKEN": TOKEN,
            "EDUSYNC_GRAPH_URL": emu.base_url,
        }
        for name in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET"):
            env.pop(name, None)
        code, out, err = _interrupted(
            ["apply", str(root), "--auto-approve", "--parallelism", "2", "--format", "json"],
            env,
            when=two_in_flight,
            never="the two creates never arrived",
        )
        names = sorted(p["displayName"] for p in emu.tenant.snapshot())
        posts = [e for e in emu.requests_log.writes() if e.method == "POST"]

    assert code == 1, err
    assert "interrupted: finishing the writes under way, starting no more" in err
    assert "error: apply interrupted; changes not started were not attempted" in err
    report = json.loads(out)
    statuses = Counter(o["status"] for o in report["outcomes"])
    assert statuses == Counter({"not_settled": 2, "not_attempted": 4}), report["outcomes"]
    done = sorted(o["name"] for o in report["outcomes"] if o["status"] == "not_settled")
    assert all(
        "stopped waiting for it to be provisioned (interrupted)" in o["detail"]
        for o in report["outcomes"]
        if o["status"] == "not_settled"
    )
    assert done == names  # what the report says was done is exactly what the tenant holds
    assert len(posts) == 2 and all(p.status == 201 for p in posts)  # both finished, no more
    assert report["next"], "an interrupted apply says what to run next"


def _slow_reads(reading: threading.Event) -> Callable[[str, str], Scheduled | None]:
    """Every read takes 3 s, and `reading` is set once one has begun: time to interrupt."""

    def slow_reads(method: str, path: str) -> Scheduled | None:
        if method == "GET":
            reading.set()
            return Scheduled(delay_ms=3000)
        return None

    return slow_reads


def test_ctrl_c_during_a_plan_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    reading = threading.Event()
    with Emulator(token=TOKEN) as emu:
        emu.faults.schedule = _slow_reads(reading)
        env = {**os.environ, "EDUSYNC_ACCESS_TOKEN": TOKEN, "EDUSYNC_GRAPH_URL": emu.base_url}
        code, out, err = _interrupted(
            ["plan", str(SAMPLE)], env, when=reading, never="the plan never read the tenant"
        )
    assert code == 1
    assert err.rstrip().endswith("Aborted.")  # click's word for Ctrl-C outside apply
    assert "Traceback" not in out + err


def test_ctrl_c_while_apply_reads_the_tenant_says_nothing_was_written(tmp_path: Path) -> None:
    reading = threading.Event()
    with Emulator(token=TOKEN) as emu:
        emu.faults.schedule = _slow_reads(reading)
        env = {
            **os.environ,
            **SECRETS,
            "EDUSYNC_ACCESS_TOKEN": TOKEN,
            "EDUSYNC_GRAPH_URL": emu.base_url,
        }
        code, out, err = _interrupted(
            ["apply", str(SAMPLE), "--auto-approve"],
            env,
            when=reading,
            never="apply never read the tenant",
        )
        assert emu.requests_log.count_writes() == 0
    assert code == 1
    last = err.rstrip().splitlines()[-1]
    assert last == "error: apply interrupted before any write; nothing was written", err
    assert "Aborted." not in err and "Traceback" not in out + err


def test_ctrl_c_during_the_demo_before_its_apply_says_nothing_was_written() -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_interruptible,  # noqa: PLW1509 (the child runs no threads yet)
    )
    try:
        assert child.stdout is not None
        first = child.stdout.readline()  # printed once its emulator is up, before seeding
        assert first.startswith("Built-in Graph emulator at"), first
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 1
    assert "=== 3. apply" not in out  # stopped before its apply, as the message says
    assert err.rstrip().splitlines()[-1] == (
        "error: demo interrupted before its apply; nothing was written (the demo uses only "
        "its own emulator, now stopped)"
    ), err
