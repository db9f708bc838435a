"""`status` output: a text table for the terminal, versioned JSON for machines, markdown for a
job summary. All three show the same report; personal data was masked before it got here."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from reconciler import __version__
from reconciler.status import runs_render
from reconciler.status.read import ObjectStatus, StatusReport, SyncError
from reconciler.status.times import absolute, iso, when

FORMAT_VERSION = 1
OK, FAILED, ABSENT = "✓", "✗", "-"
COLUMNS = ("NAME", "STATE", "RUN STATUS", "LAST SYNC", "LAST ACTIVITY", "ERRORS")


def _mark(obj: ObjectStatus) -> str:
    if obj.needs_attention:
        return FAILED
    return ABSENT if obj.id is None or obj.note else OK


def _label(obj: ObjectStatus, several_kinds: bool) -> str:
    name = obj.name or "(no name)"
    if several_kinds:
        name = f"{obj.kind.name} {name}"
    return name if obj.managed else f"{name} [unmanaged]"


def _cells(obj: ObjectStatus, report: StatusReport, several_kinds: bool) -> list[str]:
    if obj.id is None or (obj.state is None and obj.run_status is None and obj.problem):
        state = "(absent)" if obj.note else "(unmatched)"
        return [_label(obj, several_kinds), state, "-", "-", "-", "-"]
    now = report.created_at
    return [
        _label(obj, several_kinds),
        obj.state or "-",
        obj.run_status or "-",
        when(obj.last_sync, now),
        when(obj.last_activity, now),
        "-" if obj.error_count is None else str(obj.error_count),
    ]


def _several_kinds(report: StatusReport) -> bool:
    return len({o.kind.name for o in report.objects}) > 1


def summary_line(report: StatusReport) -> str:
    managed, failing = len(report.managed), len(report.failing)
    unmanaged = len(report.objects) - managed
    # Declared in git but not (yet) in the tenant: not a failure, and not healthy either.
    absent = sum(1 for o in report.managed if not o.needs_attention and o.id is None)
    extra = f", {unmanaged} unmanaged" if unmanaged else ""
    if absent:
        extra = f", {absent} not in the tenant yet (`apply` creates them)" + extra
    if not report.objects:
        return "No objects to report: PATH declares none (`--all` lists the tenant's)."
    if failing:
        return f"{failing} of {managed} managed object(s) need attention{extra}."
    if absent:
        return f"{managed - absent} of {managed} managed object(s) are healthy{extra}."
    return f"All {managed} managed object(s) are healthy{extra}."


def _pii_note(report: StatusReport) -> str:
    return "personal data shown" if report.show_pii else "personal data hidden; --show-pii shows it"


def _error_heading(obj: ObjectStatus, report: StatusReport) -> str:
    total = "?" if obj.error_count is None else str(obj.error_count)
    return (
        f"Latest sync errors of {obj.name} ({len(obj.errors)} of {total}, newest first; "
        f"{_pii_note(report)})"
    )


def no_errors_line(obj: ObjectStatus, report: StatusReport) -> str | None:
    """For --errors: an object whose log was asked for and holds none says so (silence would
    look like a bug, or like errors that were not read)."""
    if report.error_limit is None or obj.errors or obj.id is None or obj.kind.error_log is None:
        return None
    if obj.error_count:
        return f"No sync errors of {obj.name} listed, though its error count is {obj.error_count}."
    return f"No sync errors of {obj.name}."


def _error_lines(error: SyncError, free_text: tuple[str, ...]) -> list[str]:
    """One line of short members, then each free-text member indented on its own line."""
    moment = absolute(error.recorded_at) if error.recorded_at else "(no time)"
    shown = [(k, v) for k, v in error.values if v not in (None, "")]
    short = [f"{k}: {v}" for k, v in shown if k not in free_text]
    return [f"  {moment}  " + "  ".join(short)] + [f"      {v}" for k, v in shown if k in free_text]


# -- text --------------------------------------------------------------------------------------
def render_text(report: StatusReport) -> str:
    several = _several_kinds(report)
    lines = [f"Sync status at {absolute(report.created_at)} from {report.graph_url}", ""]
    if report.objects:
        rows = [["", *COLUMNS]] + [[_mark(o), *_cells(o, report, several)] for o in report.objects]
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for row in rows:
            lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        lines.append("")
    attention = [o for o in report.objects if o.needs_attention]
    if attention:
        lines.append("Needs attention:")
        for obj in attention:
            where = f" ({obj.where})" if obj.where and obj.where not in (obj.problem or "") else ""
            message = f" — {obj.message}" if obj.message else ""
            lines.append(f"  {FAILED} {_label(obj, several)}{where}: {obj.problem}{message}")
        lines.append("")
    noted = [o for o in report.objects if o.note]
    if noted:
        lines.append("Notes:")
        lines.extend(f"  {ABSENT} {o.name} ({o.where}): {o.note}" for o in noted)
        lines.append("")
    quiet = [line for line in (no_errors_line(o, report) for o in report.objects) if line]
    if quiet:
        lines.extend([*quiet, ""])
    for obj in report.objects:
        if report.error_limit is not None and obj.errors:
            lines.append(_error_heading(obj, report) + ":")
            free_text = obj.kind.error_log.free_text if obj.kind.error_log else ()
            for error in obj.errors:
                lines.extend(_error_lines(error, free_text))
            lines.append("")
    lines += runs_render.text_lines(report.runs, report.created_at)
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


# -- JSON --------------------------------------------------------------------------------------
def _object_json(obj: ObjectStatus, with_errors: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "kind": obj.kind.name,
        "name": obj.name,
        "id": obj.id,
        "managed": obj.managed,
        "where": obj.where,
        "state": obj.state,
        "run_status": obj.run_status,
        "status_message": obj.message,
        "last_sync": iso(obj.last_sync),
        "last_activity": iso(obj.last_activity),
        "error_count": obj.error_count,
        "needs_attention": obj.needs_attention,
        "problem": obj.problem,
        "note": obj.note,
    }
    if with_errors:
        doc["errors"] = [{"recorded_at": iso(e.recorded_at), **dict(e.values)} for e in obj.errors]
    return doc


def render_json(report: StatusReport) -> str:
    managed = report.managed
    document = {
        "format_version": FORMAT_VERSION,
        "tool_version": __version__,
        "graph_url": report.graph_url,
        "created_at": iso(report.created_at),
        "personal_data": "shown" if report.show_pii else "hidden",
        "objects": [_object_json(o, report.error_limit is not None) for o in report.objects],
        "summary": {
            "managed": len(managed),
            "unmanaged": len(report.objects) - len(managed),
            "needs_attention": len(report.failing),
            "not_in_tenant": sum(1 for o in managed if o.id is None and not o.problem),
        },
    }
    if report.runs:  # only added keys, and only for kinds with a run log
        document["runs"] = runs_render.json_runs(report.runs)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# -- markdown ----------------------------------------------------------------------------------
def cell(text: str) -> str:
    """Safe inside a markdown table cell: pipes escaped, no line breaks, no HTML."""
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", " ")
        .replace("\n", " ")
    )


_MD_MARKS: dict[str, str] = {OK: ":white_check_mark:", FAILED: ":x:", ABSENT: ":heavy_minus_sign:"}


def render_markdown(report: StatusReport) -> str:
    several = _several_kinds(report)
    lines = ["### edusync-reconcile status", "", f"**{cell(summary_line(report))}**", ""]
    if report.objects:
        lines += ["| | " + " | ".join(c.lower() for c in COLUMNS) + " |", "|---" * 7 + "|"]
        for obj in report.objects:
            cells = [_MD_MARKS[_mark(obj)], *(cell(c) for c in _cells(obj, report, several))]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    for obj in (o for o in report.objects if o.needs_attention):
        message = f" — {cell(obj.message)}" if obj.message else ""
        lines.append(f"- :x: **{cell(obj.name)}**: {cell(obj.problem or '')}{message}")
    for obj in (o for o in report.objects if o.note):
        lines.append(f"- :heavy_minus_sign: **{cell(obj.name)}**: {cell(obj.note or '')}")
    lines.append("")
    quiet = [line for line in (no_errors_line(o, report) for o in report.objects) if line]
    if quiet:
        lines.extend([*(f"- {cell(line)}" for line in quiet), ""])
    lines += runs_render.markdown_lines(report.runs, cell)
    for obj in report.objects:
        if report.error_limit is None or not obj.errors:
            continue
        columns = [k for k, _ in obj.errors[0].values]
        lines += [
            f"<details><summary>{cell(_error_heading(obj, report))}</summary>",
            "",
            "| recorded | " + " | ".join(columns) + " |",
            "|---" * (len(columns) + 1) + "|",
        ]
        for error in obj.errors:
            moment = absolute(error.recorded_at) if error.recorded_at else ""
            values = [cell(v or "") for _, v in error.values]
            lines.append(f"| {moment} | " + " | ".join(values) + " |")
        lines += ["", "</details>", ""]
    return "\n".join(lines).rstrip() + "\n"


RENDERERS: dict[str, Callable[[StatusReport], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}
