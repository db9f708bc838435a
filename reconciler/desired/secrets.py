"""Resolving `${NAME}` references in a desired object, for the bodies apply sends."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.desired.interpolate import interpolate
from reconciler.desired.loader import DesiredObject
from reconciler.desired.yamlsource import Path
from reconciler.jsontypes import JSONObject
from reconciler.logsetup import register_secret


@dataclass(frozen=True)
class Resolved:
    body: JSONObject
    #: (path, variable) pairs whose variable is not set.
    missing: tuple[tuple[Path, str], ...]


def resolve(obj: DesiredObject, env: Mapping[str, str]) -> Resolved:
    """The body with every reference replaced; each resolved value is registered as a secret
    so that no log line can show it."""
    body = copy.deepcopy(obj.body)
    missing: list[tuple[Path, str]] = []
    for path in obj.variables:
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
