"""The emulator's own cost per list page (100 profiles), at 1,000 and 10,000 profiles: it must
not grow with the tenant, and must stay small beside the latency the benchmarks inject, or the
client benchmarks would measure the emulator.

- "no HTTP": the dispatcher answering one page request, body encoded (what the server does
  between reading a request and writing the answer);
- "HTTP": one keep-alive GET over loopback with no injected latency, response read as bytes;
- one create through the dispatcher (validation, defaults, rendering), for the write benchmark.
"""

from __future__ import annotations

import gc
import http.client
import json
import statistics
import time
from urllib.parse import urlsplit

from bench.harness import TOKEN, Figure, Report, Settings, Target, emulator
from bench.workload import tenant_bodies, tenant_profile
from reconciler.emulator import Emulator
from reconciler.emulator.dispatch import Dispatcher, Request, encode_skiptoken
from reconciler.emulator.routes import Op, Route
from reconciler.emulator.tenant import Tenant

PAGE_SIZE = 100
SIZES = (1000, 10_000)
#: A page at 10,000 profiles may cost at most this much more than one at 1,000.
GROWTH_TARGET = Target(1.5)
PAGES_SAMPLED = 10


def _pages(size: int) -> list[int]:
    """Skip-token positions of pages spread over the whole tenant (seeded in order 1..size)."""
    step = max(PAGE_SIZE, size // PAGES_SAMPLED // PAGE_SIZE * PAGE_SIZE)
    return list(range(0, size, step))[:PAGES_SAMPLED]


def _dispatch_ms(tenant: Tenant, passes: int) -> float:
    """Cost of one page request handled by the dispatcher, without sockets: the mean over the
    sampled pages of the fastest of `passes` passes (the least noisy reading on a shared
    machine, as `timeit` advises), the collector off as in `timeit`."""
    dispatcher = Dispatcher(tenant, page_size=PAGE_SIZE)
    requests = [
        Request(
            route=Route(Op.LIST),
            query=[("$skiptoken", encode_skiptoken(after))] if after else [],
            body=None,
            body_error=None,
            has_body=False,
            service_root="http://127.0.0.1:1/beta",
            path="/beta/education/synchronizationProfiles",
        )
        for after in _pages(len(tenant.ids()))
    ]
    best = float("inf")
    collecting = gc.isenabled()
    gc.disable()  # as timeit does: a collection of the big tenant would land in one pass
    try:
        for _ in range(passes):
            started = time.perf_counter()
            for request in requests:
                if dispatcher.dispatch(request).encoded is None:
                    raise RuntimeError("a list page must come encoded")
            best = min(best, (time.perf_counter() - started) / len(requests))
    finally:
        if collecting:
            gc.enable()
    return best * 1000


def _http_ms(emu: Emulator, passes: int) -> float:
    """Median wall time of one page GET over a kept-alive loopback connection."""
    base = urlsplit(emu.base_url)
    connection = http.client.HTTPConnection(base.hostname or "127.0.0.1", base.port, timeout=10)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    path = f"{base.path}/education/synchronizationProfiles"
    seqs = _pages(len(emu.tenant.ids()))
    costs: list[float] = []
    try:
        for _ in range(passes):
            for after in seqs:
                query = f"?$skiptoken={encode_skiptoken(after)}" if after else ""
                started = time.perf_counter()
                connection.request("GET", path + query, headers=headers)
                response = connection.getresponse()
                response.read()
                costs.append(time.perf_counter() - started)
                if response.status != 200:
                    raise RuntimeError(f"emulator answered {response.status}")
    finally:
        connection.close()
    return statistics.median(costs) * 1000


def _create_ms(count: int) -> float:
    """Median cost of one create handled by the dispatcher, response encoded, without sockets."""
    dispatcher = Dispatcher(Tenant(provisioning_delay=0), page_size=PAGE_SIZE)
    costs: list[float] = []
    for i in range(count):
        request = Request(
            route=Route(Op.CREATE),
            query=[],
            body=tenant_profile(i),
            body_error=None,
            has_body=True,
            service_root="http://127.0.0.1:1/beta",
            path="/beta/education/synchronizationProfiles",
        )
        started = time.perf_counter()
        json.dumps(dispatcher.dispatch(request).body)
        costs.append(time.perf_counter() - started)
    return statistics.median(costs) * 1000


def run(settings: Settings, report: Report) -> None:
    passes = max(30, settings.runs * 30)
    per_size: dict[int, float] = {}
    for size in SIZES:
        tenant = Tenant(provisioning_delay=0)
        started = time.perf_counter()
        for body in tenant_bodies(size):
            tenant.seed_profile(body)
        seeded = time.perf_counter() - started
        cold = _dispatch_ms(tenant, 1)  # renders each page's profiles (then cached)
        per_size[size] = _dispatch_ms(tenant, passes)
        report.add(
            Figure(
                f"emulator: page of {PAGE_SIZE} at {size:,} profiles (no HTTP)",
                per_size[size],
                unit="ms",
                note=f"first listing {cold:.2f} ms (renders); seeding took {seeded:.2f} s",
            )
        )
    small, large = per_size[SIZES[0]], per_size[SIZES[-1]]
    report.add(
        Figure(
            f"emulator: page cost at {SIZES[-1]:,} / at {SIZES[0]:,}",
            large / small,
            unit="x",
            target=GROWTH_TARGET,
        )
    )
    report.add(Figure("emulator: one create (no HTTP)", _create_ms(300), unit="ms"))
    with emulator(tenant_bodies(SIZES[0]), latency_ms=0, page_size=PAGE_SIZE) as emu:
        report.add(
            Figure(
                f"emulator: page of {PAGE_SIZE} over HTTP (loopback, no latency)",
                _http_ms(emu, passes),
                unit="ms",
                note="server + socket, response read as bytes",
            )
        )
