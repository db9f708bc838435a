"""The kinds a run knows, by their `kind:` name.

Passed to the loader, the engine and every command instead of being imported, so that a test
(or, one day, a plug-in) can hand in its own kinds without touching the engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from reconciler.kinds.model import ODATA_TYPE, Kind, ListOf, Polymorphic, ReadVia, TypeExpr
from reconciler.kinds.typetree import member_type, reference_paths


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
        problems = [p for kind in self.kinds for p in _kind_problems(kind, by_name)]
        if problems:
            raise ValueError("kind data does not hold together:\n  - " + "\n  - ".join(problems))

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


def _kind_problems(kind: Kind, kinds: dict[str, Kind]) -> list[str]:
    """What would make the engine guess: a reference to an unknown kind or with no way to read
    it back, a container that is not registered, a create-only path that names nothing."""
    problems = []
    contained = {c.member for c in kind.contained}
    refs = {
        ".".join(path): ref
        for path, ref in reference_paths(kind.root)
        if path[0] not in contained  # read back as objects of their own kind
    }
    for member in kind.contained:
        inner = kinds.get(member.kind)
        if inner is None or inner.endpoint.parent != kind.name:
            problems.append(f"{kind.name}.{member.member}: {member.kind!r} is not contained in it")
    relations = {r.path: r for r in kind.relations}
    for path, ref in refs.items():
        if ref.target not in kinds:
            problems.append(f"{kind.name}.{path} refers to unknown kind {ref.target!r}")
        if path not in relations and path != kind.endpoint.parent_ref:
            problems.append(f"{kind.name}.{path}: no Relation says how to read it back")
    for path, relation in relations.items():
        if path not in refs:
            problems.append(f"{kind.name}: relation {path!r} names no Reference member")
        if relation.via is ReadVia.NAVIGATION and "." in path:
            problems.append(f"{kind.name}.{path}: a navigation GET reads top-level members only")
    parent = kind.endpoint.parent
    if parent is not None:
        target = refs.get(kind.endpoint.parent_ref or "")
        if parent not in kinds:
            problems.append(f"{kind.name} lives in unknown kind {parent!r}")
        if target is None or target.target != parent:
            problems.append(f"{kind.name}: parent_ref must name its Reference to {parent}")
        if kind.endpoint.parent_ref not in kind.writes.create_only:
            # The container is part of every URL of the object: no write moves it in place.
            problems.append(f"{kind.name}: its parent_ref must be create-only (Writes)")
    for path in kind.writes.create_only:
        if not _declared(kind.root, path):
            problems.append(f"{kind.name}: create-only path {path!r} names no member")
    return problems


def _declared(root: TypeExpr, path: str) -> bool:
    """Whether a dotted path (list items transparent, `@odata.type` of a polymorphic member)
    names a member. Not `fieldpaths.resolve`: that module imports the kind model, whose package
    builds the product registry with this check."""
    texpr: TypeExpr | None = root
    for segment in re.sub(r"\[[^\]]*\]", "", path).replace(ODATA_TYPE, "\0").split("."):
        while isinstance(texpr, ListOf):
            texpr = texpr.item
        if texpr is None:
            return False
        if segment == "\0":
            return isinstance(texpr, Polymorphic)
        if isinstance(texpr, Polymorphic):
            props = [v.prop(segment) for v in texpr.variants]
            texpr = next((p.type for p in props if p is not None), None)
        else:
            texpr = member_type(texpr, segment, None)[0]
    return texpr is not None
