"""The emulator's own type table: every `@odata.type` spelling of graph-sds-api.md §3.2."""

from __future__ import annotations

import pytest

from reconciler.emulator.catalog import (
    CONNECTION_SETTINGS,
    CUSTOMIZATION_SLOTS,
    DATA_PROVIDER,
    IDENTITY_CONFIGURATION,
    TYPES,
    create_spelling,
    read_spelling,
    resolve_type,
    variants_of,
)

PROVIDERS = variants_of(DATA_PROVIDER)
IDENTITIES = variants_of(IDENTITY_CONFIGURATION)


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        # create request in docs 2019-09→2021+ (internal namespace)
        ("#Microsoft.Education.DataSync.educationCsvDataProvider", "educationCsvDataProvider"),
        # create response, newest create request
        ("#microsoft.graph.educationCsvDataProvider", "educationCsvDataProvider"),
        # get/list/put responses
        ("microsoft.graph.educationCsvDataProvider", "educationCsvDataProvider"),
        # 2018-2019 requests and EDUTOOLS, all lower case
        ("#microsoft.graph.educationcsvdataprovider", "educationCsvDataProvider"),
        ("microsoft.graph.educationcsvdataprovider", "educationCsvDataProvider"),
        # EDUTOOLS 2017 legacy short names
        ("#microsoft.graph.csvDataProvider", "educationCsvDataProvider"),
        ("#microsoft.graph.powerSchoolDataProvider", "educationPowerSchoolDataProvider"),
        # the 2021 OneRoster page's own lower-case "o"
        ("microsoft.graph.educationoneRosterApiDataProvider", "educationOneRosterApiDataProvider"),
        ("educationPowerSchoolDataProvider", "educationPowerSchoolDataProvider"),
    ],
)
def test_provider_spellings_resolve(spelling: str, expected: str) -> None:
    resolved = resolve_type(spelling, PROVIDERS)
    assert resolved is not None and resolved.name == expected


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        (
            "#Microsoft.Education.DataSync.educationIdentityCreationConfiguration",
            "educationIdentityCreationConfiguration",
        ),
        (
            "#microsoft.graph.educationidentitycreationconfiguration",
            "educationIdentityCreationConfiguration",
        ),
        (
            "#microsoft.graph.identityCreationConfiguration",
            "educationIdentityCreationConfiguration",
        ),
        (
            "#microsoft.graph.identityMatchingConfiguration",
            "educationIdentityMatchingConfiguration",
        ),
        (
            "MICROSOFT.GRAPH.EDUCATIONIDENTITYMATCHINGCONFIGURATION",
            "educationIdentityMatchingConfiguration",
        ),
    ],
)
def test_identity_spellings_resolve(spelling: str, expected: str) -> None:
    resolved = resolve_type(spelling, IDENTITIES)
    assert resolved is not None and resolved.name == expected


@pytest.mark.parametrize(
    "spelling",
    [
        "#microsoft.graph.educationSynchronizationDataProvider",  # the abstract base (seed 002)
        "#microsoft.graph.educationExcelDataProvider",  # no such provider
        "#contoso.educationCsvDataProvider",  # foreign namespace
        "#microsoft.graph.educationIdentityCreationConfiguration",  # wrong family
        "",
    ],
)
def test_unknown_provider_spellings_do_not_resolve(spelling: str) -> None:
    assert resolve_type(spelling, PROVIDERS) is None


def test_families_hold_the_documented_variants() -> None:
    assert {t.name for t in PROVIDERS} == {
        "educationCsvDataProvider",
        "educationPowerSchoolDataProvider",
        "educationOneRosterApiDataProvider",
    }
    assert {t.name for t in IDENTITIES} == {
        "educationIdentityCreationConfiguration",
        "educationIdentityMatchingConfiguration",
    }
    assert {t.name for t in variants_of(CONNECTION_SETTINGS)} == {
        "educationSynchronizationOAuth1ConnectionSettings",
        "educationSynchronizationOAuth2ClientCredentialsConnectionSettings",
    }


def test_secrets_are_marked_where_the_docs_put_them() -> None:
    secret_members = {
        (type_name, member.name)
        for type_name, type_def in TYPES.items()
        for member in type_def.members
        if member.secret
    }
    assert secret_members == {
        ("educationPowerSchoolDataProvider", "clientSecret"),
        ("educationSynchronizationOAuth1ConnectionSettings", "clientSecret"),
        ("educationSynchronizationOAuth2ClientCredentialsConnectionSettings", "clientSecret"),
    }


def test_customizations_have_exactly_six_slots() -> None:
    slots = TYPES["educationSynchronizationCustomizations"].members
    assert tuple(m.name for m in slots) == CUSTOMIZATION_SLOTS
    assert len(CUSTOMIZATION_SLOTS) == 6


def test_response_spellings() -> None:
    assert (
        create_spelling("educationCsvDataProvider") == "#microsoft.graph.educationCsvDataProvider"
    )
    assert read_spelling("educationCsvDataProvider") == "microsoft.graph.educationCsvDataProvider"
