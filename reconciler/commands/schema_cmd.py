"""`schema`: print the JSON Schema for desired-state files."""

from __future__ import annotations

import json

import click

from reconciler.commands.base import EXIT_OK, offline_options, registry_of
from reconciler.schema import desired_state_schema


@click.command(short_help="Print the JSON Schema for desired-state files.")
@offline_options
@click.pass_context
def schema(ctx: click.Context) -> int:
    """Print the JSON Schema (draft 2020-12) for desired-state profile files.

    Point your editor at it for completion and checks while you type:

    \b
    Example:
      edusync-reconcile schema > schema/edusync-profile.schema.json
      # then, first line of a profile file:
      # yaml-language-server: $schema=../schema/edusync-profile.schema.json
    """
    click.echo(json.dumps(desired_state_schema(registry_of(ctx)), indent=2))
    return EXIT_OK
