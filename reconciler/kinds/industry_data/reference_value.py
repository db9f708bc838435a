"""`referenceValue`: one row of the tenant's reference definitions ("List of Values",
referenceDefinition, reference §1.3), known by its type and code: `RefGradeLevel/PK`.

Tenant rows are created (only in the six types a tenant may extend); the service's own rows
can be overridden (displayName, isDisabled, sortIndex) but are never created or deleted. A
tenant row absent from git is disabled, never removed: Graph's DELETE of a row is a soft
delete (`isDisabled: true`, the row stays listed because past runs refer to it)."""

from __future__ import annotations

from reconciler.kinds.industry_data.common import (
    BOOLEAN,
    CODE,
    CREATED,
    INTEGER,
    MODIFIED,
    ROOT,
    STRING,
    object_id,
    permissions,
)
from reconciler.kinds.industry_data.runs import RUNS
from reconciler.kinds.model import (
    Endpoint,
    Kind,
    NaturalKey,
    ObjectType,
    Prop,
    ServiceRows,
    SoftDelete,
    UpdateVerb,
    Writes,
)

#: The only reference types a tenant may add codes to (referencedefinition-post.md).
TENANT_REFERENCE_TYPES = (
    "RefAcademicSubject",
    "RefRace",
    "RefEthnicity",
    "RefGradeLevel",
    "RefOrgType",
    "RefPersonFlagType",
)

#: What Graph reports as the `source` of rows a tenant created.
TENANT_SOURCE = "Tenant Defined"

REFERENCE_DEFINITION = ObjectType(
    "referenceDefinition",
    (
        object_id("reference value"),
        Prop(
            "referenceType",
            STRING,
            "The list the row belongs to (RefGradeLevel, RefOrgType…); cannot change.",
            required=True,
            nullable=False,
        ),
        Prop("code", CODE, "The row's code, unique in its list; cannot change.", required=True),
        Prop("displayName", STRING, "Name shown to admins."),
        # Both are required to create a row (referencedefinition-post.md) but not to override
        # a row of the service's, whose position the YAML need not know.
        Prop("isDisabled", BOOLEAN, "Hide the row from new data (default false).", default=False),
        Prop("sortIndex", INTEGER, "Position in its list, unique in the list; needed to create."),
        Prop("source", STRING, "Who defined the row (CEDS, Tenant Defined…).", read_only=True),
        CREATED,
        MODIFIED,
    ),
    "A row of a reference list (List of Values).",
)

REFERENCE_VALUE = Kind(
    name="referenceValue",
    endpoint=Endpoint(f"{ROOT}/referenceDefinitions"),
    root=REFERENCE_DEFINITION,
    key=NaturalKey(("referenceType", "code"), case_insensitive=True),
    noun="reference value",
    writes=Writes(
        UpdateVerb.PATCH,
        reread=True,
        create_only=("referenceType", "code"),
        replace_loses="nothing: a row is never replaced (its code is its identity)",
    ),
    # referenceDefinitions reads need IndustryData.ReadBasic.All at least (reference §2).
    permissions=permissions("ReferenceDefinition", least_read=("IndustryData.ReadBasic.All",)),
    run_log=RUNS,
    soft_delete=SoftDelete("isDisabled", True),
    service_rows=ServiceRows(
        "source",
        TENANT_SOURCE,
        create_field="referenceType",
        creatable=TENANT_REFERENCE_TYPES,
        # System rows show 0001-01-01T00:00:00Z until changed (reference §1.3).
        modified="lastModifiedDateTime",
    ),
    file_name_keys=("referenceType", "code"),
    key_settings=("referenceType", "code", "displayName", "isDisabled", "sortIndex"),
)
