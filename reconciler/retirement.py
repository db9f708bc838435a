"""Telling "Microsoft retired this API" apart from other Graph failures.

The classic profile API stopped returning data on 2024-12-31 (graph-sds-api.md §5); what a
live tenant answers now is not documented. A retired Graph segment answers like an unknown one:
`400 BadRequest` ("Resource not found for the segment …") or a 404/410. Our probe is a plain
GET of the collection with no query options and no body, so a 400 there has nothing else to be
about. 401 and 403 are never retirement: they are token and permission problems.
"""

from __future__ import annotations

from reconciler import relations
from reconciler.errors import GraphError, ReconcileError
from reconciler.graph import GraphClient
from reconciler.graph.hints import version_hint
from reconciler.jsontypes import JSONObject
from reconciler.kinds.model import Kind

GONE_STATUSES = frozenset({404, 410})
#: Codes Graph gives an unknown (or removed) resource, compared lower-cased.
NOT_FOUND_CODES = frozenset(
    {"badrequest", "resourcenotfound", "request_resourcenotfound", "notfound", "segmentnotfound"}
)


def is_retired_answer(status: int | None, code: str | None) -> bool:
    """Whether a failed read of a kind's collection looks like the API is gone."""
    if status in GONE_STATUSES:
        return True
    return status == 400 and (code or "").lower() in NOT_FOUND_CODES


def retirement_message(kind: Kind, status: int | None, code: str | None) -> str:
    return (
        f"Microsoft retired /{kind.endpoint.collection} on {kind.retired_on}; this tenant answers "
        f"HTTP {status} ({code or '-'}); manage new SDS with {kind.successor or 'its successor'}"
    )


def retirement_note(kind: Kind, error: GraphError, base_url: str) -> str | None:
    """The plain-language reason when `error` is a retired kind answering as such. Only a
    right beta root can tell: below a wrong Graph URL every path answers "not found"."""
    if kind.retired_on is None or not is_retired_answer(error.status, error.code):
        return None
    if version_hint(base_url) is not None:
        return None
    return retirement_message(kind, error.status, error.code)


def list_collection(client: GraphClient, kind: Kind) -> list[JSONObject]:
    """Every object of a kind; a failed read raises (never an empty tenant), and a retired
    API is named as such in front of Graph's own answer."""
    try:
        return client.list(relations.list_path(kind))
    except GraphError as exc:
        error = exc.with_subject(f"reading {kind.name} list")
        note = retirement_note(kind, exc, client.base_url)
        raise (ReconcileError(f"{note}. {error}") if note else error) from None
