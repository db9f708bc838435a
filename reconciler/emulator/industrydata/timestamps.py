"""DateTimeOffset values as Graph writes them: UTC, `Z`, at most 7 fraction digits.

The docs' create example sends `2023-03-12T16:40:46.924769+05:30` and gets back
`2023-03-12T11:10:46.924769Z`; server-set values look like `2024-03-22T21:28:02.7164229Z` or
`2024-03-25T21:55:03.495336Z`: .NET writes up to 7 digits (100 ns ticks) and drops trailing zeros.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_DATETIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})T(?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,7}))?)?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})$",
    re.IGNORECASE,
)


def format_ticks(moment: datetime, ticks: int) -> str:
    """`moment` (whole seconds, UTC) plus `ticks` (100 ns units) in Graph's spelling."""
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    fraction = f"{ticks:07d}".rstrip("0")
    return f"{text}.{fraction}Z" if fraction else f"{text}Z"


def normalise(text: str) -> str | None:
    """The UTC spelling of an ISO-8601 DateTimeOffset with a zone; None when it is not one."""
    match = _DATETIME.match(text)
    if match is None:
        return None
    zone = match.group("zone").upper()
    offset = "+00:00" if zone == "Z" else zone
    try:
        moment = datetime.fromisoformat(
            f"{match.group('date')}T{match.group('h')}:{match.group('m')}:"
            f"{match.group('s') or '00'}{offset}"
        )
    except ValueError:
        return None
    ticks = int((match.group("f") or "0").ljust(7, "0"))
    return format_ticks(moment, ticks)


def to_datetime(text: str) -> datetime:
    """A value `normalise` produced, as an aware datetime (sub-microsecond digits dropped)."""
    head, _, fraction = text.rstrip("Z").partition(".")
    moment = datetime.fromisoformat(head).replace(tzinfo=UTC)
    return moment + timedelta(microseconds=int((fraction or "0").ljust(7, "0")[:6]))


def graph_now(now: datetime) -> str:
    """A server-set timestamp (createdDateTime, startDateTime …) for the wall-clock `now`."""
    whole = now.astimezone(UTC).replace(microsecond=0)
    return format_ticks(whole, now.microsecond * 10)
