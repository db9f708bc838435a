"""Turning normalised values back into what a reader expects to see."""

from __future__ import annotations

import json
from typing import Any


def presentable(value: Any) -> Any:
    """Keyed lists are held as {"[key]": item} internally; show them as lists again."""
    if isinstance(value, dict):
        if value and all(isinstance(k, str) and k.startswith("[") for k in value):
            return [presentable(v) for v in value.values()]
        return {k: presentable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [presentable(v) for v in value]
    return value


def inline(value: Any) -> str:
    """A value on one line: JSON spelling, so null/true/[] read the same as in the plan file."""
    if value is None:
        return "(absent)"
    return json.dumps(presentable(value), ensure_ascii=False, separators=(", ", ": "))
