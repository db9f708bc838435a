"""`plan` as a whole process against the emulator: 1,000 and 10,000 profiles, 25 ms latency,
page size 100, one profile in ten drifted. The floor is the network alone: pages x latency.

A second floor counts what `plan` must do before its first request: nothing is sent to Graph
until every file has been read and found valid, so `validate` of the same tree (timed in the
same run) plus the pages is the least a plan can take without giving that up."""

from __future__ import annotations

import math

from bench.harness import (
    Figure,
    Report,
    Run,
    Settings,
    Target,
    emulator,
    graph_env,
    list_requests,
    median_of,
    run_cli,
    workdir,
)
from bench.workload import tenant_bodies, write_desired_tree

LATENCY_MS = 25
PAGE_SIZE = 100
DRIFT_EVERY = 10
#: profiles → (wall-time target, peak RSS target in MiB or None)
CASES = {1000: (Target(1.0), None), 10_000: (Target(5.0), Target(200))}


def plan_case(settings: Settings, report: Report, profiles: int) -> None:
    time_target, rss_target = CASES[profiles]
    with (
        workdir() as root,
        emulator(
            tenant_bodies(profiles, drift_every=DRIFT_EVERY),
            latency_ms=LATENCY_MS,
            page_size=PAGE_SIZE,
        ) as emu,
    ):
        tree = write_desired_tree(root, profiles)
        env = graph_env(emu)
        lists: list[int] = []
        rss: list[float] = []

        def once() -> Run:
            emu.requests_log.clear()
            result = run_cli(settings, ["plan", str(tree)], env=env, cwd=root).check()
            lists.append(list_requests(emu))
            rss.append(result.max_rss_mib)
            return result

        result, seconds = median_of(settings.runs, once, key=lambda r: r.seconds)
        pages = math.ceil(profiles / PAGE_SIZE)
        network = pages * LATENCY_MS / 1000
        drifted = math.ceil(profiles / DRIFT_EVERY)
        expected_summary = f"Plan: 0 to create, {drifted} to update"
        if expected_summary not in result.stdout:
            tail = result.stdout[-500:]
            raise RuntimeError(f"the plan does not say {expected_summary!r}:\n{tail}")
        report.add(
            Figure(
                f"plan: {profiles:,} profiles @{LATENCY_MS} ms, page {PAGE_SIZE}",
                seconds,
                target=time_target,
                floor=network,
                floor_label=f"{pages} pages x {LATENCY_MS} ms",
                note=f"CLI used {result.cpu_seconds:.2f} s CPU",
            )
        )
        _, checking = median_of(
            settings.runs,
            lambda: run_cli(settings, ["validate", str(tree)], env=env, cwd=root).check(),
            key=lambda r: r.seconds,
        )
        report.add(
            Figure(
                f"plan: {profiles:,} profiles, files checked first",
                seconds,
                floor=checking + network,
                floor_label=(
                    f"validate {checking:.2f} s + {pages} pages x {LATENCY_MS} ms: "
                    "nothing is sent before every file is valid"
                ),
            )
        )
        # Every run must make exactly one request per page: the worst run is the figure.
        worst = max(lists, key=lambda n: abs(n - pages))
        report.add(
            Figure(
                f"plan: {profiles:,} profiles, list requests",
                worst,
                unit="",
                target=Target(pages, "=="),
                note=f"{len(lists)} run(s)",
            )
        )
        if rss_target is not None:
            report.add(
                Figure(
                    f"plan: {profiles:,} profiles, peak RSS",
                    max(rss),
                    unit="MiB",
                    target=rss_target,
                    note="max over runs, of the CLI process alone",
                )
            )


def run(settings: Settings, report: Report, *, sizes: tuple[int, ...] = (1000, 10_000)) -> None:
    for profiles in sizes:
        plan_case(settings, report, profiles)
