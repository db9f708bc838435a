"""The service's sync runs (a kind's `RunLog`): the latest ones with their status and error
and warning counts, and whether an on-demand start is allowed now (the service allows
`start_limit` in `window_hours`; `apply --start-run` never asks for more).

Every read that fails raises: runs that could not be read are never shown as healthy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from reconciler import urls
from reconciler.errors import GraphError
from reconciler.graph import GraphClient
from reconciler.jsontypes import JSONObject
from reconciler.kinds.model import Kind, RunLog
from reconciler.status.times import instant

#: Runs listed by `status` and `doctor` (newest first).
SHOWN_RUNS = 5


@dataclass(frozen=True)
class RunSummary:
    id: str
    name: str
    status: str | None
    started: dt.datetime | None
    ended: dt.datetime | None
    errors: int | None = None
    warnings: int | None = None


@dataclass(frozen=True)
class RunsReport:
    log: RunLog
    #: Newest first, at most SHOWN_RUNS.
    runs: tuple[RunSummary, ...]
    #: Runs that started within the service's window (they count against the start limit).
    started_in_window: int
    #: When the oldest of those leaves the window (None: a start is allowed now).
    next_start_at: dt.datetime | None

    @property
    def running(self) -> RunSummary | None:
        return next((r for r in self.runs if r.status in self.log.running), None)

    @property
    def starts_left(self) -> int:
        return max(self.log.start_limit - self.started_in_window, 0)

    @property
    def last_finished(self) -> RunSummary | None:
        return next((r for r in self.runs if r.status not in self.log.running), None)

    @property
    def problem(self) -> str | None:
        """Why the last finished run needs an admin's attention (`status` exits 1)."""
        last = self.last_finished
        if last is None or last.status is None:
            return None
        if last.status in self.log.failed:
            return f"the last run ({last.name}) failed"
        if last.status in self.log.with_errors:
            count = "" if last.errors is None else f" {last.errors}"
            return f"the last run ({last.name}) completed with{count} errors"
        return None

    def start_refusal(self) -> str | None:
        """Why `apply --start-run` must not start a run now (None: it may)."""
        running = self.running
        if running is not None:
            started = running.started.isoformat() if running.started else "earlier"
            return f"a run is already running (started {started}); it picks up the changes"
        if self.starts_left == 0:
            after = self.next_start_at.isoformat() if self.next_start_at else "later"
            return (
                f"{self.started_in_window} runs started in the last {self.log.window_hours} "
                f"hours, the most the service allows; the next can start after {after}"
            )
        return None


def run_logs(kinds: Iterable[Kind]) -> list[RunLog]:
    """The distinct run logs of some kinds, in the kinds' order."""
    found: list[RunLog] = []
    for kind in kinds:
        if kind.run_log is not None and kind.run_log not in found:
            found.append(kind.run_log)
    return found


def _summary(body: JSONObject) -> RunSummary:
    status = body.get("status")
    return RunSummary(
        id=str(body.get("id", "")),
        name=str(body.get("displayName") or body.get("id") or "(unnamed run)"),
        status=str(status) if status is not None else None,
        started=instant(body.get("startDateTime")),
        ended=instant(body.get("endDateTime")),
    )


def _counted(client: GraphClient, log: RunLog, run: RunSummary) -> RunSummary:
    try:
        stats = client.fetch(urls.run_statistics_path(log, run.id)).body
    except GraphError as exc:
        raise exc.with_subject(f"statistics of run {run.name!r}") from None
    totals = stats.get("inboundTotals") if isinstance(stats, dict) else None
    if not isinstance(totals, dict):
        return run
    errors, warnings = totals.get("errors"), totals.get("warnings")
    return RunSummary(
        run.id,
        run.name,
        run.status,
        run.started,
        run.ended,
        errors=errors if isinstance(errors, int) else None,
        warnings=warnings if isinstance(warnings, int) else None,
    )


def read_runs(client: GraphClient, log: RunLog, now: dt.datetime) -> RunsReport:
    try:
        bodies = client.list(urls.runs_path(log))
    except GraphError as exc:
        raise exc.with_subject("reading the sync runs") from None
    far_past = dt.datetime.min.replace(tzinfo=dt.UTC)
    runs = sorted(
        (_summary(b) for b in bodies if isinstance(b, dict)),
        key=lambda r: r.started or far_past,
        reverse=True,
    )
    window = dt.timedelta(hours=log.window_hours)
    recent = [r.started for r in runs if r.started is not None and now - r.started < window]
    next_start_at = None
    if len(recent) >= log.start_limit:
        next_start_at = sorted(recent)[-log.start_limit] + window
    shown = tuple(
        r if r.status in log.running else _counted(client, log, r) for r in runs[:SHOWN_RUNS]
    )
    return RunsReport(log, shown, len(recent), next_start_at)


def start_run(client: GraphClient, log: RunLog) -> None:
    """`POST {runs}/start` (202, no body)."""
    try:
        client.write("POST", urls.run_start_path(log))
    except GraphError as exc:
        raise exc.with_subject("starting a sync run") from None
