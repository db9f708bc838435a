"""`apply` of 200 creates as a whole process against the emulator at 50 ms latency, with
`--parallelism` 1, 8 and 16 in one run. The write phase is read from the emulator's request log:
first POST received → last POST answered (the CLI's own start-up, YAML loading and the read
before the writes are not in it; the total wall time is printed beside it)."""

from __future__ import annotations

import math
import statistics

from bench.harness import (
    Figure,
    Report,
    Run,
    Settings,
    Target,
    emulator,
    graph_env,
    run_cli,
    workdir,
)
from bench.workload import write_desired_tree

CREATES = 200
LATENCY_MS = 50
PAGE_SIZE = 100
PARALLELISM = (1, 8, 16)
#: Speed-up of the write phase over --parallelism 1.
SPEEDUP_TARGETS = {8: Target(7, ">="), 16: Target(12, ">=")}


def _apply_once(settings: Settings, tree: str, parallelism: int) -> tuple[float, Run]:
    """(write phase, the CLI run) of one apply into an empty tenant."""
    with workdir() as cwd, emulator([], latency_ms=LATENCY_MS, page_size=PAGE_SIZE) as emu:
        args = ["apply", tree, "--auto-approve", "--no-wait", "--parallelism", str(parallelism)]
        run = run_cli(settings, args, env=graph_env(emu), cwd=cwd).check()
        posts = [e for e in emu.requests_log if e.method == "POST"]
        created = len(emu.tenant.ids())
        if created != CREATES or len(posts) != CREATES or {e.status for e in posts} != {201}:
            raise RuntimeError(
                f"apply --parallelism {parallelism}: {created} created with {len(posts)} POSTs "
                f"(statuses {sorted({str(e.status) for e in posts})}); wanted {CREATES}"
            )
        phase = max(e.replied_at for e in posts) - min(e.received_at for e in posts)
        return phase, run


def run(settings: Settings, report: Report) -> None:
    with workdir() as root:
        tree = str(write_desired_tree(root, CREATES))
        phases: dict[int, list[float]] = {p: [] for p in PARALLELISM}
        walls: dict[int, list[float]] = {p: [] for p in PARALLELISM}
        cpus: dict[int, list[float]] = {p: [] for p in PARALLELISM}
        for _ in range(settings.runs):
            for parallelism in PARALLELISM:
                phase, run = _apply_once(settings, tree, parallelism)
                phases[parallelism].append(phase)
                walls[parallelism].append(run.seconds)
                cpus[parallelism].append(run.cpu_seconds)
    phase_of = {p: statistics.median(v) for p, v in phases.items()}
    for parallelism in PARALLELISM:
        rounds = math.ceil(CREATES / parallelism)
        report.add(
            Figure(
                f"apply: {CREATES} creates @{LATENCY_MS} ms, --parallelism {parallelism}",
                phase_of[parallelism],
                floor=rounds * LATENCY_MS / 1000,
                floor_label=f"{rounds} rounds x {LATENCY_MS} ms",
                note=f"write phase; whole process {statistics.median(walls[parallelism]):.2f} s"
                f" using {statistics.median(cpus[parallelism]):.2f} s CPU",
            )
        )
    for parallelism, target in SPEEDUP_TARGETS.items():
        report.add(
            Figure(
                f"apply: speed-up at --parallelism {parallelism} vs 1",
                phase_of[1] / phase_of[parallelism],
                unit="x",
                target=target,
                note=f"ideal {CREATES / math.ceil(CREATES / parallelism):.1f}x",
            )
        )
