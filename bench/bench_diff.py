"""The pure engine: normalise + diff of 10,000 desired/tenant pairs, one in ten drifted.

Runs in this process (no CLI, no HTTP): `build_plan` over 10,000 desired objects and their
tenant counterparts as Graph returns them (rendered by the emulator's tenant model and passed
through JSON, as a client receives them). The desired objects are 12 profiles loaded from YAML
by the real loader (one of each provider x identity x licence combination), copied under
10,000 names, so the figure is not YAML loading (that is `validate`'s figure). The drifted
pairs of a template are drifted alike (other domains), as a change made in the portal to many
profiles is: deepdiff explains each shape of difference once per run, and each run starts cold.
"""

from __future__ import annotations

import json
import statistics
import time
import tracemalloc
from dataclasses import replace
from typing import Any

from bench.harness import Figure, Report, Settings, Target, workdir
from bench.workload import tenant_profile, write_desired_tree
from reconciler.desired import DesiredObject, load_desired
from reconciler.emulator.tenant import Tenant
from reconciler.engine.diff import forget_explanations
from reconciler.engine.model import Actual, Plan, PlanOptions
from reconciler.engine.plan import build_plan
from reconciler.kinds import REGISTRY

PAIRS = 10_000
DRIFT_EVERY = 10
#: Profiles i and i+12 have the same shape (provider i%3, identity i%2, licences i%4).
TEMPLATES = 12
TARGET = Target(1.0)


def _name(i: int) -> str:
    return f"Pair {i:05d}"


def _desired(templates: tuple[DesiredObject, ...]) -> tuple[DesiredObject, ...]:
    return tuple(
        replace(t, body={**t.body, "displayName": _name(i)})
        for i in range(PAIRS)
        for t in [templates[i % TEMPLATES]]
    )


def _tenant() -> list[Actual]:
    tenant = Tenant(provisioning_delay=0)
    for i in range(PAIRS):
        body = tenant_profile(i % TEMPLATES, drifted=i % DRIFT_EVERY == 0)
        tenant.seed_profile({**body, "displayName": _name(i)})
    page = tenant.list_page(limit=PAIRS)
    echoed: list[dict[str, Any]] = json.loads(json.dumps(page.items))
    return [Actual(body) for body in echoed]


def run(settings: Settings, report: Report) -> None:
    with workdir() as root:
        state = load_desired(str(write_desired_tree(root, TEMPLATES)), cwd=root)
    if not state.ok or len(state.objects) != TEMPLATES:
        raise RuntimeError("the benchmark's own profiles did not load")
    desired = _desired(state.objects)
    actuals = {desired[0].kind.name: _tenant()}

    def once() -> tuple[float, Plan]:
        forget_explanations()  # each run as cold as a CLI run: deepdiff explains afresh
        started = time.perf_counter()
        plan = build_plan(desired, actuals, PlanOptions(), registry=REGISTRY)
        return time.perf_counter() - started, plan

    timings = [once() for _ in range(settings.runs)]
    seconds = statistics.median(t for t, _ in timings)
    pending = len(timings[0][1].pending)
    tracemalloc.start()
    once()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    wanted = PAIRS // DRIFT_EVERY
    if pending != wanted:
        raise RuntimeError(f"{pending} pending changes; the pairs hold {wanted} drifted")
    report.add(
        Figure(
            f"normalise+diff: {PAIRS:,} pairs (in-process)",
            seconds,
            target=TARGET,
            note=f"{seconds / PAIRS * 1e6:.0f} us/pair; {pending} pending; "
            f"peak traced memory {peak / 2**20:.0f} MiB",
        )
    )
