"""The versioned, stable JSON plan (`--format json` and the `plan --out` file)."""

from __future__ import annotations

import json
from typing import Any

from reconciler import __version__
from reconciler.engine.plan import Plan

FORMAT_VERSION = 1


def plan_document(plan: Plan) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "tool_version": __version__,
        "graph_url": plan.graph_url,
        "created_at": plan.created_at,
        "desired_path": plan.desired_path,
        "desired_digest": plan.desired_digest,
        "options": {"prune": plan.options.prune, "targets": list(plan.options.targets)},
        "changes": [
            {
                "kind": c.kind.name,
                "name": c.name,
                "id": c.id,
                "action": c.action.value,
                "fields": [
                    {"path": f.path, "before": f.before, "after": f.after} for f in c.fields
                ],
                "fingerprint": c.fingerprint,
                "warnings": list(c.warnings),
                **({"then": c.then.value} if c.then else {}),
                **(
                    {
                        "duplicate_of": [
                            {"id": d.id, "name": d.name, "reason": d.reason} for d in c.duplicate_of
                        ]
                    }
                    if c.duplicate_of
                    else {}
                ),
            }
            for c in plan.changes
        ],
        "unmanaged": [
            {
                "kind": u.kind.name,
                "name": u.name,
                "id": u.id,
                **({"resembles": list(u.resembles)} if u.resembles else {}),
            }
            for u in plan.unmanaged
        ],
        "errors": [{"name": e.name, "message": e.message} for e in plan.errors],
        "warnings": list(plan.warnings),
        "summary": plan.summary(),
    }


def render_json(plan: Plan) -> str:
    return json.dumps(plan_document(plan), indent=2, ensure_ascii=False) + "\n"
