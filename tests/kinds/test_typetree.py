"""The type tree has one dispatch: every visitor handles every node type."""

from __future__ import annotations

import importlib
import pkgutil
import typing

import reconciler
from reconciler.kinds import model
from reconciler.kinds.typetree import NODE_METHODS, TypeVisitor, visit


def _all_visitors() -> list[type]:
    for info in pkgutil.walk_packages(reconciler.__path__, "reconciler."):
        importlib.import_module(info.name)
    found: list[type] = []
    pending = list(TypeVisitor.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_the_visitor_has_one_method_per_node_type() -> None:
    nodes = typing.get_args(model.TypeExpr)
    assert len(nodes) == len(NODE_METHODS)
    assert set(TypeVisitor.__abstractmethods__) == set(NODE_METHODS)


def test_every_visitor_implements_every_node_method() -> None:
    visitors = _all_visitors()
    assert len(visitors) >= 10  # normalise, external, diff, bodies, checks, schema, export…
    incomplete = {
        cls.__qualname__: sorted(cls.__abstractmethods__)
        for cls in visitors
        if cls.__abstractmethods__
    }
    assert incomplete == {}


def test_visit_dispatches_every_node_type() -> None:
    class Names(TypeVisitor[[], str]):
        def scalar(self, node: model.Scalar) -> str:
            return "scalar"

        def set_of(self, node: model.SetOf) -> str:
            return "set_of"

        def list_of(self, node: model.ListOf) -> str:
            return "list_of"

        def keyed_list(self, node: model.KeyedList) -> str:
            return "keyed_list"

        def polymorphic(self, node: model.Polymorphic) -> str:
            return "polymorphic"

        def object_type(self, node: model.ObjectType) -> str:
            return "object_type"

        def opaque(self, node: model.Opaque) -> str:
            return "opaque"

        def reference(self, node: model.Reference) -> str:
            return "reference"

    scalar = model.Scalar(model.ScalarKind.STRING)
    item = model.ObjectType("item", (model.Prop("key", scalar),))
    samples = [
        scalar,
        model.SetOf(scalar),
        model.ListOf(scalar),
        model.KeyedList(item, "key"),
        model.Polymorphic("base", (item,)),
        item,
        model.Opaque(),
        model.Reference("widgetGroup"),
    ]
    assert {type(s) for s in samples} == set(typing.get_args(model.TypeExpr))
    assert [visit(s, Names()) for s in samples] == list(NODE_METHODS)

    class Emphasised(model.Scalar):  # a subclass dispatches as its node type
        pass

    assert visit(Emphasised(model.ScalarKind.STRING), Names()) == "scalar"
