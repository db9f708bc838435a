"""Naming things in messages: a value's place in the file, and the closest known word."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from reconciler.desired.yamlsource import Path


def close_match(word: str, choices: Iterable[str]) -> str | None:
    """The choice `word` most likely misspells (case-insensitive), or None."""
    lowered = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    match = close_match(word, choices)
    return f" (did you mean {match!r}?)" if match else ""


def label(path: Path) -> str:
    """`dataProvider.customizations.student`, `licensesToAssign[0].skuIds`, or `the profile`."""
    parts: list[str] = []
    for element in path:
        if isinstance(element, int):
            parts.append(f"[{element}]")
        else:
            parts.append(("." if parts else "") + element)
    return "".join(parts) or "the profile"


#: YAML 1.1 booleans that YAML 1.2 (and so this loader) reads as text.
_YAML11_BOOLEANS = {"yes": "true", "no": "false", "on": "true", "off": "false", "y": "true"}


def not_a_boolean(what: str, value: object) -> str:
    """`what must be true or false`, with the fix for a YAML 1.1 spelling such as `yes`."""
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return (
            f'{what} must be true or false, not the text "{value}": remove the quotes '
            f"(write {value.strip().lower()})"
        )
    fix = _YAML11_BOOLEANS.get(value.lower()) if isinstance(value, str) else None
    if fix:
        return (
            f"{what} must be true or false, not {value!r}: YAML 1.2 reads it as text; write {fix}"
        )
    return f"{what} must be true or false, not {value!r}"
