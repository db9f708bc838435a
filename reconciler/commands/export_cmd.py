"""`export`: write the tenant's objects as desired-state YAML (reads Graph only)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from reconciler.commands.base import (
    EXIT_ERROR,
    EXIT_OK,
    global_options,
    registry_of,
    start_logging,
)
from reconciler.commands.common import describe_identity, token_provider
from reconciler.commands.loading import echo_err, settings_for
from reconciler.desired import DesiredState, load_desired
from reconciler.desired.loader import SETTINGS_FILE
from reconciler.desired.problems import Severity
from reconciler.engine.targets import describe, unmatched_targets
from reconciler.errors import ConfigError
from reconciler.export.tree import Exporter, ExportResult, Outcome, shown_prefix
from reconciler.graph import GraphClient
from reconciler.jsontypes import JSONObject
from reconciler.kinds.registry import Registry
from reconciler.retirement import list_collection

_MARKS = {Outcome.NEW: "+", Outcome.UPDATED: "~", Outcome.UNCHANGED: "="}


def _settings_source(path: str, registry: Registry) -> DesiredState | None:
    """The edusync.yaml beside the files (tenant, cloud, graphUrl) when there is one; a
    broken one stops the export rather than reading the wrong tenant."""
    settings_file = Path(path) / SETTINGS_FILE
    if not settings_file.is_file():
        return None
    state = load_desired(path, registry=registry)
    problems = [
        p for p in state.problems if p.file.endswith(SETTINGS_FILE) and p.severity is Severity.ERROR
    ]
    for problem in problems:
        echo_err(str(problem))
    if problems:
        raise ConfigError(f"{settings_file} has {len(problems)} problem(s); nothing was read")
    return state


def check_out_dir(target_dir: Path, named: str) -> None:
    """Refuse a directory export cannot write before the tenant is read: a file in its place
    or above it, or a nearest existing directory that is not writable (missing ones are made)."""
    if target_dir.exists() and not target_dir.is_dir():
        raise ConfigError(f"{named} is a file; export writes a directory of YAML files")
    existing = next((p for p in (target_dir, *target_dir.parents) if p.exists()), None)
    if existing is None:  # nothing of the path exists, not even its root: let the write say why
        return
    if not existing.is_dir():
        raise ConfigError(
            f"{named}: {existing} is a file, not a directory; choose another directory"
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError(f"{named}: the directory {existing} is not writable")


def read_all_kinds(client: GraphClient, registry: Registry) -> dict[str, list[JSONObject]]:
    """Every managed kind's collection, each reference named by its target's natural key (so
    it is written `{ref: KEY}`); a failed read stops the export (never a partial tree)."""
    from reconciler import relations
    from reconciler.engine.model import Actual
    from reconciler.engine.references import Identities
    from reconciler.tenant import list_kind

    read: dict[str, list[Actual]] = {}
    for kind in sorted(registry, key=lambda k: k.endpoint.parent is not None):
        parent = registry[kind.endpoint.parent] if kind.endpoint.parent else None
        if parent is None:
            bodies = list_collection(client, kind)
        else:  # listed within each of its containers (read first)
            bodies = list_kind(client, kind, parent, read.get(parent.name, []))
        relations.read_relations(client, kind, bodies, parent=parent)
        read[kind.name] = [Actual(body) for body in bodies]
    identities = Identities(registry, read, (), ())
    return {
        kind.name: [identities.resolve(kind, actual).body for actual in read[kind.name]]
        for kind in registry
        if kind.managed  # the service's own objects are referred to, never exported
    }


def _check_targets(
    targets: tuple[str, ...],
    tenant: dict[str, list[JSONObject]],
    target_dir: Path,
    registry: Registry,
) -> None:
    """A --target naming nothing in the tenant or in the directory is a usage error, with
    plan's did-you-mean; checked before anything is written."""
    names = {registry[k].key_of(b) for k, bodies in tenant.items() for b in bodies}
    if target_dir.is_dir():
        names |= {o.name for o in load_desired(str(target_dir), registry=registry).objects}
    misses = unmatched_targets(targets, names)
    if misses:
        raise click.UsageError("\n".join(describe(m) for m in misses))


def report(result: ExportResult, out_dir: str) -> None:
    """Files on stdout (the result); what to do next on stderr."""
    shown = shown_prefix(Path(out_dir))
    for obj in sorted(result.objects, key=lambda o: o.file):
        click.echo(f"{_MARKS[obj.outcome]} {shown}{obj.file}  {obj.name} ({obj.outcome.value})")
    counts = {o: sum(1 for x in result.objects if x.outcome is o) for o in Outcome}
    echo_err(
        f"Exported {len(result.objects)} object(s) to {out_dir}: {counts[Outcome.NEW]} new, "
        f"{counts[Outcome.UPDATED]} updated, {counts[Outcome.UNCHANGED]} unchanged."
    )
    for note in result.notes:
        echo_err(f"warning: {note}")
    if result.gone:
        echo_err("Not in the tenant any more (files left as they are; delete them if intended):")
        for gone in result.gone:
            echo_err(f"  {gone}")
    if result.variables:
        echo_err(
            "Set these environment variables (CI secrets) before `apply`; "
            "`validate` and `plan` do not need them:"
        )
        width = max(len(v.name) for v in result.variables)
        for variable in sorted(result.variables, key=lambda v: (v.name, v.object_name)):
            state = "set" if os.environ.get(variable.name) else "not set"
            echo_err(
                f"  {variable.name:<{width}}  {variable.object_name}: {variable.field} ({state})"
            )


@click.command(short_help="Write the tenant's objects as desired-state YAML (reads only).")
@click.argument("path", default="desired-state", required=False)
@click.option(
    "--out",
    "out_dir",
    metavar="DIR",
    default=None,
    help="Write here instead of PATH (PATH's edusync.yaml still picks the tenant).",
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="NAME",
    help="Export only the object with this name (displayName); repeatable.",
)
@global_options
@click.pass_context
def export(ctx: click.Context, path: str, out_dir: str | None, targets: tuple[str, ...]) -> int:
    """Write every object of the tenant (every kind) as desired-state YAML, one file per
    object (a set's flows inside its document), named after its natural key, with its `id`
    pinned. `plan` on the result shows no changes.

    Files hold only what differs from the server's defaults. Write-only secrets (client
    secrets) are never returned by Graph: they are written as ${NAME} placeholders and the
    variables to set are listed at the end. Nothing secret is ever written.

    Exporting into a directory that already holds desired state updates the files in place:
    comments, key order and file names are kept, ${NAME} values are kept, and files whose
    object is no longer in the tenant are reported, never deleted. Reads only.

    \b
    Examples:
      edusync-reconcile export                      # into ./desired-state
      edusync-reconcile export --out adopted/
      edusync-reconcile export desired-state --target "Contoso PowerSchool 2025-26"
    """
    start_logging(ctx)
    target_dir = Path(out_dir or path)
    registry = registry_of(ctx)
    check_out_dir(target_dir, f"--out {out_dir}" if out_dir is not None else str(target_dir))
    state = _settings_source(path, registry) or (
        _settings_source(str(target_dir), registry) if out_dir is not None else None
    )
    settings = settings_for(ctx, state)
    tokens = token_provider(settings)
    echo_err(describe_identity(tokens.identity, settings))
    client = GraphClient(settings.graph_url, tokens, pool_size=settings.parallelism)
    try:
        tenant = read_all_kinds(client, registry)
    finally:
        client.close()
    if targets:
        _check_targets(targets, tenant, target_dir, registry)
    exporter = Exporter(
        target_dir,
        tenant,
        registry=registry,
        targets=targets,
        ignore_changes=settings.ignore_changes,
    )
    result = exporter.run()
    report(result, str(target_dir))
    missing = set(targets) - {o.name for o in result.objects}
    if missing:
        echo_err(f"error: --target names nothing in the tenant: {', '.join(sorted(missing))}")
        return EXIT_ERROR
    return EXIT_OK
