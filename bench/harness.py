"""What every benchmark shares: running the CLI as a child process, the emulator it talks to,
medians, and figures checked against targets.

Every CLI figure is the wall time of a whole `edusync-reconcile …` process (interpreter start-up,
imports, YAML loading, HTTP and rendering): what a user waits for.
"""

from __future__ import annotations

import compileall
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import reconciler
from bench.workload import SECRETS
from reconciler.emulator import Emulator

TOKEN = "bench-token"  # the emulator's bearer token
COLLECTION_PATH = "/beta/education/synchronizationProfiles"
_CLEARED_PREFIXES = ("AZURE_", "EDUSYNC_", "ACTIONS_", "GITHUB_", "MSAL_")

T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    runs: int
    quick: bool
    #: The command that starts the CLI (console script, or `python -m reconciler`).
    launcher: tuple[str, ...]


@dataclass(frozen=True)
class Target:
    """`value <= limit`, or `>=` / `==` as `op` says."""

    limit: float
    op: str = "<="

    def met(self, value: float) -> bool:
        if self.op == ">=":
            return value >= self.limit
        if self.op == "==":
            return value == self.limit
        return value <= self.limit

    def text(self, unit: str) -> str:
        sign = {"<=": "≤", ">=": "≥", "==": "="}[self.op]
        return f"{sign} {_number(self.limit, unit)}"


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str = "s"
    target: Target | None = None
    #: The least this can take (network waits, interpreter start-up); the ratio is value/floor.
    floor: float | None = None
    floor_label: str = ""
    note: str = ""

    @property
    def passed(self) -> bool | None:
        return None if self.target is None else self.target.met(self.value)


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        print(format_figure(figure), flush=True)
        return figure

    def misses(self) -> list[Figure]:
        return [f for f in self.figures if f.passed is False]


def _number(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f} s" if value < 1 else f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.2f} ms"
    if unit == "x":
        return f"{value:.1f}x"
    if unit == "MiB":
        return f"{value:.0f} MiB"
    return f"{value:g} {unit}".rstrip()


def format_figure(figure: Figure) -> str:
    parts = [f"  {figure.name:<52} {_number(figure.value, figure.unit):>11}"]
    if figure.floor:
        label = f" ({figure.floor_label})" if figure.floor_label else ""
        parts.append(
            f"floor {_number(figure.floor, figure.unit)}{label}, "
            f"ratio {figure.value / figure.floor:.2f}"
        )
    if figure.target is not None:
        verdict = "PASS" if figure.passed else "MISS"
        parts.append(f"target {figure.target.text(figure.unit)}: {verdict}")
    if figure.note:
        parts.append(figure.note)
    return "  ".join(parts[:1]) + ("  " + "; ".join(parts[1:]) if parts[1:] else "")


def median_of(runs: int, measure: Callable[[], T], key: Callable[[T], float]) -> tuple[T, float]:
    """Run `measure` `runs` times; the result whose key is the median, and that median."""
    results = sorted((measure() for _ in range(max(1, runs))), key=key)
    chosen = results[(len(results) - 1) // 2]
    return chosen, statistics.median(key(r) for r in results)


# -- child processes ---------------------------------------------------------------------------


def default_launcher() -> tuple[str, ...]:
    """The installed console script next to this interpreter (what users run), else `-m`."""
    script = Path(sys.executable).with_name("edusync-reconcile")
    if script.exists():
        return (str(script),)
    found = shutil.which("edusync-reconcile")
    return (found,) if found else (sys.executable, "-m", "reconciler")


@dataclass(frozen=True)
class Run:
    seconds: float
    returncode: int
    #: Peak resident set size of the child alone (ru_maxrss of wait4), in MiB.
    max_rss_mib: float
    #: CPU time (user + system) the child used.
    cpu_seconds: float
    stdout: str
    stderr: str

    def check(self, *ok_codes: int) -> Run:
        if self.returncode not in (ok_codes or (0,)):
            raise RuntimeError(
                f"the CLI exited {self.returncode}:\n{self.stderr[-2000:]}{self.stdout[-1000:]}"
            )
        return self


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without credentials or settings that would change the run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_CLEARED_PREFIXES)}
    env.update(SECRETS)
    env["NO_COLOR"] = "1"
    env["EDUSYNC_TOKEN_CACHE"] = str(Path(tempfile.gettempdir()) / "edusync-bench-no-cache.json")
    env.update(extra or {})
    return env


def graph_env(emulator: Emulator) -> dict[str, str]:
    return clean_env(
        {
            "EDUSYNC_GRAPH_URL": emulator.base_url,
            "EDUSYNC_ACCESS_TOKEN": TOKEN,
            "EDUSYNC_CREDENTIAL": "token",
        }
    )


def run_cli(
    settings: Settings, args: Sequence[str], *, env: dict[str, str], cwd: Path | None = None
) -> Run:
    """One whole CLI process: wall time from spawn to exit, and its own peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            [*settings.launcher, *args], stdout=out, stderr=err, env=env, cwd=cwd
        )
        # wait4 (not Popen.wait) also returns the rusage of this one child.
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            seconds=seconds,
            returncode=child.returncode,
            max_rss_mib=usage.ru_maxrss / 1024,  # KiB on Linux
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            stdout=out.read().decode("utf-8", errors="replace"),
            stderr=err.read().decode("utf-8", errors="replace"),
        )


def byte_compile_package() -> None:
    """Byte-compile `reconciler` as `pip install` does, so no run compiles it from source (an
    editable install under PYTHONDONTWRITEBYTECODE=1 would otherwise do so on every start)."""
    package = Path(reconciler.__file__).parent
    # A read-only install was compiled when it was installed.
    with contextlib.suppress(OSError):
        compileall.compile_dir(package, quiet=1)


def interpreter_startup(runs: int) -> float:
    """Median wall time of `python -c pass`: no CLI can start faster than this."""

    def once() -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        return time.perf_counter() - started

    return statistics.median(once() for _ in range(max(10, runs)))


# -- the emulator --------------------------------------------------------------------------------


@contextlib.contextmanager
def emulator(
    bodies: Sequence[dict[str, object]], *, latency_ms: int, page_size: int
) -> Iterator[Emulator]:
    """The built-in emulator in this process on 127.0.0.1, seeded with `bodies` (provisioned),
    profiles settling at once, latency added to every request. Every page is listed once before
    serving, so the first timed run does not pay for the emulator rendering its profiles."""
    emu = Emulator(token=TOKEN, page_size=page_size, provisioning_delay=0)
    for body in bodies:
        emu.tenant.seed_profile(body)
    after: int | None = 0
    while after is not None:
        after = emu.tenant.list_page_json(after=after, limit=page_size).next_after
    emu.faults.latency_ms = latency_ms
    with emu:
        yield emu


def list_requests(emu: Emulator) -> int:
    """GETs of the profile collection (each page is one)."""
    return sum(
        1
        for e in emu.requests_log
        if e.method == "GET" and e.path.split("?", 1)[0].rstrip("/") == COLLECTION_PATH
    )


@contextlib.contextmanager
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="edusync-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
