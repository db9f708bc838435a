"""Warnings that matter in schools, made from the plan: a profile that has expired or is about
to, a PowerSchool school year that is neither this academic year nor the next, and a profile
whose last sync is in error. "Today" is a parameter so tests pin it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.engine.model import Change, Plan
from reconciler.github.phrases import em

EXPIRY_WARNING_DAYS = 30
#: The academic year turns over on 1 July (SDS rollover guidance; northern-hemisphere schools).
ACADEMIC_YEAR_START_MONTH = 7
ERROR_STATUSES = frozenset({"error", "validationError", "quarantined"})
_YEARS = re.compile(r"(?<!\d)(\d{4}|\d{2})(?!\d)")


@dataclass(frozen=True)
class SyncHealth:
    """What `…/profileStatus` said about one profile's last sync."""

    status: str | None
    error_count: int | None = None
    message: str | None = None


def academic_year_end(today: dt.date) -> int:
    """The calendar year in which today's academic year ends (2025-26 → 2026)."""
    return today.year + (1 if today.month >= ACADEMIC_YEAR_START_MONTH else 0)


def _years(text: str) -> list[int]:
    years = []
    for token in _YEARS.findall(text):
        year = int(token)
        years.append(year if len(token) == 4 else 2000 + year)
    return years


def school_year_problem(value: Any, today: dt.date) -> str | None:
    """Why `schoolYear` is neither the current nor the next academic year (None when fine or
    unreadable). "2025-26"/"2025-2026" name one academic year by both ends; a single year may
    be read as either end, so it is accepted when either reading fits."""
    end = academic_year_end(today)
    current = f"{end - 1}-{str(end)[2:]}"
    following = f"{end}-{str(end + 1)[2:]}"
    years = _years(str(value))
    if not years:
        return None
    if len(years) >= 2:  # both ends given: the later one decides
        if max(years) in (end, end + 1):
            return None
    elif end - 1 <= years[0] <= end + 1:
        return None
    return (
        f"school year {value} is neither the current academic year ({current}) "
        f"nor the next ({following})"
    )


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def expiry_problem(value: Any, today: dt.date) -> str | None:
    date = _as_date(value)
    if date is None:
        return None
    days = (date - today).days
    if days < 0:
        return f"expired on {date.isoformat()}: SDS no longer syncs it"
    if days <= EXPIRY_WARNING_DAYS:
        when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        return f"expires on {date.isoformat()} ({when})"
    return None


def _body(change: Change) -> Mapping[str, Any]:
    """What the profile will look like after apply: desired, else (deletes) nothing."""
    after = change.after
    return {} if after is None else after.body


def _is_powerschool(provider: Mapping[str, Any]) -> bool:
    return "powerschool" in str(provider.get("@odata.type", "")).lower()


def change_warnings(change: Change, today: dt.date, health: SyncHealth | None = None) -> list[str]:
    body = _body(change)
    out = []
    expiry = expiry_problem(body.get("expirationDate"), today) if "expirationDate" in body else None
    if expiry:
        out.append(f"{em(change.name)} {expiry}")
    provider = body.get("dataProvider")
    if isinstance(provider, Mapping) and _is_powerschool(provider) and provider.get("schoolYear"):
        problem = school_year_problem(provider["schoolYear"], today)
        if problem:
            out.append(f"{em(change.name)}: PowerSchool {problem}")
    if health is not None and health.status in ERROR_STATUSES:
        count = f", {health.error_count} error(s)" if health.error_count else ""
        said = f": {health.message}" if health.message and health.message != health.status else ""
        out.append(f"{em(change.name)}: the last sync ended in {health.status}{count}{said}")
    return out


def plan_warnings(
    plan: Plan, today: dt.date, health: Mapping[str, SyncHealth] | None = None
) -> list[str]:
    """For every profile the plan looked at (in sync ones included), keyed health by id."""
    health = health or {}
    return [
        warning
        for change in plan.changes
        for warning in change_warnings(change, today, health.get(change.id or ""))
    ]
