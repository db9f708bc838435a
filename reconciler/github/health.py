"""Reading each planned profile's last sync status from Graph, for the school warnings.

"When readable": the status is extra information for reviewers, so a profile whose status
cannot be read (no permission, gone, throttled past the retries) is simply left out; the plan
itself never depends on it.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from reconciler import urls
from reconciler.engine.model import Action, Plan
from reconciler.errors import GraphError
from reconciler.github.school_checks import SyncHealth
from reconciler.graph import GraphClient

log = logging.getLogger("reconciler.github")


def read_sync_health(
    client: GraphClient, plan: Plan, parallelism: int = 4
) -> dict[str, SyncHealth]:
    """Health per object id, for every tenant object the plan matched (not deletes)."""
    targets = [
        c for c in plan.changes if c.id and c.kind.run_state and c.action is not Action.DELETE
    ]

    def read(change_index: int) -> tuple[str, SyncHealth] | None:
        change = targets[change_index]
        run_state = change.kind.run_state
        assert run_state is not None and change.id is not None  # as selected above
        shape = run_state.shape
        try:
            status = client.get(urls.member_path(change.kind, change.id, run_state.path))
        except GraphError as exc:
            log.info("sync status of %r not readable: %s", change.name, exc)
            return None
        if not status:
            return None
        count = status.get(shape.error_count) if shape.error_count else None
        state = status.get(shape.status)
        message = status.get(shape.message) if shape.message else None
        return str(change.id), SyncHealth(
            status=str(state) if state is not None else None,
            error_count=count if isinstance(count, int) else None,
            message=str(message) if message else None,
        )

    with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
        results = list(pool.map(read, range(len(targets))))
    return dict(r for r in results if r is not None)
