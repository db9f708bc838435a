"""How one Industry Data object is written to, and read back from, the state file."""

from __future__ import annotations

import copy
from typing import NamedTuple

from reconciler.emulator.industrydata.catalog import COLLECTIONS, SYSTEM_ONLY, TYPES
from reconciler.emulator.industrydata.records import Record
from reconciler.jsontypes import JSON, JSONObject


class Loaded(NamedTuple):
    record: Record
    on_demand: bool
    statistics: JSONObject | None


def entry(record: Record, *, on_demand: bool, stats: JSONObject | None) -> JSONObject:
    """The state-file form of a record (secrets included; the file is private, mode 0600)."""
    saved: JSONObject = {"collection": record.collection, "id": record.id, "type": record.type_name}
    if record.parent:
        saved["parent"] = record.parent
    if on_demand:
        saved["onDemand"] = True
    if stats is not None:
        saved["statistics"] = dict(stats)
    saved["body"] = copy.deepcopy(record.body)
    return saved


def parse(item: JSON) -> Loaded:
    """A record from its state-file form; ValueError naming what is wrong."""
    if not isinstance(item, dict) or not isinstance(item.get("body"), dict):
        raise ValueError(f"not a stored Industry Data object: {item!r}")
    collection, type_name, entity_id = item.get("collection"), item.get("type"), item.get("id")
    if collection not in COLLECTIONS or not isinstance(entity_id, str):
        raise ValueError(f"unknown collection {collection!r} or missing id")
    if collection not in SYSTEM_ONLY and type_name not in TYPES:
        raise ValueError(f"unknown type {type_name!r} in {collection}")
    parent = item.get("parent")
    record = Record(
        collection,
        entity_id,
        0,
        str(type_name),
        copy.deepcopy(item["body"]),
        parent if isinstance(parent, str) else None,
    )
    stats = item.get("statistics")
    return Loaded(
        record, bool(item.get("onDemand")), dict(stats) if isinstance(stats, dict) else None
    )
