"""Reading the tenant's actual state for the kinds in play."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from reconciler.engine.plan import Actual
from reconciler.errors import GraphError
from reconciler.graph import GraphClient
from reconciler.kinds.model import Kind


def read_run_status(client: GraphClient, kind: Kind, object_id: str) -> str | None:
    if not kind.run_status_path:
        return None
    status = client.get(f"{kind.collection}/{object_id}/{kind.run_status_path}")
    value = status.get("status") if status else None
    return str(value) if value is not None else None


def read_tenant(
    client: GraphClient,
    kinds: Iterable[Kind],
    *,
    status_for: set[tuple[str, str]] | None = None,
    status_by_name: set[tuple[str, str]] | None = None,
    parallelism: int = 4,
) -> dict[str, list[Actual]]:
    """One paged list per kind; run status only for objects whose desired state manages it
    (by id or by natural key). Any failed read raises: an unreadable tenant is never "empty"."""
    tenant: dict[str, list[Actual]] = {}
    wanted_ids = {(k, i.lower()) for k, i in (status_for or set())}
    wanted_names = status_by_name or set()
    for kind in kinds:
        try:
            bodies = client.list(kind.collection)
        except GraphError as exc:
            raise exc.with_subject(f"reading {kind.name} list") from None

        def needs_status(body: dict[str, object], kind: Kind = kind) -> bool:
            return (kind.name, str(body.get("id", "")).lower()) in wanted_ids or (
                kind.name,
                str(body.get(kind.natural_key, "")),
            ) in wanted_names

        def with_status(body: dict[str, object], kind: Kind = kind) -> Actual:
            if not needs_status(body):
                return Actual(body)
            try:
                return Actual(body, read_run_status(client, kind, str(body["id"])))
            except GraphError as exc:
                raise exc.with_subject(str(body.get(kind.natural_key, body.get("id")))) from None

        with ThreadPoolExecutor(max_workers=parallelism) as pool:
            tenant[kind.name] = list(pool.map(with_status, bodies))
    return tenant
