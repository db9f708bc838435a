"""Runs and long-running operations: system-created objects that settle after a delay.

`POST runs/start` answers 202 and at most 5 on-demand runs may start in 12 hours
(industrydata-industrydatarun-start.md); `POST dataConnectors/{id}/validate` answers 202 with a
`Location` to an operation that succeeds (reference §2.1-§2.2). Bodies are kept in wire form.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from reconciler.emulator.industrydata.catalog import (
    AZURE_DATA_LAKE_CONNECTOR,
    FILE_VALIDATE_OPERATION,
    VALIDATE_OPERATION,
)
from reconciler.emulator.industrydata.records import Record
from reconciler.emulator.industrydata.rules import conflict
from reconciler.emulator.industrydata.timestamps import graph_now, to_datetime
from reconciler.jsontypes import JSONObject

RUN_LIMIT = 5
RUN_WINDOW = timedelta(hours=12)
RUN_STATUSES = (
    "running",
    "failed",
    "completed",
    "completedWithErrors",
    "completedWithWarnings",
    "unknownFutureValue",
)


def new_run(now: datetime, *, display_name: str = "On-demand run") -> JSONObject:
    return {
        "id": str(uuid.uuid4()),
        "displayName": display_name,
        "startDateTime": graph_now(now),
        "endDateTime": None,
        "status": "running",
        "blockingError": None,
    }


def check_run_limit(on_demand_starts: list[datetime], now: datetime) -> None:
    """409 when 5 on-demand runs already started within the last 12 hours."""
    recent = sorted(t for t in on_demand_starts if now - t < RUN_WINDOW)
    if len(recent) >= RUN_LIMIT:
        next_allowed = recent[-RUN_LIMIT] + RUN_WINDOW
        raise conflict(
            f"at most {RUN_LIMIT} on-demand runs can start in 12 hours; "
            f"the next one can start after {graph_now(next_allowed)}"
        )


def start_times(runs: list[Record], on_demand: set[str]) -> list[datetime]:
    return [to_datetime(r.body["startDateTime"]) for r in runs if r.id in on_demand]


def finish_run(run: Record, now: datetime) -> None:
    run.body.update(status="completed", endDateTime=graph_now(now))


def new_operation(connector: Record, resource_location: str, now: datetime) -> Record:
    """A validate operation for `connector`; file connectors get a fileValidateOperation."""
    is_file = connector.type_name == AZURE_DATA_LAKE_CONNECTOR
    stamp = graph_now(now)
    body: JSONObject = {
        "id": str(uuid.uuid4()),
        "createdDateTime": stamp,
        "lastActionDateTime": stamp,
        "resourceLocation": resource_location,
        "status": "running",
        "statusDetail": None,
        "errors": [],
        "warnings": [],
    }
    if is_file:
        body["validatedFiles"] = []
    kind = FILE_VALIDATE_OPERATION if is_file else VALIDATE_OPERATION
    return Record("operations", body["id"], 0, kind, body)


def finish_operation(operation: Record, now: datetime) -> None:
    operation.body.update(status="succeeded", lastActionDateTime=graph_now(now))


def statistics(run: Record, counts: JSONObject | None) -> JSONObject:
    """`getStatistics` for a run: totals are zero unless a test seeded them."""
    given = counts or {}
    totals: JSONObject = {
        "errors": int(given.get("errors", 0)),
        "warnings": int(given.get("warnings", 0)),
        "groups": 0,
        "memberships": 0,
        "organizations": 0,
        "people": 0,
        "matchedPeopleByRole": [],
        "unmatchedPeopleByRole": [],
    }
    return {
        "runId": run.id,
        "status": run.body.get("status"),
        "inboundTotals": totals,
        "activityStatistics": [],
    }
