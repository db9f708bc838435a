"""Reading the tenant's actual state for the kinds in play."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from reconciler import urls
from reconciler.engine.model import Actual
from reconciler.errors import GraphError
from reconciler.graph import GraphClient
from reconciler.kinds.model import Kind


def read_run_status(client: GraphClient, kind: Kind, object_id: str) -> str | None:
    run_state = kind.run_state
    if run_state is None:
        return None
    status = client.get(urls.member_path(kind, object_id, run_state.path))
    value = status.get(run_state.shape.status) if status else None
    return str(value) if value is not None else None


class _Counter:
    """Counts finished reads across threads and says so: `{what} 3 of 40…`."""

    def __init__(self, progress: Callable[[str], None], what: str, total: int) -> None:
        self.progress = progress
        self.what = what
        self.total = total
        self.done = 0
        self._lock = threading.Lock()

    def tick(self) -> None:
        with self._lock:
            self.done += 1
            self.progress(f"{self.what} {self.done} of {self.total}…")


def read_tenant(
    client: GraphClient,
    kinds: Iterable[Kind],
    *,
    status_for: set[tuple[str, str]] | None = None,
    status_by_name: set[tuple[str, str]] | None = None,
    parallelism: int = 4,
    progress: Callable[[str], None] = lambda _text: None,
) -> dict[str, list[Actual]]:
    """One paged list per kind; run status only for objects whose desired state manages it
    (by id or by natural key). Any failed read raises: an unreadable tenant is never "empty".
    `progress` hears what is being read (a status line on a terminal)."""
    tenant: dict[str, list[Actual]] = {}
    wanted_ids = {(k, i.lower()) for k, i in (status_for or set())}
    wanted_names = status_by_name or set()
    for kind in kinds:
        progress(f"Reading the tenant's {kind.name} list…")
        try:
            bodies = client.list(urls.list_path(kind))
        except GraphError as exc:
            raise exc.with_subject(f"reading {kind.name} list") from None

        def needs_status(body: dict[str, object], kind: Kind = kind) -> bool:
            return (kind.name, str(body.get("id", "")).lower()) in wanted_ids or (
                kind.name,
                kind.key_of(body),
            ) in wanted_names

        counter = _Counter(
            progress,
            f"Read {len(bodies)} {kind.name}(s); run state",
            sum(1 for body in bodies if needs_status(body)),
        )

        def with_status(
            body: dict[str, object], kind: Kind = kind, counter: _Counter = counter
        ) -> Actual:
            if not needs_status(body):
                return Actual(body)
            try:
                actual = Actual(body, read_run_status(client, kind, str(body["id"])))
            except GraphError as exc:
                raise exc.with_subject(kind.key_of(body) or str(body.get("id"))) from None
            counter.tick()
            return actual

        with ThreadPoolExecutor(max_workers=parallelism) as pool:
            tenant[kind.name] = list(pool.map(with_status, bodies))
    return tenant
