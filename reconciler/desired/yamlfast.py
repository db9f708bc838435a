"""The fast way to compose a YAML file into nodes: libyaml (through PyYAML's C parser).

ruamel.yaml's pure-Python scanner is most of the time `validate` and `plan` spend on a tree of
profiles; libyaml composes the same nodes, with the same marks (line and column), about 25 times
faster. It is only an optimisation: `compose` answers None, and the caller reads the file the
precise (pure) way, whenever libyaml is missing, the text holds anything out of the ordinary
(a directive, a tag, a tab, a byte-order mark or line separator inside it, nesting deep enough to
matter) or libyaml finds anything wrong. Every message therefore still comes from the precise
path; a differential test (tests/campaigns/test_loader_fuzz.py) holds the two paths equal.
Scalars are resolved by ruamel.yaml's YAML 1.2 rules (`plain_tag`, with this module's own table,
which a test holds to ruamel.yaml's), so `yes` and `on` stay text.
"""

from __future__ import annotations

import math
import re
from typing import Any

#: Text read the precise way only: `%` directives (a `%YAML 1.1` changes how `yes` resolves) and
#: `...` document ends at the start of a line (ruamel.yaml refuses two in a row, libyaml not),
#: `!` tags, tabs, and characters the two parsers could count as line breaks differently
#: (byte-order mark, NEL, line and paragraph separators).
_LINE_STARTS = ("\n%", "\r%", "\n...", "\r...")
_UNUSUAL = ("!", "\t", "\ufeff", "\x85", "\u2028", "\u2029")
#: Each level of nesting costs libyaml's composer C stack; older libyaml releases have no limit
#: of their own, so files that could nest deeper than this are left to the guarded pure path.
MAX_NESTING_BOUND = 1000
_INDENT = re.compile(r"^ *", re.MULTILINE)
#: `*k:` is the alias `k` and a colon to libyaml, the alias `k:` to ruamel.yaml (whose anchor
#: names take any printable character): such texts go the precise way.
_ANCHOR_NAME_QUIRK = re.compile(r"[&*][A-Za-z0-9_-]+[?:%@`]")
#: A `|` or `>` block scalar: ruamel.yaml refuses a leading blank line indented deeper than the
#: text, libyaml reads it; block scalars are rare in profiles and go the precise way.
_BLOCK_SCALAR = re.compile(r"[|>][-+0-9]*[ \t]*(?:#.*)?$", re.MULTILINE)

STR = "tag:yaml.org,2002:str"

_DIGIT = "0123456789"
_N = "[0-9]"  # ASCII digits only (`\d` would take any Unicode digit)
_EXPONENT = f"[eE][-+]?{_N}+"
#: The YAML 1.2 implicit types of a plain scalar, as ruamel.yaml resolves them (the core schema
#: and ruamel.yaml's additions: `_` in numbers, `0b` binary, timestamps, `<<`, `=`): (tag, the
#: first characters it can start with, the whole text). The first listed that matches wins.
#: `$` also takes the text before a final line break, as ruamel.yaml's table does (a plain
#: scalar never ends in one). tests/desired/test_yaml_resolvers.py holds it to ruamel.yaml's.
_IMPLICIT_TYPES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("bool", tuple("tTfF"), r"(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$"),
    (
        "float",
        tuple("-+." + _DIGIT),
        "(?:"
        # 1.5, 1., 1_000.5e-3, 1e3: digits, then a point (with or without more) or an exponent
        f"[-+]?{_N}[0-9_]*(?:\\.[0-9_]*(?:{_EXPONENT})?|{_EXPONENT})"
        # .5, .5e+3 (after a leading point, the exponent needs its sign)
        f"|[-+]?\\.[0-9_]+(?:[eE][-+]{_N}+)?"
        "|[-+]?\\.(?:inf|Inf|INF)"
        "|\\.(?:nan|NaN|NAN)"
        ")$",
    ),
    (
        "int",
        tuple("-+" + _DIGIT),
        "[-+]?(?:0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9_]+)$",
    ),
    ("merge", ("<",), "<<$"),
    # "" stands for the empty text, which has no first character: null, as `key:` is
    ("null", ("~", "n", "N", ""), "(?:~|null|Null|NULL|)$"),
    (
        "timestamp",
        tuple(_DIGIT),
        # a date written in full, or a date and a time: 2026-9-1T8:05:00.5 +01:00
        f"(?:{_N}{{4}}-{_N}{{2}}-{_N}{{2}}"
        f"|{_N}{{4}}-{_N}{{1,2}}-{_N}{{1,2}}(?:[Tt]|[ \\t]+){_N}{{1,2}}:{_N}{{2}}:{_N}{{2}}"
        f"(?:\\.{_N}*)?(?:[ \\t]*(?:Z|[-+]{_N}{{1,2}}(?::{_N}{{2}})?))?"
        ")$",
    ),
    ("value", ("=",), "=$"),
    ("yaml", tuple("!&*"), "[!&*]$"),
)


def _by_first_character(
    types: tuple[tuple[str, tuple[str, ...], str], ...],
) -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    table: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for name, firsts, pattern in types:
        compiled = re.compile(pattern)
        for char in firsts:
            table.setdefault(char, []).append(("tag:yaml.org,2002:" + name, compiled))
    return table


#: The resolution table by first character: (tag, pattern) pairs, tried in order.
_RESOLVERS = _by_first_character(_IMPLICIT_TYPES)


def available() -> bool:
    """True when PyYAML's libyaml binding is installed."""
    return _COMPOSER is not None


def compose(text: str) -> list[Any] | None:
    """The root node of every document, or None: read this text the precise way. The nodes'
    tags mean nothing (see `_Composer`): a plain scalar's is `plain_tag(value)`, any other
    scalar is text (the text holds no tags)."""
    if _COMPOSER is None or not _ordinary(text):
        return None
    try:
        parser = _COMPOSER(text)
        nodes = []
        while parser.check_node():
            nodes.append(parser.get_node())
        parser.dispose()
    except _FAILURES:
        return None  # the precise path names the problem
    return nodes


def plain_tag(value: str) -> str:
    """The tag of a plain (unquoted, untagged) scalar, by ruamel.yaml's YAML 1.2 rules
    (`_IMPLICIT_TYPES`)."""
    for tag, pattern in _RESOLVERS.get(value[:1], ()):
        if pattern.match(value):
            return tag
    return STR


def _ordinary(text: str) -> bool:
    if text.startswith(("%", "...")):
        return False
    for mark in _LINE_STARTS:
        if mark in text:
            return False
    # Of the unusual characters only `!` and the tab are ASCII, and most texts are all ASCII
    # (which a str knows without looking).
    if "!" in text or "\t" in text:
        return False
    if not text.isascii():
        for char in _UNUSUAL:
            if char in text:
                return False
    if ("&" in text or "*" in text) and _ANCHOR_NAME_QUIRK.search(text):
        return False
    if ("|" in text or ">" in text) and _BLOCK_SCALAR.search(text):
        return False
    # Every level of nesting starts with one of these characters, or with a deeper indentation
    # than the level above; n levels of indentation take n*(n-1)/2 spaces at least. There are
    # no more of the characters than characters: a short text is not counted.
    indent_levels = math.isqrt(2 * len(text)) + 1
    if len(text) + indent_levels <= MAX_NESTING_BOUND:
        return True
    bound = text.count("[") + text.count("{") + text.count("-") + text.count("?")
    if bound + indent_levels <= MAX_NESTING_BOUND:
        return True
    deepest_indent = max(map(len, _INDENT.findall(text)), default=0)
    return bound + deepest_indent + 1 <= MAX_NESTING_BOUND


_COMPOSER: Any
_FAILURES: tuple[type[BaseException], ...]
try:  # PyYAML with libyaml: optional, the pure path does everything without it
    from yaml import YAMLError
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - the missing-libyaml test runs in a subprocess
    _COMPOSER = None
    _FAILURES = ()
else:

    class _Composer(CParser):
        """libyaml's composer, which calls back into Python three times for every node: for
        its tag (`resolve(kind, value, implicit)`) and around it for path-based resolution
        (`descend_resolver(parent, index)`, `ascend_resolver()`), which we do not use. Those
        calls were a sixth of composing a profile; built-ins that take the same arguments
        and run no Python code answer instead, and the builder resolves the few tags it needs
        from the node's style and value (`plain_tag`): without tags in the text (`_ordinary`
        refuses `!`), a scalar is implicitly typed exactly when it is plain."""

        resolve = slice
        descend_resolver = slice
        ascend_resolver = tuple

    _COMPOSER = _Composer
    _FAILURES = (YAMLError, ValueError, RecursionError, MemoryError)
