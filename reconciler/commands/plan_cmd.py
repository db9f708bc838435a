"""`plan`: read the tenant, compare, print what would change.

What `plan` uses once the files are read (the Graph client and `requests`, the engine,
deepdiff) is imported while they are read, not before: on a big tree the files are
read on the other cores meanwhile (`desired/forked.py`), and those imports cost about as much
as reading a few hundred files.
"""

from __future__ import annotations

import importlib
import os

import click

from reconciler.commands.actions_run import reports_to_actions
from reconciler.commands.base import (
    EXIT_CHANGES,
    EXIT_ERROR,
    EXIT_OK,
    F,
    format_option,
    global_options,
    parallelism_option,
    quiet_option,
    registry_of,
    start_logging,
)
from reconciler.commands.github_hooks import PlanPublishing
from reconciler.commands.json_failure import document_written, json_document_on_failure
from reconciler.commands.loading import (
    check_writable,
    echo_err,
    load_checked,
    settings_for,
    style,
    use_colour,
)
from reconciler.engine.model import Plan
from reconciler.render.plan_json import render_json
from reconciler.render.plan_markdown import render_markdown
from reconciler.render.plan_text import render_text

#: Imported while the files are read. deepdiff explains each difference found: a plan that
#: finds none imported it for nothing, on a core the file reading shares.
AFTER_LOADING = ("reconciler.commands.common", "reconciler.graph.client", "deepdiff")


def import_after_loading() -> None:
    for name in AFTER_LOADING:
        importlib.import_module(name)


def render(plan: Plan, fmt: str, *, quiet: bool = False) -> str:
    if fmt == "json":
        return render_json(plan)
    if fmt == "markdown":
        return render_markdown(plan)
    return render_text(plan, style if use_colour() else (lambda text, _c: text), quiet=quiet)


def target_option(func: F) -> F:
    return click.option(
        "--target",
        "targets",
        multiple=True,
        metavar="NAME",
        help="Limit to this displayName (repeatable).",
    )(func)


def prune_option(func: F) -> F:
    return click.option(
        "--prune",
        is_flag=True,
        default=False,
        help="Also plan deletes of tenant profiles absent from git.",
    )(func)


@click.command(short_help="Show what would change in the tenant (reads only).")
@click.argument("path", default="desired-state", required=False)
@format_option
@click.option(
    "--out", "out_file", metavar="FILE", help="Also save the plan as JSON for `apply --plan`."
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    default=False,
    help="Exit 2 when changes are pending (0: none, 1: error).",
)
@prune_option
@target_option
@parallelism_option
@quiet_option
@click.option(
    "--pr-comment",
    is_flag=True,
    default=False,
    help="Post the plan as one sticky comment on the pull request (edited in place).",
)
@click.option(
    "--pr",
    "pr_number",
    type=click.IntRange(min=1),
    metavar="N",
    help="Pull request for --pr-comment (default: the one in GITHUB_EVENT_PATH).",
)
@click.option(
    "--drift-issue",
    is_flag=True,
    default=False,
    help="Open, update or close the `Drift detected: PATH` issue (scheduled checks).",
)
@global_options
@click.pass_context
@json_document_on_failure("plan")
@reports_to_actions
def plan(
    ctx: click.Context,
    path: str,
    output_format: str | None,
    out_file: str | None,
    detailed_exitcode: bool,
    prune: bool,
    targets: tuple[str, ...],
    parallelism: int | None,
    quiet: bool,
    pr_comment: bool,
    pr_number: int | None,
    drift_issue: bool,
) -> int:
    """Fetch the actual profiles from Graph and print a semantic plan: create, update,
    replace, delete (only with --prune), pause/resume, or nothing to do.

    Only what your YAML declares is compared: server defaults, @odata.type spellings, list
    order and write-only secrets never show up as drift. Reads only; never writes.

    A --target that names no profile (in git or in the tenant) is a usage error with a
    did-you-mean. --quiet leaves out the sign-in line, the up-to-date and unmanaged lists and
    progress. --format json prints one document also when plan fails before it has a plan
    (`error`, `exit_code`, `problems`).

    \b
    Examples:
      edusync-reconcile plan
      edusync-reconcile plan desired-state --out plan.json --detailed-exitcode
      edusync-reconcile plan --format markdown > comment.md
      edusync-reconcile plan --quiet --target "Test Profile"

    \b
    In GitHub Actions (GITHUB_TOKEN, GITHUB_REPOSITORY set; see the README):
      edusync-reconcile plan --pr-comment                  # on pull_request events
      edusync-reconcile plan --pr-comment --pr 42
      edusync-reconcile plan --drift-issue --detailed-exitcode   # on a schedule

    \b
    Sign-in: the first credential the environment offers (EDUSYNC_ACCESS_TOKEN; GitHub OIDC,
    AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH, each
    with AZURE_CLIENT_ID and AZURE_TENANT_ID; or the cache `edusync-reconcile login` fills);
    `edusync-reconcile doctor` shows which. No tenant yet: `edusync-reconcile demo`.
    """
    start_logging(ctx)
    if out_file:
        check_writable(out_file)  # before the tenant is read, not after
    publishing = PlanPublishing(path, pr_comment=pr_comment, pr=pr_number, drift_issue=drift_issue)
    state = load_checked(ctx, path, meanwhile=import_after_loading)
    from reconciler.commands.common import (
        announce_identity,
        compute_plan,
        missing_variable_warnings,
        save_plan,
        token_provider,
    )
    from reconciler.graph import GraphClient

    settings = settings_for(ctx, state, parallelism=parallelism)
    tokens = token_provider(settings)
    announce_identity(tokens.identity, settings, state, quiet=quiet)
    client = GraphClient(settings.graph_url, tokens, pool_size=settings.parallelism)
    try:
        result = compute_plan(
            client,
            state,
            settings,
            prune=prune,
            targets=targets,
            identity=tokens.identity,
            show_progress=not quiet,
            registry=registry_of(ctx),
        )
        if publishing.wants_extras:
            from reconciler.github.health import read_sync_health

            publishing.health = read_sync_health(client, result, settings.parallelism)
    finally:
        client.close()
    missing_variable_warnings(result, os.environ, settings.update_method)
    click.echo(render(result, (output_format or "text").lower(), quiet=quiet), nl=False)
    document_written()
    if out_file:
        save_plan(out_file, render_json(result, observed=True))
        if not quiet:
            echo_err(
                f"Plan saved to {out_file}; carry it out with: "
                f"edusync-reconcile apply --plan {out_file}"
            )
    if result.errors:
        code = EXIT_ERROR
    elif detailed_exitcode and result.has_changes:
        code = EXIT_CHANGES
    else:
        code = EXIT_OK
    publishing.publish(result, code)
    return code
