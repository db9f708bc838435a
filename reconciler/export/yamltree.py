"""Writing exported documents with ruamel.yaml's round-trip mode, and updating existing ones
in place so that an admin's comments, key order, quoting and file layout survive a re-export.

A member is rewritten only when the tenant differs from what the file says, judged the way
`plan` judges it (the same normaliser, only what the file declares); `${NAME}` values, secrets,
`kind`, `lifecycle` and paths the file ignores (`ignoreChanges`) are never touched.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from reconciler.engine.diff import project
from reconciler.engine.normalize import Mode, Normalizer, RawPath
from reconciler.kinds.model import (
    ODATA_TYPE,
    ObjectType,
    Prop,
    TypeExpr,
)
from reconciler.kinds.typetree import item_type_of, object_type_of

#: Keys of a desired-state document that are ours, not Graph's.
RESERVED = ("kind", "lifecycle")


class _Representer(RoundTripRepresenter):
    """Writes null as `null`: `key:` alone reads like a value left out by mistake."""


_Representer.add_representer(
    type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null")
)


def round_trip() -> YAML:
    yaml = YAML()  # round-trip: comments, order and quoting are kept
    yaml.Representer = _Representer
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    # `[{code: teacher}]` stays as written: ruamel would otherwise shorten it to
    # `[code: teacher]`, restyling a value nobody changed.
    yaml.brace_single_entry_mapping_in_flow_sequence = True
    return yaml


def dump(documents: list[Any], header: str = "") -> str:
    stream = io.StringIO()
    if header:
        stream.write(header)
    yaml = round_trip()
    if len(documents) == 1:
        yaml.dump(documents[0], stream)
    else:
        yaml.dump_all(documents, stream)
    return stream.getvalue()


def to_node(value: Any, texpr: TypeExpr | None = None) -> Any:
    """Plain JSON → ruamel nodes: short scalar lists in flow style (`[a, b]`), `@odata.type`
    in double quotes as Microsoft's examples write it."""
    if isinstance(value, dict):
        node = CommentedMap()
        otype = object_type_of(texpr, value)
        for key, child in value.items():
            if key == ODATA_TYPE:
                node[DoubleQuotedScalarString(key)] = DoubleQuotedScalarString(str(child))
                continue
            node[key] = to_node(child, _member(texpr, key, value))
            prop = otype.prop(key) if otype else None
            if child is None and prop is not None and prop.null_means:
                node.yaml_add_eol_comment(f"null: {prop.null_means}", key)
        return node
    if isinstance(value, list):
        item_type = item_type_of(texpr)
        seq = CommentedSeq(to_node(v, item_type) for v in value)
        if all(not isinstance(v, (dict, list)) for v in value):
            seq.fa.set_flow_style()
        return seq
    return value


def _member(texpr: TypeExpr | None, key: str, value: Mapping[str, Any]) -> TypeExpr | None:
    otype = object_type_of(texpr, value)
    prop = otype.prop(key) if otype else None
    return prop.type if prop else None


class Merger:
    """Updates one existing document (a ruamel map) towards the freshly exported one."""

    def __init__(
        self,
        variables: Mapping[RawPath, Any],
        ignored: Collection[str] = (),
        *,
        add_missing: bool = True,
    ) -> None:
        self.variables = variables
        self.ignored = set(ignored)
        #: False: only what the document declares is updated (an override of a service row
        #: leaves the service's other members to the service).
        self.add_missing = add_missing
        self.changed = False

    def merge(
        self,
        node: CommentedMap,
        declared: Mapping[str, Any],
        actual: Mapping[str, Any],
        fresh: Mapping[str, Any],
        otype: ObjectType,
        raw: RawPath = (),
        dotted: str = "",
    ) -> None:
        """`declared`: the document as the loader checked it (Graph JSON, same shape as
        `node`); `actual`: the tenant object; `fresh`: the minimal export of it."""
        for key in list(node.keys()):
            if key in RESERVED or str(key).startswith("@") or key == "id":
                continue
            prop = otype.prop(key)
            path = (*raw, key)
            where = f"{dotted}.{key}" if dotted else str(key)
            if prop is None or prop.secret or path in self.variables or where in self.ignored:
                continue  # the admin's ${NAME} values and ignored paths stay as written
            if self._agrees(declared.get(key), actual, prop, path):
                continue
            self._update(node, key, declared.get(key), actual, fresh, prop, path, where)
        if self.add_missing:
            self._add_missing(node, fresh, otype)

    def _holds_kept_parts(self, path: RawPath, where: str) -> bool:
        """Whether a `${NAME}` value or an ignored path lies below this member."""
        below = (f"{where}.", f"{where}[")
        return any(len(v) > len(path) and v[: len(path)] == path for v in self.variables) or any(
            i.startswith(below) for i in self.ignored
        )

    def _agrees(self, declared: Any, actual: Mapping[str, Any], prop: Prop, path: RawPath) -> bool:
        wanted = Normalizer(Mode.COMPARE, self.variables).run(declared, prop.type, path)
        value = actual.get(prop.name)
        if value is None and prop.has_default:
            value = prop.default
        have = project(Normalizer(Mode.COMPARE).run(value, prop.type, path), wanted, prop.type)
        return bool(have == wanted)

    def _update(
        self,
        node: CommentedMap,
        key: str,
        declared: Any,
        actual: Mapping[str, Any],
        fresh: Mapping[str, Any],
        prop: Prop,
        path: RawPath,
        where: str,
    ) -> None:
        current, have = node[key], actual.get(key)
        otype = _same_object_type(prop.type, declared, fresh.get(key))
        if (
            otype is not None
            and key in fresh
            and isinstance(current, CommentedMap)
            and isinstance(declared, Mapping)
            and isinstance(have, Mapping)
        ):
            self.merge(current, declared, have, fresh[key], otype, path, where)
            return
        if self._holds_kept_parts(path, where):
            return  # rewriting it whole would overwrite a part the admin keeps
        self.changed = True
        if key not in fresh:
            del node[key]  # the tenant holds the default (or nothing): say nothing
            return
        node[key] = to_node(fresh[key], prop.type)

    def _add_missing(self, node: CommentedMap, fresh: Mapping[str, Any], otype: ObjectType) -> None:
        order = list(fresh)
        for index, key in enumerate(order):
            if key in node:
                continue
            prop = otype.prop(key)
            position = _insert_position(node, order[:index])
            node.insert(position, key, to_node(fresh[key], prop.type if prop else None))
            self.changed = True


def _same_object_type(texpr: TypeExpr, declared: Any, fresh: Any) -> ObjectType | None:
    """The object type both sides share, so a nested map can be merged key by key (a changed
    `@odata.type` is replaced whole instead)."""
    before, after = object_type_of(texpr, declared), object_type_of(texpr, fresh)
    return before if before is not None and before == after else None


def _insert_position(node: CommentedMap, preceding: list[str]) -> int:
    """Right after the last key of `preceding` (model order) that the document has."""
    keys = list(node.keys())
    for key in reversed(preceding):
        if key in node:
            return keys.index(key) + 1
    return 0
