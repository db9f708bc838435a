"""The versioned, stable JSON plan (`--format json` and the `plan --out` file)."""

from __future__ import annotations

import json
from typing import Any

from reconciler import __version__
from reconciler.engine.model import Plan
from reconciler.engine.observed import observed_fields

FORMAT_VERSION = 1


def plan_document(plan: Plan, *, observed: bool = False) -> dict[str, Any]:
    """The plan as JSON. `observed` adds, per change, the tenant object's fields as read
    (secrets masked): the `--out` file keeps them so a stale plan can say what moved."""
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
                # Changes run in list order; these must be done before this one starts.
                **(
                    {
                        "depends_on": [
                            {"kind": d.kind.name, "name": d.name, "action": d.action.value}
                            for d in plan.depends_on(c)
                        ]
                    }
                    if c.depends_on
                    else {}
                ),
                **(
                    {
                        "duplicate_of": [
                            {
                                "id": d.id or None,
                                "name": d.name,
                                "reason": d.reason,
                                **({"declared_at": d.declared_at} if d.declared_at else {}),
                            }
                            for d in c.duplicate_of
                        ]
                    }
                    if c.duplicate_of
                    else {}
                ),
                **({"observed": observed_fields(c)} if observed else {}),
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


def render_json(plan: Plan, *, observed: bool = False) -> str:
    document = plan_document(plan, observed=observed)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
