"""Turning plan values into what a reader expects to see.

Values reach the renderers in Graph's own shape (the engine converts its internal forms back,
see `engine.normalize.external`), so every format shows a list as a list, an empty one as `[]`.
"""

from __future__ import annotations

import json
from typing import Any

#: How a value that is not set (absent or null) reads in text and markdown.
NOT_SET = "(not set)"


def inline(value: Any) -> str:
    """A value on one line: JSON spelling, so true/[]/"text" read the same as in the plan file."""
    if value is None:
        return NOT_SET
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
