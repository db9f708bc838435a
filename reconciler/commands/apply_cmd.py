"""`apply`: carry out a fresh or saved plan."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

import click

from reconciler.apply import ApplyInterrupted, ApplyOptions, Executor, Outcome, Status, preflight
from reconciler.commands.base import (
    EXIT_ERROR,
    EXIT_OK,
    global_options,
    parallelism_option,
    start_logging,
    update_method_option,
)
from reconciler.commands.common import (
    compute_plan,
    describe_identity,
    echo_err,
    load_checked,
    settings_for,
    token_provider,
)
from reconciler.commands.github_hooks import ApplyPublishing, reports_to_actions
from reconciler.commands.plan_cmd import prune_option, render, target_option
from reconciler.engine.plan import Plan
from reconciler.errors import ReconcileError
from reconciler.graph import GraphClient
from reconciler.identity import Identity, TokenProvider
from reconciler.operations import BodyBuilder, Request
from reconciler.saved_plan import read_saved_plan, staleness
from reconciler.settings import Settings


def show_request(request: Request, base_url: str) -> str:
    line = f"{request.method} {base_url}/{request.path}"
    if request.shown_body is not None:
        line += "\n" + json.dumps(request.shown_body, indent=2, ensure_ascii=False)
    return line


def report(outcomes: list[Outcome]) -> tuple[str, bool]:
    lines = ["", "Apply report:"]
    for status in Status:
        group = [o for o in outcomes if o.status is status]
        if not group:
            continue
        lines.append(f"  {status.value}: {len(group)}")
        for o in group:
            ident = f" ({o.object_id})" if o.object_id else ""
            detail = f"\n      {o.detail}" if o.detail else ""
            lines.append(f"    - {o.change.action.value} {o.change.name!r}{ident}{detail}")
    failed = any(o.status is not Status.DONE for o in outcomes)
    return "\n".join(lines) + "\n", failed


def confirm(plan: Plan, auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise ReconcileError(
            "apply needs approval: run it in a terminal to be asked, or pass --auto-approve "
            "(CI); nothing was written"
        )
    answer = click.prompt(
        f"Carry out these {len(plan.pending)} change(s)? Only 'yes' will be accepted",
        default="",
        show_default=False,
        err=True,
    )
    if answer.strip() != "yes":
        raise ReconcileError("apply cancelled; nothing was written")


class _NoBar:
    def update(self, _n: int, _item: object = None) -> None:
        pass

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *_exc: object) -> None:
        pass


def _progress_bar(total: int, *, enabled: bool) -> Any:
    """A bar on stderr while changes run, only on a terminal (CI logs get the report)."""
    if not enabled:
        return _NoBar()
    return click.progressbar(
        length=total,
        label="Applying",
        file=sys.stderr,
        show_pos=True,
        item_show_func=lambda item: str(item) if item else None,
    )


def execute_plan(
    plan: Plan,
    client: GraphClient,
    settings: Settings,
    identity: Identity,
    *,
    options: ApplyOptions,
    auto_approve: bool,
    env: Mapping[str, str] | None = None,
    on_report: Callable[[str], None] | None = None,
) -> int:
    builder = BodyBuilder(
        os.environ if env is None else env, settings.update_method, settings.ignore_changes
    )
    steps = preflight(plan, builder, identity, options)
    if not options.dry_run:
        confirm(plan, auto_approve)
    with _progress_bar(len(steps), enabled=sys.stderr.isatty() and not options.dry_run) as bar:

        def finished(outcome: Outcome) -> None:
            bar.update(
                1, f"{outcome.change.action.value} {outcome.change.name!r}: {outcome.status.value}"
            )

        executor = Executor(
            client,
            options,
            known_ids=plan.tenant_ids,
            progress=echo_err,
            on_finished=finished,
            ignore_changes=settings.ignore_changes,
        )
        try:
            outcomes = executor.run(steps)  # a dry run takes the same path, stopping at writes
        except ApplyInterrupted as interrupted:
            click.echo(report(interrupted.outcomes)[0], nl=False)
            raise
    if options.dry_run:
        click.echo("\nDry run: these requests would be sent (nothing was written):")
        for outcome in outcomes:
            for request in outcome.sent:
                click.echo(show_request(request, client.base_url))
        return EXIT_OK
    text, failed = report(outcomes)
    click.echo(text, nl=False)
    if on_report is not None:
        on_report(text)
    return EXIT_ERROR if failed else EXIT_OK


@click.command(short_help="Carry out a plan (create, update, replace, delete, pause/resume).")
@click.argument("path", required=False)
@click.option(
    "--plan",
    "plan_file",
    metavar="FILE",
    help="Carry out a plan saved by `plan --out` (refused if it is stale).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    default=False,
    help="Print every request that would be sent (secrets masked); send no write. "
    "Refuses what apply would refuse.",
)
@click.option(
    "--auto-approve",
    is_flag=True,
    default=False,
    help="Do not ask; without it and without a terminal, apply refuses.",
)
@prune_option
@click.option(
    "--allow-replace", is_flag=True, default=False, help="Permit delete+create replacements."
)
@update_method_option
@click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="Poll written profiles until provisioned (or gone).",
)
@click.option(
    "--wait-timeout",
    type=click.FloatRange(min=1),
    default=600,
    show_default=True,
    metavar="SECONDS",
    help="Give up waiting for one profile after this long.",
)
@target_option
@parallelism_option
@click.option(
    "--require-reviewed",
    is_flag=True,
    default=False,
    help="Apply only the plan reviewed on the pull request merged as GITHUB_SHA; refuse "
    "(nothing written) when there is none or the tenant or files changed since.",
)
@click.option(
    "--pr-comment",
    is_flag=True,
    default=False,
    help="Post the apply report and the plan after it on the merged pull request.",
)
@global_options
@click.pass_context
@reports_to_actions
def apply(
    ctx: click.Context,
    path: str | None,
    plan_file: str | None,
    dry_run: bool,
    auto_approve: bool,
    prune: bool,
    allow_replace: bool,
    update_method: str | None,
    wait: bool,
    wait_timeout: float,
    targets: tuple[str, ...],
    parallelism: int | None,
    require_reviewed: bool,
    pr_comment: bool,
) -> int:
    """Compute the plan (or load --plan FILE), print it, ask, then write: POST to create,
    PUT (or PATCH with --update-method patch) to update, DELETE only with --prune.

    A failed write does not stop the others; the report lists done, failed (with Graph's
    error code and request-id) and not attempted changes, and apply exits 1 if any failed.

    \b
    Examples:
      edusync-reconcile apply --dry-run
      edusync-reconcile plan --out plan.json && edusync-reconcile apply --plan plan.json
      edusync-reconcile apply --auto-approve --parallelism 8

    \b
    In GitHub Actions, on a push to main (GITHUB_TOKEN, GITHUB_SHA set; see the README):
      edusync-reconcile apply --require-reviewed --auto-approve --pr-comment
    """
    start_logging(ctx)
    saved = read_saved_plan(plan_file) if plan_file else None
    if saved is not None and path is None:
        path = str(saved.get("desired_path") or "desired-state")
    publishing = ApplyPublishing(
        path or "desired-state",
        require_reviewed=require_reviewed,
        pr_comment=pr_comment,
        dry_run=dry_run,
    )
    publishing.find_review()
    state = load_checked(path or "desired-state")
    settings = settings_for(ctx, state, parallelism=parallelism, update_method=update_method)
    tokens: TokenProvider = token_provider(settings)
    echo_err(describe_identity(tokens.identity, settings))
    client = GraphClient(settings.graph_url, tokens, pool_size=settings.parallelism)
    try:
        saved_options = (saved or {}).get("options") or {}
        # Re-plan exactly as the saved plan was made, or it cannot match.
        prune = prune or bool(saved_options.get("prune"))
        targets = targets or tuple(saved_options.get("targets") or ())

        def replan() -> Plan:
            return compute_plan(
                client, state, settings, prune=prune, targets=targets, identity=tokens.identity
            )

        plan = replan()
        if saved is not None:
            reasons = staleness(saved, plan)
            if reasons:
                raise ReconcileError(
                    f"plan is stale, nothing was written: {'; '.join(reasons)}. "
                    "Run plan again and review the new plan"
                )
        publishing.check(plan)
        click.echo(render(plan, "text"), nl=False)
        if not plan.has_changes and not plan.errors:
            return publishing.finish(plan, EXIT_OK, "", replan)
        options = ApplyOptions(
            allow_replace=allow_replace,
            wait=wait,
            wait_timeout=wait_timeout,
            parallelism=settings.parallelism,
            dry_run=dry_run,
        )
        reports: list[str] = []
        code = execute_plan(
            plan,
            client,
            settings,
            tokens.identity,
            options=options,
            auto_approve=auto_approve,
            on_report=reports.append,
        )
        return publishing.finish(plan, code, "".join(reports), replan)
    finally:
        client.close()
