"""`${NAME}` references to environment variables; `$${` writes a literal `${`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)\}?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: How other tools write a variable: $NAME (shells), %NAME% (cmd), $(NAME) (make, Azure
#: Pipelines), $env:NAME (PowerShell). None of them is expanded here.
_LOOKALIKES = (
    re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)"),
    re.compile(r"%([A-Za-z_][A-Za-z0-9_]*)%"),
    re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)"),
    re.compile(r"\$env:([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE),
)
#: A GitHub Actions expression, which only a workflow file expands.
_ACTIONS_EXPRESSION = re.compile(r"\$\{\{\s*(?:secrets|env|vars)\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@dataclass(frozen=True)
class Interpolated:
    value: str
    #: Variables the text referred to (so the value is a secret).
    names: tuple[str, ...]
    #: Referenced variables that are not set.
    missing: tuple[str, ...]


def lookalike(text: str) -> tuple[str, str] | None:
    """(written, meant) when `text` holds a variable in another tool's syntax:
    `$PS_SECRET` → `${PS_SECRET}`, `https://$PS_HOST` → `https://${PS_HOST}`."""
    if "$" not in text and "%" not in text:  # every look-alike holds one; most values neither
        return None
    stripped = text.strip()
    for pattern in _LOOKALIKES:
        match = pattern.fullmatch(stripped)
        if match:
            return stripped, f"${{{match.group(1)}}}"
    for pattern in _LOOKALIKES:  # inside a value: https://$PS_HOST
        if pattern.search(stripped):
            return stripped, pattern.sub(lambda m: f"${{{m.group(1)}}}", stripped)
    return None


def references(text: str) -> tuple[str, ...]:
    """Names of the variables `text` refers to; raises ValueError on a malformed reference."""
    if "$" not in text:  # every reference starts with one; most values have none
        return ()
    expression = _ACTIONS_EXPRESSION.search(text)
    if expression:
        name = expression.group(1)
        raise ValueError(
            f"{expression.group(0)!r} is a GitHub Actions expression, which is not expanded in "
            f"desired-state files: write ${{{name}}} here, and give the workflow step "
            f"env: {name}: {expression.group(0)}"
        )
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
