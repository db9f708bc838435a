"""Which operation a method and path name (graph-sds-api.md §1 table), or 404 / 405."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote

from reconciler.emulator.graph_errors import GraphFault


class Op(StrEnum):
    LIST = "list"
    CREATE = "create"
    REPLACE_BY_BODY = "replace (id in body)"
    GET = "get"
    REPLACE = "replace"
    PATCH = "patch"
    DELETE = "delete"
    PAUSE = "pause"
    RESUME = "resume"
    RESET = "reset"
    START = "start"
    UPLOAD_URL = "uploadUrl"
    STATUS_GET = "get profileStatus"
    STATUS_CREATE = "create profileStatus"
    STATUS_UPDATE = "update profileStatus"
    ERRORS = "list errors"


#: Operations on profile configuration: delegated permission only (§1 table, "not supported").
PROFILE_WRITES = frozenset({Op.CREATE, Op.REPLACE_BY_BODY, Op.REPLACE, Op.PATCH, Op.DELETE})

#: Graph path segments match case-insensitively.
_ROOT = ("beta", "education", "synchronizationprofiles")
_COLLECTION = {"GET": Op.LIST, "POST": Op.CREATE, "PUT": Op.REPLACE_BY_BODY}
_ITEM = {"GET": Op.GET, "PUT": Op.REPLACE, "PATCH": Op.PATCH, "DELETE": Op.DELETE}
_UPLOAD_URL = {"GET": Op.UPLOAD_URL}
_CHILDREN: dict[str, dict[str, Op]] = {
    "pause": {"POST": Op.PAUSE},
    "resume": {"POST": Op.RESUME},
    "reset": {"POST": Op.RESET},
    "start": {"POST": Op.START},
    # The docs write `…/uploadUrl`, the SDK the function form `…/uploadUrl()` (§1.8).
    "uploadurl": _UPLOAD_URL,
    "uploadurl()": _UPLOAD_URL,
    "profilestatus": {"GET": Op.STATUS_GET, "POST": Op.STATUS_CREATE, "PATCH": Op.STATUS_UPDATE},
    "errors": {"GET": Op.ERRORS},
}


@dataclass(frozen=True)
class Route:
    op: Op
    profile_id: str | None = None


def _segment_not_found(segment: str) -> GraphFault:
    return GraphFault(404, "ResourceNotFound", f"Resource not found for the segment '{segment}'.")


def _pick(methods: dict[str, Op], method: str, profile_id: str | None) -> Route:
    op = methods.get(method)
    if op is None:
        allowed = ", ".join(sorted(methods))
        raise GraphFault(
            405,
            "methodNotAllowed",
            f"The HTTP method '{method}' is not allowed on this resource; allowed: {allowed}.",
            headers={"Allow": allowed},
        )
    return Route(op, profile_id)


def resolve(method: str, path: str) -> Route:
    """The operation for a request path (without its query string)."""
    segments = [unquote(s) for s in path.split("/") if s]
    for index, expected in enumerate(_ROOT):
        if index >= len(segments) or segments[index].lower() != expected:
            raise _segment_not_found(segments[index] if index < len(segments) else "/")
    rest = segments[len(_ROOT) :]
    if not rest:
        return _pick(_COLLECTION, method, None)
    profile_id = rest[0]
    if len(rest) == 1:
        return _pick(_ITEM, method, profile_id)
    child = _CHILDREN.get(rest[1].lower())
    if child is None or len(rest) > 2:
        raise _segment_not_found(rest[1] if child is None else rest[2])
    return _pick(child, method, profile_id)


def refuse_if_retired(path: str) -> None:
    """What Graph answers for a segment it no longer has (the profile API was retired on
    2024-12-31, graph-sds-api.md §5): 400 BadRequest naming the segment, as for any unknown one."""
    segments = [unquote(s).lower() for s in path.split("/") if s]
    if segments[: len(_ROOT)] == list(_ROOT):
        raise GraphFault(
            400,
            "BadRequest",
            "Resource not found for the segment 'synchronizationProfiles'.",
        )
