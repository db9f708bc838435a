"""Safe YAML reading with a source position for every value.

ruamel.yaml composes the node graph (it never constructs arbitrary objects); we build plain
Python values from it ourselves so that custom tags, duplicate keys and alias bombs are
refused with a position instead of being silently accepted.
"""

from __future__ import annotations

import gc
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scanner import Scanner

from reconciler.desired import yamlfast
from reconciler.desired.problems import Problem, Severity
from reconciler.desired.yamlerrors import explain, mark_lines, pasted_characters

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

_STANDARD_TAGS = {
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
        return _read_precisely(display_name, text, fail)


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


@contextmanager
def collector_paused() -> Iterator[None]:
    """Composing allocates thousands of nodes that live a millisecond; Python's cycle collector
    would scan them (and every profile read before) again and again: a third of the time.
    Paused while a file is read — or, as the loader uses it (also as a decorator), while a whole
    tree is — it runs once after. What reading leaves behind is acyclic (see `_Builder`), so
    nothing piles up while it is paused."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_precisely(
    display_name: str, text: str, fail: Callable[..., YamlSourceError]
) -> list[Document]:
    """The pure path: ruamel.yaml's scanner, whose complaints `explain` turns into fixes."""
    try:
        nodes = [n for n in _pure_parser().compose_all(text) if n is not None and not _empty(n)]
    except _TooDeep:
        raise fail(f"values nested too deeply (more than {MAX_DEPTH} levels)") from None
    except _UnknownVersion as exc:
        raise fail(
            f"%YAML {exc.version}: there is no YAML {exc.version}; remove the %YAML line "
            "(profiles are YAML 1.2)",
            exc.line,
            exc.column,
        ) from None
    except MarkedYAMLError as exc:
        found = explain(exc, text)
        raise fail(f"invalid YAML: {found.message}", found.line, found.column) from None
    except ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - text.rfind("\n", 0, exc.position)
        raise fail(
            f"the invisible character U+{exc.character:04X} is not allowed in YAML (pasted "
            "from another program, or is this a binary file?); remove it",
            line,
            column,
        ) from None
    except YAMLError as exc:
        raise fail(f"invalid YAML: {' '.join(str(exc).split())}") from None
    if not nodes:
        raise fail(
            "file holds no profile, only empty documents: write a profile in it or delete it"
        )
    lines = mark_lines(text)
    return [_build(display_name, node, lines) for node in nodes]


class _TooDeep(Exception):
    """Nesting past MAX_COMPOSE_DEPTH: refused before the recursion goes any deeper."""


class _UnknownVersion(Exception):
    """`%YAML 1.7`: ruamel.yaml reads 1.1 and 1.2 and asserts on any other 1.x."""

    def __init__(self, version: tuple[int, int], mark: Any) -> None:
        super().__init__(version)
        self.version = f"{version[0]}.{version[1]}"
        self.line, self.column = mark.line + 1, mark.column + 1


class _CheckedScanner(Scanner):
    """ruamel.yaml's scanner, refusing a `%YAML 1.x` it cannot read with a position, and
    nesting past MAX_COMPOSE_DEPTH as soon as it opens (on one line of `[[[…`, the scanner
    would otherwise look a thousand brackets ahead for each one: seconds of work)."""

    def fetch_flow_collection_start(self, token_class: Any, to_push: str) -> None:
        if self.flow_level >= MAX_COMPOSE_DEPTH:
            raise _TooDeep
        super().fetch_flow_collection_start(token_class, to_push)

    def add_indent(self, column: int) -> bool:
        if len(self.indents) >= MAX_COMPOSE_DEPTH:
            raise _TooDeep
        return bool(super().add_indent(column))

    def scan_yaml_directive_value(self, start_mark: Any) -> Any:
        version = super().scan_yaml_directive_value(start_mark)
        if version[0] == 1 and version[1] not in (1, 2):
            raise _UnknownVersion(version, start_mark)
        if version[0] != 1:
            # The parser refuses it ("1.* is required") where a document starts; met inside a
            # document, it must not become the version scalars are resolved by (a KeyError).
            self.yaml_version = None
        return version


class _GuardedComposer(Composer):
    """ruamel.yaml's composer, stopped at MAX_COMPOSE_DEPTH levels instead of recursing on
    until Python's recursion limit (seconds of work on a hostile file)."""

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self.level = 0
        # YAML 1.2 allows an anchor to be defined again (an alias means the latest one).
        self.warn_double_anchors = False

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.level += 1
        try:
            if self.level > MAX_COMPOSE_DEPTH:
                raise _TooDeep
            return super().compose_node(parent, index)
        finally:
            self.level -= 1


_parsers = threading.local()


def _pure_parser() -> YAML:
    """One parser per thread, reused file after file (ruamel.yaml resets it after each)."""
    parser: YAML | None = getattr(_parsers, "yaml", None)
    if parser is None:
        parser = YAML(typ="safe", pure=True)
        parser.Scanner = _CheckedScanner
        parser.Composer = _GuardedComposer
        _parsers.yaml = parser
    # A `%YAML 1.1` directive sets the version on the parser, and it would stick to every
    # later file; each read also appends a record we never look at.
    parser.version = None
    parser.doc_infos.clear()
    return parser


def _empty(node: Node) -> bool:
    """An empty document (`---` with nothing after it, as a trailing `---` leaves): skipped,
    as YAML allows. An explicit `null` or `~` is a value, and checked like any other."""
    return node.value == "" and node.id == "scalar" and str(node.tag).endswith(":null")


def _build(display_name: str, root: Node, lines: list[str]) -> Document:
    return _Builder(display_name, root, lines).document()


class _Builder:
    """Composed nodes → Python values, recording where each value is written. A class, not
    nested functions: those refer to each other through their cells, a cycle that would hold
    the file's lines until the (paused) collector runs."""

    def __init__(self, display_name: str, root: Node, lines: list[str]) -> None:
        self.display_name = display_name
        self.root = root
        self.lines = lines
        self.doc = Document(value=None)
        self.budget = MAX_EXPANDED_NODES

    def document(self) -> Document:
        self.doc.value = self.build(self.root, ())
        return self.doc

    @staticmethod
    def pos(node: Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def problem(self, node: Node, message: str) -> YamlSourceError:
        line, col = self.pos(node)
        return YamlSourceError(Problem(self.display_name, line, col, Severity.ERROR, message))

    def build(self, node: Node, path: Path) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise self.problem(
                self.root,
                f"document expands to more than {MAX_EXPANDED_NODES:,} values through aliases "
                "(a YAML alias bomb?); write the values out or use fewer aliases",
            )
        if len(path) > MAX_DEPTH:
            raise self.problem(
                node, f"values nested deeper than {MAX_DEPTH} levels (a recursive alias?)"
            )
        tag = str(node.tag)
        if tag not in _STANDARD_TAGS:
            raise self.problem(
                node,
                f"custom YAML tag {tag.replace('tag:yaml.org,2002:', '!!')!r} is not allowed; "
                "remove the tag and write a plain value",
            )
        self.doc.positions.setdefault(path, self.pos(node))
        if node.id == "mapping":
            return self.build_mapping(node, path)
        if node.id == "sequence":
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.scalar(node, path)

    def build_mapping(self, node: Node, path: Path) -> dict[str, Any]:
        doc = self.doc
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if str(key_node.tag).endswith(":merge"):
                raise self.problem(
                    key_node, "YAML merge keys (<<) are not supported; write the keys out"
                )
            if key_node.id != "scalar":
                raise self.problem(key_node, "mapping keys must be plain strings")
            key = self.text_of(key_node)
            if key in result:
                line, _ = doc.key_position((*path, key))
                raise self.problem(
                    key_node, f"duplicate key {key!r} (first written on line {line})"
                )
            doc.positions[("#key", *path, key)] = self.pos(key_node)
            if _empty(value_node):
                # An empty value has no text of its own: point at its key, not the next line.
                doc.positions[(*path, key)] = self.pos(key_node)
                after = self.lines[key_node.end_mark.line][key_node.end_mark.column :]
                if (
                    after.lstrip(" \"'").startswith(":")
                    and after.split(":", 1)[1].strip()[:1] == "#"
                ):
                    doc.comment_values.add((*path, key))
            result[key] = self.build(value_node, (*path, key))
        return result

    def text_of(self, node: Node) -> str:
        if node.style != '"':  # the common case, without making a closure for the rare one
            return str(node.value)
        return _text_of(node, lambda message: self.problem(node, message))

    def scalar(self, node: Node, path: Path) -> Any:
        tag = str(node.tag)
        raw = self.text_of(node)
        if tag.endswith(":str") or tag.endswith(":binary"):
            return raw
        if tag.endswith(":null"):
            return None
        if tag.endswith(":bool"):
            return raw.lower() in {"true", "yes", "on", "y"}
        self.doc.scalar_text[path] = raw
        if tag.endswith(":int"):
            try:
                return int(raw.replace("_", ""), 0)
            except ValueError:
                return raw
        if tag.endswith(":float"):
            try:
                return float(raw.replace("_", ""))
            except ValueError:
                return raw
        # timestamps stay text: Graph takes dates as strings (typecheck puts date-times in
        # Graph's ISO form)
        return raw


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
                key = _text_of(key_node, _unusual)
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
            return _text_of(node, _unusual) if style == '"' else raw
        tag = yamlfast.plain_tag(raw)
        if tag == yamlfast.STR:
            return raw
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return raw.lower() in {"true", "yes", "on", "y"}
        if tag not in _STANDARD_TAGS:
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


def _text_of(node: Node, fail: Callable[[str], Exception]) -> str:
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
