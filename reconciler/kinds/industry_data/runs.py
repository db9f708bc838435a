"""The Industry Data run log (`/external/industryData/runs`, reference §1.9, §2.1-§2.2): runs
happen twice a day on their own; `runs/start` starts one on demand (202), at most 5 in 12 hours
(correction 10)."""

from __future__ import annotations

from reconciler.kinds.industry_data.common import ROOT
from reconciler.kinds.model import RunLog

RUNS = RunLog(
    collection=f"{ROOT}/runs",
    statistics="getStatistics",
    start_action="start",
    start_limit=5,
    window_hours=12,
    running=("running",),
    failed=("failed",),
    with_errors=("completedWithErrors",),
    with_warnings=("completedWithWarnings",),
    read_permission="IndustryData-Run.Read.All",
    start_permission="IndustryData-Run.Start",
)
