"""`provisioningFlowSet`: one SDS "Manage data" configuration (outboundProvisioningFlowSet,
reference §1.7) and its `provisioningFlows` (§1.8), written in the set's document: a list of
flow bodies, each with its `@odata.type`, at most one of each type. Each flow is an object of
the contained kind `provisioningFlow`, known by its set and its type."""

from __future__ import annotations

from reconciler.kinds.industry_data.common import (
    BOOLEAN,
    CREATED,
    INDUSTRY_DATA,
    MODIFIED,
    READINESS,
    ROOT,
    SECTION_ROLE_VALUE,
    STRING,
    object_id,
    permissions,
)
from reconciler.kinds.industry_data.runs import RUNS
from reconciler.kinds.model import (
    Contained,
    Endpoint,
    KeyedList,
    Kind,
    ListOf,
    NaturalKey,
    ObjectType,
    Polymorphic,
    Prop,
    ReadVia,
    Reference,
    Relation,
    Scalar,
    ScalarKind,
    SetOf,
    UpdateVerb,
    Writes,
)
from reconciler.kinds.sync_profile import SKU_ID


def _choice(*values: str) -> Scalar:
    return Scalar(ScalarKind.STRING, enum=values, enum_case_insensitive=True)


# -- the flows -----------------------------------------------------------------------------------
#: `userProvisioningFlow.managementOptions.additionalAttributes` members.
USER_ATTRIBUTES = ("userGradeLevel", "userNumber")
SIMPLE_PASSWORD = ObjectType(
    "simplePasswordSettings",
    (
        Prop(
            "password",
            STRING,
            "Initial password of created users (write-only: write it as ${NAME}; Graph echoes "
            "a mask, which is never sent back).",
            required=True,
            secret=True,
        ),
    ),
)

USER_CONFIGURATION = ObjectType(
    "userConfiguration",
    (
        Prop(
            "roleGroup",
            Reference("roleGroup"),
            "Whom the settings are for: {ref: staff} or {ref: students}.",
            required=True,
            nullable=False,
        ),
        Prop("licenseSkus", SetOf(SKU_ID, case_insensitive=True), "Licence SKU GUIDs to assign."),
        Prop(
            "defaultPasswordSettings",
            Polymorphic("passwordSettings", (SIMPLE_PASSWORD,), INDUSTRY_DATA),
            "Password of users SDS creates.",
        ),
    ),
)

USER_FLOW = ObjectType(
    "userProvisioningFlow",
    (
        Prop("createUnmatchedUsers", BOOLEAN, "Create Entra users for unmatched people."),
        Prop(
            "managementOptions",
            ObjectType(
                "userManagementOptions",
                (
                    Prop(
                        "additionalAttributes",
                        SetOf(_choice(*USER_ATTRIBUTES)),
                        "Extra attributes written to users.",
                    ),
                    Prop(
                        "additionalOptions",
                        ObjectType(
                            "additionalUserOptions",
                            (
                                Prop(
                                    "allowStudentContactAssociation",
                                    BOOLEAN,
                                    "Link students to their contacts.",
                                ),
                                Prop(
                                    "studentAgeGroup",
                                    _choice("minor", "notAdult", "adult"),
                                    "Age group set on students (null: none). Replaces the "
                                    "deprecated markAllStudentsAsMinors.",
                                ),
                            ),
                        ),
                    ),
                ),
            ),
            "How SDS manages users (sent whole on every update).",
            required=True,
        ),
        Prop(
            "creationOptions",
            ObjectType(
                "userCreationOptions",
                (
                    Prop(
                        "configurations",
                        # One entry per role group, in any order. Keyed (not a list owned
                        # whole) so that a password from ${NAME} hides that member only, not
                        # the licences beside it.
                        KeyedList(USER_CONFIGURATION, "roleGroup"),
                        "Licences and password per role group.",
                    ),
                ),
            ),
            "How SDS creates users.",
        ),
    ),
    "Users: match, create, license.",
)

CLASS_ATTRIBUTES = (
    "courseTitle",
    "courseCode",
    "courseSubject",
    "courseGradeLevel",
    "courseExternalId",
    "academicSessionTitle",
    "academicSessionExternalId",
    "classCode",
)

CLASS_GROUP_FLOW = ObjectType(
    "classGroupProvisioningFlow",
    (
        Prop(
            "configuration",
            ObjectType(
                "classGroupConfiguration",
                (
                    Prop(
                        "additionalAttributes",
                        SetOf(_choice(*CLASS_ATTRIBUTES)),
                        "Extra attributes written to class groups.",
                    ),
                    Prop(
                        "additionalOptions",
                        ObjectType(
                            "additionalClassGroupOptions",
                            (
                                Prop("createTeam", BOOLEAN, "Create a team for each class."),
                                Prop(
                                    "writeDisplayNameOnCreateOnly",
                                    BOOLEAN,
                                    "Name the group once; later renames are kept.",
                                ),
                            ),
                        ),
                    ),
                    Prop(
                        "enrollmentMappings",
                        ObjectType(
                            "enrollmentMappings",
                            (
                                Prop(
                                    "ownerEnrollmentMappings",
                                    KeyedList(SECTION_ROLE_VALUE, "code"),
                                    "Section roles that own the group: [{code: teacher}].",
                                ),
                                Prop(
                                    "memberEnrollmentMappings",
                                    KeyedList(SECTION_ROLE_VALUE, "code"),
                                    "Section roles that join it: [{code: student}].",
                                ),
                            ),
                        ),
                    ),
                ),
            ),
            "How SDS creates class groups.",
            required=True,
        ),
    ),
    "Class groups (and their teams).",
)

SECURITY_GROUP_FLOW = ObjectType(
    "securityGroupProvisioningFlow",
    (
        Prop(
            "creationOptions",
            ObjectType(
                "securityGroupCreationOptions",
                (
                    Prop("createBasedOnRoleGroup", BOOLEAN, "One group per role group."),
                    Prop(
                        "createBasedOnOrgPlusRoleGroup",
                        BOOLEAN,
                        "One group per school and role group.",
                    ),
                ),
            ),
            "Which security groups SDS creates (sent whole on every update).",
            required=True,
        ),
    ),
    "Security groups by role group or school.",
)

ADMINISTRATIVE_UNIT_FLOW = ObjectType(
    "administrativeUnitProvisioningFlow",
    (
        Prop(
            "creationOptions",
            ObjectType(
                "adminUnitCreationOptions",
                (
                    Prop("createBasedOnOrg", BOOLEAN, "One administrative unit per school."),
                    Prop(
                        "createBasedOnOrgPlusRoleGroup",
                        BOOLEAN,
                        "One per school and role group.",
                    ),
                ),
            ),
            "Which administrative units SDS creates.",
            required=True,
        ),
    ),
    "Administrative units by school.",
)

_FLOW_TYPES = (USER_FLOW, CLASS_GROUP_FLOW, SECURITY_GROUP_FLOW, ADMINISTRATIVE_UNIT_FLOW)
#: Members the service fills in on every flow.
_FLOW_SERVER = (object_id("provisioning flow"), CREATED, MODIFIED, READINESS)


def _flows(extra: tuple[Prop, ...]) -> Polymorphic:
    return Polymorphic(
        "provisioningFlow",
        tuple(
            ObjectType(t.name, (*_FLOW_SERVER, *extra, *t.props), t.description)
            for t in _FLOW_TYPES
        ),
        INDUSTRY_DATA,
    )


#: A flow as written in its set's document (its set is the document).
FLOWS_IN_SET = _flows(())
#: A flow as an object of its own kind: its set is a reference the loader fills in.
FLOW_SET_REF = "flowSet"
FLOWS = _flows(
    (
        Prop(
            FLOW_SET_REF,
            Reference("provisioningFlowSet"),
            "The set the flow belongs to (the document it is written in).",
            required=True,
            nullable=False,
        ),
    )
)

PROVISIONING_FLOW = Kind(
    name="provisioningFlow",
    endpoint=Endpoint("provisioningFlows", parent="provisioningFlowSet", parent_ref=FLOW_SET_REF),
    root=FLOWS,
    # At most one flow of a type per set (reference §1.7): set + type is the flow.
    key=NaturalKey((FLOW_SET_REF, "@odata.type"), case_insensitive=True),
    noun="provisioning flow",
    writes=Writes(
        UpdateVerb.PATCH,
        # userprovisioningflow-update.md marks managementOptions Required (correction 5); a
        # security-group flow's only member, creationOptions, is in every PATCH of it anyway.
        patch_always=("managementOptions",),
        reread=True,
        # Its set is part of its URL (…/{set id}/provisioningFlows/{id}): a flow cannot move
        # to another set in place, it is deleted from the old set and created in the new one.
        create_only=("@odata.type", FLOW_SET_REF),
        replace_loses="what it provisioned is provisioned anew (as after a reset)",
    ),
    permissions=permissions("OutboundFlow"),
    run_log=RUNS,
    relations=(
        # The user flow's GET returns each configuration's roleGroup inline (correction 3);
        # its POST answer and the list do not.
        Relation("creationOptions.configurations.roleGroup", ReadVia.ITEM),
    ),
    secret_prefixes=(("simplePasswordSettings", "DEFAULT_PASSWORD"),),
    key_settings=("@odata.type",),
)

# -- the set -------------------------------------------------------------------------------------
BASIC_FILTER = ObjectType(
    "basicFilter",
    (
        Prop(
            "attribute",
            _choice("orgExternalId"),
            "What the filter matches: orgExternalId.",
            required=True,
        ),
        Prop(
            "in", SetOf(STRING), "The organisations' external ids (SIS school ids).", required=True
        ),
    ),
    "Only the listed organisations.",
)

FLOW_SET_TYPE = ObjectType(
    "outboundProvisioningFlowSet",
    (
        object_id("flow set"),
        CREATED,
        MODIFIED,
        Prop("displayName", STRING, "Name of the configuration (the natural key).", required=True),
        Prop(
            "filter",
            Polymorphic("filter", (BASIC_FILTER,), INDUSTRY_DATA),
            "Which organisations the set provisions (absent: all).",
        ),
        Prop(
            "provisioningFlows",
            ListOf(FLOWS_IN_SET),
            "The set's flows, at most one of each @odata.type: userProvisioningFlow, "
            "classGroupProvisioningFlow, securityGroupProvisioningFlow, "
            "administrativeUnitProvisioningFlow.",
        ),
    ),
    "One 'Manage data' configuration of SDS.",
)

PROVISIONING_FLOW_SET = Kind(
    name="provisioningFlowSet",
    endpoint=Endpoint(f"{ROOT}/outboundProvisioningFlowSets"),
    root=FLOW_SET_TYPE,
    key=NaturalKey(("displayName",)),
    noun="flow set",
    writes=Writes(UpdateVerb.PATCH, reread=True, replace_loses="its flows"),
    # outboundprovisioningflowset-update.md: PATCH is delegated only (correction 10).
    permissions=permissions("OutboundFlow", app_only_actions=("create", "delete")),
    run_log=RUNS,
    contained=(Contained("provisioningFlows", PROVISIONING_FLOW.name),),
    key_settings=("displayName", "filter"),
)
