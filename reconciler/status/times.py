"""Times as people read them in a log: "3 h ago (2025-05-01 07:00 UTC)"."""

from __future__ import annotations

import datetime as dt

from reconciler.engine.normalize import parse_instant

_MIN_VALUE = dt.datetime(1, 1, 1, tzinfo=dt.UTC)


def instant(value: object) -> dt.datetime | None:
    """A Graph DateTimeOffset; None for absent, unreadable or DateTime.MinValue ("never")."""
    if not isinstance(value, str) or not value.strip():
        return None
    moment = parse_instant(value)
    return None if moment is None or moment == _MIN_VALUE else moment


def absolute(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def relative(moment: dt.datetime, now: dt.datetime) -> str:
    seconds = (now - moment).total_seconds()
    span = abs(seconds)
    if span < 60:
        return "just now"
    if span < 3600:
        amount = f"{int(span // 60)} min"
    elif span < 48 * 3600:
        amount = f"{int(span // 3600)} h"
    else:
        amount = f"{int(span // 86400)} d"
    return f"{amount} ago" if seconds > 0 else f"in {amount}"


def when(moment: dt.datetime | None, now: dt.datetime) -> str:
    if moment is None:
        return "never"
    return f"{relative(moment, now)} ({absolute(moment)})"
