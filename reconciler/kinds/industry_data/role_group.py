"""`roleGroup`: the service's own groups of roles, `staff` and `students` (reference §1.2,
correction 10). Referenced (`{ref: staff}`), never declared, planned or listed as unmanaged."""

from __future__ import annotations

from reconciler.kinds.industry_data.common import ROOT, STRING, code_list, reference_value
from reconciler.kinds.model import (
    Endpoint,
    Kind,
    ListOf,
    NaturalKey,
    ObjectType,
    Permissions,
    Prop,
)

ROLE_VALUE = reference_value(
    "roleReferenceValue", code_list("student", "teacher", "faculty"), "RefRole code."
)

ROLE_GROUP_TYPE = ObjectType(
    "roleGroup",
    (
        Prop("id", STRING, "staff or students.", required=True, nullable=False),
        Prop("displayName", STRING, read_only=True),
        Prop("roles", ListOf(ROLE_VALUE), read_only=True),
    ),
    "A group of RefRole codes the service defines.",
)

#: Their ids are their names (the overview's GUID id is a doc defect, correction 10).
SYSTEM_ROLE_GROUPS = ("staff", "students")

ROLE_GROUP = Kind(
    name="roleGroup",
    endpoint=Endpoint(f"{ROOT}/roleGroups"),
    root=ROLE_GROUP_TYPE,
    key=NaturalKey(("id",), case_insensitive=True),
    noun="role group",
    managed=False,
    system_objects=SYSTEM_ROLE_GROUPS,
    permissions=Permissions(
        read_delegated=("IndustryData-ReferenceDefinition.Read.All",),
        read_application=("IndustryData-ReferenceDefinition.Read.All",),
    ),
)
