"""Every Graph URL the reconciler sends is made here, from a kind's `Endpoint`.

Paths are relative to the Graph root (`{graph-url}/…`); the client prefixes them. A bind
(`NAME@odata.bind`) is the one absolute URL, since Graph resolves it itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from reconciler.kinds.model import Kind, RunLog


@dataclass(frozen=True)
class Owner:
    """The object a contained kind's object lives in (a flow set, for its flows)."""

    kind: Kind
    id: str
    owner: Owner | None = None


def _query(params: Mapping[str, str] | None) -> str:
    if not params:
        return ""
    return "?" + "&".join(f"{name}={quote(value, safe=',/')}" for name, value in params.items())


def collection_path(kind: Kind, owner: Owner | None = None) -> str:
    endpoint = kind.endpoint
    if endpoint.parent is None:
        return endpoint.collection
    if owner is None or owner.kind.name != endpoint.parent:
        raise ValueError(f"{kind.name} lives in a {endpoint.parent}: its container is needed")
    return f"{item_path(owner.kind, owner.id, owner.owner)}/{endpoint.collection}"


def item_path(kind: Kind, object_id: str, owner: Owner | None = None) -> str:
    return f"{collection_path(kind, owner)}/{object_id}"


def list_path(kind: Kind, owner: Owner | None = None, *, expand: Sequence[str] = ()) -> str:
    """The collection, with the relationships to read inline (`$expand`)."""
    return collection_path(kind, owner) + _query({"$expand": ",".join(expand)} if expand else None)


def member_path(
    kind: Kind,
    object_id: str,
    member: str,
    owner: Owner | None = None,
    *,
    query: Mapping[str, str] | None = None,
) -> str:
    """A sub-resource or navigation property of one object (`{id}/profileStatus`,
    `{id}/errors?$orderby=…`, `{id}/dataConnector`)."""
    return f"{item_path(kind, object_id, owner)}/{member}{_query(query)}"


def action_path(kind: Kind, object_id: str, action: str, owner: Owner | None = None) -> str:
    """An action on one object (`POST {id}/pause`)."""
    return f"{item_path(kind, object_id, owner)}/{action}"


def bind_url(base_url: str, kind: Kind, object_id: str, owner: Owner | None = None) -> str:
    """What a `NAME@odata.bind` carries: the target object's absolute URL."""
    return f"{base_url.rstrip('/')}/{item_path(kind, object_id, owner)}"


def id_from_location(location: str) -> str | None:
    """The created object's id from a `Location` header: `…/synchronizationProfiles/{id}`
    or `…/synchronizationProfiles('{id}')`."""
    tail = location.rstrip("/").rsplit("/", 1)[-1]
    return tail.split("('")[-1].rstrip("')") or None


def runs_path(log: RunLog, *, top: int | None = None) -> str:
    """The run log's collection (the newest `top` runs, when given)."""
    return log.collection + _query({"$top": str(top)} if top else None)


def run_statistics_path(log: RunLog, run_id: str) -> str:
    return f"{log.collection}/{run_id}/{log.statistics}"


def run_start_path(log: RunLog) -> str:
    return f"{log.collection}/{log.start_action}"
