"""The pure parts of references: reading them back inline or expanded, ordering with halves,
and a dependency cycle among changes."""

from __future__ import annotations

from reconciler.engine.model import REMOVED, Action, Change, Create, Modify, Remove
from reconciler.engine.references import in_dependency_order
from reconciler.graph import GraphClient
from reconciler.identity import Identity, Permission, StaticTokenProvider
from reconciler.kinds.model import ReadVia, Relation
from reconciler.objects import DesiredObject
from reconciler.relations import list_path, read_relations
from tests.engine_family.kinds import WIDGET, WIDGET_GROUP

#: Never contacted: inline and expanded references are read from the list itself.
OFFLINE = GraphClient(
    "http://127.0.0.1:9", StaticTokenProvider("t", Identity(Permission.UNKNOWN, "t"))
)


def test_expanded_and_inline_references_become_target_ids() -> None:
    from dataclasses import replace

    expanded = replace(WIDGET, relations=(Relation("group", ReadVia.EXPAND),))
    assert list_path(expanded) == "family/widgets?$expand=group"
    bodies = [
        {"id": "w1", "group": {"id": "g1", "displayName": "Blue"}},
        {"id": "w2", "group": None},
        {"id": "w3"},
    ]
    read_relations(OFFLINE, expanded, bodies)
    assert bodies == [
        {"id": "w1", "group": {"id": "g1"}},
        {"id": "w2", "group": None},
        {"id": "w3"},
    ]
    inline = replace(WIDGET, relations=(Relation("group", ReadVia.INLINE),))
    assert list_path(inline) == "family/widgets"
    listed = [{"id": "w1", "group": [{"id": "g1"}, {"name": "no id"}]}]
    read_relations(OFFLINE, inline, listed)
    assert listed == [{"id": "w1", "group": [{"id": "g1"}, None]}]


def _change(kind, name, action, depends_on=(), removal_after=()):  # type: ignore[no-untyped-def]
    desired = DesiredObject(kind, f"{name}.yaml", 1, 1, {"displayName": name})
    subject = {
        Action.CREATE: Create(desired),
        Action.DELETE: Remove({"id": name}),
    }.get(action, Modify({"id": name}, desired))
    object_id = None if action is Action.CREATE else name
    return Change(
        kind,
        name,
        object_id,
        action,
        subject,
        depends_on=tuple(depends_on),
        removal_after=tuple(removal_after),
    )


def test_a_replace_is_ordered_by_its_halves() -> None:
    # The child's delete first, the parent anew, then the child anew.
    parent = _change(WIDGET_GROUP, "P", Action.REPLACE, removal_after=[f"widget:C{REMOVED}"])
    child = _change(WIDGET, "C", Action.REPLACE, depends_on=["widgetGroup:P"])
    ordered, errors = in_dependency_order([child, parent])
    assert errors == []
    assert [c.name for c in ordered] == ["P", "C"]


def test_changes_that_wait_for_each_other_are_a_plan_error_naming_them() -> None:
    a = _change(WIDGET_GROUP, "A", Action.UPDATE, depends_on=["widget:B"])
    b = _change(WIDGET, "B", Action.UPDATE, depends_on=["widgetGroup:A"])
    free = _change(WIDGET, "Free", Action.UPDATE)
    ordered, errors = in_dependency_order([a, b, free])
    assert [c.name for c in ordered] == ["Free", "A", "B"]
    [error] = errors
    assert "update widgetGroup 'A', update widget 'B'" in error.message
