"""The emulator's own table of the documented SDS types and their members.

Written from graph-sds-api.md §2 independently of `reconciler.kinds` on purpose: the emulator
is the test oracle for the client, so it must not share the client's model (a mistake there
would otherwise be mirrored here and never caught).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Shape(StrEnum):
    STRING = "string"
    BOOLEAN = "boolean"
    INTEGER = "integer"
    DATE = "date"  # Edm.Date, YYYY-MM-DD
    DATETIME = "datetime"  # Edm.DateTimeOffset
    STRING_LIST = "string list"
    ENUM = "enum"  # a string from `Member.choices`, matched case-insensitively
    OBJECT = "object"
    OBJECT_LIST = "object list"
    POLYMORPHIC = "polymorphic object"


@dataclass(frozen=True)
class Member:
    name: str
    shape: Shape
    #: Type name for OBJECT / OBJECT_LIST; the abstract base type for POLYMORPHIC.
    target: str = ""
    #: Accepted on writes, stored, never returned (graph-sds-api.md §3.6).
    secret: bool = False
    #: Server-managed: a write body naming it is rejected.
    read_only: bool = False
    #: Members of an ENUM, in Graph's lowerCamel spelling.
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class TypeDef:
    #: Canonical lowerCamel name, as the SDK serialises it.
    name: str
    members: tuple[Member, ...]
    #: The abstract base this concrete type derives from ("" = not polymorphic).
    base: str = ""
    #: Pre-"education" names seen in Microsoft's 2017 scenario snippets (§3.2).
    aliases: tuple[str, ...] = ()
    #: `members` by name: every rendered or validated property is looked up here.
    _by_name: dict[str, Member] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {m.name: m for m in self.members})

    def member(self, name: str) -> Member | None:
        return self._by_name.get(name)


PROFILE = "educationSynchronizationProfile"
PROFILE_STATUS = "educationSynchronizationProfileStatus"
DATA_PROVIDER = "educationSynchronizationDataProvider"
IDENTITY_CONFIGURATION = "educationIdentitySynchronizationConfiguration"
CONNECTION_SETTINGS = "educationSynchronizationConnectionSettings"
CUSTOMIZATIONS = "educationSynchronizationCustomizations"
CUSTOMIZATION = "educationSynchronizationCustomization"
LICENSE_ASSIGNMENT = "educationSynchronizationLicenseAssignment"

#: The namespaces Microsoft's examples use (§3.2); a bare type name is accepted too.
NAMESPACES = ("microsoft.graph", "microsoft.education.datasync")

USER_ROLES = ("student", "teacher", "faculty", "none", "unknownFutureValue")
PROFILE_STATES = (
    "provisioning",
    "provisioned",
    "provisioningFailed",
    "deleting",
    "deletionFailed",
    "unknownFutureValue",
)
SYNC_STATUSES = (
    "paused",
    "inProgress",
    "success",
    "error",
    "validationError",
    "quarantined",
    "unknownFutureValue",
    "extracting",
    "validating",
)
CUSTOMIZATION_SLOTS = (
    "school",
    "section",
    "student",
    "teacher",
    "studentEnrollment",
    "teacherRoster",
)

_CUSTOMIZATIONS_MEMBER = Member("customizations", Shape.OBJECT, CUSTOMIZATIONS)


def _string(name: str, *, secret: bool = False) -> Member:
    return Member(name, Shape.STRING, secret=secret)


_TYPES: tuple[TypeDef, ...] = (
    TypeDef(
        PROFILE,
        (
            Member("id", Shape.STRING, read_only=True),
            _string("displayName"),
            Member("dataProvider", Shape.POLYMORPHIC, DATA_PROVIDER),
            Member(
                "identitySynchronizationConfiguration", Shape.POLYMORPHIC, IDENTITY_CONFIGURATION
            ),
            Member("licensesToAssign", Shape.OBJECT_LIST, LICENSE_ASSIGNMENT),
            Member("expirationDate", Shape.DATE),
            Member("handleSpecialCharacterConstraint", Shape.BOOLEAN),
            Member("state", Shape.STRING, read_only=True),
            Member("profileStatus", Shape.OBJECT, PROFILE_STATUS, read_only=True),
            Member("errors", Shape.OBJECT_LIST, "educationSynchronizationError", read_only=True),
        ),
    ),
    TypeDef(
        "educationCsvDataProvider",
        (_CUSTOMIZATIONS_MEMBER,),
        base=DATA_PROVIDER,
        aliases=("csvDataProvider",),
    ),
    TypeDef(
        "educationPowerSchoolDataProvider",
        (
            _string("connectionUrl"),
            _string("clientId"),
            _string("clientSecret", secret=True),
            Member("schoolsIds", Shape.STRING_LIST),
            _string("schoolYear"),
            Member("allowTeachersInMultipleSchools", Shape.BOOLEAN),
            _CUSTOMIZATIONS_MEMBER,
        ),
        base=DATA_PROVIDER,
        aliases=("powerSchoolDataProvider",),
    ),
    TypeDef(
        "educationOneRosterApiDataProvider",
        (
            _string("connectionUrl"),
            _string("providerName"),
            Member("schoolsIds", Shape.STRING_LIST),
            Member("termIds", Shape.STRING_LIST),
            Member("connectionSettings", Shape.POLYMORPHIC, CONNECTION_SETTINGS),
            _CUSTOMIZATIONS_MEMBER,
        ),
        base=DATA_PROVIDER,
    ),
    TypeDef(
        "educationSynchronizationOAuth1ConnectionSettings",
        (_string("clientId"), _string("clientSecret", secret=True)),
        base=CONNECTION_SETTINGS,
    ),
    TypeDef(
        "educationSynchronizationOAuth2ClientCredentialsConnectionSettings",
        (
            _string("clientId"),
            _string("clientSecret", secret=True),
            _string("tokenUrl"),
            _string("scope"),
        ),
        base=CONNECTION_SETTINGS,
    ),
    TypeDef(
        "educationIdentityCreationConfiguration",
        (Member("userDomains", Shape.OBJECT_LIST, "educationIdentityDomain"),),
        base=IDENTITY_CONFIGURATION,
        aliases=("identityCreationConfiguration",),
    ),
    TypeDef(
        "educationIdentityMatchingConfiguration",
        (Member("matchingOptions", Shape.OBJECT_LIST, "educationIdentityMatchingOptions"),),
        base=IDENTITY_CONFIGURATION,
        aliases=("identityMatchingConfiguration",),
    ),
    TypeDef(
        CUSTOMIZATIONS,
        tuple(Member(slot, Shape.OBJECT, CUSTOMIZATION) for slot in CUSTOMIZATION_SLOTS),
    ),
    TypeDef(
        CUSTOMIZATION,
        (
            Member("optionalPropertiesToSync", Shape.STRING_LIST),
            Member("synchronizationStartDate", Shape.DATETIME),
            Member("isSyncDeferred", Shape.BOOLEAN),
            Member("allowDisplayNameUpdate", Shape.BOOLEAN),
        ),
    ),
    TypeDef(
        "educationIdentityDomain",
        (Member("appliesTo", Shape.ENUM, choices=USER_ROLES), _string("name")),
    ),
    TypeDef(
        "educationIdentityMatchingOptions",
        (
            Member("appliesTo", Shape.ENUM, choices=USER_ROLES),
            _string("sourcePropertyName"),
            _string("targetPropertyName"),
            _string("targetDomain"),
        ),
    ),
    TypeDef(
        LICENSE_ASSIGNMENT,
        (Member("appliesTo", Shape.ENUM, choices=USER_ROLES), Member("skuIds", Shape.STRING_LIST)),
    ),
    TypeDef(
        PROFILE_STATUS,
        (
            Member("id", Shape.STRING, read_only=True),
            Member("status", Shape.ENUM, choices=SYNC_STATUSES),
            Member("lastSynchronizationDateTime", Shape.DATETIME),
            Member("lastActivityDateTime", Shape.DATETIME),
            Member("errorCount", Shape.INTEGER, read_only=True),
            _string("statusMessage"),
        ),
    ),
)

TYPES: dict[str, TypeDef] = {t.name: t for t in _TYPES}

#: Abstract bases: a member of one of these types must name its concrete type.
ABSTRACT_BASES = (DATA_PROVIDER, IDENTITY_CONFIGURATION, CONNECTION_SETTINGS)


def type_named(name: str) -> TypeDef:
    return TYPES[name]


def variants_of(base: str) -> tuple[TypeDef, ...]:
    return tuple(t for t in _TYPES if t.base == base)


def split_odata_type(spelling: str) -> tuple[str, str]:
    """`#Microsoft.Education.DataSync.educationCsvDataProvider` ->
    (`microsoft.education.datasync`, `educationcsvdataprovider`), both lower-cased."""
    namespace, _, leaf = spelling.strip().lstrip("#").rpartition(".")
    return namespace.lower(), leaf.lower()


def _names(type_def: TypeDef) -> tuple[str, ...]:
    return tuple(n.lower() for n in (type_def.name, *type_def.aliases))


def resolve_type(spelling: str, candidates: tuple[TypeDef, ...]) -> TypeDef | None:
    """The candidate a spelling names: with or without `#`, any case, either documented
    namespace (or none), legacy short names included (graph-sds-api.md §3.2)."""
    namespace, leaf = split_odata_type(spelling)
    if namespace and namespace not in NAMESPACES:
        return None
    return next((t for t in candidates if leaf in _names(t)), None)


def create_spelling(type_name: str) -> str:
    """How a create (POST) response spells a type: `#microsoft.graph.<name>` (seed 001)."""
    return f"#microsoft.graph.{type_name}"


def read_spelling(type_name: str) -> str:
    """How GET/list/PUT responses spell a type: no `#` (graph-sds-api.md §3.2)."""
    return f"microsoft.graph.{type_name}"
