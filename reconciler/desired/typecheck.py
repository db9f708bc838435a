"""Check a desired object against its kind's type tree, reporting every problem with a position.

Returns the value with YAML-isms fixed up (numbers and dates where Graph wants text become the
text the user wrote) so that the rest of the engine sees Graph-shaped JSON.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reconciler.desired.interpolate import references
from reconciler.desired.problems import Problem, Severity
from reconciler.desired.yamlsource import Document, Path
from reconciler.kinds.model import (
    ODATA_TYPE,
    KeyedList,
    ListOf,
    ObjectType,
    Opaque,
    Polymorphic,
    Prop,
    Scalar,
    ScalarKind,
    SetOf,
    TypeExpr,
)
from reconciler.kinds.odata import resolve_variant, type_leaf

#: Graph annotations a pasted response may carry; server-managed, dropped.
_IGNORED_ANNOTATIONS = ("@odata.context", "@odata.etag", "@odata.id", "@odata.editLink")


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    lowered = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {lowered[close[0]]!r}?)" if close else ""


@dataclass
class CheckResult:
    value: Any
    problems: list[Problem] = field(default_factory=list)
    #: Paths (relative to the checked object) whose text refers to ${VARIABLES}.
    variables: dict[Path, tuple[str, ...]] = field(default_factory=dict)


class _Checker:
    def __init__(self, file: str, doc: Document, base: Path) -> None:
        self.file = file
        self.doc = doc
        self.base = base
        self.result = CheckResult(value=None)

    def report(self, path: Path, message: str, *, key: bool = False, warning: bool = False) -> None:
        full = (*self.base, *path)
        line, col = self.doc.key_position(full) if key else self.doc.where(full)
        severity = Severity.WARNING if warning else Severity.ERROR
        self.result.problems.append(Problem(self.file, line, col, severity, message))

    def check(self, value: Any, texpr: TypeExpr, path: Path, prop: Prop | None) -> Any:
        if value is None:
            if prop is not None and not prop.nullable:
                self.report(path, f"{_label(path)} must not be null")
            return None
        handler: Callable[[Any, Any, Path, Prop | None], Any] = getattr(
            self, f"_check_{type(texpr).__name__.lower()}"
        )
        return handler(value, texpr, path, prop)

    # -- containers ---------------------------------------------------------------------------
    def _check_objecttype(self, value: Any, otype: ObjectType, path: Path, _p: Prop | None) -> Any:
        if not isinstance(value, dict):
            self.report(path, f"{_label(path)} must be a mapping of {otype.name} properties")
            return value
        out: dict[str, Any] = {}
        for key, child in value.items():
            if key == ODATA_TYPE:
                self._check_own_type(child, otype, (*path, key))
                continue
            if key in _IGNORED_ANNOTATIONS:
                continue
            prop = otype.prop(key)
            if prop is None:
                names = [p.name for p in otype.props if not p.read_only]
                self.report(
                    (*path, key),
                    f"unknown property {key!r} in {otype.name}{did_you_mean(key, names)}",
                    key=True,
                )
                continue
            if prop.read_only and key != "id":
                self.report(
                    (*path, key),
                    f"{key!r} is read-only (set by the server) and is ignored; remove it",
                    key=True,
                    warning=True,
                )
                continue
            out[key] = self.check(child, prop.type, (*path, key), prop)
            if prop.secret and isinstance(child, str) and "${" not in child:
                self.report(
                    (*path, key),
                    f"{key!r} is a secret: do not commit it; write {key}: ${{SOME_VARIABLE}} and "
                    "set that variable in the environment (a CI secret)",
                )
        for prop in otype.props:
            if prop.required and prop.name not in value:
                self.report(path, f"{_label(path)} is missing required property {prop.name!r}")
        return out

    def _check_own_type(self, value: Any, otype: ObjectType, path: Path) -> None:
        if not isinstance(value, str) or type_leaf(value).lower() not in {
            otype.name.lower(),
            *(a.lower() for a in otype.aliases),
        }:
            self.report(
                path, f"@odata.type {value!r} does not name {otype.name}; remove it", key=True
            )

    def _check_polymorphic(self, value: Any, poly: Polymorphic, path: Path, p: Prop | None) -> Any:
        names = [v.name for v in poly.variants]
        if not isinstance(value, dict):
            self.report(path, f"{_label(path)} must be a mapping with @odata.type: one of {names}")
            return value
        spelling = value.get(ODATA_TYPE)
        if not isinstance(spelling, str) or not spelling.strip():
            self.report(
                path,
                f"{_label(path)} needs '@odata.type' naming its concrete type, one of: "
                + ", ".join(f"#microsoft.graph.{n}" for n in names),
            )
            return value
        variant = resolve_variant(poly, spelling)
        if variant is None:
            self.report(
                (*path, ODATA_TYPE),
                f"unknown @odata.type {spelling!r} for {_label(path)}"
                f"{did_you_mean(type_leaf(spelling), names)}; expected one of {', '.join(names)}",
            )
            return value
        body = {k: v for k, v in value.items() if k != ODATA_TYPE}
        checked = self._check_objecttype(body, variant, path, p)
        return {ODATA_TYPE: spelling, **checked} if isinstance(checked, dict) else checked

    def _check_keyedlist(self, value: Any, klist: KeyedList, path: Path, _p: Prop | None) -> Any:
        if not isinstance(value, list):
            self.report(path, f"{_label(path)} must be a list of {klist.item.name} entries")
            return value
        seen: dict[str, int] = {}
        out = []
        for i, item in enumerate(value):
            checked = self.check(item, klist.item, (*path, i), None)
            out.append(checked)
            if isinstance(checked, dict) and isinstance(checked.get(klist.key), str):
                key = checked[klist.key].lower()
                if key in seen:
                    first_line = self.doc.where((*self.base, *path, seen[key]))[0]
                    self.report(
                        (*path, i, klist.key),
                        f"duplicate {klist.key} {checked[klist.key]!r} in {_label(path)} (first on "
                        f"line {first_line}); merge the two entries",
                    )
                else:
                    seen[key] = i
        return out

    def _check_setof(self, value: Any, sset: SetOf, path: Path, _p: Prop | None) -> Any:
        if not isinstance(value, list):
            self.report(path, f"{_label(path)} must be a list")
            return value
        out = [self.check(item, sset.item, (*path, i), None) for i, item in enumerate(value)]
        seen: set[str] = set()
        for i, item in enumerate(out):
            marker = str(item).lower() if sset.case_insensitive else str(item)
            if marker in seen:
                self.report((*path, i), f"{item!r} is listed twice in {_label(path)}", warning=True)
            seen.add(marker)
        return out

    def _check_listof(self, value: Any, lst: ListOf, path: Path, _p: Prop | None) -> Any:
        if not isinstance(value, list):
            self.report(path, f"{_label(path)} must be a list")
            return value
        return [self.check(item, lst.item, (*path, i), None) for i, item in enumerate(value)]

    def _check_opaque(self, value: Any, _t: Opaque, _path: Path, _p: Prop | None) -> Any:
        return value

    # -- scalars ------------------------------------------------------------------------------
    def _check_scalar(self, value: Any, scalar: Scalar, path: Path, _p: Prop | None) -> Any:
        if isinstance(value, (dict, list)):
            self.report(
                path,
                f"{_label(path)} must be a single {scalar.kind.value}, not a "
                f"{'mapping' if isinstance(value, dict) else 'list'}",
            )
            return value
        if scalar.kind is ScalarKind.BOOLEAN:
            if not isinstance(value, bool):
                self.report(path, f"{_label(path)} must be true or false, not {value!r}")
            return value
        if scalar.kind is ScalarKind.INTEGER:
            if isinstance(value, bool) or not isinstance(value, int):
                self.report(path, f"{_label(path)} must be a whole number, not {value!r}")
            return value
        if isinstance(value, bool):
            self.report(path, f"{_label(path)} must be text, not {value}; quote it: '{value}'")
            return value
        source = self.doc.scalar_text.get((*self.base, *path))
        if source is not None and scalar.kind is ScalarKind.DATETIME:
            # An unquoted YAML timestamp: send it in Graph's text form.
            return self._yaml_timestamp(source, path)
        return self._check_text(source if source is not None else str(value), scalar, path)

    def _yaml_timestamp(self, text: str, path: Path) -> str:
        instant = _parse_datetime(_yaml_timestamp_text(text), assume_utc=True)
        if instant is None:
            self.report(
                path,
                f"{_label(path)} must be an ISO-8601 date-time such as "
                f"2025-08-01T00:00:00Z, not {text!r}",
            )
            return text
        return instant.isoformat().replace("+00:00", "Z")

    def _check_text(self, text: str, scalar: Scalar, path: Path) -> str:
        try:
            names = references(text)
        except ValueError as exc:
            self.report(path, str(exc))
            return text
        if names:
            self.result.variables[path] = names
            return text
        if scalar.enum:
            return self._check_enum(text, scalar, path)
        if scalar.kind is ScalarKind.DATE and not _is_date(text):
            self.report(path, f"{_label(path)} must be a date written YYYY-MM-DD, not {text!r}")
        elif scalar.kind is ScalarKind.DATETIME and _parse_datetime(text) is None:
            self.report(
                path,
                f"{_label(path)} must be an ISO-8601 date-time such as 2025-08-01T00:00:00Z, "
                f"not {text!r}",
            )
        return text

    def _check_enum(self, text: str, scalar: Scalar, path: Path) -> str:
        match = next((e for e in scalar.enum if e.lower() == text.lower()), None)
        if match is None or (match != text and not scalar.enum_case_insensitive):
            self.report(
                path,
                f"{text!r} is not a valid value for {_label(path)}"
                f"{did_you_mean(text, scalar.enum)}; "
                f"use one of: {', '.join(scalar.enum)}",
            )
            return text
        return match


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Graph's DateTimeOffset: date, `T`, time, optional fraction, and a zone (Z or ±hh:mm).
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})")


_YAML_TIMESTAMP = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt ]+(\d{1,2})(:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*"
    r"(Z|z|[+-]\d{1,2}(?::?\d{2})?)?"
)


def _yaml_timestamp_text(text: str) -> str:
    """A YAML 1.1 timestamp (`2025-08-01 8:00:00 +1`, `…t…z`) in ISO form (`…T08:00:00+01:00`)."""
    match = _YAML_TIMESTAMP.fullmatch(text.strip())
    if not match:
        return text
    day, hour, rest, zone = match.groups()
    if zone and zone not in {"Z", "z"}:
        sign, digits = zone[0], zone[1:].replace(":", "")
        zone = (
            f"{sign}{digits[:-2].zfill(2)}:{digits[-2:]}"
            if len(digits) > 2
            else f"{sign}{digits.zfill(2)}:00"
        )
    return f"{day}T{hour.zfill(2)}{rest}{(zone or '').upper()}"


def _is_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False  # Python also parses 20270630; Graph's Edm.Date does not
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _parse_datetime(text: str, *, assume_utc: bool = False) -> dt.datetime | None:
    candidate = text
    if assume_utc and not re.search(r"(Z|[+-]\d{2}:?\d{2})$", candidate):
        candidate += "Z"  # YAML timestamps without a zone are UTC (YAML 1.1 timestamp type)
    if not _DATETIME.fullmatch(candidate):
        return None
    fraction = re.search(r"\.(\d+)", candidate)
    if fraction and len(fraction.group(1)) > 6:  # Graph writes 7 digits; Python reads 6
        candidate = candidate.replace(fraction.group(0), "." + fraction.group(1)[:6])
    try:
        return dt.datetime.fromisoformat(candidate.replace("Z", "+00:00"))
    except ValueError:
        return None


def _label(path: Path) -> str:
    parts: list[str] = []
    for element in path:
        if isinstance(element, int):
            parts.append(f"[{element}]")
        else:
            parts.append(("." if parts else "") + element)
    return "".join(parts) or "the profile"


def check_object(
    value: Any, otype: ObjectType, *, file: str, doc: Document, base: Path
) -> CheckResult:
    """Check `value` (found at `base` in `doc`) against `otype`."""
    checker = _Checker(file, doc, base)
    checker.result.value = checker.check(value, otype, (), None)
    return checker.result
