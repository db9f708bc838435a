"""The seed request/response pairs: a profile written as Graph's create request must show no
changes against the server's echo, under every @odata.type spelling and any list order."""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path

import pytest

from reconciler.desired import load_desired
from reconciler.engine.compare import compare
from reconciler.engine.model import Action, Actual, PlanOptions
from reconciler.engine.plan import build_plan
from reconciler.kinds import REGISTRY

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"

SPELLINGS = {
    "dataProvider": [
        "#Microsoft.Education.DataSync.educationCsvDataProvider",
        "#microsoft.graph.educationCsvDataProvider",
        "microsoft.graph.educationCsvDataProvider",
        "#microsoft.graph.educationcsvdataprovider",
        "microsoft.graph.educationcsvdataprovider",
        "#microsoft.graph.csvDataProvider",
    ],
    "identitySynchronizationConfiguration": [
        "#Microsoft.Education.DataSync.educationIdentityCreationConfiguration",
        "#microsoft.graph.educationIdentityCreationConfiguration",
        "microsoft.graph.educationidentitycreationconfiguration",
        "#microsoft.graph.identityCreationConfiguration",
    ],
}


def seed(name: str) -> dict:
    return json.loads((SEEDS / name).read_text())


def desired_from(request: dict, tmp_path: Path):
    # JSON is YAML: the docs' request body pasted as is must be a valid desired-state file.
    folder = tmp_path / "d"
    folder.mkdir(exist_ok=True)
    (folder / "p.yaml").write_text(json.dumps(request, indent=2))
    state = load_desired(str(folder))
    assert state.ok, state.problems
    return state.objects[0]


@pytest.mark.parametrize("seed_id", ["001", "004"])
def test_seed_request_matches_its_response(seed_id: str, tmp_path: Path) -> None:
    desired = desired_from(seed(f"{seed_id}_create_request.json"), tmp_path)
    actual = seed(f"{seed_id}_create_response.json")
    assert compare(desired, actual) == []


@pytest.mark.parametrize(
    ("provider", "identity"),
    list(
        itertools.product(
            SPELLINGS["dataProvider"], SPELLINGS["identitySynchronizationConfiguration"]
        )
    ),
)
def test_every_spelling_on_either_side(provider: str, identity: str, tmp_path: Path) -> None:
    request = seed("001_create_request.json")
    request["dataProvider"]["@odata.type"] = provider
    request["identitySynchronizationConfiguration"]["@odata.type"] = identity
    actual = seed("001_create_response.json")
    # GET/list echo spellings: no '#', license items typed.
    actual["dataProvider"]["@odata.type"] = provider.lstrip("#").upper()
    actual["identitySynchronizationConfiguration"]["@odata.type"] = identity.upper()
    for item in actual["licensesToAssign"]:
        item["@odata.type"] = "microsoft.graph.educationSynchronizationLicenseAssignment"
    assert compare(desired_from(request, tmp_path), actual) == []


def test_any_list_order_and_case(tmp_path: Path) -> None:
    request = seed("001_create_request.json")
    request["dataProvider"]["customizations"]["student"]["optionalPropertiesToSync"].reverse()
    request["identitySynchronizationConfiguration"]["userDomains"].reverse()
    desired = desired_from(request, tmp_path)
    actual = seed("001_create_response.json")
    actual["licensesToAssign"].reverse()
    for item in actual["licensesToAssign"]:
        item["skuIds"] = [s.upper() for s in item["skuIds"]]
    assert compare(desired, actual) == []


def test_read_only_and_unknown_server_members_are_not_drift(tmp_path: Path) -> None:
    desired = desired_from(seed("001_create_request.json"), tmp_path)
    actual = seed("001_create_response.json")
    actual.update(
        {
            "@odata.context": "x",
            "state": "provisioned",
            "profileStatus": {"status": "paused"},
            "errors": [],
            "someFutureProperty": 1,
        }
    )
    assert compare(desired, actual) == []


def test_plan_on_seed_pair_is_noop(tmp_path: Path) -> None:
    desired = desired_from(seed("001_create_request.json"), tmp_path)
    actual = seed("004_create_response.json")
    actual["state"] = "provisioned"
    plan = build_plan(
        (desired,), {"synchronizationProfile": [Actual(actual)]}, PlanOptions(), registry=REGISTRY
    )
    assert [c.action for c in plan.changes] == [Action.NOOP]
    assert not plan.has_changes
    assert plan.changes[0].id == actual["id"]


def test_secret_never_compared(tmp_path: Path) -> None:
    folder = tmp_path / "ps"
    folder.mkdir()
    (folder / "p.yaml").write_text(
        "displayName: PS\n"
        "dataProvider:\n"
        "  '@odata.type': '#microsoft.graph.educationPowerSchoolDataProvider'\n"
        "  connectionUrl: https://ps.example.edu\n"
        "  clientId: abc\n"
        "  clientSecret: ${PS_SECRET}\n"
        "identitySynchronizationConfiguration:\n"
        "  '@odata.type': '#microsoft.graph.educationIdentityCreationConfiguration'\n"
        "  userDomains: [{appliesTo: student, name: x.edu}]\n"
    )
    desired = load_desired(str(folder)).objects[0]
    actual = copy.deepcopy(desired.body)
    del actual["dataProvider"]["clientSecret"]  # Graph never returns it
    assert compare(desired, actual) == []
    actual["dataProvider"]["clientSecret"] = "********"  # nor a masked echo
    assert compare(desired, actual) == []
