"""A thread-safe in-memory SDS tenant: the state logic of the emulator, with no HTTP in it.

Asynchrony (graph-sds-api.md §3.7) is modelled lazily: a create or update puts a profile in
`provisioning` and records when it settles; every call first settles what is due according to an
injectable clock, so tests can step time instead of sleeping.

Listing costs the same per page whatever the tenant's size, so a benchmark of the client measures
the client: profiles are kept in creation order (a page starts with a binary search for its skip
token), only profiles in flight are visited to settle them, and each profile's rendered JSON is
kept until its body or state changes.
"""

from __future__ import annotations

import bisect
import copy
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from reconciler.emulator.catalog import PROFILE_STATES, SYNC_STATUSES
from reconciler.emulator.defaults import fill_profile_defaults
from reconciler.emulator.graph_errors import GraphFault, bad_request, conflict, not_found
from reconciler.emulator.render import Spelling, render_profile
from reconciler.emulator.validation import Mode, validate_profile, validate_profile_status
from reconciler.jsontypes import JSON, JSONObject

PROVISIONING = "provisioning"
PROVISIONED = "provisioned"
DELETING = "deleting"
_IN_FLIGHT = (PROVISIONING, DELETING)
_CSV = "#microsoft.graph.educationCsvDataProvider"
_STATUS_MEMBERS = ("status", "lastSynchronizationDateTime", "lastActivityDateTime", "statusMessage")


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class _Record:
    id: str
    seq: int
    #: Validated, defaults filled, secrets included; no id/state. Replaced whole on every
    #: write, never changed in place: `listed` relies on it.
    body: JSONObject
    state: str
    #: Clock value at which an in-flight state completes; None = the state stays as it is.
    settles_at: float | None
    status: JSONObject
    errors: list[tuple[int, JSONObject]] = field(default_factory=list)
    #: (body, state, JSON text) of the last list rendering; stale once either has changed.
    listed: tuple[JSONObject, str, str] | None = None


class Page(NamedTuple):
    items: list[Any]
    #: Sequence number to continue after, or None on the last page.
    next_after: int | None
    #: Items matching the query over all pages (`@odata.count`).
    total: int


def _status(status: str | None, message: str) -> JSONObject:
    return {
        "status": status,
        "lastSynchronizationDateTime": None,
        "lastActivityDateTime": utc_now(),
        "statusMessage": message,
    }


def _recorded(error: JSONObject) -> datetime:
    """An error's `recordedDateTime` as an instant (unreadable or missing: the oldest)."""
    text = str(error.get("recordedDateTime") or "")
    head, dot, fraction = text.rstrip("Zz").partition(".")
    try:
        moment = datetime.fromisoformat(head + (dot + fraction[:6] if dot else ""))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _page(rows: list[tuple[int, Any]], *, after: int, limit: int, skip: int) -> Page:
    remaining = [(seq, item) for seq, item in rows if seq > after][skip:]
    chunk = remaining[:limit]
    more = len(remaining) > len(chunk) and bool(chunk)
    return Page([item for _, item in chunk], chunk[-1][0] if more else None, len(rows))


class Tenant:
    """Profiles, their run status and their sync errors, behind one lock."""

    def __init__(
        self,
        *,
        provisioning_delay: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provisioning_delay = provisioning_delay
        self._clock = clock
        self._lock = threading.RLock()
        self._records: dict[str, _Record] = {}
        #: Sequence numbers of the stored profiles, ascending (creation order), and their records.
        self._order: list[int] = []
        self._by_seq: dict[int, _Record] = {}
        #: Ids of profiles whose state settles later (`settles_at` set).
        self._in_flight: set[str] = set()
        self._seq = 0

    # -- internals ---------------------------------------------------------------------------

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _schedule(self, record: _Record) -> None:
        record.settles_at = self._clock() + self.provisioning_delay
        self._in_flight.add(record.id)

    def _remove(self, record: _Record) -> None:
        del self._records[record.id]
        del self._by_seq[record.seq]
        del self._order[bisect.bisect_left(self._order, record.seq)]

    def _settle(self) -> None:
        if not self._in_flight:
            return
        now = self._clock()
        for profile_id in list(self._in_flight):
            record = self._records[profile_id]
            if record.settles_at is not None and now < record.settles_at:
                continue
            self._in_flight.discard(profile_id)
            if record.settles_at is None:
                continue
            record.settles_at = None
            if record.state == DELETING:
                self._remove(record)
            elif record.state == PROVISIONING:
                record.state = PROVISIONED
                if record.status["status"] is None:
                    record.status.update(_status("inProgress", "Synchronizing"))

    def _find(self, profile_id: str) -> _Record:
        self._settle()
        record = self._records.get(profile_id.strip().lower())
        if record is None:
            raise not_found(f"educationSynchronizationProfile '{profile_id}'")
        return record

    def _alive(self, profile_id: str) -> _Record:
        record = self._find(profile_id)
        if record.state == DELETING:
            raise conflict(f"Profile '{profile_id}' is being deleted.")
        return record

    def _view(self, record: _Record, spelling: Spelling) -> JSONObject:
        return render_profile(
            record.body, profile_id=record.id, state=record.state, spelling=spelling
        )

    def _listed(self, record: _Record) -> str:
        """The list rendering as JSON text, rendered again only after a change."""
        cached = record.listed
        if cached is not None and cached[0] is record.body and cached[1] == record.state:
            return cached[2]
        text = json.dumps(self._view(record, Spelling.READ))
        record.listed = (record.body, record.state, text)
        return text

    def _reprovision(self, record: _Record, body: JSONObject) -> None:
        record.body = fill_profile_defaults(body)
        record.state = PROVISIONING
        self._schedule(record)

    def _store(self, profile_id: str, body: JSONObject, state: str, status: JSONObject) -> _Record:
        record = _Record(
            id=profile_id,
            seq=self._next_seq(),
            body=fill_profile_defaults(body),
            state=state,
            settles_at=None,
            status=status,
        )
        self._records[profile_id] = record
        self._by_seq[record.seq] = record
        self._order.append(record.seq)  # sequence numbers only grow: the order stays sorted
        return record

    def _select(self, *, after: int, limit: int, skip: int, display_name: str | None) -> Page:
        """A page of records (not yet rendered), in creation order after sequence `after`."""
        if display_name is not None:  # a lookup by name visits every profile, as it must
            rows = [
                (seq, seq)
                for seq in self._order
                if self._by_seq[seq].body.get("displayName") == display_name
            ]
            page = _page(rows, after=after, limit=limit, skip=skip)
        else:
            begin = bisect.bisect_right(self._order, after) + skip
            seqs = self._order[begin : begin + limit]
            more = begin + len(seqs) < len(self._order) and bool(seqs)
            page = Page(seqs, seqs[-1] if more else None, len(self._order))
        return page._replace(items=[self._by_seq[seq] for seq in page.items])

    # -- profile collection and items ----------------------------------------------------------

    def create(self, body: JSON) -> JSONObject:
        """POST: the new profile in the create response's spelling, `state: provisioning`."""
        checked = validate_profile(body, Mode.CREATE)
        with self._lock:
            record = self._store(
                str(uuid.uuid4()), checked, PROVISIONING, _status(None, "Provisioning")
            )
            self._schedule(record)
            return self._view(record, Spelling.CREATE)

    def get(self, profile_id: str) -> JSONObject:
        with self._lock:
            return self._view(self._find(profile_id), Spelling.READ)

    def list_page(
        self, *, after: int = 0, limit: int = 20, skip: int = 0, display_name: str | None = None
    ) -> Page:
        """Profiles in creation order after sequence number `after`, at most `limit` of them."""
        with self._lock:
            self._settle()
            page = self._select(after=after, limit=limit, skip=skip, display_name=display_name)
            return page._replace(items=[self._view(r, Spelling.READ) for r in page.items])

    def list_page_json(
        self, *, after: int = 0, limit: int = 20, skip: int = 0, display_name: str | None = None
    ) -> Page:
        """`list_page` with each item as JSON text, rendered once per change of the profile:
        what the server sends, at a cost per page that does not grow with the tenant."""
        with self._lock:
            self._settle()
            page = self._select(after=after, limit=limit, skip=skip, display_name=display_name)
            return page._replace(items=[self._listed(r) for r in page.items])

    def replace(self, profile_id: str, body: JSON) -> JSONObject:
        """PUT: the whole object is replaced; server defaults are filled again."""
        with self._lock:
            record = self._alive(profile_id)
            checked = validate_profile(body, Mode.REPLACE, allowed_id=record.id)
            self._reprovision(record, checked)
            return self._view(record, Spelling.READ)

    def replace_by_body(self, body: JSON) -> JSONObject:
        """The documented id-less `PUT /education/synchronizationProfiles` (§1.4)."""
        profile_id = body.get("id") if isinstance(body, dict) else None
        if not isinstance(profile_id, str) or not profile_id.strip():
            raise bad_request(
                "id: required in the body of PUT /education/synchronizationProfiles "
                "(or use PUT /education/synchronizationProfiles/{id})"
            )
        return self.replace(profile_id, body)

    def patch(self, profile_id: str, body: JSON) -> JSONObject:
        """PATCH: each top-level property named in the body replaces the stored one whole."""
        with self._lock:
            record = self._alive(profile_id)
            checked = validate_profile(body, Mode.PATCH, allowed_id=record.id)
            merged = {**copy.deepcopy(record.body), **checked}
            self._reprovision(record, merged)
            return self._view(record, Spelling.READ)

    def delete(self, profile_id: str) -> None:
        """DELETE: `state: deleting` now, gone once the delay has passed (§1.5)."""
        with self._lock:
            record = self._find(profile_id)
            if record.state != DELETING:
                record.state = DELETING
                self._schedule(record)

    # -- run-state actions ---------------------------------------------------------------------

    def _set_run_status(self, profile_id: str, status: str, message: str) -> _Record:
        record = self._alive(profile_id)
        record.status.update(status=status, statusMessage=message, lastActivityDateTime=utc_now())
        return record

    def pause(self, profile_id: str) -> None:
        with self._lock:
            self._set_run_status(profile_id, "paused", "Paused by an administrator")

    def resume(self, profile_id: str) -> None:
        with self._lock:
            self._set_run_status(profile_id, "inProgress", "Synchronizing")

    def reset(self, profile_id: str) -> None:
        """Restart from scratch and delete the accumulated errors (§1.6)."""
        with self._lock:
            record = self._set_run_status(profile_id, "inProgress", "Synchronizing")
            record.errors.clear()
            record.status["lastSynchronizationDateTime"] = None

    def _csv_provisioned(self, profile_id: str, action: str) -> _Record:
        record = self._alive(profile_id)
        if record.body["dataProvider"].get("@odata.type") != _CSV:
            raise bad_request(
                f"{action} is only available for CSV (educationCsvDataProvider) profiles."
            )
        if record.state != PROVISIONED:
            raise conflict(f"{action}: the profile is '{record.state}', not 'provisioned'.")
        return record

    def start(self, profile_id: str) -> list[JSONObject]:
        """CSV only, once provisioned (§1.7); the emulator holds no files, so no messages."""
        with self._lock:
            self._csv_provisioned(profile_id, "start")
            self._set_run_status(profile_id, "inProgress", "Synchronizing")
            return []

    def upload_url(self, profile_id: str) -> str:
        """A SAS-shaped URL for the six CSVs (§1.8); nothing listens there."""
        with self._lock:
            record = self._csv_provisioned(profile_id, "uploadUrl")
            return (
                f"https://sdsemulator.blob.core.windows.net/{record.id}"
                "?sv=2020-08-04&sr=c&sp=w&sig=emulated"
            )

    # -- profileStatus and errors --------------------------------------------------------------

    def _status_view(self, record: _Record) -> JSONObject:
        status = record.status
        return {
            "id": record.id,
            "status": status["status"],
            "lastSynchronizationDateTime": status["lastSynchronizationDateTime"],
            "lastActivityDateTime": status["lastActivityDateTime"],
            "errorCount": len(record.errors),
            "statusMessage": status["statusMessage"],
        }

    def profile_status(self, profile_id: str) -> JSONObject:
        with self._lock:
            return self._status_view(self._find(profile_id))

    def create_profile_status(self, profile_id: str, body: JSON) -> JSONObject:
        """POST …/profileStatus (seed 000): the status object is created anew from the body."""
        with self._lock:
            record = self._alive(profile_id)
            checked = validate_profile_status(body, profile_id=record.id, require_status=True)
            record.status = {name: checked.get(name) for name in _STATUS_MEMBERS}
            return self._status_view(record)

    def update_profile_status(self, profile_id: str, body: JSON) -> JSONObject:
        """PATCH …/profileStatus (seed 003): the members named are replaced."""
        with self._lock:
            record = self._alive(profile_id)
            checked = validate_profile_status(body, profile_id=record.id, require_status=False)
            record.status.update(checked)
            return self._status_view(record)

    def errors_page(
        self,
        profile_id: str,
        *,
        after: int = 0,
        limit: int = 20,
        skip: int = 0,
        newest_first: bool | None = None,
    ) -> Page:
        """A page of sync errors in recording order, or ordered by `recordedDateTime`; the
        skip token then counts positions in that order."""
        with self._lock:
            rows = [(seq, dict(err)) for seq, err in self._find(profile_id).errors]
        if newest_first is not None:
            ordered = sorted(rows, key=lambda r: (_recorded(r[1]), r[0]), reverse=newest_first)
            rows = [(rank, err) for rank, (_seq, err) in enumerate(ordered, 1)]
        return _page(rows, after=after, limit=limit, skip=skip)

    # -- test and persistence hooks --------------------------------------------------------------

    def seed_profile(
        self, raw: JSONObject, *, state: str = PROVISIONED, status: str | None = "inProgress"
    ) -> str:
        """Store a profile as if created earlier (same validation and defaults) and return its
        id. `raw` may pin an `id`. The given state sticks: nothing settles it later."""
        if state not in PROFILE_STATES or (status is not None and status not in SYNC_STATUSES):
            raise ValueError(f"unknown state {state!r} or status {status!r}")
        pinned = raw.get("id")
        profile_id = str(pinned).lower() if pinned else str(uuid.uuid4())
        try:
            checked = validate_profile(raw, Mode.CREATE, allowed_id=profile_id)
        except GraphFault as fault:
            raise ValueError(fault.message) from fault
        with self._lock:
            self._settle()
            if profile_id in self._records:
                raise ValueError(f"a profile with id {profile_id} already exists")
            message = "Synchronizing" if status == "inProgress" else str(status)
            self._store(profile_id, checked, state, _status(status, message))
            return profile_id

    def add_error(self, profile_id: str, error: JSONObject | None = None) -> str:
        """Record a sync error (what `/errors` pages through); returns its id."""
        with self._lock:
            record = self._find(profile_id)
            entry: JSONObject = {
                "id": str(uuid.uuid4()),
                "entryType": "Student",
                "errorCode": "UnsynchronizableChange",
                "errorMessage": "The entry could not be synchronized.",
                "joiningValue": f"user{len(record.errors) + 1}@example.edu",
                "recordedDateTime": utc_now(),
                "reportableIdentifier": f"S{len(record.errors) + 1}",
                **(error or {}),
            }
            record.errors.append((self._next_seq(), entry))
            return str(entry["id"])

    def stored(self, profile_id: str) -> JSONObject:
        """The internal copy, secrets included, with `id` and `state` (for tests)."""
        with self._lock:
            record = self._find(profile_id)
            return {"id": record.id, "state": record.state, **copy.deepcopy(record.body)}

    def ids(self) -> list[str]:
        with self._lock:
            self._settle()
            return [self._by_seq[seq].id for seq in self._order]

    def snapshot(self) -> list[JSONObject]:
        """Every profile as stored (secrets included), for the state file."""
        with self._lock:
            self._settle()
            return [
                {
                    "id": r.id,
                    "state": r.state,
                    **copy.deepcopy(r.body),
                    "profileStatus": dict(r.status),
                    "errors": [dict(e) for _, e in r.errors],
                }
                for r in (self._by_seq[seq] for seq in self._order)
            ]

    def load_snapshot(self, items: Iterable[JSONObject]) -> None:
        """Restore profiles saved by `snapshot`. Work in flight when the file was written is
        taken as finished: provisioning became provisioned, deleting profiles are gone."""
        for item in items:
            raw = {k: v for k, v in item.items() if k not in ("state", "profileStatus", "errors")}
            state = str(item.get("state") or PROVISIONED)
            if state == DELETING:
                continue
            status = item.get("profileStatus") or {}
            profile_id = self.seed_profile(
                raw,
                state=PROVISIONED if state == PROVISIONING else state,
                status=status.get("status"),
            )
            with self._lock:
                record = self._records[profile_id]
                record.status.update({k: status[k] for k in _STATUS_MEMBERS if k in status})
            for error in item.get("errors") or []:
                self.add_error(profile_id, error)
