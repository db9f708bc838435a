"""The classic → Industry Data mapping, table by table (pure: no files, a fixed today)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from reconciler.convert import Status
from tests.convert.helpers import (
    CSV,
    NS,
    body,
    creation,
    docs,
    entries,
    flows,
    matching,
    messages,
    one,
    oneroster,
    powerschool,
    profile,
    run,
    run_one,
)

# --- data providers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "connector_type", "flow_type"),
    [
        (CSV, "azureDataLakeConnector", "inboundFileFlow"),
        (powerschool(), "oneRosterApiDataConnector", "inboundApiFlow"),
        (oneroster(oauth2=True), "oneRosterApiDataConnector", "inboundApiFlow"),
        (oneroster(oauth2=False), "oneRosterApiDataConnector", "inboundApiFlow"),
    ],
    ids=["csv", "powerschool", "oneroster-oauth2", "oneroster-oauth1"],
)
def test_each_provider_becomes_source_connector_and_inbound_flow(
    provider: dict[str, Any], connector_type: str, flow_type: str
) -> None:
    conversion = run_one(body("P", provider))
    kinds = sorted(o.document.kind for o in conversion.outputs)
    assert kinds == [
        "dataConnector",
        "inboundFlow",
        "provisioningFlowSet",
        "sourceSystem",
        "year",
    ]
    system = one(conversion, "sourceSystem")
    connector = one(conversion, "dataConnector")
    flow = one(conversion, "inboundFlow")
    assert connector["@odata.type"] == NS + connector_type
    assert connector["sourceSystem"] == {"ref": system["displayName"]}
    assert flow["@odata.type"] == NS + flow_type
    assert flow["dataDomain"] == "educationRostering"
    assert flow["dataConnector"] == {"ref": connector["displayName"]}
    assert flow["year"] == {"ref": "2027"}
    assert one(conversion, "year")["year"] == {"code": "2027"}


@pytest.mark.parametrize(
    ("provider", "credential"),
    [
        (
            oneroster(oauth2=True),
            {
                "@odata.type": NS + "oAuth2ClientCredential",
                "displayName": "OneRoster API credentials",
                "clientId": "or-client",
                "clientSecret": "${OR_SECRET}",
                "tokenUrl": "https://sis.example.org/oauth/token",
                "scope": "roster",
            },
        ),
        (
            oneroster(oauth2=False),
            {
                "@odata.type": NS + "oAuth1ClientCredential",
                "displayName": "OneRoster API credentials",
                "clientId": "or-client",
                "clientSecret": "${OR_SECRET}",
            },
        ),
        (
            powerschool(),
            {
                "@odata.type": NS + "oAuth2ClientCredential",
                "displayName": "OneRoster API credentials",
                "clientId": "ps-client",
                "clientSecret": "${PS_SECRET}",
                "tokenUrl": "https://contoso.powerschool.com/oauth/access_token",
            },
        ),
    ],
    ids=["oauth2", "oauth1", "powerschool"],
)
def test_connection_settings_become_the_credential_with_the_same_placeholder(
    provider: dict[str, Any], credential: dict[str, Any]
) -> None:
    connector = one(run_one(body("P", provider)), "dataConnector")
    assert connector["credential"] == credential
    # The members the OneRoster connector's tables mark required, with documented defaults.
    assert connector["apiFormat"] == "oneRoster"
    assert (
        connector["isContactsEnabled"],
        connector["isDemographicsEnabled"],
        connector["isFlagsEnabled"],
    ) == (False, False, False)


@pytest.mark.parametrize(
    ("url", "version"),
    [
        ("https://sis.example.org/ims/oneroster/v1p1", "1.1"),
        ("https://sis.example.org/ims/oneroster/v1p2/", "1.2"),
        ("https://sis.example.org/oneroster", "1.1"),
    ],
)
def test_oneroster_api_version_comes_from_the_url(url: str, version: str) -> None:
    connector = one(run_one(body("P", oneroster(url))), "dataConnector")
    assert connector["apiVersion"] == version
    assert connector["baseUrl"] == url


def test_powerschool_is_a_proposal_on_its_oneroster_endpoint() -> None:
    conversion = run_one(body("P", powerschool("https://ps.example.org/")))
    connector = one(conversion, "dataConnector")
    assert connector["baseUrl"] == "https://ps.example.org/ims/oneroster/v1p1"
    decisions = entries(conversion, Status.DECIDE, "dataProvider.@odata.type")
    assert len(decisions) == 1 and decisions[0].message.startswith("PROPOSAL:")
    assert "CSV instead" in decisions[0].message
    guessed = entries(conversion, Status.GUESSED, "dataProvider.connectionUrl")
    assert "check them" in guessed[0].message
    assert one(conversion, "sourceSystem")["vendor"] == "PowerSchool"


def test_csv_reads_sds_v1_files_and_reports_the_upload_change() -> None:
    conversion = run_one(body("P", CSV))
    assert one(conversion, "dataConnector")["fileFormat"] == {"code": "schoolDataSyncV1"}
    assert "schoolDataSyncV2Rev1" in messages(conversion, Status.GUESSED)
    assert "getUploadSession" in messages(conversion, Status.DECIDE)
    assert "vendor" not in one(conversion, "sourceSystem")


def test_oneroster_provider_name_is_the_vendor() -> None:
    conversion = run_one(body("P", oneroster(providerName="Acme SIS")))
    system = one(conversion, "sourceSystem")
    assert system["vendor"] == "Acme SIS"
    assert system["displayName"] == "Acme SIS (sis.example.org)"


def test_a_missing_client_secret_is_a_decision() -> None:
    provider = oneroster()
    del provider["connectionSettings"]["clientSecret"]
    conversion = run_one(body("P", provider))
    assert "clientSecret" not in one(conversion, "dataConnector")["credential"]
    assert "no clientSecret" in messages(conversion, Status.DECIDE)


# --- identity ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target", "codes", "statuses"),
    [
        ("Username", "userPrincipalName", ("username", "userPrincipalName"), ("mapped", "mapped")),
        ("Email", "Mail", ("email", "mail"), ("mapped", "mapped")),
        ("Secondary Email", "UPN", ("email", "userPrincipalName"), ("guessed", "mapped")),
        ("SIS ID", "mailNickname", ("username", "userPrincipalName"), ("decide", "decide")),
    ],
)
def test_matching_properties_become_codes_with_a_line_for_each_guess(
    source: str, target: str, codes: tuple[str, str], statuses: tuple[str, str]
) -> None:
    conversion = run_one(body("P", CSV, matching(("student", source, target))))
    settings = one(conversion, "sourceSystem")["userMatchingSettings"]
    students = next(s for s in settings if s["roleGroup"] == {"ref": "students"})
    assert (students["sourceIdentifier"], students["matchTarget"]) == (
        {"code": codes[0]},
        {"code": codes[1]},
    )
    prefix = "identitySynchronizationConfiguration.matchingOptions[student]."
    found = (
        entries(conversion, field=prefix + "sourcePropertyName")[0].status.value,
        entries(conversion, field=prefix + "targetPropertyName")[0].status.value,
    )
    assert found == statuses


@pytest.mark.parametrize(
    ("role", "group"), [("student", "students"), ("teacher", "staff"), ("faculty", "staff")]
)
def test_roles_become_role_groups(role: str, group: str) -> None:
    identity = matching((role, "Username", "userPrincipalName", "example.edu"))
    settings = one(run_one(body("P", CSV, identity)), "sourceSystem")["userMatchingSettings"]
    mine = next(s for s in settings if s["roleGroup"] == {"ref": group})
    assert mine["domainName"] == "example.edu"


def test_priority_order_is_staff_then_students_whatever_the_classic_order() -> None:
    identity = matching(("student", "Username", "userPrincipalName"), ("teacher", "Email", "mail"))
    settings = one(run_one(body("P", CSV, identity)), "sourceSystem")["userMatchingSettings"]
    assert [(s["roleGroup"]["ref"], s["priorityOrder"]) for s in settings] == [
        ("staff", 0),
        ("students", 1),
    ]


def test_a_role_group_without_a_classic_rule_gets_microsofts_default_and_a_line() -> None:
    conversion = run_one(body("P", CSV, matching(("student", "Email", "mail"))))
    settings = one(conversion, "sourceSystem")["userMatchingSettings"]
    staff = settings[0]
    assert staff == {
        "roleGroup": {"ref": "staff"},
        "priorityOrder": 0,
        "sourceIdentifier": {"code": "username"},
        "matchTarget": {"code": "userPrincipalName"},
    }
    assert "no classic rule for staff" in messages(conversion, Status.GUESSED)


def test_teacher_and_faculty_rules_that_differ_are_a_decision() -> None:
    identity = matching(("teacher", "Username", "userPrincipalName"), ("faculty", "Email", "mail"))
    conversion = run_one(body("P", CSV, identity))
    staff = one(conversion, "sourceSystem")["userMatchingSettings"][0]
    assert staff["sourceIdentifier"] == {"code": "username"}
    assert "teacher and faculty" in messages(conversion, Status.DECIDE)


def test_a_role_without_role_group_is_not_carried() -> None:
    identity = matching(("none", "Username", "userPrincipalName"))
    conversion = run_one(body("P", CSV, identity))
    assert "role 'none'" in messages(conversion, Status.NO_COUNTERPART)


def test_creation_domains_become_rules_that_build_user_names() -> None:
    conversion = run_one(body("P", CSV, creation(student="s.example.edu", teacher="example.edu")))
    settings = one(conversion, "sourceSystem")["userMatchingSettings"]
    assert [(s["roleGroup"]["ref"], s["domainName"]) for s in settings] == [
        ("staff", "example.edu"),
        ("students", "s.example.edu"),
    ]
    assert all(s["sourceIdentifier"] == {"code": "username"} for s in settings)
    assert "undocumented" in messages(conversion, Status.MAPPED)
    (user,) = flows(conversion, "userProvisioningFlow")
    assert user["createUnmatchedUsers"] is True
    assert "managementOptions" in user


def test_matching_never_creates_users() -> None:
    conversion = run_one(body("P", CSV, matching()))
    (user,) = flows(conversion, "userProvisioningFlow")
    assert user["createUnmatchedUsers"] is False
    assert "creationOptions" not in user


# --- licences ----------------------------------------------------------------------------

A = "314c4481-f395-4525-be8b-2ec4bb1e9d91"
B = "94763226-9b3c-4e75-a931-5c89701abe66"
C = "e82ae690-a2d5-4d76-8d30-7c6e01e6022e"


@pytest.mark.parametrize(
    ("licences", "expected"),
    [
        (
            [("student", [A]), ("teacher", [B])],
            [{"roleGroup": {"ref": "staff"}, "licenseSkus": [B]},
             {"roleGroup": {"ref": "students"}, "licenseSkus": [A]}],
        ),
        (
            [("teacher", [B]), ("faculty", [B.upper(), C])],
            [{"roleGroup": {"ref": "staff"}, "licenseSkus": [B, C]},
             {"roleGroup": {"ref": "students"}}],
        ),
        (
            [],
            [{"roleGroup": {"ref": "staff"}}, {"roleGroup": {"ref": "students"}}],
        ),
    ],
    ids=["per-role", "teacher-and-faculty-merged", "none"],
)  # fmt: skip
def test_licences_of_a_creation_profile_go_to_the_role_groups(
    licences: list[tuple[str, list[str]]], expected: list[dict[str, Any]]
) -> None:
    assigned = [{"appliesTo": role, "skuIds": skus} for role, skus in licences]
    conversion = run_one(body("P", CSV, creation(), licensesToAssign=assigned))
    (user,) = flows(conversion, "userProvisioningFlow")
    assert user["creationOptions"]["configurations"] == expected
    moved = "licences moved out of SDS" in messages(conversion, Status.DECIDE)
    assert moved == bool(licences)


def test_licences_of_a_matching_profile_are_not_written_but_decided() -> None:
    assigned = [{"appliesTo": "student", "skuIds": [A]}]
    conversion = run_one(body("P", CSV, matching(), licensesToAssign=assigned))
    (user,) = flows(conversion, "userProvisioningFlow")
    assert "creationOptions" not in user
    decision = entries(conversion, Status.DECIDE, "licensesToAssign[student]")
    assert "Office 365 A1 for students" in decision[0].message
    assert "group-based licensing" in decision[0].message


def test_licences_for_a_role_without_role_group_are_not_carried() -> None:
    assigned = [{"appliesTo": "none", "skuIds": [A]}]
    conversion = run_one(body("P", CSV, creation(), licensesToAssign=assigned))
    assert entries(conversion, Status.NO_COUNTERPART, "licensesToAssign[none]")


# --- academic years ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expiration", "today", "code", "ends", "status"),
    [
        ("2027-07-31", date(2026, 11, 29), "2027", "2027-07-31T00:00:00Z", Status.MAPPED),
        ("2027-06-15", date(2026, 7, 10), "2027", "2027-06-15T00:00:00Z", Status.MAPPED),
        ("2030-06-30", date(2026, 11, 29), "2027", "2027-07-31T00:00:00Z", Status.GUESSED),
        ("2025-06-30", date(2026, 11, 29), "2027", "2027-07-31T00:00:00Z", Status.DECIDE),
        (None, date(2026, 11, 29), "2027", "2027-07-31T00:00:00Z", None),
        (None, date(2027, 8, 1), "2028", "2028-07-31T00:00:00Z", None),
    ],
    ids=["this-year", "prepared-for-next-year", "far-ahead", "passed", "none", "august"],
)
def test_expiration_date_becomes_the_year_and_the_inbound_window(
    expiration: str | None, today: date, code: str, ends: str, status: Status | None
) -> None:
    extra = {"expirationDate": expiration} if expiration else {}
    conversion = run(profile(body("P", CSV, **extra)), today=today)
    year = one(conversion, "year")
    ending = int(code)
    assert year == {
        "kind": "year",
        "displayName": f"{ending - 1}-{ending}",
        "startDate": f"{ending - 1}-08-01",
        "endDate": f"{ending}-07-31",
        "year": {"code": code},
    }
    flow = one(conversion, "inboundFlow")
    assert flow["effectiveDateTime"] == f"{ending - 1}-08-01T00:00:00Z"
    assert flow["expirationDateTime"] == ends
    if status is not None:
        assert entries(conversion, status, "expirationDate")


@pytest.mark.parametrize(
    ("school_year", "status"),
    [("2027", Status.MAPPED), ("2026-2027", Status.MAPPED), ("2026", Status.DECIDE)],
)
def test_powerschool_school_year_is_checked_against_the_year(
    school_year: str, status: Status
) -> None:
    conversion = run_one(body("P", powerschool(schoolYear=school_year)))
    assert entries(conversion, status, "dataProvider.schoolYear")


def test_the_guessed_year_dates_are_reported() -> None:
    conversion = run_one(body("P"))
    (note,) = [e for e in entries(conversion, Status.GUESSED) if e.target == 'year "2027"']
    assert note.profile == "" and "1 August to 31 July" in note.message


# --- several profiles --------------------------------------------------------------------


def test_profiles_of_one_sis_share_source_connector_and_flow() -> None:
    first = profile(
        body("North", powerschool("https://PS.example.org/", schoolsIds=["1"])), file="a.yaml"
    )
    second = profile(
        body("South", powerschool("https://ps.example.org", schoolsIds=["2", "3"])),
        file="b.yaml",
    )
    conversion = run(second, first)
    assert len(docs(conversion, "sourceSystem")) == 1
    assert len(docs(conversion, "dataConnector")) == 1
    assert len(docs(conversion, "inboundFlow")) == 1
    sets = {s["displayName"]: s["filter"]["in"] for s in docs(conversion, "provisioningFlowSet")}
    assert sets == {"North": ["1"], "South": ["2", "3"]}
    shared = next(o for o in conversion.outputs if o.document.kind == "sourceSystem")
    assert shared.sources == (("a.yaml", "North"), ("b.yaml", "South"))
    assert "sources for academic year" not in messages(conversion, Status.DECIDE)


def test_different_sis_for_one_year_is_a_decision() -> None:
    conversion = run(
        profile(body("A", powerschool()), file="a.yaml"),
        profile(body("B", oneroster()), file="b.yaml"),
    )
    assert len(docs(conversion, "sourceSystem")) == 2
    assert len(docs(conversion, "year")) == 1
    (note,) = [e for e in entries(conversion, Status.DECIDE) if e.profile == ""]
    assert "2 sources for academic year 2026-2027" in note.message


def test_shared_source_with_other_credentials_keeps_the_first_and_says_so() -> None:
    other = powerschool(clientId="other-client")
    conversion = run(
        profile(body("A", powerschool()), file="a.yaml"),
        profile(body("B", other), file="b.yaml"),
    )
    assert one(conversion, "dataConnector")["credential"]["clientId"] == "ps-client"
    (note,) = entries(conversion, Status.DECIDE, "dataProvider.clientId")
    assert note.profile == "B"


def test_shared_source_with_other_matching_rules_keeps_the_first_and_says_so() -> None:
    conversion = run(
        profile(body("A", CSV, matching(("student", "Username", "upn"))), file="a.yaml"),
        profile(body("B", CSV, matching(("student", "Email", "mail"))), file="b.yaml"),
    )
    students = one(conversion, "sourceSystem")["userMatchingSettings"][1]
    assert students["sourceIdentifier"] == {"code": "username"}
    assert any(
        "differs from the one kept from 'A'" in e.message
        for e in entries(conversion, Status.DECIDE)
    )


def test_csv_profiles_share_one_upload_and_must_split_schools() -> None:
    conversion = run(profile(body("A", CSV), file="a.yaml"), profile(body("B", CSV), file="b.yaml"))
    assert len(docs(conversion, "dataConnector")) == 1
    no_filter = [e for e in entries(conversion, Status.DECIDE) if "every school" in e.message]
    assert {e.profile for e in no_filter} == {"A", "B"}
    assert "merged into one set of files" in messages(conversion, Status.DECIDE)


def test_the_same_name_for_two_sources_is_made_unique() -> None:
    conversion = run(
        profile(body("A", oneroster("https://sis.example.org/a")), file="a.yaml"),
        profile(body("B", oneroster("https://sis.example.org/b")), file="b.yaml"),
    )
    names = [s["displayName"] for s in docs(conversion, "sourceSystem")]
    assert names == ["OneRoster (sis.example.org)", "OneRoster (sis.example.org) 2"]


def test_every_display_name_fits_graphs_limit() -> None:
    conversion = run_one(body("P", oneroster(providerName="Very Long Provider " * 10)))
    for output in conversion.outputs:
        name = output.document.body.get("displayName", "")
        assert len(name) <= 100, name


# --- customizations, lifecycle, leftovers --------------------------------------------------


def _customized(**slots: dict[str, Any]) -> dict[str, Any]:
    return body("P", {**CSV, "customizations": slots})


def test_deferred_class_sync_leaves_out_the_class_group_flow() -> None:
    conversion = run_one(_customized(section={"isSyncDeferred": True}))
    assert flows(conversion, "classGroupProvisioningFlow") == []
    assert entries(conversion, Status.MAPPED, "dataProvider.customizations.section.isSyncDeferred")


@pytest.mark.parametrize(("allow", "create_only"), [(True, False), (False, True), (None, True)])
def test_section_display_name_updates_map_to_write_on_create_only(
    allow: bool | None, create_only: bool
) -> None:
    section = {} if allow is None else {"allowDisplayNameUpdate": allow}
    (flow,) = flows(run_one(_customized(section=section)), "classGroupProvisioningFlow")
    options = flow["configuration"]["additionalOptions"]
    assert options == {"createTeam": False, "writeDisplayNameOnCreateOnly": create_only}
    assert flow["configuration"]["enrollmentMappings"] == {
        "ownerEnrollmentMappings": [{"code": "teacher"}],
        "memberEnrollmentMappings": [{"code": "student"}],
    }


def test_optional_columns_map_where_new_sds_has_an_attribute() -> None:
    conversion = run_one(
        _customized(
            section={"optionalPropertiesToSync": ["Term Name", "Course Name", "Periods"]},
            student={"optionalPropertiesToSync": ["Grade", "State ID"]},
            teacher={"optionalPropertiesToSync": ["Teacher Number"]},
            school={"optionalPropertiesToSync": ["Zip"]},
        )
    )
    (klass,) = flows(conversion, "classGroupProvisioningFlow")
    assert klass["configuration"]["additionalAttributes"] == ["courseTitle", "academicSessionTitle"]
    (user,) = flows(conversion, "userProvisioningFlow")
    assert user["managementOptions"]["additionalAttributes"] == ["userGradeLevel", "userNumber"]
    lost = messages(conversion, Status.NO_COUNTERPART)
    assert "Periods" in lost and "State ID" in lost and "Zip" in lost


def test_deferred_user_sync_and_start_dates_are_decisions() -> None:
    conversion = run_one(
        _customized(
            student={"isSyncDeferred": True},
            teacher={"synchronizationStartDate": "2026-09-01T00:00:00Z", "isSyncDeferred": False},
            school={"synchronizationStartDate": "0001-01-01T00:00:00Z", "isSyncDeferred": True},
        )
    )
    decide = {e.field for e in entries(conversion, Status.DECIDE)}
    assert "dataProvider.customizations.student.isSyncDeferred" in decide
    assert "dataProvider.customizations.teacher.synchronizationStartDate" in decide
    quiet = {e.field for e in entries(conversion, Status.NO_COUNTERPART)}
    assert {
        "dataProvider.customizations.teacher.isSyncDeferred",
        "dataProvider.customizations.school.synchronizationStartDate",
        "dataProvider.customizations.school.isSyncDeferred",
    } <= quiet


def test_user_display_name_updates_have_no_counterpart() -> None:
    conversion = run_one(_customized(student={"allowDisplayNameUpdate": True}))
    assert entries(
        conversion,
        Status.NO_COUNTERPART,
        "dataProvider.customizations.student.allowDisplayNameUpdate",
    )


@pytest.mark.parametrize(
    ("paused", "status"), [(True, Status.DECIDE), (False, Status.NO_COUNTERPART)]
)
def test_paused_has_no_counterpart(paused: bool, status: Status) -> None:
    conversion = run_one(body("P"), paused=paused)
    assert entries(conversion, status, "lifecycle.paused")


def test_protect_is_carried_to_every_object_made_from_the_profile() -> None:
    conversion = run(
        profile(body("Kept", powerschool()), file="a.yaml", protect=True),
        profile(body("Other", oneroster()), file="b.yaml"),
    )
    protected = {o.document.key for o in conversion.outputs if "lifecycle" in o.document.body}
    assert protected == {
        "PowerSchool (contoso.powerschool.com)",
        "PowerSchool (contoso.powerschool.com) connector",
        "PowerSchool (contoso.powerschool.com) 2026-2027",
        "2027",  # the year both profiles share
        "Kept",
    }


def test_ignore_changes_and_pinned_ids_are_reported() -> None:
    conversion = run_one(body("P", id="6c1c4b8e-2d7f-4a53-9e0b-0c3f8b1d2a77"), ignore=("x",))
    assert entries(conversion, Status.DECIDE, "lifecycle.ignoreChanges")
    assert entries(conversion, Status.NO_COUNTERPART, "id")


def test_a_field_no_step_knows_is_still_reported() -> None:
    conversion = run_one(body("P", newClassicField={"deep": 1}))
    (entry,) = entries(conversion, field="newClassicField.deep")
    assert entry.status is Status.NO_COUNTERPART and "not carried" in entry.message


def test_placeholders_are_kept_and_listed_never_resolved(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OR_SECRET", "s3cr3t-value-9f2")
    monkeypatch.setenv("OR_ID", "s3cr3t-id-9f2")
    provider = oneroster()
    provider["connectionSettings"]["clientId"] = "${OR_ID}"
    conversion = run_one(body("P", provider))
    credential = one(conversion, "dataConnector")["credential"]
    assert (credential["clientId"], credential["clientSecret"]) == ("${OR_ID}", "${OR_SECRET}")
    assert conversion.variables == ("OR_ID", "OR_SECRET")
    assert "s3cr3t" not in repr(conversion)


def test_entries_come_most_urgent_first() -> None:
    conversion = run_one(body("P", powerschool()))
    order = [e.status for e in conversion.entries]
    assert order == sorted(order, key=list(Status).index)


def test_a_literal_secret_is_never_echoed_by_the_report() -> None:
    provider = oneroster()
    provider["connectionSettings"]["clientSecret"] = "hunter2-literal"  # the loader refuses this
    conversion = run_one(body("P", provider))
    assert "hunter2" not in repr(conversion.entries)
