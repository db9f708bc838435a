"""`status`: state, run status, last sync and errors per managed object (reads only)."""

from __future__ import annotations

import datetime as dt

import click
from click.core import ParameterSource

from reconciler.commands.base import (
    EXIT_ERROR,
    EXIT_OK,
    format_option,
    global_options,
    parallelism_option,
    registry_of,
    start_logging,
)
from reconciler.commands.common import describe_identity, token_provider
from reconciler.commands.loading import echo_err, load_checked, settings_for
from reconciler.graph import GraphClient
from reconciler.status.read import StatusOptions, read_status
from reconciler.status.render import RENDERERS


@click.command(short_help="State, sync status, last sync and errors per object (reads only).")
@click.argument("path", default="desired-state", required=False)
@format_option
@click.option(
    "--all", "include_unmanaged", is_flag=True, default=False, help="Also list unmanaged objects."
)
@click.option(
    "--errors", "with_errors", is_flag=True, default=False, help="List the latest sync errors."
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Sync errors listed per object (newest first); only with --errors.",
)
@click.option(
    "--show-pii",
    is_flag=True,
    default=False,
    help="Show personal data in errors (UPNs, names, ids); hidden by default for CI logs.",
)
@parallelism_option
@global_options
@click.pass_context
def status(
    ctx: click.Context,
    path: str,
    output_format: str | None,
    include_unmanaged: bool,
    with_errors: bool,
    limit: int,
    show_pii: bool,
    parallelism: int | None,
) -> int:
    """Show how each sync is doing: for every object in PATH that the tenant holds (matched
    as `plan` matches them), its state, run status, last sync, last activity and error count;
    with --errors also its latest sync errors. Reads only.

    Personal data in errors (a student's UPN or SIS id, e-mail addresses, quoted names) is
    hidden unless --show-pii: this output lands in CI logs.

    Industry Data kinds also show the tenant's latest sync runs (status, error and warning
    counts) and how many on-demand starts the 5-per-12-hours limit leaves.

    Exits 1 when a managed object is failed (state provisioningFailed or deletionFailed, run
    status error, validationError or quarantined), the last sync run failed or completed with
    errors, or anything could not be read, so a schedule can alert; 0 otherwise.

    \b
    Examples:
      edusync-reconcile status
      edusync-reconcile status desired-state --errors --limit 5
      edusync-reconcile status --all --format json
      edusync-reconcile status --format markdown >> "$GITHUB_STEP_SUMMARY"
    """
    start_logging(ctx)
    if not with_errors and ctx.get_parameter_source("limit") is ParameterSource.COMMANDLINE:
        # Ignoring it would hide a typo'd or forgotten --errors in a scheduled job.
        raise click.UsageError(
            "--limit sets how many sync errors --errors lists per object; add --errors "
            "(status --errors --limit N)"
        )
    state = load_checked(ctx, path)
    settings = settings_for(ctx, state, parallelism=parallelism)
    tokens = token_provider(settings)
    echo_err(describe_identity(tokens.identity, settings))
    options = StatusOptions(
        include_unmanaged=include_unmanaged,
        error_limit=limit if with_errors else None,
        show_pii=show_pii,
        parallelism=settings.parallelism,
    )
    client = GraphClient(settings.graph_url, tokens, pool_size=settings.parallelism)
    try:
        report = read_status(
            client,
            state.objects,
            options,
            registry=registry_of(ctx),
            now=dt.datetime.now(dt.UTC),
        )
    finally:
        client.close()
    click.echo(RENDERERS[(output_format or "text").lower()](report), nl=False)
    return EXIT_ERROR if report.needs_attention else EXIT_OK
