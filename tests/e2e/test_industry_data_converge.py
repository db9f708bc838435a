"""The sample district end to end through the real CLI against the emulator: create from empty,
no drift on the echo, update, replace of a create-only property, delete order with --prune,
unresolvable references, the academic-year rollover as one plan.

Tests that wait for more of the engine of issue 13 are strict xfails naming what they wait
for, so each one turns into a failure the day it passes — remove its mark then.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.emulator import Emulator
from tests.conftest import CliResult
from tests.e2e.conftest import converged

Cli = Callable[..., CliResult]


@pytest.fixture
def district(id_district: Path) -> Path:
    return id_district


ROLLOVER_FLOW = """\
kind: inboundFlow
"@odata.type": "#microsoft.graph.industryData.inboundApiFlow"
displayName: Contoso rostering 2027-2028
dataDomain: educationRostering
effectiveDateTime: 2027-07-01T00:00:00Z
expirationDateTime: 2028-07-31T00:00:00Z
dataConnector: {ref: Contoso OneRoster}
year: {ref: "2028"}
"""


@pytest.fixture
def no_flows(district: Path) -> Path:
    """The district without its flow set: kinds the engine plans end to end today (a set's
    flows need its contained-kind reads)."""
    (district / "provisioning.yaml").unlink()
    return district


def test_the_sample_district_converges_from_empty(cli: Cli, district: Path) -> None:
    first = cli("plan", str(district), "--detailed-exitcode", "--format", "json")
    assert first.code == 2
    plan = json.loads(first.out)
    # 7 documents and the set's 2 flows are created; the service's UG row is overridden
    assert (plan["summary"]["create"], plan["summary"]["update"]) == (9, 1)
    assert [c["kind"] for c in plan["changes"]].count("provisioningFlow") == 2
    converged(cli, district)


def test_an_update_is_a_patch_with_the_required_members(cli: Cli, no_flows: Path) -> None:
    district = no_flows
    converged(cli, district)
    year = district / "year-2027.yaml"
    year.write_text(year.read_text().replace("displayName: 2026-2027", "displayName: SY 26-27"))
    flow = district / "inbound-flow-2027.yaml"
    flow.write_text(flow.read_text().replace("2027-07-31T00:00:00Z", "2027-07-15T00:00:00-05:00"))
    planned = cli("plan", str(district))
    assert "Plan: 0 to create, 2 to update" in planned.out
    converged(cli, district)


def test_a_create_only_change_is_a_loud_replace(cli: Cli, no_flows: Path) -> None:
    district = no_flows
    converged(cli, district)
    flow = district / "inbound-flow-2027.yaml"
    flow.write_text(flow.read_text().replace('{ref: "2027"}', '{ref: "2028"}'))
    planned = cli("plan", str(district))
    assert "must be REPLACED" in planned.out and "run history" in planned.out
    refused = cli("apply", str(district), "--auto-approve")
    assert refused.code == 1 and "--allow-replace" in refused.err
    converged(cli, district, "--allow-replace")


def test_prune_deletes_children_first(cli: Cli, no_flows: Path) -> None:
    district = no_flows
    # (reference values: see test_prune_never_touches_the_services_reference_rows)
    (district / "reference-values.yaml").unlink()
    converged(cli, district)
    # The district moves to OneRoster 1.2: a new connector and next year's flow through it;
    # the old ones leave git.
    old_connector = district / "connector-oneroster.yaml"
    text = old_connector.read_text().replace("Contoso OneRoster", "Contoso OneRoster 1.2")
    text = text.replace("v1p1", "v1p2").replace('apiVersion: "1.1"', 'apiVersion: "1.2"')
    (district / "connector-oneroster-12.yaml").write_text(text)
    flow = ROLLOVER_FLOW.replace("{ref: Contoso OneRoster}", "{ref: Contoso OneRoster 1.2}")
    (district / "inbound-flow-2028.yaml").write_text(flow)
    (district / "inbound-flow-2027.yaml").unlink()
    old_connector.unlink()
    planned = cli("plan", str(district), "--prune")
    assert "Plan: 2 to create, 0 to update, 0 to replace, 2 to delete." in planned.out
    # the old flow goes before the connector it binds to (the service refuses the other order)
    gone_flow = planned.out.index('- inboundFlow "Contoso rostering 2026-2027"')
    assert gone_flow < planned.out.index('- dataConnector "Contoso OneRoster"')
    # The new connector keeps most of the old one's values: the rename guard says so, and
    # apply needs to be told that a second connector is meant (the old one is pruned).
    assert "LOOKS LIKE A RENAME" in planned.out
    assert cli("apply", str(district), "--prune", "--auto-approve").code == 1
    converged(cli, district, "--prune", "--allow-duplicate-source")


def test_an_unresolvable_reference_is_a_validate_error_and_nothing_is_sent(
    cli: Cli, district: Path, graph_env: Emulator
) -> None:
    flow = district / "inbound-flow-2027.yaml"
    flow.write_text(flow.read_text().replace("{ref: Contoso OneRoster}", "{ref: Contoso 1Roster}"))
    result = cli("validate", str(district))
    assert result.code == 1
    assert "inbound-flow-2027.yaml:9:" in result.out + result.err
    assert "Contoso OneRoster" in result.out + result.err  # did you mean
    assert cli("apply", str(district), "--auto-approve").code == 1
    assert graph_env.industry_data.list_page("years").items == []


def test_the_academic_year_rollover_is_one_plan(cli: Cli, no_flows: Path) -> None:
    district = no_flows
    converged(cli, district)
    old = district / "inbound-flow-2027.yaml"
    old.write_text(old.read_text().replace("2027-07-31T00:00:00Z", "2027-06-30T00:00:00Z"))
    (district / "inbound-flow-2028.yaml").write_text(ROLLOVER_FLOW)
    plan = json.loads(cli("plan", str(district), "--format", "json").out)
    assert plan["summary"]["create"] == 1 and plan["summary"]["update"] == 1
    converged(cli, district)


def test_an_unknown_file_format_spelling_is_a_warning(cli: Cli, district: Path) -> None:
    (district / "csv.yaml").write_text(
        "kind: dataConnector\n"
        '"@odata.type": "#microsoft.graph.industryData.azureDataLakeConnector"\n'
        "displayName: Contoso CSV\n"
        "sourceSystem: {ref: Contoso SIS}\n"
        "fileFormat: {code: schoolDataSyncV3}\n"
    )
    result = cli("validate", str(district))
    assert result.code == 0, result.out + result.err
    assert "csv.yaml:5:" in result.out + result.err and "warning" in result.out + result.err


def test_prune_never_touches_the_services_reference_rows(
    cli: Cli, no_flows: Path, graph_env: Emulator
) -> None:
    converged(cli, no_flows)
    planned = cli("plan", str(no_flows), "--prune", "--format", "json")
    plan = json.loads(planned.out)
    assert plan["summary"]["delete"] == 0 and plan["unmanaged"] == []
    teacher = graph_env.industry_data.stored("referenceDefinitions", "RefRole-teacher")
    assert teacher["isDisabled"] is False


SECOND_2027_FLOW = ROLLOVER_FLOW.replace("2027-2028", "2026-2027 again").replace(
    '{ref: "2028"}', '{ref: "2027"}'
)


def test_a_second_active_flow_next_to_one_git_does_not_manage_fails_the_plan(
    cli: Cli, no_flows: Path, graph_env: Emulator
) -> None:
    """The tenant's 2027 flow leaves git (it stays in the tenant, unmanaged) and another one for
    2027 is added: SDS would refuse the create with 409 part-way through apply, so plan fails
    first, naming the tenant's flow, and apply writes nothing. With --prune the old flow is
    deleted first, and apply converges."""
    district = no_flows
    converged(cli, district)
    (district / "inbound-flow-2027.yaml").unlink()
    (district / "inbound-flow-again.yaml").write_text(SECOND_2027_FLOW)
    plan = cli("plan", str(district))
    assert plan.code == 1, plan.out + plan.err
    said = plan.out + plan.err
    assert "'Contoso rostering 2026-2026 again'" not in said  # the name is as written
    assert (
        "'Contoso rostering 2026-2027 again' would be a second active inbound flow for year "
        "'2027': the tenant's 'Contoso rostering 2026-2027' (" in said
    )
    assert "is active until 2027-07-31T00:00:00Z" in said
    graph_env.requests_log.clear()
    refused = cli("apply", str(district), "--auto-approve")
    assert refused.code == 1
    assert graph_env.requests_log.count_writes() == 0
    converged(cli, district, "--prune")


FLOW_B = """\
kind: inboundFlow
"@odata.type": "#microsoft.graph.industryData.inboundApiFlow"
displayName: Contoso rostering 2026-2027 B
dataDomain: educationRostering
effectiveDateTime: 2026-08-01T00:00:00Z
dataConnector: {ref: Contoso OneRoster}
year: {ref: "2027"}
"""
OLD_END = "expirationDateTime: 2027-07-31T00:00:00Z"
ENDED = "expirationDateTime: 2026-11-01T00:00:00Z"  # before today in these tests' runs


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("edit_old_flow", "extra"),
    [
        ((OLD_END, ENDED), ()),  # the old flow ended by an update
        (('year: {ref: "2027"}', 'year: {ref: "2028"}'), ("--allow-replace",)),  # moved: replace
    ],
    ids=["ended-by-update", "moved-by-replace"],
)
def test_a_new_flow_waits_for_the_change_that_ends_the_old_one(
    cli: Cli, no_flows: Path, graph_env: Emulator, edit_old_flow, extra
) -> None:
    """One apply ends (or moves) the year's flow and creates the new one: the create comes
    after, one request at a time, or SDS refuses it with 409."""
    district = no_flows
    converged(cli, district)
    _edit(district / "inbound-flow-2027.yaml", *edit_old_flow)
    (district / "flow-b.yaml").write_text(FLOW_B)
    converged(cli, district, "--parallelism", "1", *extra)


def test_a_new_flow_whose_end_comes_from_a_variable_still_waits_for_the_delete(
    cli: Cli, no_flows: Path, graph_env: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What cannot be judged counts as active when changes are ordered: waiting costs nothing."""
    district = no_flows
    converged(cli, district)
    (district / "inbound-flow-2027.yaml").unlink()
    (district / "flow-b.yaml").write_text(FLOW_B + "expirationDateTime: ${FLOW_END}\n")
    monkeypatch.setenv("FLOW_END", "2027-07-31T00:00:00Z")
    converged(cli, district, "--prune", "--allow-duplicate-source", "--parallelism", "1")


@pytest.mark.parametrize(
    ("start", "then", "extra"),
    [
        ((OLD_END, ENDED), (ENDED, OLD_END), ()),  # started again by an update
        (
            ('year: {ref: "2027"}', 'year: {ref: "2028"}'),
            ('year: {ref: "2028"}', 'year: {ref: "2027"}'),
            ("--allow-replace",),
        ),
    ],
    ids=["update-starts-it-again", "replace-moves-it-in"],
)
def test_a_change_that_makes_a_flow_active_next_to_an_unmanaged_one_fails_the_plan(
    cli: Cli, no_flows: Path, graph_env: Emulator, start, then, extra
) -> None:
    district = no_flows
    flow = district / "inbound-flow-2027.yaml"
    _edit(flow, *start)
    (district / "flow-b.yaml").write_text(FLOW_B)  # the other 2027 flow, active
    converged(cli, district)
    (district / "flow-b.yaml").unlink()  # it stays in the tenant, unmanaged
    _edit(flow, *then)
    plan = cli("plan", str(district))
    assert plan.code == 1, plan.out + plan.err
    assert (
        "'Contoso rostering 2026-2027' would be a second active inbound flow for year '2027'"
        in (plan.out + plan.err)
    )
    graph_env.requests_log.clear()
    assert cli("apply", str(district), "--auto-approve", *extra).code == 1
    assert graph_env.requests_log.count_writes() == 0
