"""Markdown for a pull-request comment: summary first, one collapsible section per object,
always within GitHub's 65,536-character comment limit."""

from __future__ import annotations

from reconciler.engine.model import Change, Plan
from reconciler.names import escaped
from reconciler.render.plan_text import MARKERS, VERBS, field_line, order_note, show, summary_line

GITHUB_COMMENT_LIMIT = 65_536
MARKER_COMMENT = "<!-- edusync-reconcile plan -->"
_RESERVE = 400  # room for the truncation note
SECTION_LIMIT = 8_000


def _fence(text: str) -> str:
    # A field value could hold a backtick fence; a longer fence cannot be closed by it.
    fence = "`" * max(
        3, max((len(run) for run in text.split("\n") if set(run) == {"`"}), default=0) + 1
    )
    return f"{fence}diff\n{text}\n{fence}"


def _name(text: str) -> str:
    """A name, escaped for markdown, its invisible or look-alike characters written \\uXXXX."""
    return _escape(escaped(text))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _capped(lines: list[str], most: int, what: str) -> list[str]:
    if len(lines) <= most:
        return lines
    return [*lines[:most], f"> … and {len(lines) - most} more {what}; see the job log"]


def _fit(text: str, budget: int, note: str) -> str:
    """`text` cut at a line boundary to fit `budget`, with `note` saying so."""
    if len(text) <= budget:
        return text
    room = max(budget - len(note) - 2, 0)
    cut = text[:room].rsplit("\n", 1)[0] if "\n" in text[:room] else ""
    return f"{cut}\n{note}" if cut else note[:budget]


def _section(change: Change, after: tuple[Change, ...] = ()) -> str:
    marker = MARKERS[change.action]
    ident = f" <code>{_escape(change.id)}</code>" if change.id else ""
    then = f", then {change.then.value}d" if change.then else ""
    note = order_note(after)
    body_lines = [note] if note else []
    body_lines += [f"! {w}" for w in change.warnings]
    for f in change.fields:
        sign, text = field_line(change.action, f)
        if sign == "~":
            # GitHub colours only +/- lines in a diff block: show before and after as a pair.
            body_lines += [f"- {f.path}: {show(f.before)}", f"+ {f.path}: {show(f.after)}"]
        else:
            body_lines.append(f"{sign} {text}")
    # One huge change (a list of thousands of ids) must not crowd out all the others.
    body = _fit("\n".join(body_lines), SECTION_LIMIT, "… (cut to fit; see the job log)")
    return (
        f"<details><summary><code>{marker}</code> <b>{_name(change.name)}</b>{ident} "
        f"{_escape(VERBS[change.action])}{then}</summary>\n\n"
        f"{_fence(body)}\n\n</details>\n"
    )


def render_markdown(plan: Plan, limit: int = GITHUB_COMMENT_LIMIT) -> str:
    """Summary and errors first (they matter most), then changes, then the in-sync and
    unmanaged lists; whatever does not fit is cut with a note, never the comment."""
    notes = [f"> :x: **error:** {_escape(e.message)}" for e in plan.errors]
    notes += [
        f"> :warning: **{_name(c.name)}** reads the same source as **{_name(d.name)}** "
        f"({_escape(d.declared_at)}): two profiles on one SIS. See its section."
        if d.declared_at
        else f"> :warning: **{_name(c.name)}** looks like the unmanaged tenant profile "
        f"**{_name(d.name)}** (`{d.id}`): a rename without `id:`? See its section."
        for c in plan.changes
        for d in c.duplicate_of
    ]
    notes += [f"> :warning: {_escape(w)}" for w in plan.warnings]
    lines = [MARKER_COMMENT, "### edusync-reconcile plan", "", f"**{summary_line(plan)}**", ""]
    if notes:
        lines += [*_capped(notes, 30, "errors and warnings"), ""]
    head = "\n".join(lines) + "\n"
    head = _fit(head, limit // 4, "> (errors cut to fit; see the job log)\n")
    budget = limit - len(head) - _RESERVE
    body = ""
    sections = [_section(c, plan.depends_on(c)) for c in plan.pending]
    shown = 0
    for section in sections:
        if len(section) + 1 > budget - len(body):
            break
        body += section + "\n"
        shown += 1
    if shown < len(sections):
        body += (
            f"\n> :scissors: {len(sections) - shown} more change(s) not shown to fit GitHub's "
            "comment limit; see the job log or the plan artifact for the full plan.\n\n"
        )
    in_sync = [c for c in plan.changes if not c.writes]
    tail: list[str] = []
    if in_sync:
        tail.append("Up to date:\n" + "\n".join(f"- {_name(c.name)}" for c in in_sync))
    if plan.unmanaged:
        tail.append(
            "Unmanaged (in the tenant, not in git; left alone unless `--prune`):\n"
            + "\n".join(
                f"- {_name(u.name)} (`{u.id}`)"
                + "".join(
                    f" — looks like **{_name(n)}**, created by this plan" for n in u.resembles
                )
                for u in plan.unmanaged
            )
        )
    room = limit - len(head) - len(body) - 1
    tail_text = _fit("\n\n".join(tail), room, "… (list cut to fit; see the job log)")
    return (head + body + tail_text).rstrip() + "\n"
