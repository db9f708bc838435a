"""The Industry Data kinds as data: the sample district loads, the kind data holds together,
and what the engine reads from it (URLs, keys, namespaces, writes, permissions) says what the
reference documents."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from reconciler import urls
from reconciler.desired.loader import load_desired
from reconciler.kinds.industry_data import (
    DATA_CONNECTOR,
    INBOUND_FLOW,
    INDUSTRY_DATA_KINDS,
    PROVISIONING_FLOW,
    PROVISIONING_FLOW_SET,
    REFERENCE_VALUE,
    ROLE_GROUP,
    SOURCE_SYSTEM,
    WITH_INDUSTRY_DATA,
    YEAR,
)
from reconciler.kinds.model import ObjectType, Polymorphic, ReadVia, UpdateVerb
from reconciler.kinds.typetree import reference_paths
from reconciler.schema import desired_state_schema

SAMPLES = Path(__file__).resolve().parents[2] / "examples" / "industry-data"


def _load(root: Path):
    return load_desired(str(root), registry=WITH_INDUSTRY_DATA)


def test_the_sample_district_loads_without_a_problem() -> None:
    state = _load(SAMPLES)
    assert [str(p) for p in state.problems] == []
    names = sorted((o.kind.name, o.name) for o in state.objects)
    assert names == [
        ("dataConnector", "Contoso OneRoster"),
        ("inboundFlow", "Contoso rostering 2026-2027"),
        ("provisioningFlow", "Contoso provisioning/classGroupProvisioningFlow"),
        ("provisioningFlow", "Contoso provisioning/userProvisioningFlow"),
        ("provisioningFlowSet", "Contoso provisioning"),
        ("referenceValue", "RefGradeLevel/TK4"),
        ("referenceValue", "RefGradeLevel/UG"),
        ("sourceSystem", "Contoso SIS"),
        ("year", "2027"),
        ("year", "2028"),
    ]
    secrets = {n for o in state.objects for names in o.variables.values() for n in names}
    assert secrets == {"ONEROSTER_CLIENT_SECRET", "SDS_STUDENT_INITIAL_PASSWORD"}


def test_the_schema_accepts_every_sample_document_and_names_no_unwritten_kind() -> None:
    schema = desired_state_schema(WITH_INDUSTRY_DATA)
    validator = jsonschema.Draft202012Validator(schema)
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    for path in sorted(SAMPLES.glob("*.yaml")):
        for doc in yaml.load_all(path.read_text(encoding="utf-8")):
            plain = json.loads(json.dumps(doc, default=str))
            assert [e.message for e in validator.iter_errors(plain)] == [], path.name
    kinds = {
        branch["properties"]["kind"]["const"]
        for definition in schema["$defs"].values()
        for branch in definition.get("oneOf", [definition])
        if "kind" in branch.get("properties", {})
    }
    # Role groups are the service's; flows are written inside their set.
    assert "roleGroup" not in kinds and "provisioningFlow" not in kinds
    assert {"sourceSystem", "year", "dataConnector", "inboundFlow"} <= kinds


def test_every_collection_lives_under_industry_data_and_a_flow_under_its_set() -> None:
    for kind in INDUSTRY_DATA_KINDS:
        if kind.endpoint.parent is None:
            assert urls.collection_path(kind).startswith("external/industryData/"), kind.name
    owner = urls.Owner(PROVISIONING_FLOW_SET, "set-1")
    assert urls.item_path(PROVISIONING_FLOW, "f-1", owner) == (
        "external/industryData/outboundProvisioningFlowSets/set-1/provisioningFlows/f-1"
    )
    assert urls.collection_path(REFERENCE_VALUE) == "external/industryData/referenceDefinitions"


def test_every_polymorphic_member_is_in_the_industry_data_namespace() -> None:
    def polymorphics(texpr, seen):
        if isinstance(texpr, Polymorphic):
            seen.append(texpr)
            for variant in texpr.variants:
                polymorphics(variant, seen)
        elif isinstance(texpr, ObjectType):
            for prop in texpr.props:
                polymorphics(prop.type, seen)
        elif hasattr(texpr, "item"):
            polymorphics(texpr.item, seen)
        return seen

    found = [p for kind in INDUSTRY_DATA_KINDS for p in polymorphics(kind.root, [])]
    assert len(found) >= 6  # connectors, credentials, inbound flows, flows, filter, password
    assert {p.namespace.name for p in found} == {"microsoft.graph.industryData"}


@pytest.mark.parametrize(
    ("kind", "body", "key"),
    [
        (YEAR, {"year": {"code": "2027"}, "displayName": "2026-2027"}, "2027"),
        (REFERENCE_VALUE, {"referenceType": "RefGradeLevel", "code": "PK"}, "RefGradeLevel/PK"),
        (
            PROVISIONING_FLOW,
            {
                "flowSet": {"ref": "Contoso provisioning"},
                "@odata.type": "#microsoft.graph.industryData.userProvisioningFlow",
            },
            "Contoso provisioning/userProvisioningFlow",
        ),
        (
            PROVISIONING_FLOW,
            {"flowSet": {"ref": "Contoso provisioning"}, "@odata.type": "userProvisioningFlow"},
            "Contoso provisioning/userProvisioningFlow",
        ),
        (ROLE_GROUP, {"id": "staff", "displayName": "Staff"}, "staff"),
    ],
)
def test_natural_keys(kind, body, key) -> None:
    assert kind.key_of(body) == key


def test_flow_keys_and_reference_rows_match_in_any_case() -> None:
    assert PROVISIONING_FLOW.key.fold("Set/UserProvisioningFlow") == PROVISIONING_FLOW.key.fold(
        "set/userProvisioningFlow"
    )
    assert REFERENCE_VALUE.key.fold("RefGradeLevel/pk") == REFERENCE_VALUE.key.fold(
        "refgradelevel/PK"
    )


def test_references_and_how_each_is_read_back() -> None:
    def refs(kind):
        return {".".join(p): r.target for p, r in reference_paths(kind.root)}

    assert refs(SOURCE_SYSTEM) == {"userMatchingSettings.roleGroup": "roleGroup"}
    assert refs(DATA_CONNECTOR) == {"sourceSystem": "sourceSystem"}
    assert refs(INBOUND_FLOW) == {"dataConnector": "dataConnector", "year": "year"}
    assert refs(PROVISIONING_FLOW) == {
        "flowSet": "provisioningFlowSet",
        "creationOptions.configurations.roleGroup": "roleGroup",
    }
    vias = {(k.name, r.path): r.via for k in INDUSTRY_DATA_KINDS for r in k.relations}
    assert vias[("provisioningFlow", "creationOptions.configurations.roleGroup")] is ReadVia.ITEM
    assert ROLE_GROUP.system_objects == ("staff", "students") and not ROLE_GROUP.managed


def test_writes_are_patches_answered_204_with_the_documented_required_members() -> None:
    for kind in INDUSTRY_DATA_KINDS:
        if kind.managed:
            assert kind.writes.update is UpdateVerb.PATCH and kind.writes.reread, kind.name
            assert kind.states is None and kind.run_state is None, kind.name
    assert YEAR.writes.patch_always == ("displayName", "startDate", "endDate")
    assert "credential" in DATA_CONNECTOR.writes.patch_always
    assert INBOUND_FLOW.writes.patch_always == ("displayName", "effectiveDateTime")
    assert PROVISIONING_FLOW.writes.patch_always == ("managementOptions",)
    assert set(INBOUND_FLOW.writes.create_only) == {
        "@odata.type",
        "dataDomain",
        "dataConnector",
        "year",
    }


def test_permissions_name_the_industry_data_scopes_and_flow_set_patch_is_delegated_only() -> None:
    assert SOURCE_SYSTEM.permissions.write_delegated == ("IndustryData-SourceSystem.ReadWrite.All",)
    assert SOURCE_SYSTEM.permissions.app_only_may("update")
    flow_set = PROVISIONING_FLOW_SET.permissions
    assert flow_set.app_only_may("create") and flow_set.app_only_may("delete")
    assert not flow_set.app_only_may("update")
    assert PROVISIONING_FLOW.permissions.app_only_may("update")
    assert REFERENCE_VALUE.permissions.read_application[0] == "IndustryData.ReadBasic.All"


def test_reference_values_soft_delete_and_keep_the_services_rows() -> None:
    rows = REFERENCE_VALUE.service_rows
    assert rows is not None
    assert rows.is_service_row({"source": "CEDS"})
    assert not rows.is_service_row({"source": "Tenant Defined"})
    assert "RefGradeLevel" in rows.creatable and "RefRole" not in rows.creatable
    assert REFERENCE_VALUE.is_leaving({"isDisabled": True})
    assert not REFERENCE_VALUE.is_leaving({"isDisabled": False})


def test_a_reference_must_be_written_as_ref_and_a_type_in_the_industry_data_namespace(
    tmp_path: Path,
) -> None:
    (tmp_path / "typo.yaml").write_text(
        'kind: inboundFlow\n"@odata.type": "#microsoft.graph.inboundApiFlow"\n',
        encoding="utf-8",
    )
    (tmp_path / "flow.yaml").write_text(
        "kind: inboundFlow\n"
        '"@odata.type": "#microsoft.graph.industryData.inboundApiFlow"\n'
        "displayName: Flow\n"
        "dataDomain: educationRostering\n"
        "effectiveDateTime: 2026-08-01T00:00:00Z\n"
        "dataConnector: Contoso OneRoster\n"
        'year: {ref: "2027"}\n',
        encoding="utf-8",
    )
    (tmp_path / "connector.yaml").write_text(
        "kind: dataConnector\n"
        '"@odata.type": "#microsoft.graph.industryData.oneRosterApiDataConnector"\n'
        "displayName: C\n"
        "sourceSystem: {ref: S}\n"
        "apiFormat: oneRoster\n"
        "baseUrl: https://sis.example.edu/ims/oneroster\n"
        'apiVersion: "1.1"\n'
        "isDemographicsEnabled: false\n"
        "isFlagsEnabled: false\n"
        "isContactsEnabled: false\n"
        "credential:\n"
        '  "@odata.type": "#microsoft.graph.industryData.oAuth1ClientCredential"\n'
        "  clientId: id\n"
        "  clientSecret: ${OR_SECRET}\n"
        "  tokenUrl: https://x.example.edu/token\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in _load(tmp_path).problems]
    text = "\n".join(problems)
    assert "connector.yaml:15:3" in text and "tokenUrl" in text  # an OAuth 1 credential has none
    assert "typo.yaml:2:" in text and "#microsoft.graph.industryData.inboundApiFlow" in text
    assert "flow.yaml:6:" in text and "{ref: Contoso OneRoster}" in text


def test_a_sets_flows_are_objects_of_their_own_at_their_own_position(tmp_path: Path) -> None:
    state = _load(SAMPLES)
    by_name = {(o.kind.name, o.name): o for o in state.objects}
    flow_set = by_name[("provisioningFlowSet", "Contoso provisioning")]
    assert "provisioningFlows" not in flow_set.body and flow_set.variables == {}
    user = by_name[("provisioningFlow", "Contoso provisioning/userProvisioningFlow")]
    assert user.where.endswith("provisioning.yaml:10:5")
    assert user.body["flowSet"] == {"ref": "Contoso provisioning"}
    password = ("creationOptions", "configurations", 0, "defaultPasswordSettings", "password")
    assert user.variables == {password: ("SDS_STUDENT_INITIAL_PASSWORD",)}
    assert user.variable_positions[password] == (23, 23)


def test_two_flows_of_one_type_in_a_set_are_refused_with_both_positions(tmp_path: Path) -> None:
    flow = '  - "@odata.type": "#microsoft.graph.industryData.securityGroupProvisioningFlow"\n'
    flow += "    creationOptions: {createBasedOnRoleGroup: true}\n"
    (tmp_path / "set.yaml").write_text(
        "kind: provisioningFlowSet\ndisplayName: S\nprovisioningFlows:\n" + flow + flow,
        encoding="utf-8",
    )
    problems = [str(p) for p in _load(tmp_path).problems]
    assert len(problems) == 1
    assert "set.yaml:6:5" in problems[0] and "set.yaml:4:5" in problems[0]


def test_a_reference_keyed_list_matches_with_or_without_the_id() -> None:
    from reconciler.engine.normalize import normalize

    desired = {"creationOptions": {"configurations": [{"roleGroup": {"ref": "staff"}}]}}
    actual = {"creationOptions": {"configurations": [{"roleGroup": {"ref": "staff", "id": "s"}}]}}
    variant = PROVISIONING_FLOW.root.variants[0]
    assert normalize(actual, variant) == normalize(desired, variant)
