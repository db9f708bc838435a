"""Planning: decide each object's change from desired and actual state alone (no I/O).

The plan model lives in `engine.model`, matching in `engine.matching`, the per-object
comparison in `engine.compare`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from reconciler.engine.compare import (
    DesiredSources,
    compare,
    display_fields,
    removal_fields,
    replace_reasons,
)
from reconciler.engine.diff import FieldDiff
from reconciler.engine.early import EarlyComparisons
from reconciler.engine.lookalike import Candidate, Lookalike, lookalikes, second_object_advice
from reconciler.engine.matching import Match, TenantIndex, match_all, repr_name
from reconciler.engine.model import (
    PAUSED_FIELD,
    SUMMARY_ORDER,
    Action,
    Actual,
    Change,
    Create,
    Modify,
    Plan,
    PlanError,
    PlanOptions,
    Remove,
    Unmanaged,
)
from reconciler.engine.one_active import make_way, second_active
from reconciler.engine.references import (
    Identities,
    carry_replaces,
    in_dependency_order,
    warn_referred_replaces,
    with_dependencies,
)
from reconciler.engine.targets import unmatched_targets
from reconciler.engine.twins import mark_twins
from reconciler.jsontypes import JSONObject
from reconciler.kinds.model import Kind
from reconciler.kinds.registry import Registry
from reconciler.names import quoted
from reconciler.objects import DesiredObject


def _run_state_action(
    desired: DesiredObject, actual: Actual | None
) -> tuple[Action | None, FieldDiff | None]:
    wanted, run_state = desired.lifecycle.paused, desired.kind.run_state
    if wanted is None or run_state is None:
        return None, None
    is_paused = bool(actual and run_state.is_paused(actual.run_status))
    if actual is None:
        return (Action.PAUSE, FieldDiff(PAUSED_FIELD, None, True)) if wanted else (None, None)
    if wanted == is_paused:
        return None, None
    action = Action.PAUSE if wanted else Action.RESUME
    return action, FieldDiff(PAUSED_FIELD, is_paused, wanted)


def _in_flight(kind: Kind, actual: JSONObject) -> list[str]:
    if kind.states is None:
        return []
    state = kind.states.of(actual)
    if state in kind.states.in_flight:
        return [
            f"in flight: the server is still {state} this {kind.noun}; re-run plan when it settles"
        ]
    if state in kind.states.failed:
        return [f"the {kind.noun} is in state {state}; check it in the SDS portal"]
    return []


def plan_object(
    desired: DesiredObject,
    match: Actual | None,
    ignores: tuple[str, ...] = (),
    early: EarlyComparisons | None = None,
) -> Change:
    kind = desired.kind
    if match is None:
        then, _ = _run_state_action(desired, None)
        return Change(
            kind,
            desired.name,
            None,
            Action.CREATE,
            Create(desired),
            display_fields(desired),
            then=then,
        )
    actual = match.body
    subject = Modify(actual, desired)
    paused = None
    if match.run_status is not None and kind.run_state is not None:
        paused = kind.run_state.is_paused(match.run_status)
    fields = early.compared(desired, actual, ignores) if early is not None else None
    if fields is None:
        fields = compare(desired, actual, ignores)
    warnings = _in_flight(kind, actual)
    run_action, run_field = _run_state_action(desired, match)
    reasons = replace_reasons(kind, fields)
    if reasons:
        warnings.append(
            "REPLACE: "
            + "; ".join(reasons)
            + f". The {kind.noun} will be deleted and created anew (what that costs: "
            f"{kind.writes.replace_loses}); apply needs --allow-replace"
        )
        if desired.lifecycle.protect:
            warnings.append(
                f"lifecycle.protect is set: apply will refuse to replace this {kind.noun}"
            )
        if desired.pinned_id:
            warnings.append(
                f"pinned by `id:` in {desired.file}, and a replacement gets a new id: remove "
                f"`id:` there first (the {kind.noun} is then matched by name), or apply refuses"
            )
        return Change(
            kind,
            desired.name,
            match.id,
            Action.REPLACE,
            subject,
            tuple(fields),
            warnings=tuple(warnings),
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
            subject,
            all_fields,
            warnings=tuple(warnings),
            then=run_action,
            paused=paused,
        )
    if run_action and run_field:
        return Change(
            kind,
            desired.name,
            match.id,
            run_action,
            subject,
            (run_field,),
            warnings=tuple(warnings),
            paused=paused,
        )
    return Change(
        kind,
        desired.name,
        match.id,
        Action.NOOP,
        subject,
        (),
        warnings=tuple(warnings),
        paused=paused,
    )


def duplicate_warning(change: Change, look: Lookalike, deleted: bool) -> str:
    where = change.after.file if change.after else "its file"
    noun = change.kind.noun
    old = quoted(look.name)
    text = (
        f"LOOKS LIKE A RENAME: the tenant {noun} {old} ({look.id}) {look.reason} and "
        f"is not managed by git; creating {quoted(change.name)} makes a second {noun} syncing "
        "the same source"
    )
    if deleted:
        text += f", and --prune deletes {old} (its sync history is lost)"
    advice = second_object_advice(
        change.kind, old, look.id, where, flag="apply with --allow-duplicate-source"
    )
    return f"{text}. {advice}"


def mark_lookalikes(
    changes: list[Change],
    unmanaged: list[Unmanaged],
    unclaimed: dict[str, list[JSONObject]],
    registry: Registry,
) -> tuple[list[Change], list[Unmanaged]]:
    """Flag creates that look like a tenant object git does not manage, on both sides."""
    pool = {
        kind_name: [Candidate.of(registry[kind_name], body) for body in bodies]
        for kind_name, bodies in unclaimed.items()
    }
    deleted = {c.id for c in changes if c.action is Action.DELETE}
    resembled: dict[str, list[str]] = {}
    marked: list[Change] = []
    for change in changes:
        if not isinstance(change.subject, Create):
            marked.append(change)
            continue
        found = lookalikes(change.subject.after, pool.get(change.kind.name, ()))
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
        f"is a rename, add `id: {change.id}` there instead, and this {change.kind.noun} keeps "
        "its history"
    )
    return replace(change, warnings=(*change.warnings, note))


def _matched(
    desired: tuple[DesiredObject, ...], tenant: dict[str, list[Actual]], registry: Registry
) -> tuple[dict[str, list[Actual]], list[Match], Identities]:
    """Each desired object's tenant counterpart; the tenant's references named by their
    targets' natural keys, as the desired side names them."""
    # Named by the tenant's own keys first (a natural key may hold a reference: a contained
    # object's container), then by the desired names of the objects matched.
    first = Identities(registry, tenant, (), ())
    tenant = {
        name: [first.resolve(registry[name], a) for a in objects]
        for name, objects in tenant.items()
    }
    indexes = {name: TenantIndex(registry[name], objects) for name, objects in tenant.items()}
    matches = match_all(desired, indexes)
    identities = Identities(registry, tenant, desired, matches)
    resolved = {
        name: [identities.resolve(registry[name], a) for a in objects]
        for name, objects in tenant.items()
    }
    matches = [_resolved(m, o.kind, identities) for o, m in zip(desired, matches, strict=True)]
    return resolved, matches, identities


def _resolved(match: Match, kind: Kind, identities: Identities) -> Match:
    if match.actual is None:
        return match
    actual = identities.resolve(kind, match.actual)
    return match if actual is match.actual else replace(match, actual=actual)


def _in_order(
    changes: list[Change],
    tenant: dict[str, list[Actual]],
    registry: Registry,
    identities: Identities,
    now: dt.datetime,
) -> tuple[list[Change], list[PlanError]]:
    """Containers named, replaces carried through create-only references, then the changes
    in their old order (action, name) as far as their dependencies allow."""
    changes = [
        replace(c, container=identities.container(c.kind, c.after, c.before))
        if c.kind.endpoint.parent
        else c
        for c in changes
    ]
    changes = carry_replaces(changes)
    order = {a: i for i, a in enumerate(SUMMARY_ORDER)}
    changes.sort(key=lambda c: (c.action is Action.NOOP, order[c.action], c.name))
    changes = warn_referred_replaces(changes, tenant, registry)
    return in_dependency_order(make_way(with_dependencies(changes), now))


def build_plan(
    desired: tuple[DesiredObject, ...],
    tenant: dict[str, list[Actual]],
    options: PlanOptions,
    *,
    registry: Registry,
    sources: DesiredSources | None = None,
    early: EarlyComparisons | None = None,
    now: dt.datetime | None = None,
    **meta: Any,
) -> Plan:
    """Decide every change. `tenant` maps a kind name (of `registry`) to its objects as read;
    `sources`: the source each desired object reads, when the loader has found them; `early`:
    comparisons made while the tenant was read; `now`: what dates in objects are measured
    against (default: this moment)."""
    targets = set(options.targets)
    changes: list[Change] = []
    errors: list[PlanError] = []
    tenant, matches, identities = _matched(desired, tenant, registry)
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
        change = plan_object(obj, match.actual, options.ignore_changes, early)
        if match.warnings:
            change = replace(change, warnings=(*change.warnings, *match.warnings))
        if obj.references:
            change = replace(change, binds=identities.binds(obj))
        changes.append(change)

    unmanaged: list[Unmanaged] = []
    plan_warnings: list[str] = []
    kinds_in_git = {o.kind.name for o in desired}
    unclaimed: dict[str, list[JSONObject]] = {}
    for kind_name, objects in tenant.items():
        for actual in objects:
            if (kind_name, actual.id) in matched:
                continue
            kind = registry[kind_name]
            if kind.services_own(actual.body):
                continue  # role groups, the service's reference rows: never unmanaged or pruned
            name = kind.key_of(actual.body)
            if kind.soft_delete is not None and kind.soft_delete.marks(actual.body):
                continue  # deleted as far as Graph goes (it stays listed, disabled)
            if kind.is_leaving(actual.body):
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
                        Remove(actual.body),
                        removal_fields(kind, actual.body),
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
    moment = now or dt.datetime.now(dt.UTC)
    errors.extend(second_active(changes, unclaimed, moment))
    changes, unmanaged = mark_lookalikes(changes, unmanaged, unclaimed, registry)
    changes = mark_twins(changes, desired, sources)
    known_names = (
        {o.name for o in desired}
        | {registry[k].key_of(a.body) for k, objects in tenant.items() for a in objects}
        if targets
        else set()
    )
    changes, cycles = _in_order(changes, tenant, registry, identities, moment)
    errors.extend(cycles)
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
