"""The doctor's findings: one `Check` per line, and the report they make."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    OK = "ok"
    WARN = "warn"  # a run works, but something will bite later
    FAIL = "fail"  # a run needs this: doctor exits 1
    SKIP = "skip"  # could not be checked because an earlier check failed


SYMBOLS = {Outcome.OK: "✓", Outcome.WARN: "!", Outcome.FAIL: "✗", Outcome.SKIP: "-"}


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    outcome: Outcome
    summary: str
    details: tuple[str, ...] = ()
    fix: str | None = None


@dataclass(frozen=True)
class DoctorReport:
    checks: tuple[Check, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.outcome is Outcome.FAIL)

    @property
    def ready(self) -> bool:
        return not self.failed
