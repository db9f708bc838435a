"""`validate` over several files or directories (pre-commit passes the changed files).

Each file is checked in the context of the desired-state tree it belongs to, so rules that span
files (a displayName declared twice, `edusync.yaml` settings) still apply, and only within one
tree: two tenants' directories may each hold a profile of the same name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.desired import DesiredObject, load_desired
from reconciler.desired.loader import SETTINGS_FILE
from reconciler.desired.problems import Problem
from reconciler.kinds.registry import Registry

TREE_NAME = "desired-state"


@dataclass
class Target:
    """One tree to load, and which of its files to report on (None: all of them)."""

    root: str
    files: set[Path] | None = field(default_factory=set)


def tree_root(file: Path) -> Path | None:
    """The nearest directory above `file` holding `edusync.yaml` or named `desired-state`."""
    for parent in file.resolve().parents:
        if (parent / SETTINGS_FILE).is_file() or parent.name == TREE_NAME:
            return parent
    return None


def _shown(path: Path, cwd: Path) -> str:
    try:
        return str(path.relative_to(cwd)) or "."
    except ValueError:
        return str(path)


def plan_targets(paths: Sequence[str], cwd: Path) -> list[Target]:
    """Group the arguments by tree; a directory argument is a whole tree of its own."""
    targets: dict[Path, Target] = {}
    for given in paths:
        path = Path(given)
        if path.is_dir() or not path.exists():
            key = path.resolve()
            targets[key] = Target(given, None)  # a missing path: load_desired says so
            continue
        root = tree_root(path)
        if root is None:
            targets.setdefault(path.resolve(), Target(given, None))
            continue
        target = targets.setdefault(root, Target(_shown(root, cwd)))
        if target.files is not None:
            target.files.add(path.resolve())
    return list(targets.values())


@dataclass(frozen=True)
class Checked:
    problems: tuple[Problem, ...]
    objects: tuple[DesiredObject, ...]
    files: int


def _concerns(problem: Problem, files: set[Path], shown: set[str], settings: Path) -> bool:
    where = Path(problem.file).resolve()
    if where in files or where == settings:
        return True
    # A duplicate is reported at its second place and names the first: that file is ours too.
    return any(f"{name}:" in problem.message for name in shown)


def validate_paths(paths: Sequence[str], cwd: Path | None = None, *, registry: Registry) -> Checked:
    cwd = (cwd or Path.cwd()).resolve()
    problems: list[Problem] = []
    objects: list[DesiredObject] = []
    files = 0
    for target in plan_targets(paths, cwd):
        state = load_desired(target.root, cwd=cwd, registry=registry)
        if target.files is None:
            problems.extend(state.problems)
            objects.extend(state.objects)
            files += state.files
            continue
        shown = {_shown(f, cwd) for f in target.files}
        settings = (Path(target.root) / SETTINGS_FILE).resolve()
        problems.extend(p for p in state.problems if _concerns(p, target.files, shown, settings))
        objects.extend(o for o in state.objects if Path(o.file).resolve() in target.files)
        files += len(target.files)
    return Checked(tuple(dict.fromkeys(problems)), tuple(objects), files)
