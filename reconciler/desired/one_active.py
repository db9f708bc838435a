"""The validate side of `Kind.one_active_per`: a second active object for the same value of the
member (a second active inbound flow for one academic year) is an error at the later one,
naming the first. The service would refuse it with 409 in the middle of an apply, after the
objects before it were written. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from reconciler.desired.problems import Problem, Severity
from reconciler.names import quoted
from reconciler.objects import DesiredObject


def one_active_problems(objects: Sequence[DesiredObject], now: dt.datetime) -> list[Problem]:
    """`now`: what "still ahead" is measured from (an aware date-time)."""
    first: dict[tuple[str, str], DesiredObject] = {}
    problems: list[Problem] = []
    for obj in objects:
        rule = obj.kind.one_active_per
        if rule is None or not rule.surely_active(obj.body, now):
            continue
        value = rule.member_text(obj.body)
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
