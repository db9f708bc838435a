"""`--target NAME`: which names match, and a did-you-mean for those that match nothing.

Names match exactly (a displayName is case-sensitive in Graph and in git); a near miss — another
case, a typo — is offered back so the admin can correct the command line. Pure.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from reconciler.names import quoted


@dataclass(frozen=True)
class TargetMiss:
    """A `--target` that names nothing in git or in the tenant."""

    target: str
    suggestions: tuple[str, ...] = ()


def suggestions(target: str, names: Iterable[str], most: int = 3) -> tuple[str, ...]:
    """Names equal to `target` but for case first, then close ones (case-insensitively)."""
    by_folded: dict[str, list[str]] = {}
    for name in sorted(set(names)):
        by_folded.setdefault(name.casefold(), []).append(name)
    folded = target.casefold()
    if folded in by_folded:
        return tuple(by_folded[folded][:most])
    close = difflib.get_close_matches(folded, list(by_folded), n=most, cutoff=0.6)
    return tuple(name for key in close for name in by_folded[key])[:most]


def unmatched_targets(targets: Iterable[str], names: Iterable[str]) -> tuple[TargetMiss, ...]:
    known = set(names)
    return tuple(
        TargetMiss(target, suggestions(target, known))
        for target in sorted(set(targets))
        if target not in known
    )


def _spaced(text: str) -> str:
    return " ".join(text.split())


def _why(target: str, meant: str) -> str:
    """What differs between a --target and the name it was likely meant to be, in words."""
    if _spaced(target) == _spaced(meant):
        return " (the spaces differ: names match exactly, spaces included)"
    if target.casefold() == meant.casefold():
        return " (names are case-sensitive)"
    if _spaced(target).casefold() == _spaced(meant).casefold():
        return " (case and spaces differ: names match exactly)"
    return ""


def describe(miss: TargetMiss, origin: str = "--target") -> str:
    text = f"{origin} {quoted(miss.target)} matches no profile in git or in the tenant"
    if miss.suggestions:
        options = " or ".join(quoted(s) for s in miss.suggestions)
        return f"{text}; did you mean {options}?{_why(miss.target, miss.suggestions[0])}"
    return f"{text}; names are the displayName exactly as written in git"
