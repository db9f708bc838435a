"""Real drifts: each tenant edit shows up as exactly the field that changed, with before/after."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.desired import load_desired
from reconciler.engine.compare import compare, fingerprint
from reconciler.engine.diff import diff
from reconciler.engine.model import Action, Actual, PlanOptions
from reconciler.engine.normalize import normalize
from reconciler.engine.plan import build_plan
from reconciler.kinds import REGISTRY
from reconciler.kinds.sync_profile import PROFILE

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
REQUEST = json.loads((SEEDS / "001_create_request.json").read_text())
RESPONSE = json.loads((SEEDS / "001_create_response.json").read_text())

EXTRA = {
    "expirationDate": "2025-06-30",
    "handleSpecialCharacterConstraint": True,
}


def desired_object(
    tmp_path: Path, request: dict[str, Any], lifecycle: dict[str, Any] | None = None
):
    folder = tmp_path / "d"
    folder.mkdir(exist_ok=True)
    body = request | ({"lifecycle": lifecycle} if lifecycle else {})
    (folder / "p.yaml").write_text(json.dumps(body, indent=2))
    state = load_desired(str(folder))
    assert state.ok, state.problems
    return state.objects[0]


def edit(fn: Callable[[dict[str, Any]], None]) -> Callable[[], dict[str, Any]]:
    def make() -> dict[str, Any]:
        actual = copy.deepcopy(RESPONSE) | copy.deepcopy(EXTRA)
        fn(actual)
        return actual

    return make


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(actual: dict[str, Any]) -> None:
        node = actual
        keys = path.split("/")
        for key in keys[:-1]:
            node = node[int(key)] if key.isdigit() else node[key]
        last = keys[-1]
        if value is KeyError:
            del node[last]
        else:
            node[int(last) if last.isdigit() else last] = value

    return apply


SKU = "6fd2c87f-b296-42f0-b197-1e91e994b900"
DRIFTS = [
    (
        "student optional property removed",
        _set("dataProvider/customizations/student/optionalPropertiesToSync", ["State ID"]),
        "dataProvider.customizations.student.optionalPropertiesToSync",
        (["State ID"], ["Middle Name", "State ID"]),
    ),
    (
        "optional properties null (sync all) is not []",
        _set("dataProvider/customizations/student/optionalPropertiesToSync", None),
        "dataProvider.customizations.student.optionalPropertiesToSync",
        (None, ["Middle Name", "State ID"]),
    ),
    (
        "student slot removed by the server",
        _set("dataProvider/customizations/student", KeyError),
        "dataProvider.customizations.student.optionalPropertiesToSync",
        (None, ["Middle Name", "State ID"]),
    ),
    (
        "teacher license sku changed",
        _set("licensesToAssign/0/skuIds", ["94763226-9b3c-4e75-a931-5c89701abe66"]),
        "licensesToAssign[teacher].skuIds",
        (["94763226-9b3c-4e75-a931-5c89701abe66"], [SKU]),
    ),
    (
        "license item for a role removed",
        _set("licensesToAssign", [{"appliesTo": "teacher", "skuIds": [SKU]}]),
        "licensesToAssign[student]",
        (None, {"appliesTo": "student", "skuIds": [SKU]}),
    ),
    (
        "extra license item in the tenant",
        lambda a: a["licensesToAssign"].append({"appliesTo": "faculty", "skuIds": [SKU]}),
        "licensesToAssign[faculty]",
        ({"appliesTo": "faculty", "skuIds": [SKU]}, None),
    ),
    (
        "user domain changed",
        _set("identitySynchronizationConfiguration/userDomains/1/name", "other.edu"),
        "identitySynchronizationConfiguration.userDomains[teacher].name",
        ("other.edu", "testschool.edu"),
    ),
    (
        "expiration date changed",
        _set("expirationDate", "2025-07-31"),
        "expirationDate",
        ("2025-07-31", "2025-06-30"),
    ),
    (
        "special characters flag flipped",
        _set("handleSpecialCharacterConstraint", False),
        "handleSpecialCharacterConstraint",
        (False, True),
    ),
    (
        "provider type changed (replace)",
        _set(
            "dataProvider",
            {
                "@odata.type": "#microsoft.graph.educationPowerSchoolDataProvider",
                "connectionUrl": "https://x",
                "clientId": "y",
            },
        ),
        "dataProvider.@odata.type",
        ("educationPowerSchoolDataProvider", "educationCsvDataProvider"),
    ),
]


@pytest.mark.parametrize(
    ("mutate", "path", "values"),
    [(d[1], d[2], d[3]) for d in DRIFTS],
    ids=[d[0] for d in DRIFTS],
)
def test_drift_is_detected_at_its_path(tmp_path: Path, mutate, path: str, values) -> None:
    desired = desired_object(tmp_path, REQUEST | EXTRA)
    actual = edit(mutate)()
    fields = compare(desired, actual)
    matching = [f for f in fields if f.path == path]
    assert matching, [f.path for f in fields]
    before, after = values
    # Values come out in Graph's shape (keyed lists as lists), never in the internal form.
    assert matching[0].before == before
    assert matching[0].after == after


def test_provider_type_change_is_a_replace(tmp_path: Path) -> None:
    desired = desired_object(tmp_path, REQUEST)
    actual = copy.deepcopy(RESPONSE)
    actual["dataProvider"] = {"@odata.type": "microsoft.graph.educationPowerSchoolDataProvider"}
    plan = build_plan(
        (desired,), {"synchronizationProfile": [Actual(actual)]}, PlanOptions(), registry=REGISTRY
    )
    assert plan.changes[0].action is Action.REPLACE
    assert any("REPLACE" in w for w in plan.changes[0].warnings)


def test_server_defaults_not_written_are_not_drift(tmp_path: Path) -> None:
    desired = desired_object(tmp_path, REQUEST)
    actual = copy.deepcopy(RESPONSE)
    actual["dataProvider"]["customizations"]["teacher"]["isSyncDeferred"] = True
    actual["dataProvider"]["customizations"]["section"]["optionalPropertiesToSync"] = []
    assert compare(desired, actual) == []


def test_declared_default_equals_absent(tmp_path: Path) -> None:
    request = copy.deepcopy(REQUEST)
    request["dataProvider"]["customizations"]["studentEnrollment"] = {
        "isSyncDeferred": False,
        "allowDisplayNameUpdate": False,
        "synchronizationStartDate": None,
    }
    desired = desired_object(tmp_path, request)
    actual = copy.deepcopy(RESPONSE)
    del actual["dataProvider"]["customizations"]["studentEnrollment"]
    assert compare(desired, actual) == []


def test_datetimes_compare_as_instants(tmp_path: Path) -> None:
    request = copy.deepcopy(REQUEST)
    request["dataProvider"]["customizations"]["studentEnrollment"] = {
        "synchronizationStartDate": "2025-08-01T02:00:00+02:00"
    }
    desired = desired_object(tmp_path, request)
    actual = copy.deepcopy(RESPONSE)
    actual["dataProvider"]["customizations"]["studentEnrollment"]["synchronizationStartDate"] = (
        "2025-08-01T00:00:00.0000000Z"
    )
    assert compare(desired, actual) == []
    actual["dataProvider"]["customizations"]["studentEnrollment"]["synchronizationStartDate"] = (
        "2025-08-01T00:00:01Z"
    )
    assert [f.path for f in compare(desired, actual)] == [
        "dataProvider.customizations.studentEnrollment.synchronizationStartDate"
    ]


def test_ignore_changes_skips_paths(tmp_path: Path) -> None:
    desired = desired_object(
        tmp_path, REQUEST, {"ignoreChanges": ["licensesToAssign[TEACHER].skuIds"]}
    )
    actual = copy.deepcopy(RESPONSE)
    actual["licensesToAssign"][0]["skuIds"] = ["other"]
    assert compare(desired, actual) == []
    actual["licensesToAssign"][1]["skuIds"] = ["other"]
    assert [f.path for f in compare(desired, actual)] == ["licensesToAssign[student].skuIds"]


def test_comparing_leaves_the_tenant_object_as_it_was(tmp_path: Path) -> None:
    """Comparing with an ignored path inside an item git does not declare changes neither the
    tenant object as read (the change's `before`) nor its fingerprint."""
    request = copy.deepcopy(REQUEST)
    request["licensesToAssign"] = [
        i for i in request["licensesToAssign"] if i["appliesTo"] != "student"
    ]
    desired = desired_object(
        tmp_path, request, {"ignoreChanges": ["licensesToAssign[student].skuIds"]}
    )
    kind = desired.kind
    actual = copy.deepcopy(RESPONSE)
    fingerprint_before = fingerprint(kind, actual)
    fields = compare(desired, actual)
    assert [f.path for f in fields] == ["licensesToAssign[student]"]
    assert actual == RESPONSE
    assert fingerprint(kind, actual) == fingerprint_before


def test_a_changes_fingerprint_is_its_tenant_objects_as_read(tmp_path: Path) -> None:
    """Worked out when first asked (a plan only shown never hashes): of the object as read
    and whether it was paused, as the full function says; a delete's too; a create has none."""
    desired = desired_object(tmp_path, REQUEST, {"paused": False})
    kind = desired.kind
    gone = {**copy.deepcopy(RESPONSE), "id": "gone-1", "displayName": "Old"}
    plan = build_plan(
        (desired,),
        {kind.name: [Actual(copy.deepcopy(RESPONSE), "paused"), Actual(gone)]},
        PlanOptions(prune=True),
        registry=REGISTRY,
    )
    by_name = {c.name: c for c in plan.changes}
    kept = by_name[desired.name]
    assert kept.paused is True
    assert kept.fingerprint == fingerprint(kind, RESPONSE, True)
    assert kept.fingerprint != fingerprint(kind, RESPONSE)  # a pause since then makes it stale
    assert by_name["Old"].fingerprint == fingerprint(kind, gone)
    created = build_plan((desired,), {}, PlanOptions(), registry=REGISTRY).changes[0]
    assert created.fingerprint is None


def test_lifecycle_paused_plans_pause_and_resume(tmp_path: Path) -> None:
    desired = desired_object(tmp_path, REQUEST, {"paused": True})
    actual = copy.deepcopy(RESPONSE)
    plan = build_plan(
        (desired,),
        {"synchronizationProfile": [Actual(actual, "inProgress")]},
        PlanOptions(),
        registry=REGISTRY,
    )
    assert plan.changes[0].action is Action.PAUSE
    plan = build_plan(
        (desired,),
        {"synchronizationProfile": [Actual(actual, "paused")]},
        PlanOptions(),
        registry=REGISTRY,
    )
    assert plan.changes[0].action is Action.NOOP


def test_duplicate_names_in_tenant_fail_with_both_ids(tmp_path: Path) -> None:
    desired = desired_object(tmp_path, REQUEST)
    a, b = copy.deepcopy(RESPONSE), copy.deepcopy(RESPONSE)
    b["id"] = "second-id"
    plan = build_plan(
        (desired,),
        {"synchronizationProfile": [Actual(a), Actual(b)]},
        PlanOptions(),
        registry=REGISTRY,
    )
    assert plan.changes == ()
    assert RESPONSE["id"] in plan.errors[0].message and "second-id" in plan.errors[0].message


def test_prune_and_unmanaged(tmp_path: Path) -> None:
    desired = desired_object(tmp_path, REQUEST)
    other = copy.deepcopy(RESPONSE) | {"id": "other-id", "displayName": "Legacy"}
    tenant = {"synchronizationProfile": [Actual(copy.deepcopy(RESPONSE)), Actual(other)]}
    plan = build_plan((desired,), tenant, PlanOptions(), registry=REGISTRY)
    assert [u.name for u in plan.unmanaged] == ["Legacy"] and not plan.has_changes
    plan = build_plan((desired,), tenant, PlanOptions(prune=True), registry=REGISTRY)
    assert [(c.action, c.name) for c in plan.pending] == [(Action.DELETE, "Legacy")]


def test_prune_refused_with_empty_desired_state() -> None:
    tenant = {"synchronizationProfile": [Actual(copy.deepcopy(RESPONSE))]}
    plan = build_plan((), tenant, PlanOptions(prune=True), registry=REGISTRY)
    assert not plan.pending and plan.errors and "refusing to prune" in plan.errors[0].message


def test_pinned_id_rename(tmp_path: Path) -> None:
    request = copy.deepcopy(REQUEST) | {"id": RESPONSE["id"], "displayName": "New Name"}
    desired = desired_object(tmp_path, request)
    plan = build_plan(
        (desired,),
        {"synchronizationProfile": [Actual(copy.deepcopy(RESPONSE))]},
        PlanOptions(),
        registry=REGISTRY,
    )
    change = plan.changes[0]
    assert change.action is Action.UPDATE
    assert [(f.path, f.before, f.after) for f in change.fields] == [
        ("displayName", "Test Profile", "New Name")
    ]
    assert plan.unmanaged == ()


# -- properties -------------------------------------------------------------------------------

names = st.text(alphabet="ABCDEFGHIJ abc", min_size=1, max_size=8).filter(str.strip)
optional_props = st.lists(names, max_size=5, unique=True)
# validate checks formats: user domains are domain names, SKU ids are GUIDs
domains = st.from_regex(r"[a-z]{1,8}(\.[a-z]{2,4}){1,2}", fullmatch=True)
sku_ids = st.uuids().map(str)
roles = st.sampled_from(["student", "teacher", "faculty"])


@st.composite
def profiles(draw: st.DrawFn) -> dict[str, Any]:
    role_list = draw(st.lists(roles, unique=True, max_size=3))
    slots = draw(
        st.lists(st.sampled_from(["school", "section", "student", "teacher"]), unique=True)
    )
    return {
        "displayName": draw(names),
        "dataProvider": {
            "@odata.type": draw(
                st.sampled_from(
                    [
                        "#microsoft.graph.educationCsvDataProvider",
                        "microsoft.graph.educationcsvdataprovider",
                    ]
                )
            ),
            "customizations": {
                s: {
                    "optionalPropertiesToSync": draw(optional_props),
                    "isSyncDeferred": draw(st.booleans()),
                }
                for s in slots
            },
        },
        "identitySynchronizationConfiguration": {
            "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration",
            "userDomains": [{"appliesTo": r, "name": draw(domains)} for r in role_list],
        },
        "licensesToAssign": [
            {"appliesTo": r, "skuIds": draw(st.lists(sku_ids, max_size=3, unique=True))}
            for r in role_list
        ],
    }


def graph_echo(profile: dict[str, Any], shuffle: st.DrawFn) -> dict[str, Any]:
    """What Graph sends back: defaults filled in, spellings changed, lists reordered."""
    echo = copy.deepcopy(profile) | {"id": "x", "state": "provisioned"}
    echo["dataProvider"]["@odata.type"] = "microsoft.graph.educationCsvDataProvider"
    for slot in ("school", "section", "student", "teacher", "studentEnrollment", "teacherRoster"):
        custom = echo["dataProvider"]["customizations"].setdefault(
            slot, {"optionalPropertiesToSync": []}
        )
        custom.setdefault("isSyncDeferred", False)
        custom.setdefault("allowDisplayNameUpdate", False)
        custom.setdefault("synchronizationStartDate", "0001-01-01T00:00:00Z")
        custom["optionalPropertiesToSync"] = shuffle(
            st.permutations(custom["optionalPropertiesToSync"])
        )
    for item in echo["licensesToAssign"]:
        item["@odata.type"] = "microsoft.graph.educationSynchronizationLicenseAssignment"
        item["skuIds"] = [s.upper() for s in shuffle(st.permutations(item["skuIds"]))]
    echo["licensesToAssign"] = shuffle(st.permutations(echo["licensesToAssign"]))
    return echo


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(profile=profiles(), data=st.data())
def test_a_profile_never_differs_from_its_graph_echo(tmp_path: Path, profile, data) -> None:
    desired = desired_object(tmp_path, profile)
    assert compare(desired, graph_echo(profile, data.draw)) == []


def changes_of(profile: dict[str, Any]) -> list[tuple[str, Callable[[dict[str, Any]], None]]]:
    """Edits of one declared value each, with the field path a plan must show for it: the
    other side of "never differs from its echo" (a normaliser that forgot everything, or
    returned {}, would pass that one alone)."""
    edits: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
        ("displayName", lambda p: p.__setitem__("displayName", p["displayName"] + " 2"))
    ]
    for slot, custom in profile["dataProvider"]["customizations"].items():
        where = f"dataProvider.customizations.{slot}"

        def flip(p: dict[str, Any], slot: str = slot) -> None:
            custom = p["dataProvider"]["customizations"][slot]
            custom["isSyncDeferred"] = not custom.get("isSyncDeferred", False)

        def add_property(p: dict[str, Any], slot: str = slot) -> None:
            p["dataProvider"]["customizations"][slot]["optionalPropertiesToSync"].append("Zz New")

        edits.append((f"{where}.isSyncDeferred", flip))
        if custom["optionalPropertiesToSync"] is not None:
            edits.append((f"{where}.optionalPropertiesToSync", add_property))
    for item in profile["identitySynchronizationConfiguration"]["userDomains"]:
        key = item["appliesTo"]

        def rename(p: dict[str, Any], key: str = key) -> None:
            domain = _item(p["identitySynchronizationConfiguration"]["userDomains"], key)
            domain["name"] = "changed." + domain["name"]

        edits.append((f"identitySynchronizationConfiguration.userDomains[{key}].name", rename))
    for item in profile["licensesToAssign"]:
        key = item["appliesTo"]

        def add_sku(p: dict[str, Any], key: str = key) -> None:
            _item(p["licensesToAssign"], key)["skuIds"].append(
                "00000000-0000-4000-8000-00000000abcd"
            )

        edits.append((f"licensesToAssign[{key}].skuIds", add_sku))
    return edits


def _item(keyed: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """A keyed-list item by its key (Graph's echo may reorder the list)."""
    return next(i for i in keyed if i["appliesTo"] == key)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(profile=profiles(), data=st.data())
def test_a_changed_value_in_the_echo_is_a_difference_at_its_path(
    tmp_path: Path, profile, data
) -> None:
    desired = desired_object(tmp_path, profile)
    path, edit_it = data.draw(st.sampled_from(changes_of(profile)))
    echo = graph_echo(profile, data.draw)
    edit_it(echo)
    assert [f.path for f in compare(desired, echo)] == [path]


@settings(max_examples=60, deadline=None)
@given(profile=profiles())
def test_normalisation_is_idempotent(profile) -> None:
    once = normalize(profile, PROFILE)
    from reconciler.engine.normalize import external

    # Normalising the normalised form (keyed lists shown as lists again) changes nothing.
    assert normalize(external(once, PROFILE), PROFILE) == once


@settings(max_examples=60, deadline=None)
@given(profile=profiles(), data=st.data())
def test_normalisation_keeps_every_declared_value(profile, data) -> None:
    # The other side of idempotence (which a normaliser returning {} would pass): a changed
    # value changes the normal form, and in no other place than its own.
    path, edit_it = data.draw(st.sampled_from(changes_of(profile)))
    changed = copy.deepcopy(profile)
    edit_it(changed)
    before, after = normalize(profile, PROFILE), normalize(changed, PROFILE)
    assert before != after
    assert [f.path for f in diff(before, after, PROFILE)] == [path]


def test_pinned_rename_and_new_profile_with_the_old_name(tmp_path: Path) -> None:
    folder = tmp_path / "two"
    folder.mkdir()
    renamed = copy.deepcopy(REQUEST) | {"id": RESPONSE["id"], "displayName": "Renamed"}
    (folder / "a.yaml").write_text(json.dumps(renamed))
    (folder / "b.yaml").write_text(json.dumps(REQUEST))  # takes over the old name
    state = load_desired(str(folder))
    plan = build_plan(
        state.objects,
        {"synchronizationProfile": [Actual(copy.deepcopy(RESPONSE))]},
        PlanOptions(),
        registry=REGISTRY,
    )
    by_name = {c.name: c for c in plan.changes}
    assert by_name["Renamed"].action is Action.UPDATE and by_name["Renamed"].id == RESPONSE["id"]
    assert by_name["Test Profile"].action is Action.CREATE  # never a second update of the same id
    assert any("second profile with that name" in w for w in by_name["Test Profile"].warnings)


def test_variable_inside_a_list_is_sensitive_whole(tmp_path: Path) -> None:
    folder = tmp_path / "v"
    folder.mkdir()
    (folder / "p.yaml").write_text(
        "displayName: OR\n"
        "dataProvider:\n"
        "  '@odata.type': '#microsoft.graph.educationOneRosterApiDataProvider'\n"
        "  connectionUrl: https://or.example.org\n"
        "  schoolsIds: ['${SCHOOL_A}', org-2]\n"
        "  connectionSettings:\n"
        "    '@odata.type': '#microsoft.graph.educationSynchronizationOAuth1ConnectionSettings'\n"
        "    clientId: c\n"
        "    clientSecret: ${S}\n"
        "identitySynchronizationConfiguration:\n"
        "  '@odata.type': '#microsoft.graph.educationIdentityMatchingConfiguration'\n"
        "  matchingOptions: []\n"
    )
    desired = load_desired(str(folder)).objects[0]
    actual = copy.deepcopy(desired.body)
    actual["dataProvider"]["schoolsIds"] = ["org-secret-1", "org-2"]
    del actual["dataProvider"]["connectionSettings"]["clientSecret"]
    assert compare(desired, actual) == []
    from reconciler.engine.compare import display_fields

    shown = {f.path: f.after for f in display_fields(desired)}
    assert shown["dataProvider.schoolsIds"] == "(sensitive)"


def test_null_for_a_defaulted_flag_equals_the_default(tmp_path: Path) -> None:
    request = copy.deepcopy(REQUEST)
    request["dataProvider"]["customizations"]["teacher"] = {"isSyncDeferred": None}
    desired = desired_object(tmp_path, request)
    assert compare(desired, copy.deepcopy(RESPONSE)) == []


def test_duplicates_in_tenant_are_never_pruned(tmp_path: Path) -> None:
    desired = desired_object(tmp_path, REQUEST)
    a, b = copy.deepcopy(RESPONSE), copy.deepcopy(RESPONSE) | {"id": "second-id"}
    plan = build_plan(
        (desired,),
        {"synchronizationProfile": [Actual(a), Actual(b)]},
        PlanOptions(prune=True),
        registry=REGISTRY,
    )
    assert plan.errors and not plan.pending and plan.unmanaged == ()


def test_target_naming_an_unmanaged_profile_is_not_reported_missing(tmp_path: Path) -> None:
    desired = desired_object(tmp_path, REQUEST)
    other = copy.deepcopy(RESPONSE) | {"id": "other-id", "displayName": "Legacy"}
    plan = build_plan(
        (desired,),
        {"synchronizationProfile": [Actual(other)]},
        PlanOptions(targets=("Legacy",)),
        registry=REGISTRY,
    )
    assert plan.warnings == () and [u.name for u in plan.unmanaged] == ["Legacy"]


def test_ignored_field_of_an_item_the_tenant_lacks_is_created_whole(tmp_path: Path) -> None:
    desired = desired_object(
        tmp_path, REQUEST, {"ignoreChanges": ["licensesToAssign[teacher].skuIds"]}
    )
    actual = copy.deepcopy(RESPONSE)
    actual["licensesToAssign"] = [
        i for i in actual["licensesToAssign"] if i["appliesTo"] != "teacher"
    ]
    fields = compare(desired, actual)
    assert [(f.path, f.after) for f in fields] == [
        ("licensesToAssign[teacher]", {"appliesTo": "teacher", "skuIds": [SKU]})
    ]
    from reconciler.engine.plan import plan_object
    from reconciler.operations import BodyBuilder
    from reconciler.settings import UpdateMethod

    change = plan_object(desired, Actual(actual))
    body = BodyBuilder({}, UpdateMethod.PUT).update(change).body
    teacher = next(i for i in body["licensesToAssign"] if i["appliesTo"] == "teacher")
    assert teacher["skuIds"] == [SKU]
