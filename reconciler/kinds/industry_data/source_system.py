"""`sourceSystem`: the SIS/SMS the data comes from (sourceSystemDefinition, reference §1.1),
with its identity rules per role group (`userMatchingSettings`)."""

from __future__ import annotations

from reconciler.kinds.industry_data.common import (
    DOMAIN,
    IDENTIFIER_TYPE_VALUE,
    INTEGER,
    MATCH_TARGET_VALUE,
    ROOT,
    STRING,
    object_id,
    permissions,
)
from reconciler.kinds.industry_data.runs import RUNS
from reconciler.kinds.model import (
    Endpoint,
    KeyedList,
    Kind,
    NaturalKey,
    ObjectType,
    Prop,
    ReadVia,
    Reference,
    Relation,
    UpdateVerb,
    Writes,
)

USER_MATCHING_SETTING = ObjectType(
    "userMatchingSetting",
    (
        Prop(
            "roleGroup",
            Reference("roleGroup"),
            "The role group the rule is for: {ref: staff} or {ref: students}.",
            required=True,
            nullable=False,
        ),
        Prop(
            "priorityOrder",
            INTEGER,
            "Which rule wins when a person holds roles of several groups (lowest first); "
            "identifies the rule, so each must differ.",
            required=True,
            nullable=False,
        ),
        Prop("sourceIdentifier", IDENTIFIER_TYPE_VALUE, "The source value: {code: username}."),
        Prop("matchTarget", MATCH_TARGET_VALUE, "The Entra property: {code: userPrincipalName}."),
        Prop(
            "domainName",
            DOMAIN,
            "Domain appended to the source value before matching (contoso.edu). Undocumented: "
            "Microsoft's own Postman collection and ADF template send it.",
        ),
    ),
    "How people of one role group are matched to Entra users.",
)

SOURCE_SYSTEM_DEFINITION = ObjectType(
    "sourceSystemDefinition",
    (
        object_id("source system"),
        Prop(
            "displayName",
            STRING,
            "Name of the SIS (the natural key; cannot change after create).",
            required=True,
            nullable=False,
        ),
        Prop("vendor", STRING, "Who makes the SIS (PowerSchool, Infinite Campus…)."),
        Prop(
            "userMatchingSettings",
            # Graph keeps no order and echoes no role group on a plain read: the rules are
            # told apart by their priorityOrder (reference §5).
            KeyedList(USER_MATCHING_SETTING, "priorityOrder"),
            "Identity rules, one per role group.",
        ),
    ),
    "A student information system (SIS/SMS) data comes from.",
)

SOURCE_SYSTEM = Kind(
    name="sourceSystem",
    endpoint=Endpoint(f"{ROOT}/sourceSystems"),
    root=SOURCE_SYSTEM_DEFINITION,
    key=NaturalKey(("displayName",)),
    noun="source system",
    writes=Writes(
        UpdateVerb.PATCH,
        reread=True,
        # Not in the update table (reference §3): a new name is a new source system.
        create_only=("displayName",),
        replace_loses="the connectors bound to it must be replaced too",
    ),
    permissions=permissions("SourceSystem"),
    run_log=RUNS,
    relations=(
        # The emulator and Microsoft's ADF template read role groups this way; a plain GET
        # never echoes them (reference §1.10, open question 1).
        Relation(
            "userMatchingSettings.roleGroup", ReadVia.EXPAND, nav="userMatchingSettings/roleGroup"
        ),
    ),
    key_settings=("displayName", "vendor", "userMatchingSettings"),
)
