"""The cross-object pass over `{ref: KEY}`: every reference names a declared object of its
target kind (or a system object the kind knows offline), and the references among desired
objects form no cycle. Offline; the loader runs it once every file is read."""

from __future__ import annotations

import copy
from dataclasses import replace

from reconciler.desired.problems import Problem, Severity
from reconciler.desired.typecheck import did_you_mean
from reconciler.kinds.model import Reference
from reconciler.kinds.registry import Registry
from reconciler.objects import DesiredObject, RawPath, ReferenceSite


def check_references(
    objects: list[DesiredObject], registry: Registry
) -> tuple[list[DesiredObject], list[Problem]]:
    """Objects whose references are spelled as their targets declare themselves (so that both
    sides compare by the target's identity, case rule included), and the problems found."""
    if not any(obj.references for obj in objects):
        return objects, []
    declared: dict[str, dict[str, DesiredObject]] = {}
    for obj in objects:
        declared.setdefault(obj.kind.name, {}).setdefault(obj.kind.key.fold(obj.name), obj)
    problems: list[Problem] = []
    checked: list[DesiredObject] = []
    for obj in objects:
        sites: list[ReferenceSite] = []
        body = obj.body
        for site in obj.references:
            kind = registry.get(site.target)
            if kind is None:  # the registry refuses such kind data; kept safe regardless
                continue
            folded = kind.key.fold(site.key)
            target = declared.get(kind.name, {}).get(folded)
            system = {kind.key.fold(k): k for k in kind.system_objects}
            canonical = target.name if target is not None else system.get(folded)
            if canonical is None:
                choices = [o.name for o in declared.get(kind.name, {}).values()]
                choices += list(kind.system_objects)
                problems.append(
                    Problem(
                        obj.file,
                        site.line,
                        site.column,
                        Severity.ERROR,
                        f"{_label(site.path)}: no {kind.name} named '{site.key}' is declared"
                        f"{did_you_mean(site.key, choices)}; declare it (a file with `kind: "
                        f"{kind.name}`) or correct the name",
                    )
                )
                sites.append(site)
                continue
            if canonical != site.key:
                if body is obj.body:
                    body = copy.deepcopy(dict(obj.body))
                _set_at(body, site.path, {Reference.KEY: canonical})
            sites.append(replace(site, key=canonical))
        checked.append(replace(obj, body=body, references=tuple(sites)))
    problems.extend(_cycles(checked))
    return checked, problems


def _label(path: RawPath) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _set_at(body: object, path: RawPath, value: object) -> None:
    for element in path[:-1]:
        body = body[element]  # type: ignore[index]
    body[path[-1]] = value  # type: ignore[index]


def _cycles(objects: list[DesiredObject]) -> list[Problem]:
    """Every object on a reference cycle, at its own file and line, naming the whole cycle:
    no order of creates could satisfy it."""
    declared: dict[str, dict[str, DesiredObject]] = {}
    for obj in objects:
        declared.setdefault(obj.kind.name, {}).setdefault(obj.kind.key.fold(obj.name), obj)
    edges: dict[int, list[DesiredObject]] = {}
    for obj in objects:
        targets = []
        for site in obj.references:
            of_kind = declared.get(site.target, {})
            any_target = next(iter(of_kind.values()), None)
            fold = any_target.kind.key.fold if any_target is not None else str
            target = of_kind.get(fold(site.key))
            if target is not None:
                targets.append(target)
        edges[id(obj)] = targets
    walk = _Walk(edges)
    for obj in objects:
        if id(obj) not in walk.state:
            walk.visit(obj)
    return walk.problems


class _Walk:
    """Depth-first over the references; each cycle reported once."""

    def __init__(self, edges: dict[int, list[DesiredObject]]) -> None:
        self.edges = edges
        self.state: dict[int, int] = {}  # 1: on the current path, 2: done
        self.path: list[DesiredObject] = []
        self.reported: set[frozenset[int]] = set()
        self.problems: list[Problem] = []

    def visit(self, obj: DesiredObject) -> None:
        self.state[id(obj)] = 1
        self.path.append(obj)
        for target in self.edges.get(id(obj), []):
            if self.state.get(id(target)) == 1:
                cycle = self.path[self.path.index(target) :]
                members = frozenset(id(o) for o in cycle)
                if members not in self.reported:
                    self.reported.add(members)
                    self.problems.extend(_cycle_problems(cycle))
            elif id(target) not in self.state:
                self.visit(target)
        self.path.pop()
        self.state[id(obj)] = 2


def _cycle_problems(cycle: list[DesiredObject]) -> list[Problem]:
    shown = " → ".join(f"{o.kind.name} '{o.name}' ({o.where})" for o in [*cycle, cycle[0]])
    return [
        Problem(
            o.file,
            o.line,
            o.column,
            Severity.ERROR,
            f"reference cycle: {shown}; no order of creates can satisfy it. Remove one of "
            "these references",
        )
        for o in cycle
    ]
