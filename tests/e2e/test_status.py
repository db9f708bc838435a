"""`status` against the emulator: health per managed object, exit codes a schedule can alert
on, paged errors newest first, and personal data masked unless asked for."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.emulator import Emulator
from tests.e2e.conftest import TOKEN

SKU = "6fd2c87f-b296-42f0-b197-1e91e994b900"


def profile(name: str) -> dict:
    return {
        "displayName": name,
        "dataProvider": {"@odata.type": "#microsoft.graph.educationCsvDataProvider"},
        "identitySynchronizationConfiguration": {
            "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration",
            "userDomains": [{"appliesTo": "student", "name": "students.example.edu"}],
        },
        "licensesToAssign": [{"appliesTo": "student", "skuIds": [SKU]}],
    }


def yaml_for(name: str) -> str:
    return (
        f"displayName: {json.dumps(name)}\n"
        "dataProvider:\n"
        '  "@odata.type": "#microsoft.graph.educationCsvDataProvider"\n'
        "identitySynchronizationConfiguration:\n"
        '  "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration"\n'
        "  userDomains:\n"
        "    - appliesTo: student\n"
        "      name: students.example.edu\n"
    )


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(token=TOKEN, page_size=2, provisioning_delay=0) as emu:
        yield emu


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "desired-state"
    root.mkdir()
    for index, name in enumerate(("North High", "South High", "East High")):
        (root / f"p{index}.yaml").write_text(yaml_for(name))
    return root


def seed_three(emulator: Emulator, **states: dict) -> dict[str, str]:
    ids = {}
    for name in ("North High", "South High", "East High"):
        ids[name] = emulator.tenant.seed_profile(profile(name), **states.get(name, {}))
    return ids


def test_healthy_tenant_exits_0_with_one_row_per_managed_object(cli, graph_env, tree) -> None:
    seed_three(graph_env)
    graph_env.tenant.seed_profile(profile("Unmanaged Legacy"), status="quarantined")
    result = cli("status", str(tree))
    assert result.code == 0, result.out + result.err
    for name in ("North High", "South High", "East High"):
        assert name in result.out
    assert "Unmanaged Legacy" not in result.out
    assert "All 3 managed object(s) are healthy." in result.out
    # --all lists the unmanaged one; its quarantine is not ours to alert on.
    everything = cli("status", str(tree), "--all", "--format", "json")
    assert everything.code == 0
    doc = json.loads(everything.out)
    assert doc["format_version"] == 1
    unmanaged = [o for o in doc["objects"] if not o["managed"]]
    assert [(o["name"], o["run_status"], o["needs_attention"]) for o in unmanaged] == [
        ("Unmanaged Legacy", "quarantined", True)
    ]
    assert doc["summary"] == {
        "managed": 3,
        "unmanaged": 1,
        "needs_attention": 0,
        "not_in_tenant": 0,
    }


def test_quarantined_and_failed_profiles_exit_1_and_say_why(cli, graph_env, tree) -> None:
    ids = seed_three(
        graph_env,
        **{"South High": {"status": "quarantined"}, "East High": {"state": "provisioningFailed"}},
    )
    graph_env.tenant.update_profile_status(
        ids["South High"],
        {"lastSynchronizationDateTime": "2025-05-01T07:00:00Z", "statusMessage": "Quarantined"},
    )
    result = cli("status", str(tree), "--format", "json")
    assert result.code == 1
    doc = json.loads(result.out)
    by_name = {o["name"]: o for o in doc["objects"]}
    assert by_name["South High"]["problem"] == "run status quarantined"
    assert by_name["South High"]["last_sync"] == "2025-05-01T07:00:00Z"
    assert by_name["East High"]["problem"] == "state provisioningFailed"
    assert by_name["North High"]["needs_attention"] is False
    text = cli("status", str(tree))
    assert text.code == 1
    assert "2 of 3 managed object(s) need attention." in text.out
    assert "(2025-05-01 07:00 UTC)" in text.out and " ago " in text.out


@pytest.mark.parametrize("run_status", ["error", "validationError"])
def test_error_run_states_alert_too(cli, graph_env, tree, run_status: str) -> None:
    seed_three(graph_env, **{"North High": {"status": run_status}})
    assert cli("status", str(tree)).code == 1


def test_a_profile_not_created_yet_is_noted_not_failed(cli, graph_env, tree) -> None:
    graph_env.tenant.seed_profile(profile("North High"))
    graph_env.tenant.seed_profile(profile("South High"))
    result = cli("status", str(tree))
    assert result.code == 0, result.out
    assert "East High" in result.out and "not in the tenant yet" in result.out


def test_errors_are_paged_newest_first_and_paging_stops_at_the_limit(cli, graph_env, tree) -> None:
    ids = seed_three(graph_env)
    for day in (4, 7, 1, 6, 2, 5, 3):  # recorded out of order
        graph_env.tenant.add_error(
            ids["North High"],
            {"recordedDateTime": f"2025-05-0{day}T08:00:00Z", "errorCode": f"E{day}"},
        )
    graph_env.requests_log.clear()
    result = cli("status", str(tree), "--errors", "--limit", "5", "--format", "json")
    assert result.code == 0, result.err
    north = next(o for o in json.loads(result.out)["objects"] if o["name"] == "North High")
    assert north["error_count"] == 7
    assert [e["errorCode"] for e in north["errors"]] == ["E7", "E6", "E5", "E4", "E3"]
    assert north["errors"][0]["recorded_at"] == "2025-05-07T08:00:00Z"
    pages = [r for r in graph_env.requests_log if "/errors" in r.path]
    assert len(pages) == 3  # 2 + 2 + 2 rows: enough for 5, the fourth page is never read
    assert "skiptoken" in pages[1].path
    # Profiles without errors are not asked for any.
    assert all(ids["North High"] in r.path for r in pages)


REALISTIC_ERRORS = [
    {
        "entryType": "Student",
        "errorCode": "UnsynchronizableChange",
        "errorMessage": "The user 'Maria Gonzalez' (maria.gonzalez@students.contoso.edu) "
        "conflicts with object 3f2504e0-4f89-11d3-9a0c-0305e82c3301.",
        "joiningValue": "maria.gonzalez@students.contoso.edu",
        "reportableIdentifier": "20240117",
        "recordedDateTime": "2025-05-02T09:00:00Z",
    },
    {
        "entryType": "Teacher",
        "errorCode": "DuplicateValue",
        "errorMessage": 'Teacher "Tom Baker" has a duplicate SIS id 7781234',
        "joiningValue": "t.baker@contoso.edu",
        "reportableIdentifier": "T-0042",
        "recordedDateTime": "2025-05-01T09:00:00Z",
    },
]
PERSONAL = (
    "Maria Gonzalez",
    "maria.gonzalez",
    "3f2504e0-4f89",
    "20240117",
    "Tom Baker",
    "7781234",
    "t.baker",
    "T-0042",
    "Jo Smith",
)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_personal_data_is_masked_unless_asked(cli, graph_env, tree, fmt: str) -> None:
    ids = seed_three(graph_env, **{"South High": {"status": "error"}})
    graph_env.tenant.update_profile_status(
        ids["South High"], {"statusMessage": "Stopped at 'Jo Smith' (jo.smith@contoso.edu)"}
    )
    for row in REALISTIC_ERRORS:
        graph_env.tenant.add_error(ids["South High"], row)
    masked = cli("status", str(tree), "--errors", "--format", fmt)
    assert masked.code == 1
    for value in PERSONAL:
        assert value not in masked.out + masked.err, value
    assert "UnsynchronizableChange" in masked.out and "DuplicateValue" in masked.out
    assert "(hidden)" in masked.out
    shown = cli("status", str(tree), "--errors", "--show-pii", "--format", fmt)
    for value in PERSONAL:
        assert value in shown.out, value


ROW_OWN_VALUES = [
    {
        "entryType": "Teacher",
        "errorCode": "DuplicateValue",
        "errorMessage": "Teacher Tom Baker has a duplicate SIS id T-0042 (tbaker)",
        "joiningValue": "tbaker",
        "reportableIdentifier": "T-0042",
        "recordedDateTime": "2025-05-03T09:00:00Z",
    },
    {
        "entryType": "Student",
        "errorCode": "InvalidValue",
        "errorMessage": "Contact: +1 555 123 4567, DOB 2011-03-04",
        "joiningValue": "ana.lima@students.contoso.edu",
        "reportableIdentifier": "S-0917",
        "recordedDateTime": "2025-05-02T09:00:00Z",
    },
    {
        "entryType": "Student",
        "errorCode": "AccountDisabled",
        "errorMessage": "Account ana.lima is disabled since 04/03/2011",
        "joiningValue": "ana.lima@students.contoso.edu",
        "reportableIdentifier": "S-0917",
        "recordedDateTime": "2025-05-01T09:00:00Z",
    },
]
ROW_OWN_PERSONAL = (
    "T-0042",
    "tbaker",
    "555 123 4567",
    "2011-03-04",
    "ana.lima",
    "S-0917",
    "04/03/2011",
    "(555) 010-7788",
)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_messages_lose_the_rows_own_masked_values_phones_and_dates(
    cli, tmp_path, tree, monkeypatch, fmt: str
) -> None:
    stored = [
        {
            **profile("North High"),
            "id": "3b8f5c1e-6a2d-4e7b-9c41-0d5e8f7a2b61",
            "profileStatus": {
                "status": "quarantined",
                "statusMessage": "3 entries failed, e.g. tbaker and S-0917; call (555) 010-7788",
            },
            "errors": ROW_OWN_VALUES,
        }
    ]
    state = tmp_path / "tenant.json"
    state.write_text(json.dumps(stored))
    with Emulator(token=TOKEN, page_size=2, state_file=state) as emu:
        monkeypatch.setenv("EDUSYNC_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("EDUSYNC_GRAPH_URL", emu.base_url)
        masked = cli("status", str(tree), "--errors", "--format", fmt)
        shown = cli("status", str(tree), "--errors", "--show-pii", "--format", fmt)
    assert masked.code == 1
    for value in ROW_OWN_PERSONAL:
        assert value not in masked.out + masked.err, value
        assert value in shown.out, value
    assert "duplicate SIS id (hidden)" in masked.out and "DOB (hidden)" in masked.out
    assert "DuplicateValue" in masked.out and "3 entries failed" in masked.out


def test_markdown_escapes_pipes_in_names(cli, graph_env, tree) -> None:
    (tree / "p0.yaml").write_text(yaml_for("North | High"))
    graph_env.tenant.seed_profile(profile("North | High"))
    result = cli("status", str(tree), "--format", "markdown")
    assert "North \\| High" in result.out
    row = next(line for line in result.out.splitlines() if "North" in line)
    assert row.count(" | ") == 6  # seven cells; the pipe in the name is escaped


def test_an_unreadable_tenant_is_never_healthy(cli, graph_env, tree, monkeypatch) -> None:
    seed_three(graph_env)
    monkeypatch.setenv("EDUSYNC_ACCESS_TOKEN", "wrong-token")
    result = cli("status", str(tree))
    assert result.code == 1
    assert "HTTP 401" in result.err and "InvalidAuthenticationToken" in result.err
    assert "request-id" in result.err and "healthy" not in result.out


def test_a_retired_api_is_named(cli, graph_env, tree) -> None:
    graph_env.retired = True
    result = cli("status", str(tree))
    assert result.code == 1
    assert (
        "Microsoft retired /education/synchronizationProfiles on 2024-12-31; this tenant "
        "answers HTTP 400 (BadRequest); manage new SDS with the Industry Data kinds" in result.err
    )


@pytest.mark.parametrize("suffix", ["", "/v1.0", "/beta/education/synchronizationProfiles"])
def test_a_wrong_graph_url_is_not_called_retired(
    cli, graph_env, tree, monkeypatch, suffix: str
) -> None:
    url = graph_env.base_url.removesuffix("/beta") + suffix
    monkeypatch.setenv("EDUSYNC_GRAPH_URL", url)
    result = cli("status", str(tree))
    assert result.code == 1
    assert "retired" not in result.err and "HTTP 404" in result.err
    assert f"{graph_env.base_url}" in result.err.split(" — ", 1)[1]  # the fix names /beta


def test_a_pinned_id_gone_from_the_tenant_needs_attention(cli, graph_env, tree) -> None:
    seed_three(graph_env)
    (tree / "p0.yaml").write_text(
        "id: 00000000-0000-0000-0000-000000000001\n" + yaml_for("North High")
    )
    result = cli("status", str(tree))
    assert result.code == 1
    assert "pinned id 00000000-0000-0000-0000-000000000001 is not in the tenant" in result.out


def test_a_state_file_can_hold_a_quarantined_profile_and_its_errors(
    cli, tmp_path, tree, monkeypatch
) -> None:
    stored = [
        {
            **profile("North High"),
            "id": "3b8f5c1e-6a2d-4e7b-9c41-0d5e8f7a2b61",
            "profileStatus": {"status": "quarantined", "statusMessage": "Quarantined"},
            "errors": [
                {"errorCode": f"E{n}", "recordedDateTime": f"2025-05-0{n}T08:00:00Z"}
                for n in range(1, 6)
            ],
        }
    ]
    state = tmp_path / "tenant.json"
    state.write_text(json.dumps(stored))
    with Emulator(token=TOKEN, page_size=2, state_file=state) as emu:
        monkeypatch.setenv("EDUSYNC_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("EDUSYNC_GRAPH_URL", emu.base_url)
        result = cli("status", str(tree), "--errors", "--limit", "3", "--format", "json")
    assert result.code == 1
    north = next(o for o in json.loads(result.out)["objects"] if o["name"] == "North High")
    assert (north["run_status"], north["error_count"]) == ("quarantined", 5)
    assert [e["errorCode"] for e in north["errors"]] == ["E5", "E4", "E3"]


def test_an_object_not_created_yet_is_neither_failing_nor_called_healthy(
    cli, graph_env, tree
) -> None:
    for name in ("North High", "South High"):  # East High is declared but not created yet
        graph_env.tenant.seed_profile(profile(name))
    result = cli("status", str(tree))
    assert result.code == 0, result.out + result.err
    assert "All 3" not in result.out
    assert "2 of 3 managed object(s) are healthy, 1 not in the tenant yet" in result.out


def test_limit_without_errors_is_a_usage_error(cli, graph_env, tree) -> None:
    seed_three(graph_env)
    graph_env.requests_log.clear()
    result = cli("status", str(tree), "--limit", "5")
    assert result.code == 64
    assert "--limit sets how many sync errors --errors lists per object; add --errors" in (
        result.err
    )
    assert len(graph_env.requests_log) == 0
    assert cli("status", str(tree), "--errors", "--limit", "5").code == 0


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_errors_with_none_to_list_says_so_per_object(cli, graph_env, tree, fmt: str) -> None:
    seed_three(graph_env)
    result = cli("status", str(tree), "--errors", "--format", fmt)
    assert result.code == 0, result.out + result.err
    for name in ("North High", "South High", "East High"):
        assert f"No sync errors of {name}." in result.out
    plain = cli("status", str(tree))
    assert "No sync errors" not in plain.out  # not asked for: not claimed
