"""Whether a value written with `${NAME}`s is still right once they are filled in. `validate`
and `plan` check every value as written, but a value that refers to a variable only `apply`
sees whole (pull-request jobs run without the secrets): `https://${PS_HOST}` with PS_HOST set
to `bad host` must be refused before it is written, not sent. The filled-in value came from
the environment, so it is a secret: no message here shows it, or any part of it. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reconciler.desired.formats import format_ok, is_date, parse_datetime
from reconciler.desired.yamlsource import Path
from reconciler.kinds.model import Format, Scalar, ScalarKind, TypeExpr
from reconciler.kinds.typetree import item_type_of, member_type

_INSTANT = "2025-08-01T00:00:00Z"
#: What each format must look like, in words that quote nothing of the value.
_FORMAT_WORDS = {
    Format.GUID: "a GUID such as 314c4481-f395-4525-be8b-2ec4bb1e9d91",
    Format.HTTPS_URL: "an https:// address with a valid host name and no spaces",
    Format.DOMAIN: "a domain name such as contoso.edu",
    Format.YEAR: "a calendar year, four digits such as 2027",
}


def filled_problems(
    root: TypeExpr, written: Any, filled: Any, paths: Iterable[Path]
) -> list[tuple[Path, str]]:
    """(path, what the filled-in value must be) for each of `paths` — values that referred to
    variables, in `written` (the body as in the file, which names any polymorphic member's
    type) — whose value in `filled` (the same body, variables filled in) is not right for its
    type. Only text is looked at: a variable always stands in text."""
    problems = []
    for path in paths:
        scalar = _type_at(root, path, written)
        value = value_at(filled, path)
        if isinstance(scalar, Scalar) and isinstance(value, str):
            need = _need(scalar, value)
            if need:
                problems.append((path, need))
    return problems


def _need(scalar: Scalar, text: str) -> str | None:
    """What `text` must be for `scalar` (None: it is right)."""
    if scalar.enum:
        match = scalar.spellings.get(text.lower())
        if scalar.enum_open or (
            match is not None and (match == text or scalar.enum_case_insensitive)
        ):
            return None
        return f"one of: {', '.join(scalar.enum)}"
    if scalar.kind is ScalarKind.DATE:
        return None if is_date(text) else "a date written YYYY-MM-DD"
    if scalar.kind is ScalarKind.DATETIME:
        return None if parse_datetime(text) else f"an ISO-8601 date-time such as {_INSTANT}"
    if scalar.format is not None and not format_ok(scalar.format, text):
        return _FORMAT_WORDS[scalar.format]
    return None


def _type_at(root: TypeExpr, path: Path, written: Any) -> TypeExpr | None:
    current: TypeExpr | None = root
    value = written
    for step in path:
        if current is None:
            return None
        if isinstance(step, int):
            current = item_type_of(current)
        else:
            current, _prop = member_type(current, step, value)
        value = _step(value, step)
    return current


def value_at(tree: Any, path: Path) -> Any:
    """What `tree` holds at `path` (member names, list positions); None where nothing is."""
    for step in path:
        tree = _step(tree, step)
    return tree


def _step(value: Any, step: str | int) -> Any:
    if isinstance(step, int):
        return value[step] if isinstance(value, list) and 0 <= step < len(value) else None
    return value.get(step) if isinstance(value, Mapping) else None
