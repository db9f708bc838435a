"""Flow sets and their flows end to end (the sample district through the real CLI against the
emulator): a flow is known by its set, so a flow never moves between sets in place, flows of
different sets are never look-alikes, and `status` finds each flow under its set's name."""

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


SETS = "outboundProvisioningFlowSets"
USER_FLOW = "userProvisioningFlow"


def _user_flow_block(district: Path) -> tuple[str, str]:
    """The sample set's document without its user flow, and the user flow's lines."""
    text = (district / "provisioning.yaml").read_text()
    start = text.index("  # Users:")
    end = text.index("  # Class groups:")
    return text[:start] + text[end:], text[start:end]


def _second_set(flow: str) -> str:
    return f"kind: provisioningFlowSet\ndisplayName: Inline test set\nprovisioningFlows:\n{flow}"


def _flow_ids(emu: Emulator) -> dict[tuple[str, str], str]:
    """(set name, flow type) → flow id, as the tenant holds them."""
    data = emu.industry_data
    found = {}
    for set_id in data.ids(SETS):
        name = data.stored(SETS, set_id)["displayName"]
        for flow_id in data.ids("provisioningFlows", parent=set_id):
            kind = data.stored("provisioningFlows", flow_id)["@odata.type"].rpartition(".")[2]
            found[(name, kind)] = flow_id
    return found


def test_a_flow_pinned_and_moved_to_another_set_is_a_replace_never_an_update(
    cli: Cli, district: Path, graph_env: Emulator
) -> None:
    """Its set is part of its URL: a PATCH cannot move it (one was sent to the old set, with
    nothing to change, and the plan never converged)."""
    converged(cli, district)
    flow_id = _flow_ids(graph_env)[("Contoso provisioning", USER_FLOW)]
    rest, flow = _user_flow_block(district)
    (district / "provisioning.yaml").write_text(rest)
    pinned = flow.replace('  - "@odata.type"', f'  - id: {flow_id}\n    "@odata.type"', 1)
    (district / "inline.yaml").write_text(_second_set(pinned))
    planned = cli("plan", str(district))
    assert planned.code == 0, planned.out + planned.err
    assert "will be updated in place" not in planned.out
    assert "must be REPLACED" in planned.out
    assert (
        'the provisioning flow moves from provisioningFlowSet "Contoso provisioning" to '
        '"Inline test set", and cannot move in place' in planned.out
    )
    assert "pinned by `id:` in desired-state/inline.yaml" in planned.out
    graph_env.requests_log.clear()
    refused = cli("apply", str(district), "--auto-approve", "--allow-replace")
    assert refused.code == 1, refused.out + refused.err
    assert "pinned by `id:`" in refused.err
    assert graph_env.requests_log.count_writes() == 0
    # Unpinned, the flow is a new one in the new set; --prune deletes the old set's one.
    (district / "inline.yaml").write_text(_second_set(flow))
    converged(cli, district, "--prune")
    ids = _flow_ids(graph_env)
    assert ("Inline test set", USER_FLOW) in ids
    assert ("Contoso provisioning", USER_FLOW) not in ids


def test_a_second_set_with_the_same_user_flow_is_no_rename(
    cli: Cli, district: Path, graph_env: Emulator
) -> None:
    """Same rules, other schools: a flow of another set is another flow, however alike, even
    next to a set git does not manage (made in the portal)."""
    converged(cli, district)
    _rest, flow = _user_flow_block(district)
    (district / "provisioning.yaml").unlink()  # the tenant's set is not git's any more
    (district / "inline.yaml").write_text(_second_set(flow))
    planned = cli("plan", str(district))
    assert planned.code == 0, planned.out + planned.err
    assert "LOOKS LIKE A RENAME" not in planned.out
    assert "Plan: 2 to create, 0 to update" in planned.out
    converged(cli, district)
    ids = _flow_ids(graph_env)
    assert ("Inline test set", USER_FLOW) in ids and ("Contoso provisioning", USER_FLOW) in ids


def test_status_finds_each_flow_under_its_sets_name(cli: Cli, district: Path) -> None:
    """As plan matches them: a flow is `SET/TYPE`, its set named, never its id."""
    converged(cli, district)
    flows = ("Contoso provisioning/userProvisioningFlow", "Contoso provisioning/classGroup")
    shown = cli("status", str(district))
    assert shown.code == 0, shown.out + shown.err
    for name in flows:
        assert f"provisioningFlow {name}" in shown.out
    assert "absent" not in shown.out and "not in the tenant yet" not in shown.out
    everything = cli("status", str(district), "--all", "--format", "json")
    assert everything.code == 0, everything.out + everything.err
    listed = [o for o in json.loads(everything.out)["objects"] if o["kind"] == "provisioningFlow"]
    assert sorted((o["name"], o["managed"]) for o in listed) == [
        ("Contoso provisioning/classGroupProvisioningFlow", True),
        ("Contoso provisioning/userProvisioningFlow", True),
    ]
    table = cli("status", str(district), "--all", "--format", "markdown")
    assert "Contoso provisioning/userProvisioningFlow" in table.out
    assert "{'id'" not in table.out and "unmanaged" not in table.out
