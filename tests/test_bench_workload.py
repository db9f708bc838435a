"""The benchmarks' workload is what they claim to time: files that validate without a single
warning (a warning on every third file was once printed, and timed, by every plan benchmark)
and a tenant that differs from them exactly where it is drifted."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.workload import SECRETS, tenant_bodies, write_desired_tree
from reconciler.desired import load_desired
from reconciler.engine.model import Action, Actual, PlanOptions
from reconciler.engine.plan import build_plan
from reconciler.kinds import REGISTRY


def test_the_bench_tree_loads_clean_and_plans_only_its_drift(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    state = load_desired(str(write_desired_tree(tmp_path, 30)), cwd=tmp_path)
    assert not state.problems, [str(p) for p in state.problems]
    tenant = [
        Actual({**body, "id": f"id-{i}"})
        for i, body in enumerate(tenant_bodies(30, drift_every=10))
    ]
    plan = build_plan(
        state.objects, {REGISTRY.default.name: tenant}, PlanOptions(), registry=REGISTRY
    )
    actions = [c.action for c in plan.changes]
    assert actions.count(Action.UPDATE) == 3 and actions.count(Action.NOOP) == 27
    assert not plan.errors and not plan.warnings
