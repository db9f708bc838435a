"""`inboundFlow`: the pipeline that reads one academic year's data through a connector
(inboundFlow, reference §1.6): `inboundFileFlow` (CSV) or `inboundApiFlow` (OneRoster).
Its connector, year and data domain cannot change: a change replaces the flow, and the
replacement starts without the old one's run history."""

from __future__ import annotations

from reconciler.kinds.industry_data.common import (
    INDUSTRY_DATA,
    INSTANT,
    READINESS,
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
    OneActivePer,
    Polymorphic,
    Prop,
    ReadVia,
    Reference,
    Relation,
    Scalar,
    ScalarKind,
    UpdateVerb,
    Writes,
)

DATA_DOMAINS = ("educationRostering",)

_FLOW_MEMBERS = (
    object_id("inbound flow"),
    Prop("displayName", STRING, "Name of the flow (the natural key).", required=True),
    READINESS,
    Prop(
        "dataDomain",
        Scalar(ScalarKind.STRING, enum=DATA_DOMAINS, enum_case_insensitive=True),
        "What the flow carries: educationRostering; cannot change.",
        required=True,
        nullable=False,
    ),
    Prop(
        "effectiveDateTime",
        INSTANT,
        "Start of the window in which runs process the flow (ISO 8601 with an offset).",
        required=True,
        nullable=False,
    ),
    Prop(
        "expirationDateTime",
        INSTANT,
        "End of that window, SDS's 'sync end date' (ISO 8601 with an offset).",
    ),
    Prop(
        "dataConnector",
        Reference("dataConnector"),
        "The connector it reads: {ref: NAME of a dataConnector}; cannot change.",
        required=True,
        nullable=False,
    ),
    Prop(
        "year",
        Reference("year"),
        'The academic year: {ref: "2027"} (the year\'s code, quoted); cannot change.',
        required=True,
        nullable=False,
    ),
)

INBOUND_FILE_FLOW = ObjectType(
    "inboundFileFlow", _FLOW_MEMBERS, "Reads SDS CSV files (with an azureDataLakeConnector)."
)
INBOUND_API_FLOW = ObjectType(
    "inboundApiFlow", _FLOW_MEMBERS, "Reads a OneRoster API (with a oneRosterApiDataConnector)."
)

INBOUND_FLOW = Kind(
    name="inboundFlow",
    endpoint=Endpoint(f"{ROOT}/inboundFlows"),
    root=Polymorphic("inboundFlow", (INBOUND_FILE_FLOW, INBOUND_API_FLOW), INDUSTRY_DATA),
    key=NaturalKey(("displayName",)),
    noun="inbound flow",
    writes=Writes(
        UpdateVerb.PATCH,
        # inboundapiflow-update.md marks these Required (correction 5).
        patch_always=("displayName", "effectiveDateTime"),
        reread=True,
        create_only=("@odata.type", "dataDomain", "dataConnector", "year"),
        replace_loses="its run history (SDS starts the new flow from scratch)",
    ),
    permissions=permissions("InboundFlow"),
    one_active_per=OneActivePer(
        "year", "expirationDateTime", "SDS allows one active inbound flow per academic year"
    ),
    run_log=RUNS,
    relations=(
        # ADF reads `inboundFlows/{id}?$expand=dataConnector` (correction 3).
        Relation("dataConnector", ReadVia.EXPAND),
        Relation("year", ReadVia.EXPAND),
    ),
    key_settings=(
        "@odata.type",
        "dataConnector",
        "year",
        "effectiveDateTime",
        "expirationDateTime",
    ),
)
