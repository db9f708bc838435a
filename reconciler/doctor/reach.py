"""Can Graph be reached, and does each kind's API answer: doctor's network and API lines."""

from __future__ import annotations

import time

from reconciler import urls
from reconciler.doctor.identity import needed
from reconciler.doctor.model import Check, Outcome
from reconciler.doctor.network import NetworkProbe
from reconciler.doctor.state import Run
from reconciler.errors import GraphError
from reconciler.graph import GraphClient
from reconciler.graph.hints import version_hint
from reconciler.graph.retry import GraphRetry
from reconciler.kinds.model import Kind
from reconciler.retirement import is_retired_answer, retirement_message

#: Doctor's reads: answer in seconds, never wait out plan's retry policy.
API_TIMEOUT = (3.0, 15.0)


def no_retries() -> GraphRetry:
    return GraphRetry(
        total=0,
        connect=0,
        read=0,
        status=0,
        other=0,
        redirect=0,
        raise_on_status=False,
        raise_on_redirect=False,
    )


# -- network and the kinds' APIs ---------------------------------------------------------------
def network_check(result: NetworkProbe, latency_ms: float | None) -> Check:
    where = f"{result.host}:{result.port}"
    via = f"proxy {result.proxy} ({result.proxy_source})" if result.proxy else "no proxy"
    details = [f"proxy: {via}"] if result.proxy else []
    if result.addresses:
        details.append(f"DNS: {', '.join(result.addresses[:4])} in {result.dns_ms or 0:.0f} ms")
    if result.tcp_ms is not None:
        details.append(f"TCP connect: {result.tcp_ms:.0f} ms")
    if result.tls_version:
        details.append(f"TLS: {result.tls_version}, handshake {result.tls_ms or 0:.0f} ms")
    elif result.tcp_ms is not None and result.failed_step != "tls":
        details.append(
            "TLS: checked by the request below" if result.proxy else "TLS: not used (http)"
        )
    if latency_ms is not None:
        details.append(f"latency: one Graph request answered in {latency_ms:.0f} ms")
    if result.failed_step:
        # The Graph client's words (plan says the same): what failed — the fix for that case.
        what, _, fix = (result.error or f"{where} unreachable").partition(" — ")
        return Check(
            "network",
            "network",
            Outcome.FAIL,
            what,
            tuple(details),
            fix=fix or "check --graph-url / EDUSYNC_GRAPH_URL and this machine's network",
        )
    return Check("network", "network", Outcome.OK, f"{where} reachable, {via}", tuple(details))


def _api_check(run: Run, kind: Kind, client: GraphClient) -> tuple[Check, float | None]:
    started = time.perf_counter()
    title = f"API {kind.name}"
    try:
        response = client.fetch(urls.collection_path(kind))
    except GraphError as exc:
        elapsed = (time.perf_counter() - started) * 1000 if exc.status is not None else None
        return _api_failure(run, kind, title, exc), elapsed
    elapsed = (time.perf_counter() - started) * 1000
    body = response.body if isinstance(response.body, dict) else {}
    items = body.get("value")
    count = f", {len(items)} on the first page" if isinstance(items, list) else ""
    return (
        Check(
            f"api.{kind.name}",
            title,
            Outcome.OK,
            f"GET /{urls.collection_path(kind)} answered {response.status} in {elapsed:.0f} ms"
            f"{count}",
        ),
        elapsed,
    )


def _api_failure(run: Run, kind: Kind, title: str, exc: GraphError) -> Check:
    ident = f"api.{kind.name}"
    request = f"[request-id: {exc.request_id or '-'}]"
    used = kind.name in {k.name for k in run.kinds_in_use}
    assert run.settings is not None
    wrong_root = version_hint(run.settings.graph_url)
    if wrong_root and is_retired_answer(exc.status, exc.code):
        # Below a wrong Graph URL every path answers "not found": that is not retirement.
        return Check(
            ident,
            title,
            Outcome.FAIL,
            f"the Graph URL {run.settings.graph_url} is not the Graph beta root, so "
            f"GET /{urls.collection_path(kind)} answers HTTP {exc.status} "
            f"({exc.code or '-'}) {request}",
            fix=wrong_root,
        )
    if kind.retired_on and is_retired_answer(exc.status, exc.code):
        return Check(
            ident,
            title,
            Outcome.FAIL if used else Outcome.WARN,
            retirement_message(kind, exc.status, exc.code),
            (request,),
            fix="classic profiles cannot run any more: describe the sync with the Industry "
            "Data kinds: `edusync-reconcile convert-classic PATH --out DIR` translates them",
        )
    if exc.status == 401:
        return Check(
            ident,
            title,
            Outcome.FAIL,
            f"Graph refused the token: HTTP 401 ({exc.code}) {request}",
            fix="the token is expired, for another tenant or not for Microsoft Graph: get a "
            "fresh one from the credential source above",
        )
    if exc.status == 403:
        wanted = " or ".join(needed(kind, run, write=False)) or "the kind's read permission"
        return Check(
            ident,
            title,
            Outcome.FAIL,
            f"Graph denied reading /{urls.collection_path(kind)}: HTTP 403 ({exc.code}) {request}",
            fix=f"grant {wanted} to this identity (admin consent) and get a new token",
        )
    return Check(
        ident,
        title,
        Outcome.FAIL,
        str(exc),
        fix="see Graph's message; retry later if it is a 5xx or a timeout",
    )


def api_checks(run: Run, network: NetworkProbe) -> float | None:
    assert run.settings is not None
    # A contained kind (flows of a flow set) answers through its container's API.
    kinds = [k for k in run.inp.kinds if k.endpoint.parent is None]
    titles = [(f"api.{k.name}", f"API {k.name}") for k in kinds]
    if network.failed_step or run.provider is None:
        why = "Graph is unreachable (see network)" if network.failed_step else "no token"
        for id_, title in titles:
            run.skip(id_, title, why)
        return None
    client = GraphClient(
        run.settings.graph_url, run.provider, pool_size=1, timeout=API_TIMEOUT, reads=no_retries()
    )
    latency: float | None = None
    try:
        for kind in kinds:
            if kind.endpoint.parent is not None:
                continue  # reached within its container's objects, whose API is checked
            check, elapsed = _api_check(run, kind, client)
            run.add(check)
            latency = latency if latency is not None else elapsed
    finally:
        client.close()
    return latency
