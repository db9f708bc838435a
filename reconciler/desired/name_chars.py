"""A warning for a natural key (`displayName`) holding characters people cannot see or tell
apart (see `reconciler.names`), at the value's FILE:LINE:COL."""

from __future__ import annotations

from typing import Any

from reconciler.desired.problems import Problem, Severity
from reconciler.desired.yamlsource import Document
from reconciler.names import odd_characters, quoted


def name_problems(file: str, doc: Document, key: str, body: Any) -> list[Problem]:
    name = body.get(key) if isinstance(body, dict) else None
    if not isinstance(name, str):
        return []
    odd = odd_characters(name)
    if not odd:
        return []
    line, col = doc.where((key,))
    return [
        Problem(
            file,
            line,
            col,
            Severity.WARNING,
            f"{key} {quoted(name)} holds {'; '.join(odd)}: it looks like another name but is "
            "not the same (a tenant profile or --target written the usual way will not match "
            "it); retype it with ordinary spaces and letters",
        )
    ]
