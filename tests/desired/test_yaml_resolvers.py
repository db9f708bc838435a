"""`yamlfast`'s own YAML 1.2 resolution table against ruamel.yaml's, which the precise path
uses: the same tags, in the same order, for every first character, and the same answer from
every pattern for every scalar of a large corpus (hand-picked edge cases, every short text over
a small alphabet, and generated ones). The fast path and the precise path must type a plain
scalar alike, or the same file would mean two things."""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Iterable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml.resolver import implicit_resolvers

from reconciler.desired import yamlfast

Table = dict[str, list[tuple[str, Any]]]

T = "tag:yaml.org,2002:"
BOOL, FLOAT, INT, MERGE, NULL = T + "bool", T + "float", T + "int", T + "merge", T + "null"
TIMESTAMP, VALUE, YAML, STR = T + "timestamp", T + "value", T + "yaml", yamlfast.STR


def _ruamel_table() -> Table:
    """ruamel.yaml's YAML 1.2 entries by first character, in its order (as `yamlfast` used to
    build its table)."""
    table: Table = {}
    for versions, tag, pattern, firsts in implicit_resolvers:
        if (1, 2) in versions:
            for char in firsts:
                table.setdefault(char, []).append((tag, pattern))
    return table


RUAMEL = _ruamel_table()
OURS: Table = yamlfast._RESOLVERS


def _entries(table: Table) -> list[tuple[str, Any, set[str]]]:
    """Each tag once: its pattern and the first characters it is listed for (the empty text's
    entry, which no other text reaches, left out)."""
    found: dict[str, tuple[Any, set[str]]] = {}
    for char, entries in table.items():
        for tag, pattern in entries:
            if char:
                found.setdefault(str(tag), (pattern, set()))[1].add(char)
    return [(tag, pattern, firsts) for tag, (pattern, firsts) in found.items()]


def resolve(table: Table, value: str) -> str:
    """The first matching entry for the value's first character, as `yamlfast.plain_tag`."""
    for tag, pattern in table.get(value[:1], ()):
        if pattern.match(value):
            return str(tag)
    return STR


#: Hand-picked scalars and the tag YAML 1.2 (as ruamel.yaml reads it) gives each.
EDGE_CASES: dict[str, str] = {
    # booleans: YAML 1.2 has only true and false, in three spellings each
    "true": BOOL, "True": BOOL, "TRUE": BOOL, "false": BOOL, "False": BOOL, "FALSE": BOOL,
    "tRUE": STR, "truee": STR, "t": STR, "f": STR, "yes": STR, "Yes": STR, "no": STR,
    "No": STR, "on": STR, "On": STR, "off": STR, "OFF": STR, "y": STR, "n": STR, "T": STR,
    "truth": STR, "F": STR, "fals": STR, "tru": STR, "TRU": STR, "FALSEE": STR, "true ": STR,
    "true\n": BOOL,
    # null: ~, three spellings of null, and the empty text
    "~": NULL, "null": NULL, "Null": NULL, "NULL": NULL, "": NULL, "nULL": STR, "nul": STR,
    "None": STR, "none": STR, "~~": STR, "n~": STR, "NuLL": STR, "nil": STR, "null\n": NULL,
    # ints: decimal, 0o octal, 0x hex, 0b binary, underscores anywhere after the sign
    "0": INT, "1": INT, "-1": INT, "+1": INT, "017": INT, "0o17": INT, "0o18": STR,
    "0O17": STR, "0x1F": INT, "0x1f": INT, "0X1F": STR, "0xG": STR, "0x": STR, "0b101": INT,
    "0b102": STR, "0B1": STR, "0b": STR, "1_000": INT, "_1": STR, "+_": INT, "-": STR,
    "+": STR, "--1": STR, "+-1": STR, "1-": STR, "12a": STR, "0o": STR, "0_o7": STR,
    "1 000": STR, "\u0661\u0662": STR, "-0x1F": INT, "+0b1": INT, "-0o7": INT, "0o_": INT, "1\n": INT,
    # floats: a point or an exponent, .inf and .nan
    ".inf": FLOAT, "-.Inf": FLOAT, "+.INF": FLOAT, ".nan": FLOAT, ".NaN": FLOAT,
    ".NAN": FLOAT, "-.nan": STR, ".Nan": STR, ".iNF": STR, "inf": STR, "nan": STR,
    "1e3": FLOAT, "1E3": FLOAT, "1e+3": FLOAT, "1e-3": FLOAT, "1e": STR, "e3": STR,
    "1e3.5": STR, "1.": FLOAT, ".5": FLOAT, "-.5": FLOAT, "+.5": FLOAT, ".5e3": STR,
    ".5e+3": FLOAT, ".5E-3": FLOAT, ".": STR, "..5": STR, "1..5": STR, "1.5": FLOAT,
    "-1.5e-3": FLOAT, "1_000.5": FLOAT, "1._5": FLOAT, "._5": FLOAT, "1.5_e3": FLOAT,
    "1.5e3_": STR, "1e_3": STR, "_1.5": STR, "+1.": FLOAT, "1.5.": STR, "1,5": STR,
    "\u0661.\u0665": STR, "1.\u0665": STR, "1\u0663": STR, "0x\u0663": STR, "1.5\n": FLOAT,
    # timestamps: a full date, or a date and a time (a date alone needs two-digit parts)
    "2026-09-01": TIMESTAMP, "2026-9-1": STR, "2026-09-1": STR, "2026-9-01": STR,
    "2026-13-45": TIMESTAMP, "20260-09-01": STR, "226-09-01": STR, "2026-09-001": STR,
    "2026/09/01": STR, "2026-09-01Z": STR, "2026-09-01 ": STR, "2026-09-01\n": TIMESTAMP,
    "2026-09-01T08:05:00": TIMESTAMP, "2026-09-01t08:05:00": TIMESTAMP,
    "2026-9-1T8:05:00": TIMESTAMP, "2026-09-01 08:05:00": TIMESTAMP,
    "2026-09-01 \t 08:05:00": TIMESTAMP, "2026-09-01\t8:05:00": TIMESTAMP,
    "2026-09-01T08:05:00Z": TIMESTAMP, "2026-09-01T08:05:00.123Z": TIMESTAMP,
    "2026-09-01T08:05:00.Z": TIMESTAMP, "2026-09-01T08:05:00.5": TIMESTAMP,
    "2026-09-01T08:05:00 Z": TIMESTAMP, "2026-09-01T08:05:00+01:00": TIMESTAMP,
    "2026-09-01T08:05:00 -1": TIMESTAMP, "2026-09-01T08:05:00-10": TIMESTAMP,
    "2026-09-01T08:05:00+01:0": STR, "2026-09-01T08:05:00+100": STR,
    "2026-09-01T08:05:00z": STR, "2026-09-01T08:05": STR, "2026-09-01T108:05:00": STR,
    "2026-09-01T08:5:00": STR, "2026-09-01T08:05:0": STR, "2026-09-01TT08:05:00": STR,
    "2026-09-01T 08:05:00": STR, "2026-09-01T08:05:00Z ": STR, "2026-09-01T08:05:00.5.5": STR,
    "2026-09-01 08:05:00 +01:00": TIMESTAMP, "2026-09-01T08:05:00+1:00": TIMESTAMP,
    "2026-09-01T08:05:00\tZ": TIMESTAMP, "2026-09-01T08:05:00 \t -01": TIMESTAMP,
    "2026-09-01T08:05:00\n": TIMESTAMP, "2026-09-01T08:05:00Z\n": TIMESTAMP,
    "\u0662\u0660\u0662\u0666-09-01": STR, "2026-09-0\u0663": STR,
    # the rest: merge, value and the yaml tags
    "<<": MERGE, "<": STR, "<<<": STR, "< <": STR, "=": VALUE, "==": STR, "=1": STR,
    "!": YAML, "&": YAML, "*": YAML, "!!": STR, "&a": STR, "*a": STR, "<<\n": MERGE,
    # text
    "a": STR, "displayName": STR, "x1": STR, " 1": STR, "Z": STR, "@odata.type": STR,
}  # fmt: skip


def _short_texts() -> Iterable[str]:
    """Every text of up to three characters over an alphabet of the parts numbers are made
    of, and of up to four over a smaller one."""
    for length in range(4):
        yield from map("".join, itertools.product("019.-+_eExob:nT~", repeat=length))
    yield from map("".join, itertools.product("07.-_e", repeat=4))
    for value in EDGE_CASES:  # each number and date with every other first digit
        if value[:1].isdigit():
            yield from (digit + value[1:] for digit in string.digits)


CORPUS = sorted({*EDGE_CASES, *_short_texts()})


def test_the_same_tags_in_the_same_order_for_every_first_character() -> None:
    def tags(table: Table) -> dict[str, list[str]]:
        return {char: [str(tag) for tag, _ in entries] for char, entries in table.items()}

    assert tags(OURS) == tags(RUAMEL)
    every_tag = {tag for entries in tags(OURS).values() for tag in entries}
    assert every_tag == {BOOL, FLOAT, INT, MERGE, NULL, TIMESTAMP, VALUE, YAML}


def test_each_edge_case_resolves_as_yaml_1_2_says_in_both_tables() -> None:
    wrong = {
        value: (expected, resolve(OURS, value), resolve(RUAMEL, value))
        for value, expected in EDGE_CASES.items()
        if not resolve(OURS, value) == resolve(RUAMEL, value) == expected
    }
    assert not wrong, wrong  # value: (expected, ours, ruamel.yaml's)


def _each_pattern_agrees(values: Iterable[str]) -> None:
    """Every pattern, not only the first that matches: one shadowed by another for these
    values could still be wrong for others."""
    for value in values:
        assert resolve(OURS, value) == resolve(RUAMEL, value), value
        for (tag, ours), (_, theirs) in zip(
            OURS.get(value[:1], ()), RUAMEL.get(value[:1], ()), strict=True
        ):
            assert bool(ours.match(value)) == bool(theirs.match(value)), (tag, value)


def test_every_pattern_gives_the_same_answer_for_every_text_of_the_corpus() -> None:
    _each_pattern_agrees(CORPUS)


def test_the_corpus_holds_texts_each_pattern_takes_and_texts_it_refuses() -> None:
    """Two-sided: for every tag, the corpus has a text its pattern matches and one starting
    with one of its first characters that it does not; a pattern too wide or too narrow
    shows."""
    one_sided = {}
    for tag, pattern, firsts in _entries(RUAMEL):
        answers = {bool(pattern.match(v)) for v in CORPUS if v[:1] in firsts}
        if answers != {True, False}:
            one_sided[tag] = answers
    assert not one_sided, one_sided
    # Every tag is the answer for some text of the corpus.
    assert {resolve(RUAMEL, v) for v in CORPUS} == {
        BOOL, FLOAT, INT, MERGE, NULL, TIMESTAMP, VALUE, YAML, STR
    }  # fmt: skip


def test_yamlfast_resolves_by_its_table() -> None:
    for value in EDGE_CASES:
        assert yamlfast.plain_tag(value) == resolve(OURS, value), value


_ALPHABET = string.digits + "+-._:eE oOxXbBtTfFnN~Z\t\n<=!&*" + string.ascii_letters + "\u0663"
_PIECES = st.sampled_from(
    ["2026", "26", "-", "9", "09", "1", "0", "T", "t", " ", "\t", ":", "00", "05", "5", ".",
     "Z", "+", "01:00", "_", "e", "E", "e+", "0x", "0o", "0b", "1F", "inf", "Inf", "nan",
     "NaN", "true", "False", "null", "~", "<<", "="]
)  # fmt: skip
_DATE_TIMES = st.tuples(
    st.sampled_from(["2026", "226", "20260"]),
    st.sampled_from(["-09", "-9", "-009", "/09", ""]),
    st.sampled_from(["-01", "-1", "-001", ""]),
    st.sampled_from(["", "T", "t", " ", "\t", "  \t", "TT", "x"]),
    st.sampled_from(["", "08", "8", "108"]),
    st.sampled_from(["", ":05", ":5"]),
    st.sampled_from(["", ":00", ":0", ":000"]),
    st.sampled_from(["", ".", ".5", ".123", ".5.5"]),
    st.sampled_from(["", " ", "\t", "  "]),
    st.sampled_from(["", "Z", "z", "+01:00", "-1", "+1:00", "+01:0", "+100", "-10"]),
    st.sampled_from(["", "\n", " "]),
).map("".join)


@settings(max_examples=3000, derandomize=True, database=None, deadline=None)
@given(
    st.one_of(
        st.text(_ALPHABET, max_size=24),
        st.lists(_PIECES, max_size=12).map("".join),
        _DATE_TIMES,
    )
)
def test_generated_texts_resolve_alike(value: str) -> None:
    _each_pattern_agrees([value])


def test_the_table_has_no_ruamel_yaml_in_it() -> None:
    """Plain compiled patterns of the re module (ruamel.yaml's are lazy proxies)."""
    for entries in OURS.values():
        for _, pattern in entries:
            assert isinstance(pattern, re.Pattern)
