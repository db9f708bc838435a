"""Resolving `${NAME}` references in a desired object, for the bodies apply sends."""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.desired.interpolate import interpolate
from reconciler.desired.yamlsource import Path
from reconciler.jsontypes import JSONObject
from reconciler.logsetup import register_secret
from reconciler.objects import DesiredObject


@dataclass(frozen=True)
class Resolved:
    body: JSONObject
    #: (path, variable) pairs whose variable is not set.
    missing: tuple[tuple[Path, str], ...]


def resolve(
    obj: DesiredObject, env: Mapping[str, str], *, only: Collection[str] | None = None
) -> Resolved:
    """The body with every reference replaced (within the top-level properties `only`, when
    given: a PATCH needs just the variables it sends); each resolved value is registered as a
    secret so that no log line can show it."""
    body = copy.deepcopy(obj.body)
    missing: list[tuple[Path, str]] = []
    for path in obj.variables:
        if only is not None and path[0] not in only:
            continue
        parent: Any = body
        for element in path[:-1]:
            parent = parent[element]
        result = interpolate(parent[path[-1]], env)
        missing.extend((path, name) for name in result.missing)
        parent[path[-1]] = result.value
        register_secret(result.value)
    return Resolved(body, tuple(missing))


def variable_names(obj: DesiredObject) -> set[str]:
    return {name for names in obj.variables.values() for name in names}


def register_referenced(obj: DesiredObject, env: Mapping[str, str]) -> None:
    """Keep the values of set variables out of logs even when nothing resolves them (plan
    logs tenant responses, which hold the same values)."""
    for name in variable_names(obj):
        if env.get(name):
            register_secret(env[name])
