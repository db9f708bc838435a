"""The emulator's own table of the Industry Data types, their members and their collections.

Written from graph-industrydata-api.md (corrections block first, then §1-§5) and the Graph docs'
request/response examples, independently of `reconciler.kinds` on purpose: the emulator is the
test oracle for the client, so a mistake in the client's model must not be mirrored here.

Everything the generic store, validator and renderer do is driven by these tables: which members
a type has and their shapes, which are read-only, secret, create-only, required on create or on
PATCH (correction 5), which are relationships written as `NAME@odata.bind`, and which collection
contains which.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

NAMESPACE = "microsoft.graph.industryData"
ODATA_TYPE = "@odata.type"
BIND_SUFFIX = "@odata.bind"


class Shape(StrEnum):
    STRING = "string"
    BOOLEAN = "boolean"
    INTEGER = "integer"  # Int32
    DATE = "date"  # Edm.Date, YYYY-MM-DD
    DATETIME = "datetime"  # Edm.DateTimeOffset, normalised to UTC
    STRING_LIST = "string list"
    ENUM = "enum"  # one of `Member.choices`, matched case-insensitively
    ENUM_LIST = "enum list"
    OBJECT = "object"  # complex value of type `Member.target`
    OBJECT_LIST = "object list"
    POLYMORPHIC = "polymorphic object"  # complex value of a subtype of the abstract `target`
    REFERENCE = "reference value"  # {"code": …} of the reference type `target` (§1.3)
    REFERENCE_LIST = "reference value list"
    NAV = "relationship"  # written `NAME@odata.bind`; stored as the target's id


class Secret(StrEnum):
    NONE = "none"
    HIDDEN = "hidden"  # accepted, stored, never returned (clientSecret)
    MASKED = "masked"  # accepted, stored, returned as a mask (password)


#: How `defaultPasswordSettings.password` comes back (industrydata-userprovisioningflow-get.md).
PASSWORD_MASK = "***************"  # noqa: S105 (a mask, not a password)


@dataclass(frozen=True)
class Member:
    name: str
    shape: Shape
    #: Type name (OBJECT*, POLYMORPHIC), reference type (REFERENCE*) or collection (NAV).
    target: str = ""
    choices: tuple[str, ...] = ()
    read_only: bool = False
    secret: Secret = Secret.NONE
    required: bool = False  # on create, and whenever the value holding it is written whole
    max_length: int | None = None
    #: Not in any update table (reference §3): naming it in a PATCH body is refused.
    create_only: bool = False
    #: Not returned while unset (the undocumented `domainName`); other members come back null.
    omit_when_null: bool = False


@dataclass(frozen=True)
class TypeDef:
    name: str
    members: tuple[Member, ...]
    #: The abstract type this one derives from, for `@odata.type` resolution ("" = none).
    base: str = ""
    abstract: bool = False
    #: Members a PATCH body must carry (correction 5); other PATCH members are optional.
    required_on_patch: tuple[str, ...] = ()
    #: Responses annotate the object with its `@odata.type` (polymorphic values, and the
    #: entities whose documented responses show it).
    annotated: bool = False

    def member(self, name: str) -> Member | None:
        """The member a JSON name denotes; names match case-insensitively, because the service
        accepted `createBasedOnOrgPlusroleGroup` for `createBasedOnOrgPlusRoleGroup` (§5)."""
        lowered = name.lower()
        return next((m for m in self.members if m.name.lower() == lowered), None)


def spelled(type_name: str) -> str:
    """`#microsoft.graph.industryData.<name>`: the spelling every documented response uses."""
    return f"#{NAMESPACE}.{type_name}"


# -- members shared by several types ------------------------------------------------------------

_ID = Member("id", Shape.STRING, read_only=True)
_CREATED = Member("createdDateTime", Shape.DATETIME, read_only=True)
_MODIFIED = Member("lastModifiedDateTime", Shape.DATETIME, read_only=True)
_READINESS = Member(
    "readinessStatus",
    Shape.ENUM,
    choices=("notReady", "ready", "failed", "disabled", "expired", "unknownFutureValue"),
    read_only=True,
)


def _name(*, required: bool = True, create_only: bool = False) -> Member:
    return Member(
        "displayName", Shape.STRING, required=required, max_length=100, create_only=create_only
    )


# -- reference types (§1.3) ---------------------------------------------------------------------

REF_ROLE = "RefRole"
REF_SECTION_ROLE = "RefSectionRole"  # the docs do not name it; the emulator's choice
REF_IDENTIFIER_TYPE = "RefIdentifierType"
REF_USER_MATCH_TARGET = "RefUserMatchTarget"
REF_ACADEMIC_YEAR = "RefAcademicYear"
REF_FILE_FORMAT = "RefFileFormat"

#: referenceValue subtype -> the reference type its `code` belongs to (§1.3).
REFERENCE_VALUE_TYPES = {
    REF_ROLE: "roleReferenceValue",
    REF_SECTION_ROLE: "sectionRoleReferenceValue",
    REF_IDENTIFIER_TYPE: "identifierTypeReferenceValue",
    REF_USER_MATCH_TARGET: "userMatchTargetReferenceValue",
    REF_ACADEMIC_YEAR: "yearReferenceValue",
    REF_FILE_FORMAT: "fileFormatReferenceValue",
}

#: The only reference types a tenant may add codes to (referencedefinition-post.md).
TENANT_REFERENCE_TYPES = (
    "RefAcademicSubject",
    "RefRace",
    "RefEthnicity",
    "RefGradeLevel",
    "RefOrgType",
    "RefPersonFlagType",
)

# -- the types ----------------------------------------------------------------------------------

SOURCE_SYSTEM = "sourceSystemDefinition"
USER_MATCHING_SETTING = "userMatchingSetting"
ROLE_GROUP = "roleGroup"
REFERENCE_DEFINITION = "referenceDefinition"
YEAR = "yearTimePeriodDefinition"
CONNECTOR = "industryDataConnector"
AZURE_DATA_LAKE_CONNECTOR = "azureDataLakeConnector"
ONE_ROSTER_CONNECTOR = "oneRosterApiDataConnector"
CREDENTIAL = "credential"
INBOUND_FLOW = "inboundFlow"
INBOUND_FILE_FLOW = "inboundFileFlow"
INBOUND_API_FLOW = "inboundApiFlow"
FLOW_SET = "outboundProvisioningFlowSet"
FILTER = "filter"
PROVISIONING_FLOW = "provisioningFlow"
USER_FLOW = "userProvisioningFlow"
CLASS_GROUP_FLOW = "classGroupProvisioningFlow"
SECURITY_GROUP_FLOW = "securityGroupProvisioningFlow"
ADMIN_UNIT_FLOW = "administrativeUnitProvisioningFlow"
PASSWORD_SETTINGS = "passwordSettings"  # noqa: S105 (a type name)
RUN = "industryDataRun"
VALIDATE_OPERATION = "validateOperation"
FILE_VALIDATE_OPERATION = "fileValidateOperation"

_CONNECTOR_BASE = (
    _ID,
    _name(),
    Member("sourceSystem", Shape.NAV, "sourceSystems", create_only=True),
)
_API_CONNECTOR_MEMBERS = (
    Member("apiFormat", Shape.ENUM, choices=("oneRoster", "unknownFutureValue"), required=True),
    Member("baseUrl", Shape.STRING, required=True),
    Member("credential", Shape.POLYMORPHIC, CREDENTIAL, required=True),
)
_ONE_ROSTER_MEMBERS = (
    Member("apiVersion", Shape.STRING, required=True),
    Member("isDemographicsEnabled", Shape.BOOLEAN, required=True),
    Member("isFlagsEnabled", Shape.BOOLEAN, required=True),
    Member("isContactsEnabled", Shape.BOOLEAN, required=True),
)
_CREDENTIAL_BASE = (
    Member("displayName", Shape.STRING),
    Member("isValid", Shape.BOOLEAN, read_only=True),
    Member("lastValidDateTime", Shape.DATETIME, read_only=True),
    Member("clientId", Shape.STRING, required=True),
    Member("clientSecret", Shape.STRING, secret=Secret.HIDDEN, required=True),
)
_INBOUND_FLOW_MEMBERS = (
    _ID,
    _name(),
    _READINESS,
    Member(
        "dataDomain",
        Shape.ENUM,
        choices=("educationRostering", "unknownFutureValue"),
        required=True,
        create_only=True,
    ),
    Member("effectiveDateTime", Shape.DATETIME, required=True),
    Member("expirationDateTime", Shape.DATETIME),
    Member("dataConnector", Shape.NAV, "dataConnectors", required=True, create_only=True),
    Member("year", Shape.NAV, "years", required=True, create_only=True),
)
_FLOW_BASE = (_ID, _CREATED, _MODIFIED, _READINESS)
_CLASS_ATTRIBUTES = (
    "courseTitle",
    "courseCode",
    "courseSubject",
    "courseGradeLevel",
    "courseExternalId",
    "academicSessionTitle",
    "academicSessionExternalId",
    "classCode",
    "unknownFutureValue",
)

_TYPES: tuple[TypeDef, ...] = (
    TypeDef(
        SOURCE_SYSTEM,
        (
            _ID,
            _name(create_only=True),
            Member("vendor", Shape.STRING, max_length=100),
            Member("userMatchingSettings", Shape.OBJECT_LIST, USER_MATCHING_SETTING),
        ),
    ),
    TypeDef(
        USER_MATCHING_SETTING,
        (
            Member("roleGroup", Shape.NAV, "roleGroups", required=True),
            Member("priorityOrder", Shape.INTEGER),
            Member("sourceIdentifier", Shape.REFERENCE, REF_IDENTIFIER_TYPE),
            Member("matchTarget", Shape.REFERENCE, REF_USER_MATCH_TARGET),
            # Undocumented (correction 4): sent by Microsoft's Postman collection and ADF template.
            Member("domainName", Shape.STRING, omit_when_null=True),
        ),
    ),
    TypeDef(
        ROLE_GROUP,
        (_ID, Member("displayName", Shape.STRING), Member("roles", Shape.REFERENCE_LIST, REF_ROLE)),
    ),
    TypeDef(
        REFERENCE_DEFINITION,
        (
            _ID,
            Member("referenceType", Shape.STRING, required=True, create_only=True),
            Member("displayName", Shape.STRING),
            Member("code", Shape.STRING, required=True, create_only=True),
            Member("source", Shape.STRING, read_only=True),
            Member("isDisabled", Shape.BOOLEAN, required=True),
            Member("sortIndex", Shape.INTEGER, required=True),
            _CREATED,
            _MODIFIED,
        ),
        annotated=True,  # referencedefinition-post.md's response carries it
    ),
    TypeDef(
        YEAR,
        (
            _ID,
            _name(),
            Member("startDate", Shape.DATE, required=True),
            Member("endDate", Shape.DATE, required=True),
            Member("year", Shape.REFERENCE, REF_ACADEMIC_YEAR, required=True, create_only=True),
        ),
        required_on_patch=("displayName", "startDate", "endDate"),
    ),
    TypeDef(CONNECTOR, _CONNECTOR_BASE, abstract=True),
    TypeDef("fileDataConnector", _CONNECTOR_BASE, base=CONNECTOR, abstract=True),
    TypeDef(
        AZURE_DATA_LAKE_CONNECTOR,
        (
            *_CONNECTOR_BASE,
            # Optional: Microsoft's ADF template creates the connector without it (correction 7).
            Member("fileFormat", Shape.REFERENCE, REF_FILE_FORMAT, create_only=True),
        ),
        base=CONNECTOR,
        annotated=True,
    ),
    TypeDef(
        "apiDataConnector",
        (*_CONNECTOR_BASE, *_API_CONNECTOR_MEMBERS),
        base=CONNECTOR,
        abstract=True,
    ),
    TypeDef(
        ONE_ROSTER_CONNECTOR,
        (*_CONNECTOR_BASE, *_API_CONNECTOR_MEMBERS, *_ONE_ROSTER_MEMBERS),
        base=CONNECTOR,
        annotated=True,
        required_on_patch=(
            "displayName",
            "apiFormat",
            "baseUrl",
            "credential",
            "apiVersion",
            "isDemographicsEnabled",
            "isFlagsEnabled",
            "isContactsEnabled",
        ),
    ),
    TypeDef(CREDENTIAL, _CREDENTIAL_BASE[:3], abstract=True),
    TypeDef("oAuthClientCredential", _CREDENTIAL_BASE, base=CREDENTIAL, abstract=True),
    TypeDef("oAuth1ClientCredential", _CREDENTIAL_BASE, base=CREDENTIAL, annotated=True),
    TypeDef(
        "oAuth2ClientCredential",
        (
            *_CREDENTIAL_BASE,
            Member("tokenUrl", Shape.STRING, required=True),
            Member("scope", Shape.STRING),
        ),
        base=CREDENTIAL,
        annotated=True,
    ),
    TypeDef(INBOUND_FLOW, _INBOUND_FLOW_MEMBERS, abstract=True),
    TypeDef(INBOUND_FILE_FLOW, _INBOUND_FLOW_MEMBERS, base=INBOUND_FLOW, annotated=True),
    TypeDef(
        INBOUND_API_FLOW,
        _INBOUND_FLOW_MEMBERS,
        base=INBOUND_FLOW,
        annotated=True,
        required_on_patch=("displayName", "effectiveDateTime"),
    ),
    TypeDef(
        FLOW_SET,
        (
            _ID,
            _CREATED,
            _MODIFIED,
            Member("displayName", Shape.STRING, required=True),
            Member("filter", Shape.POLYMORPHIC, FILTER),
        ),
    ),
    TypeDef(FILTER, (), abstract=True),
    TypeDef(
        "basicFilter",
        (
            Member(
                "attribute",
                Shape.ENUM,
                choices=("orgExternalId", "unknownFutureValue"),
                required=True,
            ),
            Member("in", Shape.STRING_LIST, required=True),
        ),
        base=FILTER,
        annotated=True,
    ),
    TypeDef(PROVISIONING_FLOW, _FLOW_BASE, abstract=True),
    TypeDef(
        USER_FLOW,
        (
            *_FLOW_BASE,
            Member("createUnmatchedUsers", Shape.BOOLEAN),
            Member("managementOptions", Shape.OBJECT, "userManagementOptions"),
            Member("creationOptions", Shape.OBJECT, "userCreationOptions"),
        ),
        base=PROVISIONING_FLOW,
        annotated=True,
        required_on_patch=("managementOptions",),
    ),
    TypeDef(
        "userManagementOptions",
        (
            Member(
                "additionalAttributes",
                Shape.ENUM_LIST,
                choices=("userGradeLevel", "userNumber", "unknownFutureValue"),
            ),
            Member("additionalOptions", Shape.OBJECT, "additionalUserOptions"),
        ),
    ),
    TypeDef(
        "additionalUserOptions",
        (
            Member(
                "studentAgeGroup",
                Shape.ENUM,
                choices=("minor", "notAdult", "adult", "unknownFutureValue"),
            ),
            Member("allowStudentContactAssociation", Shape.BOOLEAN),
            # Deprecated: "stops returning data on October 15, 2025" — accepted, never returned.
            Member("markAllStudentsAsMinors", Shape.BOOLEAN, secret=Secret.HIDDEN),
        ),
    ),
    TypeDef(
        "userCreationOptions",
        (Member("configurations", Shape.OBJECT_LIST, "userConfiguration"),),
    ),
    TypeDef(
        "userConfiguration",
        (
            Member("licenseSkus", Shape.STRING_LIST),
            Member("defaultPasswordSettings", Shape.POLYMORPHIC, PASSWORD_SETTINGS),
            Member("roleGroup", Shape.NAV, "roleGroups", required=True),
        ),
    ),
    TypeDef(PASSWORD_SETTINGS, (), abstract=True),
    TypeDef(
        "simplePasswordSettings",
        (Member("password", Shape.STRING, secret=Secret.MASKED, required=True),),
        base=PASSWORD_SETTINGS,
        annotated=True,
    ),
    TypeDef(
        CLASS_GROUP_FLOW,
        (*_FLOW_BASE, Member("configuration", Shape.OBJECT, "classGroupConfiguration")),
        base=PROVISIONING_FLOW,
        annotated=True,
    ),
    TypeDef(
        "classGroupConfiguration",
        (
            Member("additionalAttributes", Shape.ENUM_LIST, choices=_CLASS_ATTRIBUTES),
            Member("additionalOptions", Shape.OBJECT, "additionalClassGroupOptions"),
            Member("enrollmentMappings", Shape.OBJECT, "enrollmentMappings"),
        ),
    ),
    TypeDef(
        "additionalClassGroupOptions",
        (
            Member("createTeam", Shape.BOOLEAN),
            Member("writeDisplayNameOnCreateOnly", Shape.BOOLEAN),
        ),
    ),
    TypeDef(
        "enrollmentMappings",
        (
            Member("ownerEnrollmentMappings", Shape.REFERENCE_LIST, REF_SECTION_ROLE),
            Member("memberEnrollmentMappings", Shape.REFERENCE_LIST, REF_SECTION_ROLE),
        ),
    ),
    TypeDef(
        SECURITY_GROUP_FLOW,
        (*_FLOW_BASE, Member("creationOptions", Shape.OBJECT, "securityGroupCreationOptions")),
        base=PROVISIONING_FLOW,
        annotated=True,
        required_on_patch=("creationOptions",),
    ),
    TypeDef(
        "securityGroupCreationOptions",
        (
            Member("createBasedOnRoleGroup", Shape.BOOLEAN),
            Member("createBasedOnOrgPlusRoleGroup", Shape.BOOLEAN),
        ),
    ),
    TypeDef(
        ADMIN_UNIT_FLOW,
        (*_FLOW_BASE, Member("creationOptions", Shape.OBJECT, "adminUnitCreationOptions")),
        base=PROVISIONING_FLOW,
        annotated=True,
    ),
    TypeDef(
        "adminUnitCreationOptions",
        (
            Member("createBasedOnOrg", Shape.BOOLEAN),
            Member("createBasedOnOrgPlusRoleGroup", Shape.BOOLEAN),
        ),
    ),
)

TYPES: dict[str, TypeDef] = {t.name: t for t in _TYPES}


def type_named(name: str) -> TypeDef:
    return TYPES[name]


def concrete_variants(base: str) -> tuple[TypeDef, ...]:
    """The types a value declared as `base` may be: `base` itself when concrete, else every
    concrete type deriving from it (directly or through an abstract intermediate)."""
    found = [t for t in _TYPES if t.name == base and not t.abstract]
    for candidate in _TYPES:
        ancestor = candidate.base
        while ancestor and ancestor != base:
            ancestor = TYPES[ancestor].base
        if ancestor == base and not candidate.abstract:
            found.append(candidate)
    return tuple(found)


def resolve_type(spelling: str, candidates: tuple[TypeDef, ...]) -> TypeDef | None:
    """The candidate a `@odata.type` names: with or without `#`, any case (the SDK matches
    discriminators case-insensitively), qualified with the industryData namespace or bare."""
    namespace, _, leaf = spelling.strip().lstrip("#").rpartition(".")
    if namespace and namespace.lower() != NAMESPACE.lower():
        return None
    return next((t for t in candidates if t.name.lower() == leaf.lower()), None)


# -- collections --------------------------------------------------------------------------------


class Deletion(StrEnum):
    HARD = "hard"  # 204 and gone
    SOFT = "soft"  # 204 and the row stays, disabled (referenceDefinitions)
    NONE = "none"  # read-only collection


@dataclass(frozen=True)
class CollectionDef:
    #: The JSON name under `/external/industryData` (or under its parent's item).
    name: str
    #: The declared entity type (abstract for polymorphic collections).
    entity: str
    #: The collection containing this one ("" = top level).
    parent: str = ""
    writable: bool = True
    deletion: Deletion = Deletion.HARD
    #: The application permission an app-only caller needs for writes (§2 table).
    write_role: str = ""
    #: Writes refused to app-only callers whatever their roles (correction 10).
    delegated_only_patch: bool = False
    #: `readinessStatus` of a new object (§2.2 examples).
    initial_readiness: str | None = None
    #: At most one object of each concrete type per parent (§1.7).
    one_per_type: bool = False
    #: Names `$expand` accepts besides the type's NAV members.
    expandable: tuple[str, ...] = field(default_factory=tuple)

    @property
    def polymorphic(self) -> bool:
        return type_named(self.entity).abstract


_RW = "IndustryData-{}.ReadWrite.All"

COLLECTIONS: dict[str, CollectionDef] = {
    c.name: c
    for c in (
        CollectionDef(
            "sourceSystems",
            SOURCE_SYSTEM,
            write_role=_RW.format("SourceSystem"),
            expandable=("userMatchingSettings/roleGroup",),
        ),
        CollectionDef("years", YEAR, write_role=_RW.format("TimePeriod")),
        CollectionDef("dataConnectors", CONNECTOR, write_role=_RW.format("DataConnector")),
        CollectionDef(
            "inboundFlows",
            INBOUND_FLOW,
            write_role=_RW.format("InboundFlow"),
            initial_readiness="ready",
        ),
        CollectionDef(
            "outboundProvisioningFlowSets",
            FLOW_SET,
            write_role=_RW.format("OutboundFlow"),
            delegated_only_patch=True,
            expandable=("provisioningFlows",),
        ),
        CollectionDef(
            "provisioningFlows",
            PROVISIONING_FLOW,
            parent="outboundProvisioningFlowSets",
            write_role=_RW.format("OutboundFlow"),
            initial_readiness="notReady",
            one_per_type=True,
        ),
        CollectionDef(
            "referenceDefinitions",
            REFERENCE_DEFINITION,
            deletion=Deletion.SOFT,
            write_role=_RW.format("ReferenceDefinition"),
        ),
        CollectionDef("roleGroups", ROLE_GROUP, writable=False, deletion=Deletion.NONE),
        CollectionDef("runs", RUN, writable=False, deletion=Deletion.NONE),
        CollectionDef("operations", "longRunningOperation", writable=False, deletion=Deletion.NONE),
    )
}

#: Collections whose bodies the store keeps in wire form (system-created, never validated).
SYSTEM_ONLY = frozenset({"runs", "operations"})
RUN_START_ROLE = "IndustryData-Run.Start"
VALIDATE_ROLES = (_RW.format("DataConnector"), "IndustryData-DataConnector.Upload")


def collection_named(name: str) -> CollectionDef | None:
    """Path segments match case-insensitively (the docs write `OutboundProvisioningFlowSets`)."""
    lowered = name.lower()
    return next((c for c in COLLECTIONS.values() if c.name.lower() == lowered), None)


def children_of(parent: str) -> tuple[CollectionDef, ...]:
    return tuple(c for c in COLLECTIONS.values() if c.parent == parent)


def top_level_navs(type_name: str) -> tuple[Member, ...]:
    return tuple(m for m in type_named(type_name).members if m.shape is Shape.NAV)


def referrers_of(collection: str) -> tuple[tuple[CollectionDef, str], ...]:
    """(collection, member) pairs whose entities bind to an entity of `collection` at top
    level: what makes a DELETE "still referenced" (reference §3)."""
    pairs: list[tuple[CollectionDef, str]] = []
    for other in COLLECTIONS.values():
        if other.name in SYSTEM_ONLY:
            continue
        names = {
            m.name
            for variant in concrete_variants(other.entity)
            for m in top_level_navs(variant.name)
            if m.target == collection
        }
        pairs.extend((other, name) for name in sorted(names))
    return tuple(pairs)
