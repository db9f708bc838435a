"""Safe YAML reading with a source position for every value.

A parser composes the node graph (it never constructs arbitrary objects): libyaml for the usual
file (`yamlfast`), ruamel.yaml's pure parser for any other (`yamlprecise`, imported only when a
file needs it). We build plain Python values from it ourselves so that custom tags, duplicate
keys and alias bombs are refused with a position instead of being silently accepted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from reconciler.collector import collector_paused
from reconciler.desired import yamlfast
from reconciler.desired.problems import Problem, Severity
from reconciler.desired.yamlerrors import mark_lines, pasted_characters

MAX_FILE_BYTES = 1024 * 1024
#: Nodes one document may expand to through aliases; real profiles have a few hundred.
MAX_EXPANDED_NODES = 20_000
#: Nesting deeper than this is no profile (and would exhaust the stack on a recursive alias).
MAX_DEPTH = 64
#: The composer stops here, before Python's own recursion limit could: deeper than MAX_DEPTH
#: is refused anyway, and the margin keeps the positioned message for a few levels too many.
MAX_COMPOSE_DEPTH = 2 * MAX_DEPTH

#: A composed node of either parser (ruamel.yaml's or libyaml's): `id`, `tag`, `value`, marks.
Node = Any

Path = tuple[str | int, ...]

STANDARD_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "binary", "merge")
}


@dataclass
class Document:
    """One YAML document: its value, where each value starts, and the source text of scalars."""

    value: Any
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    #: Source text of non-string scalars (numbers, dates), for properties Graph wants as text.
    scalar_text: dict[Path, str] = field(default_factory=dict)
    #: Values left empty because a `#` right after the `:` began a comment (`"@odata.type":
    #: #microsoft.graph.x` is a key with no value): worth a hint wherever a value is missing.
    comment_values: set[Path] = field(default_factory=set)

    def where(self, path: Path) -> tuple[int, int]:
        """1-based line and column of the value at `path` (or its nearest ancestor)."""
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, (1, 1))

    def key_position(self, path: Path) -> tuple[int, int]:
        """Where the key of the member at `path` is written."""
        return self.positions.get(("#key", *path), self.where(path))


class YamlSourceError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def read_documents(
    display_name: str, data: bytes, *, is_json: bool = False, fast: bool = True
) -> list[Document]:
    """Parse every document of one file; raises YamlSourceError on the first fatal problem.
    `fast=False` reads the precise way only (the differential test compares the two)."""

    def fail(message: str, line: int = 1, col: int = 1) -> YamlSourceError:
        return YamlSourceError(Problem(display_name, line, col, Severity.ERROR, message))

    if len(data) > MAX_FILE_BYTES:
        raise fail(
            f"file is {len(data):,} bytes, over the 1 MiB limit for a desired-state file; "
            "split it into one file per profile"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise fail(
            f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8",
            line,
        ) from None
    text = text.removeprefix("\ufeff")
    if only_comments(text):
        raise fail("file is empty: write a profile in it or delete it")

    if is_json:
        # JSON is YAML 1.2, except that JSON may indent with tabs; a tab outside a string is
        # only whitespace there, and one space keeps every column where it was.
        text = text.replace("\t", " ")
    pasted = pasted_characters(text)
    if pasted:
        raise fail(pasted.message, pasted.line, pasted.column)
    with collector_paused():
        nodes = yamlfast.compose(text) if fast else None
        if nodes is not None:
            try:
                docs = [
                    _FastBuilder(text).document(node) for node in nodes if not _empty_plain(node)
                ]
            except _Unusual:
                docs = []  # the precise path below says what is wrong, in its own words
            if docs:
                return docs
        # ruamel.yaml is imported here, by the first file that needs it, not with this module.
        from reconciler.desired.yamlprecise import read_precisely

        return read_precisely(display_name, text, fail)


#: Where `str.splitlines` ends a line.
_LINE_END = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def only_comments(text: str) -> bool:
    """Whether every line (as `str.splitlines` cuts them) is blank or a comment. Looks at the
    lines up to the first that is neither, without cutting the text into lines: after a line
    break, blank lines and a line's indentation are all whitespace to `lstrip`."""
    rest = text.lstrip()
    while rest:
        if rest[0] != "#":
            return False
        end = _LINE_END.search(rest)
        if end is None:
            return True
        rest = rest[end.end() :].lstrip()
    return True


class _Unusual(Exception):
    """What `_Builder` would refuse, met by `_FastBuilder`: the precise path reads the file
    again and words the problem."""


def _unusual(message: str) -> _Unusual:
    return _Unusual(message)


_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_MERGE = "tag:yaml.org,2002:merge"


def _empty_plain(node: Node) -> bool:
    """`_empty` for libyaml's nodes, whose tags are not resolved: an empty plain scalar."""
    return bool(node.id == "scalar" and node.style == "" and node.value == "")


class _FastBuilder:
    """`_Builder` for libyaml's nodes (`yamlfast.compose`), made for the usual file: the same
    values, positions, scalar texts and comment hints, with each plain scalar's tag resolved
    here (`yamlfast.plain_tag`; any other scalar is text, as the text holds no tags). Whatever
    `_Builder` refuses (an alias bomb, nesting past MAX_DEPTH, a merge key, a key that is not
    a scalar, a key written twice, half a surrogate pair, a tag it does not take) raises
    _Unusual instead. The differential tests hold the two paths equal."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: list[str] | None = None  # made when an empty value needs them: rarely
        self.doc = Document(value=None)
        self.budget = MAX_EXPANDED_NODES

    def document(self, root: Node) -> Document:
        self.doc.value = self.build(root, ())
        return self.doc

    def build(self, node: Node, path: Path) -> Any:
        self.budget -= 1
        if self.budget < 0 or len(path) > MAX_DEPTH:
            raise _Unusual
        mark = node.start_mark
        self.doc.positions.setdefault(path, (mark.line + 1, mark.column + 1))
        kind = node.id
        if kind == "scalar":
            return self.scalar(node, path)
        if kind == "mapping":
            return self.mapping(node, path)
        return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]

    def mapping(self, node: Node, path: Path) -> dict[str, Any]:
        doc = self.doc
        positions = doc.positions
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.id != "scalar":
                raise _Unusual
            key: str = key_node.value
            style = key_node.style
            if style == '"':
                key = text_of(key_node, _unusual)
            elif style == "" and yamlfast.plain_tag(key) == _MERGE:
                raise _Unusual
            if key in result:
                raise _Unusual
            mark = key_node.start_mark
            at = (*path, key)
            positions[("#key", *at)] = (mark.line + 1, mark.column + 1)
            if _empty_plain(value_node):
                # An empty value has no text of its own: point at its key, not the next line.
                positions[at] = (mark.line + 1, mark.column + 1)
                if self._comment_after(key_node):
                    doc.comment_values.add(at)
            result[key] = self.build(value_node, at)
        return result

    def _comment_after(self, key_node: Node) -> bool:
        """`key: # text`: the `#` right after the colon began a comment."""
        if self.lines is None:
            self.lines = mark_lines(self.text)
        after: str = self.lines[key_node.end_mark.line][key_node.end_mark.column :]
        return after.lstrip(" \"'").startswith(":") and after.split(":", 1)[1].strip()[:1] == "#"

    def scalar(self, node: Node, path: Path) -> Any:
        raw: str = node.value
        style = node.style
        if style != "":  # quoted (block scalars are left to the precise path): text
            return text_of(node, _unusual) if style == '"' else raw
        tag = yamlfast.plain_tag(raw)
        if tag == yamlfast.STR:
            return raw
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return raw.lower() in {"true", "yes", "on", "y"}
        if tag not in STANDARD_TAGS:
            raise _Unusual
        self.doc.scalar_text[path] = raw
        if tag == _INT:
            try:
                return int(raw.replace("_", ""), 0)
            except ValueError:
                return raw
        if tag == _FLOAT:
            try:
                return float(raw.replace("_", ""))
            except ValueError:
                return raw
        return raw  # timestamps stay text, as `_Builder.scalar` says


#: Half of a UTF-16 pair, which YAML's `\\uD83D` escape makes on its own (JSON pairs them).
_SURROGATE = re.compile("[\ud800-\udfff]")


def text_of(node: Node, fail: Callable[[str], Exception]) -> str:
    """A scalar's text. `\\ud83d\\ude00` (JSON's way to write 😀, which pasted Graph JSON
    uses) becomes the one character it means; half a pair is no character and is refused."""
    raw: str = node.value
    if node.style != '"' or not _SURROGATE.search(raw):
        return raw
    joined = raw.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    half = _SURROGATE.search(joined)
    if half:
        raise fail(
            f"the escape \\u{ord(half.group()):04x} is half of a UTF-16 surrogate pair, not a "
            "character; write the character itself, or its \\U escape with eight digits "
            "(😀 is \\U0001F600)"
        )
    return joined


def iter_paths(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every (path, value) pair below `value`, depth first."""
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from iter_paths(child, (*path, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from iter_paths(child, (*path, i))
