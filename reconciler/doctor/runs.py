"""doctor's line about the service's sync runs (kinds with a run log: Industry Data): the last
run, and how many on-demand starts `apply --start-run` has left. A failing sync never stops a
plan or an apply, so it is a warning here (`status` is what alerts on it)."""

from __future__ import annotations

import datetime as dt

from reconciler.doctor.model import Check, Outcome
from reconciler.doctor.network import NetworkProbe
from reconciler.doctor.reach import API_TIMEOUT, no_retries
from reconciler.doctor.state import Run
from reconciler.errors import GraphError
from reconciler.graph import GraphClient
from reconciler.kinds.model import RunLog
from reconciler.status.runs import RunsReport, read_runs, run_logs
from reconciler.status.times import iso

ID, TITLE = "runs", "sync runs"


def _summary(report: RunsReport) -> str:
    last = report.last_finished
    if last is None:
        done = "no finished run yet"
    else:
        counts = (
            "" if last.errors is None else f" ({last.errors} errors, {last.warnings or 0} warnings)"
        )
        done = f"last run {last.status}{counts}"
    return (
        f"{done}; {report.starts_left} of {report.log.start_limit} on-demand starts left in "
        f"{report.log.window_hours} hours"
    )


def _check(log: RunLog, client: GraphClient, now: dt.datetime) -> Check:
    try:
        report = read_runs(client, log, now)
    except GraphError as exc:
        fix = "see Graph's message"
        if exc.status == 403:
            fix = f"grant {log.read_permission} to this identity to see the sync runs"
        return Check(ID, TITLE, Outcome.WARN, f"the runs could not be read: {exc}", fix=fix)
    details = tuple(
        f"{run.status or '-'}: {run.name}, started {iso(run.started) or '-'}" for run in report.runs
    )
    refusal = report.start_refusal()
    if report.problem or refusal:
        see = "`edusync-reconcile status --format json` lists the runs and their counts"
        return Check(
            ID,
            TITLE,
            Outcome.WARN,
            f"{report.problem or _summary(report)}"
            + (f"; apply --start-run would not start one: {refusal}" if refusal else ""),
            details,
            fix=see if report.problem else None,
        )
    return Check(ID, TITLE, Outcome.OK, _summary(report), details)


def runs_checks(run: Run, network: NetworkProbe) -> None:
    logs = run_logs(run.kinds_in_use)
    if not logs:
        return
    if run.settings is None or network.failed_step or run.provider is None:
        run.skip(ID, TITLE, "Graph is unreachable or there is no token (see above)")
        return
    client = GraphClient(
        run.settings.graph_url, run.provider, pool_size=1, timeout=API_TIMEOUT, reads=no_retries()
    )
    try:
        for log in logs:
            run.add(_check(log, client, dt.datetime.now(dt.UTC)))
    finally:
        client.close()
