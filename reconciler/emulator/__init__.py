"""The built-in Microsoft Graph emulator for SDS synchronization profiles (spec §8).

`Emulator` serves an in-memory `Tenant` over real HTTP on 127.0.0.1 with Graph's documented
behaviour (server defaults, `@odata.type` respelling, paging, errors, asynchrony) and switchable
faults. It is the test oracle for the client, so its model (`catalog`) is its own.
"""

from __future__ import annotations

from reconciler.emulator.app import Emulator
from reconciler.emulator.faults import INHERIT, Faults, Schedule, Scheduled
from reconciler.emulator.graph_errors import GraphFault
from reconciler.emulator.requestlog import LoggedRequest, RequestLog
from reconciler.emulator.tenant import Tenant

__all__ = [
    "INHERIT",
    "Emulator",
    "Faults",
    "GraphFault",
    "LoggedRequest",
    "RequestLog",
    "Schedule",
    "Scheduled",
    "Tenant",
]
