"""The plan side of `Kind.one_active_per`: a create that would make a second active object for
a member's value (a second active inbound flow for an academic year) next to a tenant object
that stays — one git does not manage and this plan does not delete — is refused by the
service with 409, part-way through an apply: the plan says so first. (Two in git are the
loader's error.) Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace

from reconciler.engine.model import Action, Change, PlanError
from reconciler.jsontypes import JSONObject
from reconciler.names import quoted


def second_active(
    changes: Sequence[Change], unclaimed: Mapping[str, Sequence[JSONObject]], now: dt.datetime
) -> list[PlanError]:
    """`unclaimed`: by kind name, the tenant objects no desired object accounts for (a DELETE
    among `changes` removes one first)."""
    deleted = {c.id for c in changes if c.action is Action.DELETE and c.id}
    errors = []
    for change in changes:
        rule = change.kind.one_active_per
        desired = change.after
        if rule is None or change.action is not Action.CREATE or desired is None:
            continue
        value = rule.member_text(desired.body)
        if value is None or not rule.surely_active(desired.body, now):
            continue
        for other in unclaimed.get(change.kind.name, ()):
            other_value = rule.member_text(other)
            if (
                other.get("id") in deleted
                or other_value is None
                or other_value.lower() != value.lower()
                or not rule.surely_active(other, now)
            ):
                continue
            until = other.get(rule.until)
            errors.append(
                PlanError(
                    change.name,
                    f"{desired.where}: {quoted(change.name)} would be a second active "
                    f"{change.kind.noun} for {rule.member} {value!r}: the tenant's "
                    f"{quoted(change.kind.key_of(other))} ({other.get('id')}), which git does "
                    f"not manage, is active {f'until {until}' if until else 'for good'}. "
                    f"{rule.rule}: end that one first ({rule.until} in the past, in the SDS "
                    "portal), or adopt it into git instead of creating another",
                )
            )
            break
    return errors


def make_way(changes: list[Change], now: dt.datetime) -> list[Change]:
    """Each create that would be a second active object next to one this plan deletes (a new
    year's flow where `--prune` removes the old one) waits for that delete: the other way
    round, the service refuses the create."""
    doomed: dict[tuple[str, str], str] = {}
    for change in changes:
        rule = change.kind.one_active_per
        before = change.before
        if rule is None or change.action is not Action.DELETE or before is None:
            continue
        value = rule.member_text(before)
        if value is not None and rule.surely_active(before, now):
            doomed[(change.kind.name, value.lower())] = change.key
    if not doomed:
        return changes
    return [_waiting_for(change, doomed, now) for change in changes]


def _waiting_for(change: Change, doomed: Mapping[tuple[str, str], str], now: dt.datetime) -> Change:
    rule = change.kind.one_active_per
    desired = change.after
    if rule is None or change.action is not Action.CREATE or desired is None:
        return change
    delete = doomed.get((change.kind.name, (rule.member_text(desired.body) or "").lower()))
    if delete is None or not rule.surely_active(desired.body, now):
        return change
    return replace(change, depends_on=(*change.depends_on, delete))
