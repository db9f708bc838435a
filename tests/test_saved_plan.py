"""Saved plans (`reconciler/saved_plan.py`): what a file that is not a usable plan is called,
and each reason a saved plan is stale, naming what moved."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pytest

from reconciler.desired import load_desired
from reconciler.engine.model import Actual, Plan, PlanOptions
from reconciler.engine.plan import build_plan
from reconciler.errors import ConfigError
from reconciler.kinds import REGISTRY
from reconciler.render.plan_json import plan_document
from reconciler.saved_plan import moved_fields, read_saved_plan, staleness

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
REQUEST = json.loads((SEEDS / "001_create_request.json").read_text())
RESPONSE = json.loads((SEEDS / "001_create_response.json").read_text())
GRAPH = "https://graph.microsoft.com/beta"


# -- reading --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("", "is not a plan written by `edusync-reconcile plan --out` (it is empty)"),
        ("  \n", "(it is empty)"),
        ('{"value": []}', "(it looks like a Graph response)"),
        ('{"displayName": "x"}', "(it looks like a profile)"),
        ("displayName: x\n", "(it looks like a desired-state YAML profile)"),
        ("hello", "(it is not JSON)"),
        ("[1, 2]", "(it is JSON, but not a plan)"),
        (b"\xff\xfe\x00garbage", "(it is not text)"),
        ('{"format_version": 99}', "was written by another version of edusync-reconcile"),
        ('{"format_version": 1, "changes": {}}', "is damaged"),
        ('{"format_version": 1, "changes": [1]}', "is damaged"),
        ('{"format_version": 1, "changes": [], "options": []}', "is damaged"),
        ('{"format_version": 1, "changes": [], "options": {"targets": "x"}}', "is damaged"),
    ],
)
def test_a_file_that_is_not_a_usable_plan_says_what_it_is(
    tmp_path: Path, content: str | bytes, says: str
) -> None:
    path = tmp_path / "plan.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(ConfigError) as refused:
        read_saved_plan(str(path))
    message = str(refused.value)
    assert says in message
    assert str(path) in message


def test_a_missing_plan_file_or_a_directory_says_how_to_save_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"does not exist\. Save a plan with"):
        read_saved_plan(str(tmp_path / "nope.json"))
    with pytest.raises(ConfigError, match="is a directory, not a plan file"):
        read_saved_plan(str(tmp_path))


def test_an_unreadable_path_is_named_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot read the plan file .*: File name too long"):
        read_saved_plan(str(tmp_path / ("x" * 300)))


def test_a_plan_written_by_plan_out_reads_back(tmp_path: Path) -> None:
    plan = _plan(tmp_path, REQUEST, RESPONSE)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan_document(plan, observed=True)))
    assert read_saved_plan(str(path))["changes"] == plan_document(plan, observed=True)["changes"]


# -- staleness ------------------------------------------------------------------------------------
def _plan(
    tmp_path: Path, request: dict[str, Any], actual: dict[str, Any] | None, url: str = GRAPH
) -> Plan:
    folder = tmp_path / "d"
    folder.mkdir(exist_ok=True)
    (folder / "p.yaml").write_text(json.dumps(request))
    state = load_desired(str(folder))
    assert state.ok, state.problems
    tenant = {"synchronizationProfile": [Actual(copy.deepcopy(actual))] if actual else []}
    return build_plan(
        state.objects,
        tenant,
        PlanOptions(),
        registry=REGISTRY,
        graph_url=url,
        desired_digest=state.digest,
        desired_path=str(folder),
    )


def _saved(plan: Plan) -> dict[str, Any]:
    return json.loads(json.dumps(plan_document(plan, observed=True)))


def _renamed_domain(body: dict[str, Any], domain: str) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    for item in changed["identitySynchronizationConfiguration"]["userDomains"]:
        item["name"] = domain
    return changed


def test_an_unchanged_situation_is_not_stale(tmp_path: Path) -> None:
    plan = _plan(tmp_path, _renamed_domain(REQUEST, "new.edu"), RESPONSE)
    assert plan.pending, "the plan must have a change to be meaningful"
    assert staleness(_saved(plan), plan) == []


def test_another_graph_url_is_stale(tmp_path: Path) -> None:
    saved = _saved(_plan(tmp_path, REQUEST, RESPONSE))
    fresh = _plan(tmp_path, REQUEST, RESPONSE, url="http://127.0.0.1:1/beta")
    assert staleness(saved, fresh) == [f"it was made against {GRAPH}, not http://127.0.0.1:1/beta"]


def test_a_change_no_longer_needed_or_newly_needed_is_named(tmp_path: Path) -> None:
    saved = _saved(_plan(tmp_path, REQUEST, None))  # create 'Test Profile'
    fresh = _plan(tmp_path, REQUEST, RESPONSE)  # someone created it meanwhile: noop
    assert staleness(saved, fresh) == [
        "create 'Test Profile' is no longer needed",
        "'Test Profile' changed in the tenant since the plan was made",  # it did not exist
    ]
    edited = _plan(tmp_path, _renamed_domain(REQUEST, "new.edu"), RESPONSE)
    reasons = staleness(_saved(fresh), edited)
    assert reasons[0] == "the desired-state files changed since the plan was made"
    assert reasons[1].startswith("update 'Test Profile' is now needed but was not in the plan (")
    assert "identitySynchronizationConfiguration.userDomains" in reasons[1]


def test_an_update_that_now_changes_other_values_names_them(tmp_path: Path) -> None:
    wanted = _renamed_domain(REQUEST, "new.edu")
    saved = _saved(_plan(tmp_path, wanted, RESPONSE))
    moved = _renamed_domain(RESPONSE, "other.edu")  # the tenant moved under the plan
    reasons = staleness(saved, _plan(tmp_path, wanted, moved))
    assert any(
        r.startswith("update 'Test Profile' now changes other values: ") and "userDomains" in r
        for r in reasons
    ), reasons
    moved_reason = next(r for r in reasons if "changed in the tenant" in r)
    assert "'Test Profile' changed in the tenant since the plan was made:" in moved_reason
    assert "other.edu" in moved_reason


def test_a_plan_without_observed_fields_still_says_the_tenant_moved(tmp_path: Path) -> None:
    wanted = _renamed_domain(REQUEST, "new.edu")
    saved = json.loads(json.dumps(plan_document(_plan(tmp_path, wanted, RESPONSE))))
    moved = copy.deepcopy(RESPONSE) | {"state": "provisioned", "expirationDate": "2030-01-01"}
    reasons = staleness(saved, _plan(tmp_path, wanted, moved))
    assert "'Test Profile' changed in the tenant since the plan was made" in reasons


def test_moved_fields_lists_each_difference_both_ways() -> None:
    assert moved_fields({"a": 1, "b": [1]}, {"b": [2], "c": "x"}) == [
        "a: 1 → (not set)",
        "b: [1] → [2]",
        'c: (not set) → "x"',
    ]


def test_a_plan_made_from_another_path_says_so_not_that_files_changed(tmp_path: Path) -> None:
    plan = _plan(tmp_path, _renamed_domain(REQUEST, "new.edu"), RESPONSE)
    saved = _saved(plan)
    elsewhere = dataclasses.replace(plan, desired_path="s1", desired_digest="other")
    assert staleness(saved, elsewhere)[0] == (
        f"it was made from {plan.desired_path}, not s1: give apply the PATH the plan was made from"
    )
    # The same place written another way is the same PATH: only its files can have changed.
    for same in (plan.desired_path + "/./", os.path.relpath(plan.desired_path)):
        same_place = dataclasses.replace(plan, desired_path=same, desired_digest="other")
        assert staleness(saved, same_place)[0] == (
            "the desired-state files changed since the plan was made"
        )
