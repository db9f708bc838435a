"""The markdown GitHub shows: the sticky plan comment, the drift issue, the apply report and
refusals. Pure: everything it says comes from its arguments. Every text fits GitHub's
65,536-character limit for a comment or issue body: parts are cut with a note, never the whole,
and the hidden record is reserved first so it is never cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reconciler.engine.model import Action, Plan
from reconciler.github.phrases import em
from reconciler.github.record import apply_marker, drift_marker, normalise_path, plan_marker
from reconciler.render.plan_markdown import GITHUB_COMMENT_LIMIT, MARKER_COMMENT, render_markdown
from reconciler.render.plan_text import summary_line

MOST_SENTENCES = 40
MOST_WARNINGS = 30
_NOTE_ROOM = 200


@dataclass(frozen=True)
class Where:
    """Where the text comes from: the desired-state path, the commit and the run."""

    path: str
    sha: str | None = None
    run_url: str | None = None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _title(marker: str, command: str, path: str) -> str:
    return f"{marker}\n### edusync-reconcile {command} · `{_escape(normalise_path(path))}`"


def _bullets(items: Sequence[str], most: int, what: str) -> str:
    lines = [f"- {i}" for i in items[:most]]
    if len(items) > most:
        lines.append(f"- … and {len(items) - most} more {what} (see the details below)")
    return "\n".join(lines)


def _fit(text: str, budget: int, note: str) -> str:
    if len(text) <= budget:
        return text
    room = max(budget - len(note) - 1, 0)
    cut = text[:room].rsplit("\n", 1)[0] if "\n" in text[:room] else ""
    return f"{cut}\n{note}" if cut else note[:budget]


def _plan_details(plan: Plan, budget: int) -> str:
    """The detailed plan (render/plan_markdown.py) without its own heading and summary line,
    which this text already shows at the top."""
    text = render_markdown(plan, limit=max(budget, 1_000))
    lines = text.split("\n")
    if lines and lines[0] == MARKER_COMMENT:
        lines = lines[1:]
    if lines and lines[0].startswith("### "):
        lines = lines[1:]
    while lines and not lines[0].strip():
        lines = lines[1:]
    if lines and lines[0] == f"**{summary_line(plan)}**":
        lines = lines[1:]
    body = "\n".join(lines).strip("\n")
    return _fit(body, budget, "> :scissors: the detailed plan was cut to fit; see the job log.")


def destructive_callout(plan: Plan) -> str:
    destructive = [c for c in plan.pending if c.action in (Action.DELETE, Action.REPLACE)]
    if not destructive:
        return ""
    lines = ["> [!CAUTION]", "> **This plan deletes profiles in the tenant:**"]
    for change in destructive[:MOST_SENTENCES]:
        if change.action is Action.DELETE:
            lines.append(f"> - delete {em(change.name)}")
        else:
            lines.append(
                f"> - replace {em(change.name)}: deleted, then created anew (sync history lost)"
            )
    if len(destructive) > MOST_SENTENCES:
        lines.append(f"> - … and {len(destructive) - MOST_SENTENCES} more")
    return "\n".join(lines)


def _sections(
    plan: Plan, sentences: Sequence[str], warnings: Sequence[str], plain_heading: str
) -> str:
    parts = []
    callout = destructive_callout(plan)
    if callout:
        parts.append(callout)
    if sentences:
        parts.append(f"#### {plain_heading}\n\n" + _bullets(sentences, MOST_SENTENCES, "changes"))
    if warnings:
        parts.append(
            "#### Check before merging\n\n"
            + _bullets([f":warning: {w}" for w in warnings], MOST_WARNINGS, "warnings")
        )
    return "\n\n".join(parts)


def _footer(where: Where, extra: str = "") -> str:
    bits = []
    if where.sha:
        bits.append(f"commit `{_escape(where.sha[:12])}`")
    if where.run_url:
        bits.append(f"[workflow run]({where.run_url})")
    text = " · ".join(bits)
    if extra:
        text = f"{text} · {extra}" if text else extra
    return f"<sub>{text}</sub>" if text else ""


def _assemble(head: str, middle: str, details: str, tail: str, limit: int) -> str:
    """head + middle + details + tail within `limit`: details give way first, then middle."""
    fixed = len(head) + len(tail) + 8
    middle = _fit(middle, max((limit - fixed) // 3, 0), "> (cut to fit; see the job log)")
    room = limit - fixed - len(middle)
    details = _fit(
        details, max(room, 0), "> :scissors: cut to fit GitHub's limit; see the job log."
    )
    text = "\n\n".join(p for p in (head, middle, details, tail) if p).rstrip() + "\n"
    if len(text) > limit:  # a last guard; the budgets above should never let this happen
        text = text[: limit - len(tail) - 2].rsplit("\n", 1)[0] + "\n\n" + tail + "\n"
    return text


def plan_comment(
    plan: Plan,
    where: Where,
    *,
    sentences: Sequence[str],
    warnings: Sequence[str],
    record_line: str,
    limit: int = GITHUB_COMMENT_LIMIT,
) -> str:
    """The sticky pull-request comment: summary, destructive changes, plain words, school
    warnings, the detailed plan, and the hidden record (reserved first, never cut)."""
    path = normalise_path(where.path)
    head = (
        f"{plan_marker(where.path)}\n### edusync-reconcile plan · `{_escape(path)}`\n\n"
        f"**{summary_line(plan)}**"
    )
    if plan.errors:
        head += "\n\n:x: The plan failed for some profiles; merging would not apply it."
    middle = _sections(plan, sentences, warnings, "In plain words")
    note = (
        "apply on merge re-checks this plan and refuses if the tenant or the files changed"
        if record_line
        else "no reviewed-plan record: apply on merge will refuse until the plan succeeds"
    )
    tail = _footer(where, note) + ("\n" + record_line if record_line else "")
    details_budget = limit - len(head) - len(tail) - _NOTE_ROOM
    details = "#### Details\n\n" + _plan_details(plan, max(details_budget - 20, 0))
    return _assemble(head, middle, details, tail, limit)


def summary_markdown(
    plan: Plan,
    where: Where,
    *,
    sentences: Sequence[str],
    warnings: Sequence[str],
    limit: int = GITHUB_COMMENT_LIMIT,
) -> str:
    """For `$GITHUB_STEP_SUMMARY`: the comment's text without its marker and record."""
    head = (
        f"### edusync-reconcile plan · `{_escape(normalise_path(where.path))}`\n\n"
        f"**{summary_line(plan)}**"
    )
    middle = _sections(plan, sentences, warnings, "In plain words")
    details = "#### Details\n\n" + _plan_details(plan, limit - len(head) - _NOTE_ROOM)
    return _assemble(head, middle, details, "", limit)


def plan_failed_comment(where: Where, message: str, limit: int = GITHUB_COMMENT_LIMIT) -> str:
    """The sticky comment when no plan could be made: it must not keep showing an old plan."""
    head = (
        _title(plan_marker(where.path), "plan", where.path)
        + "\n\n**Plan failed.** Nothing can be applied from this pull request until it succeeds."
    )
    body = "```text\n" + message.replace("```", "'''") + "\n```"
    return _assemble(head, "", body, _footer(where), limit)


def drift_issue_body(
    plan: Plan,
    where: Where,
    *,
    sentences: Sequence[str],
    warnings: Sequence[str],
    checked_at: str,
    limit: int = GITHUB_COMMENT_LIMIT,
) -> str:
    path = normalise_path(where.path)
    head = (
        f"{drift_marker(where.path)}\n### The tenant no longer matches `{_escape(path)}`\n\n"
        f"Last checked {checked_at}. **{summary_line(plan)}** This issue is updated on every "
        "drift check and closed when the tenant matches git again.\n\n"
        "To resolve it, either put git's state back: open a pull request (any change, e.g. an "
        "empty commit) — it is planned and, once merged, applied (re-running an earlier apply "
        "job is refused: the tenant no longer matches the plan it reviewed). Or keep the edit "
        "made in the tenant: change the YAML in git to what the tenant now holds."
    )
    middle = _sections(plan, sentences, warnings, "What apply would change")
    tail = _footer(where)
    details = "#### Details\n\n" + _plan_details(plan, limit - len(head) - len(tail) - _NOTE_ROOM)
    return _assemble(head, middle, details, tail, limit)


def drift_closed_note(where: Where, checked_at: str) -> str:
    run = f" ([workflow run]({where.run_url}))" if where.run_url else ""
    path = _escape(normalise_path(where.path))
    return f"The tenant matches `{path}` again as of {checked_at}{run}. Closing."


def apply_comment(
    where: Where,
    *,
    code: int,
    report: str,
    after: Plan | None,
    after_error: str | None = None,
    limit: int = GITHUB_COMMENT_LIMIT,
) -> str:
    """A new comment on the merged pull request: what apply did, and the plan that follows."""
    outcome = (
        ":white_check_mark: **Applied.**"
        if code == 0
        else f":x: **Apply failed** (exit code {code})."
    )
    head = _title(apply_marker(where.path), "apply", where.path) + f"\n\n{outcome}"
    middle = (
        "<details open><summary>Apply report</summary>\n\n```text\n"
        + (report.strip().replace("```", "'''") or "Nothing to apply: the tenant already matched.")
        + "\n```\n\n</details>"
    )
    if after is not None:
        converged = "" if after.has_changes or after.errors else " :white_check_mark:"
        details = (
            f"#### Plan after apply{converged}\n\n**{summary_line(after)}**\n\n"
            + _plan_details(after, limit // 2)
        )
    else:
        details = f"#### Plan after apply\n\nNot available: {after_error or 'not run'}"
    return _assemble(head, middle, details, _footer(where), limit)


def refusal_comment(where: Where, message: str, limit: int = GITHUB_COMMENT_LIMIT) -> str:
    head = (
        _title(apply_marker(where.path), "apply", where.path) + "\n\n:no_entry: **Apply stopped.**"
    )
    body = "```text\n" + message.replace("```", "'''") + "\n```"
    return _assemble(head, "", body, _footer(where), limit)
