"""Markdown for a pull-request comment: summary first, one collapsible section per object,
always within GitHub's 65,536-character comment limit."""

from __future__ import annotations

from reconciler.engine.plan import Plan
from reconciler.render.plan_text import MARKERS, VERBS, field_line, show, summary_line

GITHUB_COMMENT_LIMIT = 65_536
MARKER_COMMENT = "<!-- edusync-reconcile plan -->"
_RESERVE = 400  # room for the truncation note


def _fence(text: str) -> str:
    # A field value could hold a backtick fence; a longer fence cannot be closed by it.
    fence = "`" * max(
        3, max((len(run) for run in text.split("\n") if set(run) == {"`"}), default=0) + 1
    )
    return f"{fence}diff\n{text}\n{fence}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_markdown(plan: Plan, limit: int = GITHUB_COMMENT_LIMIT) -> str:
    head = [MARKER_COMMENT, "### edusync-reconcile plan", "", f"**{summary_line(plan)}**", ""]
    for error in plan.errors:
        head.append(f"> :x: **error:** {_escape(error.message)}")
    for warning in plan.warnings:
        head.append(f"> :warning: {_escape(warning)}")
    if plan.errors or plan.warnings:
        head.append("")
    sections: list[str] = []
    for change in plan.pending:
        marker = MARKERS[change.action]
        ident = f" <code>{_escape(change.id)}</code>" if change.id else ""
        body_lines = [f"! {w}" for w in change.warnings]
        for f in change.fields:
            sign, text = field_line(change.action, f)
            if sign == "~":
                # GitHub colours only +/- lines in a diff block: show before and after as a pair.
                body_lines += [f"- {f.path}: {show(f.before)}", f"+ {f.path}: {show(f.after)}"]
            else:
                body_lines.append(f"{sign} {text}")
        sections.append(
            f"<details><summary><code>{marker}</code> <b>{_escape(change.name)}</b>{ident} "
            f"{_escape(VERBS[change.action])}</summary>\n\n{_fence(chr(10).join(body_lines))}\n\n</details>\n"
        )
    in_sync = [c for c in plan.changes if not c.writes]
    tail: list[str] = []
    if in_sync:
        tail.append(f"Up to date: {', '.join(_escape(c.name) for c in in_sync)}")
    if plan.unmanaged:
        tail.append(
            "Unmanaged (in the tenant, not in git): "
            + ", ".join(f"{_escape(u.name)} (`{u.id}`)" for u in plan.unmanaged)
        )
    text = "\n".join(head)
    tail_text = "\n\n".join(tail)
    budget = limit - len(text) - len(tail_text) - _RESERVE
    shown = 0
    for section in sections:
        if len(section) + 1 > budget:
            break
        text += section + "\n"
        budget -= len(section) + 1
        shown += 1
    if shown < len(sections):
        text += (
            f"\n> :scissors: {len(sections) - shown} more change(s) not shown to fit GitHub's "
            "comment limit; see the job log or the plan artifact for the full plan.\n\n"
        )
    return (text + tail_text).rstrip()[:limit] + "\n"
