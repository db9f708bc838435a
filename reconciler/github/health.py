"""Reading each planned profile's last sync status from Graph, for the school warnings.

"When readable": the status is extra information for reviewers, so a profile whose status
cannot be read (no permission, gone, throttled past the retries) is simply left out; the plan
itself never depends on it.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from reconciler.engine.plan import Action, Plan
from reconciler.errors import GraphError
from reconciler.github.school_checks import SyncHealth
from reconciler.graph import GraphClient

log = logging.getLogger("reconciler.github")


def read_sync_health(
    client: GraphClient, plan: Plan, parallelism: int = 4
) -> dict[str, SyncHealth]:
    """Health per object id, for every tenant object the plan matched (not deletes)."""
    targets = [
        c for c in plan.changes if c.id and c.kind.run_status_path and c.action is not Action.DELETE
    ]

    def read(change_index: int) -> tuple[str, SyncHealth] | None:
        change = targets[change_index]
        path = f"{change.kind.collection}/{change.id}/{change.kind.run_status_path}"
        try:
            status = client.get(path)
        except GraphError as exc:
            log.info("sync status of %r not readable: %s", change.name, exc)
            return None
        if not status:
            return None
        count = status.get("errorCount")
        return str(change.id), SyncHealth(
            status=str(status["status"]) if status.get("status") is not None else None,
            error_count=count if isinstance(count, int) else None,
            message=str(status["statusMessage"]) if status.get("statusMessage") else None,
        )

    with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
        results = list(pool.map(read, range(len(targets))))
    return dict(r for r in results if r is not None)
