"""The compiled yes/no "surely unchanged" (engine/unchanged.py) may only save time: whenever
it answers yes, the full comparison (both trees normalised, projected, compared) finds no
difference. And it must answer yes where nothing changed, or it saves nothing: the other side
is held by the sample profiles against their tenant copies, and by a count over random echoes.
"""

from __future__ import annotations

import copy
import random
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from reconciler.desired import load_desired
from reconciler.emulator.tenant import Tenant
from reconciler.engine.compare import compare, compare_trees
from reconciler.engine.unchanged import surely_unchanged
from reconciler.kinds import KINDS, REGISTRY
from reconciler.kinds.model import (
    ODATA_TYPE,
    KeyedList,
    Kind,
    ObjectType,
    Polymorphic,
    Scalar,
    SetOf,
    TypeExpr,
)
from reconciler.kinds.odata import resolve_variant
from reconciler.objects import DesiredObject, RawPath
from tests.campaigns.json_shapes import any_json, shaped
from tests.campaigns.test_loader_fuzz import BOUNDED, EXAMPLES

SAMPLE = Path(__file__).resolve().parents[2] / "desired-state"


def echo(texpr: TypeExpr | None, value: Any, r: random.Random) -> Any:
    """`value` as the tenant could send it back unchanged: its types and enums spelt another
    way, sets and keyed lists in another order, members in another order, server members and
    members git does not declare beside the declared ones."""
    if isinstance(texpr, Polymorphic) and isinstance(value, dict):
        spelling = value.get(ODATA_TYPE)
        variant = resolve_variant(texpr, spelling) if isinstance(spelling, str) else None
        if variant is None:
            return copy.deepcopy(value)
        out = echo(variant, value, r)
        out[ODATA_TYPE] = r.choice([spelling, f"#microsoft.graph.{variant.name}"])
        return out
    if isinstance(texpr, ObjectType) and isinstance(value, dict):
        out = {}
        for key, item in value.items():
            prop = texpr.prop(key)
            out[key] = echo(prop.type if prop else None, item, r)
        for prop in texpr.props:
            if prop.name not in out and r.random() < 0.3:
                out[prop.name] = shaped(prop.type, r, wild=0)
        if r.random() < 0.3:
            out["@odata.etag"] = 'W/"1"'
        keys = list(out)
        r.shuffle(keys)
        return {key: out[key] for key in keys}
    if isinstance(texpr, (KeyedList, SetOf)) and isinstance(value, list):
        items = [echo(texpr.item, item, r) for item in value]
        if isinstance(texpr, SetOf):
            # Another case: the same set where case does not matter, another one where it does.
            items = [v.swapcase() if isinstance(v, str) and r.random() < 0.1 else v for v in items]
        r.shuffle(items)
        return items
    if isinstance(texpr, Scalar) and texpr.enum and isinstance(value, str):
        return r.choice([value, value.upper(), value.lower()])
    return copy.deepcopy(value)


class _Text(str):
    """Text of another type (as a YAML library's scalar string could be)."""


def mutate(value: Any, r: random.Random) -> Any:
    """`value` with one thing somewhere in it changed, dropped or made null; or a flag made a
    number (`True == 1`), text made a subclass of text, a list item doubled, a non-object
    added to a list."""
    if isinstance(value, bool):
        return int(value) if r.random() < 0.5 else any_json(r)
    if isinstance(value, str) and r.random() < 0.3:
        return _Text(value)
    if isinstance(value, list) and value and r.random() < 0.15:
        value.append(copy.deepcopy(r.choice(value)) if r.random() < 0.5 else "x")
        return value
    if isinstance(value, dict) and value and r.random() < 0.7:
        key = r.choice(list(value))
        roll = r.random()
        if roll < 0.2:
            del value[key]
        elif roll < 0.3:
            value[key] = None
        else:
            value[key] = mutate(value[key], r)
        return value
    if isinstance(value, list) and value and r.random() < 0.7:
        i = r.randrange(len(value))
        if r.random() < 0.2:
            del value[i]
        else:
            value[i] = mutate(value[i], r)
        return value
    return any_json(r)


def leaf_paths(value: Any, at: RawPath = ()) -> list[RawPath]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in leaf_paths(v, (*at, k))] or [at]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in leaf_paths(v, (*at, i))] or [at]
    return [at]


def desired_of(kind: Kind, r: random.Random, wild: float) -> DesiredObject | None:
    body = shaped(kind.root, r, wild=wild)
    if not isinstance(body, dict):
        return None
    variables: dict[RawPath, tuple[str, ...]] = {}
    if r.random() < 0.3:
        for path in r.sample(leaf_paths(body), k=min(2, len(leaf_paths(body)))):
            if path:
                variables[path] = ("SECRET",)
    return DesiredObject(kind, "f.yaml", 1, 1, body, variables=variables)


def case(kind: Kind, r: random.Random, wild: float, mutated: bool) -> tuple[DesiredObject, Any]:
    desired = desired_of(kind, r, wild)
    assert desired is not None or wild > 0
    tenant = echo(kind.root, desired.body if desired else {}, r)
    if mutated:
        tenant = mutate(tenant, r)
    return desired or DesiredObject(kind, "f.yaml", 1, 1, {}), tenant


@settings(BOUNDED, max_examples=EXAMPLES or 500)
@given(st.integers(0, 2**32), st.floats(0, 0.15), st.booleans())
def test_yes_only_where_the_full_comparison_finds_nothing(
    seed: int, wild: float, mutated: bool
) -> None:
    r = random.Random(seed)
    for kind in KINDS.values():
        desired, tenant = case(kind, r, wild, mutated)
        full = compare_trees(desired, tenant, ())
        if surely_unchanged(desired, tenant):
            event("yes")
            assert full == [], (desired.body, tenant)
        else:
            event("no: changed" if full else "no: unsure")
        assert compare(desired, tenant) == full


def test_random_echoes_are_mostly_known_unchanged_and_changes_never() -> None:
    """The count side: over random unchanged copies, most get a yes (a check that answered
    no to everything would pass the property above and save nothing); over changed ones, a
    yes never comes with a difference."""
    answers: Counter[str] = Counter()
    r = random.Random(20261129)
    for _ in range(300):
        for kind in KINDS.values():
            for mutated in (False, True):
                desired, tenant = case(kind, r, 0.0, mutated)
                full = compare_trees(desired, tenant, ())
                yes = surely_unchanged(desired, tenant)
                assert not (yes and full)
                answers[f"{'changed' if mutated else 'echo'} {'yes' if yes else 'no'}"] += 1
    echoes = answers["echo yes"] + answers["echo no"]
    assert answers["echo yes"] > 0.3 * echoes, answers
    assert answers["changed no"] > answers["changed yes"], answers


def test_each_sample_profile_is_known_unchanged_against_its_tenant_copy() -> None:
    state = load_desired(str(SAMPLE))
    assert state.ok and state.objects
    tenant = Tenant(provisioning_delay=0)
    for obj in state.objects:
        tenant.seed_profile(copy.deepcopy(obj.body))
    listed = {REGISTRY.default.key_of(b): b for b in tenant.list_page(limit=100).items}
    for obj in state.objects:
        copy_read = listed[obj.name]
        assert compare_trees(obj, copy_read, ()) == []
        assert surely_unchanged(obj, copy_read), obj.name
        changed = copy.deepcopy(copy_read)
        changed["displayName"] = obj.name + " (renamed in the portal)"
        assert not surely_unchanged(obj, changed)
