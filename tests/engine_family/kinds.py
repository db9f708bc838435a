"""A second kind family, defined only here: a widget group and widgets that reference it.

Everything that makes them differ from synchronization profiles is data: another namespace
(`#test.family.*`), PATCH with the changed members answered by 204, no async state, a
create-only member, and a reference read back through a navigation GET.
"""

from __future__ import annotations

from reconciler.kinds.model import (
    Endpoint,
    Kind,
    Namespace,
    NaturalKey,
    ObjectType,
    Polymorphic,
    Prop,
    ReadVia,
    Reference,
    Relation,
    Scalar,
    ScalarKind,
    UpdateVerb,
    Writes,
)
from reconciler.kinds.registry import Registry

TEXT = Scalar(ScalarKind.STRING)
FAMILY = Namespace("test.family")

WIDGET_GROUP = Kind(
    name="widgetGroup",
    endpoint=Endpoint("family/widgetGroups"),
    root=ObjectType(
        "widgetGroup",
        (
            Prop("id", TEXT, read_only=True),
            Prop("displayName", TEXT, required=True),
            Prop("colour", TEXT),
            Prop("material", TEXT),
            # Optional: lets a test write a reference cycle (group → widget → group).
            Prop("showcase", Reference("widget")),
        ),
    ),
    key=NaturalKey(("displayName",), case_insensitive=True),
    noun="widget group",
    writes=Writes(UpdateVerb.PATCH, reread=True, create_only=("material",)),
    relations=(Relation("showcase", ReadVia.NAVIGATION),),
)

WIDGET = Kind(
    name="widget",
    endpoint=Endpoint("family/widgets"),
    root=Polymorphic(
        "widget",
        (
            ObjectType(
                "widget",
                (
                    Prop("id", TEXT, read_only=True),
                    Prop("displayName", TEXT, required=True),
                    Prop("size", TEXT),
                    Prop("serial", TEXT),
                    Prop("group", Reference("widgetGroup"), required=True),
                    # Where it was made: set once (a replaced group replaces its widgets).
                    Prop("origin", Reference("widgetGroup")),
                ),
            ),
        ),
        FAMILY,
    ),
    key=NaturalKey(("displayName",)),
    noun="widget",
    writes=Writes(
        UpdateVerb.PATCH,
        patch_always=("displayName",),
        reread=True,
        create_only=("serial", "origin"),
    ),
    relations=(Relation("group", ReadVia.NAVIGATION), Relation("origin", ReadVia.NAVIGATION)),
)

#: Contained in a group: listed and written under `widgetGroups/{id}/parts`, its group named
#: by `group` in YAML but never sent (the URL says it).
PART = Kind(
    name="part",
    endpoint=Endpoint("parts", parent="widgetGroup", parent_ref="group"),
    root=ObjectType(
        "part",
        (
            Prop("id", TEXT, read_only=True),
            Prop("displayName", TEXT, required=True),
            Prop("weight", TEXT),
            Prop("group", Reference("widgetGroup"), required=True),
        ),
    ),
    key=NaturalKey(("displayName",)),
    noun="part",
    writes=Writes(UpdateVerb.PATCH, reread=True, create_only=("group",)),
)

FAMILY_REGISTRY = Registry((WIDGET_GROUP, WIDGET, PART), default_name="widget")
