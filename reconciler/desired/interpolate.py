"""`${NAME}` references to environment variables; `$${` writes a literal `${`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)\}?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Interpolated:
    value: str
    #: Variables the text referred to (so the value is a secret).
    names: tuple[str, ...]
    #: Referenced variables that are not set.
    missing: tuple[str, ...]


def references(text: str) -> tuple[str, ...]:
    """Names of the variables `text` refers to; raises ValueError on a malformed reference."""
    names: list[str] = []
    for match in _TOKEN.finditer(text):
        if match.group(0) == "$${":
            continue
        inner = match.group(1)
        if not match.group(0).endswith("}") or not _NAME.fullmatch(inner or ""):
            raise ValueError(
                f"malformed variable reference {match.group(0)!r}: write ${{NAME}}, NAME made of "
                "letters, digits and _ (or $${ for a literal ${)"
            )
        names.append(inner)
    return tuple(names)


def interpolate(text: str, env: Mapping[str, str]) -> Interpolated:
    names = references(text)
    missing = tuple(n for n in names if n not in env)

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$${":
            return "${"
        return env.get(match.group(1), "")

    return Interpolated(_TOKEN.sub(substitute, text), names, missing)
