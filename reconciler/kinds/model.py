"""The vocabulary every resource kind is described in.

A kind is data: its endpoint, natural key and a tree of types whose annotations (read-only,
write-only secret, polymorphic, keyed list, set, server default) drive loading, validation,
normalisation, diffing, JSON Schema and request bodies alike. The engine never names a property
of a particular kind; it only walks these types.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Union

from reconciler.jsontypes import JSON


class ScalarKind(StrEnum):
    STRING = "string"
    BOOLEAN = "boolean"
    INTEGER = "integer"
    DATE = "date"  # Edm.Date, YYYY-MM-DD
    DATETIME = "datetime"  # Edm.DateTimeOffset, compared as instants


class Format(StrEnum):
    """What the text of a string property must look like (checked by `validate`, and written
    into the JSON Schema as a pattern)."""

    GUID = "guid"  # 314c4481-f395-4525-be8b-2ec4bb1e9d91
    HTTPS_URL = "https-url"  # an absolute https:// address
    DOMAIN = "domain"  # a DNS domain name: contoso.edu


#: ECMA-262 patterns for the JSON Schema (the same rules `validate` checks, in plainer words).
FORMAT_PATTERNS: Mapping[Format, str] = {
    Format.GUID: r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$",
    Format.HTTPS_URL: r"^[Hh][Tt][Tt][Pp][Ss]://[^\s/?#@]+([/?#]\S*)?$",
    # labels of letters, digits and inner hyphens, at least two of them
    Format.DOMAIN: r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$",  # noqa: E501
}


@dataclass(frozen=True)
class Scalar:
    kind: ScalarKind
    enum: tuple[str, ...] = ()
    #: Enum members Graph echoes in another case (educationUserRole is lowerCamel by contract).
    enum_case_insensitive: bool = False
    #: Values Graph echoes for "unset", equivalent to null/absent (DateTime.MinValue).
    null_sentinels: tuple[str, ...] = ()
    #: The shape the text must have (a GUID, an https:// URL, a domain).
    format: Format | None = None
    #: For a value of the wrong format: the likely fix in plain words (a licence name → its
    #: GUID), or None.
    suggest: Callable[[str], str | None] | None = field(default=None, compare=False)
    #: A date that should lie ahead (an expiration date): one in the past is a warning.
    expect_future: bool = False


@dataclass(frozen=True)
class SetOf:
    """An unordered collection of scalars; `case_insensitive` for GUIDs and the like."""

    item: Scalar
    case_insensitive: bool = False


@dataclass(frozen=True)
class ListOf:
    """An ordered collection owned whole."""

    item: TypeExpr


@dataclass(frozen=True)
class KeyedList:
    """A collection of objects identified by one of their properties; order does not matter."""

    item: ObjectType
    key: str


@dataclass(frozen=True)
class Polymorphic:
    """An abstract member whose concrete type is named by `@odata.type`."""

    base: str
    variants: tuple[ObjectType, ...]
    #: A change of concrete type cannot be made in place: the resource must be replaced.
    replace_on_type_change: bool = False

    def variant(self, canonical: str) -> ObjectType | None:
        return next((v for v in self.variants if v.name == canonical), None)


@dataclass(frozen=True)
class Opaque:
    """Any JSON; used for server-managed members that are only ever dropped."""


_MISSING = object()


@dataclass(frozen=True)
class Prop:
    """A property of an object type."""

    name: str
    type: TypeExpr
    description: str = ""
    required: bool = False
    read_only: bool = False
    #: Write-only: Graph accepts it but never returns it, so it is never compared or shown.
    secret: bool = False
    nullable: bool = True
    #: The value Graph reports when the property was never set (absent is equivalent to it).
    default: JSON = _MISSING
    #: What null means when Graph documents it as different from absent (export keeps it).
    null_means: str = ""

    @property
    def has_default(self) -> bool:
        return self.default is not _MISSING


@dataclass(frozen=True)
class ObjectType:
    name: str
    props: tuple[Prop, ...]
    description: str = ""
    #: Other names Graph has used for this type (legacy short names).
    aliases: tuple[str, ...] = ()
    _index: Mapping[str, Prop] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {p.name: p for p in self.props})

    def prop(self, name: str) -> Prop | None:
        return self._index.get(name)

    @property
    def writable_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.props if not p.read_only)


TypeExpr = Union[Scalar, SetOf, ListOf, KeyedList, Polymorphic, ObjectType, Opaque]  # noqa: UP007


@dataclass(frozen=True)
class RunStatusShape:
    """How a kind reports whether its sync runs well (read by `status`); the sub-resource
    itself is `Kind.run_status_path`."""

    status: str
    last_sync: str | None = None
    last_activity: str | None = None
    error_count: str | None = None
    #: Free text the service writes about the current stage (masked by pattern, may name people).
    message: str | None = None
    #: Run-status values that need an admin's attention: `status` exits 1.
    failed: tuple[str, ...] = ()


@dataclass(frozen=True)
class ErrorLogShape:
    """A kind's sync-error collection (`{id}/{path}`), read by `status --errors`."""

    path: str
    #: The DateTimeOffset member errors are ordered by (newest first).
    recorded_at: str
    #: Members shown per error, in this order.
    columns: tuple[str, ...]
    #: Members that identify a person (a student's UPN, SIS id): hidden whole unless asked.
    personal: tuple[str, ...] = ()
    #: Free-text members: e-mail addresses, UPNs and quoted values in them are hidden.
    free_text: tuple[str, ...] = ()
    #: The service orders the collection itself (`$orderby`), so paging can stop early.
    server_orders: bool = False


@dataclass(frozen=True)
class Permissions:
    """Graph permissions a kind needs: any one of each tuple suffices (`doctor` checks them)."""

    read_delegated: tuple[str, ...] = ()
    read_application: tuple[str, ...] = ()
    write_delegated: tuple[str, ...] = ()
    #: Empty: an app-only identity cannot create, update or delete this kind.
    write_application: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    """A resource kind the reconciler manages."""

    name: str
    #: Collection path relative to the Graph root, e.g. `education/synchronizationProfiles`.
    collection: str
    root: ObjectType
    #: Property that identifies an object when no `id` is pinned.
    natural_key: str
    #: Sub-resource holding the run state (`{id}/profileStatus`), read only when needed.
    run_status_path: str | None = None
    #: Actions that pause and resume the run state (`POST {id}/pause`).
    pause_action: str | None = None
    resume_action: str | None = None
    #: Run-state values (read from the kind's status) that count as paused.
    paused_states: tuple[str, ...] = ()
    #: `state` values meaning the server is still working on the object.
    in_flight_states: tuple[str, ...] = ()
    #: `state` values meaning a delete is under way (never deleted again).
    deleting_states: tuple[str, ...] = ()
    terminal_success_states: tuple[str, ...] = ()
    terminal_failure_states: tuple[str, ...] = ()
    #: Lower-cased spellings of `@odata.type` that are the resource itself (accepted on input).
    self_types: tuple[str, ...] = ()
    #: Run-status members `status` shows (None: the kind has no run status).
    run_status: RunStatusShape | None = None
    #: Sync-error sub-resource `status --errors` lists (None: the kind has none).
    error_log: ErrorLogShape | None = None
    #: `state` values that mean the service failed the object: `status` exits 1.
    failed_states: tuple[str, ...] = ()
    #: Graph permissions for reading and for create/update/delete.
    permissions: Permissions = Permissions()
    #: (object type name, prefix) pairs naming `${PREFIX_<NAME>_SECRET}` placeholders that
    #: `export` writes for write-only members inside that type; the kind name otherwise.
    secret_prefixes: tuple[tuple[str, str], ...] = ()
    #: Dotted paths whose values make an exported object's file name (default: natural key).
    file_name_keys: tuple[str, ...] = ()
    #: (dotted path, value) pairs the service fills in when the member is omitted on create:
    #: `export` leaves a member out when the tenant holds exactly that.
    server_filled: tuple[tuple[str, JSON], ...] = field(default=(), compare=False)
    #: When Microsoft retired this kind's API (ISO date), and what replaces it.
    retired_on: str | None = None
    successor: str | None = None

    def secret_prefix(self, type_name: str) -> str | None:
        return dict(self.secret_prefixes).get(type_name)

    @property
    def name_keys(self) -> tuple[str, ...]:
        return self.file_name_keys or (self.natural_key,)

    #: Field paths naming the outside source an object reads from (a SIS URL, an OAuth client
    #: id). Two objects that agree on every one of them the desired object sets sync the same
    #: source; objects that name no source are compared field by field instead. Paths ending in
    #: `@odata.type` must agree for any look-alike (another provider type is another source)
    #: but never name a source on their own.
    source_identity: tuple[str, ...] = ()
    #: Field paths an admin recognises an object by: what a delete shows of what will be lost
    #: (everything else is server defaults and empty slots).
    key_settings: tuple[str, ...] = ()


ODATA_TYPE = "@odata.type"
