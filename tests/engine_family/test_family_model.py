"""Kind data that does not hold together is refused when the registry is built, not found
out mid-apply."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from reconciler.kinds.model import ReadVia, Relation, Writes
from reconciler.kinds.registry import Registry
from tests.engine_family.kinds import FAMILY_REGISTRY, PART, WIDGET, WIDGET_GROUP


def test_the_family_registry_holds_together() -> None:
    registry = Registry((WIDGET_GROUP, WIDGET), default_name="widget")
    assert registry.names == ["widgetGroup", "widget"]
    assert FAMILY_REGISTRY.names == ["widgetGroup", "widget", "part"]


def test_a_reference_to_an_unregistered_kind_is_refused() -> None:
    with pytest.raises(
        ValueError, match=re.escape("widget.group refers to unknown kind 'widgetGroup'")
    ):
        Registry((WIDGET,), default_name="widget")


def test_a_reference_without_a_way_to_read_it_back_is_refused() -> None:
    unreadable = replace(WIDGET, relations=())
    with pytest.raises(
        ValueError, match=re.escape("widget.group: no Relation says how to read it back")
    ):
        Registry((WIDGET_GROUP, unreadable), default_name="widget")


def test_a_relation_naming_no_reference_and_a_nested_navigation_are_refused() -> None:
    odd = replace(
        WIDGET,
        relations=(
            Relation("group", ReadVia.NAVIGATION),
            Relation("size", ReadVia.EXPAND),
            Relation("parts.group", ReadVia.NAVIGATION),
        ),
    )
    with pytest.raises(ValueError) as refused:
        Registry((WIDGET_GROUP, odd), default_name="widget")
    assert "widget: relation 'size' names no Reference member" in str(refused.value)
    assert "widget.parts.group: a navigation GET reads top-level members only" in str(refused.value)


def test_a_create_only_path_naming_nothing_is_refused() -> None:
    typo = replace(WIDGET, writes=Writes(create_only=("serail",)))
    with pytest.raises(ValueError, match="create-only path 'serail' names no member"):
        Registry((WIDGET_GROUP, typo), default_name="widget")


def test_a_contained_kind_whose_container_can_change_in_place_is_refused() -> None:
    # The container is in every URL of the object: a PATCH would go to the old one.
    movable = replace(PART, writes=replace(PART.writes, create_only=()))
    with pytest.raises(ValueError, match=re.escape("part: its parent_ref must be create-only")):
        Registry((WIDGET_GROUP, movable), default_name="widgetGroup")
