"""Terraform-like text: one block per object with + ~ - ± markers, then the summary line."""

from __future__ import annotations

from collections.abc import Callable

from reconciler.engine.diff import FieldDiff
from reconciler.engine.model import Action, Change, Plan
from reconciler.engine.normalize import SENSITIVE
from reconciler.names import escaped
from reconciler.render.values import inline

MARKERS = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.REPLACE: "±",
    Action.DELETE: "-",
    Action.PAUSE: "~",
    Action.RESUME: "~",
}
COLOURS = {"+": "green", "~": "yellow", "-": "red", "±": "magenta", "!": "red"}
VERBS = {
    Action.CREATE: "will be created",
    Action.UPDATE: "will be updated in place",
    Action.REPLACE: "must be REPLACED (deleted, then created anew)",
    Action.DELETE: "will be DELETED",
    Action.PAUSE: "will be paused",
    Action.RESUME: "will be resumed",
}

Style = Callable[[str, str], str]


def _plain(text: str, _colour: str) -> str:
    return text


#: A delete summarises: long lists (hundreds of school ids) show their first items and a count.
SUMMARY_ITEMS = 5


def show(value: object, most: int | None = None) -> str:
    return SENSITIVE if value == SENSITIVE else inline(value, most)


def field_line(action: Action, f: FieldDiff) -> tuple[str, str]:
    if action is Action.CREATE:
        return "+", f"{f.path}: {show(f.after)}"
    if action is Action.DELETE:
        return "-", f"{f.path}: {show(f.before, SUMMARY_ITEMS)}"
    return "~", f"{f.path}: {show(f.before)} → {show(f.after)}"


def order_note(after: tuple[Change, ...]) -> str | None:
    """What a change waits for, in words (None: it waits for nothing)."""
    if not after:
        return None
    return "after " + ", ".join(f"{c.action.value} {c.label}" for c in after)


def change_block(change: Change, style: Style, after: tuple[Change, ...] = ()) -> list[str]:
    marker = MARKERS[change.action]
    name = escaped(change.name)
    ident = f" ({change.id})" if change.id else ""
    then = f", then {change.then.value}d" if change.then else ""
    lines = [
        style(
            f'  {marker} {change.kind.name} "{name}"{ident} {VERBS[change.action]}{then}',
            COLOURS[marker],
        )
    ]
    note = order_note(after)
    if note:
        lines.append(f"      {note}")
    for warning in change.warnings:
        lines.append(style(f"      ! {warning}", "red"))
    for f in change.fields:
        sign, text = field_line(change.action, f)
        lines.append(style(f"      {sign} ", COLOURS[sign]) + text)
    return lines


def summary_line(plan: Plan) -> str:
    s = plan.summary()
    counts = (
        f"{s['create']} to create, {s['update']} to update, {s['replace']} to replace, "
        f"{s['delete']} to delete."
    )
    if s["pause"] or s["resume"]:
        counts += f" Run state: {s['pause']} to pause, {s['resume']} to resume."
    if plan.errors:
        # Never "No changes" when some profiles could not be planned at all.
        return f"Plan failed: {len(plan.errors)} error(s), see above. The rest: {counts}"
    if not plan.has_changes:
        if plan.options.targets:  # only part of the tenant was looked at
            return "No changes for the targeted profiles."
        if plan.unmanaged and not plan.changes:  # git declares nothing: nothing to match
            return (
                f"No changes: the desired state declares no profile; the tenant's "
                f"{len(plan.unmanaged)} are unmanaged (left alone). To manage them, "
                "`edusync-reconcile export` writes them as desired-state files."
            )
        return "No changes. Tenant matches desired state."
    return f"Plan: {counts}"


def render_text(plan: Plan, style: Style = _plain, *, quiet: bool = False) -> str:
    """The plan for a terminal or a CI log. `quiet` keeps changes, warnings, errors and the
    summary, and leaves out the up-to-date and unmanaged lists."""
    out: list[str] = []
    pending = plan.pending
    if pending:
        out.append("edusync-reconcile will perform these actions:")
        out.append("")
        for change in pending:
            out.extend(change_block(change, style, plan.depends_on(change)))
            out.append("")
    in_sync = [c for c in plan.changes if not c.writes and not (quiet and not c.warnings)]
    for change in in_sync:
        note = "".join(f"\n      ! {w}" for w in change.warnings)
        out.append(
            f'  = {change.kind.name} "{escaped(change.name)}" ({change.id}) is up to date{note}'
        )
    if in_sync:
        out.append("")
    if plan.unmanaged and not quiet:
        out.append("Unmanaged (in the tenant, not in git; left alone unless --prune):")
        for u in plan.unmanaged:
            line = f'  ? {u.kind.name} "{escaped(u.name)}" ({u.id})'
            if u.resembles:
                names = ", ".join(f'"{escaped(n)}"' for n in u.resembles)
                line += style(f" looks like {names}, which this plan creates (see above)", "red")
            out.append(line)
        out.append("")
    for warning in plan.warnings:
        out.append(style(f"warning: {warning}", "yellow"))
    for error in plan.errors:
        out.append(style(f"error: {error.message}", "red"))
    if plan.warnings or plan.errors:
        out.append("")
    out.append(summary_line(plan))
    return "\n".join(out) + "\n"
