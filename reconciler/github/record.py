"""The reviewed-plan record: a hidden, machine-readable line in the pull-request comment that
says exactly which plan was reviewed, so `apply --require-reviewed` can prove on merge that it
is about to carry out that plan and nothing else.

Built from the same plan document `plan --format json` prints (one source of truth), so a
secret is never in it (the document shows them as "(sensitive)") and nothing else decides what
"the same plan" means. Timestamps, warnings and the tool version are left out: they change
between the pull request's run and the merge without changing what apply would do.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from typing import Any
from urllib.parse import quote

RECORD_VERSION = 1
PLAN_MARKER = "<!-- edusync-reconcile:plan:{path} -->"
DRIFT_MARKER = "<!-- edusync-reconcile:drift:{path} -->"
APPLY_MARKER = "<!-- edusync-reconcile:apply:{path} -->"
_RECORD_PREFIX = "<!-- edusync-reconcile:record "
_RECORD = re.compile(r"<!-- edusync-reconcile:record (\{.*?\}) -->", re.DOTALL)


def normalise_path(path: str) -> str:
    """`desired-state`, `./desired-state/` and `desired-state//` name the same directory."""
    text = path.strip().replace("\\", "/") or "."
    return posixpath.normpath(text)


def _marker_path(path: str) -> str:
    # Inside an HTML comment: nothing that could end it (`>`), nothing ambiguous.
    return quote(normalise_path(path), safe="/._-~@+")


def plan_marker(path: str) -> str:
    return PLAN_MARKER.format(path=_marker_path(path))


def drift_marker(path: str) -> str:
    return DRIFT_MARKER.format(path=_marker_path(path))


def apply_marker(path: str) -> str:
    return APPLY_MARKER.format(path=_marker_path(path))


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def change_digest(change: dict[str, Any]) -> str:
    """Over what apply would do for one change: kind, name, id, action, follow-up, every field
    (path, before, after) and the fingerprint of the tenant object it was planned against."""
    return _digest(
        {
            "kind": change.get("kind"),
            "name": change.get("name"),
            "id": change.get("id"),
            "action": change.get("action"),
            "then": change.get("then"),
            "fields": [
                [f.get("path"), f.get("before"), f.get("after")] for f in change.get("fields", [])
            ],
            "fingerprint": change.get("fingerprint"),
        }
    )


def _entry(change: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": change.get("kind"),
        "name": change.get("name"),
        "action": change.get("action"),
        "then": change.get("then"),
        "fingerprint": change.get("fingerprint"),
        "fields": [f.get("path") for f in change.get("fields", [])],
        "digest": change_digest(change),
    }


def record_of(document: dict[str, Any]) -> dict[str, Any]:
    """The record of one plan document (`render.plan_json.plan_document`)."""
    pending = [c for c in document.get("changes", []) if c.get("action") != "noop"]
    entries = sorted(
        (_entry(c) for c in pending), key=lambda e: (str(e["kind"]), str(e["name"]), e["digest"])
    )
    return {
        "v": RECORD_VERSION,
        "path": normalise_path(str(document.get("desired_path") or "desired-state")),
        "graph_url": document.get("graph_url"),
        "desired_digest": document.get("desired_digest"),
        "digest": _digest(
            {
                "graph_url": document.get("graph_url"),
                "desired_digest": document.get("desired_digest"),
                "changes": [e["digest"] for e in entries],
            }
        ),
        "changes": entries,
    }


def _encode(record: dict[str, Any]) -> str:
    text = json.dumps(record, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    # `<`, `>` and `&` as JSON escapes: a profile name can never end the HTML comment.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"{_RECORD_PREFIX}{text} -->"


def render_record(record: dict[str, Any], budget: int) -> str:
    """The hidden line, within `budget` characters: per-change detail is dropped before the
    digest ever is (apply can still verify; it just cannot name the profile that differs)."""
    full = _encode(record)
    if len(full) <= budget:
        return full
    slim = {
        **record,
        "changes": [
            {k: e[k] for k in ("kind", "name", "action", "digest")} for e in record["changes"]
        ],
    }
    text = _encode(slim)
    if len(text) <= budget:
        return text
    return _encode({**record, "changes": None})


def parse_record(body: str) -> dict[str, Any] | None:
    """The record in a comment body, or None when there is none or it is damaged."""
    match = _RECORD.search(body)
    if not match:
        return None
    try:
        record = json.loads(match.group(1))
    except json.JSONDecodeError:
        return None
    if (
        not isinstance(record, dict)
        or record.get("v") != RECORD_VERSION
        or not isinstance(record.get("digest"), str)
    ):
        return None
    return record


def stale_cause(reviewed: dict[str, Any], fresh: dict[str, Any]) -> str:
    """What made the reviewed plan stale, for choosing the advice: "files" (the desired-state
    files differ: another change reached the branch; a re-run of the pull request's plan job
    plans its old merge commit again, so only a new plan helps), "graph" (the plan and apply
    jobs reached different Graph URLs), else "tenant" (edited since the review: re-planning
    the same files helps)."""
    if reviewed.get("desired_digest") != fresh.get("desired_digest"):
        return "files"
    if reviewed.get("graph_url") != fresh.get("graph_url"):
        return "graph"
    return "tenant"


def differences(reviewed: dict[str, Any], fresh: dict[str, Any]) -> list[str]:
    """Why the fresh plan is not the reviewed one, in words (empty when it is)."""
    if reviewed.get("digest") == fresh.get("digest"):
        return []
    reasons: list[str] = []
    if reviewed.get("graph_url") != fresh.get("graph_url"):
        reasons.append(
            f"it was reviewed against {reviewed.get('graph_url')}, not {fresh.get('graph_url')}"
        )
    if reviewed.get("desired_digest") != fresh.get("desired_digest"):
        reasons.append(
            "the desired-state files differ from the reviewed ones (another change reached "
            "the branch after the pull request's plan ran)"
        )
    before = reviewed.get("changes")
    if not isinstance(before, list):
        return reasons or ["the plan differs from the reviewed one"]
    old = {(str(e.get("kind")), str(e.get("name"))): e for e in before if isinstance(e, dict)}
    new = {(str(e["kind"]), str(e["name"])): e for e in fresh.get("changes") or []}
    for key in sorted(old.keys() - new.keys()):
        reasons.append(f"{old[key].get('action')} {key[1]!r} was reviewed but is no longer needed")
    for key in sorted(new.keys() - old.keys()):
        reasons.append(f"{new[key]['action']} {key[1]!r} is needed now but was not reviewed")
    for key in sorted(old.keys() & new.keys()):
        was, now = old[key], new[key]
        if was.get("digest") == now["digest"]:
            continue
        reasons.append(_change_reason(key[1], was, now))
    return reasons or ["the plan differs from the reviewed one"]


def _change_reason(name: str, was: dict[str, Any], now: dict[str, Any]) -> str:
    if (was.get("action"), was.get("then")) != (now["action"], now["then"]):
        return f"{name!r} was reviewed as {was.get('action')} but is now {now['action']}"
    if "fingerprint" in was and was.get("fingerprint") != now["fingerprint"]:
        return f"{name!r} changed in the tenant since the plan was reviewed"
    if "fields" in was and was.get("fields") != now["fields"]:
        changed = sorted(set(was.get("fields") or []) ^ set(now["fields"]))
        return (
            f"{name!r}: the fields to change differ from the reviewed ones ({', '.join(changed)})"
        )
    return f"{name!r}: the planned values differ from the reviewed ones"
