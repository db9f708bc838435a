"""The precise way to read a YAML file: ruamel.yaml's pure-Python parser, whose complaints
`explain` turns into fixes.

Only files `yamlfast` does not take (a directive, a tag, a tab, a block scalar, a mistake) come
here. `yamlsource.read_documents` imports this module the first time such a file is read, so
ruamel.yaml (some 20 ms of imports) is not imported on every `validate` or `plan` run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scanner import Scanner

from reconciler.desired.problems import Problem, Severity
from reconciler.desired.yamlerrors import explain, mark_lines
from reconciler.desired.yamlsource import (
    KEY_MARK,
    MAX_COMPOSE_DEPTH,
    MAX_DEPTH,
    MAX_EXPANDED_NODES,
    STANDARD_TAGS,
    Document,
    Node,
    Path,
    YamlSourceError,
    text_of,
)


def read_precisely(
    display_name: str, text: str, fail: Callable[..., YamlSourceError], *, language: str = "YAML"
) -> list[Document]:
    """The pure path: ruamel.yaml's scanner, whose complaints `explain` turns into fixes.
    `language`: what a syntax error calls the file (a .json file is read as YAML too)."""
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
        raise fail(f"invalid {language}: {found.message}", found.line, found.column) from None
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
        raise fail(f"invalid {language}: {' '.join(str(exc).split())}") from None
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
        if tag not in STANDARD_TAGS:
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
            doc.positions[(KEY_MARK, *path, key)] = self.pos(key_node)
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
        return text_of(node, lambda message: self.problem(node, message))

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
