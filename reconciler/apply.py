"""Carrying out a plan: preflight every request, then run the changes as a dependency graph
with bounded concurrency.

Nothing is written until every request of every change has been built (so a missing secret
stops the run before the first write); a change whose body binds an object created in the same
run is built with a placeholder there, and built again when it runs, with the new id. A change
starts when everything it depends on is done; one whose parent failed is not attempted. A
write whose outcome is unknown (timeout, dropped connection) is never repeated blindly: the
tenant is re-read and the write is sent again only if it evidently did not happen — so a
profile is never created twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NoReturn

from reconciler import urls
from reconciler.engine.compare import compare
from reconciler.engine.lookalike import Lookalike, second_object_advice
from reconciler.engine.model import REMOVED, Action, Bind, Change, Modify, Plan
from reconciler.errors import GraphError, ReconcileError, WriteOutcomeUnknown
from reconciler.graph import GraphClient, GraphResponse
from reconciler.identity import Identity, Permission
from reconciler.kinds.model import Permissions
from reconciler.names import quoted
from reconciler.operations import (
    BodyBuilder,
    IdOf,
    PreflightError,
    Purpose,
    Request,
    delete_request,
    owner_of,
    placeholder_id,
    run_state_request,
)
from reconciler.tenant import read_run_status

log = logging.getLogger("reconciler.apply")

NEW_ID = "{new-id}"


def old_gone(change: Change) -> str:
    """What a replace has done once its delete is confirmed (a step of its report)."""
    return f"the old {change.kind.noun} is gone"


class Status(StrEnum):
    DONE = "done"
    #: Every write succeeded, but waiting for the server to finish (provisioning, removing)
    #: ended first: timed out, interrupted, or its state could not be read. The tenant did
    #: what was asked, so this alone does not fail the run.
    UNSETTLED = "done, not settled"
    FAILED = "failed"
    UNKNOWN = "outcome unknown"
    NOT_ATTEMPTED = "not attempted"

    @property
    def is_failure(self) -> bool:
        return self in {Status.FAILED, Status.UNKNOWN, Status.NOT_ATTEMPTED}


#: How many poll reads in a row may fail (each after the client's own retries) before apply
#: stops waiting: a throttled read is no news, not a failed change.
POLL_READ_FAILURES = 3

PAST_TENSE = {
    Action.CREATE: "created",
    Action.UPDATE: "updated",
    Action.REPLACE: "replaced",
    Action.DELETE: "deleted",
    Action.PAUSE: "paused",
    Action.RESUME: "resumed",
}


class NotSettled(ReconcileError):
    """The writes were made; waiting for the server to finish with them ended first."""


class Part(StrEnum):
    """What of a step one run of it carries out: all of it, or one half of a replace."""

    ALL = "all"
    REMOVE = "remove"
    CREATE = "create"


@dataclass(frozen=True)
class Gate:
    """A step that must be done first (its position in the step list), or only its delete
    when `removed` (the old object of a replace is gone)."""

    step: int
    removed: bool = False


class OutcomeUnknown(ReconcileError):
    """A write got no answer and apply could not find out whether it was carried out."""


@dataclass(frozen=True)
class Step:
    """The requests of one change, sent in order, once the steps it depends on are done."""

    change: Change
    #: As built by preflight (a bind to an object not created yet holds a placeholder).
    requests: tuple[Request, ...]
    #: What must be done before the step (a replace: before its create).
    depends_on: tuple[Gate, ...] = ()
    #: What must be done before a replace's delete (what still refers to the old object).
    removal_after: tuple[Gate, ...] = ()
    #: Builds the requests again when the step runs, with the ids known by then (None: the
    #: preflight requests are final: the change binds nothing).
    build: Callable[[IdOf], tuple[Request, ...]] | None = field(default=None, compare=False)


@dataclass
class Outcome:
    change: Change
    status: Status = Status.NOT_ATTEMPTED
    detail: str = ""
    object_id: str | None = None
    sent: list[Request] = field(default_factory=list)
    #: What was carried out so far, for a failure report that says how far a change got.
    done: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ApplyOptions:
    allow_replace: bool = False
    #: Create a profile even though an unmanaged tenant profile looks like it (not a rename).
    allow_duplicate_source: bool = False
    wait: bool = True
    wait_timeout: float = 600.0
    parallelism: int = 4
    dry_run: bool = False
    #: After a write with no answer, how long to keep re-reading before deciding it did not
    #: happen (the server may still be working on it).
    recovery_window: float = 8.0


def preflight(
    plan: Plan, builder: BodyBuilder, identity: Identity, options: ApplyOptions
) -> list[Step]:
    """Every request, built before anything is sent; raises PreflightError naming each refusal."""
    refusals: list[str] = [e.message for e in plan.errors]
    if identity.permission is Permission.APP_ONLY:
        refusals += [
            f"{c.action.value} '{c.name}' needs delegated sign-in "
            f"({c.kind.permissions.delegated_names}); the current identity is app-only. Sign in "
            "with `edusync-reconcile login` (or use --target to select only "
            f"{_app_only_words(c.kind.permissions)} changes)"
            for c in plan.pending
            if c.needs_delegated
        ]
    for change in plan.pending:
        if change.duplicate_of and not options.allow_duplicate_source:
            refusals += [duplicate_refusal(change, look) for look in change.duplicate_of]
        if change.action is Action.REPLACE and isinstance(change.subject, Modify):
            desired = change.subject.after
            if desired.lifecycle.protect:
                refusals.append(
                    f"'{change.name}' must be replaced but has lifecycle.protect: true; "
                    "replace it by hand or remove protect"
                )
            elif desired.pinned_id:
                refusals.append(
                    f"'{change.name}' must be replaced but is pinned by `id:` in "
                    f"{desired.file}; the new {change.kind.noun} gets a new id, which would leave "
                    "the pin dangling. Remove `id:` there and plan again"
                )
            elif not options.allow_replace:
                refusals.append(
                    f"'{change.name}' must be replaced (deleted and created anew); "
                    "re-run with --allow-replace if that is intended"
                )
    if refusals:
        raise PreflightError("apply refused, nothing was written:\n  - " + "\n  - ".join(refusals))
    steps: list[Step] = []
    problems: list[str] = []
    position = {c.key: i for i, c in enumerate(plan.pending)}
    for change in plan.pending:
        try:
            requests = tuple(_requests(change, builder, placeholder_id))
        except PreflightError as exc:
            problems.append(str(exc))
            continue
        rebuild = None
        if change.binds or change.container is not None:  # ids may be created in this run

            def rebuild(id_of: IdOf, change: Change = change) -> tuple[Request, ...]:
                return tuple(_requests(change, builder, id_of))

        steps.append(
            Step(
                change,
                requests,
                _gates(change.depends_on, position),
                _gates(change.removal_after, position),
                rebuild,
            )
        )
    if problems:
        raise PreflightError("apply refused, nothing was written:\n  - " + "\n  - ".join(problems))
    return steps


def _gates(keys: tuple[str, ...], position: dict[str, int]) -> tuple[Gate, ...]:
    gates = []
    for key in keys:
        whole = key.removesuffix(REMOVED)
        if whole in position:
            gates.append(Gate(position[whole], removed=key != whole))
    return tuple(gates)


def _app_only_words(permissions: Permissions) -> str:
    """`pause/resume`: the changes an app identity may make, for the refusal's hint."""
    return "/".join(permissions.app_only_actions) or "the"


def duplicate_refusal(change: Change, look: Lookalike) -> str:
    where = change.after.file if change.after else "its file"
    noun = change.kind.noun
    if look.declared_at:  # another desired object reads the same source
        return (
            f"creating {quoted(change.name)} would make a second {noun} on one source: it "
            f"{look.reason}. If {where} is a copy, delete it; to have both on purpose, "
            "re-run with --allow-duplicate-source"
        )
    old = quoted(look.name)
    advice = second_object_advice(
        change.kind, old, look.id, where, flag="re-run with --allow-duplicate-source"
    )
    return (
        f"creating {quoted(change.name)} would make a second {noun}: the tenant {noun} "
        f"{old} ({look.id}) {look.reason}. {advice}"
    )


def _requests(change: Change, builder: BodyBuilder, id_of: IdOf) -> list[Request]:
    kind = change.kind
    object_id = change.id or NEW_ID
    requests: list[Request]
    if change.action is Action.CREATE:
        requests = [builder.create(change, id_of)]
    elif change.action is Action.UPDATE:
        requests = [builder.update(change, id_of)]
    elif change.action is Action.REPLACE:
        requests = [
            delete_request(kind, object_id, owner_of(change, id_of, current=True)),
            builder.create(change, id_of),
        ]
        object_id = NEW_ID
    elif change.action is Action.DELETE:
        requests = [delete_request(kind, object_id, owner_of(change, id_of, current=True))]
    else:
        requests = [run_state_request(kind, object_id, change.action)]
    if change.then:
        requests.append(run_state_request(kind, object_id, change.then))
    return requests


Writer = Callable[[Request], GraphResponse]


class Executor:
    def __init__(
        self,
        client: GraphClient,
        options: ApplyOptions,
        *,
        known_ids: frozenset[str] = frozenset(),
        progress: Callable[[str], None] = lambda _m: None,
        on_finished: Callable[[Outcome], None] = lambda _o: None,
        sleep: Callable[[float], None] = time.sleep,
        ignore_changes: tuple[str, ...] = (),
    ) -> None:
        #: edusync.yaml's ignoreChanges, so that recovery judges "done" as the plan did.
        self.ignore_changes = ignore_changes
        self.client = client
        self.options = options
        #: Ids the tenant held when the plan was made: never taken for a profile we created.
        self.known_ids = frozenset(i.lower() for i in known_ids)
        self.progress = progress
        #: Called (serially) as each change finishes: drives a progress bar.
        self.on_finished = on_finished
        self.sleep = sleep
        self._stop = threading.Event()
        #: Ids of objects created in this run, by (kind name, folded natural key): what the
        #: bodies of their dependants bind.
        self._new_ids: dict[tuple[str, str], str] = {}
        self._ids_lock = threading.Lock()

    def id_of(self, bind: Bind) -> str:
        """The id a bind sends: created in this run, else the tenant's when planned."""
        key = (bind.target.name, bind.target.key.fold(bind.key))
        with self._ids_lock:
            created = self._new_ids.get(key)
        if created:
            return created
        if bind.id:
            return bind.id
        if self.options.dry_run:
            return placeholder_id(bind)
        raise ReconcileError(
            f"the id of {bind.target.name} '{bind.key}' is not known (it was to be created "
            "in this run); run plan again"
        )

    def run(self, steps: list[Step]) -> list[Outcome]:
        """Run every step once the steps it depends on are done, up to `parallelism` at once;
        on Ctrl-C finish the ones under way, skip the rest, still report."""
        outcomes = [Outcome(step.change) for step in steps]
        lock = threading.Lock()

        def run_one(step: Step, outcome: Outcome, part: Part) -> None:
            if self._stop.is_set():
                return
            self._run_step(step, outcome, part)
            if part is not Part.REMOVE or outcome.status.is_failure:
                with lock:
                    self.on_finished(outcome)

        pool = ThreadPoolExecutor(max_workers=self.options.parallelism)
        # A replace others wait on by halves runs its delete and its create as two parts.
        split = {g.step for s in steps for g in (*s.depends_on, *s.removal_after) if g.removed}
        split |= {i for i, s in enumerate(steps) if s.removal_after}
        waiting = {i: (Part.REMOVE if i in split else Part.ALL) for i in range(len(steps))}
        progress = _Progress()
        running: dict[Future[None], tuple[int, Part]] = {}

        def gates(i: int) -> tuple[Gate, ...]:
            step = steps[i]
            return step.removal_after if waiting[i] is Part.REMOVE else step.depends_on

        try:
            while waiting or running:
                for i in sorted(waiting):
                    needed = gates(i)
                    if not all(progress.passed(g) for g in needed):
                        continue
                    part = waiting.pop(i)
                    blocked = next((g for g in needed if g.step not in progress.succeeded), None)
                    if blocked is not None:
                        progress.finished.add(i)
                        progress.removed.add(i)
                        self._blocked(outcomes[i], outcomes[blocked.step])
                        with lock:
                            self.on_finished(outcomes[i])
                    elif not self._stop.is_set():
                        running[pool.submit(run_one, steps[i], outcomes[i], part)] = (i, part)
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    i, part = running.pop(future)
                    future.result()
                    if progress.record(i, part, outcomes[i]):
                        waiting[i] = Part.CREATE
        except KeyboardInterrupt:
            self._interrupted(pool, outcomes)
        pool.shutdown(wait=True)
        return outcomes

    def _interrupted(self, pool: ThreadPoolExecutor, outcomes: list[Outcome]) -> NoReturn:
        self._stop.set()
        self.progress("interrupted: finishing the writes under way, starting no more")
        try:
            pool.shutdown(wait=True, cancel_futures=True)
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)  # asked twice: report now
        for outcome in outcomes:
            if outcome.status is Status.NOT_ATTEMPTED and outcome.sent:
                outcome.status = Status.UNKNOWN
                outcome.detail = "interrupted while under way; run plan to see what happened"
        raise ApplyInterrupted(outcomes) from None

    @staticmethod
    def _blocked(outcome: Outcome, parent: Outcome) -> None:
        """A change whose parent did not succeed is never sent (it would bind to nothing)."""
        outcome.status = Status.NOT_ATTEMPTED
        happened = "was not attempted" if parent.status is Status.NOT_ATTEMPTED else "failed"
        outcome.detail = f"depends on {parent.change.label}, which {happened}"

    def _run_step(self, step: Step, outcome: Outcome, part: Part = Part.ALL) -> None:
        change = step.change
        if part is not Part.CREATE:
            outcome.object_id = change.id
        try:
            # A replace's delete (its first request) binds nothing; the rest is built now.
            requests = step.requests
            if part is not Part.REMOVE and step.build is not None:
                requests = step.build(self.id_of)
            if part is not Part.ALL:
                requests = requests[:1] if part is Part.REMOVE else requests[1:]
            for planned in requests:
                request = _with_id(planned, outcome.object_id)
                outcome.sent.append(request)
                if self.options.dry_run:
                    continue
                if NEW_ID in request.path:
                    raise ReconcileError(
                        f"the {change.kind.noun} was created but Graph did not say its id, so "
                        f"{request.method} {request.path} cannot be sent; run plan again"
                    )
                self._send(change, request, outcome)
                if request.purpose is Purpose.DELETE and change.action is Action.REPLACE:
                    self._wait_gone(change, request.path)  # the new one must not meet the old
                    outcome.done.append(old_gone(change))
            if part is Part.REMOVE:
                return  # the create follows once what it binds to is there
            outcome.status = Status.DONE
            self._record_created(change, outcome)
            if self.options.wait and not self.options.dry_run:
                self._wait_settled(change, outcome)
        except OutcomeUnknown as exc:
            self._failed(outcome, f"{change.name}: {exc}")
            outcome.status = Status.UNKNOWN
        except NotSettled as exc:
            if outcome.status is Status.DONE:  # the final wait: every write was made
                outcome.status = Status.UNSETTLED
                outcome.detail = str(exc)
            else:  # a wait between two writes (a replace's delete): the change did not finish
                self._failed(outcome, f"{change.name}: {exc}")
        except GraphError as exc:
            # Only a definite refusal of the create proves the replacement does not exist.
            definite = exc.status is not None and not isinstance(exc, WriteOutcomeUnknown)
            self._failed(outcome, str(exc.with_subject(change.name)), create_refused=definite)
        except ReconcileError as exc:
            self._failed(outcome, f"{change.name}: {exc}")
        except Exception as exc:  # a bug must not cost the report of everything else
            log.debug("internal error in %s", change.name, exc_info=True)
            self._failed(outcome, f"{change.name}: internal error: {type(exc).__name__}: {exc}")

    def _record_created(self, change: Change, outcome: Outcome) -> None:
        after = change.after
        if self.options.dry_run or after is None or not outcome.object_id:
            return
        if change.action in {Action.CREATE, Action.REPLACE}:
            with self._ids_lock:
                self._new_ids[(change.kind.name, change.kind.key.fold(after.name))] = (
                    outcome.object_id
                )

    @staticmethod
    def _failed(outcome: Outcome, error: str, *, create_refused: bool = False) -> None:
        outcome.status = Status.FAILED
        if not outcome.done:
            outcome.detail = error
            return
        detail = f"carried out: {'; '.join(outcome.done)} — then failed: {error}"
        noun = outcome.change.kind.noun
        gone = old_gone(outcome.change) in outcome.done and len(outcome.done) == 2
        if outcome.change.action is Action.REPLACE and gone and create_refused:
            detail += (
                f" — the old {noun} was deleted and the new one was NOT created: the {noun} "
                "is now absent from the tenant; fix the cause and run apply again"
            )
        outcome.detail = detail

    # -- writes with unknown-outcome recovery --------------------------------------------------
    def _send(self, change: Change, request: Request, outcome: Outcome) -> None:
        what = f"{request.method} {request.path}"
        try:
            response = self.client.write(request.method, request.path, request.body)
        except WriteOutcomeUnknown as exc:
            log.warning(
                "%s: %s got no answer (%s); re-reading the tenant before deciding",
                change.name,
                what,
                exc.code,
            )
            try:
                took_effect = self._took_effect(change, request, outcome)
            except GraphError as read_error:
                raise OutcomeUnknown(
                    f"{what}: outcome unknown ({exc.code}, client-request-id "
                    f"{exc.client_request_id}); re-reading the tenant failed too: {read_error}. "
                    "Run plan again to see what happened"
                ) from None
            if took_effect:
                log.warning("%s: the write had been carried out; not repeating it", change.name)
                outcome.done.append(f"{what} (answer lost; found carried out)")
                return
            log.warning("%s: the write had not been carried out; sending it again", change.name)
            try:
                response = self.client.write(request.method, request.path, request.body)
            except WriteOutcomeUnknown as again:
                # Lost again: before or after the server acted, nobody can tell from here.
                raise OutcomeUnknown(
                    f"{what}: sent twice, no answer either time ({again.code}, client-request-id "
                    f"{again.client_request_id}); it may or may not have been carried out. "
                    "Run plan again to see what happened"
                ) from None
        outcome.done.append(f"{what} → {response.status}")
        if request.purpose is Purpose.CREATE:
            outcome.object_id = self._created_id(change, response)
        elif request.purpose is Purpose.UPDATE and change.kind.writes.reread:
            self._reread(change, request, response)

    def _reread(self, change: Change, request: Request, response: GraphResponse) -> None:
        """A kind that answers a write with 204 and no body: read the object back, so that a
        write Graph acknowledged but did not keep is not reported done."""
        if response.status != 204 and response.body:
            return
        if self.client.get(request.path) is None:
            raise ReconcileError(
                f"{request.method} {request.path} was answered {response.status}, but the "
                f"{change.kind.noun} is no longer there; run plan to see where it stands"
            )

    def _created_id(self, change: Change, response: GraphResponse) -> str | None:
        if isinstance(response.body, dict) and response.body.get("id"):
            return str(response.body["id"])
        if response.location:  # …/synchronizationProfiles/{id} or …('{id}')
            return urls.id_from_location(response.location)
        found = self._new_objects_named(change)  # a 202 may carry no body at all
        return found[0] if len(found) == 1 else None

    def _new_objects_named(self, change: Change) -> list[str]:
        kind = change.kind
        name = change.after.name if change.after else change.name
        wanted = kind.key.fold(name)
        return [
            str(o["id"])
            for o in self.client.list(urls.list_path(kind, owner_of(change, self.id_of)))
            if kind.key.fold(kind.key_of(o)) == wanted
            and str(o.get("id", "")).lower() not in self.known_ids
            and not kind.is_leaving(o)
        ]

    def _took_effect(self, change: Change, request: Request, outcome: Outcome) -> bool:
        kind = change.kind
        if request.purpose is Purpose.CREATE:
            # The server may still be working on it: look a few times before deciding it did
            # not happen, since a second POST would make a duplicate.
            deadline = time.monotonic() + self.options.recovery_window
            delay = 0.5
            while True:
                found = self._new_objects_named(change)
                if found:
                    outcome.object_id = found[0]
                    return True
                if time.monotonic() + delay > deadline:
                    return False
                self.sleep(delay)
                delay = min(delay * 2, 4.0)
        if request.purpose is Purpose.DELETE:
            current = self.client.get(request.path)
            return current is None or kind.is_leaving(current)
        if request.purpose is Purpose.UPDATE and change.after is not None:
            current = self.client.get(request.path)
            return current is not None and not compare(change.after, current, self.ignore_changes)
        if request.purpose in {Purpose.PAUSE, Purpose.RESUME} and outcome.object_id:
            status = read_run_status(self.client, kind, outcome.object_id)
            paused = kind.run_state is not None and kind.run_state.is_paused(status)
            return paused == (request.purpose is Purpose.PAUSE)
        return False

    # -- waiting -------------------------------------------------------------------------------
    def _poll(
        self, path: str, done: Callable[[dict[str, object] | None], bool], until: str
    ) -> None:
        """Read `path` until `done` says so. Reads retry like every read (the client's policy);
        a read that still fails is no news, and only several in a row end the wait."""
        deadline = time.monotonic() + self.options.wait_timeout
        delay = 0.25
        failures = 0
        while True:
            try:
                current = self.client.get(path)
            except GraphError as exc:
                failures += 1
                if failures >= POLL_READ_FAILURES:
                    raise NotSettled(
                        f"could not read its state to see it {until} ({failures} reads in a "
                        f"row failed, the last: {exc})"
                    ) from None
            else:
                failures = 0
                if done(current):
                    return
            if self._stop.is_set():
                raise NotSettled(f"stopped waiting for it to be {until} (interrupted)")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise NotSettled(
                    f"still not {until} after {self.options.wait_timeout:g}s of waiting"
                )
            self.sleep(min(delay, remaining))
            delay = min(delay * 2, 5.0)

    def _wait_gone(self, change: Change, path: str) -> None:
        kind = change.kind

        states = kind.states

        def gone(current: dict[str, object] | None) -> bool:
            state = states.of(current) if states is not None and current is not None else None
            if states is not None and state in states.failed:
                raise ReconcileError(f"deleting failed: state {state}")
            return current is None or (
                kind.soft_delete is not None and kind.soft_delete.marks(current)
            )

        self._poll(path, gone, "deleted")

    def _wait_settled(self, change: Change, outcome: Outcome) -> None:
        kind = change.kind
        if not outcome.object_id:
            return
        path = urls.item_path(kind, outcome.object_id, owner_of(change, self.id_of))
        if change.action in {Action.PAUSE, Action.RESUME}:
            return
        past = PAST_TENSE[change.action]
        try:
            if change.action is Action.DELETE:
                self._wait_gone(change, path)
                return

            states = kind.states
            if states is None:
                return  # settled when Graph answered

            # What the service is doing meanwhile, in its own word ("provisioning").
            working = next(iter(states.in_flight), "processing")

            def settled(current: dict[str, object] | None) -> bool:
                if current is None:
                    raise ReconcileError(f"the {kind.noun} disappeared while {working}")
                state = states.of(current)
                if state in states.failed:
                    raise ReconcileError(f"{past}, but {working} failed: state {state}")
                return state in states.succeeded

            self._poll(path, settled, " or ".join(states.succeeded))
        except NotSettled as exc:
            raise NotSettled(
                f"{past}, but {exc}. Check it in the SDS portal; `edusync-reconcile plan` "
                "shows where it stands"
            ) from None


@dataclass
class _Progress:
    """Which steps are done, as the gates of others ask."""

    #: The delete of a replace is done (a whole step counts too).
    removed: set[int] = field(default_factory=set)
    finished: set[int] = field(default_factory=set)
    #: …and did not fail.
    succeeded: set[int] = field(default_factory=set)

    def passed(self, gate: Gate) -> bool:
        return gate.step in (self.removed if gate.removed else self.finished)

    def record(self, i: int, part: Part, outcome: Outcome) -> bool:
        """Note a part that ran; True when the step's create is still to come."""
        self.removed.add(i)
        if part is Part.REMOVE:
            # Not failed and not stopped before it began: the old object is gone.
            if outcome.status is Status.NOT_ATTEMPTED and outcome.sent:
                self.succeeded.add(i)
                return True
        elif not outcome.status.is_failure:
            self.succeeded.add(i)
        self.finished.add(i)
        return False


class ApplyInterrupted(ReconcileError):
    """Ctrl-C during apply: carries the outcomes so far for the report."""

    def __init__(self, outcomes: list[Outcome]) -> None:
        super().__init__("apply interrupted; changes not started were not attempted")
        self.outcomes = outcomes


def _with_id(request: Request, object_id: str | None) -> Request:
    if NEW_ID not in request.path or not object_id:
        return request
    return Request(
        request.method,
        request.path.replace(NEW_ID, object_id),
        request.body,
        request.shown_body,
    )
