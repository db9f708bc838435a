"""The converted documents as files: stable names from natural keys, YAML text with a header
naming the classic source (pure: returns text, writes nothing)."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from reconciler.convert import shapes
from reconciler.convert.convert import Output
from reconciler.export.naming import file_slug

#: Written beside the files (as `export` does) so editors check them.
SCHEMA_FILE = "edusync-profile.schema.json"

KIND_SLUGS = {
    shapes.KIND_SOURCE_SYSTEM: "source-system",
    shapes.KIND_YEAR: "year",
    shapes.KIND_DATA_CONNECTOR: "data-connector",
    shapes.KIND_INBOUND_FLOW: "inbound-flow",
    shapes.KIND_FLOW_SET: "provisioning-flow-set",
}
#: Text YAML would read as something else (a number, a date, a boolean, null): quoted.
_NOT_PLAIN = re.compile(
    r"^(?:[-+]?[0-9][0-9_.:eE+-]*|\d{4}-\d{2}-\d{2}.*|true|false|yes|no|on|off|y|n|null|~|)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PlannedFile:
    name: str
    text: str
    output: Output


def plan_files(outputs: Sequence[Output]) -> list[PlannedFile]:
    """One file per document; a name two documents would share gets a short hash of the
    natural key (never a counter, which would depend on what else is converted)."""
    wanted = [_stem(o.document) for o in outputs]
    counts: dict[str, int] = {}
    for stem in wanted:
        counts[stem.lower()] = counts.get(stem.lower(), 0) + 1
    files = []
    for output, wanted_stem in zip(outputs, wanted, strict=True):
        stem = wanted_stem
        if counts[stem.lower()] > 1:
            digest = hashlib.sha256(output.document.key.encode()).hexdigest()[:8]
            stem = f"{stem}-{digest}"
        files.append(PlannedFile(f"{stem}.yaml", document_text(output), output))
    return sorted(files, key=lambda f: f.name)


def _stem(document: shapes.Document) -> str:
    slug = file_slug(document.key) or "unnamed"
    return f"{KIND_SLUGS.get(document.kind, file_slug(document.kind))}-{slug}"


def header(output: Output) -> str:
    lines = [
        f"# yaml-language-server: $schema={SCHEMA_FILE}",
        "# Converted by `edusync-reconcile convert-classic` from classic SDS profile"
        + ("s:" if len(output.sources) > 1 else ":"),
    ]
    lines += [f"#   {file} ({name})" for file, name in output.sources]
    lines.append("# Before the first apply, settle what the conversion report lists for it.")
    return "\n".join(lines) + "\n"


def document_text(output: Output) -> str:
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    stream = io.StringIO()
    stream.write(header(output))
    yaml.dump(to_node(output.document.body), stream)
    return stream.getvalue()


def to_node(value: Any) -> Any:
    """Plain data → ruamel nodes: `{ref: …}` and `{code: …}` and scalar lists in flow style,
    `@odata.type` and text YAML would misread in double quotes (`year: {ref: "2027"}`)."""
    if isinstance(value, Mapping):
        node = CommentedMap()
        for key, child in value.items():
            if key == shapes.ODATA_TYPE:
                node[DoubleQuotedScalarString(key)] = DoubleQuotedScalarString(str(child))
            else:
                node[key] = to_node(child)
        if set(value) <= {"ref", "code"}:
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        seq = CommentedSeq(to_node(v) for v in value)
        if all(not isinstance(v, (Mapping, list)) for v in value):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str) and _NOT_PLAIN.match(value):
        return DoubleQuotedScalarString(value)
    return value
