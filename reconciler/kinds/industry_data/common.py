"""What every Industry Data kind shares: the collection root, the namespace, scalars,
reference values (`{code: …}`) and the permission pattern.

Facts: graph-industrydata-api.md (corrections block first, then §1-§5). The API exists in
Graph beta only, under `{graph-url}/external/industryData`.
"""

from __future__ import annotations

from reconciler.kinds.model import (
    Format,
    Namespace,
    ObjectType,
    Permissions,
    Prop,
    Scalar,
    ScalarKind,
)

#: Every collection lives below this path of the Graph root (`--graph-url`, a beta root).
ROOT = "external/industryData"

#: Polymorphic members are sent as `#microsoft.graph.industryData.<type>`; the SDK matches the
#: discriminator in any case, with or without `#` (reference §5).
INDUSTRY_DATA = Namespace("microsoft.graph.industryData")

STRING = Scalar(ScalarKind.STRING)
BOOLEAN = Scalar(ScalarKind.BOOLEAN)
INTEGER = Scalar(ScalarKind.INTEGER)
#: Edm.Date, `YYYY-MM-DD` (a year's startDate, endDate).
DATE = Scalar(ScalarKind.DATE)
#: Edm.DateTimeOffset: Graph echoes it in UTC (`+05:30` comes back `Z`), compared as instants.
INSTANT = Scalar(ScalarKind.DATETIME)
HTTPS_URL = Scalar(ScalarKind.STRING, format=Format.HTTPS_URL)
DOMAIN = Scalar(ScalarKind.STRING, format=Format.DOMAIN)
#: A reference code of an open list: stored in the service's case, compared in any case.
CODE = Scalar(ScalarKind.STRING, case_insensitive=True)


def code_list(*known: str) -> Scalar:
    """A reference code whose usual values are known: any case is accepted and compared as
    the same value; another value is warned about, not refused (the lists are open)."""
    return Scalar(
        ScalarKind.STRING,
        enum=known,
        enum_case_insensitive=True,
        enum_open=True,
        case_insensitive=True,
    )


def reference_value(type_name: str, codes: Scalar, description: str) -> ObjectType:
    """A referenceValue (reference §1.3): `{code: …}`, one row of a reference type. The
    `value@odata.bind` form names the same row; the YAML writes the code."""
    return ObjectType(
        type_name,
        (Prop("code", codes, description, required=True, nullable=False),),
        description,
    )


#: `RefIdentifierType`: the source column that identifies a person. Microsoft documents
#: `username`, `email` and `activeDirectory` (SDS identity-matching guide, ADF templates);
#: tenants may hold more, so the list is open.
IDENTIFIER_TYPES = ("username", "email", "activeDirectory")
#: `RefUserMatchTarget`: the Entra user property the identifier is matched to.
MATCH_TARGETS = ("userPrincipalName", "mail")
#: `RefFileFormat`: the docs' two codes and the spelling Microsoft's Postman collection sends
#: (correction 7); compared in any case, another one is warned about.
FILE_FORMATS = ("schoolDataSyncV1", "schoolDataSyncV2Rev1", "schoolDataSyncV2.1")
#: Section (enrolment) roles a class group's owners and members come from: the class-group
#: flow example's codes (outboundprovisioningflowset-post-provisioningflows.md).
SECTION_ROLES = (
    "teacher",
    "student",
    "aide",
    "proctor",
    "substitute",
    "staff",
    "teacherAssistant",
    "paraprofessional",
    "physicalTherapist",
    "speechTherapist",
    "visionTherapist",
    "occupationalTherapist",
)

IDENTIFIER_TYPE_VALUE = reference_value(
    "identifierTypeReferenceValue",
    code_list(*IDENTIFIER_TYPES),
    "RefIdentifierType code: the source value that identifies a person (username, email).",
)
MATCH_TARGET_VALUE = reference_value(
    "userMatchTargetReferenceValue",
    code_list(*MATCH_TARGETS),
    "RefUserMatchTarget code: the Entra user property matched (userPrincipalName, mail).",
)
YEAR_VALUE = reference_value(
    "yearReferenceValue",
    Scalar(ScalarKind.STRING, format=Format.YEAR),
    "RefAcademicYear code: the calendar year the academic year ends in (2027).",
)
FILE_FORMAT_VALUE = reference_value(
    "fileFormatReferenceValue",
    code_list(*FILE_FORMATS),
    "RefFileFormat code: the SDS CSV format (schoolDataSyncV1, schoolDataSyncV2Rev1).",
)
SECTION_ROLE_VALUE = reference_value(
    "sectionRoleReferenceValue",
    code_list(*SECTION_ROLES),
    "Section role code (teacher, student, aide…).",
)

#: Members the service fills in and reads never compare (reference §5).
CREATED = Prop("createdDateTime", INSTANT, read_only=True)
MODIFIED = Prop("lastModifiedDateTime", INSTANT, read_only=True)
READINESS = Prop("readinessStatus", STRING, "Computed by the service.", read_only=True)


def object_id(noun: str) -> Prop:
    return Prop("id", STRING, f"Server-assigned id; write it to pin the {noun}.", read_only=True)


def permissions(
    area: str,
    *,
    app_only_actions: tuple[str, ...] | None = None,
    least_read: tuple[str, ...] = (),
) -> Permissions:
    """`IndustryData-{area}.Read.All` to read (or `least_read`, a smaller scope the docs name
    first), `….ReadWrite.All` to write, delegated and application alike (reference §2 table)
    unless `app_only_actions` says otherwise."""
    read = (*least_read, f"IndustryData-{area}.Read.All")
    write = f"IndustryData-{area}.ReadWrite.All"
    return Permissions(
        read_delegated=(*read, write),
        read_application=(*read, write),
        write_delegated=(write,),
        write_application=(write,),
        app_only_actions=(
            ("create", "update", "delete") if app_only_actions is None else app_only_actions
        ),
    )
