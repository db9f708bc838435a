"""The run-log part of `status` output (text, JSON, markdown); nothing is added for kinds
without a run log, so profile-only output is unchanged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from reconciler.status.runs import RunsReport, RunSummary
from reconciler.status.times import absolute, iso, when

OK, FAILED, RUNNING = "✓", "✗", "…"


def _mark(report: RunsReport, run: RunSummary) -> str:
    if run.status in report.log.running:
        return RUNNING
    bad = (*report.log.failed, *report.log.with_errors)
    return FAILED if run.status in bad else OK


def _counts(run: RunSummary) -> str:
    if run.errors is None and run.warnings is None:
        return "-"
    return f"{run.errors or 0} errors, {run.warnings or 0} warnings"


def heading(report: RunsReport) -> str:
    log = report.log
    return (
        f"Sync runs ({log.collection}): {report.started_in_window} started in the last "
        f"{log.window_hours} hours; {report.starts_left} of {log.start_limit} on-demand "
        "starts left"
    )


def text_lines(reports: Sequence[RunsReport], now: dt.datetime) -> list[str]:
    lines: list[str] = []
    for report in reports:
        lines.append(heading(report) + ":")
        if not report.runs:
            lines.append("  (no runs yet: the service runs twice a day once flows exist)")
        for run in report.runs:
            lines.append(
                f"  {_mark(report, run)} {when(run.started, now):<16} "
                f"{run.status or '-':<22} {_counts(run)}  {run.name}".rstrip()
            )
        if report.problem:
            lines.append(f"  {FAILED} {report.problem}: `status --format json` lists the counts")
        lines.append("")
    return lines


def json_runs(reports: Sequence[RunsReport]) -> list[dict[str, Any]]:
    return [
        {
            "collection": r.log.collection,
            "started_in_window": r.started_in_window,
            "window_hours": r.log.window_hours,
            "start_limit": r.log.start_limit,
            "starts_left": r.starts_left,
            "next_start_at": iso(r.next_start_at),
            "needs_attention": r.problem is not None,
            "problem": r.problem,
            "runs": [
                {
                    "id": run.id,
                    "name": run.name,
                    "status": run.status,
                    "started": iso(run.started),
                    "ended": iso(run.ended),
                    "errors": run.errors,
                    "warnings": run.warnings,
                }
                for run in r.runs
            ],
        }
        for r in reports
    ]


_MD = {OK: ":white_check_mark:", FAILED: ":x:", RUNNING: ":hourglass:"}


def markdown_lines(reports: Sequence[RunsReport], cell: Any) -> list[str]:
    lines: list[str] = []
    for report in reports:
        lines += [f"**{cell(heading(report))}**", ""]
        if report.runs:
            lines += ["| | started | status | errors | warnings | run |", "|---" * 6 + "|"]
            for run in report.runs:
                started = absolute(run.started) if run.started else "-"
                lines.append(
                    f"| {_MD[_mark(report, run)]} | {started} | {cell(run.status or '-')} | "
                    f"{'-' if run.errors is None else run.errors} | "
                    f"{'-' if run.warnings is None else run.warnings} | {cell(run.name)} |"
                )
            lines.append("")
        if report.problem:
            lines += [f"- :x: {cell(report.problem)}", ""]
    return lines
