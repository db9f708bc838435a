"""A thread-safe in-memory Industry Data tenant: the state logic behind `/external/industryData`.

One generic engine for every collection, driven by the catalog: validate a write
(`validation`), apply the service constraints (`rules`), fill the server-managed members, keep
the record, and render it (`render`). Runs and operations settle lazily against an injectable
clock, like classic profiles; the wall clock advances with it, so a test that moves the clock
12 hours ahead also frees the run limit.
"""

from __future__ import annotations

import copy
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from reconciler.emulator.graph_errors import not_found
from reconciler.emulator.industrydata import activity, persistence, rules
from reconciler.emulator.industrydata.catalog import (
    COLLECTIONS,
    ROLE_GROUP,
    RUN,
    CollectionDef,
    children_of,
    type_named,
)
from reconciler.emulator.industrydata.links import StoreLinks
from reconciler.emulator.industrydata.records import Record
from reconciler.emulator.industrydata.render import Expand, render
from reconciler.emulator.industrydata.systemdata import (
    ROLE_GROUPS,
    TENANT_SOURCE,
    system_reference_rows,
)
from reconciler.emulator.industrydata.timestamps import graph_now
from reconciler.emulator.industrydata.validation import Mode, check_write
from reconciler.jsontypes import JSON, JSONObject


class Page(NamedTuple):
    items: list[JSONObject]
    #: Sequence number to continue after, or None on the last page.
    next_after: int | None
    total: int


class IndustryData:
    """Every Industry Data collection of one tenant, behind one lock."""

    def __init__(
        self,
        *,
        provisioning_delay: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provisioning_delay = provisioning_delay
        self._clock = clock
        self._clock_origin = clock()
        self._wall_origin = datetime.now(UTC)
        self._lock = threading.RLock()
        self._records: dict[str, dict[str, Record]] = {name: {} for name in COLLECTIONS}
        self._seq = 0
        self._settles: dict[str, float] = {}  # run / operation id -> clock value
        self._on_demand: set[str] = set()  # runs started through runs/start
        self._statistics: dict[str, JSONObject] = {}  # seeded run statistics
        self._defaults: dict[str, JSONObject] = {}  # system reference rows as first seeded
        self._links = StoreLinks(self._records)
        for group in ROLE_GROUPS:
            self._put(Record("roleGroups", group["id"], 0, ROLE_GROUP, copy.deepcopy(group)))
        for row in system_reference_rows():
            self._defaults[row["id"].lower()] = copy.deepcopy(row)
            self._put(Record("referenceDefinitions", row["id"], 0, "referenceDefinition", row))

    # -- clocks and internals ------------------------------------------------------------------

    def now(self) -> datetime:
        """Wall time that advances with the injected clock."""
        return self._wall_origin + timedelta(seconds=self._clock() - self._clock_origin)

    def _put(self, record: Record) -> Record:
        self._seq += 1
        record.seq = self._seq
        self._records[record.collection][record.id.lower()] = record
        return record

    def _settle(self) -> None:
        now_clock = self._clock()
        for entity_id, due in list(self._settles.items()):
            if now_clock < due:
                continue
            del self._settles[entity_id]
            run = self._records["runs"].get(entity_id)
            if run is not None:
                activity.finish_run(run, self.now())
            operation = self._records["operations"].get(entity_id)
            if operation is not None:
                activity.finish_operation(operation, self.now())
                self._mark_validated(operation)

    def _mark_validated(self, operation: Record) -> None:
        connector_id = str(operation.body["resourceLocation"]).rstrip("/").rsplit("/", 1)[-1]
        connector = self._records["dataConnectors"].get(connector_id.lower())
        credential = connector.body.get("credential") if connector else None
        if isinstance(credential, dict):
            credential.update(isValid=True, lastValidDateTime=graph_now(self.now()))

    def _collection(self, name: str) -> CollectionDef:
        return COLLECTIONS[name]

    def _find(self, collection: str, entity_id: str, parent: str | None = None) -> Record:
        self._settle()
        holder = self._find(self._collection(collection).parent, parent) if parent else None
        record = self._records[collection].get(entity_id.strip().lower())
        if record is None or (holder is not None and not _same(record.parent, holder.id)):
            raise not_found(f"{type_named_or(collection)} '{entity_id}'")
        return record

    def _rows(self, collection: str, parent: str | None = None) -> list[Record]:
        rows = [
            r
            for r in self._records[collection].values()
            if parent is None or _same(r.parent, parent.strip())
        ]
        return sorted(rows, key=lambda r: r.seq)

    # -- the View protocol the renderer uses ---------------------------------------------------

    def find(self, collection: str, entity_id: str) -> Record | None:
        return self._records[collection].get(entity_id.lower())

    def children(self, collection: str, parent_id: str) -> list[Record]:
        return self._rows(collection, parent_id)

    # -- reads -----------------------------------------------------------------------------------

    def list_page(
        self,
        collection: str,
        *,
        parent: str | None = None,
        after: int = 0,
        limit: int = 20,
        skip: int = 0,
        expand: Expand = frozenset(),
    ) -> Page:
        """One page in creation order: items after sequence number `after`, at most `limit`."""
        with self._lock:
            holder = self._find(self._collection(collection).parent, parent) if parent else None
            self._settle()
            rows = self._rows(collection, holder.id if holder else None)
            remaining = [r for r in rows if r.seq > after][skip:]
            chunk = remaining[:limit]
            more = len(remaining) > len(chunk) and bool(chunk)
            items = [render(r, self, expand) for r in chunk]
            return Page(items, chunk[-1].seq if more else None, len(rows))

    def get(
        self,
        collection: str,
        entity_id: str,
        *,
        parent: str | None = None,
        expand: Expand = frozenset(),
    ) -> JSONObject:
        with self._lock:
            return render(self._find(collection, entity_id, parent), self, expand)

    def navigate(self, collection: str, entity_id: str, member: str) -> tuple[str, JSONObject]:
        """The entity a relationship of `entity_id` points to: (its collection, its body)."""
        with self._lock:
            record = self._find(collection, entity_id)
            target_collection = next(
                m.target for m in type_named(record.type_name).members if m.name == member
            )
            target_id = record.body.get(member)
            target = self.find(target_collection, str(target_id)) if target_id else None
            if target is None:
                raise not_found(f"{member} of {collection}('{record.id}')")
            return target_collection, render(target, self)

    def navigation_target(self, collection: str, entity_id: str, member: str) -> str:
        """The id a relationship points to (404 when unset)."""
        with self._lock:
            record = self._find(collection, entity_id)
            target_id = record.body.get(member)
            if not target_id:
                raise not_found(f"{member} of {collection}('{record.id}')")
            return str(target_id)

    # -- writes ----------------------------------------------------------------------------------

    def _stamp(
        self, body: JSONObject, type_name: str, *, created: bool, written: JSONObject
    ) -> None:
        """Fill the server-managed members of a type the write touched."""
        names = {m.name for m in type_named(type_name).members}
        stamp = graph_now(self.now())
        if created and "createdDateTime" in names:
            body["createdDateTime"] = stamp
        if "lastModifiedDateTime" in names:
            body["lastModifiedDateTime"] = stamp
        credential = written.get("credential")
        if isinstance(credential, dict):
            # Correction 9: `isValid` is already true in the create response, before validate.
            body["credential"] = {**credential, "isValid": True, "lastValidDateTime": None}

    def create(self, collection: str, body: JSON, *, parent: str | None = None) -> JSONObject:
        """POST: the new object as the 201 response shows it."""
        definition = self._collection(collection)
        with self._lock:
            holder = self._find(definition.parent, parent) if parent is not None else None
            self._settle()
            checked = check_write(
                body, declared=definition.entity, mode=Mode.CREATE, links=self._links
            )
            record = Record(collection, str(uuid.uuid4()), 0, checked.type_name, checked.body)
            record.parent = holder.id if holder is not None else None
            if collection == "referenceDefinitions":
                self._prepare_reference_row(record)
            self._check_create(record)
            if definition.initial_readiness is not None:
                record.body["readinessStatus"] = definition.initial_readiness
            self._stamp(record.body, record.type_name, created=True, written=checked.body)
            return render(self._put(record), self)

    def _prepare_reference_row(self, record: Record) -> None:
        body = record.body
        body["referenceType"] = rules.check_reference_type(body["referenceType"])
        record.id = f"{body['referenceType']}-{body['code']}"
        if record.id.lower() in self._records["referenceDefinitions"]:
            raise rules.conflict(f"referenceDefinitions('{record.id}') already exists")
        body["source"] = TENANT_SOURCE
        rules.check_unique_sort_index(record, self._records["referenceDefinitions"].values())

    def _check_create(self, record: Record) -> None:
        if record.collection == "inboundFlows":
            connector = self.find("dataConnectors", str(record.body.get("dataConnector")))
            rules.check_flow_connector(record.type_name, connector)
            rules.check_one_active_flow_per_year(record, self._rows("inboundFlows"), self.now())
        elif record.collection == "provisioningFlows" and record.parent is not None:
            siblings = self._rows("provisioningFlows", record.parent)
            rules.check_one_flow_per_type(record.type_name, siblings, record.parent)

    def patch(
        self, collection: str, entity_id: str, body: JSON, *, parent: str | None = None
    ) -> None:
        """PATCH: each member named replaces the stored one whole; 204 follows."""
        definition = self._collection(collection)
        with self._lock:
            record = self._find(collection, entity_id, parent)
            checked = check_write(
                body,
                declared=definition.entity,
                mode=Mode.PATCH,
                links=self._links,
                current_type=record.type_name,
                own_id=record.id,
            )
            updated = Record(
                collection,
                record.id,
                record.seq,
                record.type_name,
                {**copy.deepcopy(record.body), **checked.body},
                record.parent,
            )
            if collection == "inboundFlows":
                rules.check_one_active_flow_per_year(
                    updated, self._rows("inboundFlows"), self.now()
                )
            elif collection == "referenceDefinitions":
                rules.check_unique_sort_index(updated, self._records[collection].values())
            self._stamp(updated.body, record.type_name, created=False, written=checked.body)
            record.body = updated.body

    def delete(self, collection: str, entity_id: str, *, parent: str | None = None) -> None:
        """DELETE: gone (204), or disabled for reference rows (a soft delete, §5)."""
        with self._lock:
            record = self._find(collection, entity_id, parent)
            if collection == "referenceDefinitions":
                record.body["isDisabled"] = True
                self._stamp(record.body, record.type_name, created=False, written={})
                return
            held = [(child, self._rows(child.name, record.id)) for child in children_of(collection)]
            rules.check_not_referenced(record, self._records, held)
            del self._records[collection][record.id.lower()]

    # -- runs and operations -------------------------------------------------------------------

    def start_run(self) -> str:
        """`runs/start`: a new on-demand run (`running`, then `completed`); 409 over the limit."""
        with self._lock:
            self._settle()
            now = self.now()
            starts = activity.start_times(self._rows("runs"), self._on_demand)
            activity.check_run_limit(starts, now)
            body = activity.new_run(now)
            run = self._put(Record("runs", body["id"], 0, RUN, body))
            self._on_demand.add(run.id)
            self._settles[run.id] = self._clock() + self.provisioning_delay
            return run.id

    def run_statistics(self, run_id: str) -> JSONObject:
        with self._lock:
            run = self._find("runs", run_id)
            return activity.statistics(run, self._statistics.get(run.id))

    def validate_connector(self, connector_id: str, service_root: str) -> str:
        """`dataConnectors/{id}/validate`: a new operation id (the 202's Location)."""
        with self._lock:
            connector = self._find("dataConnectors", connector_id)
            location = f"{service_root}/external/industryData/dataConnectors/{connector.id}"
            operation = self._put(activity.new_operation(connector, location, self.now()))
            self._settles[operation.id] = self._clock() + self.provisioning_delay
            return operation.id

    def reset_flow(self, set_id: str, flow_id: str) -> None:
        """`provisioningFlows/{id}/reset`: accepted; the emulator holds no provisioned data."""
        with self._lock:
            self._find("provisioningFlows", flow_id, set_id)

    # -- test hooks --------------------------------------------------------------------------------

    def seed_run(
        self,
        *,
        status: str = "completed",
        started: datetime | None = None,
        ended: datetime | None = None,
        display_name: str = "Scheduled run",
        errors: int = 0,
        warnings: int = 0,
        on_demand: bool = False,
        blocking_error: JSONObject | None = None,
    ) -> str:
        """Store a past run (its status sticks) and return its id. `on_demand` runs count
        towards the 5-per-12-hours limit of `runs/start`."""
        if status not in activity.RUN_STATUSES:
            raise ValueError(f"unknown run status {status!r}")
        with self._lock:
            now = self.now()
            body = activity.new_run(started or now, display_name=display_name)
            finished = ended or (None if status == "running" else (started or now))
            body.update(
                status=status,
                endDateTime=graph_now(finished) if finished else None,
                blockingError=blocking_error,
            )
            run = self._put(Record("runs", body["id"], 0, RUN, body))
            if on_demand:
                self._on_demand.add(run.id)
            self._statistics[run.id] = {"errors": errors, "warnings": warnings}
            return run.id

    def stored(self, collection: str, entity_id: str) -> JSONObject:
        """The internal copy, secrets included, with `id` and `@odata.type` (for tests)."""
        with self._lock:
            record = self._find(collection, entity_id)
            return {"id": record.id, "@odata.type": record.type_name, **copy.deepcopy(record.body)}

    def ids(self, collection: str, *, parent: str | None = None) -> list[str]:
        with self._lock:
            self._settle()
            return [r.id for r in self._rows(collection, parent)]

    # -- persistence -------------------------------------------------------------------------------

    def _kept(self, record: Record) -> bool:
        if record.collection == "roleGroups":
            return False
        if record.collection == "referenceDefinitions":
            return record.body != self._defaults.get(record.id.lower())
        return True

    def snapshot(self) -> JSONObject | None:
        """What the state file keeps (secrets included), or None when the tenant holds only
        what every new tenant holds."""
        with self._lock:
            self._settle()
            kept = [r for name in COLLECTIONS for r in self._rows(name) if self._kept(r)]
            if not kept:
                return None
            objects = [
                persistence.entry(
                    r, on_demand=r.id in self._on_demand, stats=self._statistics.get(r.id)
                )
                for r in sorted(kept, key=lambda r: r.seq)
            ]
            return {"objects": objects}

    def load_snapshot(self, snapshot: JSONObject) -> None:
        """Restore what `snapshot` saved. Work in flight is taken as finished."""
        objects = snapshot.get("objects")
        if not isinstance(objects, list):
            raise ValueError("industryData.objects must be a list")
        with self._lock:
            for item in objects:
                self._load_one(item)

    def _load_one(self, item: JSON) -> None:
        loaded = persistence.parse(item)
        record = loaded.record
        self._records[record.collection].pop(record.id.lower(), None)  # a changed system row
        self._put(record)
        if record.collection == "runs" and record.body.get("status") == "running":
            activity.finish_run(record, self.now())
        if record.collection == "operations" and record.body.get("status") == "running":
            activity.finish_operation(record, self.now())
        if loaded.on_demand:
            self._on_demand.add(record.id)
        if loaded.statistics is not None:
            self._statistics[record.id] = loaded.statistics


def _same(left: str | None, right: str) -> bool:
    return left is not None and left.lower() == right.lower()


def type_named_or(collection: str) -> str:
    """The entity type a collection holds, for "not found" messages."""
    return COLLECTIONS[collection].entity
