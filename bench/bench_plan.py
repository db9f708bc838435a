"""Benchmarks (run by hand, print figures): plan over many profiles against the emulator with
latency, and the pure normalise+diff engine.

    python bench/bench_plan.py [--profiles 1000] [--latency-ms 25] [--pairs 10000]
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

from reconciler.desired import load_desired
from reconciler.emulator import Emulator
from reconciler.engine.plan import PlanOptions, build_plan, compare
from reconciler.graph import GraphClient
from reconciler.identity import Identity, Permission, StaticTokenProvider
from reconciler.kinds import KINDS
from reconciler.tenant import read_tenant

TOKEN = "bench"
PROFILE = {
    "dataProvider": {
        "@odata.type": "#microsoft.graph.educationCsvDataProvider",
        "customizations": {"student": {"optionalPropertiesToSync": ["State ID", "Middle Name"]}},
    },
    "identitySynchronizationConfiguration": {
        "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration",
        "userDomains": [
            {"appliesTo": "student", "name": "s.example.edu"},
            {"appliesTo": "teacher", "name": "example.edu"},
        ],
    },
    "licensesToAssign": [
        {"appliesTo": "teacher", "skuIds": ["6fd2c87f-b296-42f0-b197-1e91e994b900"]}
    ],
}


def bench_plan(profiles: int, latency_ms: int, page_size: int = 100) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="edusync-bench-"))
    try:
        for i in range(profiles):
            body = {"displayName": f"Profile {i:05d}", **PROFILE}
            (workdir / f"p{i:05d}.yaml").write_text(json.dumps(body))
        started = time.perf_counter()
        state = load_desired(str(workdir))
        load_seconds = time.perf_counter() - started
        with Emulator(token=TOKEN, page_size=page_size, provisioning_delay=0) as emu:
            for obj in state.objects:
                emu.tenant.seed_profile(copy.deepcopy(obj.body))
            emu.faults.latency_ms = latency_ms
            emu.requests_log.clear()
            client = GraphClient(
                emu.base_url, StaticTokenProvider(TOKEN, Identity(Permission.UNKNOWN, "bench"))
            )
            started = time.perf_counter()
            tenant = read_tenant(client, KINDS.values())
            plan = build_plan(state.objects, tenant, PlanOptions())
            seconds = time.perf_counter() - started
            requests = len(emu.requests_log)
            client.close()
        pages = math.ceil(profiles / page_size)
        floor = pages * latency_ms / 1000
        print(f"load+validate {profiles} files: {load_seconds:.2f} s")
        print(
            f"plan {profiles} profiles @ {latency_ms} ms latency, page size {page_size}: "
            f"{seconds:.2f} s, {requests} requests, floor {floor:.2f} s "
            f"(ratio {seconds / floor:.2f}), pending changes: {len(plan.pending)}"
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def bench_diff(pairs: int, tmp: Path, drift_every: int = 10) -> None:
    """Every `drift_every`-th pair differs (as in a real tenant: mostly in sync)."""
    (tmp / "p.yaml").write_text(json.dumps({"displayName": "x", **PROFILE}))
    desired = load_desired(str(tmp)).objects[0]
    in_sync = copy.deepcopy(desired.body) | {"id": "x", "state": "provisioned"}
    drifted = copy.deepcopy(in_sync)
    drifted["licensesToAssign"][0]["skuIds"] = ["other"]
    actuals = [drifted if i % drift_every == 0 else in_sync for i in range(pairs)]
    started = time.perf_counter()
    changed = sum(1 for actual in actuals if compare(desired, actual))
    seconds = time.perf_counter() - started
    tracemalloc.start()
    for actual in actuals[: min(pairs, 1000)]:
        compare(desired, actual)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"normalise+diff {pairs} pairs ({changed} drifted): {seconds:.2f} s "
        f"({pairs / seconds:,.0f}/s); peak traced memory over 1,000 pairs {peak / 1e6:.2f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profiles", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=25)
    parser.add_argument("--pairs", type=int, default=10_000)
    args = parser.parse_args()
    bench_plan(args.profiles, args.latency_ms)
    with tempfile.TemporaryDirectory() as tmp:
        bench_diff(args.pairs, Path(tmp))


if __name__ == "__main__":
    main()
