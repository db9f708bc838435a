"""Saved plans (`plan --out`): reading them back and refusing them once they are stale."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from reconciler.engine.model import Change, Plan
from reconciler.engine.observed import observed_fields
from reconciler.errors import ConfigError
from reconciler.render.plan_json import FORMAT_VERSION, plan_document
from reconciler.render.plan_text import SUMMARY_ITEMS
from reconciler.render.values import inline

NOT_A_PLAN = "is not a plan written by `edusync-reconcile plan --out`"


def _what_it_is(text: str, document: Any) -> str:
    """A guess at what the file is instead, so the admin sees the mix-up."""
    if not text.strip():
        return "it is empty"
    if isinstance(document, dict) and isinstance(document.get("value"), list):
        return "it looks like a Graph response"
    if isinstance(document, dict) and ("displayName" in document or "dataProvider" in document):
        return "it looks like a profile"
    if document is None and ("displayName:" in text or "dataProvider:" in text):
        return "it looks like a desired-state YAML profile"
    return "it is not JSON" if document is None else "it is JSON, but not a plan"


def _other_document(document: dict[str, Any]) -> str | None:
    """Another of our versioned JSON documents, named by the command that writes it."""
    if "changes" in document:
        return None
    if "outcomes" in document:
        return "an apply report (`apply --format json`)"
    if "problems" in document and "error" not in document:
        return "the output of `validate --format json`"
    if "objects" in document:
        return "the output of `status --format json`"
    if "error" in document:
        return "an error report of `plan --format json`"
    return None


def read_saved_plan(path: str) -> dict[str, Any]:
    redo = (
        "Save a plan with `edusync-reconcile plan --out plan.json`, then run "
        "`edusync-reconcile apply --plan plan.json`"
    )
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"plan file {path} does not exist. {redo}") from None
    except IsADirectoryError:
        raise ConfigError(f"{path} is a directory, not a plan file. {redo}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path} {NOT_A_PLAN} (it is not text). {redo}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read the plan file {path}: {exc.strerror or exc}") from None
    try:
        document: Any = json.loads(text)
    except json.JSONDecodeError:
        document = None
    if not isinstance(document, dict) or "format_version" not in document:
        raise ConfigError(f"{path} {NOT_A_PLAN} ({_what_it_is(text, document)}). {redo}")
    if document.get("format_version") != FORMAT_VERSION:
        raise ConfigError(
            f"{path} was written by another version of edusync-reconcile (plan format "
            f"{document.get('format_version')}; this version reads {FORMAT_VERSION}). Run "
            "`edusync-reconcile plan --out plan.json` again with this version"
        )
    other = _other_document(document)
    if other:
        raise ConfigError(f"{path} {NOT_A_PLAN} (it is {other}). {redo}")
    changes = document.get("changes")
    options = document.get("options", {})
    if (
        not isinstance(changes, list)
        or not all(isinstance(c, dict) for c in changes)
        or not isinstance(options, dict)
        or not isinstance(options.get("targets", []), list)
    ):
        raise ConfigError(
            f"plan file {path} is damaged (its changes or options are not what `plan --out` "
            f"writes). {redo}"
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
        made_from = saved.get("desired_path")
        if isinstance(made_from, str) and _other_path(made_from, fresh.desired_path):
            reasons.append(
                f"it was made from {made_from}, not {fresh.desired_path}: give apply the PATH "
                "the plan was made from"
            )
        else:
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
    # By id first: two pinned objects may share a name; by name for a create, or a new id.
    saved_by_object = {
        (str(c.get("kind")), str(c.get("name"))): c for c in saved.get("changes", [])
    }
    saved_by_id = {(str(c.get("kind")), str(c.get("id"))): c for c in saved.get("changes", [])}
    for change in fresh.changes:
        old = saved_by_id.get((change.kind.name, str(change.id))) if change.id else None
        old = old or saved_by_object.get((change.kind.name, change.name))
        if old is not None and old.get("fingerprint") != change.fingerprint:
            reasons.append(_tenant_moved(old, change))
    return reasons


def _other_path(made_from: str, now: str) -> bool:
    """Two PATHs that do not name the same place (`ds`, `./ds/` and its absolute path do; the
    plan was made in this directory, as a reviewed plan is applied from the same checkout)."""
    return bool(made_from and now) and os.path.realpath(made_from) != os.path.realpath(now)


def target_conflict(saved: dict[str, Any], targets: tuple[str, ...], path: str) -> str | None:
    """Why `--target` cannot go with this saved plan (None: it may). A saved plan is carried out
    as it was made, so other targets are a mistake on the command line, not a stale plan."""
    planned = [str(t) for t in (saved.get("options") or {}).get("targets") or []]
    if not targets or set(targets) == set(planned):
        return None
    given = ", ".join(f"'{t}'" for t in targets)
    theirs = (
        "its targets are " + ", ".join(f"'{t}'" for t in planned)
        if planned
        else "it was made for the whole desired state (no --target)"
    )
    return (
        f"--target {given} differs from the targets of the saved plan {path}: {theirs}. A saved "
        "plan is carried out as it was made: leave --target out, or save a new plan with "
        f"`edusync-reconcile plan --target NAME --out {path}`"
    )
