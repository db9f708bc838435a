"""Safe YAML reading with a source position for every value.

A parser composes the node graph (it never constructs arbitrary objects): libyaml for the usual
file (`yamlfast`), ruamel.yaml's pure parser for any other (`yamlprecise`, imported only when a
file needs it). We build plain Python values from it ourselves so that custom tags, duplicate
keys and alias bombs are refused with a position instead of being silently accepted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
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


class Document:
    """One YAML document: its value, where each value starts, and the source text of scalars.

    Positions are asked for rarely (a problem, a variable, the document itself) but a
    document has a value for each of dozens of paths: a document the fast path read keeps
    libyaml's nodes and finds a position in them when asked (`_NodePositions`), instead of
    writing all of them down (about a tenth of reading a file). `positions` is every one of
    them, made on first use; the precise path writes them as it builds."""

    __slots__ = ("_nodes", "_positions", "comment_values", "scalar_text", "text", "value")

    def __init__(self, value: Any = None, *, nodes: _NodePositions | None = None) -> None:
        self.value = value
        #: Source text of non-string scalars (numbers, dates), for properties Graph wants as
        #: text.
        self.scalar_text: dict[Path, str] = {}
        #: Values left empty because a `#` right after the `:` began a comment
        #: (`"@odata.type": #microsoft.graph.x` is a key with no value): worth a hint wherever
        #: a value is missing.
        self.comment_values: set[Path] = set()
        #: The file's text, kept only when a comment follows a value on its line (` #`): the
        #: text of a plain value ends there, which a check may want to point out.
        self.text: str | None = None
        self._positions: dict[Path, tuple[int, int]] | None = {} if nodes is None else None
        self._nodes = nodes

    @property
    def positions(self) -> dict[Path, tuple[int, int]]:
        """1-based (line, column) of every value by its path, and of every key by
        `("#key", *path)`."""
        if self._positions is None:
            assert self._nodes is not None
            self._positions = self._nodes.every_position()
        return self._positions

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Document):
            return NotImplemented
        return (self.value, self.positions, self.scalar_text, self.comment_values) == (
            other.value,
            other.positions,
            other.scalar_text,
            other.comment_values,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass it was

    def __repr__(self) -> str:
        return f"Document(value={self.value!r}, positions={self.positions!r})"

    def where(self, path: Path) -> tuple[int, int]:
        """1-based line and column of the value at `path` (or its nearest ancestor)."""
        nodes = self._looked_up(path)
        if nodes is not None:
            return nodes.where(path)
        positions = self.positions
        while path not in positions and path:
            path = path[:-1]
        return positions.get(path, (1, 1))

    def key_position(self, path: Path) -> tuple[int, int]:
        """Where the key of the member at `path` is written."""
        nodes = self._looked_up(path)
        if nodes is not None:
            found = nodes.key_position(path)
            return found if found is not None else self.where(path)
        return self.positions.get((KEY_MARK, *path), self.where(path))

    def _looked_up(self, path: Path) -> _NodePositions | None:
        """The nodes to look `path` up in; None: read `positions` (written down already, or
        a path with a `"#key"` step, which only `positions` answers as the precise path)."""
        return self._nodes if self._positions is None and KEY_MARK not in path else None


#: The first step of a key's path in `Document.positions`. A document with a key written
#: `"#key"` makes such paths ambiguous: that document's positions are all written down.
KEY_MARK = "#key"


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
        raise _not_utf8(data, exc.start, fail) from None
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
        docs = _read(display_name, text, fail, fast=fast, language="JSON" if is_json else "YAML")
    if " #" in text:
        for doc in docs:
            doc.text = text
    return docs


#: Byte-order marks of the encodings an editor writes instead of UTF-8 (Notepad's "Unicode").
_OTHER_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def _not_utf8(data: bytes, start: int, fail: Callable[..., YamlSourceError]) -> YamlSourceError:
    """Where the first byte that is not UTF-8 is, as LINE:COL, and how to save the file."""
    for bom, encoding in _OTHER_BOMS:
        if data.startswith(bom):
            return fail(
                f"file is saved as {encoding} (Notepad calls it 'Unicode'); save it as UTF-8 "
                "(in Notepad: File > Save As, Encoding: UTF-8)"
            )
    line_start = data.rfind(b"\n", 0, start) + 1
    if line_start == 0 and data.startswith(b"\xef\xbb\xbf"):
        line_start = 3  # a UTF-8 byte-order mark is no character of the text
    column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
    return fail(
        f"file is not valid UTF-8: byte 0x{data[start]:02x} here is a character saved in another "
        "encoding (such as Windows-1252); save the file as UTF-8",
        data.count(b"\n", 0, start) + 1,
        column,
    )


def _read(
    display_name: str,
    text: str,
    fail: Callable[..., YamlSourceError],
    *,
    fast: bool,
    language: str,
) -> list[Document]:
    nodes = yamlfast.compose(text) if fast else None
    if nodes is not None:
        try:
            docs = [_FastBuilder(text).document(node) for node in nodes if not _empty_plain(node)]
        except _Unusual:
            docs = []  # the precise path below says what is wrong, in its own words
        if docs:
            return docs
    # ruamel.yaml is imported here, by the first file that needs it, not with this module.
    from reconciler.desired.yamlprecise import read_precisely

    return read_precisely(display_name, text, fail, language=language)


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
        self.doc: Document  # one builder a document: made by `document`
        self.budget = MAX_EXPANDED_NODES
        self.key_mark_written = False

    def document(self, root: Node) -> Document:
        nodes = _NodePositions(root)
        self.doc = Document(nodes=nodes)
        self.doc.value = self.build(root, ())
        if self.key_mark_written:
            # A key written `"#key"` makes some paths of `positions` mean two things: they are
            # written down as the precise path writes them, and looked up there.
            self.doc._positions = nodes.every_position()
        return self.doc

    def build(self, node: Node, path: Path) -> Any:
        self.budget -= 1
        if self.budget < 0 or len(path) > MAX_DEPTH:
            raise _Unusual
        kind = node.id
        if kind == "scalar":
            return self.scalar(node, path)
        if kind == "mapping":
            return self.mapping(node, path)
        return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]

    def mapping(self, node: Node, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.id != "scalar":
                raise _Unusual
            key: str = key_node.value
            style = key_node.style
            if style == '"':
                key = text_of(key_node, _unusual)
            elif key == "<<" and style == "":  # the one text `plain_tag` makes a merge key
                raise _Unusual
            if key in result:
                raise _Unusual
            if key == KEY_MARK:
                self.key_mark_written = True
            at = (*path, key)
            empty = value_node.value == "" and _empty_plain(value_node)  # most are not: no call
            if empty and self._comment_after(key_node):
                self.doc.comment_values.add(at)
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


class _NodePositions:
    """Where the values of a document `_FastBuilder` built are written, found in its nodes when
    asked: a value's start, or its key's for an empty value (which has no text of its own).
    The same answers as the precise path's `positions`; `every_position` writes them all down
    in the same order it does."""

    __slots__ = ("_members", "_root")

    def __init__(self, root: Node) -> None:
        self._root = root
        #: A mapping's members by key, made when the mapping is first looked into: a problem
        #: on every member of a wide mapping must not search it member by member each time.
        self._members: dict[int, dict[str, tuple[Node, Node]]] = {}

    def where(self, path: Path) -> tuple[int, int]:
        *_, (key_node, node) = self._steps(path)
        return _value_position(key_node, node)

    def key_position(self, path: Path) -> tuple[int, int] | None:
        steps = list(self._steps(path))
        key_node = steps[-1][0]
        if len(steps) <= len(path) or key_node is None:
            return None  # not there, or not a member of a mapping
        return _position(key_node)

    def _steps(self, path: Path) -> Iterator[tuple[Node | None, Node]]:
        """(its key node or None, the node) for the root and each step of `path` that is
        there, in order. A step finds what a dict of the written paths would: `1.0` is the
        item `1` (and `True` too)."""
        key_node, node = None, self._root
        yield key_node, node
        for step in path:
            if node.id == "mapping" and isinstance(step, str):
                member = self._members_of(node).get(step)
                if member is None:
                    return
                key_node, node = member
            elif node.id == "sequence" and (index := _index(step)) is not None:
                if not 0 <= index < len(node.value):
                    return
                key_node, node = None, node.value[index]
            else:
                return
            yield key_node, node

    def _members_of(self, mapping: Node) -> dict[str, tuple[Node, Node]]:
        members = self._members.get(id(mapping))
        if members is None:  # the builder refused any key written twice
            members = {_key_text(k): (k, v) for k, v in mapping.value}
            self._members[id(mapping)] = members
        return members

    def every_position(self) -> dict[Path, tuple[int, int]]:
        positions: dict[Path, tuple[int, int]] = {}

        def visit(node: Node, path: Path) -> None:
            positions.setdefault(path, _position(node))
            if node.id == "mapping":
                for key_node, value_node in node.value:
                    at = (*path, _key_text(key_node))
                    positions[(KEY_MARK, *at)] = _position(key_node)
                    if _empty_plain(value_node):
                        positions[at] = _position(key_node)
                    visit(value_node, at)
            elif node.id == "sequence":
                for i, item in enumerate(node.value):
                    visit(item, (*path, i))

        visit(self._root, ())
        return positions


def _index(step: object) -> int | None:
    """The list index a path step is equal to, as a dict key (`True` is 1, and `1.0`)."""
    if isinstance(step, int):
        return int(step)
    if isinstance(step, float) and step.is_integer():
        return int(step)
    return None


def _position(node: Node) -> tuple[int, int]:
    mark = node.start_mark
    return (mark.line + 1, mark.column + 1)


def _value_position(key_node: Node | None, node: Node) -> tuple[int, int]:
    return _position(key_node if key_node is not None and _empty_plain(node) else node)


def _key_text(key_node: Node) -> str:
    """A mapping key as the builder read it (it refused any it could not)."""
    return text_of(key_node, _unusual)


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
