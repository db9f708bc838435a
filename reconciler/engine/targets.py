"""`--target NAME`: which names match, and a did-you-mean for those that match nothing.

Names match exactly (a displayName is case-sensitive in Graph and in git); a near miss — another
case, a typo — is offered back so the admin can correct the command line. Pure.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


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


def describe(miss: TargetMiss, origin: str = "--target") -> str:
    text = f"{origin} '{miss.target}' matches no profile in git or in the tenant"
    if miss.suggestions:
        options = " or ".join(f"'{s}'" for s in miss.suggestions)
        return f"{text}; did you mean {options}? (names are case-sensitive)"
    return f"{text}; names are the displayName exactly as written in git"
