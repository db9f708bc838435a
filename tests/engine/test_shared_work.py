"""The work a plan shares or skips for speed changes no answer: the `${NAME}` marks the
normaliser follows, the loader's same-source findings reused by the plan, and the skeleton
deepdiff is given (values are read from the whole trees)."""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from reconciler.desired import load_desired
from reconciler.engine.compare import compare, desired_source, display_fields
from reconciler.engine.diff import diff, explanations_held, forget_explanations
from reconciler.engine.lookalike import source_of
from reconciler.engine.model import Action, Actual, PlanOptions
from reconciler.engine.normalize import desired_tree, normalize
from reconciler.engine.plan import build_plan
from reconciler.engine.twins import twins
from reconciler.kinds import KINDS, REGISTRY
from reconciler.objects import DesiredObject
from tests.campaigns.test_loader_fuzz import BOUNDED, EXAMPLES
from tests.engine.test_unchanged import desired_of

KIND = REGISTRY["synchronizationProfile"]
_MATCHING = (
    "displayName: {name}\n"
    "dataProvider:\n"
    "  '@odata.type': '#microsoft.graph.educationCsvDataProvider'\n"
    "identitySynchronizationConfiguration:\n"
    "  '@odata.type': '#microsoft.graph.educationIdentityMatchingConfiguration'\n"
    "  matchingOptions:\n"
    "    - appliesTo: student\n"
    "      sourcePropertyName: Username\n"
    "      targetPropertyName: userPrincipalName\n"
    "      targetDomain: {domain}\n"
)


def _loaded(tmp_path: Path, **files: str) -> list[DesiredObject]:
    folder = tmp_path / "d"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text)
    state = load_desired(str(folder))
    assert state.ok, state.problems
    return list(state.objects)


def test_a_variable_inside_a_keyed_list_item_is_marked_there_only(tmp_path: Path) -> None:
    (desired,) = _loaded(tmp_path, p=_MATCHING.format(name="A", domain="${STUDENT_DOMAIN}"))
    tenant = copy.deepcopy(desired.body)
    option = tenant["identitySynchronizationConfiguration"]["matchingOptions"][0]
    option["targetDomain"] = "whatever.example.edu"
    assert compare(desired, tenant) == []  # the variable's value is never compared
    option["sourcePropertyName"] = "Email"  # …but its neighbours are
    (changed,) = compare(desired, tenant)
    assert changed.path == (
        "identitySynchronizationConfiguration.matchingOptions[student].sourcePropertyName"
    )
    shown = {f.path: f.after for f in display_fields(desired)}
    item = shown["identitySynchronizationConfiguration.matchingOptions[student]"]
    assert item["targetDomain"] == "(sensitive)" and item["sourcePropertyName"] == "Username"


def test_the_same_tree_with_and_without_marks(tmp_path: Path) -> None:
    (desired,) = _loaded(tmp_path, p=_MATCHING.format(name="A", domain="d.example.edu"))
    marked = normalize(desired.body, KIND.root, variables={("displayName",): ("X",)})
    plain = normalize(desired.body, KIND.root)
    assert "displayName" not in marked
    assert marked == {k: v for k, v in plain.items() if k != "displayName"}
    assert plain["identitySynchronizationConfiguration"]["matchingOptions"]  # not emptied


def test_the_plan_reuses_what_the_loader_learnt_of_sources(tmp_path: Path) -> None:
    text = (
        "displayName: {name}\n"
        "dataProvider:\n"
        "  '@odata.type': '#microsoft.graph.educationPowerSchoolDataProvider'\n"
        "  connectionUrl: https://ps.example.edu\n"
        "  clientId: c\n"
        "  clientSecret: ${{S}}\n"
        "  schoolYear: '2026'\n"
        "  schoolsIds: ['1']\n"
        "  allowTeachersInMultipleSchools: false\n"
        "identitySynchronizationConfiguration:\n"
        "  '@odata.type': '#microsoft.graph.educationIdentityMatchingConfiguration'\n"
        "  matchingOptions: []\n"
    )
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "a.yaml").write_text(text.format(name="A"))
    (folder / "b.yaml").write_text(text.format(name="B"))
    state = load_desired(str(folder))
    assert state.sources is not None
    fresh, reused = twins(state.objects), twins(state.objects, state.sources)
    assert [(t.earlier.name, t.later.name, t.source) for t in reused] == [
        (t.earlier.name, t.later.name, t.source) for t in fresh
    ]
    assert len(fresh) == 1
    plan = build_plan(state.objects, {}, PlanOptions(), registry=REGISTRY, sources=state.sources)
    flagged = [c.name for c in plan.changes if c.duplicate_of]
    assert flagged == ["A", "B"]


def test_a_tree_is_made_afresh_each_time(tmp_path: Path) -> None:
    """Trees are not held (memory): a caller may change the one it was given."""
    (desired,) = _loaded(tmp_path, p=_MATCHING.format(name="A", domain="d.example.edu"))
    first = desired_tree(desired)
    first["displayName"] = "changed"
    assert desired_tree(desired)["displayName"] == "A"


def test_the_skeleton_diff_reports_values_from_the_whole_trees() -> None:
    before: dict[str, Any] = {
        "displayName": "A",
        "dataProvider": {
            "@odata.type": "educationCsvDataProvider",
            "customizations": {"student": {"optionalPropertiesToSync": ["a", "b"]}},
        },
        "licensesToAssign": {"[teacher]": {"appliesTo": "teacher", "skuIds": ["x"]}},
    }
    after = copy.deepcopy(before)
    after["dataProvider"]["customizations"]["student"]["optionalPropertiesToSync"] = ["a", "c"]
    after["licensesToAssign"] = {}
    fields = {f.path: (f.before, f.after) for f in diff(before, after, KIND.root)}
    assert fields == {
        "dataProvider.customizations.student.optionalPropertiesToSync": (["a", "b"], ["a", "c"]),
        "licensesToAssign[teacher]": ({"appliesTo": "teacher", "skuIds": ["x"]}, None),
    }


def test_an_unchanged_plan_copies_no_change(tmp_path: Path) -> None:
    (desired,) = _loaded(tmp_path, p=_MATCHING.format(name="A", domain="d.example.edu"))
    actual = Actual({**copy.deepcopy(desired.body), "id": "1"})
    plan = build_plan((desired,), {KIND.name: [actual]}, PlanOptions(), registry=REGISTRY)
    (change,) = plan.changes
    assert (
        change.action is Action.NOOP and change.depends_on == () and change.key == f"{KIND.name}:1"
    )


def test_objects_drifted_alike_share_one_explanation_but_show_their_own_values() -> None:
    forget_explanations()
    base: dict[str, Any] = {"displayName": "A", "licensesToAssign": {}}
    shown = []
    for old, new in (("x", "y"), ("p", "q")):
        before = {**base, "dataProvider": {"@odata.type": "educationCsvDataProvider"}}
        before["dataProvider"]["customizations"] = {"student": {"optionalPropertiesToSync": [old]}}
        after = copy.deepcopy(before)
        after["dataProvider"]["customizations"]["student"]["optionalPropertiesToSync"] = [new]
        shown.append([(f.path, f.before, f.after) for f in diff(before, after, KIND.root)])
    path = "dataProvider.customizations.student.optionalPropertiesToSync"
    assert shown == [[(path, ["x"], ["y"])], [(path, ["p"], ["q"])]]
    assert explanations_held() == 1


@settings(BOUNDED, max_examples=EXAMPLES or 300)
@given(st.integers(0, 2**32), st.floats(0, 0.15))
def test_a_source_read_from_part_of_an_object_is_the_whole_trees(seed: int, wild: float) -> None:
    r = random.Random(seed)
    found = 0
    for kind in KINDS.values():
        desired = desired_of(kind, r, wild)
        if desired is None:
            continue
        whole = source_of(kind, desired_tree(desired))
        assert desired_source(desired) == whole
        found += bool(whole)
    event(f"{found} sources")
