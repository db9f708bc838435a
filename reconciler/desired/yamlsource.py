"""Safe YAML reading with a source position for every value.

ruamel.yaml composes the node graph (it never constructs arbitrary objects); we build plain
Python values from it ourselves so that custom tags, duplicate keys and alias bombs are
refused with a position instead of being silently accepted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.desired.problems import Problem, Severity
from reconciler.desired.yamlerrors import explain, pasted_characters

MAX_FILE_BYTES = 1024 * 1024
#: Nodes one document may expand to through aliases; real profiles have a few hundred.
MAX_EXPANDED_NODES = 20_000
#: Nesting deeper than this is no profile (and would exhaust the stack on a recursive alias).
MAX_DEPTH = 64

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


def read_documents(display_name: str, data: bytes, *, is_json: bool = False) -> list[Document]:
    """Parse every document of one file; raises YamlSourceError on the first fatal problem."""

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
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise fail("file is empty: write a profile in it or delete it")

    if is_json:
        # JSON is YAML 1.2, except that JSON may indent with tabs; a tab outside a string is
        # only whitespace there, and one space keeps every column where it was.
        text = text.replace("\t", " ")
    pasted = pasted_characters(text)
    if pasted:
        raise fail(pasted.message, pasted.line, pasted.column)
    yaml = YAML(typ="safe", pure=True)
    try:
        nodes = [n for n in yaml.compose_all(text) if n is not None and not _empty(n)]
    except MarkedYAMLError as exc:
        found = explain(exc, text)
        raise fail(f"invalid YAML: {found.message}", found.line, found.column) from None
    except YAMLError as exc:
        raise fail(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise fail(f"values nested too deeply (more than {MAX_DEPTH} levels)") from None
    if not nodes:
        raise fail(
            "file holds no profile, only empty documents: write a profile in it or delete it"
        )
    lines = text.splitlines()
    return [_build(display_name, node, lines) for node in nodes]


def _empty(node: Node) -> bool:
    """An empty document (`---` with nothing after it, as a trailing `---` leaves): skipped,
    as YAML allows. An explicit `null` or `~` is a value, and checked like any other."""
    return isinstance(node, ScalarNode) and str(node.tag).endswith(":null") and node.value == ""


def _build(display_name: str, root: Node, lines: list[str]) -> Document:
    doc = Document(value=None)
    budget = [MAX_EXPANDED_NODES]

    def pos(node: Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def problem(node: Node, message: str) -> YamlSourceError:
        line, col = pos(node)
        return YamlSourceError(Problem(display_name, line, col, Severity.ERROR, message))

    def build(node: Node, path: Path) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise problem(
                root,
                f"document expands to more than {MAX_EXPANDED_NODES:,} values through aliases "
                "(a YAML alias bomb?); write the values out or use fewer aliases",
            )
        if len(path) > MAX_DEPTH:
            raise problem(
                node, f"values nested deeper than {MAX_DEPTH} levels (a recursive alias?)"
            )
        tag = str(node.tag)
        if tag not in _STANDARD_TAGS:
            raise problem(
                node,
                f"custom YAML tag {tag.replace('tag:yaml.org,2002:', '!!')!r} is not allowed; "
                "remove the tag and write a plain value",
            )
        doc.positions.setdefault(path, pos(node))
        if isinstance(node, MappingNode):
            return build_mapping(node, path)
        if isinstance(node, SequenceNode):
            return [build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return scalar(node, path)

    def build_mapping(node: MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if str(key_node.tag).endswith(":merge"):
                raise problem(
                    key_node, "YAML merge keys (<<) are not supported; write the keys out"
                )
            if not isinstance(key_node, ScalarNode):
                raise problem(key_node, "mapping keys must be plain strings")
            key = str(key_node.value)
            if key in result:
                line, _ = doc.key_position((*path, key))
                raise problem(key_node, f"duplicate key {key!r} (first written on line {line})")
            doc.positions[("#key", *path, key)] = pos(key_node)
            if _empty(value_node):
                # An empty value has no text of its own: point at its key, not the next line.
                doc.positions[(*path, key)] = pos(key_node)
                after = lines[key_node.end_mark.line][key_node.end_mark.column :]
                if (
                    after.lstrip(" \"'").startswith(":")
                    and after.split(":", 1)[1].strip()[:1] == "#"
                ):
                    doc.comment_values.add((*path, key))
            result[key] = build(value_node, (*path, key))
        return result

    def scalar(node: ScalarNode, path: Path) -> Any:
        tag = str(node.tag)
        raw: str = node.value
        if tag.endswith(":str") or tag.endswith(":binary"):
            return raw
        if tag.endswith(":null"):
            return None
        if tag.endswith(":bool"):
            return raw.lower() in {"true", "yes", "on", "y"}
        doc.scalar_text[path] = raw
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

    doc.value = build(root, ())
    return doc


def iter_paths(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every (path, value) pair below `value`, depth first."""
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from iter_paths(child, (*path, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from iter_paths(child, (*path, i))
