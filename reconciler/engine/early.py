"""Comparing while the tenant is read.

Paging is one request after another, and between two pages the process waits on the network
(25 ms a page is common). Each page's objects are compared with the desired objects they will
most likely match while the next page is on its way; the plan then finds the comparison
done. Nothing here decides anything: it is `compare` worked out ahead of time for the exact
objects the plan will pass it. A pair the plan asks about that was not compared early (a
reference named by key rewrites a tenant object, so its kind is left alone here) is compared
then, as always. Pure (no I/O).
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.engine.compare import compare
from reconciler.engine.diff import FieldDiff
from reconciler.jsontypes import JSONObject
from reconciler.kinds.model import Kind
from reconciler.kinds.typetree import reference_paths
from reconciler.objects import DesiredObject


class EarlyComparisons:
    """`compare` of each tenant object read with its likely desired counterparts (by pinned
    id, then by natural key, as matching looks), held for the plan by object identity."""

    def __init__(self, desired: Sequence[DesiredObject], ignores: tuple[str, ...]) -> None:
        self.ignores = ignores
        self._by_id: dict[tuple[str, str], list[DesiredObject]] = {}
        self._by_key: dict[tuple[str, str], list[DesiredObject]] = {}
        for obj in desired:
            kind = obj.kind
            if reference_paths(kind.root):
                continue  # compared with its references named by key: a body made later
            if obj.pinned_id:
                self._by_id.setdefault((kind.name, obj.pinned_id.lower()), []).append(obj)
            self._by_key.setdefault((kind.name, kind.key.fold(obj.name)), []).append(obj)
        # The objects are held beside their answer: while they are, no other object can have
        # their ids, so a pair's ids name that very pair.
        self._done: dict[tuple[int, int], tuple[DesiredObject, JSONObject, list[FieldDiff]]] = {}

    @property
    def wanted(self) -> bool:
        """Whether any desired object can be compared early."""
        return bool(self._by_key)

    def read(self, kind: Kind, bodies: Sequence[JSONObject]) -> None:
        """One page of `kind` as read (each object checked): compare what it will match."""
        if not self._by_key:
            return
        for body in bodies:
            object_id = body.get("id")
            candidates = self._by_key.get((kind.name, kind.key.fold(kind.key_of(body))), [])
            if isinstance(object_id, str):
                candidates = [*self._by_id.get((kind.name, object_id.lower()), []), *candidates]
            for obj in candidates:
                pair = (id(obj), id(body))
                if pair not in self._done:  # pinned and named alike: found twice
                    self._done[pair] = (obj, body, compare(obj, body, self.ignores))

    def compared(
        self, desired: DesiredObject, actual: JSONObject, ignores: tuple[str, ...]
    ) -> list[FieldDiff] | None:
        """`compare(desired, actual, ignores)` if it was worked out already, else None."""
        if ignores != self.ignores:
            return None
        done = self._done.get((id(desired), id(actual)))
        return None if done is None else list(done[2])

    @property
    def count(self) -> int:
        """How many pairs were compared early."""
        return len(self._done)
