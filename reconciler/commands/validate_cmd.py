"""`validate`: parse and check the desired state; every problem at once; never touches Graph."""

from __future__ import annotations

import click

from reconciler.commands.actions_run import reports_to_actions
from reconciler.commands.base import format_option, offline_options, registry_of, start_logging


@click.command(short_help="Check the desired-state files; never contacts Graph.")
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@format_option
@offline_options
@click.pass_context
@reports_to_actions
def validate(ctx: click.Context, paths: tuple[str, ...], output_format: str | None) -> int:
    """Parse and schema-check every profile under PATH (default ./desired-state: its *.yaml,
    *.yml and *.json files) and report every problem at once as FILE:LINE:COL: severity:
    message, in plain words with the likely fix. Sends nothing to Graph.

    Several files or directories may be given (pre-commit passes the changed files): each file
    is checked within its desired-state tree (the directory holding edusync.yaml, or named
    desired-state), so duplicates are found across that tree's files.

    Missing ${NAME} variables are only warnings here, so pull-request checks can run without
    secrets.

    \b
    Examples:
      edusync-reconcile validate
      edusync-reconcile validate desired-state --format json
      edusync-reconcile validate desired-state/powerschool.yaml desired-state/oneroster.yaml
    """
    start_logging(ctx)
    from reconciler.commands.validate_run import run_validate

    return run_validate(paths, output_format, registry_of(ctx))
