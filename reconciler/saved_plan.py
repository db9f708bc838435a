"""Saved plans (`plan --out`): reading them back and refusing them once they are stale."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reconciler.engine.observed import observed_fields
from reconciler.engine.plan import Change, Plan
from reconciler.errors import ConfigError
from reconciler.render.plan_json import FORMAT_VERSION, plan_document
from reconciler.render.plan_text import SUMMARY_ITEMS
from reconciler.render.values import inline


def read_saved_plan(path: str) -> dict[str, Any]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"plan file {path!r} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(
            f"plan file {path!r} is not a plan written by `plan --out`: {exc}"
        ) from None
    if not isinstance(document, dict) or document.get("format_version") != FORMAT_VERSION:
        raise ConfigError(
            f"plan file {path!r} is not a format_version {FORMAT_VERSION} plan; "
            f"this version reads {FORMAT_VERSION}. Run plan again"
        )
    changes = document.get("changes")
    options = document.get("options", {})
    if (
        not isinstance(changes, list)
        or not all(isinstance(c, dict) for c in changes)
        or not isinstance(options, dict)
        or not isinstance(options.get("targets", []), list)
    ):
        raise ConfigError(
            f"plan file {path!r} is damaged (its changes or options are not what `plan --out` "
            "writes); run plan again"
        )
    return document


def _key(change: dict[str, Any]) -> tuple[str, str, str, str]:
    return (
        str(change.get("kind")),
        str(change.get("name")),
        str(change.get("action")),
        str(change.get("then")),
    )


def _words(key: tuple[str, str, str, str]) -> str:
    action = key[2] if key[3] in {"None", ""} else f"{key[2]}, then {key[3]}"
    return f"{action} '{key[1]}'"


def _show(value: Any) -> str:
    return inline(value, SUMMARY_ITEMS)


def moved_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """`path: saved → now` for every field that differs between two observed objects."""
    return [
        f"{path}: {_show(before.get(path))} → {_show(after.get(path))}"
        for path in sorted(before.keys() | after.keys())
        if before.get(path) != after.get(path)
    ]


def _field_paths(change: dict[str, Any]) -> list[str]:
    return [str(f.get("path")) for f in change.get("fields", []) if isinstance(f, dict)]


def _tenant_moved(saved: dict[str, Any], fresh: Change) -> str:
    what = f"'{fresh.name}' changed in the tenant since the plan was made"
    observed = saved.get("observed")
    now = observed_fields(fresh)
    if not isinstance(observed, dict) or now is None:
        return what  # a plan from `--format json` or an older version: no fields to compare
    moved = moved_fields(observed, now) or ["(only fields whose values are hidden: secrets)"]
    return what + ":\n      " + "\n      ".join(moved)


def staleness(saved: dict[str, Any], fresh: Plan) -> list[str]:
    """Why a saved plan no longer describes what apply would do (empty when it still does);
    each reason names what moved."""
    reasons: list[str] = []
    if saved.get("graph_url") != fresh.graph_url:
        reasons.append(f"it was made against {saved.get('graph_url')}, not {fresh.graph_url}")
    if saved.get("desired_digest") != fresh.desired_digest:
        reasons.append("the desired-state files changed since the plan was made")
    # Both sides keyed from the same document shape, so they cannot drift apart.
    fresh_document = plan_document(fresh)["changes"]
    saved_changes = {_key(c): c for c in saved.get("changes", []) if c.get("action") != "noop"}
    fresh_changes = {_key(c): c for c in fresh_document if c["action"] != "noop"}
    for key in sorted(saved_changes.keys() - fresh_changes.keys()):
        reasons.append(f"{_words(key)} is no longer needed")
    for key in sorted(fresh_changes.keys() - saved_changes.keys()):
        paths = ", ".join(_field_paths(fresh_changes[key])) or "no field changes"
        reasons.append(f"{_words(key)} is now needed but was not in the plan ({paths})")
    for key in sorted(saved_changes.keys() & fresh_changes.keys()):
        was, now = saved_changes[key].get("fields"), fresh_changes[key]["fields"]
        if was != now:
            changed = sorted(
                {str(f.get("path")) for f in (was or []) if isinstance(f, dict) and f not in now}
                | {str(f["path"]) for f in now if f not in (was or [])}
            )
            reasons.append(f"{_words(key)} now changes other values: {', '.join(changed)}")
    # Every object the plan looked at, no-ops included: drift since then means re-review.
    saved_by_object = {
        (str(c.get("kind")), str(c.get("name"))): c for c in saved.get("changes", [])
    }
    for change in fresh.changes:
        old = saved_by_object.get((change.kind.name, change.name))
        if old is not None and old.get("fingerprint") != change.fingerprint:
            reasons.append(_tenant_moved(old, change))
    return reasons
