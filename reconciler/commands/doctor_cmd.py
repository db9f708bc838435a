"""`doctor`: will a run work from here? Settings, credential, token, network, APIs, files."""

from __future__ import annotations

import os

import click

from reconciler.commands.base import (
    EXIT_ERROR,
    EXIT_OK,
    format_option,
    global_options,
    options_of,
    registry_of,
    start_logging,
)
from reconciler.doctor.checks import DoctorInput, run_doctor
from reconciler.doctor.render import RENDERERS


def _flag(ctx: click.Context, key: str) -> str | None:
    """A global option's value only when it was given on the command line (else the source
    is the environment, which doctor reports as such)."""
    opts = options_of(ctx)
    value = opts.get(key)
    return str(value) if value is not None and key in opts.get("_from_flag", set()) else None


@click.command(
    short_help="Check everything a run needs: settings, identity, network, each kind's API."
)
@click.argument("path", default="desired-state", required=False)
@format_option
@click.option(
    "--apply",
    "for_apply",
    is_flag=True,
    default=False,
    help="Also require what apply needs: write permission and every ${NAME} variable.",
)
@global_options
@click.pass_context
def doctor(ctx: click.Context, path: str, output_format: str | None, for_apply: bool) -> int:
    """Answer "will a run work from here?" with one line per check, ✓ (fine), ! (a warning)
    or ✗ (a run will fail), each with its fix:

    \b
    - settings and where each comes from (flag, env, edusync.yaml, default);
    - the credential source chosen, and why the others did not match;
    - a token obtained, and who it is: delegated or app-only, tenant, app, scopes/roles;
    - whether that identity may read (plan) and create/update/delete (apply);
    - Graph reachable: DNS, TCP, TLS, proxy, latency of one request;
    - every kind's API answering (a retired API is named as such);
    - the desired state at PATH loading cleanly, and the ${NAME} variables apply needs.

    Reads only, with short timeouts and no retries. Exits 1 when anything a run needs is
    missing. A plan job's identity may be app-only: that is a warning unless --apply.

    \b
    Examples:
      edusync-reconcile doctor
      edusync-reconcile doctor desired-state --apply
      edusync-reconcile doctor --format json
    """
    start_logging(ctx)
    report = run_doctor(
        DoctorInput(
            path=path,
            env=os.environ,
            kinds=registry_of(ctx),
            cloud_flag=_flag(ctx, "cloud"),
            graph_url_flag=_flag(ctx, "graph_url"),
            credential_flag=_flag(ctx, "credential"),
            for_apply=for_apply,
        )
    )
    click.echo(RENDERERS[(output_format or "text").lower()](report), nl=False)
    return EXIT_OK if report.ready else EXIT_ERROR
