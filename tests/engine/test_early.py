"""Comparing while the tenant is read: a plan made with comparisons done early is the plan made
without them, and the comparisons it needs were done (else the early work saves nothing)."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from reconciler.emulator import Emulator
from reconciler.engine.early import EarlyComparisons
from reconciler.engine.model import Action, Actual, Plan, PlanOptions
from reconciler.engine.plan import build_plan
from reconciler.graph import GraphClient
from reconciler.identity import Identity, Permission, StaticTokenProvider
from reconciler.jsontypes import JSONObject
from reconciler.kinds import KINDS, REGISTRY
from reconciler.kinds.model import Kind
from reconciler.kinds.typetree import reference_paths
from reconciler.objects import DesiredObject
from reconciler.render.plan_json import render_json
from reconciler.tenant import read_tenant
from tests.campaigns.test_loader_fuzz import BOUNDED, EXAMPLES
from tests.engine.test_unchanged import case

PROFILE = REGISTRY.default
#: Kinds whose tenant objects are compared as listed (no references rewritten, no container).
STANDALONE = [
    k
    for k in KINDS.values()
    if not reference_paths(k.root) and not k.relations and not k.endpoint.parent
]


def _pages(bodies: Sequence[JSONObject], size: int) -> Iterator[list[JSONObject]]:
    for start in range(0, len(bodies), size):
        yield list(bodies[start : start + size])


def _both(
    desired: Sequence[DesiredObject],
    tenant: dict[str, list[JSONObject]],
    ignores: tuple[str, ...] = (),
) -> tuple[EarlyComparisons, Plan, Plan]:
    early = EarlyComparisons(desired, ignores)
    for name, bodies in tenant.items():
        for page in _pages(bodies, 3):
            early.read(REGISTRY[name], page)
    actuals = {name: [Actual(b) for b in bodies] for name, bodies in tenant.items()}
    options = PlanOptions(ignore_changes=ignores)
    made_early = build_plan(tuple(desired), actuals, options, registry=REGISTRY, early=early)
    made_late = build_plan(tuple(desired), actuals, options, registry=REGISTRY)
    return early, made_early, made_late


def _profile(name: str, **extra: Any) -> DesiredObject:
    body = {
        "displayName": name,
        "dataProvider": {"@odata.type": "#microsoft.graph.educationCsvDataProvider"},
        "identitySynchronizationConfiguration": {
            "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration",
            "userDomains": [{"appliesTo": "student", "name": "x.edu"}],
        },
        "licensesToAssign": [],
        **extra,
    }
    return DesiredObject(PROFILE, f"{name}.yaml", 1, 1, body)


def _read(obj: DesiredObject, object_id: str, **changed: Any) -> JSONObject:
    return {**copy.deepcopy(obj.body), "id": object_id, "state": "provisioned", **changed}


@settings(BOUNDED, max_examples=EXAMPLES or 200)
@given(st.integers(0, 2**32), st.floats(0, 0.15))
def test_the_plan_made_with_early_comparisons_is_the_plan_made_without(
    seed: int, wild: float
) -> None:
    r = random.Random(seed)
    desired: list[DesiredObject] = []
    tenant: dict[str, list[JSONObject]] = {}
    for kind in STANDALONE:
        for n in range(4):
            obj, read = case(kind, r, wild, mutated=r.random() < 0.5)
            if not isinstance(read, dict):
                continue
            read = {**read, "id": f"{kind.name}-{n}"}
            if r.random() < 0.2:  # pinned: matched by id, whatever its name now
                obj = replace(obj, body={**obj.body, "id": read["id"]})
            desired.append(obj)
            tenant.setdefault(kind.name, []).append(read)
    early, made_early, made_late = _both(desired, tenant)
    assert render_json(made_early) == render_json(made_late)
    # Each desired object matched in the tenant found its comparison done.
    for change in made_early.changes:
        if change.action in (Action.NOOP, Action.UPDATE, Action.REPLACE):
            assert change.before is not None and change.after is not None
            assert early.compared(change.after, change.before, ()) is not None, change.name
    event(f"{early.count} compared early")


def test_renames_duplicates_ignores_and_pinned_ids_plan_as_before() -> None:
    a, b, pinned = _profile("A"), _profile("B"), _profile("P", id="p-1")
    ignored = ("licensesToAssign",)
    tenant = {
        PROFILE.name: [
            _read(a, "a-1", licensesToAssign=[{"appliesTo": "teacher", "skuIds": ["t"]}]),
            _read(b, "b-1", licensesToAssign=[{"appliesTo": "student", "skuIds": ["s"]}]),
            _read(b, "b-2"),  # a second B: the plan fails for B, naming both
            _read(pinned, "p-1", displayName="P renamed in the portal"),
            _read(pinned, "p-2"),  # P's name, another id: the pinned id wins
        ]
    }
    for ignores in ((), ignored):
        early, made_early, made_late = _both([a, b, pinned], tenant, ignores)
        assert render_json(made_early) == render_json(made_late)
        assert early.count == 5  # a; b twice; pinned by id and by name
        actions = {c.name: c.action for c in made_early.changes}
        # A differs only where the settings say to look away.
        assert actions == {"A": Action.NOOP if ignores else Action.UPDATE, "P": Action.UPDATE}
    assert [e.name for e in made_early.errors] == ["B"]


def test_only_the_very_objects_compared_are_answered_for() -> None:
    a = _profile("A")
    read = _read(a, "a-1")
    early = EarlyComparisons([a], ())
    early.read(PROFILE, [read])
    assert early.compared(a, read, ()) == []
    assert early.compared(a, copy.deepcopy(read), ()) is None  # equal is not the same object
    assert early.compared(_profile("A"), read, ()) is None
    assert early.compared(a, read, ("licensesToAssign",)) is None  # compared with other ignores
    drifted = _read(a, "a-1", licensesToAssign=[{"appliesTo": "student", "skuIds": ["s"]}])
    early.read(PROFILE, [drifted])
    fields = early.compared(a, drifted, ())
    assert fields and fields[0].path.startswith("licensesToAssign")
    fields.clear()  # the caller's copy
    assert early.compared(a, drifted, ())


def test_kinds_whose_tenant_objects_the_plan_rewrites_are_left_alone() -> None:
    referencing = [k for k in KINDS.values() if reference_paths(k.root)]
    assert referencing
    kind: Kind = referencing[0]
    obj = DesiredObject(kind, "x.yaml", 1, 1, {kind.key.paths[0]: "x"})
    early = EarlyComparisons([obj], ())
    assert not early.wanted
    early.read(kind, [{"id": "1", kind.key.paths[0]: "x"}])
    assert early.count == 0


def test_pages_read_over_http_are_compared_while_the_next_is_fetched() -> None:
    """Through `read_tenant` against the emulator (pages of 2): every matched profile was
    compared as its page arrived, and the plan is the one made without."""
    token = "early-test-token"
    desired = [_profile(f"P{i}") for i in range(5)]
    with Emulator(token=token, page_size=2, provisioning_delay=0) as emu:
        for i, obj in enumerate(desired):
            body = copy.deepcopy(obj.body)
            if i == 3:
                body["licensesToAssign"] = [{"appliesTo": "teacher", "skuIds": ["t"]}]
            emu.tenant.seed_profile(body)
        client = GraphClient(
            emu.base_url,
            StaticTokenProvider(token, Identity(Permission.DELEGATED, "test token")),
        )
        early = EarlyComparisons(desired, ())
        try:
            tenant = read_tenant(client, [PROFILE], as_read=early.read)
        finally:
            client.close()
        pages = sum(1 for r in emu.requests_log.entries() if r.method == "GET")
    assert pages == 3
    assert early.count == 5
    made_early = build_plan(tuple(desired), tenant, PlanOptions(), registry=REGISTRY, early=early)
    made_late = build_plan(tuple(desired), tenant, PlanOptions(), registry=REGISTRY)
    assert render_json(made_early) == render_json(made_late)
    assert [c.name for c in made_early.changes if c.action is Action.UPDATE] == ["P3"]


def test_pages_that_relations_complete_later_are_not_handed_on() -> None:
    """A kind read with relations gets members put into its objects after its list: comparing
    its pages as they arrive would compare objects not yet final."""
    from tests.kinds.idkinds import Writer, converge, sample_objects

    with Emulator() as emu:
        converge(Writer(emu))
        kinds = {o.kind.name: o.kind for o in sample_objects()}
        heard: set[str] = set()
        client = GraphClient(
            emu.base_url,
            StaticTokenProvider("any", Identity(Permission.DELEGATED, "test token")),
        )
        try:
            tenant = read_tenant(client, kinds.values(), as_read=lambda k, _p: heard.add(k.name))
        finally:
            client.close()
    with_relations = {name for name, kind in kinds.items() if kind.relations}
    assert with_relations and heard
    assert heard.isdisjoint(with_relations)
    assert heard == {
        n for n, k in kinds.items() if tenant[n] and not k.relations and not k.endpoint.parent
    }
