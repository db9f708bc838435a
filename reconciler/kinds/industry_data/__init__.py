"""The Industry Data kinds (new School Data Sync, Graph beta `/external/industryData`), as
data: product spec §10, facts in graph-industrydata-api.md.

Listed in dependency order (what a kind refers to comes before it); `roleGroup` is the
service's own, referenced only.
"""

from __future__ import annotations

from reconciler.kinds.industry_data.connector import DATA_CONNECTOR
from reconciler.kinds.industry_data.flow_set import PROVISIONING_FLOW, PROVISIONING_FLOW_SET
from reconciler.kinds.industry_data.inbound_flow import INBOUND_FLOW
from reconciler.kinds.industry_data.reference_value import REFERENCE_VALUE
from reconciler.kinds.industry_data.role_group import ROLE_GROUP
from reconciler.kinds.industry_data.source_system import SOURCE_SYSTEM
from reconciler.kinds.industry_data.year import YEAR
from reconciler.kinds.model import Kind
from reconciler.kinds.registry import Registry
from reconciler.kinds.sync_profile import SYNCHRONIZATION_PROFILE

INDUSTRY_DATA_KINDS: tuple[Kind, ...] = (
    ROLE_GROUP,
    REFERENCE_VALUE,
    SOURCE_SYSTEM,
    YEAR,
    DATA_CONNECTOR,
    INBOUND_FLOW,
    PROVISIONING_FLOW_SET,
    PROVISIONING_FLOW,
)

#: The classic kind and these: the product's `REGISTRY` (`reconciler.kinds`).
WITH_INDUSTRY_DATA = Registry(
    (SYNCHRONIZATION_PROFILE, *INDUSTRY_DATA_KINDS), default_name=SYNCHRONIZATION_PROFILE.name
)

__all__ = [
    "DATA_CONNECTOR",
    "INBOUND_FLOW",
    "INDUSTRY_DATA_KINDS",
    "PROVISIONING_FLOW",
    "PROVISIONING_FLOW_SET",
    "REFERENCE_VALUE",
    "ROLE_GROUP",
    "SOURCE_SYSTEM",
    "WITH_INDUSTRY_DATA",
    "YEAR",
]
