"""The validate side of `Kind.one_active_per`: a second active object for the same value of the
member (a second active inbound flow for one academic year) is an error at the later one,
naming the first. The service would refuse it with 409 in the middle of an apply, after the
objects before it were written. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from reconciler.desired.formats import parse_datetime
from reconciler.desired.problems import Problem, Severity
from reconciler.kinds.model import Reference
from reconciler.names import quoted
from reconciler.objects import DesiredObject


def one_active_problems(objects: Sequence[DesiredObject], now: dt.datetime) -> list[Problem]:
    """`now`: what "still ahead" is measured from (an aware date-time)."""
    first: dict[tuple[str, str], DesiredObject] = {}
    problems: list[Problem] = []
    for obj in objects:
        rule = obj.kind.one_active_per
        if rule is None or not _surely_active(obj.body.get(rule.until), now):
            continue
        value = _member_text(obj.body.get(rule.member))
        if value is None:
            continue  # missing or malformed: the type check has said so
        earlier = first.setdefault((obj.kind.name, value.lower()), obj)
        if earlier is obj:
            continue
        problems.append(
            Problem(
                obj.file,
                obj.line,
                obj.column,
                Severity.ERROR,
                f"{quoted(obj.name)} is a second active {obj.kind.noun} for {rule.member} "
                f"{value!r} (the first is {quoted(earlier.name)}, at {earlier.where}): "
                f"{rule.rule}, and apply would be refused part-way. Keep only one of them, or "
                f"give the one that has ended an {rule.until} in the past",
            )
        )
    return problems


def _surely_active(until: Any, now: dt.datetime) -> bool:
    """Active for good (unset), or until a date-time still ahead. A value from a variable, or
    one that is not a date-time (reported elsewhere), cannot be judged here: not reported."""
    if until is None:
        return True
    if not isinstance(until, str) or "${" in until:
        return False
    instant = parse_datetime(until)
    return instant is not None and instant > now


def _member_text(value: Any) -> str | None:
    """The member's value as text: a reference's key, or a plain value."""
    if isinstance(value, dict):
        value = value.get(Reference.KEY)
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value)
    return None
