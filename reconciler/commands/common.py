"""What plan, apply and friends share: loading input, settings, the Graph client and the plan."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from reconciler.collector import collector_paused
from reconciler.commands.base import describe_os_error
from reconciler.commands.loading import echo_err
from reconciler.desired import DesiredState
from reconciler.desired.secrets import register_referenced
from reconciler.engine.early import EarlyComparisons
from reconciler.engine.model import Change, Plan, PlanOptions
from reconciler.engine.plan import build_plan
from reconciler.engine.references import kinds_referenced
from reconciler.errors import ReconcileError
from reconciler.graph import GraphClient
from reconciler.identity import Identity, Permission, TokenProvider
from reconciler.kinds.model import Kind
from reconciler.kinds.registry import Registry
from reconciler.operations import variables_needed
from reconciler.settings import Settings, UpdateMethod
from reconciler.tenant import read_tenant


def token_provider(settings: Settings, env: Mapping[str, str] | None = None) -> TokenProvider:
    from reconciler.auth import token_provider_from_env

    return token_provider_from_env(
        env if env is not None else os.environ,
        settings.cloud,
        tenant=settings.tenant,
        credential=settings.credential,
    )


@dataclass(frozen=True)
class PlanRun:
    plan: Plan
    state: DesiredState
    identity: Identity


def needs_delegated_note(change: Change) -> str:
    return (
        f"needs delegated sign-in ({change.kind.permissions.delegated_names}): the current "
        "identity is app-only"
    )


def identity_notes(plan: Plan, identity: Identity) -> Plan:
    """Mark configuration changes an app-only identity cannot make."""
    if identity.permission is not Permission.APP_ONLY:
        return plan
    from dataclasses import replace

    changes = tuple(
        replace(c, warnings=(*c.warnings, needs_delegated_note(c))) if c.needs_delegated else c
        for c in plan.changes
    )
    return replace(plan, changes=changes)


def missing_variable_warnings(
    plan: Plan, env: Mapping[str, str], update_method: UpdateMethod
) -> None:
    """Warn (plan runs without secrets) about variables apply will need for these changes."""
    from reconciler.desired.unset import EMPTY, unusable

    for change in plan.pending:
        found = unusable(variables_needed(change, update_method), env)
        desired = change.after
        if not found or desired is None:
            continue
        for line, column, names in desired.variable_places(found):
            empty = [n for n in names if found[n] == EMPTY]
            what = (
                f"environment variable(s) {', '.join(empty)}, which are set but empty, to "
                "have a value"
                if empty
                else f"environment variable(s) {', '.join(names)}"
            )
            echo_err(
                f"{desired.file}:{line}:{column}: warning: apply will need {what} for "
                f"{change.name!r}"
            )


def compute_plan(
    client: GraphClient,
    state: DesiredState,
    settings: Settings,
    *,
    registry: Registry,
    prune: bool,
    targets: tuple[str, ...],
    identity: Identity,
    target_origin: str = "--target",
    show_progress: bool = True,
) -> Plan:
    """Read the tenant and decide the plan. A --target that names nothing is a usage error
    (exit 64), raised once the tenant's names are known."""
    for obj in state.objects:
        register_referenced(obj, os.environ)
    kinds = {o.kind.name: o.kind for o in state.objects} or {
        registry.default.name: registry.default
    }
    # Referenced kinds too: a reference is sent, and compared, by its target's tenant id;
    # and the containers of contained kinds, which they are listed in.
    kinds |= {k.name: k for k in kinds_referenced(state.objects, registry)}
    kinds |= {
        k.endpoint.parent: registry[k.endpoint.parent]
        for k in list(kinds.values())
        if k.endpoint.parent
    }
    managed = [o for o in state.objects if o.lifecycle.paused is not None]
    from reconciler.commands.progress import StatusLine

    # Each page is compared while the next is on its way (the plan then finds it done).
    early = EarlyComparisons(
        [o for o in state.objects if not targets or o.name in targets], settings.ignore_changes
    )

    # The pages read live as long as the plan: see collector.py.
    with StatusLine(enabled=None if show_progress else False) as status, collector_paused():
        tenant = read_tenant(
            client,
            kinds.values(),
            status_for={(o.kind.name, o.pinned_id) for o in managed if o.pinned_id},
            status_by_name={(o.kind.name, o.name) for o in managed if not o.pinned_id},
            parallelism=settings.parallelism,
            progress=status,
            as_read=early.read if early.wanted else None,
        )
    plan = build_plan(
        state.objects,
        tenant,
        PlanOptions(prune=prune, targets=targets, ignore_changes=settings.ignore_changes),
        registry=registry,
        sources=state.sources,
        early=early,
        graph_url=settings.graph_url,
        desired_path=state.root,
        desired_digest=state.digest,
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    )
    check_targets(plan, target_origin)
    return identity_notes(plan, identity)


def check_targets(plan: Plan, origin: str = "--target") -> None:
    from reconciler.engine.targets import describe

    if plan.target_misses:
        raise click.UsageError("\n".join(describe(m, origin) for m in plan.target_misses))


def identity_caveats(identity: Identity, kinds: Sequence[Kind] = ()) -> list[str]:
    """What the token cannot do after all (expired, a scope missing): doctor's judgement."""
    from reconciler.auth.verdict import caveats
    from reconciler.kinds import REGISTRY

    claims = dict(identity.claims) if identity.claims is not None else None
    return caveats(claims, identity.permission, kinds or [REGISTRY.default])


def describe_identity(identity: Identity, settings: Settings, kinds: Sequence[Kind] = ()) -> str:
    """The sign-in line: which Graph, which credential, and what it may do, in plain words —
    never more than the token's claims allow."""
    who = f" as {identity.principal}" if identity.principal else ""
    found = identity_caveats(identity, kinds)
    may = identity.permission.plain.split(":", 1)[0] + ", but " if found else ""
    what = f"{may}{'; '.join(found)}" if found else identity.permission.plain
    return f"Graph {settings.graph_url}, using {identity.credential}{who} ({what})"


def announce_identity(
    identity: Identity, settings: Settings, state: DesiredState, *, quiet: bool
) -> None:
    """The sign-in line on stderr; with --quiet only what is wrong with it, as warnings."""
    kinds = list({o.kind.name: o.kind for o in state.objects}.values())
    if not quiet:
        echo_err(describe_identity(identity, settings, kinds))
        return
    for caveat in identity_caveats(identity, kinds):
        echo_err(f"warning: {caveat}")


def save_plan(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ReconcileError(describe_os_error(exc, "cannot save the plan")) from None
