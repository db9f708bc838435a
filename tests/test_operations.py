"""Change → requests (`reconciler/operations.py`): URLs, bodies for create, PUT and PATCH,
secrets resolved in what is sent and masked in what is shown, and the preflight refusals."""

from __future__ import annotations

import copy
import dataclasses
import textwrap
from pathlib import Path
from typing import Any

import pytest

from reconciler.desired import DesiredObject, load_desired
from reconciler.engine.model import Action, Actual, Change, Modify, Remove
from reconciler.engine.normalize import SENSITIVE
from reconciler.engine.plan import plan_object
from reconciler.errors import ReconcileError
from reconciler.kinds import KINDS
from reconciler.kinds.sync_profile import PROFILE
from reconciler.operations import (
    BodyBuilder,
    PreflightError,
    delete_request,
    keep_actual,
    mask,
    merge,
    missing_secrets,
    run_state_request,
    to_wire,
    variables_needed,
)
from reconciler.settings import UpdateMethod

KIND = KINDS["synchronizationProfile"]
COLLECTION = KIND.endpoint.collection
SECRET = "ps-secret-value-1234"
ENV = {"PS_SECRET": SECRET}
PS_TYPE = "#microsoft.graph.educationPowerSchoolDataProvider"

YAML = """\
displayName: Contoso PowerSchool
expirationDate: 2027-07-31
dataProvider:
  "@odata.type": "#Microsoft.Education.DataSync.educationPowerSchoolDataProvider"
  connectionUrl: https://contoso.powerschool.com
  clientId: client-1
  clientSecret: ${PS_SECRET}
  schoolYear: "2026"
  schoolsIds: ["101", "205"]
identitySynchronizationConfiguration:
  "@odata.type": educationIdentityCreationConfiguration
  userDomains:
    - appliesTo: student
      name: students.contoso.edu
licensesToAssign:
  - appliesTo: student
    skuIds: [314c4481-f395-4525-be8b-2ec4bb1e9d91]
"""

#: The profile as Graph answers a read: id and state, no secret, a server default, old values.
ACTUAL: dict[str, Any] = {
    "id": "9b2d0000-0000-0000-0000-000000000001",
    "state": "provisioned",
    "displayName": "Contoso PowerSchool",
    "expirationDate": "2027-07-31",
    "handleSpecialCharacterConstraint": False,
    "dataProvider": {
        "@odata.type": "#Microsoft.Education.DataSync.educationPowerSchoolDataProvider",
        "connectionUrl": "https://contoso.powerschool.com",
        "clientId": "client-1",
        "schoolYear": "2026",
        "schoolsIds": ["101"],
        "allowTeachersInMultipleSchools": False,
    },
    "identitySynchronizationConfiguration": {
        "@odata.type": "#Microsoft.Education.DataSync.educationIdentityCreationConfiguration",
        "userDomains": [
            {"appliesTo": "student", "name": "students.contoso.edu"},
            {"appliesTo": "teacher", "name": "contoso.edu"},
        ],
    },
    "licensesToAssign": [
        {"appliesTo": "student", "skuIds": ["314c4481-f395-4525-be8b-2ec4bb1e9d91"]}
    ],
}


def _desired(tmp_path: Path, text: str = YAML) -> DesiredObject:
    folder = tmp_path / "d"
    folder.mkdir(exist_ok=True)
    (folder / "p.yaml").write_text(textwrap.dedent(text))
    state = load_desired(str(folder))
    assert state.ok, state.problems
    return state.objects[0]


def _update(tmp_path: Path, text: str = YAML, actual: dict[str, Any] | None = None) -> Change:
    change = plan_object(_desired(tmp_path, text), Actual(copy.deepcopy(actual or ACTUAL)))
    assert change.action is Action.UPDATE, change
    return change


def test_create_sends_the_desired_object_with_the_secret_and_shows_it_masked(
    tmp_path: Path,
) -> None:
    change = plan_object(_desired(tmp_path), None)
    request = BodyBuilder(ENV, UpdateMethod.PUT).create(change)
    assert (request.method, request.path) == ("POST", COLLECTION)
    assert isinstance(request.body, dict) and isinstance(request.shown_body, dict)
    provider = request.body["dataProvider"]
    assert provider["@odata.type"] == PS_TYPE  # canonical wire spelling
    assert provider["clientSecret"] == SECRET
    assert request.body["identitySynchronizationConfiguration"]["@odata.type"] == (
        "#microsoft.graph.educationIdentityCreationConfiguration"
    )
    assert request.shown_body["dataProvider"]["clientSecret"] == SENSITIVE
    assert SECRET not in repr(request.shown_body)
    assert "lifecycle" not in request.body


def test_put_sends_the_whole_object_desired_over_actual(tmp_path: Path) -> None:
    change = _update(tmp_path)
    request = BodyBuilder(ENV, UpdateMethod.PUT).update(change)
    assert (request.method, request.path) == ("PUT", f"{COLLECTION}/{ACTUAL['id']}")
    body = request.body
    assert isinstance(body, dict)
    assert "id" not in body and "state" not in body  # read-only members never sent
    assert body["handleSpecialCharacterConstraint"] is False  # the tenant's, kept
    assert body["dataProvider"]["schoolsIds"] == ["101", "205"]  # desired wins
    assert body["dataProvider"]["allowTeachersInMultipleSchools"] is False
    assert body["dataProvider"]["clientSecret"] == SECRET
    # A keyed list declared in YAML is owned whole: the tenant's teacher domain is not kept.
    assert body["identitySynchronizationConfiguration"]["userDomains"] == [
        {"appliesTo": "student", "name": "students.contoso.edu"}
    ]


def test_patch_sends_only_the_changed_top_level_properties(tmp_path: Path) -> None:
    change = _update(tmp_path)
    request = BodyBuilder(ENV, UpdateMethod.PATCH).update(change)
    assert request.method == "PATCH"
    assert isinstance(request.body, dict)
    assert set(request.body) == {"dataProvider", "identitySynchronizationConfiguration"}
    assert variables_needed(change, UpdateMethod.PATCH) == {"PS_SECRET"}


def test_patch_that_does_not_touch_the_secret_needs_no_variable(tmp_path: Path) -> None:
    actual = copy.deepcopy(ACTUAL)
    actual["dataProvider"]["schoolsIds"] = ["101", "205"]
    actual["identitySynchronizationConfiguration"]["userDomains"] = [
        {"appliesTo": "student", "name": "students.contoso.edu"}
    ]
    change = _update(tmp_path, YAML.replace("2027-07-31", "2028-07-31"), actual)
    assert variables_needed(change, UpdateMethod.PATCH) == set()
    assert variables_needed(change, UpdateMethod.PUT) == {"PS_SECRET"}
    request = BodyBuilder({}, UpdateMethod.PATCH).update(change)  # no env needed
    assert request.body == {"expirationDate": "2028-07-31"}


def test_a_missing_variable_refuses_before_anything_is_sent(tmp_path: Path) -> None:
    change = plan_object(_desired(tmp_path), None)
    with pytest.raises(PreflightError) as refused:
        BodyBuilder({}, UpdateMethod.PUT).create(change)
    message = str(refused.value)
    assert "needs environment variable(s) PS_SECRET" in message
    assert "p.yaml" in message and "nothing was written" in message


def test_put_without_the_secret_in_yaml_would_send_it_empty_and_is_refused(
    tmp_path: Path,
) -> None:
    change = _update(tmp_path, YAML.replace("  clientSecret: ${PS_SECRET}\n", ""))
    with pytest.raises(PreflightError, match=r"would send dataProvider\.clientSecret empty"):
        BodyBuilder({}, UpdateMethod.PUT).update(change)


def test_ignored_paths_keep_the_tenants_value_in_a_put(tmp_path: Path) -> None:
    change = _update(tmp_path)
    builder = BodyBuilder(ENV, UpdateMethod.PUT, ignore_changes=("dataProvider.schoolsIds",))
    body = builder.update(change).body
    assert isinstance(body, dict)
    assert body["dataProvider"]["schoolsIds"] == ["101"]


def test_keep_actual_in_a_keyed_list_item(tmp_path: Path) -> None:
    desired = {
        "licensesToAssign": [
            {"appliesTo": "student", "skuIds": ["a"]},
            {"appliesTo": "teacher", "skuIds": ["b"]},
        ]
    }
    actual = {"licensesToAssign": [{"appliesTo": "Teacher", "skuIds": ["old"]}]}
    kept = keep_actual(desired, actual, ("licensesToAssign", "[teacher]", "skuIds"), PROFILE)
    assert {i["appliesTo"]: i["skuIds"] for i in kept["licensesToAssign"]} == {
        "student": ["a"],
        "teacher": ["old"],
    }
    # The tenant lacks the item: it is created whole, as the YAML says.
    assert keep_actual(desired, {}, ("licensesToAssign", "[student]", "skuIds"), PROFILE) == (
        desired
    )
    # A whole item ignored: the tenant's item replaces the YAML's; absent there, it goes.
    whole = keep_actual(desired, actual, ("licensesToAssign", "[student]"), PROFILE)
    assert [i["appliesTo"] for i in whole["licensesToAssign"]] == ["teacher"]
    # A top-level property the tenant lacks is removed rather than sent.
    assert "expirationDate" not in keep_actual(
        {"expirationDate": "x"}, {}, ("expirationDate",), PROFILE
    )


def test_merge_keeps_nothing_of_another_provider_type() -> None:
    provider = next(p for p in PROFILE.props if p.name == "dataProvider").type
    desired = {"@odata.type": "#microsoft.graph.educationCsvDataProvider"}
    assert merge(desired, ACTUAL["dataProvider"], provider) == desired
    same = merge({"@odata.type": PS_TYPE, "schoolYear": "2027"}, ACTUAL["dataProvider"], provider)
    assert same["schoolYear"] == "2027" and same["clientId"] == "client-1"
    assert same["@odata.type"] == PS_TYPE
    assert merge("text", {"a": 1}, provider) == "text"


def test_to_wire_drops_read_only_and_unknown_members_and_leaves_unknown_types() -> None:
    wire = to_wire({"id": "x", "displayName": "n", "bogus": 1, "dataProvider": None}, PROFILE)
    assert wire == {"displayName": "n", "dataProvider": None}
    provider = next(p for p in PROFILE.props if p.name == "dataProvider").type
    unknown = {"@odata.type": "#microsoft.graph.somethingNew", "x": 1}
    assert to_wire(unknown, provider) == unknown


def test_mask_hides_secrets_whole_or_inside_longer_text() -> None:
    secrets = frozenset({"1", "longsecret"})
    body = {"displayName": "1", "schoolYear": "x-longsecret-y", "expirationDate": "2011"}
    assert mask(body, PROFILE, secrets) == {
        "displayName": SENSITIVE,  # a short value only when it is the whole value
        "schoolYear": SENSITIVE,
        "expirationDate": "2011",
    }
    assert mask([{"displayName": "1"}], PROFILE, secrets) == [{"displayName": SENSITIVE}]


def test_missing_secrets_looks_inside_nested_polymorphic_members() -> None:
    body = {
        "dataProvider": {
            "@odata.type": "#microsoft.graph.educationOneRosterApiDataProvider",
            "connectionUrl": "https://or.example.edu",
            "connectionSettings": {
                "@odata.type": (
                    "#microsoft.graph.educationSynchronizationOAuth2ClientCredentialsConnectionSettings"
                ),
                "clientId": "c",
            },
        }
    }
    assert missing_secrets(body, PROFILE) == ["dataProvider.connectionSettings.clientSecret"]
    assert missing_secrets({"dataProvider": "text"}, PROFILE) == []


def test_delete_and_run_state_requests() -> None:
    assert delete_request(KIND, "abc").method == "DELETE"
    assert delete_request(KIND, "abc").path == f"{COLLECTION}/abc"
    assert run_state_request(KIND, "abc", Action.PAUSE).path == f"{COLLECTION}/abc/pause"
    assert run_state_request(KIND, "abc", Action.RESUME).path == f"{COLLECTION}/abc/resume"
    assert KIND.run_state is not None
    no_actions = dataclasses.replace(
        KIND, run_state=dataclasses.replace(KIND.run_state, pause_action="")
    )
    with pytest.raises(ReconcileError, match="has no pause action"):
        run_state_request(no_actions, "abc", Action.PAUSE)


def test_variables_needed_for_deletes_and_run_state_changes_is_nothing(tmp_path: Path) -> None:
    desired = _desired(tmp_path)
    delete = Change(KIND, "x", "abc", Action.DELETE, Remove({"id": "abc"}))
    pause = Change(KIND, "x", "abc", Action.PAUSE, Modify({"id": "abc"}, desired))
    assert variables_needed(delete, UpdateMethod.PUT) == set()
    assert variables_needed(pause, UpdateMethod.PUT) == set()
