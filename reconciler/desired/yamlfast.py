"""The fast way to compose a YAML file into nodes: libyaml (through PyYAML's C parser).

ruamel.yaml's pure-Python scanner is most of the time `validate` and `plan` spend on a tree of
profiles; libyaml composes the same nodes, with the same marks (line and column), about 25 times
faster. It is only an optimisation: `compose` answers None, and the caller reads the file the
precise (pure) way, whenever libyaml is missing, the text holds anything out of the ordinary
(a directive, a tag, a tab, a byte-order mark or line separator inside it, nesting deep enough to
matter) or libyaml finds anything wrong. Every message therefore still comes from the precise
path; a differential test (tests/desired/test_yaml_fast_path.py) holds the two paths equal.
Scalars are resolved with ruamel.yaml's own YAML 1.2 rules, so `yes` and `on` stay text.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ruamel.yaml.resolver import implicit_resolvers

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

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
#: ruamel.yaml's YAML 1.2 resolution table, by first character: (tag, pattern) pairs.
_RESOLVERS: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _versions, _tag, _pattern, _first in implicit_resolvers:
    if (1, 2) in _versions:
        for _char in _first:
            # A plain compiled pattern: ruamel's is a lazy proxy, slower on every match.
            plain = re.compile(_pattern.pattern, _pattern.flags)
            _RESOLVERS.setdefault(_char, []).append((_tag, plain))


def available() -> bool:
    """True when PyYAML's libyaml binding is installed."""
    return _COMPOSER is not None


def compose(text: str) -> list[Any] | None:
    """The root node of every document, or None: read this text the precise way."""
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


def _ordinary(text: str) -> bool:
    if text.startswith(("%", "...")) or any(mark in text for mark in _LINE_STARTS):
        return False
    if any(char in text for char in _UNUSUAL):
        return False
    if ("&" in text or "*" in text) and _ANCHOR_NAME_QUIRK.search(text):
        return False
    if ("|" in text or ">" in text) and _BLOCK_SCALAR.search(text):
        return False
    # Every level of nesting starts with one of these characters, or with a deeper indentation
    # than the level above; n levels of indentation take n*(n-1)/2 spaces at least.
    bound = sum(text.count(char) for char in "[{-?")
    indent_levels = math.isqrt(2 * len(text)) + 1
    if bound + indent_levels <= MAX_NESTING_BOUND:
        return True
    deepest_indent = max(map(len, _INDENT.findall(text)), default=0)
    return bound + deepest_indent + 1 <= MAX_NESTING_BOUND


_COMPOSER: Any
_FAILURES: tuple[type[BaseException], ...]
try:  # PyYAML with libyaml: optional, the pure path does everything without it
    from yaml import YAMLError
    from yaml._yaml import CParser
    from yaml.nodes import SequenceNode
except ImportError:  # pragma: no cover - the missing-libyaml test runs in a subprocess
    _COMPOSER = None
    _FAILURES = ()
else:

    class _Composer(CParser):
        """libyaml's composer with ruamel.yaml's YAML 1.2 resolution rules."""

        def resolve(self, kind: type, value: Any, implicit: Any) -> str:
            # The tag of a node without one, by ruamel.yaml's YAML 1.2 rules; libyaml asks
            # for every node of every file, so it is kept short.
            if value is None:
                return _SEQ if kind is SequenceNode else _MAP
            if implicit[0]:
                for tag, pattern in _RESOLVERS.get(value[:1], ()):
                    if pattern.match(value):
                        return tag
            return _STR

        # The composer asks for path-based resolution, which we do not use.
        def descend_resolver(self, parent: Any, index: Any) -> None:
            return None

        def ascend_resolver(self) -> None:
            return None

    _COMPOSER = _Composer
    _FAILURES = (YAMLError, ValueError, RecursionError, MemoryError)
