"""Saved plans (`plan --out`): reading them back and refusing them once they are stale."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reconciler.engine.plan import Plan
from reconciler.errors import ConfigError
from reconciler.render.plan_json import FORMAT_VERSION, plan_document


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


def staleness(saved: dict[str, Any], fresh: Plan) -> list[str]:
    """Why a saved plan no longer describes what apply would do (empty when it still does)."""
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
        reasons.append(f"{key[2]} {key[1]!r} is no longer needed")
    for key in sorted(fresh_changes.keys() - saved_changes.keys()):
        reasons.append(f"{key[2]} {key[1]!r} is now needed but was not in the plan")
    # Every object the plan looked at, no-ops included: drift since then means re-review.
    saved_prints = {
        (str(c.get("kind")), str(c.get("name"))): c.get("fingerprint")
        for c in saved.get("changes", [])
    }
    for change in fresh_document:
        key2 = (change["kind"], change["name"])
        if key2 in saved_prints and saved_prints[key2] != change["fingerprint"]:
            reasons.append(f"{change['name']!r} changed in the tenant since the plan was made")
    return reasons
