"""The plan model: what would change (no I/O, no decisions).

A Change is terraform's `Change{Action, Before, After}`: its `subject` says what exists on
each side, and the type says which sides there are — a create has no tenant object, a delete
no desired one — so code that needs both matches on `Modify` instead of asserting.
One immutable Plan renders every output format *and* drives apply, so a dry-run, a reviewed
plan and the writes cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, StrEnum
from functools import cached_property

from reconciler.engine.compare import fingerprint
from reconciler.engine.diff import FieldDiff
from reconciler.engine.lookalike import Lookalike
from reconciler.engine.targets import TargetMiss
from reconciler.jsontypes import JSONObject
from reconciler.kinds.model import Kind
from reconciler.objects import DesiredObject, RawPath


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    PAUSE = "pause"
    RESUME = "resume"
    NOOP = "noop"


SUMMARY_ORDER = tuple(Action)
#: Suffix of a change key naming only the delete of a replace (the old object is gone).
REMOVED = "#removed"
PAUSED_FIELD = "lifecycle.paused"


@dataclass(frozen=True)
class Create:
    """Nothing in the tenant yet: the desired object is all there is."""

    after: DesiredObject


@dataclass(frozen=True)
class Modify:
    """A tenant object as read, and the desired object it should be (update, replace,
    pause, resume, or nothing to do)."""

    before: JSONObject
    after: DesiredObject


@dataclass(frozen=True)
class Remove:
    """A tenant object git does not declare (a delete with `--prune`)."""

    before: JSONObject


Subject = Create | Modify | Remove


@dataclass(frozen=True)
class Bind:
    """One `{ref: KEY}` of the desired object, as apply sends it (`NAME@odata.bind`): the
    target's tenant id when the plan was made, or None when this run creates it (its new id
    is bound when the request is built)."""

    path: RawPath
    target: Kind
    key: str
    id: str | None = None


class _Later(Enum):
    """`Change.known_fingerprint` when the fingerprint is to be worked out from `before`."""

    LATER = "later"


LATER = _Later.LATER

_SUBJECTS: dict[Action, type[Create] | type[Modify] | type[Remove]] = {
    Action.CREATE: Create,
    Action.DELETE: Remove,
}


@dataclass(frozen=True)
class Change:
    kind: Kind
    name: str
    id: str | None
    action: Action
    subject: Subject
    fields: tuple[FieldDiff, ...] = ()
    #: The tenant object's fingerprint, when the maker of the change already has it (a test,
    #: a record); by default `fingerprint` works it out from `before` when first asked.
    known_fingerprint: str | _Later | None = LATER
    warnings: tuple[str, ...] = ()
    #: Run-state action to carry out after the main one (create/update then pause or resume).
    then: Action | None = None
    #: For a create: tenant objects git does not manage that look like this one (a rename
    #: without `id:`?). Apply refuses such a create unless told otherwise.
    duplicate_of: tuple[Lookalike, ...] = ()
    #: Whether the tenant object was paused when read (None: its run state was not read).
    paused: bool | None = None
    #: The references the desired object's body sends, with their targets' ids.
    binds: tuple[Bind, ...] = ()
    #: For a kind contained in another (`Endpoint.parent`): the object it lives in, whose id
    #: is part of every URL of this change (not sent in the body).
    container: Bind | None = None
    #: Keys (`Change.key`) of the changes that must be done before this one starts (for a
    #: replace: before its create); `KEY#removed` waits only for that replace's delete.
    depends_on: tuple[str, ...] = ()
    #: For a replace: what must be done before its delete (what still refers to it).
    removal_after: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        expected = _SUBJECTS.get(self.action, Modify)
        if not isinstance(self.subject, expected):
            raise TypeError(f"a {self.action.value} change needs a {expected.__name__} subject")

    @property
    def before(self) -> JSONObject | None:
        """The tenant object as read (None for a create)."""
        return None if isinstance(self.subject, Create) else self.subject.before

    @property
    def after(self) -> DesiredObject | None:
        """The desired object (None for a delete)."""
        return None if isinstance(self.subject, Remove) else self.subject.after

    @property
    def writes(self) -> bool:
        return self.action is not Action.NOOP

    @cached_property
    def fingerprint(self) -> str | None:
        """sha256 of the normalised tenant object as read, and of whether it was paused; a
        saved plan is stale when it moves. Worked out when first asked for: a plan that is
        only shown never needs it (hashing every object cost a tenth of a plan's engine)."""
        if not isinstance(self.known_fingerprint, _Later):
            return self.known_fingerprint
        before = self.before
        return None if before is None else fingerprint(self.kind, before, self.paused)

    @cached_property
    def key(self) -> str:
        """Which change this is, within a plan: the kind and the tenant id or, for a create,
        the name (a delete and a create of the same name are different changes)."""
        return f"{self.kind.name}:{self.id or 'new:' + self.name}"

    @property
    def label(self) -> str:
        """The change as named in messages: `widgetGroup 'Blue'`."""
        return f"{self.kind.name} '{self.name}'"

    @property
    def needs_delegated(self) -> bool:
        """Whether only a delegated sign-in may make this change (the kind's permissions say
        which actions an app identity may take: pause and resume, for profiles)."""
        return self.writes and not self.kind.permissions.app_only_may(self.action.value)


@dataclass(frozen=True)
class Unmanaged:
    kind: Kind
    name: str
    id: str
    #: Names of planned creates that look like this object.
    resembles: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanError:
    """A profile the plan cannot decide on; the plan fails (exit 1) but still shows the rest."""

    name: str
    message: str


@dataclass(frozen=True)
class PlanOptions:
    prune: bool = False
    targets: tuple[str, ...] = ()
    ignore_changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    unmanaged: tuple[Unmanaged, ...] = ()
    errors: tuple[PlanError, ...] = ()
    graph_url: str = ""
    desired_path: str = ""
    desired_digest: str = ""
    created_at: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)
    #: How the plan was made, so that `apply --plan` re-plans the same way.
    options: PlanOptions = field(default_factory=PlanOptions)
    #: Every id the tenant held when the plan was made (apply never adopts one as "created").
    tenant_ids: frozenset[str] = frozenset()
    #: `--target` names that match nothing in git or the tenant (a usage error for commands).
    target_misses: tuple[TargetMiss, ...] = ()

    @property
    def pending(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.writes)

    def depends_on(self, change: Change) -> tuple[Change, ...]:
        """The changes `change` waits for (for either half of a replace), in plan order."""
        keys = {k.removesuffix(REMOVED) for k in (*change.depends_on, *change.removal_after)}
        found = (self._positions[k] for k in keys if k in self._positions)
        return tuple(self.changes[i] for i in sorted(found))

    @cached_property
    def _positions(self) -> dict[str, int]:
        # Each change's place by its key, made once: every rendered change asks for what it
        # depends on, and a scan of the whole plan each time grew with the square of its size.
        return {c.key: i for i, c in enumerate(self.changes)}

    @property
    def has_changes(self) -> bool:
        return bool(self.pending)

    def summary(self) -> dict[str, int]:
        counts = {a.value: 0 for a in SUMMARY_ORDER}
        for change in self.changes:
            counts[change.action.value] += 1
            if change.then:  # a pause/resume that follows a create or update
                counts[change.then.value] += 1
        return counts


@dataclass(frozen=True)
class Actual:
    """One object as read from the tenant, with its run state when that was needed."""

    body: JSONObject
    run_status: str | None = None

    @cached_property
    def id(self) -> str:  # asked for by every index and matcher the object passes through
        return str(self.body.get("id", ""))
