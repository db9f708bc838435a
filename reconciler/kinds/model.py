"""The vocabulary every resource kind is described in.

A kind is data: its endpoint, natural key and a tree of types whose annotations (read-only,
write-only secret, polymorphic, keyed list, set, server default) drive loading, validation,
normalisation, diffing, JSON Schema and request bodies alike. The engine never names a property
of a particular kind; it only walks these types.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any, Union

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
    YEAR = "year"  # a calendar year, four digits: 2027


#: ECMA-262 patterns for the JSON Schema (the same rules `validate` checks, in plainer words).
FORMAT_PATTERNS: Mapping[Format, str] = {
    Format.GUID: r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$",
    Format.HTTPS_URL: r"^[Hh][Tt][Tt][Pp][Ss]://[^\s/?#@]+([/?#]\S*)?$",
    # labels of letters, digits and inner hyphens, at least two of them
    Format.DOMAIN: r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$",  # noqa: E501
    Format.YEAR: r"^[0-9]{4}$",
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
    #: Text compared case-insensitively: Graph stores it in its own case (reference codes:
    #: `paraProfessional` comes back `paraprofessional`).
    case_insensitive: bool = False
    #: `enum` lists the values known today, not all there are (an open code list such as
    #: `fileFormat`): another value is a warning, not an error, and is sent as written.
    enum_open: bool = False

    @cached_property
    def spellings(self) -> dict[str, str]:
        """The enum's members by their lower-case spelling (the first of two that fold alike
        wins): how `validate` and the normaliser know a member written in another case."""
        return {e.lower(): e for e in reversed(self.enum)}


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
class Namespace:
    """The OData namespace of a polymorphic member's types: sent as `#{name}.{typeName}`;
    `accepted` are other namespaces Graph has written them in (compared in any case)."""

    name: str
    accepted: tuple[str, ...] = ()

    def accepts(self, prefix: str) -> bool:
        """A bare type name, or one in this namespace or an accepted one."""
        return not prefix or prefix.lower() in {
            self.name.lower(),
            *(a.lower() for a in self.accepted),
        }

    def wire(self, type_name: str) -> str:
        return f"#{self.name}.{type_name}"


GRAPH_NAMESPACE = Namespace("microsoft.graph")


@dataclass(frozen=True)
class Polymorphic:
    """An abstract member whose concrete type is named by `@odata.type`."""

    base: str
    variants: tuple[ObjectType, ...]
    namespace: Namespace = GRAPH_NAMESPACE
    _index: Mapping[str, ObjectType] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {v.name: v for v in self.variants})

    def variant(self, canonical: str) -> ObjectType | None:
        return self._index.get(canonical)


@dataclass(frozen=True)
class Opaque:
    """Any JSON; used for server-managed members that are only ever dropped."""


@dataclass(frozen=True)
class Reference:
    """Another object, by its natural key: written `{ref: NATURAL_KEY}` where Graph's
    navigation property is, compared by the target's identity, sent as `NAME@odata.bind`
    with the target's URL, and read back as the kind's `Relation` for it says."""

    #: The target's kind name (a kind of the registry).
    target: str

    #: The one key of the YAML form.
    KEY = "ref"


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


TypeExpr = Union[  # noqa: UP007
    Scalar, SetOf, ListOf, KeyedList, Polymorphic, ObjectType, Opaque, Reference
]


@dataclass(frozen=True)
class RunStatusShape:
    """How a kind reports whether its sync runs well (read by `status`), in the sub-resource
    `RunState.path`."""

    status: str
    last_sync: str | None = None
    last_activity: str | None = None
    error_count: str | None = None
    #: Free text the service writes about the current stage (masked by pattern, may name people).
    message: str | None = None
    #: Run-status values that need an admin's attention: `status` exits 1.
    failed: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunState:
    """Whether an object's sync runs or is paused: read from a sub-resource (`{id}/{path}`),
    changed only through actions (`POST {id}/{pause_action}`)."""

    path: str
    shape: RunStatusShape
    pause_action: str | None = None
    resume_action: str | None = None
    #: Run-status values that count as paused.
    paused: tuple[str, ...] = ()

    def is_paused(self, status: str | None) -> bool:
        return status in self.paused


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
    """Graph permissions a kind needs: any one of each tuple suffices (`doctor` checks them;
    `plan` and `apply` name them when an identity cannot make a change)."""

    read_delegated: tuple[str, ...] = ()
    read_application: tuple[str, ...] = ()
    write_delegated: tuple[str, ...] = ()
    #: Empty: an app-only identity cannot create, update or delete this kind.
    write_application: tuple[str, ...] = ()
    #: Actions (`create`, `update`, `delete`, `pause`, `resume`; a replace is a delete and a
    #: create) an app-only identity may carry out; every other one needs a delegated sign-in.
    app_only_actions: tuple[str, ...] = ()

    def app_only_may(self, action: str) -> bool:
        if action == "replace":
            return self.app_only_may("delete") and self.app_only_may("create")
        return action in self.app_only_actions

    @property
    def delegated_names(self) -> str:
        """What a delegated sign-in needs, for messages: `EduAdministration.ReadWrite`."""
        return " or ".join(self.write_delegated) or "a delegated sign-in"


def _key_part(body: Any, segments: tuple[str, ...], is_type: bool) -> str:
    value: Any = body
    for segment in segments:
        value = value.get(segment, _MISSING) if isinstance(value, Mapping) else _MISSING
    if isinstance(value, Mapping) and Reference.KEY in value:
        value = value[Reference.KEY]
    if is_type and isinstance(value, str):
        value = value.strip().lstrip("#").rpartition(".")[2]
    return "" if value is _MISSING or value is None else str(value)


def _segments(path: str) -> list[str]:
    """A dotted path's members; `@odata.type` is one member, not two."""
    head = path.removesuffix(ODATA_TYPE).rstrip(".")
    tail = [ODATA_TYPE] if path.endswith(ODATA_TYPE) else []
    return [*(head.split(".") if head else []), *tail]


@dataclass(frozen=True)
class NaturalKey:
    """What identifies an object when no `id` is pinned: one member or several (dotted paths,
    `year.code`), compared exactly or case-insensitively. Several make one text, the values
    joined by `/` (`RefGradeLevel/PK`), which is also how a `{ref: …}` names such an object."""

    paths: tuple[str, ...]
    case_insensitive: bool = False

    SEPARATOR = "/"

    def text(self, body: Mapping[str, Any]) -> str:
        """The key as text ("" when the object lacks it). A reference member counts as the
        key it refers by (`{ref: Contoso}` -> `Contoso`), a type as its bare name (any
        spelling of `#microsoft.graph.industryData.userProvisioningFlow` -> its last part)."""
        parts = [_key_part(body, segments, is_type) for segments, is_type in self._walks]
        if len(parts) == 1:
            return parts[0]
        return self.SEPARATOR.join(parts) if any(parts) else ""

    @cached_property
    def _walks(self) -> tuple[tuple[tuple[str, ...], bool], ...]:
        # Each path's members, split once: every object read and matched asks for its key.
        return tuple((tuple(_segments(path)), path.endswith(ODATA_TYPE)) for path in self.paths)

    def fold(self, text: str) -> str:
        """The form two keys are compared in."""
        return text.casefold() if self.case_insensitive else text

    @property
    def label(self) -> str:
        """`displayName`, or `referenceType + code`: what the key is made of, for messages."""
        return " + ".join(self.paths)


@dataclass(frozen=True)
class Endpoint:
    """Where a kind's objects live. `collection` is relative to the Graph root, or for a kind
    contained in another (`provisioningFlows` of a flow set) relative to the container's item
    URL; `parent` names the container kind and `parent_ref` the Reference member of a desired
    object that names its container. Every URL is made from this in `reconciler.urls`."""

    collection: str
    parent: str | None = None
    parent_ref: str | None = None


@dataclass(frozen=True)
class AsyncStates:
    """A kind whose writes the service finishes later, reported in a state member: what apply
    waits for and what plan warns about. A kind without them settles when Graph answers."""

    property: str
    #: The service is still working on the object.
    in_flight: tuple[str, ...] = ()
    #: A delete is under way (never deleted again, not exported).
    deleting: tuple[str, ...] = ()
    #: The write is done.
    succeeded: tuple[str, ...] = ()
    #: The service failed the object: apply fails, `status` exits 1.
    failed: tuple[str, ...] = ()

    def of(self, body: Mapping[str, Any]) -> str | None:
        value = body.get(self.property)
        return None if value is None else str(value)


@dataclass(frozen=True)
class SoftDelete:
    """Graph's DELETE only marks the object (`isDisabled: true`) and it stays listed: an
    object so marked is as good as deleted (never deleted again, never unmanaged)."""

    property: str
    value: JSON

    def marks(self, body: Mapping[str, Any]) -> bool:
        return bool(body.get(self.property) == self.value)


@dataclass(frozen=True)
class OneActivePer:
    """The service allows one active object per value of `member` (SDS: one active inbound
    flow per academic year) and refuses a second with 409: `validate` says so first. An object
    is active until the date-time in `until`; for good while that is unset."""

    member: str
    until: str
    #: The rule in the admin's words, for messages.
    rule: str

    def member_text(self, body: Mapping[str, Any]) -> str | None:
        """The member's value as text (a reference: its target's key); None: not there."""
        value = body.get(self.member)
        if isinstance(value, Mapping):
            value = value.get(Reference.KEY)
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return str(value)
        return None

    def surely_active(self, body: Mapping[str, Any], now: dt.datetime) -> bool:
        """Active for good (`until` unset), or until a date-time still ahead of `now`. A value
        that is not a date-time (from a variable, or wrong: reported elsewhere) is not judged."""
        if body.get(self.until) is None:
            return True
        end = self._end(body)
        return end is not None and end > now

    def surely_ended(self, body: Mapping[str, Any], now: dt.datetime) -> bool:
        """Ended at a date-time not after `now` (what cannot be judged is not ended)."""
        end = self._end(body)
        return end is not None and end <= now

    def _end(self, body: Mapping[str, Any]) -> dt.datetime | None:
        until = body.get(self.until)
        if not isinstance(until, str):
            return None
        try:
            instant = dt.datetime.fromisoformat(until)
        except ValueError:
            return None
        return instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)


class UpdateVerb(StrEnum):
    #: `PUT …/{id}` with the whole object, or `PATCH` with the changed members: the admin's
    #: `--update-method` decides (classic profiles).
    PUT_OR_PATCH = "put-or-patch"
    #: `PATCH …/{id}` with the changed members (and `Writes.patch_always`).
    PATCH = "patch"


@dataclass(frozen=True)
class Writes:
    """How a kind's objects are written."""

    update: UpdateVerb = UpdateVerb.PUT_OR_PATCH
    #: Members every PATCH carries, changed or not (the docs mark them Required on update).
    patch_always: tuple[str, ...] = ()
    #: Graph answers a write with 204 and no body: apply reads the object back to confirm it.
    reread: bool = False
    #: Field paths that can only be set when the object is created (`dataProvider.@odata.type`,
    #: `dataDomain`, a create-only `{ref: …}`): a change means delete and create anew.
    create_only: tuple[str, ...] = ()
    #: What a replacement loses, for the plan's REPLACE warning.
    replace_loses: str = "its history"


class ReadVia(StrEnum):
    """How the tenant side of a reference is read (Graph does not echo binds)."""

    #: `GET {item}/{nav}` per object: the target object, or 404 for none.
    NAVIGATION = "navigation"
    #: `$expand={nav}` on the list: the target object inline in each listed object.
    EXPAND = "expand"
    #: The listed object already holds the target object at the path.
    INLINE = "inline"
    #: The object's own GET (not the list) holds the target object at the path (a user
    #: provisioning flow's `creationOptions.configurations[].roleGroup`).
    ITEM = "item"


@dataclass(frozen=True)
class Relation:
    """How one Reference member of a kind is read back from the tenant. `path` is its dotted
    field path, through list items (`userMatchingSettings.roleGroup`: each item's)."""

    path: str
    via: ReadVia
    #: The navigation property or `$expand` expression (default: `path` with `/` for `.`).
    nav: str = ""

    @property
    def navigation(self) -> str:
        return self.nav or self.path.replace(".", "/")


@dataclass(frozen=True)
class RunLog:
    """Sync runs the service keeps for a whole family of kinds (Industry Data `runs`): read by
    `status` and `doctor`; `apply --start-run` starts one on demand, within the service's limit
    of `start_limit` starts in `window_hours`."""

    #: The runs collection, relative to the Graph root.
    collection: str
    #: The function on one run that counts its errors and warnings (`{run}/{statistics}`).
    statistics: str
    #: The action on the collection that starts a run (`POST {collection}/{start_action}`).
    start_action: str
    start_limit: int
    window_hours: int
    #: Run-status values: still going; failed outright; finished with errors / warnings.
    running: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    with_errors: tuple[str, ...] = ()
    with_warnings: tuple[str, ...] = ()
    #: What an identity needs to read runs and to start one.
    read_permission: str = ""
    start_permission: str = ""


@dataclass(frozen=True)
class Contained:
    """Objects of another kind written inside this kind's documents (a flow set's
    `provisioningFlows:` list): each item is an object of `kind`, whose `Endpoint.parent_ref`
    names the document's object. The member is checked where it is written, but it is never
    compared or sent as part of the container: its items are planned as objects of their own."""

    member: str
    kind: str


@dataclass(frozen=True)
class ServiceRows:
    """A collection that holds the service's own rows beside the tenant's (reference values):
    a row whose `property` is not `tenant_value` belongs to the service. Declared, it is
    overridden (updated, never created or deleted); not declared, it is left as it is (never
    unmanaged, never pruned). Only `creatable` values of `create_field` may be created."""

    property: str
    tenant_value: JSON
    create_field: str = ""
    creatable: tuple[str, ...] = ()
    #: A DateTimeOffset member the service leaves at DateTime.MinValue on its own rows until
    #: the tenant changes one: a row with a real value there is overridden (`export` writes
    #: it), as is one whose member differs from its declared default.
    modified: str = ""

    def is_service_row(self, body: Mapping[str, Any]) -> bool:
        return body.get(self.property) not in (None, self.tenant_value)


@dataclass(frozen=True)
class Kind:
    """A resource kind the reconciler manages."""

    name: str
    endpoint: Endpoint
    #: The object's type; polymorphic for a collection of several concrete types.
    root: ObjectType | Polymorphic
    #: What identifies an object when no `id` is pinned.
    key: NaturalKey
    #: What admins call one object ("profile"), in messages.
    noun: str = "object"
    #: Server-side processing after a write (None: settled when Graph answers).
    states: AsyncStates | None = None
    #: Run state (pause/resume) and its status sub-resource (None: the kind has none).
    run_state: RunState | None = None
    #: Sync-error sub-resource `status --errors` lists (None: the kind has none).
    error_log: ErrorLogShape | None = None
    writes: Writes = Writes()
    #: Graph permissions for reading and for each write.
    permissions: Permissions = Permissions()
    #: A DELETE only marks the object (None: it removes it).
    soft_delete: SoftDelete | None = None
    #: At most one active object per value of a member (None: no such rule).
    one_active_per: OneActivePer | None = None
    #: How each Reference member is read back from the tenant.
    relations: tuple[Relation, ...] = ()
    #: False for a kind the service provides (role groups): referenced, never declared,
    #: planned or listed as unmanaged.
    managed: bool = True
    #: Natural keys of objects the service always has, known without reading the tenant (a
    #: `{ref: staff}` is valid offline).
    system_objects: tuple[str, ...] = ()
    #: Members whose items are objects of another kind (a flow set's `provisioningFlows`).
    contained: tuple[Contained, ...] = ()
    #: The service's own rows in this kind's collection (None: every object is the tenant's).
    service_rows: ServiceRows | None = None
    #: The sync runs this kind's objects take part in (None: the kind has no run log).
    run_log: RunLog | None = None
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
    #: Field paths naming the outside source an object reads from (a SIS URL, an OAuth client
    #: id). Two objects that agree on every one of them the desired object sets sync the same
    #: source; objects that name no source are compared field by field instead. Paths ending in
    #: `@odata.type` must agree for any look-alike (another provider type is another source)
    #: but never name a source on their own.
    source_identity: tuple[str, ...] = ()
    #: Field paths an admin recognises an object by: what a delete shows of what will be lost
    #: (everything else is server defaults and empty slots).
    key_settings: tuple[str, ...] = ()

    def secret_prefix(self, type_name: str) -> str | None:
        return dict(self.secret_prefixes).get(type_name)

    @property
    def name_keys(self) -> tuple[str, ...]:
        return self.file_name_keys or self.key.paths

    def services_own(self, body: Mapping[str, Any]) -> bool:
        """An object the service provides (a role group, one of its own reference rows): never
        unmanaged, pruned, exported or listed by `status --all`; git only refers to it (or,
        for a row, overrides it)."""
        if not self.managed:
            return True
        return self.service_rows is not None and self.service_rows.is_service_row(body)

    def key_of(self, body: Mapping[str, Any]) -> str:
        """The object's natural key as text."""
        return self.key.text(body)

    @property
    def renames_in_place(self) -> bool:
        """Whether an object can take another natural key by an update (a `displayName`); not
        when every member of the key is create-only (a year's code, a flow's set and type)."""
        return any(_segments(path)[0] not in self.writes.create_only for path in self.key.paths)

    def is_leaving(self, body: Mapping[str, Any]) -> bool:
        """Deleted already, or being deleted: never deleted again, never exported."""
        if self.soft_delete is not None and self.soft_delete.marks(body):
            return True
        return self.states is not None and self.states.of(body) in self.states.deleting


ODATA_TYPE = "@odata.type"
