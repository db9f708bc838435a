"""Academic years from classic dates.

SDS names an academic year by its *ending* calendar year (2026-2027 is `2027`) and lets its
start lie up to a year before and its end up to a year after that year, never in the past
(graph-industrydata-api.md §1.4). Classic profiles had no academic year, only an
`expirationDate` (when the profile stopped) and, for PowerSchool, a `schoolYear`. Year dates
are not in any classic field: they are guessed as 1 August to 31 July and reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

#: First month of the guessed academic year (August; most Northern-hemisphere schools).
FIRST_MONTH = 8


@dataclass(frozen=True, order=True)
class AcademicYear:
    ending: int

    @property
    def code(self) -> str:
        return str(self.ending)

    @property
    def start(self) -> date:
        return date(self.ending - 1, FIRST_MONTH, 1)

    @property
    def end(self) -> date:
        return date(self.ending, FIRST_MONTH - 1, 31)

    @property
    def label(self) -> str:
        return f"{self.ending - 1}-{self.ending}"


def year_of(day: date) -> AcademicYear:
    """The academic year a day falls in (August onwards belongs to the next calendar year's)."""
    return AcademicYear(day.year + 1 if day.month >= FIRST_MONTH else day.year)


def parse_day(text: object) -> date | None:
    """`2027-07-31` (a date, or the date part of a date-time); None for anything else."""
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})", str(text or "").strip())
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def parse_school_year(text: object) -> AcademicYear | None:
    """PowerSchool's `schoolYear`: `2026`, or `2025-2026` / `2025-26` (the ending year wins)."""
    value = str(text or "").strip()
    if re.fullmatch(r"\d{4}", value):
        return AcademicYear(int(value))
    match = re.fullmatch(r"(\d{4})\s*[-/]\s*(\d{2}|\d{4})", value)
    if match:
        start = int(match.group(1))
        return AcademicYear(start + 1)
    return None
