"""Reading how each sync is doing: the tenant's objects matched to the desired ones exactly as
`plan` matches them, then each object's run status and (on request) its latest sync errors.

Every read that fails raises: a status that could not be read is never shown as healthy.
Personal data is masked here, before any renderer sees it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from reconciler import urls
from reconciler.desired import DesiredObject
from reconciler.engine.matching import TenantIndex, match_all
from reconciler.engine.model import Actual
from reconciler.engine.references import Identities
from reconciler.errors import GraphError
from reconciler.graph import GraphClient
from reconciler.jsontypes import JSONObject
from reconciler.kinds.model import ErrorLogShape, Kind
from reconciler.kinds.registry import Registry
from reconciler.retirement import list_collection
from reconciler.status.pii import mask_text, mask_value
from reconciler.status.runs import RunsReport, read_runs, run_logs
from reconciler.status.times import instant

MAX_ERROR_PAGES = 1_000


@dataclass(frozen=True)
class SyncError:
    recorded_at: dt.datetime | None
    #: (member, value as shown) in the kind's column order; personal data already masked.
    values: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class ObjectStatus:
    kind: Kind
    name: str
    id: str | None
    managed: bool
    #: FILE:LINE:COL of the desired object (managed objects only).
    where: str | None = None
    state: str | None = None
    run_status: str | None = None
    message: str | None = None
    last_sync: dt.datetime | None = None
    last_activity: dt.datetime | None = None
    error_count: int | None = None
    errors: tuple[SyncError, ...] = ()
    #: Why the object needs an admin's attention (a managed one makes `status` exit 1).
    problem: str | None = None
    #: Something to know that is not a failure (e.g. not created yet).
    note: str | None = None

    @property
    def needs_attention(self) -> bool:
        return self.problem is not None


@dataclass(frozen=True)
class StatusReport:
    objects: tuple[ObjectStatus, ...]
    graph_url: str
    created_at: dt.datetime
    show_pii: bool
    #: None: errors were not asked for; else the most listed per object.
    error_limit: int | None
    #: The service's sync runs, for kinds that have a run log (none for profiles).
    runs: tuple[RunsReport, ...] = ()

    @property
    def managed(self) -> tuple[ObjectStatus, ...]:
        return tuple(o for o in self.objects if o.managed)

    @property
    def failing(self) -> tuple[ObjectStatus, ...]:
        return tuple(o for o in self.managed if o.needs_attention)

    @property
    def needs_attention(self) -> bool:
        """A managed object failed, or the last sync run failed or had errors."""
        return bool(self.failing) or any(r.problem for r in self.runs)


@dataclass(frozen=True)
class StatusOptions:
    include_unmanaged: bool = False
    error_limit: int | None = None
    show_pii: bool = False
    parallelism: int = 4


def _problem(kind: Kind, state: str | None, run_status: str | None) -> str | None:
    reasons = []
    if kind.states is not None and state in kind.states.failed:
        reasons.append(f"state {state}")
    if kind.run_state and run_status in kind.run_state.shape.failed:
        reasons.append(f"run status {run_status}")
    return " and ".join(reasons) or None


class StatusReader:
    def __init__(self, client: GraphClient, options: StatusOptions) -> None:
        self.client = client
        self.options = options

    # -- run status ----------------------------------------------------------------------------
    def run_status(self, kind: Kind, actual: Actual, name: str) -> JSONObject:
        if kind.run_state is None:
            return {}
        try:
            response = self.client.fetch(urls.member_path(kind, actual.id, kind.run_state.path))
        except GraphError as exc:
            raise exc.with_subject(f"run status of {name!r}") from None
        return response.body if isinstance(response.body, dict) else {}

    # -- sync errors ---------------------------------------------------------------------------
    def latest_errors(
        self, kind: Kind, actual: Actual, name: str, error_count: int | None
    ) -> tuple[tuple[SyncError, ...], tuple[str, ...]]:
        """The newest errors as shown, and the personal values they hide by field (which
        every free text of the object then hides too)."""
        log, limit = kind.error_log, self.options.error_limit
        if log is None or limit is None or error_count == 0:
            return (), ()
        try:
            rows = self._error_rows(kind, log, actual.id, limit)
        except GraphError as exc:
            raise exc.with_subject(f"sync errors of {name!r}") from None
        rows.sort(
            key=lambda r: instant(r.get(log.recorded_at)) or dt.datetime.min.replace(tzinfo=dt.UTC),
            reverse=True,
        )
        latest = rows[:limit]
        known = tuple(
            dict.fromkeys(
                str(row[column])
                for row in latest
                for column in log.personal
                if row.get(column) is not None
            )
        )
        return tuple(self._shown(log, row, known) for row in latest), known

    def _error_rows(
        self, kind: Kind, log: ErrorLogShape, object_id: str, limit: int
    ) -> list[JSONObject]:
        # Newest first from the service when it orders: stop once `limit` are in.
        order = {"$orderby": f"{log.recorded_at} desc"} if log.server_orders else None
        path = urls.member_path(kind, object_id, log.path, query=order)
        url: str | None = self.client.url(path)
        origin = urlsplit(url).netloc
        rows: list[JSONObject] = []
        for _ in range(MAX_ERROR_PAGES):
            if url is None or (log.server_orders and len(rows) >= limit):
                break
            page = self.client.fetch(url).body
            value = page.get("value") if isinstance(page, dict) else None
            if not isinstance(value, list):
                raise GraphError(
                    method="GET",
                    url=url,
                    status=200,
                    code="UnexpectedResponse",
                    message="a collection response without a `value` list",
                )
            rows.extend(r for r in value if isinstance(r, dict))
            next_link = page.get("@odata.nextLink") if isinstance(page, dict) else None
            if next_link is not None and urlsplit(str(next_link)).netloc != origin:
                raise GraphError(
                    method="GET",
                    url=url,
                    status=200,
                    code="UnexpectedNextLink",
                    message="@odata.nextLink points to another host; refused to send the token",
                )
            url = str(next_link) if next_link else None
        return rows

    def _shown(self, log: ErrorLogShape, row: JSONObject, known: Sequence[str]) -> SyncError:
        show = self.options.show_pii
        values = tuple(
            (
                column,
                str(row[column])
                if show and row.get(column) is not None
                else mask_value(
                    row.get(column),
                    personal=column in log.personal,
                    free_text=column in log.free_text,
                    known=known,
                ),
            )
            for column in log.columns
        )
        return SyncError(instant(row.get(log.recorded_at)), values)

    # -- one object ----------------------------------------------------------------------------
    def object_status(
        self, kind: Kind, actual: Actual, *, managed: bool, where: str | None
    ) -> ObjectStatus:
        name = kind.key_of(actual.body)
        shape = kind.run_state.shape if kind.run_state else None
        status = self.run_status(kind, actual, name)
        state = kind.states.of(actual.body) if kind.states else None
        run = status.get(shape.status) if shape else None
        count = status.get(shape.error_count) if shape and shape.error_count else None
        message = status.get(shape.message) if shape and shape.message else None
        error_count = int(count) if isinstance(count, int | float) else None
        errors, known = self.latest_errors(kind, actual, name, error_count)
        shown_message = None
        if message is not None:
            shown_message = (
                str(message) if self.options.show_pii else mask_text(str(message), known)
            )
        return ObjectStatus(
            kind=kind,
            name=name,
            id=actual.id,
            managed=managed,
            where=where,
            state=str(state) if state is not None else None,
            run_status=str(run) if run is not None else None,
            message=shown_message,
            last_sync=instant(status.get(shape.last_sync)) if shape and shape.last_sync else None,
            last_activity=(
                instant(status.get(shape.last_activity)) if shape and shape.last_activity else None
            ),
            error_count=error_count,
            errors=errors,
            problem=_problem(kind, str(state) if state else None, str(run) if run else None),
        )


def _kinds(desired: Sequence[DesiredObject], every: Iterable[Kind], everything: bool) -> list[Kind]:
    wanted = {o.kind.name: o.kind for o in desired}
    if everything:
        wanted.update({k.name: k for k in every})
    return list(wanted.values())


def _read(client: GraphClient, kinds: list[Kind], registry: Registry) -> dict[str, list[Actual]]:
    """Each kind's objects; a contained kind's within each object of its container, which it
    names as plan does (its natural key holds its container's: `Set name/userProvisioningFlow`,
    not the container's id)."""
    every = {k.name: k for k in registry}
    from reconciler.tenant import list_kind

    tenant: dict[str, list[Actual]] = {}
    for kind in sorted(kinds, key=lambda k: k.endpoint.parent is not None):
        parent = every.get(kind.endpoint.parent or "")
        if parent is None:
            bodies = list_collection(client, kind)
        else:
            if parent.name not in tenant:
                tenant[parent.name] = [Actual(b) for b in list_collection(client, parent)]
            bodies = list_kind(client, kind, parent, tenant[parent.name])
        tenant[kind.name] = [Actual(b) for b in bodies]
    named = Identities(registry, tenant, (), ())
    return {k.name: [named.resolve(k, a) for a in tenant[k.name]] for k in kinds}


def read_status(
    client: GraphClient,
    desired: Sequence[DesiredObject],
    options: StatusOptions,
    *,
    registry: Registry,
    now: dt.datetime,
) -> StatusReport:
    kinds = _kinds(desired, registry, options.include_unmanaged)
    tenant = _read(client, kinds, registry)
    indexes = {k.name: TenantIndex(k, tenant[k.name]) for k in kinds}
    matches = match_all(tuple(desired), indexes)
    reader = StatusReader(client, options)
    jobs: list[tuple[Any, ...]] = []
    rows: list[ObjectStatus | None] = []
    claimed: set[tuple[str, str]] = set()
    for obj, match in zip(desired, matches, strict=True):
        claimed.update((obj.kind.name, a.id) for a in match.claims)
        if match.error is not None:
            rows.append(
                ObjectStatus(
                    obj.kind, obj.name, obj.pinned_id, True, obj.where, problem=match.error.message
                )
            )
        elif match.actual is None:
            rows.append(
                ObjectStatus(
                    obj.kind,
                    obj.name,
                    None,
                    True,
                    obj.where,
                    note="not in the tenant yet: `apply` creates it",
                )
            )
        else:
            jobs.append((len(rows), obj.kind, match.actual, True, obj.where))
            rows.append(None)
    if options.include_unmanaged:
        for kind in kinds:
            for actual in tenant[kind.name]:
                if (kind.name, actual.id) not in claimed and not kind.services_own(actual.body):
                    jobs.append((len(rows), kind, actual, False, None))
                    rows.append(None)
    with ThreadPoolExecutor(max_workers=max(options.parallelism, 1)) as pool:
        done = pool.map(
            lambda job: (
                job[0],
                reader.object_status(job[1], job[2], managed=job[3], where=job[4]),
            ),
            jobs,
        )
        for index, status in done:
            rows[index] = status
    objects = tuple(r for r in rows if r is not None)
    return StatusReport(
        objects=objects,
        graph_url=client.base_url,
        created_at=now,
        show_pii=options.show_pii,
        error_limit=options.error_limit,
        runs=tuple(read_runs(client, log, now) for log in run_logs(kinds)),
    )
