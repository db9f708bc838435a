"""Export into a directory: match its documents to tenant objects (pinned `id`, then natural key,
exactly as `plan` matches), update those in place, write new files for the rest, and report
documents whose object is gone (never deleting them)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from reconciler.desired import DesiredObject, DesiredState, load_desired
from reconciler.desired.interpolate import references
from reconciler.desired.loader import SETTINGS_FILE, discover
from reconciler.desired.yamlsource import YamlSourceError, read_documents
from reconciler.engine.matching import Match, TenantIndex, match_all
from reconciler.engine.model import Actual
from reconciler.engine.normalize import canonical_scalar, normalize
from reconciler.errors import ConfigError
from reconciler.export.minimal import minimal_document
from reconciler.export.naming import name_text, unique_stems
from reconciler.export.yamltree import Merger, dump, round_trip, to_node
from reconciler.jsontypes import JSONObject
from reconciler.kinds.model import Kind, Reference, Scalar, ScalarKind
from reconciler.kinds.registry import Registry
from reconciler.kinds.typetree import object_type_of

SCHEMA_FILE = "edusync-profile.schema.json"
HEADER = (
    f"# yaml-language-server: $schema={SCHEMA_FILE}\n"
    "# Exported from the tenant by `edusync-reconcile export`; write-only secrets are ${NAME}\n"
    "# placeholders: set those variables (CI secrets) for `apply`.\n"
)

_INSTANT = Scalar(ScalarKind.DATETIME)


class Outcome(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Variable:
    name: str
    object_name: str
    field: str


@dataclass(frozen=True)
class ExportedObject:
    kind: Kind
    id: str
    name: str
    file: str
    outcome: Outcome


@dataclass
class ExportResult:
    objects: list[ExportedObject] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    #: Documents in the directory whose object is not in the tenant (left as they are).
    gone: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _File:
    path: Path
    documents: list[Any]
    changed: bool = False


@dataclass
class _Existing:
    state: DesiredState | None
    files: dict[str, _File]

    def document_of(self, obj: DesiredObject) -> CommentedMap | None:
        entry = self.files.get(obj.file)
        for doc in entry.documents if entry else []:
            if isinstance(doc, CommentedMap) and doc.lc.line + 1 == obj.line:
                return doc
        return None

    def item_of(self, obj: DesiredObject, members: Iterable[str]) -> CommentedMap | None:
        """The item of a container's list (`provisioningFlows:`) the object is written as."""
        entry = self.files.get(obj.file)
        for doc in entry.documents if entry else []:
            for member in members if isinstance(doc, CommentedMap) else ():
                items = doc.get(member)
                for item in items if isinstance(items, CommentedSeq) else ():
                    if isinstance(item, CommentedMap) and (item.lc.line + 1, item.lc.col + 1) == (
                        obj.line,
                        obj.column,
                    ):
                        return item
        return None


def shown_prefix(out_dir: Path) -> str:
    """What goes before a file's name inside `out_dir` in messages: the directory as the
    admin passed it (`desired-state/broken.yaml:2:1`, as validate says it)."""
    text = out_dir.as_posix()
    return "" if text in ("", ".") else text.rstrip("/") + "/"


def read_existing(out_dir: Path, registry: Registry) -> _Existing:
    """The directory's documents, loaded twice: checked (to compare as plan does) and
    round-trip (to edit with comments intact). A file that does not parse stops the export:
    its objects would otherwise be written a second time."""
    if not out_dir.is_dir():
        return _Existing(None, {})
    prefix = shown_prefix(out_dir)
    root = out_dir.resolve()
    state = load_desired(str(root), cwd=root, registry=registry)
    files: dict[str, _File] = {}
    unreadable: list[str] = []
    for path in discover(root).files:
        rel = path.relative_to(root).as_posix()
        if rel == SETTINGS_FILE:
            continue
        data = path.read_bytes()
        try:
            read_documents(prefix + rel, data)
            documents = list(round_trip().load_all(data.decode("utf-8")))
        except YamlSourceError as exc:
            if not exc.problem.message.startswith("file is empty"):
                unreadable.append(str(exc.problem))
            continue
        except YAMLError as exc:
            unreadable.append(f"{prefix}{rel}: {exc}")
            continue
        files[rel] = _File(path, documents)
    if unreadable:
        raise ConfigError(
            f"cannot update {out_dir}: " + "; ".join(unreadable) + ". Fix or move these files "
            "and export again (their objects would otherwise be written twice)"
        )
    return _Existing(state, files)


def as_item(kind: Kind, body: Mapping[str, Any]) -> dict[str, Any]:
    """A contained object as an item of its container's list: its container is the document
    (no `flowSet:`), and it is known by its place there (no `kind:` or pinned `id:`)."""
    dropped = {"kind", "id", kind.endpoint.parent_ref}
    return {k: v for k, v in body.items() if k not in dropped}


def overridden(kind: Kind, body: Mapping[str, Any]) -> bool:
    """Whether the tenant changed one of the service's rows: its modification time is set
    (the service shows DateTime.MinValue on rows nobody changed), or a member differs from
    its declared default (a row hidden with `isDisabled: true`)."""
    rows = kind.service_rows
    stamped = rows.modified if rows is not None else ""
    if stamped and canonical_scalar(body.get(stamped), _INSTANT) is not None:
        return True
    root = object_type_of(kind.root, body)
    return root is not None and any(
        normalize(body[p.name], p.type) != normalize(p.default, p.type)
        for p in root.props
        if p.has_default and not p.read_only and body.get(p.name) is not None
    )


def _secret_references(value: Any, path: str = "") -> Iterable[tuple[str, str]]:
    if isinstance(value, Mapping):
        for key, child in value.items():
            yield from _secret_references(child, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for child in value:
            yield from _secret_references(child, path)
    elif isinstance(value, str) and "${" in value:
        try:
            names = references(value)
        except ValueError:
            return
        for name in names:
            yield name, path


def _write(path: Path, text: str) -> None:
    """Atomically: a crash never leaves a half-written desired-state file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Exporter:
    def __init__(
        self,
        out_dir: Path,
        tenant: Mapping[str, Sequence[JSONObject]],
        *,
        registry: Registry,
        targets: Sequence[str] = (),
        ignore_changes: Sequence[str] = (),
    ) -> None:
        self.out_dir = out_dir
        self.registry = registry
        self.shown = shown_prefix(out_dir)
        self.targets = set(targets)
        self.ignore_changes = tuple(ignore_changes)
        self.result = ExportResult()
        self.tenant: dict[str, list[Actual]] = {}
        #: Ids of the service's own rows: matched like any object (a document may override
        #: one), written anew only when the tenant overrides it.
        self.service_rows: set[str] = set()
        for name, bodies in tenant.items():
            kind = registry[name]
            self.tenant[name] = []
            for body in bodies:
                if kind.services_own(body):  # never deleted: `isDisabled` is an override here
                    self.service_rows.add(str(body.get("id")))
                elif self._leaving(kind, body):
                    continue
                self.tenant[name].append(Actual(body))
        #: {object id: (its document, file)} for the directory's documents export matched.
        self.documents: dict[str, tuple[CommentedMap, str]] = {}
        everything = [(registry[k], a) for k, objs in self.tenant.items() for a in objs]
        # Placeholder names come from every tenant object, so --target never renames one.
        self.env_stems = unique_stems(
            ((a.id, name_text(kind, a.body)) for kind, a in everything), for_env=True
        )

    def _leaving(self, kind: Kind, body: JSONObject) -> bool:
        """An object being deleted is on its way out: not exported, its file reported."""
        if not kind.is_leaving(body):
            return False
        name = kind.key_of(body)
        self.result.notes.append(f"{name!r} ({body.get('id')}) is being deleted; not exported")
        return True

    def _wanted(self, kind: Kind, body: Mapping[str, Any]) -> bool:
        """Targeted (or no --target), itself or its container: a set brings its flows."""
        if not self.targets or kind.key_of(body) in self.targets:
            return True
        container = body.get(kind.endpoint.parent_ref or "")
        return isinstance(container, Mapping) and container.get(Reference.KEY) in self.targets

    def _container_of(self, kind: Kind, body: Mapping[str, Any]) -> str | None:
        """The id of the object whose document lists this one (a flow's set), if any."""
        if not self._members_holding(kind):
            return None
        container = body.get(kind.endpoint.parent_ref or "")
        found = container.get("id") if isinstance(container, Mapping) else None
        return str(found) if found else None

    def run(self) -> ExportResult:
        existing = read_existing(self.out_dir, self.registry)
        claimed = self._update_existing(existing)
        self._write_new(existing, claimed)
        self._save(existing)
        self._write_schema()
        self._note_shared_names()
        return self.result

    def _note_shared_names(self) -> None:
        """Objects of one kind sharing a name: the tree stays valid only while each keeps its
        pinned `id:`, which the admin must know before editing or renaming files."""
        groups: dict[tuple[str, str], list[ExportedObject]] = {}
        for obj in self.result.objects:
            groups.setdefault((obj.kind.name, obj.name), []).append(obj)
        for (kind_name, name), objs in groups.items():
            if len(objs) < 2:
                continue
            files = ", ".join(sorted(self.shown + o.file for o in objs))
            self.result.notes.append(
                f"{len(objs)} {kind_name} objects in the tenant are named '{name}' ({files}): "
                "rename one in the SDS portal and export again, or keep both files with their "
                "`id:` (the pins tell them apart; without them validate refuses the name twice)"
            )

    # -- existing documents ------------------------------------------------------------------
    def _update_existing(self, existing: _Existing) -> set[str]:
        objects = existing.state.objects if existing.state else ()
        indexes = {
            name: TenantIndex(self.registry[name], objs) for name, objs in self.tenant.items()
        }
        claimed: set[str] = set()
        ignore = self.ignore_changes + (
            existing.state.settings.ignore_changes if existing.state else ()
        )
        for obj, match in zip(objects, match_all(objects, indexes), strict=True):
            claimed.update(a.id for a in match.claims if match.actual is not None)
            if match.actual is None:
                self._report_unmatched(obj, match)
                continue
            if not self._wanted(obj.kind, match.actual.body) and obj.name not in self.targets:
                continue
            members = self._members_holding(obj.kind)
            doc = existing.document_of(obj) or existing.item_of(obj, members)
            entry = existing.files.get(obj.file)
            if doc is None or entry is None:  # cannot happen for a parsed file; never guess
                self.result.notes.append(
                    f"{self.shown}{obj.where}: {obj.kind.name} {obj.name!r} was not updated: "
                    "export could not find where the file writes it; compare it with `plan`"
                )
                continue
            if any(d is doc for d in entry.documents):
                self.documents[match.actual.id] = (doc, obj.file)
            self._merge(obj, doc, entry, match.actual, ignore)
        return claimed

    def _save(self, existing: _Existing) -> None:
        for entry in existing.files.values():
            if entry.changed:
                _write(entry.path, dump(entry.documents))

    def _members_holding(self, kind: Kind) -> tuple[str, ...]:
        """The container's members whose items are objects of `kind` (none: not contained)."""
        parent = self.registry[kind.endpoint.parent] if kind.endpoint.parent else None
        return tuple(c.member for c in parent.contained if c.kind == kind.name) if parent else ()

    def _report_unmatched(self, obj: DesiredObject, match: Match) -> None:
        if self.targets and obj.name not in self.targets:
            return
        if match.error is not None and match.claims:
            # Duplicate names in the tenant; the message starts with the document's place.
            self.result.notes.append(self.shown + match.error.message)
        elif obj.pinned_id:
            self.result.gone.append(
                f"{self.shown}{obj.where}: {obj.name!r} (pinned id {obj.pinned_id}) is not in "
                "the tenant"
            )
        else:
            self.result.gone.append(f"{self.shown}{obj.where}: {obj.name!r} is not in the tenant")

    def _merge(
        self,
        obj: DesiredObject,
        doc: CommentedMap,
        entry: _File,
        actual: Actual,
        ignore: tuple[str, ...],
    ) -> None:
        fresh = minimal_document(
            obj.kind,
            actual.body,
            self.env_stems[actual.id],
            default_kind=self.registry.default_name,
        )
        self.result.notes.extend(f"{self.shown}{obj.file}: {n}" for n in fresh.notes)
        merger = Merger(
            obj.variables,
            # A container's contained members are objects of their own, merged on their own.
            ignored=(
                *ignore,
                *obj.lifecycle.ignore_changes,
                *(c.member for c in obj.kind.contained),
            ),
            add_missing=actual.id not in self.service_rows,
        )
        root = object_type_of(obj.kind.root, fresh.body)
        if root is None:  # a type this version does not know: leave the document as it is
            self.result.notes.append(f"{obj.where}: the tenant's type is unknown; left alone")
            return
        body = fresh.body
        if not any(d is doc for d in entry.documents):  # an item of its container's list
            body = as_item(obj.kind, body)
        merger.merge(doc, obj.body, actual.body, body, root)
        entry.changed = entry.changed or merger.changed
        outcome = Outcome.UPDATED if merger.changed else Outcome.UNCHANGED
        name = obj.kind.key_of(actual.body)
        self.result.objects.append(ExportedObject(obj.kind, actual.id, name, obj.file, outcome))
        contained = {c.member for c in obj.kind.contained}  # noted for each contained object
        self._note_variables(name, {k: v for k, v in doc.items() if k not in contained})

    def _note_variables(self, name: str, document: Mapping[str, Any]) -> None:
        for variable, where in _secret_references(document):
            self.result.variables.append(Variable(variable, name, where))

    # -- new files -----------------------------------------------------------------------------
    def _write_new(self, existing: _Existing, claimed: set[str]) -> None:
        fresh = [
            (self.registry[k], a)
            for k, objs in self.tenant.items()
            for a in objs
            if a.id not in claimed
            and self._wanted(self.registry[k], a.body)
            and (a.id not in self.service_rows or overridden(self.registry[k], a.body))
        ]
        # Contained objects are written in their container's document (a flow in its set's
        # `provisioningFlows:`), as the README writes them, when that document is written.
        fresh_ids = {a.id for _, a in fresh}
        inside: dict[str, list[tuple[Kind, Actual]]] = {}
        alone: list[tuple[Kind, Actual]] = []
        for kind, actual in fresh:
            container = self._container_of(kind, actual.body)
            if container is not None and (container in fresh_ids or container in self.documents):
                inside.setdefault(container, []).append((kind, actual))
            else:
                alone.append((kind, actual))
        taken = [Path(f).stem for f in existing.files] + [SETTINGS_FILE.rsplit(".", 1)[0]]
        stems = unique_stems(
            ((a.id, name_text(kind, a.body)) for kind, a in alone), for_env=False, taken=taken
        )
        for kind, actual in sorted(alone, key=lambda pair: stems[pair[1].id]):
            file = f"{stems[actual.id]}.yaml"
            body = self._new_body(kind, actual, file)
            for member, items in self._items_for(kind, inside.pop(actual.id, []), file).items():
                body[member] = items
            _write(self.out_dir / file, HEADER + dump([to_node(body, kind.root)]))
        for container, contained in inside.items():
            self._append_items(existing, container, contained)

    def _new_body(self, kind: Kind, actual: Actual, file: str) -> dict[str, Any]:
        """The object's minimal document, recorded as exported into `file`."""
        document = minimal_document(
            kind, actual.body, self.env_stems[actual.id], default_kind=self.registry.default_name
        )
        self.result.notes.extend(f"{self.shown}{file}: {n}" for n in document.notes)
        name = kind.key_of(actual.body)
        self.result.objects.append(ExportedObject(kind, actual.id, name, file, Outcome.NEW))
        for placeholder in document.placeholders:
            self.result.variables.append(Variable(placeholder.variable, name, placeholder.field))
        return document.body

    def _items_for(
        self, container: Kind, contained: list[tuple[Kind, Actual]], file: str
    ) -> dict[str, list[dict[str, Any]]]:
        """{member: items} for a container's document, in natural-key order (stable)."""
        items: dict[str, list[dict[str, Any]]] = {}
        for kind, actual in sorted(contained, key=lambda pair: pair[0].key_of(pair[1].body)):
            member = self._members_holding(kind)[0]
            items.setdefault(member, []).append(as_item(kind, self._new_body(kind, actual, file)))
        return items

    def _append_items(
        self, existing: _Existing, container: str, contained: list[tuple[Kind, Actual]]
    ) -> None:
        """New contained objects of a container the directory already writes: appended to
        its list (made if the document has none)."""
        doc, file = self.documents[container]
        owner = self.registry[contained[0][0].endpoint.parent or ""]
        otype = object_type_of(owner.root, doc)
        for member, items in self._items_for(owner, contained, file).items():
            prop = otype.prop(member) if otype else None
            nodes = to_node(items, prop.type if prop else None)
            if isinstance(doc.get(member), CommentedSeq):
                doc[member].extend(nodes)
            else:
                doc[member] = nodes
        existing.files[file].changed = True

    def _write_schema(self) -> None:
        from reconciler.schema import desired_state_schema

        target = self.out_dir / SCHEMA_FILE
        text = json.dumps(desired_state_schema(self.registry), indent=2) + "\n"
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            _write(target, text)
