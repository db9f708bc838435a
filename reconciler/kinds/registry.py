"""The kinds a run knows, by their `kind:` name.

Passed to the loader, the engine and every command instead of being imported, so that a test
(or, one day, a plug-in) can hand in its own kinds without touching the engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from reconciler.kinds.model import Kind


@dataclass(frozen=True)
class Registry:
    kinds: tuple[Kind, ...]
    #: The kind of a desired-state document that names none.
    default_name: str
    _by_name: dict[str, Kind] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name = {k.name: k for k in self.kinds}
        if len(by_name) != len(self.kinds):
            raise ValueError("two kinds share a name")
        if self.default_name not in by_name:
            raise ValueError(f"the default kind {self.default_name!r} is not registered")
        object.__setattr__(self, "_by_name", by_name)

    def __getitem__(self, name: str) -> Kind:
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[Kind]:
        return iter(self.kinds)

    def get(self, name: str) -> Kind | None:
        return self._by_name.get(name)

    @property
    def names(self) -> list[str]:
        return list(self._by_name)

    @property
    def default(self) -> Kind:
        return self._by_name[self.default_name]
