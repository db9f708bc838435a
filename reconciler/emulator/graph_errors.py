"""Graph-shaped failures raised by the tenant and the server (graph-sds-api.md §4.2)."""

from __future__ import annotations


class GraphFault(Exception):
    """A request Graph would refuse: HTTP status, Graph error `code` and a readable message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def bad_request(message: str) -> GraphFault:
    # Model validation failures on create/update are 400 (EDUTOOLS update scenario, §1.4).
    return GraphFault(400, "badRequest", message)


def not_found(what: str) -> GraphFault:
    return GraphFault(404, "ResourceNotFound", f"{what} was not found.")


def conflict(message: str) -> GraphFault:
    return GraphFault(409, "conflict", message)
