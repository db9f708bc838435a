"""`apply --start-run`: after a successful apply, start one on-demand sync run for each run log
of the kinds written (Industry Data: `POST runs/start`), so the changes take effect now rather
than at the next scheduled run. Never while a run is running, never beyond the service's limit
(5 starts in 12 hours): the runs are read first, and a start that is not allowed is skipped
with the reason and when the next one may start."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from reconciler import urls
from reconciler.commands.interrupts import writes_begin
from reconciler.commands.loading import echo_err
from reconciler.graph import GraphClient
from reconciler.objects import DesiredObject
from reconciler.status.runs import read_runs, run_logs, start_run


def start_after_apply(
    client: GraphClient, objects: Iterable[DesiredObject], *, dry_run: bool
) -> None:
    """Raises GraphError when the runs cannot be read or the start is refused by Graph."""
    logs = run_logs(o.kind for o in objects)
    if not logs:
        echo_err(
            "--start-run: PATH declares no object of a kind with sync runs (the Industry Data "
            "kinds have them); no run started"
        )
        return
    for log in logs:
        report = read_runs(client, log, dt.datetime.now(dt.UTC))
        refusal = report.start_refusal()
        where = f"POST /{urls.run_start_path(log)}"
        if refusal is not None:
            echo_err(f"Not starting a sync run: {refusal}.")
            continue
        left = f"of {log.start_limit} on-demand starts left in {log.window_hours} hours"
        if dry_run:
            echo_err(f"Would start a sync run ({where}); {report.starts_left} {left}.")
            continue
        writes_begin()  # a run started is a write: an interrupt from here is not "nothing"
        start_run(client, log)
        echo_err(
            f"Started a sync run ({where}): the flows run now instead of at the next scheduled "
            f"run; {report.starts_left - 1} {left}."
        )
