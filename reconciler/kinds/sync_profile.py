"""`synchronizationProfile`: the classic SDS educationSynchronizationProfile (Graph beta).

Every property and nested type from the Graph resource pages, with the annotations the engine
needs. Server defaults follow the create/get examples: the booleans come back `false`,
`synchronizationStartDate` comes back as DateTime.MinValue when unset.
"""

from __future__ import annotations

from reconciler.kinds.model import (
    AsyncStates,
    Endpoint,
    ErrorLogShape,
    Format,
    KeyedList,
    Kind,
    Namespace,
    NaturalKey,
    ObjectType,
    Opaque,
    Permissions,
    Polymorphic,
    Prop,
    RunState,
    RunStatusShape,
    Scalar,
    ScalarKind,
    SetOf,
    UpdateVerb,
    Writes,
)
from reconciler.kinds.skus import sku_by_part_number

STRING = Scalar(ScalarKind.STRING)
BOOLEAN = Scalar(ScalarKind.BOOLEAN)
DATE = Scalar(ScalarKind.DATE)
HTTPS_URL = Scalar(ScalarKind.STRING, format=Format.HTTPS_URL)
DOMAIN = Scalar(ScalarKind.STRING, format=Format.DOMAIN)
#: The profile stops syncing after its expiration date: one already past is worth a warning.
EXPIRATION_DATE = Scalar(ScalarKind.DATE, expect_future=True)


def _sku_guid(text: str) -> str | None:
    sku = sku_by_part_number(text)
    if sku is None:
        return None
    return f"that is the licence name of {sku.name}; write its GUID {sku.guid}"


def _profile_id_fix(_text: str) -> str:
    return (
        "id pins a profile by the GUID Graph gave it (copy it from the tenant), or remove id: to "
        "match the profile by displayName"
    )


SKU_ID = Scalar(ScalarKind.STRING, format=Format.GUID, suggest=_sku_guid)
PROFILE_ID = Scalar(ScalarKind.STRING, format=Format.GUID, suggest=_profile_id_fix)
#: Graph echoes `0001-01-01T00:00:00Z` for an unset start date (seed create response).
START_DATE = Scalar(ScalarKind.DATETIME, null_sentinels=("0001-01-01T00:00:00Z",))

#: Responses and docs spell these types in `microsoft.graph` and in the older
#: `Microsoft.Education.DataSync` (seed pages, SDS samples); requests send `#microsoft.graph.`.
CLASSIC = Namespace("microsoft.graph", accepted=("Microsoft.Education.DataSync",))

USER_ROLES = ("student", "teacher", "faculty", "none", "unknownFutureValue")
USER_ROLE = Scalar(ScalarKind.STRING, enum=USER_ROLES, enum_case_insensitive=True)
PROFILE_STATES = (
    "provisioning",
    "provisioned",
    "provisioningFailed",
    "deleting",
    "deletionFailed",
    "unknownFutureValue",
)

CUSTOMIZATION = ObjectType(
    "educationSynchronizationCustomization",
    (
        Prop(
            "optionalPropertiesToSync",
            SetOf(STRING),
            "Optional source columns to sync (SDS CSV headers). null = all, [] = none.",
            # graph-sds-api.md §3.1: absent on create gets the server's default list instead.
            null_means="sync every optional column",
        ),
        Prop(
            "synchronizationStartDate",
            START_DATE,
            "When syncing of this entity begins; null = as soon as setup completes.",
        ),
        Prop("isSyncDeferred", BOOLEAN, "Postpone syncing of this entity.", default=False),
        Prop(
            "allowDisplayNameUpdate",
            BOOLEAN,
            "Let sync overwrite the object's display name.",
            default=False,
        ),
    ),
    "Sync options for one SDS entity.",
)

CUSTOMIZATIONS = ObjectType(
    "educationSynchronizationCustomizations",
    tuple(
        Prop(slot, CUSTOMIZATION, f"Customization of the {slot} entity.")
        for slot in (
            "school",
            "section",
            "student",
            "teacher",
            "studentEnrollment",
            "teacherRoster",
        )
    ),
    "One optional customization per SDS entity; slots not written are server-managed.",
)

CUSTOMIZATIONS_PROP = Prop("customizations", CUSTOMIZATIONS, "Per-entity sync options.")

CSV_PROVIDER = ObjectType(
    "educationCsvDataProvider",
    (CUSTOMIZATIONS_PROP,),
    "SDS CSV files uploaded to the profile's SAS URL.",
    aliases=("csvDataProvider",),
)

POWERSCHOOL_PROVIDER = ObjectType(
    "educationPowerSchoolDataProvider",
    (
        Prop("connectionUrl", HTTPS_URL, "PowerSchool instance URL (https://).", required=True),
        Prop("clientId", STRING, "PowerSchool OAuth client id.", required=True),
        Prop(
            "clientSecret",
            STRING,
            "PowerSchool OAuth client secret (write-only: write it as ${NAME}).",
            secret=True,
        ),
        Prop("schoolsIds", SetOf(STRING), "Schools to sync."),
        Prop("schoolYear", STRING, "School year to sync."),
        Prop(
            "allowTeachersInMultipleSchools",
            BOOLEAN,
            "Whether the source uses several identifiers for one person.",
        ),
        CUSTOMIZATIONS_PROP,
    ),
    "PowerSchool SIS API.",
    aliases=("powerSchoolDataProvider",),
)

CONNECTION_BASE_PROPS = (
    Prop("clientId", STRING, "OAuth client id.", required=True),
    Prop(
        "clientSecret",
        STRING,
        "OAuth client secret (write-only: write it as ${NAME}).",
        secret=True,
    ),
)

OAUTH1_SETTINGS = ObjectType(
    "educationSynchronizationOAuth1ConnectionSettings",
    CONNECTION_BASE_PROPS,
    "OneRoster OAuth 1.0a connection.",
)

OAUTH2_SETTINGS = ObjectType(
    "educationSynchronizationOAuth2ClientCredentialsConnectionSettings",
    (
        *CONNECTION_BASE_PROPS,
        Prop("tokenUrl", HTTPS_URL, "OAuth 2 token endpoint (https://).", required=True),
        Prop("scope", STRING, "OAuth 2 scope (RFC 6749)."),
    ),
    "OneRoster OAuth 2 client-credentials connection.",
)

ONEROSTER_PROVIDER = ObjectType(
    "educationOneRosterApiDataProvider",
    (
        Prop("connectionUrl", HTTPS_URL, "OneRoster base URL (https://).", required=True),
        Prop("providerName", STRING, "Service-provider name as the OneRoster spec defines it."),
        Prop("schoolsIds", SetOf(STRING), "OneRoster org sourcedIds to sync."),
        Prop("termIds", SetOf(STRING), "OneRoster academic-session ids to sync."),
        Prop(
            "connectionSettings",
            Polymorphic(
                "educationSynchronizationConnectionSettings",
                (OAUTH1_SETTINGS, OAUTH2_SETTINGS),
                CLASSIC,
            ),
            "How SDS authenticates to the OneRoster API.",
            required=True,
        ),
        CUSTOMIZATIONS_PROP,
    ),
    "OneRoster v1.1 REST API.",
)

IDENTITY_DOMAIN = ObjectType(
    "educationIdentityDomain",
    (
        Prop("appliesTo", USER_ROLE, "Role the domain is for.", required=True, nullable=False),
        Prop("name", DOMAIN, "UPN domain for users of that role (contoso.edu).", required=True),
    ),
)

MATCHING_OPTIONS = ObjectType(
    "educationIdentityMatchingOptions",
    (
        Prop("appliesTo", USER_ROLE, "Role the rule is for.", required=True, nullable=False),
        Prop("sourcePropertyName", STRING, "Source column (case-sensitive).", required=True),
        Prop("targetPropertyName", STRING, "Entra user property (case-sensitive).", required=True),
        Prop("targetDomain", DOMAIN, "Domain appended before matching; null = raw value."),
    ),
)

IDENTITY_CREATION = ObjectType(
    "educationIdentityCreationConfiguration",
    (
        Prop(
            "userDomains",
            KeyedList(IDENTITY_DOMAIN, "appliesTo"),
            "UPN domain per role.",
            required=True,
        ),
    ),
    "SDS creates new Entra users.",
    aliases=("identityCreationConfiguration",),
)

IDENTITY_MATCHING = ObjectType(
    "educationIdentityMatchingConfiguration",
    (
        Prop(
            "matchingOptions",
            KeyedList(MATCHING_OPTIONS, "appliesTo"),
            "Matching rule per role.",
            required=True,
        ),
    ),
    "SDS matches existing Entra users and never creates any.",
    aliases=("identityMatchingConfiguration",),
)

LICENSE_ASSIGNMENT = ObjectType(
    "educationSynchronizationLicenseAssignment",
    (
        Prop("appliesTo", USER_ROLE, "Role the licenses are for.", required=True, nullable=False),
        Prop("skuIds", SetOf(SKU_ID, case_insensitive=True), "License SKU GUIDs.", required=True),
    ),
)

PROFILE = ObjectType(
    "educationSynchronizationProfile",
    (
        Prop(
            "id",
            PROFILE_ID,
            "Server-assigned id (a GUID); write it to pin the profile.",
            read_only=True,
        ),
        Prop(
            "displayName", STRING, "Profile name (the natural key).", required=True, nullable=False
        ),
        Prop(
            "dataProvider",
            Polymorphic(
                "educationSynchronizationDataProvider",
                (CSV_PROVIDER, POWERSCHOOL_PROVIDER, ONEROSTER_PROVIDER),
                CLASSIC,
            ),
            "Where SDS reads roster data from.",
            required=True,
        ),
        Prop(
            "identitySynchronizationConfiguration",
            Polymorphic(
                "educationIdentitySynchronizationConfiguration",
                (IDENTITY_CREATION, IDENTITY_MATCHING),
                CLASSIC,
            ),
            "Create new users, or match existing ones.",
            required=True,
        ),
        Prop(
            "licensesToAssign",
            KeyedList(LICENSE_ASSIGNMENT, "appliesTo"),
            "License SKUs per role.",
        ),
        Prop(
            "expirationDate",
            EXPIRATION_DATE,
            "Date the profile stops syncing (YYYY-MM-DD); null = never.",
        ),
        Prop(
            "handleSpecialCharacterConstraint",
            BOOLEAN,
            "Replace special characters the directory does not support.",
        ),
        Prop("state", Scalar(ScalarKind.STRING, enum=PROFILE_STATES), read_only=True),
        Prop("profileStatus", Opaque(), read_only=True),
        Prop("errors", Opaque(), read_only=True),
    ),
    "A School Data Sync (classic) synchronization profile.",
)

SYNCHRONIZATION_PROFILE = Kind(
    name="synchronizationProfile",
    endpoint=Endpoint("education/synchronizationProfiles"),
    root=PROFILE,
    key=NaturalKey(("displayName",)),
    noun="profile",
    # §2.1: created `provisioning`, then `provisioned` or `provisioningFailed`; deletes go
    # through `deleting` (the profile stays listed until it is gone).
    states=AsyncStates(
        "state",
        in_flight=("provisioning", "deleting"),
        deleting=("deleting",),
        succeeded=("provisioned",),
        failed=("provisioningFailed", "deletionFailed"),
    ),
    # graph-sds-api.md §2.6: `error`, `validationError` and `quarantined` need attention.
    run_state=RunState(
        "profileStatus",
        RunStatusShape(
            status="status",
            last_sync="lastSynchronizationDateTime",
            last_activity="lastActivityDateTime",
            error_count="errorCount",
            message="statusMessage",
            failed=("error", "validationError", "quarantined"),
        ),
        pause_action="pause",
        resume_action="resume",
        paused=("paused",),
    ),
    # §2.7 and §1.10: `joiningValue` is the entry's key (often a UPN), `reportableIdentifier`
    # the SIS id shown to admins; both identify a student or teacher. `$orderby` is documented.
    error_log=ErrorLogShape(
        path="errors",
        recorded_at="recordedDateTime",
        columns=("entryType", "errorCode", "errorMessage", "joiningValue", "reportableIdentifier"),
        personal=("joiningValue", "reportableIdentifier"),
        free_text=("errorMessage",),
        server_orders=True,
    ),
    # Spec §6: PUT with the whole object (SDS samples) or PATCH, as the admin chooses; the
    # provider and identity types cannot change in place (§2.4).
    writes=Writes(
        UpdateVerb.PUT_OR_PATCH,
        create_only=(
            "dataProvider.@odata.type",
            "identitySynchronizationConfiguration.@odata.type",
        ),
        replace_loses="sync history and status",
    ),
    # §1 table: reads take EduAdministration.Read(.All); configuration writes are delegated
    # only; an app identity may pause and resume.
    permissions=Permissions(
        read_delegated=("EduAdministration.Read", "EduAdministration.ReadWrite"),
        read_application=("EduAdministration.Read.All", "EduAdministration.ReadWrite.All"),
        write_delegated=("EduAdministration.ReadWrite",),
        app_only_actions=("pause", "resume"),
    ),
    secret_prefixes=(
        ("educationPowerSchoolDataProvider", "POWERSCHOOL"),
        ("educationOneRosterApiDataProvider", "ONEROSTER"),
    ),
    # Seed 001: slots never sent come back filled (teacher with every optional column, §3.1).
    server_filled=(
        (
            "dataProvider.customizations.section",
            {"optionalPropertiesToSync": ["Term Name", "Course Number", "Periods"]},
        ),
        (
            "dataProvider.customizations.teacher",
            {
                "optionalPropertiesToSync": [
                    "State ID",
                    "Teacher Number",
                    "Status",
                    "Middle Name",
                    "Secondary Email",
                    "Title",
                    "Qualification",
                ]
            },
        ),
    ),
    # §5: the profile API stopped returning data on 31 December 2024.
    retired_on="2024-12-31",
    successor="the Industry Data kinds",
    # PowerSchool: URL + client id; OneRoster: URL + the connection's client id; a CSV profile
    # has none of them, so look-alikes are judged by its other fields.
    source_identity=(
        "dataProvider.@odata.type",
        "dataProvider.connectionUrl",
        "dataProvider.clientId",
        "dataProvider.connectionSettings.clientId",
    ),
    key_settings=(
        "dataProvider.@odata.type",
        "dataProvider.connectionUrl",
        "dataProvider.schoolYear",
        "dataProvider.schoolsIds",
        "identitySynchronizationConfiguration.@odata.type",
        "licensesToAssign",
        "expirationDate",
    ),
)
