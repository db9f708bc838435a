"""What apply tells people: the approval question, a line per finished change, the report (text,
markdown, versioned JSON) and what to run next."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from reconciler import __version__
from reconciler.apply import Outcome, Status
from reconciler.engine.model import Action, Change, Plan
from reconciler.names import quoted
from reconciler.render.plan_json import FORMAT_VERSION, plan_document
from reconciler.render.values import inline

#: Stable identifiers of the statuses in the JSON report.
STATUS_KEYS = {
    Status.DONE: "done",
    Status.UNSETTLED: "not_settled",
    Status.FAILED: "failed",
    Status.UNKNOWN: "unknown",
    Status.NOT_ATTEMPTED: "not_attempted",
}

RUN_AGAIN = (
    "Next: run `edusync-reconcile plan` to see what is left, then `edusync-reconcile apply` "
    "again (what was done is not done twice)."
)
CHECK_LATER = (
    "Next: the profiles marked 'not settled' were written; `edusync-reconcile plan` shows them "
    "once the server has finished with them."
)


def action_words(change: Change) -> str:
    """'update', or 'update, then resume' when a run-state action follows."""
    return (
        f"{change.action.value}, then {change.then.value}" if change.then else change.action.value
    )


def outcome_line(outcome: Outcome) -> str:
    """One line per finished change, as it finishes (CI logs)."""
    ident = f" ({outcome.object_id})" if outcome.object_id else ""
    name = quoted(outcome.change.name)
    return f"{outcome.status.value}: {action_words(outcome.change)} {name}{ident}"


def failed(outcomes: Iterable[Outcome]) -> bool:
    return any(o.status.is_failure for o in outcomes)


def next_steps(outcomes: list[Outcome]) -> list[str]:
    steps = []
    if failed(outcomes):
        steps.append(RUN_AGAIN)
    elif any(o.status is Status.UNSETTLED for o in outcomes):
        steps.append(CHECK_LATER)
    return steps


def report_text(outcomes: list[Outcome]) -> str:
    lines = ["", "Apply report:"]
    for status in Status:
        group = [o for o in outcomes if o.status is status]
        if not group:
            continue
        lines.append(f"  {status.value}: {len(group)}")
        for o in group:
            ident = f" ({o.object_id})" if o.object_id else ""
            detail = f"\n      {o.detail}" if o.detail else ""
            lines.append(f"    - {action_words(o.change)} {quoted(o.change.name)}{ident}{detail}")
    steps = next_steps(outcomes)
    if steps:
        lines += ["", *steps]
    return "\n".join(lines) + "\n"


def report_markdown(outcomes: list[Outcome]) -> str:
    lines = ["### edusync-reconcile apply", ""]
    for o in outcomes:
        ident = f" `{o.object_id}`" if o.object_id else ""
        detail = f": {o.detail}" if o.detail else ""
        lines.append(
            f"- **{o.status.value}**: {action_words(o.change)} **{o.change.name}**{ident}{detail}"
        )
    steps = next_steps(outcomes)
    if steps:
        lines += ["", *steps]
    return "\n".join(lines) + "\n"


def _outcome_entry(outcome: Outcome, base_url: str, dry_run: bool) -> dict[str, Any]:
    change = outcome.change
    return {
        "kind": change.kind.name,
        "name": change.name,
        "id": outcome.object_id,
        "action": change.action.value,
        "then": change.then.value if change.then else None,
        "status": _status_key(outcome, dry_run),
        "detail": outcome.detail or None,
        "requests": [
            {
                "method": r.method,
                "url": f"{base_url}/{r.path}",
                **({"body": r.shown_body} if dry_run and r.shown_body is not None else {}),
            }
            for r in outcome.sent
        ],
    }


#: In a dry run nothing is written: a change that went through says what would be done.
WOULD_BE_DONE = "would_be_done"


def empty_summary() -> dict[str, int]:
    """Every count of the report, zero: one list of keys for every document."""
    return dict.fromkeys((*STATUS_KEYS.values(), WOULD_BE_DONE), 0)


def _status_key(outcome: Outcome, dry_run: bool) -> str:
    if dry_run and outcome.status is Status.DONE:
        return WOULD_BE_DONE
    return STATUS_KEYS[outcome.status]


def report_document(
    plan: Plan,
    outcomes: list[Outcome],
    *,
    base_url: str,
    dry_run: bool = False,
    error: str | None = None,
) -> dict[str, Any]:
    """The apply report as one versioned JSON document: the plan it carried out, each change's
    outcome, counts, and what to run next."""
    counts = empty_summary()
    for o in outcomes:
        counts[_status_key(o, dry_run)] += 1
    return {
        "format_version": FORMAT_VERSION,
        "tool_version": __version__,
        "dry_run": dry_run,
        "plan": plan_document(plan),
        "outcomes": [_outcome_entry(o, base_url, dry_run) for o in outcomes],
        "summary": counts,
        "error": error,
        "next": next_steps(outcomes),
    }


# -- approval ----------------------------------------------------------------------------------
def _what(change: Change) -> str:
    """'Name' (id, first key setting): enough to recognise what is about to go."""
    details = [change.id] if change.id else []
    first = next((f for f in change.fields if f.before is not None), None)
    if change.action is Action.DELETE and first is not None:
        details.append(inline(first.before).strip('"'))
    return quoted(change.name) + (f" ({', '.join(details)})" if details else "")


def _counted(changes: list[Change]) -> str:
    """`1 profile`, `2 provisioning flows`; `3 objects` when they are of several kinds."""
    nouns = {c.kind.noun for c in changes}
    noun = nouns.pop() if len(nouns) == 1 else "object"
    return f"{len(changes)} {noun}" + ("" if len(changes) == 1 else "s")


def approval_question(plan: Plan) -> str:
    """The prompt: a delete or replace says what will be lost; anything else counts changes."""
    pending = plan.pending
    deletes = [c for c in pending if c.action is Action.DELETE]
    replaces = [c for c in pending if c.action is Action.REPLACE]
    lines = []
    if deletes:
        lines.append(
            f"This DELETES {_counted(deletes)}: {', '.join(_what(c) for c in deletes)}. "
            + ("Its" if len(deletes) == 1 else "Their")
            + " sync history is lost."
        )
    if replaces:
        lines.append(
            f"This REPLACES {_counted(replaces)} (deleted, then created anew): "
            f"{', '.join(_what(c) for c in replaces)}. "
            + ("Its" if len(replaces) == 1 else "Their")
            + " sync history is lost."
        )
    others = len(pending) - len(deletes) - len(replaces)
    if lines and others:
        lines.append(f"It also makes {others} other change{'s' if others != 1 else ''}.")
    count = f"{len(pending)} change{'s' if len(pending) != 1 else ''}"
    if lines:
        lines.append(f"Type 'yes' to carry out all {count}")
    else:
        lines.append(f"Carry out these {count} in the tenant? Type 'yes' to continue")
    return "\n".join(lines)


CANCELLED = "apply cancelled; nothing was written"
#: An answer that is a try at `yes` (y, Y, ye, YES, y e s, 'yes', yes.): worth telling why it
#: did not count. Matched only on short answers, which are the only ones shown back.
_TRY_AT_YES = re.compile(r"""['"]?y\s*(?:e\s*(?:s\s*)?)?[.!'"]?""", re.IGNORECASE)
_SHOWN_MAX = 12


def cancelled(answer: str) -> str:
    """Why apply stopped at the prompt: a near-`yes` is shown back (short, escaped)."""
    said = answer.strip()
    if len(said) > _SHOWN_MAX or not _TRY_AT_YES.fullmatch(said):
        return CANCELLED
    return f"you typed {said!a}; type yes in full to confirm. {CANCELLED}"
