"""Turning plan values into what a reader expects to see.

Values reach the renderers in Graph's own shape (the engine converts its internal forms back,
see `engine.normalize.external`), so every format shows a list as a list, an empty one as `[]`.
"""

from __future__ import annotations

import json
from typing import Any

#: How a value that is not set (absent or null) reads in text and markdown.
NOT_SET = "(not set)"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def inline(value: Any, most: int | None = None) -> str:
    """A value on one line: JSON spelling, so true/[]/"text" read the same as in the plan file.
    With `most`, a longer list shows its first items and how many there are in all."""
    if value is None:
        return NOT_SET
    if most is not None and isinstance(value, list) and len(value) > most:
        shown = ", ".join(_json(v) for v in value[:most])
        return f"[{shown}, … {len(value) - most} more ({len(value)} in all)]"
    return _json(value)
