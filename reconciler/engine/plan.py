"""The Plan: what would change, decided from desired and actual state alone (no I/O).

One immutable Plan renders every output format *and* drives apply, so a dry-run, a reviewed
plan and the writes cannot disagree.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from reconciler import fieldpaths
from reconciler.desired.loader import DesiredObject
from reconciler.engine.diff import FieldDiff, diff, drop, leaves, project, type_at, value_at
from reconciler.engine.lookalike import Candidate, Lookalike, lookalikes
from reconciler.engine.normalize import Mode, external, normalize
from reconciler.engine.targets import TargetMiss, unmatched_targets
from reconciler.engine.twins import mark_twins
from reconciler.jsontypes import JSONObject
from reconciler.kinds import KINDS
from reconciler.kinds.model import ODATA_TYPE, Kind, Polymorphic
from reconciler.names import quoted


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    PAUSE = "pause"
    RESUME = "resume"
    NOOP = "noop"


SUMMARY_ORDER = tuple(Action)
PAUSED_FIELD = "lifecycle.paused"


@dataclass(frozen=True)
class Change:
    kind: Kind
    name: str
    id: str | None
    action: Action
    fields: tuple[FieldDiff, ...] = ()
    #: sha256 of the normalised actual object; a saved plan is stale when it moves.
    fingerprint: str | None = None
    warnings: tuple[str, ...] = ()
    desired: DesiredObject | None = None
    actual: JSONObject | None = None
    #: Run-state action to carry out after the main one (create/update then pause or resume).
    then: Action | None = None
    #: For a create: tenant objects git does not manage that look like this one (a rename
    #: without `id:`?). Apply refuses such a create unless told otherwise.
    duplicate_of: tuple[Lookalike, ...] = ()
    #: Whether the tenant object was paused when read (None: its run state was not read).
    paused: bool | None = None

    @property
    def writes(self) -> bool:
        return self.action is not Action.NOOP

    @property
    def changes_configuration(self) -> bool:
        """Create/update/replace/delete need a delegated token; pause/resume do not."""
        return self.action in {Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE}


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

    @property
    def id(self) -> str:
        return str(self.body.get("id", ""))


def fingerprint(kind: Kind, actual: JSONObject, run_status: str | None = None) -> str:
    """Of the normalised object, and of whether it is paused when that was read (a pause since
    the plan was made makes a saved plan stale; an ordinary sync run must not)."""
    canonical = normalize(actual, kind.root, mode=Mode.DISPLAY)
    if run_status is not None:
        canonical = {**canonical, "#paused": run_status in kind.paused_states}
    digest = hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode())
    return f"sha256:{digest.hexdigest()}"


def compare(
    desired: DesiredObject, actual: JSONObject, extra_ignores: tuple[str, ...] = ()
) -> list[FieldDiff]:
    """Field differences between one desired object and its tenant counterpart."""
    root = desired.kind.root
    wanted = normalize(desired.body, root, variables=desired.variables)
    have = project(normalize(actual, root), wanted, root)
    for ignored in (*extra_ignores, *desired.lifecycle.ignore_changes):
        segments = fieldpaths.parse(ignored)
        if len(segments) > 1 and value_at(have, segments[:-1]) is None:
            continue  # the tenant lacks the parent: it is created whole, ignored part included
        drop(wanted, segments)
        drop(have, segments)
    if have == wanted:  # the common case; deepdiff is only needed to explain a difference
        return []
    return diff(have, wanted, root)


def replace_reasons(kind: Kind, fields: list[FieldDiff]) -> list[str]:
    """Type changes of polymorphic members that cannot be made in place."""
    reasons = []
    for f in fields:
        segments = fieldpaths.parse(f.path)
        if len(segments) == 2 and segments[1] == ODATA_TYPE:
            prop = kind.root.prop(segments[0])
            if prop and isinstance(prop.type, Polymorphic) and prop.type.replace_on_type_change:
                reasons.append(f"{segments[0]} changes type from {f.before} to {f.after}")
    return reasons


def display_fields(desired: DesiredObject) -> tuple[FieldDiff, ...]:
    tree = normalize(
        desired.body, desired.kind.root, mode=Mode.DISPLAY, variables=desired.variables
    )
    return tuple(leaves(tree, desired.kind.root))


def removal_fields(kind: Kind, actual: JSONObject) -> tuple[FieldDiff, ...]:
    """What a delete loses, as the admin knows it: the kind's key settings that hold a value
    (server defaults and empty slots left out); every field for a kind that names none."""
    tree = normalize(actual, kind.root, mode=Mode.DISPLAY)
    if not kind.key_settings:
        return tuple(FieldDiff(f.path, f.after, None) for f in leaves(tree, kind.root))
    fields = []
    for path in kind.key_settings:
        segments = fieldpaths.parse(path)
        value = value_at(tree, segments)
        if value in (None, [], {}):
            continue
        fields.append(FieldDiff(path, external(value, type_at(kind.root, segments, tree)), None))
    return tuple(fields)


def _run_state_action(
    desired: DesiredObject, actual: Actual | None
) -> tuple[Action | None, FieldDiff | None]:
    wanted = desired.lifecycle.paused
    if wanted is None:
        return None, None
    is_paused = bool(actual and actual.run_status in desired.kind.paused_states)
    if actual is None:
        return (Action.PAUSE, FieldDiff(PAUSED_FIELD, None, True)) if wanted else (None, None)
    if wanted == is_paused:
        return None, None
    action = Action.PAUSE if wanted else Action.RESUME
    return action, FieldDiff(PAUSED_FIELD, is_paused, wanted)


def _in_flight(kind: Kind, actual: JSONObject) -> list[str]:
    state = actual.get("state")
    if state in kind.in_flight_states:
        return [f"in flight: the server is still {state} this profile; re-run plan when it settles"]
    if state in kind.terminal_failure_states:
        return [f"the profile is in state {state}; check it in the SDS portal"]
    return []


def plan_object(
    desired: DesiredObject,
    match: Actual | None,
    ignores: tuple[str, ...] = (),
) -> Change:
    kind = desired.kind
    if match is None:
        then, _ = _run_state_action(desired, None)
        return Change(
            kind,
            desired.name,
            None,
            Action.CREATE,
            display_fields(desired),
            desired=desired,
            then=then,
        )
    actual = match.body
    paused = None if match.run_status is None else match.run_status in kind.paused_states
    fields = compare(desired, actual, ignores)
    warnings = _in_flight(kind, actual)
    run_action, run_field = _run_state_action(desired, match)
    fp = fingerprint(kind, actual, match.run_status)
    reasons = replace_reasons(kind, fields)
    if reasons:
        warnings.append(
            "REPLACE: " + "; ".join(reasons) + ". The profile will be deleted and created anew "
            "(sync history and status are lost); apply needs --allow-replace"
        )
        if desired.lifecycle.protect:
            warnings.append("lifecycle.protect is set: apply will refuse to replace this profile")
        if desired.pinned_id:
            warnings.append(
                f"pinned by `id:` in {desired.file}, and a replacement gets a new id: remove "
                "`id:` there first (the profile is then matched by name), or apply refuses"
            )
        return Change(
            kind,
            desired.name,
            match.id,
            Action.REPLACE,
            tuple(fields),
            fp,
            tuple(warnings),
            desired,
            actual,
            then=Action.PAUSE if desired.lifecycle.paused else None,
            paused=paused,
        )
    if fields:
        all_fields = (*fields, run_field) if run_field else tuple(fields)
        return Change(
            kind,
            desired.name,
            match.id,
            Action.UPDATE,
            all_fields,
            fp,
            tuple(warnings),
            desired,
            actual,
            then=run_action,
            paused=paused,
        )
    if run_action and run_field:
        return Change(
            kind,
            desired.name,
            match.id,
            run_action,
            (run_field,),
            fp,
            tuple(warnings),
            desired,
            actual,
            paused=paused,
        )
    return Change(
        kind,
        desired.name,
        match.id,
        Action.NOOP,
        (),
        fp,
        tuple(warnings),
        desired,
        actual,
        paused=paused,
    )


class TenantIndex:
    """One kind's tenant objects, indexed once so that matching stays linear."""

    def __init__(self, kind_name: str, objects: list[Actual], natural_key: str) -> None:
        self.kind_name = kind_name
        self.by_id = {a.id.lower(): a for a in objects}
        self.by_name: dict[str, list[Actual]] = {}
        for actual in objects:
            self.by_name.setdefault(str(actual.body.get(natural_key, "")), []).append(actual)


@dataclass(frozen=True)
class Match:
    actual: Actual | None
    error: PlanError | None = None
    #: Tenant objects this desired object accounts for (never unmanaged, never pruned).
    claims: tuple[Actual, ...] = ()
    warnings: tuple[str, ...] = ()


def match_pinned(desired: DesiredObject, index: TenantIndex) -> Match:
    assert desired.pinned_id
    hit = index.by_id.get(desired.pinned_id.lower())
    if hit is None:
        return Match(
            None,
            PlanError(
                desired.name,
                f"{desired.where}: pinned id {desired.pinned_id} is not in the tenant; remove `id` "
                "to create the profile anew, or correct it",
            ),
        )
    return Match(hit, claims=(hit,))


def match_by_name(desired: DesiredObject, index: TenantIndex, claimed: set[str]) -> Match:
    named = index.by_name.get(desired.name, [])
    hits = [a for a in named if a.id not in claimed]
    if len(hits) > 1:
        ids = ", ".join(a.id for a in hits)
        return Match(
            None,
            PlanError(
                desired.name,
                f"{desired.where}: the tenant has {len(hits)} profiles named "
                f"{repr_name(desired.name)} (ids {ids}); pin the one to manage with `id:` and "
                "remove the others",
            ),
            claims=tuple(hits),
        )
    taken = [a.id for a in named if a.id in claimed]
    warnings = tuple(
        f"the tenant profile {taken_id} named {repr_name(desired.name)} is managed by a pinned "
        "`id:` that renames it; this creates a second profile with that name"
        for taken_id in taken
    )
    return Match(hits[0] if hits else None, claims=tuple(hits), warnings=warnings)


def match_all(desired: tuple[DesiredObject, ...], indexes: dict[str, TenantIndex]) -> list[Match]:
    """Pinned ids claim their tenant objects first, so no tenant object is matched twice."""
    claimed: dict[str, set[str]] = {}
    matches: dict[int, Match] = {}
    ordered = sorted(range(len(desired)), key=lambda i: desired[i].pinned_id is None)
    for i in ordered:
        obj = desired[i]
        index = indexes.get(obj.kind.name) or TenantIndex(obj.kind.name, [], obj.kind.natural_key)
        taken = claimed.setdefault(obj.kind.name, set())
        match = match_pinned(obj, index) if obj.pinned_id else match_by_name(obj, index, taken)
        taken.update(a.id for a in match.claims)
        matches[i] = match
    return [matches[i] for i in range(len(desired))]


def duplicate_warning(change: Change, look: Lookalike, deleted: bool) -> str:
    where = change.desired.file if change.desired else "its file"
    old = quoted(look.name)
    text = (
        f"LOOKS LIKE A RENAME: the tenant profile {old} ({look.id}) {look.reason} and "
        f"is not managed by git; creating {quoted(change.name)} makes a second profile syncing the "
        "same source"
    )
    if deleted:
        text += f", and --prune deletes {old} (its sync history is lost)"
    return (
        f"{text}. To rename {old} in place, add `id: {look.id}` to {where}; to create "
        "a second profile on purpose, apply with --allow-duplicate-source"
    )


def mark_lookalikes(
    changes: list[Change], unmanaged: list[Unmanaged], unclaimed: dict[str, list[JSONObject]]
) -> tuple[list[Change], list[Unmanaged]]:
    """Flag creates that look like a tenant object git does not manage, on both sides."""
    pool = {
        kind_name: [Candidate.of(KINDS[kind_name], body) for body in bodies]
        for kind_name, bodies in unclaimed.items()
    }
    deleted = {c.id for c in changes if c.action is Action.DELETE}
    resembled: dict[str, list[str]] = {}
    marked: list[Change] = []
    for change in changes:
        if change.action is not Action.CREATE or change.desired is None:
            marked.append(change)
            continue
        found = lookalikes(change.desired, pool.get(change.kind.name, ()))
        if not found:
            marked.append(change)
            continue
        notes = tuple(duplicate_warning(change, look, look.id in deleted) for look in found)
        marked.append(replace(change, warnings=(*change.warnings, *notes), duplicate_of=found))
        for look in found:
            resembled.setdefault(look.id, []).append(change.name)
    final = [_note_resemblance(c, resembled) for c in marked]
    return final, [replace(u, resembles=tuple(resembled.get(u.id, ()))) for u in unmanaged]


def _note_resemblance(change: Change, resembled: dict[str, list[str]]) -> Change:
    names = resembled.get(change.id or "") if change.action is Action.DELETE else None
    if not names:
        return change
    note = (
        f"looks like {', '.join(repr_name(n) for n in names)}, which this plan creates: if that "
        f"is a rename, add `id: {change.id}` there instead, and this profile keeps its history"
    )
    return replace(change, warnings=(*change.warnings, note))


def repr_name(name: str) -> str:
    """A name quoted for a message (plain quotes, not a Python repr)."""
    return quoted(name)


def build_plan(
    desired: tuple[DesiredObject, ...],
    tenant: dict[str, list[Actual]],
    options: PlanOptions,
    **meta: Any,
) -> Plan:
    """Decide every change. `tenant` maps a kind name to its objects as read."""
    targets = set(options.targets)
    changes: list[Change] = []
    errors: list[PlanError] = []
    indexes = {
        name: TenantIndex(name, objects, KINDS[name].natural_key)
        for name, objects in tenant.items()
    }
    matches = match_all(desired, indexes)
    matched = {
        (obj.kind.name, a.id) for obj, m in zip(desired, matches, strict=True) for a in m.claims
    }
    for obj, match in zip(desired, matches, strict=True):
        # Out-of-target objects still claim their tenant objects (they are not unmanaged).
        if targets and obj.name not in targets:
            continue
        if match.error:
            errors.append(match.error)
            continue
        change = plan_object(obj, match.actual, options.ignore_changes)
        if match.warnings:
            change = replace(change, warnings=(*change.warnings, *match.warnings))
        changes.append(change)

    unmanaged: list[Unmanaged] = []
    plan_warnings: list[str] = []
    kinds_in_git = {o.kind.name for o in desired}
    unclaimed: dict[str, list[JSONObject]] = {}
    for kind_name, objects in tenant.items():
        for actual in objects:
            if (kind_name, actual.id) in matched:
                continue
            kind = KINDS[kind_name]
            name = str(actual.body.get(kind.natural_key, ""))
            if actual.body.get("state") in kind.deleting_states:
                if options.prune:
                    plan_warnings.append(f"'{name}' ({actual.id}) is being deleted already")
                    continue
            else:
                unclaimed.setdefault(kind_name, []).append(actual.body)
            if options.prune and kind_name in kinds_in_git and (not targets or name in targets):
                changes.append(
                    Change(
                        kind,
                        name,
                        actual.id,
                        Action.DELETE,
                        removal_fields(kind, actual.body),
                        fingerprint(kind, actual.body),
                        actual=actual.body,
                    )
                )
            else:
                unmanaged.append(Unmanaged(kind, name, actual.id))
    if options.prune and not desired:
        errors.append(
            PlanError(
                "",
                "refusing to prune: the desired-state path holds no profile, "
                "so every tenant profile would be deleted",
            )
        )
    changes, unmanaged = mark_lookalikes(changes, unmanaged, unclaimed)
    changes = mark_twins(changes, desired)
    known_names = {o.name for o in desired} | {
        str(a.body.get(KINDS[k].natural_key, "")) for k, objects in tenant.items() for a in objects
    }
    order = {a: i for i, a in enumerate(SUMMARY_ORDER)}
    changes.sort(key=lambda c: (c.action is Action.NOOP, order[c.action], c.name))
    return Plan(
        tuple(changes),
        tuple(sorted(unmanaged, key=lambda u: u.name)),
        tuple(errors),
        warnings=tuple(plan_warnings),
        options=options,
        tenant_ids=frozenset(a.id for objects in tenant.values() for a in objects),
        target_misses=unmatched_targets(targets, known_names),
        **meta,
    )
