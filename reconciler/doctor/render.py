"""Doctor's report: ✓/!/✗ lines with details and fixes, versioned JSON, or markdown."""

from __future__ import annotations

import json
from collections.abc import Callable

from reconciler import __version__
from reconciler.doctor.model import SYMBOLS, DoctorReport, Outcome

FORMAT_VERSION = 1


def verdict(report: DoctorReport) -> str:
    if report.ready:
        warnings = sum(1 for c in report.checks if c.outcome is Outcome.WARN)
        extra = f" ({warnings} warning(s) marked !)" if warnings else ""
        return f"Ready: a run can work from here{extra}."
    return f"Not ready: {len(report.failed)} check(s) failed (marked ✗); each says how to fix it."


def render_text(report: DoctorReport) -> str:
    lines = ["edusync-reconcile doctor: will a run work from here?", ""]
    for check in report.checks:
        lines.append(f"{SYMBOLS[check.outcome]} {check.title}: {check.summary}")
        lines.extend(f"    {detail}" for detail in check.details)
        if check.fix and check.outcome in (Outcome.FAIL, Outcome.WARN):
            lines.append(f"    fix: {check.fix}")
    lines += ["", verdict(report)]
    return "\n".join(lines) + "\n"


def render_json(report: DoctorReport) -> str:
    document = {
        "format_version": FORMAT_VERSION,
        "tool_version": __version__,
        "ready": report.ready,
        "checks": [
            {
                "id": c.id,
                "title": c.title,
                "outcome": c.outcome.value,
                "summary": c.summary,
                "details": list(c.details),
                "fix": c.fix,
            }
            for c in report.checks
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


_MD = {
    Outcome.OK: ":white_check_mark:",
    Outcome.WARN: ":warning:",
    Outcome.FAIL: ":x:",
    Outcome.SKIP: ":heavy_minus_sign:",
}


def render_markdown(report: DoctorReport) -> str:
    lines = ["### edusync-reconcile doctor", "", f"**{verdict(report)}**", ""]
    for check in report.checks:
        lines.append(f"- {_MD[check.outcome]} **{check.title}**: {check.summary}")
        lines.extend(f"  - {detail}" for detail in check.details)
        if check.fix and check.outcome in (Outcome.FAIL, Outcome.WARN):
            lines.append(f"  - fix: {check.fix}")
    return "\n".join(lines) + "\n"


RENDERERS: dict[str, Callable[[DoctorReport], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}
