"""A desired object as every layer sees it: the loader makes them, the engine plans them,
export and status match them. Nothing here reads a file."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from reconciler.jsontypes import JSONObject
from reconciler.kinds.model import Kind

#: A path inside an object's raw body: property names and list indexes.
RawPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Lifecycle:
    #: None: run state is not managed; True/False: keep the profile paused / running.
    paused: bool | None = None
    #: Never delete or replace this object.
    protect: bool = False
    ignore_changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReferenceSite:
    """A `{ref: KEY}` written in a desired object: which kind it names, by which key, where."""

    path: RawPath
    target: str
    key: str
    line: int
    column: int


@dataclass(frozen=True)
class DesiredObject:
    kind: Kind
    file: str
    line: int
    column: int
    #: The object as Graph JSON, `${NAME}` references unresolved.
    body: JSONObject
    lifecycle: Lifecycle = Lifecycle()
    #: Paths whose text refers to environment variables (their values are secrets).
    variables: Mapping[RawPath, tuple[str, ...]] = field(default_factory=dict)
    #: Where each of those values is written (line, column), for messages.
    variable_positions: Mapping[RawPath, tuple[int, int]] = field(default_factory=dict)
    #: Every `{ref: KEY}` in the body, in file order.
    references: tuple[ReferenceSite, ...] = ()

    @cached_property
    def name(self) -> str:
        # Worked out once: matching, ordering and every message ask for it (a body is never
        # changed once its object is made; `replace` makes a new object).
        return self.kind.key_of(self.body)

    @property
    def pinned_id(self) -> str | None:
        value = self.body.get("id")
        return str(value) if value else None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def variable_places(self, names: Collection[str]) -> list[tuple[int, int, tuple[str, ...]]]:
        """(line, column, names) of every value that refers to one of `names`, in file order."""
        places = []
        for path, refs in self.variables.items():
            wanted = tuple(n for n in refs if n in names)
            if wanted:
                line, col = self.variable_positions.get(path, (self.line, self.column))
                places.append((line, col, wanted))
        return sorted(places)
