"""What a person at a terminal sees: the approval prompt naming what a delete loses, colour
(and --no-color), and a progress line while the tenant is read. The real CLI runs in a
pseudo-terminal against the emulator on loopback."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time

import pytest

from tests.e2e.test_plan_apply import converge, profiles

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")


def in_terminal(*args: str, answer: str | None = None, timeout: float = 60) -> tuple[int, str]:
    """Run `edusync-reconcile ARGS` with stdin, stdout and stderr on a pseudo-terminal; type
    `answer` when asked. Returns the exit code and everything the terminal showed."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "reconciler", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**os.environ, "COLUMNS": "200"},
        close_fds=True,
    )
    os.close(slave)
    shown = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                shown += chunk
                if answer is not None and b"Type 'yes'" in shown:
                    os.write(master, answer.encode() + b"\n")
                    answer = None
            elif proc.poll() is not None:
                break
        else:
            proc.kill()
            pytest.fail(f"timed out; the terminal showed:\n{shown.decode(errors='replace')}")
    finally:
        os.close(master)
    return proc.wait(timeout=10), shown.decode(errors="replace")


def test_the_delete_prompt_names_what_is_lost(cli, graph_env, sample) -> None:
    converge(cli)
    gone = next(p for p in profiles(graph_env) if p["displayName"] == "Fabrikam OneRoster")
    (sample / "oneroster.yaml").unlink()
    code, shown = in_terminal("apply", "--prune", answer="no")
    assert code == 1 and "apply cancelled; nothing was written" in shown
    assert (
        f"This DELETES 1 profile: 'Fabrikam OneRoster' ({gone['id']}, "
        "educationOneRosterApiDataProvider). Its sync history is lost." in shown
    )
    assert "Type 'yes' to carry out all 1 change" in shown
    assert "Carry out these" not in shown
    code, shown = in_terminal("apply", "--prune", answer="yes")
    assert code == 0, shown
    assert "Fabrikam OneRoster" not in {p["displayName"] for p in profiles(graph_env)}


def test_y_at_the_prompt_says_to_type_yes_in_full(cli, graph_env, sample) -> None:
    code, shown = in_terminal("apply", answer="y")
    assert code == 1, shown
    assert (
        "error: you typed 'y'; type yes in full to confirm. apply cancelled; nothing was written"
        in shown
    )
    assert graph_env.requests_log.count_writes() == 0


def test_colour_on_a_terminal_and_no_color(cli, graph_env, sample) -> None:
    code, shown = in_terminal("plan")
    assert code == 0 and "\x1b[" in shown
    for args in (("--no-color", "plan"), ("plan", "--no-color")):
        code, shown = in_terminal(*args)
        assert code == 0 and "\x1b[" not in shown and "Plan: 3 to create" in shown


def test_reading_the_tenant_shows_progress_on_a_terminal_only(cli, graph_env, sample) -> None:
    converge(cli)
    tp = sample / "test-profile.yaml"
    tp.write_text(tp.read_text() + "lifecycle:\n  paused: false\n")  # its run state is read
    graph_env.faults.latency_ms = 150
    code, shown = in_terminal("plan", "--no-color")
    assert code == 0, shown
    assert "Reading the tenant's synchronizationProfile list…" in shown
    assert re.search(r"Read 3 synchronizationProfile\(s\); run state \d of \d…", shown), shown
    assert "\r" in shown.split("No changes", 1)[0]  # rewritten in place, then wiped
    piped = cli("plan")  # no terminal: nothing noisy
    assert "Reading the tenant" not in piped.err and "run state" not in piped.err
