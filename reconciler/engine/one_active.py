"""The plan side of `Kind.one_active_per`: the service refuses, with 409, a second active object
for a member's value (a second active inbound flow for an academic year), part-way through an
apply. (Two in git are the loader's error.) Here:

- `second_active`: a change that makes an object active (a create, a replace's new object, an
  update that starts an ended one again) next to a tenant object that stays active — one git
  does not manage and this plan does not delete — fails the plan first;
- `make_way`: a change that makes an object active waits for the changes that end or remove
  the active one of the same value (a delete with --prune, an update that ends it, a replace
  that moves it): the other way round, the service refuses it.

Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from reconciler.engine.model import REMOVED, Action, Change, PlanError
from reconciler.jsontypes import JSONObject
from reconciler.kinds.model import OneActivePer
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
        if rule is None or desired is None or not _starts(change, rule, now, surely=True):
            continue
        after = _after(change)
        value = rule.member_text(after)
        if value is None:
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
    """Each change that makes an object active waits for those that end or remove the active
    one of the same value."""
    enders: dict[tuple[str, str], list[str]] = {}
    for change in changes:
        rule = change.kind.one_active_per
        if rule is not None:
            for value, key in _ends(change, rule, now):
                enders.setdefault((change.kind.name, value.lower()), []).append(key)
    if not enders:
        return changes
    return [_waiting_for(change, enders, now) for change in changes]


def _waiting_for(
    change: Change, enders: Mapping[tuple[str, str], list[str]], now: dt.datetime
) -> Change:
    rule = change.kind.one_active_per
    if rule is None or not _starts(change, rule, now, surely=False):
        return change
    value = rule.member_text(_after(change))
    if value is None:
        return change
    waits = [
        key
        for key in enders.get((change.kind.name, value.lower()), ())
        if key.removesuffix(REMOVED) != change.key
    ]
    if not waits:
        return change
    return replace(change, depends_on=tuple(dict.fromkeys((*change.depends_on, *waits))))


def _after(change: Change) -> dict[str, Any]:
    """The object as it will be: a create's or replace's desired body; for an update, the
    tenant object with the members git declares."""
    desired = change.after
    assert desired is not None
    if change.action is Action.UPDATE and change.before is not None:
        return {**change.before, **desired.body}
    return dict(desired.body)


def _active(rule: OneActivePer, body: Mapping[str, Any], now: dt.datetime, *, surely: bool) -> bool:
    """Surely active; or, with `surely=False`, maybe: not surely ended (an end from a variable,
    or one that is not a date-time, counts: waiting costs nothing, a 409 part-way does)."""
    return rule.surely_active(body, now) if surely else not rule.surely_ended(body, now)


def _starts(change: Change, rule: OneActivePer, now: dt.datetime, *, surely: bool) -> bool:
    """The change leaves an object active that was not (a create, a replace's new object, an
    update of an ended one)."""
    if change.after is None or change.action not in {Action.CREATE, Action.REPLACE, Action.UPDATE}:
        return False
    if not _active(rule, _after(change), now, surely=surely):
        return False
    if change.action is Action.UPDATE and change.before is not None:
        return not _active(rule, change.before, now, surely=True)
    return True


def _ends(change: Change, rule: OneActivePer, now: dt.datetime) -> list[tuple[str, str]]:
    """(value, key to wait for) when the change ends or removes an object that may be active:
    a delete, a replace's delete half, an update that ends it."""
    before = change.before
    if before is None or not _active(rule, before, now, surely=False):
        return []
    value = rule.member_text(before)
    if value is None:
        return []
    if change.action is Action.DELETE:
        return [(value, change.key)]
    if change.action is Action.REPLACE:
        return [(value, change.key + REMOVED)]
    if change.action is Action.UPDATE and rule.surely_ended(_after(change), now):
        return [(value, change.key)]
    return []
