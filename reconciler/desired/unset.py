"""Environment variables a `${NAME}` needs that cannot be used: not set, or set but empty.

An empty one is its own case: GitHub Actions hands a secret that does not exist (a typo in
`${{ secrets.NAME }}`, or one defined for another environment) to the step as an empty string,
so "declare it as ${VARIABLE}" would send the admin to fix what is already right.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

NOT_SET = "not set"
EMPTY = "set but empty"


def unusable(names: Iterable[str], env: Mapping[str, str]) -> dict[str, str]:
    """{name: NOT_SET or EMPTY} for each of `names` that cannot be used, in name order."""
    found = {}
    for name in sorted(set(names)):
        if name not in env:
            found[name] = NOT_SET
        elif not env[name].strip():
            found[name] = EMPTY
    return found


def describe(found: Mapping[str, str]) -> str:
    """'PS_SECRET, which is not set' / 'PS_SECRET, which is set but empty (…)'."""
    missing = [n for n, why in found.items() if why == NOT_SET]
    empty = [n for n, why in found.items() if why == EMPTY]
    parts = []
    if missing:
        parts.append(f"{', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} not set")
    if empty:
        parts.append(
            f"{', '.join(empty)}, which {'is' if len(empty) == 1 else 'are'} set but empty "
            "(give it a value; in GitHub Actions a secret that does not exist arrives empty: "
            "check the secret's name and environment)"
        )
    return "; and ".join(parts)
