"""Check a desired object against its kind's type tree, reporting every problem with a position.

Returns the value with YAML-isms fixed up (numbers and dates where Graph wants text become the
text the user wrote) so that the rest of the engine sees Graph-shaped JSON.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reconciler.desired.formats import format_ok, format_problem, is_date, parse_datetime
from reconciler.desired.interpolate import lookalike, references
from reconciler.desired.placement import Notes, SeenObject, UnknownKey
from reconciler.desired.problems import Problem, Severity
from reconciler.desired.words import did_you_mean, label, not_a_boolean
from reconciler.desired.yamlsource import Document, Path
from reconciler.kinds.model import (
    ODATA_TYPE,
    KeyedList,
    ListOf,
    ObjectType,
    Opaque,
    Polymorphic,
    Prop,
    Reference,
    Scalar,
    ScalarKind,
    SetOf,
    TypeExpr,
)
from reconciler.kinds.odata import named_variant, resolve_variant, split_spelling, type_leaf
from reconciler.kinds.typetree import Shape, TypeVisitor, by_identity, shape, visit
from reconciler.objects import ReferenceSite

#: Graph annotations a pasted response may carry; server-managed, dropped.
_IGNORED_ANNOTATIONS = ("@odata.context", "@odata.etag", "@odata.id", "@odata.editLink")

__all__ = ["CheckResult", "check_object", "did_you_mean"]


@dataclass
class CheckResult:
    value: Any
    problems: list[Problem] = field(default_factory=list)
    #: Paths (relative to the checked object) whose text refers to ${VARIABLES}.
    variables: dict[Path, tuple[str, ...]] = field(default_factory=dict)
    #: Every `{ref: KEY}`, for the loader's check that its target is declared.
    references: list[ReferenceSite] = field(default_factory=list)


class _Checker(TypeVisitor[[Any, Path, "Prop | None"], Any]):
    def __init__(
        self,
        file: str,
        doc: Document,
        base: Path,
        today: dt.date,
        noun: str = "profile",
        *,
        compiled: bool = True,
    ) -> None:
        self.file = file
        self.doc = doc
        self.base = base
        self.today = today
        #: What the checked object is called at its root ("the profile", "the widget").
        self.noun = noun
        #: Values go through the compiled checks (`_Compiler`); False: through the methods
        #: below alone, which the compiled checks fall back to and are tested against.
        self.compiled = compiled
        self.result = CheckResult(value=None)
        self.notes = Notes()
        #: Objects seen, as (path, type, what it holds): made into `notes.seen` only when an
        #: unknown key needs them (`finish`), which few files have.
        self.seen: list[tuple[Path, ObjectType | Polymorphic, Any]] = []

    def label(self, path: Path) -> str:
        return label(path) if path else f"the {self.noun}"

    def report(self, path: Path, message: str, *, key: bool = False, warning: bool = False) -> None:
        full = (*self.base, *path)
        line, col = self.doc.key_position(full) if key else self.doc.where(full)
        severity = Severity.WARNING if warning else Severity.ERROR
        self.result.problems.append(Problem(self.file, line, col, severity, message))

    def finish(self) -> None:
        if self.notes.unknown:  # nothing else in `settle` looks at the objects seen
            self.notes.seen += [_seen_object(*seen) for seen in self.seen]
        for finding in self.notes.settle():
            self.report(finding.path, finding.message, key=finding.at_key, warning=finding.warning)

    def check(self, value: Any, texpr: TypeExpr, path: Path, prop: Prop | None) -> Any:
        if self.compiled:
            return _COMPILER.of(texpr)(self, value, path, prop)
        return self.visit(value, texpr, path, prop)

    def visit(self, value: Any, texpr: TypeExpr, path: Path, prop: Prop | None) -> Any:
        """`check` by the methods below (what a compiled check falls back to)."""
        if value is None:
            self._check_null(texpr, path, prop)
            return None
        return visit(texpr, self, value, path, prop)

    def _check_null(self, texpr: TypeExpr, path: Path, prop: Prop | None) -> None:
        is_object = shape(texpr) is Shape.OBJECT
        if isinstance(texpr, (ObjectType, Polymorphic)):  # keys written below it may belong here
            self.seen.append((path, texpr, ()))
        if prop is None:
            return
        hint = self._comment_hint(path)
        if not prop.nullable:
            self.report(path, f"{self.label(path)} must not be null{hint}")
        elif prop.required and is_object:
            self.notes.empty[path] = (
                f"{self.label(path)} has no value: write its properties below it, indented by two "
                f"more spaces{hint}"
            )
        elif prop.required:
            self.report(path, f"{self.label(path)} has no value: write one after {path[-1]}:{hint}")

    def _comment_hint(self, path: Path) -> str:
        if (*self.base, *path) not in self.doc.comment_values:
            return ""
        return (
            " (the text after it starts with '#', which YAML reads as a comment: put the value "
            'in quotes, e.g. "#microsoft.graph…")'
        )

    # -- containers ---------------------------------------------------------------------------
    def object_type(self, node: ObjectType, value: Any, path: Path, prop: Prop | None) -> Any:
        return self._object(value, node, path)

    def _object(
        self, value: Any, otype: ObjectType, path: Path, *, within: Polymorphic | None = None
    ) -> Any:
        if not isinstance(value, dict):
            self.report(path, f"{self.label(path)} must be a mapping of {otype.name} properties")
            return value
        if within is None:
            self.seen.append((path, otype, value))
        out: dict[str, Any] = {}
        for key, child in value.items():
            prop = self._member(key, child, otype, path, within)
            if prop is None:
                continue
            out[key] = self.check(child, prop.type, (*path, key), prop)
            if prop.secret and isinstance(child, str) and "${" not in child:
                self._literal_secret(key, child, (*path, key))
        for name in by_identity(_REQUIRED, otype, _required):
            if name not in value:
                self._missing(path, name)
        return out

    def _member(
        self, key: str, child: Any, otype: ObjectType, path: Path, within: Polymorphic | None
    ) -> Prop | None:
        """The property member `key` sets, or None for a member that is not checked as one
        (its `@odata.type`, an annotation, an unknown key, a read-only one: noted here)."""
        if key == ODATA_TYPE:
            self._check_own_type(child, otype, path)
            return None
        if key in _IGNORED_ANNOTATIONS:
            return None
        prop = otype.prop(key)
        if prop is None:
            self.notes.unknown.append(_unknown_key(path, key, otype, within))
            return None
        if prop.read_only and key != "id":
            self.report(
                (*path, key),
                f"{key!r} is read-only (set by the server) and is ignored; remove it",
                key=True,
                warning=True,
            )
            return None
        return prop

    def _missing(self, path: Path, name: str) -> None:
        self.notes.missing[(path, name)] = (
            f"{self.label(path)} is missing required property {name!r}"
        )

    def _literal_secret(self, key: str, text: str, path: Path) -> None:
        meant = lookalike(text)
        if meant:
            self.report(
                path,
                f"{meant[0]!r} is not a variable reference here: write {key}: {meant[1]} "
                "(and set that variable in the environment, a CI secret)",
            )
            return
        self.report(
            path,
            f"{key!r} is a secret: do not commit it; write {key}: ${{SOME_VARIABLE}} and "
            "set that variable in the environment (a CI secret)",
        )

    def _check_own_type(self, value: Any, otype: ObjectType, path: Path) -> None:
        names = {otype.name.lower(), *(a.lower() for a in otype.aliases)}
        if isinstance(value, str) and type_leaf(value).lower() in names:
            return
        leaf = type_leaf(value).lower() if isinstance(value, str) else ""
        # An @odata.type outdented from the polymorphic member it belongs to is placed there.
        self.notes.unknown.append(UnknownKey(path, ODATA_TYPE, (), type_leaf=leaf))

    def polymorphic(self, poly: Polymorphic, value: Any, path: Path, prop: Prop | None) -> Any:
        names = [v.name for v in poly.variants]
        if not isinstance(value, dict):
            self.report(
                path,
                f"{self.label(path)} must be a mapping with @odata.type, one of: "
                f"{', '.join(names)}, "
                f'e.g. {self.label(path)}: {{"@odata.type": "#microsoft.graph.{names[0]}"}}',
            )
            return value
        self.seen.append((path, poly, value))
        spelling = value.get(ODATA_TYPE)
        if not isinstance(spelling, str) or not spelling.strip():
            at = (*path, ODATA_TYPE)
            self.report(
                at if ODATA_TYPE in value else path,
                f"{self.label(path)} needs '@odata.type' naming its concrete type, one of: "
                + ", ".join(poly.namespace.wire(n) for n in names)
                + self._comment_hint(at),
            )
            return value
        variant = resolve_variant(poly, spelling)
        prefix, leaf = split_spelling(spelling)
        if variant is None and named_variant(poly, leaf) is not None:
            self.report(
                (*path, ODATA_TYPE),
                f"@odata.type {spelling!r} names {leaf} in namespace {prefix!r}, but "
                f"{self.label(path)} takes types of {poly.namespace.name!r}: write "
                f"{poly.namespace.wire(leaf)!r}",
            )
            return value
        if variant is None:
            self.report(
                (*path, ODATA_TYPE),
                f"unknown @odata.type {spelling!r} for {self.label(path)}"
                f"{did_you_mean(type_leaf(spelling), names)}; expected one of {', '.join(names)}",
            )
            return value
        body = {k: v for k, v in value.items() if k != ODATA_TYPE}
        checked = self._object(body, variant, path, within=poly)
        return {ODATA_TYPE: spelling, **checked} if isinstance(checked, dict) else checked

    def keyed_list(self, klist: KeyedList, value: Any, path: Path, prop: Prop | None) -> Any:
        if not isinstance(value, list):
            self.report(
                path,
                f"{self.label(path)} must be a list of {klist.item.name} entries"
                + _dash_hint(value),
            )
            return value
        seen: dict[str, int] = {}
        out = []
        for i, item in enumerate(value):
            checked = self.check(item, klist.item, (*path, i), None)
            out.append(checked)
            if (*path, i, klist.key) in self.result.variables:
                self.report(
                    (*path, i, klist.key),
                    f"{klist.key} tells the entries of {self.label(path)} apart and cannot come "
                    "from an environment variable (two entries could then have the same one, "
                    "and plan could not match them): write it out",
                )
                continue
            if isinstance(checked, dict) and isinstance(checked.get(klist.key), str):
                key = checked[klist.key].lower()
                if key in seen:
                    first_line = self.doc.where((*self.base, *path, seen[key]))[0]
                    self.report(
                        (*path, i, klist.key),
                        f"duplicate {klist.key} {checked[klist.key]!r} in {self.label(path)} "
                        f"(first on line {first_line}); merge the two entries",
                    )
                else:
                    seen[key] = i
        return out

    def set_of(self, sset: SetOf, value: Any, path: Path, prop: Prop | None) -> Any:
        if not isinstance(value, list):
            self.report(path, f"{self.label(path)} must be a list" + _dash_hint(value))
            return value
        out = [self.check(item, sset.item, (*path, i), None) for i, item in enumerate(value)]
        seen: set[str] = set()
        for i, item in enumerate(out):
            marker = str(item).lower() if sset.case_insensitive else str(item)
            if marker in seen:
                self.report(
                    (*path, i), f"{item!r} is listed twice in {self.label(path)}", warning=True
                )
            seen.add(marker)
        return out

    def list_of(self, lst: ListOf, value: Any, path: Path, prop: Prop | None) -> Any:
        if not isinstance(value, list):
            self.report(path, f"{self.label(path)} must be a list" + _dash_hint(value))
            return value
        return [self.check(item, lst.item, (*path, i), None) for i, item in enumerate(value)]

    def opaque(self, node: Opaque, value: Any, path: Path, prop: Prop | None) -> Any:
        return value

    def reference(self, node: Reference, value: Any, path: Path, prop: Prop | None) -> Any:
        """`{ref: KEY}`: the key as text (a YAML number such as a year is taken as written);
        whether a `node.target` of that key is declared is the loader's question."""
        form = f"{self.label(path)}: {{{node.KEY}: …}}"
        if not isinstance(value, dict):
            written = self.doc.scalar_text.get((*self.base, *path), str(value))
            example = f"{{{node.KEY}: {written}}}" if isinstance(value, (str, int)) else form
            self.report(
                path,
                f"{self.label(path)} refers to a {node.target} by its natural key: write it as "
                f"{self.label(path)}: {example}",
            )
            return value
        for key in value:
            if key != node.KEY:
                self.report(
                    (*path, key),
                    f"{key!r} is not part of a reference: {self.label(path)} names a {node.target} "
                    f"with {node.KEY} only ({form})",
                    key=True,
                )
        at = (*path, node.KEY)
        raw = value.get(node.KEY)
        if raw is None or isinstance(raw, (dict, list, bool)):
            self.report(
                at if node.KEY in value else path,
                f"{self.label(path)} needs {node.KEY}: the natural key of the {node.target} it "
                "refers to (its name, as written in its own file)",
            )
            return value
        text = self.doc.scalar_text.get((*self.base, *at), str(raw)).strip()
        if "${" in text:
            self.report(
                at,
                f"{self.label(path)} cannot come from an environment variable: a reference is "
                "resolved before anything is sent; write the name out",
            )
            return value
        line, column = self.doc.where((*self.base, *at))
        self.result.references.append(ReferenceSite(path, node.target, text, line, column))
        return {node.KEY: text}

    # -- scalars ------------------------------------------------------------------------------
    def scalar(self, scalar: Scalar, value: Any, path: Path, prop: Prop | None) -> Any:
        if isinstance(value, (dict, list)):
            self.report(
                path,
                f"{self.label(path)} must be a single {scalar.kind.value}, not a "
                f"{'mapping' if isinstance(value, dict) else 'list'}",
            )
            return value
        if scalar.kind is ScalarKind.BOOLEAN:
            if not isinstance(value, bool):
                self.report(path, not_a_boolean(self.label(path), value))
            return value
        if scalar.kind is ScalarKind.INTEGER:
            if isinstance(value, bool) or not isinstance(value, int):
                self.report(path, f"{self.label(path)} must be a whole number, not {value!r}")
            return value
        if isinstance(value, bool):
            self.report(path, f"{self.label(path)} must be text, not {value}; quote it: '{value}'")
            return value
        # What YAML typed (a number, a date) keeps the text written; plain text is that text.
        source = (
            None
            if isinstance(value, str) and scalar.kind is not ScalarKind.DATETIME
            else self.doc.scalar_text.get((*self.base, *path))
        )
        if source is not None and scalar.kind is ScalarKind.DATETIME:
            # An unquoted YAML timestamp: send it in Graph's text form.
            return self._yaml_timestamp(source, path)
        text = source if source is not None else str(value)
        if prop is not None and prop.required and not text.strip():
            self.report(path, f"{self.label(path)} is empty: write its value")
            return text
        return self._check_text(text, scalar, path, secret=prop is not None and prop.secret)

    def _yaml_timestamp(self, text: str, path: Path) -> str:
        instant = parse_datetime(_yaml_timestamp_text(text), assume_utc=True)
        if instant is None:
            self.report(
                path,
                f"{self.label(path)} must be an ISO-8601 date-time such as "
                f"2025-08-01T00:00:00Z, not {text!r}",
            )
            return text
        return instant.isoformat().replace("+00:00", "Z")

    def _check_text(self, text: str, scalar: Scalar, path: Path, *, secret: bool = False) -> str:
        try:
            names = references(text)
        except ValueError as exc:
            self.report(path, str(exc))
            return text
        if names:
            self.result.variables[path] = names
            return text
        meant = None if secret else lookalike(text)  # a secret's own check says it
        if meant:
            self.report(
                path,
                f"{meant[0]!r} is sent as written: to use the environment variable, write "
                f"{meant[1]}",
                warning=True,
            )
            return text
        if scalar.enum:
            return self._check_enum(text, scalar, path)
        if scalar.kind is ScalarKind.DATE and not is_date(text):
            self.report(path, f"{self.label(path)} must be a date written YYYY-MM-DD, not {text!r}")
        elif scalar.kind is ScalarKind.DATE and scalar.expect_future:
            self._check_future(text, path)
        elif scalar.kind is ScalarKind.DATETIME and parse_datetime(text) is None:
            self.report(
                path,
                f"{self.label(path)} must be an ISO-8601 date-time such as 2025-08-01T00:00:00Z, "
                f"not {text!r}",
            )
        elif scalar.format is not None and not format_ok(scalar.format, text):
            hint = scalar.suggest(text) if scalar.suggest else None
            problem = format_problem(scalar.format, text, self.label(path), hint=hint)
            if problem:
                self.report(path, problem)
        return text

    def _check_future(self, text: str, path: Path) -> None:
        if dt.date.fromisoformat(text) < self.today:
            self.report(
                path,
                f"{self.label(path)} {text} is in the past: the profile stops syncing after that "
                "date; write a later date, or remove it to sync with no end date",
                warning=True,
            )
        else:
            latest = months_later(self.today, MOST_MONTHS_AHEAD)
            if dt.date.fromisoformat(text) > latest:
                self.report(
                    path,
                    f"{self.label(path)} {text} is more than {MOST_MONTHS_AHEAD} months away: "
                    "Graph documents at most 18 months after the profile is created, so it may be "
                    f"refused; write {latest.isoformat()} or earlier, or remove it to sync with "
                    "no end date",
                    warning=True,
                )

    def _check_enum(self, text: str, scalar: Scalar, path: Path) -> str:
        match = scalar.spellings.get(text.lower())
        if match is None and scalar.enum_open:
            # An open code list: the values known today, not all there are; sent as written.
            self.report(
                path,
                f"{text!r} is not one of the values known for {self.label(path)}"
                f"{did_you_mean(text, scalar.enum)} ({', '.join(scalar.enum)}); it is sent "
                "as written: check the spelling",
                warning=True,
            )
            return text
        if match is None or (match != text and not scalar.enum_case_insensitive):
            self.report(
                path,
                f"{text!r} is not a valid value for {self.label(path)}"
                f"{did_you_mean(text, scalar.enum)}; "
                f"use one of: {', '.join(scalar.enum)}",
            )
            return text
        return match


#: The names of an object type's required properties, in model order.
_REQUIRED: dict[int, tuple[TypeExpr, tuple[str, ...]]] = {}


def _required(otype: TypeExpr) -> tuple[str, ...]:
    assert isinstance(otype, ObjectType)
    return tuple(p.name for p in otype.props if p.required)


#: What an object of a type may hold, and the `@odata.type` spellings right for it: asked for
#: every object of every file, worked out once per type.
_MAY_HOLD: dict[int, tuple[TypeExpr, tuple[dict[str, Prop], frozenset[str]]]] = {}


def _may_hold(texpr: TypeExpr) -> tuple[dict[str, Prop], frozenset[str]]:
    if isinstance(texpr, ObjectType):
        return {p.name: p for p in texpr.props}, frozenset()
    assert isinstance(texpr, Polymorphic)
    props = {p.name: p for v in texpr.variants for p in v.props}
    return props, frozenset(n.lower() for v in texpr.variants for n in (v.name, *v.aliases))


def _seen_object(path: Path, texpr: ObjectType | Polymorphic, holds: Any) -> SeenObject:
    present = frozenset(holds)
    props, accepts = by_identity(_MAY_HOLD, texpr, _may_hold)
    if ODATA_TYPE in present:
        accepts = frozenset()
    return SeenObject(path, props, present, accepts)


def _unknown_key(path: Path, key: str, otype: ObjectType, within: Polymorphic | None) -> UnknownKey:
    others: tuple[str, ...] = ()
    if within is not None:
        others = tuple(v.name for v in within.variants if v is not otype and v.prop(key))
    return UnknownKey(path, key, otype.writable_names, other_variants=others, variant=otype.name)


#: Graph's SDK: an expirationDate is at most 18 months after the profile's creation.
MOST_MONTHS_AHEAD = 18


def months_later(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has no such day)."""
    year, month = divmod(day.month - 1 + months, 12)
    first_of_next = dt.date(day.year + year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last = (first_of_next - dt.timedelta(days=1)).day
    return dt.date(day.year + year, month + 1, min(day.day, last))


def _dash_hint(value: Any) -> str:
    """`-x` (or `-key: value`) where a list was meant: YAML needs a space after the dash."""
    if isinstance(value, dict) and value:
        first, item = next(iter(value.items()))
        text = f"{first}: {item}" if isinstance(item, (str, int, float)) else f"{first}:"
    else:
        text = value if isinstance(value, str) else ""
    if text.startswith("-") and not text.startswith("- ") and len(text) > 1:
        return f" (a list item needs a space after '-': '- {text[1:].split(' -')[0]}')"
    items = [part.strip() for part in value.split(",")] if isinstance(value, str) else []
    if len(items) > 1 and all(items):  # `101, 102`: a list written without its brackets
        return f": write the items in brackets: [{', '.join(items)}]"
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return f": a list of one is written in brackets, [{value}]"
    return ""


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


# -- compiled checks ---------------------------------------------------------------------------
#: What a quick check answers for a value it cannot vouch for: the methods then check it.
_SLOW: Any = object()
#: A scalar value as checked (the value itself, an enum member's own spelling) when it is
#: plainly right (no message, no note, no variable in it); `_SLOW` otherwise.
_Quick = Callable[[Any], Any]
#: `_Checker.check` for values of one type: `(checker, value, path, prop) -> checked value`.
_CheckFn = Callable[[_Checker, Any, Path, "Prop | None"], Any]
#: A property member of an object: the property, the quick check of its values (None: they
#: always take `check`, as secrets must) and the compiled check of its type.
_MemberCheck = tuple[Prop, "_Quick | None", _CheckFn]


class _Compiler(TypeVisitor[[], _CheckFn]):
    """Each type node becomes, once, a function that checks values of that type as
    `_Checker.check` does: what a node means (its members, required names, enum spellings,
    format) is worked out when it is compiled, and the plain members of an object (text,
    flags, numbers, enum members: most of a profile) are checked in its loop, without a call
    into the checker. Anything not plainly right goes to the checker's methods, which say
    what is wrong in their words (tests/desired/test_compiled_check.py holds the two equal)."""

    def __init__(self) -> None:
        self._made: dict[int, tuple[TypeExpr, _CheckFn]] = {}

    def of(self, texpr: TypeExpr) -> _CheckFn:
        return by_identity(self._made, texpr, self._compile)

    def _compile(self, texpr: TypeExpr) -> _CheckFn:
        return visit(texpr, self)

    @staticmethod
    def _methods(texpr: TypeExpr) -> _CheckFn:
        def by_methods(checker: _Checker, value: Any, path: Path, prop: Prop | None) -> Any:
            return checker.visit(value, texpr, path, prop)

        return by_methods

    def scalar(self, node: Scalar) -> _CheckFn:
        quick = _quick(node)
        if quick is None:
            return self._methods(node)

        def check_scalar(checker: _Checker, value: Any, path: Path, prop: Prop | None) -> Any:
            checked = quick(value)
            return checker.visit(value, node, path, prop) if checked is _SLOW else checked

        return check_scalar

    def set_of(self, node: SetOf) -> _CheckFn:
        quick = _quick(node.item)
        if quick is None:
            return self._methods(node)
        fold = node.case_insensitive

        def check_set(checker: _Checker, value: Any, path: Path, prop: Prop | None) -> Any:
            # All items plainly right and none twice: the methods would say nothing.
            if type(value) is list:
                out = [quick(item) for item in value]
                if _SLOW not in out:
                    markers = {str(i).lower() if fold else str(i) for i in out}
                    if len(markers) == len(out):
                        return out
            return checker.visit(value, node, path, prop)

        return check_set

    def list_of(self, node: ListOf) -> _CheckFn:
        return self._methods(node)  # its items go through `check`, compiled

    def keyed_list(self, node: KeyedList) -> _CheckFn:
        return self._methods(node)  # its items go through `check`, compiled

    def opaque(self, node: Opaque) -> _CheckFn:
        return self._methods(node)

    def reference(self, node: Reference) -> _CheckFn:
        return self._methods(node)

    def _members(self, otype: ObjectType) -> dict[str, _MemberCheck]:
        """The members `_Checker._member` would check as properties, by name."""
        members: dict[str, _MemberCheck] = {}
        for p in otype.props:
            if p.name == ODATA_TYPE or p.name in _IGNORED_ANNOTATIONS:
                continue
            if p.read_only and p.name != "id":
                continue
            quick = _quick(p.type) if isinstance(p.type, Scalar) and not p.secret else None
            members[p.name] = (p, quick, self.of(p.type))
        return members

    def object_type(self, node: ObjectType) -> _CheckFn:
        members = self._members(node)
        required = _required(node)

        def check_members(checker: _Checker, value: Any, path: Path, prop: Prop | None) -> Any:
            if type(value) is not dict:
                return checker.visit(value, node, path, prop)
            checker.seen.append((path, node, value))
            out: dict[str, Any] = {}
            _check_members(checker, out, value, path, node, members, None)
            for name in required:
                if name not in value:
                    checker._missing(path, name)
            return out

        return check_members

    def polymorphic(self, node: Polymorphic) -> _CheckFn:
        # Per variant, as they are met: its members and required names.
        variants: dict[str, tuple[dict[str, _MemberCheck], tuple[str, ...]]] = {}

        def check_variant(checker: _Checker, value: Any, path: Path, prop: Prop | None) -> Any:
            spelling = value.get(ODATA_TYPE) if type(value) is dict else None
            variant = (
                resolve_variant(node, spelling)
                if type(spelling) is str and spelling.strip()
                else None
            )
            if variant is None:  # not a mapping, no type or an unknown one: the methods say
                return checker.visit(value, node, path, prop)
            known = variants.get(variant.name)
            if known is None:
                known = variants[variant.name] = (self._members(variant), _required(variant))
            members, required = known
            checker.seen.append((path, node, value))
            out: dict[str, Any] = {ODATA_TYPE: spelling}
            _check_members(checker, out, value, path, variant, members, node)
            for name in required:
                if name == ODATA_TYPE or name not in value:  # as the methods, on the body
                    checker._missing(path, name)
            return out

        return check_variant


def _check_members(
    checker: _Checker,
    out: dict[str, Any],
    value: dict[str, Any],
    path: Path,
    otype: ObjectType,
    members: dict[str, _MemberCheck],
    within: Polymorphic | None,
) -> None:
    """`_Checker._object`'s loop; a polymorphic member's own `@odata.type` (`within`) is
    skipped, as the methods leave it out of the body they check."""
    for key, child in value.items():
        member = members.get(key)
        if member is None:
            if within is None or key != ODATA_TYPE:
                checker._member(key, child, otype, path, within)
            continue
        prop, quick, check = member
        if quick is not None:
            checked = quick(child)
            if checked is not _SLOW:
                out[key] = checked
                continue
        at = (*path, key)
        out[key] = check(checker, child, at, prop)
        if prop.secret and isinstance(child, str) and "${" not in child:
            checker._literal_secret(key, child, at)


def _quick(scalar: Scalar) -> _Quick | None:
    """The quick check of a scalar type's values, following `_Checker.scalar` and
    `_check_text`: the value of the right type and, for text, nothing `_check_text` would
    look at twice (no `$` of a variable or a look-alike, no `%`, not blank); an enum member
    in its own spelling (or any case, where the enum allows it); a date written YYYY-MM-DD;
    text of the right format. None: every value takes the methods (a date-time, a date that
    should lie ahead)."""
    kind = scalar.kind
    if kind is ScalarKind.BOOLEAN:
        return lambda v: v if type(v) is bool else _SLOW
    if kind is ScalarKind.INTEGER:
        return lambda v: v if type(v) is int else _SLOW
    if kind is ScalarKind.DATETIME:
        return None
    if scalar.enum:  # checked before any date or format
        spellings = scalar.spellings
        exact = not scalar.enum_case_insensitive

        def member(v: Any) -> Any:
            if type(v) is not str or "$" in v or "%" in v or not v.strip():
                return _SLOW
            match = spellings.get(v.lower())
            return _SLOW if match is None or (exact and match != v) else match

        return member
    date = kind is ScalarKind.DATE
    if date and scalar.expect_future:
        return None
    fmt = scalar.format
    if not date and fmt is None:
        return lambda v: (
            v if type(v) is str and "$" not in v and "%" not in v and v.strip() else _SLOW
        )

    def text(v: Any) -> Any:
        if type(v) is not str or "$" in v or "%" in v or not v.strip():
            return _SLOW
        if date and not is_date(v):
            return _SLOW
        return v if fmt is None or format_ok(fmt, v) else _SLOW

    return text


_COMPILER = _Compiler()


def check_object(
    value: Any,
    otype: ObjectType | Polymorphic,
    *,
    file: str,
    doc: Document,
    base: Path,
    today: dt.date | None = None,
    noun: str = "profile",
    compiled: bool = True,
) -> CheckResult:
    """Check `value` (found at `base` in `doc`) against `otype`; `today` dates the warning
    about an expiration date already past; `noun` names the object in messages. `compiled`:
    False checks by the checker's methods alone (the test compares the two)."""
    checker = _Checker(file, doc, base, today or dt.date.today(), noun, compiled=compiled)
    checker.result.value = checker.check(value, otype, (), None)
    checker.finish()
    return checker.result
