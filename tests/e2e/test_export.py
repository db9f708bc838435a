"""`export` against the emulator: the exported tree validates and plans as nothing but no-ops,
holds no secret, and a re-export keeps what the admin wrote."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from reconciler.emulator import Emulator
from tests.e2e.conftest import TOKEN

SKU_A = "6fd2c87f-b296-42f0-b197-1e91e994b900"
SKU_B = "94763226-9b3c-4e75-a931-5c89701abe66"
TENANT_SECRETS = ("ps-tenant-secret-111", "or1-tenant-secret-222", "or2-tenant-secret-333")

CREATION = {
    "@odata.type": "#Microsoft.Education.DataSync.educationIdentityCreationConfiguration",
    "userDomains": [
        {"appliesTo": "teacher", "name": "contoso.edu"},
        {"appliesTo": "student", "name": "students.contoso.edu"},
    ],
}
MATCHING = {
    "@odata.type": "microsoft.graph.identityMatchingConfiguration",  # legacy short name
    "matchingOptions": [
        {
            "appliesTo": "teacher",
            "sourcePropertyName": "Username",
            "targetPropertyName": "userPrincipalName",
            "targetDomain": None,
        },
        {
            "appliesTo": "student",
            "sourcePropertyName": "Username",
            "targetPropertyName": "userPrincipalName",
            "targetDomain": "students.fabrikam.edu",
        },
    ],
}
PROFILES = [
    {
        "displayName": "Contoso CSV",
        "dataProvider": {
            "@odata.type": "#microsoft.graph.educationcsvdataprovider",
            "customizations": {
                "student": {"optionalPropertiesToSync": ["State ID", "Middle Name", "Grade"]},
                "teacher": {"optionalPropertiesToSync": ["Title", "State ID"]},
                "section": {"allowDisplayNameUpdate": True},
            },
        },
        "identitySynchronizationConfiguration": CREATION,
        "licensesToAssign": [
            {"appliesTo": "teacher", "skuIds": [SKU_B.upper(), SKU_A]},
            {"appliesTo": "student", "skuIds": [SKU_A.upper()]},
        ],
    },
    {
        "displayName": "Contoso PowerSchool 2025-26",
        "expirationDate": "2027-07-31",
        "handleSpecialCharacterConstraint": False,
        "dataProvider": {
            "@odata.type": "microsoft.graph.educationPowerSchoolDataProvider",
            "connectionUrl": "https://contoso.powerschool.com",
            "clientId": "ps-client",
            "clientSecret": TENANT_SECRETS[0],
            "schoolsIds": ["205", "101", "102"],
            "schoolYear": "2026",
            "allowTeachersInMultipleSchools": True,
        },
        "identitySynchronizationConfiguration": MATCHING,
    },
    {
        "displayName": "Fabrikam OneRoster OAuth1",
        "dataProvider": {
            "@odata.type": "#microsoft.graph.educationOneRosterApiDataProvider",
            "connectionUrl": "https://or.fabrikam.edu/ims/oneroster/v1p1",
            "providerName": "Fabrikam SIS",
            "schoolsIds": ["org-2", "org-1"],
            "termIds": ["t-2", "t-1"],
            "connectionSettings": {
                "@odata.type": "#Microsoft.Education.DataSync."
                "educationSynchronizationOAuth1ConnectionSettings",
                "clientId": "or1",
                "clientSecret": TENANT_SECRETS[1],
            },
        },
        "identitySynchronizationConfiguration": CREATION,
        "licensesToAssign": [{"appliesTo": "student", "skuIds": [SKU_A]}],
    },
    {
        "displayName": "Fabrikam OneRoster OAuth2",
        "dataProvider": {
            "@odata.type": "#microsoft.graph.educationOneRosterApiDataProvider",
            "connectionUrl": "https://or2.fabrikam.edu/ims/oneroster/v1p1",
            "providerName": "Fabrikam SIS",
            "connectionSettings": {
                "@odata.type": "microsoft.graph."
                "educationsynchronizationoauth2clientcredentialsconnectionsettings",
                "clientId": "or2",
                "clientSecret": TENANT_SECRETS[2],
                "tokenUrl": "https://or2.fabrikam.edu/oauth/token",
                "scope": "roster-core.readonly",
            },
        },
        "identitySynchronizationConfiguration": MATCHING,
    },
]


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """Settles at once: a profile deleted in the tenant is gone by the next read."""
    with Emulator(token=TOKEN, page_size=2, provisioning_delay=0) as emu:
        yield emu


def seed(emulator: Emulator) -> list[str]:
    return [emulator.tenant.seed_profile(json.loads(json.dumps(p))) for p in PROFILES]


def placeholders(tree: Path) -> set[str]:
    lines = [ln for f in tree.glob("*.yaml") for ln in f.read_text().splitlines()]
    text = "\n".join(ln for ln in lines if not ln.lstrip().startswith("#"))
    return set(re.findall(r"\$\{([A-Za-z0-9_]+)\}", text))


def test_exported_tenant_validates_and_plans_as_nothing_but_no_ops(
    cli, graph_env: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = seed(graph_env)
    out = tmp_path / "adopted"
    result = cli("export", "--out", str(out))
    assert result.code == 0, result.err
    files = sorted(f.name for f in out.glob("*.yaml"))
    assert files == [
        "contoso-csv.yaml",
        "contoso-powerschool-2025-26.yaml",
        "fabrikam-oneroster-oauth1.yaml",
        "fabrikam-oneroster-oauth2.yaml",
    ]
    # No secret value anywhere in the tree (the emulator holds them; Graph never returns them).
    for path in out.rglob("*"):
        content = path.read_bytes()
        for secret in TENANT_SECRETS:
            assert secret.encode() not in content, path
    # Every placeholder is a valid shell name, unique, and listed on stderr.
    names = placeholders(out)
    assert names == {
        "POWERSCHOOL_CONTOSO_POWERSCHOOL_2025_26_CLIENT_SECRET",
        "ONEROSTER_FABRIKAM_ONEROSTER_OAUTH1_CLIENT_SECRET",
        "ONEROSTER_FABRIKAM_ONEROSTER_OAUTH2_CLIENT_SECRET",
    }
    for name in names:
        assert name in result.err
    ps = (out / "contoso-powerschool-2025-26.yaml").read_text()
    assert ps.startswith("# yaml-language-server: $schema=edusync-profile.schema.json\n")
    assert f"id: {ids[1]}" in ps
    assert '"@odata.type": "#microsoft.graph.educationPowerSchoolDataProvider"' in ps
    assert "customizations" not in ps  # server-filled slots are left out
    assert (out / "edusync-profile.schema.json").is_file()

    for name in names:
        monkeypatch.setenv(name, f"value-of-{name.lower()}")
    validated = cli("validate", str(out))
    assert validated.code == 0, validated.out + validated.err
    assert "warning" not in validated.out + validated.err
    planned = cli("plan", str(out), "--detailed-exitcode", "--format", "json")
    assert planned.code == 0, planned.out + planned.err
    doc = json.loads(planned.out)
    assert {c["action"] for c in doc["changes"]} == {"noop"}
    assert sorted(c["id"] for c in doc["changes"]) == sorted(ids)
    assert doc["unmanaged"] == [] and doc["errors"] == []


def test_names_that_would_collide_get_the_object_id(cli, graph_env: Emulator, tmp_path) -> None:
    first = graph_env.tenant.seed_profile(
        {**json.loads(json.dumps(PROFILES[0])), "displayName": "Contoso A"}
    )
    second = graph_env.tenant.seed_profile(
        {**json.loads(json.dumps(PROFILES[0])), "displayName": "contoso-a"}
    )
    out = tmp_path / "out"
    assert cli("export", "--out", str(out)).code == 0
    assert sorted(f.name for f in out.glob("*.yaml")) == sorted(
        [f"contoso-a-{first[:8]}.yaml", f"contoso-a-{second[:8]}.yaml"]
    )


def test_re_export_keeps_comments_order_names_and_placeholders(
    cli, graph_env: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = seed(graph_env)
    out = tmp_path / "desired-state"
    assert cli("export", str(out)).code == 0
    # The admin edits: comments, key order, a renamed file, their own variable name.
    ps = out / "contoso-powerschool-2025-26.yaml"
    text = ps.read_text()
    text = text.replace(
        "displayName: Contoso PowerSchool 2025-26",
        "# owner: district IT\ndisplayName: Contoso PowerSchool 2025-26  # the live one",
    )
    text = text.replace("${POWERSCHOOL_CONTOSO_POWERSCHOOL_2025_26_CLIENT_SECRET}", "${PS_SECRET}")
    lines = text.splitlines(keepends=True)
    expiration = next(line for line in lines if line.startswith("expirationDate"))
    lines.remove(expiration)
    lines.insert(
        lines.index(next(line for line in lines if line.startswith("displayName"))) + 1, expiration
    )
    (out / "powerschool.yaml").write_text("".join(lines))
    ps.unlink()
    csv = out / "contoso-csv.yaml"
    csv_before = csv.read_bytes()
    oauth1 = out / "fabrikam-oneroster-oauth1.yaml"
    oauth1.write_text(oauth1.read_text() + "# keep me\n")

    # Meanwhile in the tenant: a school added, one profile deleted, a new one created.
    graph_env.tenant.patch(
        ids[1],
        {
            "dataProvider": {
                **PROFILES[1]["dataProvider"],
                "schoolsIds": ["101", "102", "205", "300"],
            }
        },
    )
    graph_env.tenant.delete(ids[3])
    new_id = graph_env.tenant.seed_profile(
        {**json.loads(json.dumps(PROFILES[0])), "displayName": "New CSV"}
    )
    again = cli("export", str(out))
    assert again.code == 0, again.err

    edited = (out / "powerschool.yaml").read_text()
    assert "# owner: district IT\n" in edited and "# the live one" in edited
    assert "${PS_SECRET}" in edited and "POWERSCHOOL_CONTOSO" not in edited
    assert "schoolsIds: ['101', '102', '205', '300']" in edited
    keys = [line.split(":")[0] for line in edited.splitlines() if re.match(r"^[a-zA-Z]", line)]
    assert keys[:4] == ["id", "displayName", "expirationDate", "dataProvider"]
    assert not ps.exists()  # the renamed file was updated, no second file written
    assert csv.read_bytes() == csv_before  # untouched: byte for byte
    assert oauth1.read_text().endswith("# keep me\n")
    assert (out / "new-csv.yaml").is_file()
    assert f"id: {new_id}" in (out / "new-csv.yaml").read_text()
    assert "fabrikam-oneroster-oauth2.yaml" in again.err and "not in the tenant" in again.err
    assert (out / "fabrikam-oneroster-oauth2.yaml").exists()  # reported, never deleted
    assert f"~ {out}/powerschool.yaml" in again.out and f"= {out}/contoso-csv.yaml" in again.out
    assert f"{out}/fabrikam-oneroster-oauth2.yaml:" in again.err

    (out / "fabrikam-oneroster-oauth2.yaml").unlink()
    for name in placeholders(out):
        monkeypatch.setenv(name, "x")
    planned = cli("plan", str(out), "--detailed-exitcode")
    assert planned.code == 0, planned.out + planned.err


def test_export_names_a_failed_read_and_writes_nothing(
    cli, graph_env: Emulator, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("EDUSYNC_ACCESS_TOKEN", "not-the-token")
    out = tmp_path / "out"
    result = cli("export", "--out", str(out))
    assert result.code == 1
    assert "HTTP 401" in result.err and "request-id" in result.err
    assert not out.exists()


def test_target_exports_only_that_object(cli, graph_env: Emulator, tmp_path) -> None:
    seed(graph_env)
    out = tmp_path / "out"
    result = cli("export", "--out", str(out), "--target", "Contoso CSV")
    assert result.code == 0, result.err
    assert sorted(f.name for f in out.glob("*.yaml")) == ["contoso-csv.yaml"]
    missing = cli("export", "--out", str(out), "--target", "Nope")
    assert missing.code == 64 and "--target 'Nope' matches no profile" in missing.err


def test_a_target_in_the_wrong_case_is_a_usage_error_with_a_did_you_mean(
    cli, graph_env: Emulator, tmp_path
) -> None:
    seed(graph_env)
    out = tmp_path / "out"
    result = cli("export", "--out", str(out), "--target", "contoso csv")
    assert result.code == 64, result.err
    assert "--target 'contoso csv' matches no profile" in result.err
    assert "did you mean 'Contoso CSV'?" in result.err
    assert not out.exists()  # refused before anything is written


def test_two_objects_of_one_name_are_warned_about_and_the_tree_still_plans_clean(
    cli, graph_env: Emulator, tmp_path: Path
) -> None:
    same = {**json.loads(json.dumps(PROFILES[0])), "displayName": "Test Profile"}
    first = graph_env.tenant.seed_profile(same)
    second = graph_env.tenant.seed_profile(json.loads(json.dumps(same)))
    out = tmp_path / "fresh"
    result = cli("export", "--out", str(out))
    assert result.code == 0, result.err
    files = sorted(f.name for f in out.glob("*.yaml"))
    assert files == sorted([f"test-profile-{first[:8]}.yaml", f"test-profile-{second[:8]}.yaml"])
    warning = next(ln for ln in result.err.splitlines() if "'Test Profile'" in ln)
    assert warning.startswith("warning: ")
    assert all(name in warning for name in files)
    assert "rename one in the SDS portal" in warning and "`id:`" in warning

    assert cli("validate", str(out)).code == 0
    planned = cli("plan", str(out), "--detailed-exitcode", "--format", "json")
    assert planned.code == 0, planned.out + planned.err
    doc = json.loads(planned.out)
    assert sorted(c["id"] for c in doc["changes"]) == sorted([first, second])
    assert {c["action"] for c in doc["changes"]} == {"noop"} and doc["unmanaged"] == []
    # --target names both; a saved plan of the two applies without being called stale.
    targeted = cli("plan", str(out), "--target", "Test Profile", "--detailed-exitcode")
    assert targeted.code == 0, targeted.out + targeted.err
    (out / files[0]).write_text((out / files[0]).read_text() + "lifecycle:\n  paused: true\n")
    saved = tmp_path / "p.json"
    assert cli("plan", str(out), "--out", str(saved), "--detailed-exitcode").code == 2
    applied = cli("apply", str(out), "--plan", str(saved), "--auto-approve")
    assert applied.code == 0, applied.out + applied.err


def test_files_are_named_as_the_admin_passed_the_directory(
    cli, graph_env: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(graph_env)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "desired-state").mkdir()
    (tmp_path / "desired-state" / "broken.yaml").write_text("displayName: [\n")
    broken = cli("export")
    assert broken.code == 1
    assert "desired-state/broken.yaml:1:14: error: invalid YAML" in broken.err  # at the '['
    (tmp_path / "desired-state" / "broken.yaml").unlink()
    written = cli("export", "./desired-state/")
    assert written.code == 0, written.err
    assert "+ desired-state/contoso-csv.yaml  Contoso CSV (new)" in written.out


@pytest.mark.parametrize("below", ["sub", ""])
def test_out_below_or_onto_a_file_is_refused_before_any_request(
    cli, graph_env: Emulator, tmp_path: Path, below: str
) -> None:
    seed(graph_env)
    afile = tmp_path / "afile"
    afile.write_text("not a directory\n")
    out = afile / below if below else afile
    result = cli("export", "--out", str(out))
    assert result.code == 1, result.err
    assert len(graph_env.requests_log) == 0  # neither signed in nor read
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: --out {out}"), result.err
    assert "file" in lines[0]
    assert afile.read_text() == "not a directory\n"


# -- Industry Data: the sample district applied, then exported ------------------------------------
@pytest.fixture
def district(cli, graph_env: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample district (examples/industry-data), applied to the emulator."""
    from tests.kinds.idkinds import ENV, SAMPLES

    target = tmp_path / "district"
    shutil.copytree(SAMPLES, target)
    monkeypatch.chdir(tmp_path)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    applied = cli("apply", str(target), "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    return target


def test_an_overridden_service_row_is_exported_and_its_override_kept(
    cli, district: Path, tmp_path: Path
) -> None:
    adopted = tmp_path / "adopted"
    fresh = cli("export", str(district), "--out", str(adopted))
    assert fresh.code == 0, fresh.err
    rows = [f for f in adopted.glob("*.yaml") if "kind: referenceValue" in f.read_text()]
    # The tenant's own row and the service's row it hid; not the service's untouched rows.
    assert sorted(f.name for f in rows) == ["refgradelevel-tk4.yaml", "refgradelevel-ug.yaml"]
    assert "isDisabled: true" in (adopted / "refgradelevel-ug.yaml").read_text()
    assert cli("plan", str(adopted), "--detailed-exitcode").code == 0

    override = (district / "reference-values.yaml").read_text().split("---")[1]
    again = cli("export", str(district))
    assert again.code == 0, again.err
    assert "not in the tenant" not in again.err
    assert "RefGradeLevel/UG (unchanged)" in again.out
    # Only what the document overrides: the service's name and position stay the service's.
    assert (district / "reference-values.yaml").read_text().split("---")[1] == override


def _graph(emulator: Emulator, method: str, path: str, body: Any = None) -> Any:
    response = requests.request(
        method,
        f"{emulator.base_url}/external/industryData/{path}",
        json=body,
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert response.ok, response.text
    return response.json() if response.content else None


def _flow_of_type(emulator: Emulator, leaf: str) -> tuple[str, dict[str, Any]]:
    """(the flow's path, the flow) of the district's set."""
    (flow_set,) = _graph(emulator, "GET", "outboundProvisioningFlowSets")["value"]
    flows = f"outboundProvisioningFlowSets/{flow_set['id']}/provisioningFlows"
    for flow in _graph(emulator, "GET", flows)["value"]:
        if flow["@odata.type"].endswith(leaf):
            return f"{flows}/{flow['id']}", flow
    raise AssertionError(leaf)


def test_re_export_updates_a_flow_written_inside_its_set(
    cli, district: Path, graph_env: Emulator
) -> None:
    path, flow = _flow_of_type(graph_env, "classGroupProvisioningFlow")
    configuration = {**flow["configuration"]}
    configuration["additionalOptions"] = {**configuration["additionalOptions"], "createTeam": False}
    change = {"@odata.type": flow["@odata.type"], "configuration": configuration}
    _graph(graph_env, "PATCH", path, change)
    assert cli("plan", str(district), "--detailed-exitcode").code == 2

    again = cli("export", str(district))
    assert again.code == 0, again.err
    assert "could not locate" not in again.err
    assert "Contoso provisioning/classGroupProvisioningFlow (updated)" in again.out
    assert "Contoso provisioning/userProvisioningFlow (unchanged)" in again.out
    # The password is listed once, for the flow it belongs to (not for its set as well).
    assert again.err.count("SDS_STUDENT_INITIAL_PASSWORD") == 1
    assert "userProvisioningFlow: creationOptions.configurations" in again.err
    text = (district / "provisioning.yaml").read_text()
    assert "createTeam: false" in text and "createTeam: true" not in text
    assert "# Class groups: one per class section" in text  # the admin's comments stay
    assert "# Office 365 A1 for students" in text
    assert "memberEnrollmentMappings: [{code: student}]" in text  # unchanged: kept as written
    assert "flowSet" not in text and "kind: provisioningFlow\n" not in text
    assert text.count("\nid: ") == 1  # the set's pin; its flows are known by their place
    planned = cli("plan", str(district), "--detailed-exitcode")
    assert planned.code == 0, planned.out + planned.err


def test_a_fresh_export_writes_flows_inside_their_set_and_plans_clean(
    cli, district: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.kinds.idkinds import ENV

    adopted = tmp_path / "adopted"
    fresh = cli("export", str(district), "--out", str(adopted))
    assert fresh.code == 0, fresh.err
    files = sorted(f.name for f in adopted.glob("*.yaml"))
    assert not [f for f in files if "id-" in f or "flow" in f.split("-")]  # no file per flow
    text = (adopted / "contoso-provisioning.yaml").read_text()
    assert "kind: provisioningFlowSet" in text and "kind: provisioningFlow\n" not in text
    assert "\nprovisioningFlows:\n" in text and "flowSet" not in text
    assert text.count('- "@odata.type": "#microsoft.graph.industryData.') == 2
    password = "DEFAULT_PASSWORD_CONTOSO_PROVISIONING_USER_PASSWORD"
    assert f"password: ${{{password}}}" in text
    assert (
        f"{password}  Contoso provisioning/userProvisioningFlow: "
        "creationOptions.configurations[students].defaultPasswordSettings.password" in fresh.err
    )
    for secret in ENV.values():  # placeholders only, never a secret
        assert not [f for f in adopted.iterdir() if secret in f.read_text()]
    assert placeholders(adopted) == {password, "ONEROSTER_CONTOSO_ONEROSTER_CLIENT_SECRET"}
    assert cli("validate", str(adopted)).code == 0
    planned = cli("plan", str(adopted), "--detailed-exitcode")
    assert planned.code == 0, planned.out + planned.err


def test_re_export_adds_a_new_flow_to_its_sets_list(
    cli, district: Path, graph_env: Emulator
) -> None:
    path, _ = _flow_of_type(graph_env, "userProvisioningFlow")
    flows = path.rsplit("/", 1)[0]
    security = {
        "@odata.type": "#microsoft.graph.industryData.securityGroupProvisioningFlow",
        "creationOptions": {"createBasedOnRoleGroup": True, "createBasedOnOrgPlusRoleGroup": False},
    }
    _graph(graph_env, "POST", flows, security)

    again = cli("export", str(district))
    assert again.code == 0, again.err
    assert (
        "provisioning.yaml  Contoso provisioning/securityGroupProvisioningFlow (new)" in again.out
    )
    assert not [f for f in district.glob("*.yaml") if "security" in f.name]
    text = (district / "provisioning.yaml").read_text()
    assert text.count('- "@odata.type": ') == 3 and "createBasedOnRoleGroup: true" in text
    assert "# Class groups: one per class section" in text
    planned = cli("plan", str(district), "--detailed-exitcode")
    assert planned.code == 0, planned.out + planned.err
