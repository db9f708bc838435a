"""The service constraints beyond one body's shape (reference §3), as checks over the store.

Each check raises a GraphFault: 400 for a body that can never be right, 409 for a write that
conflicts with what the tenant holds now (retrying after fixing the tenant would succeed).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from reconciler.emulator.graph_errors import GraphFault
from reconciler.emulator.industrydata.catalog import (
    AZURE_DATA_LAKE_CONNECTOR,
    INBOUND_API_FLOW,
    INBOUND_FILE_FLOW,
    ONE_ROSTER_CONNECTOR,
    TENANT_REFERENCE_TYPES,
    CollectionDef,
    referrers_of,
)
from reconciler.emulator.industrydata.records import Record
from reconciler.emulator.industrydata.timestamps import to_datetime

#: Which connector type each inbound flow type reads from (§1.6).
_FLOW_CONNECTORS = {
    INBOUND_FILE_FLOW: AZURE_DATA_LAKE_CONNECTOR,
    INBOUND_API_FLOW: ONE_ROSTER_CONNECTOR,
}


def bad_request(message: str) -> GraphFault:
    return GraphFault(400, "BadRequest", message)


def conflict(message: str) -> GraphFault:
    return GraphFault(409, "Conflict", message)


def describe(record: Record) -> str:
    return f"{record.collection}('{record.id}')"


def check_flow_connector(flow_type: str, connector: Record | None) -> None:
    """A file flow reads an Azure Data Lake connector, an API flow a OneRoster one."""
    wanted = _FLOW_CONNECTORS.get(flow_type)
    if connector is not None and wanted is not None and connector.type_name != wanted:
        raise bad_request(
            f"an {flow_type} needs an {wanted}, but dataConnector@odata.bind names "
            f"{describe(connector)}, an {connector.type_name}"
        )


def is_active(flow_body: dict[str, object], now: datetime) -> bool:
    """Within its window's end: no expirationDateTime, or one still in the future."""
    expiration = flow_body.get("expirationDateTime")
    return not isinstance(expiration, str) or to_datetime(expiration) > now


def check_one_active_flow_per_year(flow: Record, others: Iterable[Record], now: datetime) -> None:
    """SDS allows one active inbound flow per academic year (reference §3): 409."""
    if not is_active(flow.body, now):
        return
    for other in others:
        if other.id == flow.id or other.body.get("year") != flow.body.get("year"):
            continue
        if is_active(other.body, now):
            raise conflict(
                f"year '{flow.body.get('year')}' already has an active inbound flow, "
                f"{describe(other)} ('{other.body.get('displayName')}'); delete it or let it "
                "expire (expirationDateTime) before adding another one for the same year"
            )


def check_one_flow_per_type(flow_type: str, siblings: Iterable[Record], set_id: str) -> None:
    """At most one provisioning flow of each type per flow set (§1.7): 409."""
    for sibling in siblings:
        if sibling.type_name == flow_type:
            raise conflict(
                f"outboundProvisioningFlowSets('{set_id}') already has a {flow_type}: "
                f"{describe(sibling)}; a set holds at most one flow of each type"
            )


def check_reference_type(reference_type: object) -> str:
    """Tenants add codes only to the six documented reference types (400 otherwise)."""
    by_lower = {t.lower(): t for t in TENANT_REFERENCE_TYPES}
    if isinstance(reference_type, str) and reference_type.lower() in by_lower:
        return by_lower[reference_type.lower()]
    raise bad_request(
        f"referenceType: codes can be added only to {', '.join(TENANT_REFERENCE_TYPES)}, "
        f"not {reference_type!r} (system rows may be changed with PATCH)"
    )


def check_unique_sort_index(row: Record, rows: Iterable[Record]) -> None:
    """sortIndex "must be unique within the referenceType" (referencedefinition-post.md)."""
    for other in rows:
        if (
            other.id.lower() != row.id.lower()
            and other.body.get("referenceType") == row.body.get("referenceType")
            and other.body.get("sortIndex") == row.body.get("sortIndex")
        ):
            raise conflict(
                f"sortIndex {row.body.get('sortIndex')} is already used by {describe(other)} "
                f"in {row.body.get('referenceType')}; sortIndex is unique within a reference type"
            )


def check_not_referenced(
    target: Record,
    records: dict[str, dict[str, Record]],
    children: list[tuple[CollectionDef, list[Record]]],
) -> None:
    """DELETE of an object others still bind to, or of a set that still holds flows: 409.

    Whether Graph cascades or blocks is undocumented (reference §3, §7.3); the emulator blocks,
    so a client's delete ordering (children first) is exercised."""
    users = [
        other
        for collection, member in referrers_of(target.collection)
        for other in records[collection.name].values()
        if other.body.get(member) == target.id
    ]
    users.extend(child for _, rows in children for child in rows)
    if users:
        named = ", ".join(describe(u) for u in users[:5])
        more = f" and {len(users) - 5} more" if len(users) > 5 else ""
        raise conflict(
            f"{describe(target)} is still referenced by {named}{more}; delete those first"
        )
