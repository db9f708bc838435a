"""One stored Industry Data object (shared by the store and the renderer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from reconciler.jsontypes import JSONObject


@dataclass
class Record:
    collection: str
    id: str
    #: Creation order across the whole store (listing order and paging cursor).
    seq: int
    #: The concrete type name (`inboundApiFlow`, `staff` role group is a `roleGroup` …).
    type_name: str
    #: Canonical stored members, secrets included; relationships as the target's id.
    body: JSONObject
    #: The containing entity's id, for contained collections (provisioningFlows).
    parent: str | None = None


class View(Protocol):
    """Read access the renderer needs to expand relationships."""

    def find(self, collection: str, entity_id: str) -> Record | None: ...

    def children(self, collection: str, parent_id: str) -> list[Record]: ...
