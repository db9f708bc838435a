"""What a new tenant already holds: the role groups and the system reference definitions.

Role groups and their roles are the ones industrydata-userprovisioningflow-get.md returns
inline. Section roles are the codes of the class-group flow example (outboundprovisioningflowset-
post-provisioningflows.md), in the spelling its response shows (`paraprofessional`). File formats
are the three spellings Microsoft's own tools send (correction 7). The other lists are a
plausible subset of the standards they come from (CEDS, OneRoster): the API documents no list.
"""

from __future__ import annotations

import re

from reconciler.emulator.industrydata.catalog import (
    REF_FILE_FORMAT,
    REF_IDENTIFIER_TYPE,
    REF_ROLE,
    REF_SECTION_ROLE,
    REF_USER_MATCH_TARGET,
)
from reconciler.jsontypes import JSONObject

#: System rows show this instead of a real timestamp (reference §1.3).
SYSTEM_TIMESTAMP = "0001-01-01T00:00:00Z"
TENANT_SOURCE = "Tenant Defined"

STUDENT_ROLES = ("student",)
STAFF_ROLES = (
    "adjunct",
    "administrator",
    "advisor",
    "affiliate",
    "aide",
    "alumni",
    "assistant",
    "chair",
    "coach",
    "faculty",
    "instructor",
    "itAdmin",
    "lecturer",
    "nurse",
    "occupationalTherapist",
    "officeStaff",
    "paraprofessional",
    "physicalTherapist",
    "principal",
    "proctor",
    "professor",
    "researcher",
    "specialServices",
    "speechTherapist",
    "staff",
    "substitute",
    "teacher",
    "teacherAssistant",
    "visionTherapist",
)

ROLE_GROUPS: tuple[JSONObject, ...] = (
    {"id": "staff", "displayName": "Staff", "roles": [{"code": c} for c in STAFF_ROLES]},
    {"id": "students", "displayName": "Students", "roles": [{"code": c} for c in STUDENT_ROLES]},
)

_SECTION_ROLES = (
    "teacher",
    "proctor",
    "teacherAssistant",
    "paraprofessional",
    "physicalTherapist",
    "speechTherapist",
    "visionTherapist",
    "occupationalTherapist",
    "staff",
    "student",
    "substitute",
    "aide",
)

#: (referenceType, source, codes) of the system rows, in listing order.
_SYSTEM_ROWS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (REF_ROLE, "IMS Global", tuple(sorted({*STAFF_ROLES, *STUDENT_ROLES}))),
    (REF_SECTION_ROLE, "IMS Global", _SECTION_ROLES),
    # The codes Microsoft's SDS ADF solution guides name ("username, email, or
    # activeDirectory"; "userPrincipalName or mail"), as convert-classic and the kinds do.
    (REF_IDENTIFIER_TYPE, "Microsoft", ("username", "email", "activeDirectory")),
    (REF_USER_MATCH_TARGET, "Microsoft", ("userPrincipalName", "mail")),
    (
        REF_FILE_FORMAT,
        "Microsoft",
        ("schoolDataSyncV1", "schoolDataSyncV2Rev1", "schoolDataSyncV2.1"),
    ),
    (
        "RefGradeLevel",
        "CEDS",
        ("IT", "PR", "PK", "TK", "KG", *(f"{n:02d}" for n in range(1, 14)), "PS", "UG", "Other"),
    ),
    (
        "RefOrgType",
        "IMS Global",
        ("department", "school", "district", "local", "state", "national"),
    ),
    (
        "RefAcademicSubject",
        "CEDS",
        (
            "englishLanguageAndLiterature",
            "mathematics",
            "lifeAndPhysicalSciences",
            "socialSciences",
        ),
    ),
    (
        "RefRace",
        "CEDS",
        (
            "americanIndianOrAlaskaNative",
            "asian",
            "blackOrAfricanAmerican",
            "nativeHawaiianOrOtherPacificIslander",
            "white",
        ),
    ),
    ("RefEthnicity", "CEDS", ("hispanicOrLatino", "notHispanicOrLatino")),
    ("RefPersonFlagType", "Microsoft", ("ell", "iep", "section504")),
)

#: Reference types whose value list the docs pin down: an unknown code is refused (400).
#: Codes of the other types are matched against the rows when possible and kept as sent otherwise.
CLOSED_REFERENCE_TYPES = frozenset({REF_ROLE, REF_SECTION_ROLE, REF_FILE_FORMAT})

_YEAR_CODE = re.compile(r"^\d{4}$")


def _display_name(code: str) -> str:
    """`teacherAssistant` -> `Teacher Assistant` (system rows carry a readable name)."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", code)
    return spaced[:1].upper() + spaced[1:]


def system_reference_rows() -> list[JSONObject]:
    """Every system referenceDefinition, as stored (id `{referenceType}-{code}`)."""
    rows: list[JSONObject] = []
    for reference_type, source, codes in _SYSTEM_ROWS:
        for index, code in enumerate(codes, start=1):
            rows.append(
                {
                    "id": f"{reference_type}-{code}",
                    "referenceType": reference_type,
                    "displayName": _display_name(code),
                    "code": code,
                    "source": source,
                    "isDisabled": False,
                    "sortIndex": index,
                    "createdDateTime": SYSTEM_TIMESTAMP,
                    "lastModifiedDateTime": SYSTEM_TIMESTAMP,
                }
            )
    return rows


def is_year_code(code: str) -> bool:
    """RefAcademicYear codes are the ending calendar year, e.g. `2026` (reference §1.4)."""
    return bool(_YEAR_CODE.match(code))
