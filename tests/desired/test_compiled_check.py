"""The compiled type checks (`typecheck._Compiler`) against the checker's methods alone: the
same checked value, problems, variables and references for every object, right or wrong.

Objects are the sample profiles and Industry Data examples with random edits to their values
(wrong types, blanks, variables and look-alikes, enum spellings, bad formats and dates, unknown
and read-only keys, other `@odata.type`s, repeated items): the quick checks must vouch only
for what the methods pass without a word, and hand everything else back."""

from __future__ import annotations

import copy
import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.desired import typecheck
from reconciler.desired.loader import RESERVED_KEYS
from reconciler.desired.typecheck import CheckResult, check_object
from reconciler.desired.yamlsource import Document, read_documents
from reconciler.kinds import REGISTRY
from reconciler.kinds.model import (
    Format,
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
)

REPO = Path(__file__).resolve().parents[2]
SAMPLES = sorted(
    [
        *(REPO / "desired-state").glob("*.yaml"),
        *(REPO / "examples" / "industry-data").glob("*.yaml"),
    ]
)
TODAY = dt.date(2026, 3, 1)

#: Values an edit writes: each is right somewhere and wrong elsewhere.
VALUES: list[Any] = [
    None,
    "",
    "  ",
    "text",
    " padded ",
    "${SECRET}",
    "${BROKEN",
    "$${LITERAL}",
    "$SHELL_STYLE",
    "%CMD_STYLE%",
    "${{ secrets.X }}",
    "100%",
    "student",
    "Student",
    "STUDENT",
    "teacher",
    "2026-09-01",
    "2020-01-01",
    "2031-01-01",
    "2026-13-01",
    "20260901",
    "2026-09-01T08:00:00Z",
    "https://example.edu/x",
    "http://example.edu",
    "https://exa,mple.edu",
    "example.edu",
    "314c4481-f395-4525-be8b-2ec4bb1e9d91",
    "314C4481-F395-4525-BE8B-2EC4BB1E9D91",
    "314c4481",
    "#microsoft.graph.educationCsvDataProvider",
    "#microsoft.graph.educationPowerSchoolDataProvider",
    "#microsoft.graph.educationIdentityMatchingConfiguration",
    "#other.namespace.educationCsvDataProvider",
    "#microsoft.graph.nothingLikeIt",
    True,
    False,
    0,
    2026,
    -1,
    1.5,
    [],
    ["a", "b"],
    ["a", "a"],
    ["a", "A"],
    ["student", "teacher"],
    [True],
    [None],
    [{"appliesTo": "student", "name": "x.edu"}, {"appliesTo": "Student", "name": "y.edu"}],
    {},
    {"a": 1},
    {"ref": "x"},
    {"ref": "${X}"},
]
KEYS = ["displayname", "id", "createdDateTime", "@odata.type", "@odata.etag", "state", "zzz"]


def samples() -> list[tuple[str, Document]]:
    found = []
    for file in SAMPLES:
        for doc in read_documents(file.name, file.read_bytes()):
            found.append((file.name, doc))
    return found


SAMPLE_DOCS = samples()


def _containers(value: Any, out: list[Any]) -> list[Any]:
    if isinstance(value, (dict, list)):
        out.append(value)
        for child in value.values() if isinstance(value, dict) else value:
            _containers(child, out)
    return out


def edited(seed: int) -> tuple[str, Document, dict[str, Any]]:
    """A sample object with one to four random edits (seed 0 to 99: none)."""
    rng = random.Random(seed)
    name, doc = SAMPLE_DOCS[seed % len(SAMPLE_DOCS)]
    value = copy.deepcopy(doc.value)
    for _ in range(0 if seed < 100 else rng.randint(1, 4)):
        target = rng.choice(_containers(value, []))
        if isinstance(target, list):
            if target and rng.random() < 0.5:
                target.append(copy.deepcopy(rng.choice(target)))  # a repeated item
            elif target:
                target[rng.randrange(len(target))] = copy.deepcopy(rng.choice(VALUES))
            continue
        if not target:
            continue
        key = rng.choice(list(target))
        roll = rng.random()
        if roll < 0.6:
            target[key] = copy.deepcopy(rng.choice(VALUES))
        elif roll < 0.75:
            del target[key]
        elif roll < 0.9:
            target[rng.choice([*KEYS, key.lower(), key + "s"])] = copy.deepcopy(rng.choice(VALUES))
        else:
            target[key] = copy.deepcopy(rng.choice(_containers(value, [])))  # moved elsewhere
    return name, doc, value


def check(name: str, doc: Document, value: Any, *, compiled: bool) -> CheckResult | str:
    if not isinstance(value, dict):
        return "not a mapping"
    kind_name = value.get("kind", REGISTRY.default.name)
    kind = REGISTRY.get(kind_name) if isinstance(kind_name, str) else None
    if kind is None:
        return "no kind"
    body = {k: v for k, v in value.items() if k not in RESERVED_KEYS}
    return check_object(
        body, kind.root, file=name, doc=doc, base=(), today=TODAY, noun=kind.noun, compiled=compiled
    )


def comparable(result: CheckResult | str) -> Any:
    if isinstance(result, str):
        return result
    # repr: True differs from 1; problems in the order they were found
    return (repr(result.value), result.problems, result.variables, result.references)


FUZZ = settings(
    max_examples=400, derandomize=True, database=None, deadline=None,
    suppress_health_check=list(HealthCheck),
)  # fmt: skip


@FUZZ
@given(st.integers(0, 2**32))
def test_compiled_checks_agree_with_the_methods(seed: int) -> None:
    name, doc, value = edited(seed)
    compiled = check(name, doc, value, compiled=True)
    assert comparable(compiled) == comparable(check(name, doc, value, compiled=False)), seed


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every member and item below `value`."""
    found = [path] if path else []
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, child in items:
        found += _places(child, (*path, key))
    return found


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    copied = copy.deepcopy(value)
    target = copied
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = copy.deepcopy(new)
    return copied


@pytest.mark.parametrize("index", range(len(SAMPLE_DOCS)))
def test_every_value_in_every_place_agrees(index: int) -> None:
    # Each sample as it is, then each of its members and items replaced by each value.
    name, doc = SAMPLE_DOCS[index]
    variants = [doc.value]
    variants += [_replaced(doc.value, at, new) for at in _places(doc.value) for new in VALUES]
    for value in variants:
        compiled = check(name, doc, value, compiled=True)
        assert comparable(compiled) == comparable(check(name, doc, value, compiled=False)), value


def test_the_agreement_is_about_something() -> None:
    # Two checkers that said nothing would agree too: edits must find problems, and the
    # unedited samples none that are errors.
    outcomes = [check(*edited(seed), compiled=True) for seed in range(100, 400)]
    results = [r for r in outcomes if isinstance(r, CheckResult)]
    assert sum(1 for r in results if r.problems) >= len(results) // 2
    for seed in range(len(SAMPLE_DOCS)):
        clean = check(*edited(seed), compiled=True)
        assert isinstance(clean, CheckResult)
        assert not [p for p in clean.problems if p.severity.value == "error"], seed


def test_plain_members_do_not_reach_the_methods(monkeypatch: pytest.MonkeyPatch) -> None:
    # The point of compiling: an ordinary profile's text, flags and enum members are vouched
    # for in the object's own loop; the methods see only what is not plainly right.
    calls = {"compiled": 0, "methods": 0}
    original = typecheck._Checker.scalar
    mode = "methods"

    def counting(self: Any, *args: Any) -> Any:
        calls[mode] += 1
        return original(self, *args)

    monkeypatch.setattr(typecheck._Checker, "scalar", counting)
    for name, doc in SAMPLE_DOCS:
        for mode in ("methods", "compiled"):
            check(name, doc, doc.value, compiled=mode == "compiled")
    assert calls["methods"] > 50
    assert calls["compiled"] * 5 < calls["methods"], calls


# A made-up model with what the real ones lack today (a case-sensitive enum, a variant that
# requires its own `@odata.type`, a secret object, a date with a format, a set of flags), so
# that every branch of the quick checks is held to the methods.
_ENUM = Scalar(ScalarKind.STRING, enum=("student", "Teacher", "teacher"))
_OPEN = Scalar(ScalarKind.STRING, enum=("a", "b"), enum_open=True, enum_case_insensitive=True)
_ITEM = ObjectType(
    "item",
    (
        Prop("key", Scalar(ScalarKind.STRING), required=True, nullable=False),
        Prop("role", _ENUM),
        Prop("@odata.etag", Scalar(ScalarKind.STRING)),
    ),
)
_VARIANT = ObjectType(
    "oddVariant",
    (
        Prop("@odata.type", Scalar(ScalarKind.STRING), required=True),
        Prop("count", Scalar(ScalarKind.INTEGER), required=True),
        Prop("when", Scalar(ScalarKind.DATETIME)),
    ),
    aliases=("odd",),
)
_OTHER = ObjectType("otherVariant", (Prop("count", Scalar(ScalarKind.STRING)),))
MADE_UP = ObjectType(
    "madeUp",
    (
        Prop("id", Scalar(ScalarKind.STRING, format=Format.GUID), read_only=True),
        Prop("name", Scalar(ScalarKind.STRING), required=True, nullable=False),
        Prop("note", Scalar(ScalarKind.STRING)),
        Prop("role", _ENUM, required=True),
        Prop("open", _OPEN),
        Prop("day", Scalar(ScalarKind.DATE, format=Format.DOMAIN)),
        Prop("ends", Scalar(ScalarKind.DATE, expect_future=True)),
        Prop("flag", Scalar(ScalarKind.BOOLEAN), nullable=False),
        Prop("url", Scalar(ScalarKind.STRING, format=Format.HTTPS_URL)),
        Prop("secret", Scalar(ScalarKind.STRING), secret=True),
        Prop("vault", ObjectType("vault", (Prop("key", Scalar(ScalarKind.STRING)),)), secret=True),
        Prop("stamp", Scalar(ScalarKind.STRING), read_only=True),
        Prop("flags", SetOf(Scalar(ScalarKind.BOOLEAN))),
        Prop("roles", SetOf(_ENUM, case_insensitive=True)),
        Prop("items", KeyedList(_ITEM, "key")),
        Prop("list", ListOf(_ITEM)),
        Prop("kindOf", Polymorphic("base", (_VARIANT, _OTHER)), required=True),
        Prop("target", Reference("widget")),
        Prop("blob", Opaque()),
    ),
)
MADE_UP_VALUE: dict[str, Any] = {
    "id": "314c4481-f395-4525-be8b-2ec4bb1e9d91",
    "name": "x",
    "note": "y",
    "role": "Teacher",
    "open": "a",
    "day": "2026-09-01",
    "ends": "2031-01-01",
    "flag": True,
    "url": "https://example.edu",
    "secret": "${S}",
    "vault": {"key": "k"},
    "stamp": "s",
    "flags": [True, False],
    "roles": ["student", "Teacher"],
    "items": [{"key": "a", "role": "student"}, {"key": "b"}],
    "list": [{"key": "a"}],
    "kindOf": {"@odata.type": "#microsoft.graph.oddVariant", "count": 1},
    "target": {"ref": "w"},
    "blob": {"any": ["thing"]},
}
MADE_UP_VALUES = [
    *VALUES,
    "Student",
    "TEACHER",
    "c",
    "A",
    "odd",
    "#microsoft.graph.otherVariant",
    {"@odata.type": "odd", "count": "1"},
    {"@odata.type": "otherVariant", "count": "1"},
    [{"key": "a"}, {"key": "A"}],
    [False, False],
    ["student", "Student"],
]


def test_a_made_up_model_agrees_everywhere() -> None:
    doc = Document(MADE_UP_VALUE)
    variants = [MADE_UP_VALUE, {}, {"zzz": 1}]
    variants += [
        _replaced(MADE_UP_VALUE, at, new) for at in _places(MADE_UP_VALUE) for new in MADE_UP_VALUES
    ]
    for value in variants:
        results = [
            check_object(value, MADE_UP, file="m.yaml", doc=doc, base=(), today=TODAY, compiled=c)
            for c in (True, False)
        ]
        assert comparable(results[0]) == comparable(results[1]), value
