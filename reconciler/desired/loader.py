"""Load a desired-state tree: discover files, read them safely, check every object, and report
every problem at once."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

from reconciler import fieldpaths
from reconciler.clouds import CLOUDS
from reconciler.collector import collector_paused
from reconciler.desired import forked
from reconciler.desired.contained import split_contained
from reconciler.desired.name_chars import name_problems
from reconciler.desired.one_active import one_active_problems
from reconciler.desired.problems import Problem, Severity, has_errors
from reconciler.desired.references import check_references
from reconciler.desired.same_source import same_source_problems
from reconciler.desired.typecheck import check_object, did_you_mean
from reconciler.desired.words import not_a_boolean
from reconciler.desired.yamlsource import (
    MAX_FILE_BYTES,
    Document,
    Path,
    YamlSourceError,
    read_documents,
)
from reconciler.errors import ConfigError
from reconciler.kinds import REGISTRY
from reconciler.kinds.model import Kind, Reference
from reconciler.kinds.registry import Registry
from reconciler.names import quoted
from reconciler.objects import DesiredObject, Lifecycle
from reconciler.settings import FileSettings, UpdateMethod, graph_url_problem

if TYPE_CHECKING:
    from reconciler.engine.compare import DesiredSources

SETTINGS_FILE = "edusync.yaml"
RESERVED_KEYS = ("kind", "lifecycle")


@dataclass(frozen=True)
class DesiredState:
    root: str
    objects: tuple[DesiredObject, ...]
    settings: FileSettings
    problems: tuple[Problem, ...]
    #: sha256 over every file read (path and bytes): a saved plan is stale when this changes.
    digest: str
    files: int
    #: The source each object reads, found while reading; the same-source check here and the
    #: plan's own use it instead of normalising the objects again.
    sources: DesiredSources | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return not any(p.severity is Severity.ERROR for p in self.problems)


def display_path(path: FsPath, cwd: FsPath) -> str:
    try:
        return os.path.relpath(path, cwd) if path.is_absolute() else str(path)
    except ValueError:  # another drive on Windows
        return str(path)


#: Files read as desired state (any case). JSON is YAML 1.2, so a pasted Graph response works.
DESIRED_SUFFIXES = (".yaml", ".yml", ".json")
#: Files that live beside profiles on purpose and are skipped without a word.
_QUIET_SUFFIXES = (".md", ".markdown", ".rst", ".adoc", ".schema.json")
_QUIET_STEMS = ("readme", "license", "licence", "changelog", "codeowners", "notice")


@dataclass(frozen=True)
class Discovered:
    files: list[FsPath]
    #: Entries refused outright (errors): symbolic links leaving the tree and the like.
    refused: list[tuple[FsPath, str]]
    #: Files not read (warnings): a `.yaml.bak`, a `.txt`.
    skipped: list[tuple[FsPath, str]]


def discover(root: FsPath) -> Discovered:
    """Desired-state files below root, sorted, hidden entries skipped; refused and skipped
    entries with the reason."""
    if root.is_file():
        return Discovered([root], [], [])
    real_root = root.resolve()
    found: list[FsPath] = []
    refused: list[tuple[FsPath, str]] = []
    skipped: list[tuple[FsPath, str]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = FsPath(dirpath)
        kept = []
        for name in sorted(dirnames):
            if name.startswith("."):
                continue
            if (here / name).is_symlink():
                refused.append((here / name, _symlink_problem(here / name, real_root, dir=True)))
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            candidate = here / name
            if not name.lower().endswith(DESIRED_SUFFIXES) or _quiet(name):
                why = _skip_reason(name)
                if why:
                    skipped.append((candidate, why))
                continue
            if candidate.is_symlink():
                target = candidate.resolve()
                if not target.is_relative_to(real_root) or not target.is_file():
                    refused.append((candidate, _symlink_problem(candidate, real_root, dir=False)))
                    continue
            found.append(candidate)
    return Discovered(sorted(found), refused, skipped)


def _quiet(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith(_QUIET_SUFFIXES) or lowered.split(".", 1)[0] in _QUIET_STEMS


def _skip_reason(name: str) -> str | None:
    """Why a file is not read, worth a warning (None: skipped quietly, like a README)."""
    if _quiet(name):
        return None
    lowered = name.lower()
    for suffix in DESIRED_SUFFIXES:
        at = lowered.rfind(suffix + ".")
        if at < 0 and lowered.endswith(suffix + "~"):
            at = len(lowered) - len(suffix) - 1
        if at >= 0:
            meant = name[: at + len(suffix)]
            extra = name[at + len(suffix) :]
            return (
                f"not read: the name ends in {extra!r}, so this is not a desired-state file; "
                f"rename it {meant} to use it, or move it out of the directory"
            )
    return (
        "not read: only *.yaml, *.yml and *.json files hold profiles; move this file out of "
        "the directory (or rename it) if it should be used"
    )


def _symlink_problem(path: FsPath, real_root: FsPath, *, dir: bool) -> str:
    target = path.resolve()
    if not target.is_relative_to(real_root):
        return (
            "symbolic link points outside the desired-state directory; "
            "copy the file in instead of linking to it"
        )
    if dir:
        return "symbolic links to directories are not followed; move the directory in"
    return "symbolic link does not point to a file"


@collector_paused()
def load_desired(
    path: str,
    *,
    cwd: FsPath | None = None,
    registry: Registry = REGISTRY,
    workers: int | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> DesiredState:
    """Load `path` (a directory or one file) as objects of the kinds in `registry`. Raises
    ConfigError only if it does not exist. `workers`: how many processes read the files
    (None: as many as pay, see `forked`); the answer is the same whatever the number.
    `meanwhile`: work this process does while forked children read (see `forked`)."""
    cwd = cwd or FsPath.cwd()
    root = FsPath(path)
    if not root.exists():
        raise ConfigError(
            f"desired-state path {path!r} does not exist; pass the directory holding your "
            "profile YAML files (default: ./desired-state)"
        )
    found = discover(root)
    files, refused = found.files, found.refused
    problems = [Problem(display_path(p, cwd), 1, 1, Severity.ERROR, why) for p, why in refused]
    problems += [
        Problem(display_path(p, cwd), 1, 1, Severity.WARNING, why) for p, why in found.skipped
    ]
    digest = hashlib.sha256()
    objects: list[DesiredObject] = []
    settings = FileSettings()
    tree = root if root.is_dir() else None
    settings_path = tree / SETTINGS_FILE if tree is not None else None
    read = partial(
        _read_file,
        root=tree,
        cwd=cwd,
        settings_path=settings_path,
        registry=registry,
    )
    count = workers if workers is not None else forked.workers_for(len(files))
    from reconciler.engine.compare import DesiredSources  # the engine's, made on demand

    sources = DesiredSources()
    for result in forked.map_forked(
        read,
        files,
        count,
        shared=lambda obj: ("kind", obj.name) if isinstance(obj, Kind) else None,
        restore=lambda pid: registry[pid[1]],  # type: ignore[index]
        meanwhile=meanwhile,
    ):
        problems += result.problems
        objects += result.objects
        for obj, source in zip(result.objects, result.sources, strict=False):
            sources.note(obj, source)
        if result.digest is not None:
            digest.update(result.digest)
        if result.settings is not None:
            settings = result.settings
    for ignored in settings.ignore_changes:
        _check_ignore_path(ignored, settings_path or root, problems, cwd, registry)
    problems.extend(_duplicates(objects))
    problems.extend(one_active_problems(objects, dt.datetime.now(dt.UTC)))
    objects, reference_problems = check_references(objects, registry)
    problems.extend(reference_problems)
    problems.extend(same_source_problems(objects, problems, sources))
    if not files and not refused:
        problems.append(
            Problem(
                display_path(root, cwd),
                1,
                1,
                Severity.WARNING,
                "no *.yaml, *.yml or *.json files found",
            )
        )
    return DesiredState(
        root=path,
        objects=tuple(objects),
        settings=settings,
        problems=tuple(sorted(set(problems), key=_problem_order)),
        digest=f"sha256:{digest.hexdigest()}",
        files=len(files),
        sources=sources,
    )


@dataclass
class _FileRead:
    """What one file holds: its problems, its objects, its part of the digest, and the
    settings when it is the settings file."""

    problems: list[Problem] = field(default_factory=list)
    objects: list[DesiredObject] = field(default_factory=list)
    #: The source each object reads (`engine.compare.desired_source`), for the same-source
    #: check; found here, where a file is read (on any core), and only for a file without
    #: errors (the normaliser expects checked values).
    sources: list[dict[str, Any]] = field(default_factory=list)
    digest: bytes | None = None
    settings: FileSettings | None = None


def _read_file(
    file: FsPath,
    *,
    root: FsPath | None,
    cwd: FsPath,
    settings_path: FsPath | None,
    registry: Registry,
) -> _FileRead:
    """`root`: the directory read (None: `file` was named alone)."""
    out = _FileRead()
    shown = display_path(file, cwd)
    data = _read_bytes(file)
    if isinstance(data, str):
        out.problems.append(Problem(shown, 1, 1, Severity.ERROR, data))
        return out
    rel = file.relative_to(root).as_posix() if root is not None else file.name
    out.digest = rel.encode() + b"\0" + hashlib.sha256(data).digest()
    try:
        docs = read_documents(shown, data, is_json=file.suffix.lower() == ".json")
    except YamlSourceError as exc:
        out.problems.append(exc.problem)
        return out
    if settings_path is not None and file == settings_path:
        out.settings = _read_settings(shown, docs, out.problems)
        return out
    for doc in docs:
        obj = _read_object(shown, doc, out.problems, registry)
        if obj is not None:
            out.objects.extend(split_contained(obj, registry, doc.where))
    if not has_errors(out.problems):
        from reconciler.engine.compare import desired_source  # the engine's, on demand

        out.sources = [desired_source(obj) for obj in out.objects]
    return out


#: Flags for reading a file's bytes as they are (Windows would otherwise translate line ends).
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def _read_bytes(file: FsPath) -> bytes | str:
    """The file's bytes, or why it must not be read at all (checked before opening: a FIFO
    would block). The os calls themselves, not Path.read_bytes: for a tree of
    small files, pathlib's and the buffered reader's own work cost more than the reading."""
    info = file.stat()
    unreadable = _unreadable(info)
    if unreadable:
        return unreadable
    fd = os.open(file, _READ_FLAGS)
    try:
        chunks = []
        got = 0
        size = info.st_size + 1  # all of it in one read, unless it grew since
        while chunk := os.read(fd, size):  # to its end, as read_bytes does
            chunks.append(chunk)
            got += len(chunk)
            if len(chunk) < size and got >= info.st_size:
                break  # short, and all it held: its end, without a read to find it
            # Short before its size (some network and FUSE file systems), or grown: read on.
            size = 1 << 16
    finally:
        os.close(fd)
    return b"".join(chunks)


def _unreadable(info: os.stat_result) -> str | None:
    """Why a file with this status must not be read at all."""
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file; desired-state files must be plain YAML files"
    if info.st_size > MAX_FILE_BYTES:
        return (
            f"file is {info.st_size:,} bytes, over the 1 MiB limit for a desired-state file; "
            "split it into one file per profile"
        )
    return None


def _problem_order(p: Problem) -> tuple[str, int, int, str]:
    return (p.file, p.line, p.column, p.message)


def _read_object(
    file: str, doc: Document, problems: list[Problem], registry: Registry
) -> DesiredObject | None:
    value = doc.value
    if not isinstance(value, dict):
        line, col = doc.where(())
        problems.append(
            Problem(
                file, line, col, Severity.ERROR, "a profile must be a YAML mapping of properties"
            )
        )
        return None
    if isinstance(value.get("value"), list) and "@odata.context" in value:
        line, col = doc.key_position(("value",))
        problems.append(
            Problem(
                file,
                line,
                col,
                Severity.ERROR,
                f"this is a pasted Graph list response: 'value' holds {len(value['value'])} "
                "object(s); keep one profile per file (or per --- document): copy each item of "
                "'value' out on its own",
            )
        )
        return None
    kind_name = value.get("kind", registry.default.name)
    kind = registry.get(kind_name) if isinstance(kind_name, str) else None
    if kind is None:
        line, col = doc.where(("kind",))
        problems.append(
            Problem(
                file,
                line,
                col,
                Severity.ERROR,
                f"unknown kind {kind_name!r}{did_you_mean(str(kind_name), registry.names)}; "
                f"supported: {', '.join(registry.names)}",
            )
        )
        return None
    body = {k: v for k, v in value.items() if k not in RESERVED_KEYS}
    result = check_object(body, kind.root, file=file, doc=doc, base=(), noun=kind.noun)
    problems.extend(result.problems)
    for key_path in kind.key.paths:
        if "." not in key_path:
            problems.extend(name_problems(file, doc, key_path, result.value))
    for identifying in (*kind.key.paths, "id"):
        at: Path = tuple(identifying.split("."))
        if at in result.variables:
            line, col = doc.where(at)
            problems.append(
                Problem(
                    file,
                    line,
                    col,
                    Severity.ERROR,
                    f"{identifying} identifies the {kind.noun} and cannot come from an environment "
                    "variable (a value plan cannot see would never match the tenant); write it out",
                )
            )
    lifecycle = _read_lifecycle(file, doc, value.get("lifecycle"), kind, problems)
    line, col = doc.where(())
    return DesiredObject(
        kind=kind,
        file=file,
        line=line,
        column=col,
        body=result.value,
        lifecycle=lifecycle,
        variables=result.variables,
        variable_positions={path: doc.where(path) for path in result.variables},
        references=tuple(result.references),
    )


def _read_lifecycle(
    file: str, doc: Document, value: Any, kind: Kind, problems: list[Problem]
) -> Lifecycle:
    def report(path: Path, message: str, *, key: bool = False) -> None:
        full = ("lifecycle", *path)
        line, col = doc.key_position(full) if key else doc.where(full)
        problems.append(Problem(file, line, col, Severity.ERROR, message))

    if value is None:
        return Lifecycle()
    if not isinstance(value, dict):
        report((), "lifecycle must be a mapping with paused, protect and ignoreChanges")
        return Lifecycle()
    allowed = ("paused", "protect", "ignoreChanges")
    for key in value:
        if key not in allowed:
            hint = did_you_mean(key, allowed)
            report((key,), f"unknown lifecycle setting {key!r}{hint}", key=True)
    paused = value.get("paused")
    if paused is not None and not isinstance(paused, bool):
        report(("paused",), not_a_boolean("lifecycle.paused", paused))
        paused = None
    if paused is not None and kind.run_state is None:
        report(("paused",), f"lifecycle.paused: a {kind.name} has no run state to pause; remove it")
        paused = None
    protect = value.get("protect", False)
    if not isinstance(protect, bool):
        report(("protect",), not_a_boolean("lifecycle.protect", protect))
        protect = False
    ignore = value.get("ignoreChanges") or []
    if not isinstance(ignore, list) or not all(isinstance(p, str) for p in ignore):
        report(("ignoreChanges",), "lifecycle.ignoreChanges must be a list of field paths")
        ignore = []
    for i, entry in enumerate(ignore):
        message = _ignore_path_problem(entry, kind)
        if message:
            report(("ignoreChanges", i), message)
    return Lifecycle(paused=paused, protect=protect, ignore_changes=tuple(ignore))


def _ignore_path_problem(entry: str, kind: Kind) -> str | None:
    try:
        segments = fieldpaths.parse(entry)
    except ValueError as exc:
        return str(exc)
    problem = fieldpaths.resolve(kind.root, segments)
    return f"ignoreChanges: {problem}" if problem else None


def _check_ignore_path(
    entry: str, where: FsPath, problems: list[Problem], cwd: FsPath, registry: Registry
) -> None:
    messages = [_ignore_path_problem(entry, kind) for kind in registry]
    if all(messages):
        problems.append(Problem(display_path(where, cwd), 1, 1, Severity.ERROR, str(messages[0])))


def _read_settings(file: str, docs: list[Document], problems: list[Problem]) -> FileSettings:
    def report(doc: Document, path: Path, message: str, *, value: bool = False) -> None:
        line, col = doc.where(path) if value else doc.key_position(path)
        problems.append(Problem(file, line, col, Severity.ERROR, message))

    if len(docs) != 1 or not isinstance(docs[0].value, dict):
        problems.append(
            Problem(
                file, 1, 1, Severity.ERROR, f"{SETTINGS_FILE} must hold one mapping of settings"
            )
        )
        return FileSettings()
    doc = docs[0]
    value: dict[str, Any] = doc.value
    text_keys = {
        "tenant": "tenant",
        "cloud": "cloud",
        "graphUrl": "graph_url",
        "updateMethod": "update_method",
    }
    allowed = [*text_keys, "parallelism", "ignoreChanges"]
    fields: dict[str, Any] = {}
    for key, item in value.items():
        if key in text_keys:
            problem = (
                f"{key} must be text" if not isinstance(item, str) else _setting_problem(key, item)
            )
            if problem:
                report(doc, (key,), problem, value=True)
            else:
                fields[text_keys[key]] = item
        elif key == "parallelism":
            if isinstance(item, bool) or not isinstance(item, int) or item < 1:
                report(doc, (key,), "parallelism must be a whole number of at least 1")
            else:
                fields["parallelism"] = item
        elif key == "ignoreChanges":
            if not isinstance(item, list) or not all(isinstance(p, str) for p in item):
                report(doc, (key,), "ignoreChanges must be a list of field paths")
            else:
                fields["ignore_changes"] = tuple(item)
        else:
            report(
                doc,
                (key,),
                f"unknown setting {key!r}{did_you_mean(key, allowed)}; "
                f"{SETTINGS_FILE} may set: {', '.join(allowed)}",
            )
    return FileSettings(**fields)


def _setting_problem(key: str, value: str) -> str | None:
    """The same checks the flags and EDUSYNC_* variables get, reported at the value's line."""
    if key == "graphUrl":
        problem = graph_url_problem(value)
        return f"graphUrl: {problem}" if problem else None
    if key == "cloud" and value.lower() not in CLOUDS:
        return f"unknown cloud {value!r}{did_you_mean(value, list(CLOUDS))}; use one of: " + (
            ", ".join(CLOUDS)
        )
    if key == "updateMethod" and value.lower() not in {m.value for m in UpdateMethod}:
        return f"updateMethod {value!r} is not one of: put, patch"
    return None


def _inside(obj: DesiredObject, twice: set[tuple[str, str]]) -> bool:
    """Whether `obj` is declared inside an object already named twice (a flow in a set's
    second declaration)."""
    parent, parent_ref = obj.kind.endpoint.parent, obj.kind.endpoint.parent_ref
    if not parent or not parent_ref:
        return False
    container = obj.body.get(parent_ref)
    name = container.get(Reference.KEY) if isinstance(container, dict) else None
    return isinstance(name, str) and (parent, name.lower()) in twice


def _duplicates(objects: list[DesiredObject]) -> list[Problem]:
    problems: list[Problem] = []
    by_name: dict[tuple[str, str], DesiredObject] = {}
    by_id: dict[tuple[str, str], DesiredObject] = {}
    #: Objects named twice: what is declared inside the second (a set's flows) is not said again.
    twice: set[tuple[str, str]] = set()
    for obj in objects:
        if _inside(obj, twice):
            continue
        for index, key, label in (
            (by_name, obj.kind.key.fold(obj.name), obj.kind.key.label),
            (by_id, (obj.pinned_id or "").lower(), "id"),
        ):
            if not key:
                continue
            first = index.get((obj.kind.name, key))
            if first is None:
                index[(obj.kind.name, key)] = obj
                continue
            if index is by_name and obj.pinned_id and first.pinned_id:
                # A tenant can hold two profiles of one name: each pinning its own `id:`
                # (a repeated id is caught below) tells them apart, as plan matches pins first.
                continue
            if index is by_name:
                twice.add((obj.kind.name, obj.name.lower()))
            noun = obj.kind.noun
            # A key of one member (a name) may be shared in the tenant, where pins tell two
            # apart; a key of several (a set and a type) is the service's own rule.
            pin = index is by_name and len(obj.kind.key.paths) == 1
            shown = obj.pinned_id if index is by_id else obj.name
            problems.append(
                Problem(
                    obj.file,
                    obj.line,
                    obj.column,
                    Severity.ERROR,
                    f"duplicate {label} {quoted(str(shown))}: also declared at {first.where}; "
                    f"each {noun} must be declared once"
                    + (
                        f" (two tenant {noun}s of one name: pin each with its own `id:`)"
                        if pin
                        else ""
                    ),
                )
            )
    return problems
