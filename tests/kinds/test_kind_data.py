"""Kind data read as the engine reads it: natural keys, URLs, permissions, namespaces."""

from __future__ import annotations

import pytest

from reconciler import urls
from reconciler.kinds import REGISTRY
from reconciler.kinds.model import (
    Endpoint,
    Kind,
    Namespace,
    NaturalKey,
    ObjectType,
    Permissions,
    Polymorphic,
    Prop,
    Scalar,
    ScalarKind,
)
from reconciler.kinds.odata import resolve_variant, wire_name

TEXT = Scalar(ScalarKind.STRING)
SET = Kind(
    "flowSet",
    Endpoint("external/industryData/outboundProvisioningFlowSets"),
    ObjectType("set", (Prop("displayName", TEXT),)),
    NaturalKey(("displayName",)),
)
FLOW = Kind(
    "flow",
    Endpoint("provisioningFlows", parent="flowSet", parent_ref="flowSet"),
    ObjectType("flow", ()),
    NaturalKey(("@odata.type",)),
)


def test_a_composite_key_is_one_text_and_folds_by_the_kinds_rule() -> None:
    key = NaturalKey(("referenceType", "code"), case_insensitive=True)
    assert key.text({"referenceType": "RefGradeLevel", "code": "PK"}) == "RefGradeLevel/PK"
    assert key.text({"displayName": "x"}) == ""
    assert key.fold("RefGradeLevel/PK") == key.fold("refgradelevel/pk")
    assert NaturalKey(("year.code",)).text({"year": {"code": "2027"}}) == "2027"
    assert NaturalKey(("displayName",)).fold("A") != NaturalKey(("displayName",)).fold("a")


def test_every_url_comes_from_the_endpoint() -> None:
    owner = urls.Owner(SET, "set-1")
    assert urls.collection_path(SET) == "external/industryData/outboundProvisioningFlowSets"
    assert urls.item_path(FLOW, "f-1", owner) == (
        "external/industryData/outboundProvisioningFlowSets/set-1/provisioningFlows/f-1"
    )
    assert urls.list_path(SET, expand=("provisioningFlows",)) == (
        "external/industryData/outboundProvisioningFlowSets?$expand=provisioningFlows"
    )
    assert urls.member_path(SET, "set-1", "errors", query={"$orderby": "at desc"}) == (
        "external/industryData/outboundProvisioningFlowSets/set-1/errors?$orderby=at%20desc"
    )
    assert urls.bind_url("https://g/beta/", SET, "set-1") == (
        "https://g/beta/external/industryData/outboundProvisioningFlowSets/set-1"
    )
    with pytest.raises(ValueError, match="lives in a flowSet"):
        urls.collection_path(FLOW)


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("https://g/beta/education/synchronizationProfiles/abc", "abc"),
        ("https://g/beta/education/synchronizationProfiles('abc')", "abc"),
    ],
)
def test_a_created_id_is_read_from_either_location_form(location: str, expected: str) -> None:
    assert urls.id_from_location(location) == expected


def test_app_only_permissions_are_per_action_and_a_replace_needs_both_halves() -> None:
    profile = REGISTRY["synchronizationProfile"].permissions
    assert profile.app_only_may("pause") and not profile.app_only_may("update")
    assert profile.delegated_names == "EduAdministration.ReadWrite"
    flows = Permissions(app_only_actions=("create", "delete"))
    assert flows.app_only_may("replace") and not flows.app_only_may("update")
    assert not Permissions(app_only_actions=("create",)).app_only_may("replace")


def test_a_namespace_accepts_its_own_and_older_spellings_only() -> None:
    industry = Namespace("microsoft.graph.industryData")
    poly = Polymorphic("connector", (ObjectType("azureDataLakeConnector", ()),), industry)
    assert resolve_variant(poly, "#microsoft.graph.industryData.azureDataLakeConnector")
    assert resolve_variant(poly, "AZUREDATALAKECONNECTOR")
    assert resolve_variant(poly, "#microsoft.graph.azureDataLakeConnector") is None
    assert wire_name(poly, poly.variants[0]) == (
        "#microsoft.graph.industryData.azureDataLakeConnector"
    )


def test_one_active_per_reads_the_member_and_the_end_of_a_body() -> None:
    """`OneActivePer`: a reference's key (as git or a read tenant object writes it) and whether
    the object is surely active now (no end, or one ahead); what it cannot judge, it does not."""
    import datetime as dt

    from reconciler.kinds.industry_data.inbound_flow import INBOUND_FLOW

    rule = INBOUND_FLOW.one_active_per
    assert rule is not None
    now = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)
    assert rule.member_text({"year": {"ref": "2027"}}) == "2027"
    assert rule.member_text({"year": {"id": "y1", "ref": 2027}}) == "2027"  # read, resolved
    assert rule.member_text({"year": {"id": "y1", "ref": None}}) is None  # target not read
    assert rule.member_text({}) is None
    for until, active in [
        (None, True),
        ("2027-07-31T00:00:00Z", True),
        ("2026-07-31T00:00:00.1234567Z", False),  # Graph's seven digits
        ("2026-11-29T01:00:00+02:00", False),  # 23:00 UTC the day before
        ("2026-11-30T00:00:00", True),  # no zone: UTC
        ("${FLOW_END}", False),
        (20270731, False),
    ]:
        body = {"year": {"ref": "2027"}} | ({} if until is None else {"expirationDateTime": until})
        assert rule.surely_active(body, now) is active, until


def test_a_kind_renames_in_place_unless_every_key_member_is_create_only() -> None:
    """Where the natural key cannot change by an update (a year's code; a flow's set and type),
    a look-alike is not to be renamed by pinning its id: that would plan a replace."""
    from reconciler.engine.lookalike import second_object_advice
    from reconciler.kinds import REGISTRY

    renames = {kind.name: kind.renames_in_place for kind in REGISTRY}
    assert renames["synchronizationProfile"] and renames["inboundFlow"]
    assert not renames["year"] and not renames["provisioningFlow"]
    flag = "apply with --allow-duplicate-source"
    profile = second_object_advice(
        REGISTRY["synchronizationProfile"], "'Old'", "p1", "p.yaml", flag=flag
    )
    assert profile.startswith("To rename 'Old' in place, add `id: p1` to p.yaml;")
    year = second_object_advice(REGISTRY["year"], "'2027'", "y1", "year.yaml", flag=flag)
    assert year.startswith("A year's year.code cannot change in place: to replace '2027', keep")
    assert "id:" not in year and year.endswith(flag)
