"""What a plan saw of each tenant object, field by field, so a saved plan that went stale can
say which fields moved. Secrets stay secret: write-only members and every field whose desired
value comes from `${NAME}` are "(sensitive)" here too. Pure."""

from __future__ import annotations

from typing import Any

from reconciler.engine.diff import leaves
from reconciler.engine.model import PAUSED_FIELD, Change
from reconciler.engine.normalize import SENSITIVE, Mode, normalize

Path = tuple[str, ...]


def sensitive_paths(tree: Any, prefix: Path = ()) -> set[Path]:
    """Paths of a normalised display tree that hold "(sensitive)"."""
    if tree == SENSITIVE:
        return {prefix}
    if isinstance(tree, dict):
        return {p for key, child in tree.items() for p in sensitive_paths(child, (*prefix, key))}
    return set()


def masked(tree: Any, paths: set[Path], prefix: Path = ()) -> Any:
    if prefix in paths:
        return SENSITIVE
    if isinstance(tree, dict):
        return {key: masked(child, paths, (*prefix, key)) for key, child in tree.items()}
    return tree


def observed_fields(change: Change) -> dict[str, Any] | None:
    """{field path: value} of the tenant object as the plan read it (None: no tenant object)."""
    actual, desired = change.before, change.after
    if actual is None:
        return None
    kind = change.kind
    tree = normalize(actual, kind.root, mode=Mode.DISPLAY)
    if desired is not None and desired.variables:
        desired_tree = normalize(
            desired.body, kind.root, mode=Mode.DISPLAY, variables=desired.variables
        )
        tree = masked(tree, sensitive_paths(desired_tree))
    fields = {f.path: f.after for f in leaves(tree, kind.root)}
    if change.paused is not None:
        fields[PAUSED_FIELD] = change.paused
    return fields
