"""The conversion report: every classic field, where it went, and what is left to the admin."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from reconciler.convert.classic import ClassicProfile, Path


class Status(StrEnum):
    """From most to least urgent; the report lists them in this order."""

    #: No counterpart, or a choice only the admin can make, before the first apply.
    DECIDE = "decide"
    #: The converter chose a value (a default, an inference): check it.
    GUESSED = "guessed"
    #: Carried over as written, or by a documented rule.
    MAPPED = "mapped"
    #: No counterpart in new SDS and nothing to do (or what to do instead is said).
    NO_COUNTERPART = "no-counterpart"


@dataclass(frozen=True)
class Entry:
    status: Status
    file: str
    line: int
    column: int
    #: The classic profile's displayName ("" for a note about the whole tree).
    profile: str
    #: The classic field, as `lifecycle.ignoreChanges` writes paths ("" for the whole profile).
    field: str
    message: str
    #: Where it went in the output: `dataConnector "X" baseUrl` ("" when nowhere).
    target: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "profile": self.profile,
            "field": self.field,
            "message": self.message,
            "target": self.target,
        }


def field_text(body: Mapping[str, Any], path: Path) -> str:
    """`('licensesToAssign', 1, 'skuIds')` → `licensesToAssign[teacher].skuIds`: a keyed-list
    item by its `appliesTo`, another list item by its index."""
    out = ""
    value: Any = body
    for part in path:
        if isinstance(part, int):
            item = value[part] if isinstance(value, list) and part < len(value) else None
            key = item.get("appliesTo") if isinstance(item, Mapping) else None
            out += f"[{key}]" if isinstance(key, str) else f"[{part}]"
            value = item
        else:
            out += f".{part}" if out else part
            value = value.get(part) if isinstance(value, Mapping) else None
    return out


@dataclass
class Recorder:
    """Collects entries and remembers which classic fields have been accounted for, so that a
    last pass can name every field nobody handled (none should be left silent)."""

    tree: str
    entries: list[Entry] = field(default_factory=list)
    accounted: dict[int, set[Path]] = field(default_factory=dict)

    def note(
        self,
        status: Status,
        profile: ClassicProfile,
        path: Path,
        message: str,
        target: str = "",
        *,
        account: bool = True,
    ) -> None:
        """An entry about the field at `path` (which it accounts for), or, with
        `account=False`, an entry only placed there (about something the field led to)."""
        line, column = profile.where(path)
        self.entries.append(
            Entry(
                status,
                profile.file,
                line,
                column,
                profile.name,
                field_text(profile.body, path),
                message,
                target,
            )
        )
        if account:
            self.account(profile, path)

    def anchor(
        self, status: Status, profile: ClassicProfile, path: Path, message: str, target: str = ""
    ) -> None:
        self.note(status, profile, path, message, target, account=False)

    def account(self, profile: ClassicProfile, path: Path) -> None:
        self.accounted.setdefault(id(profile), set()).add(path)

    def tree_note(self, status: Status, message: str, target: str = "") -> None:
        self.entries.append(Entry(status, self.tree, 1, 1, "", "", message, target))

    def is_accounted(self, profile: ClassicProfile, path: Path) -> bool:
        done = self.accounted.get(id(profile), set())
        return any(path[:n] in done for n in range(len(path) + 1))

    def unaccounted_leaves(self, profile: ClassicProfile) -> Iterable[Path]:
        """Scalars (and lists of scalars) of the profile no step of the conversion handled."""
        for path, _value in _leaves(profile.body, ()):
            if not self.is_accounted(profile, path):
                yield path


def _leaves(value: Any, path: Path) -> Iterable[tuple[Path, Any]]:
    if isinstance(value, Mapping):
        for key, child in value.items():
            yield from _leaves(child, (*path, key))
    elif isinstance(value, list) and any(isinstance(v, (Mapping, list)) for v in value):
        for index, child in enumerate(value):
            yield from _leaves(child, (*path, index))
    else:
        yield path, value
