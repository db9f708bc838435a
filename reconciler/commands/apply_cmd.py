"""`apply`: carry out a fresh or saved plan."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

import click

from reconciler.apply import ApplyInterrupted, ApplyOptions, Executor, Outcome, preflight
from reconciler.commands.actions_run import reports_to_actions
from reconciler.commands.apply_output import ApplyOutput
from reconciler.commands.base import (
    EXIT_ERROR,
    EXIT_OK,
    format_option,
    global_options,
    parallelism_option,
    quiet_option,
    registry_of,
    start_logging,
    update_method_option,
)
from reconciler.commands.common import announce_identity, compute_plan, token_provider
from reconciler.commands.github_hooks import ApplyPublishing
from reconciler.commands.interrupts import nothing_written_on_interrupt, writes_begin
from reconciler.commands.json_failure import json_document_on_failure
from reconciler.commands.loading import echo_err, load_checked, settings_for
from reconciler.commands.plan_cmd import prune_option, render, target_option
from reconciler.commands.run_start import start_after_apply
from reconciler.engine.model import Plan
from reconciler.errors import ReconcileError
from reconciler.graph import GraphClient
from reconciler.identity import Identity, TokenProvider
from reconciler.operations import BodyBuilder
from reconciler.render.apply_report import (
    approval_question,
    cancelled,
    failed,
    outcome_line,
    report_text,
)
from reconciler.saved_plan import read_saved_plan, staleness, target_conflict
from reconciler.settings import Settings


def report(outcomes: list[Outcome]) -> tuple[str, bool]:
    """The text report and whether apply failed (a write not made, or its outcome unknown)."""
    return report_text(outcomes), failed(outcomes)


def confirm(plan: Plan, auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise ReconcileError(
            "apply needs approval: run it in a terminal to be asked, or pass --auto-approve "
            "(CI); nothing was written"
        )
    answer = click.prompt(approval_question(plan), default="", show_default=False, err=True)
    if answer.strip() != "yes":
        raise ReconcileError(cancelled(answer))


class _NoBar:
    def update(self, _n: int, _item: object = None) -> None:
        pass

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *_exc: object) -> None:
        pass


def _progress_bar(total: int, *, enabled: bool) -> Any:
    """A bar on stderr while changes run, only on a terminal (CI logs get a line per change)."""
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
    output: ApplyOutput | None = None,
    on_report: Callable[[str], None] | None = None,
) -> int:
    output = output or ApplyOutput()
    builder = BodyBuilder(
        os.environ if env is None else env,
        settings.update_method,
        settings.ignore_changes,
        graph_url=client.base_url,
    )
    steps = preflight(plan, builder, identity, options)
    if not options.dry_run:
        confirm(plan, auto_approve)
    on_terminal = sys.stderr.isatty()
    bar_on = on_terminal and not options.dry_run and not output.quiet
    with _progress_bar(len(steps), enabled=bar_on) as bar:

        def finished(outcome: Outcome) -> None:
            if bar_on:
                bar.update(1, outcome_line(outcome))
            elif not on_terminal and not options.dry_run and not output.quiet:
                echo_err(outcome_line(outcome))  # CI logs: each change as it finishes

        executor = Executor(
            client,
            options,
            known_ids=plan.tenant_ids,
            progress=echo_err,
            on_finished=finished,
            ignore_changes=settings.ignore_changes,
        )
        writes_begin()
        try:
            outcomes = executor.run(steps)  # a dry run takes the same path, stopping at writes
        except ApplyInterrupted as interrupted:
            output.show_report(plan, interrupted.outcomes, client.base_url)
            raise
    output.show_report(plan, outcomes, client.base_url, dry_run=options.dry_run)
    if options.dry_run:
        return EXIT_OK
    if on_report is not None:
        on_report(report_text(outcomes))  # e.g. for the pull-request comment
    return EXIT_ERROR if failed(outcomes) else EXIT_OK


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
@click.option(
    "--allow-duplicate-source",
    is_flag=True,
    default=False,
    help="Create a profile even though an unmanaged tenant profile looks like it (same source "
    "or most fields equal), or another desired file reads the same source. Without it such a "
    "create is refused: pin `id:` to rename instead, or delete the copied file.",
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
@click.option(
    "--start-run",
    is_flag=True,
    default=False,
    help="After a successful apply, start a sync run (Industry Data kinds) unless one is "
    "running or the service's limit of 5 starts in 12 hours is reached.",
)
@target_option
@parallelism_option
@format_option
@quiet_option
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
@json_document_on_failure("apply")
@reports_to_actions
@nothing_written_on_interrupt("apply interrupted before any write; nothing was written")
def apply(
    ctx: click.Context,
    path: str | None,
    plan_file: str | None,
    dry_run: bool,
    auto_approve: bool,
    prune: bool,
    allow_replace: bool,
    allow_duplicate_source: bool,
    update_method: str | None,
    wait: bool,
    wait_timeout: float,
    targets: tuple[str, ...],
    parallelism: int | None,
    output_format: str | None,
    quiet: bool,
    require_reviewed: bool,
    pr_comment: bool,
    start_run: bool,
) -> int:
    """Compute the plan (or load --plan FILE), print it, ask, then write: POST to create,
    PUT (or PATCH with --update-method patch) to update, DELETE only with --prune.

    A failed write does not stop the others; the report lists done, failed (with Graph's
    error code and request-id) and not attempted changes, ends with what to run next, and
    apply exits 1 if any failed. A profile written but still provisioning when the wait ends
    is "done, not settled" (exit 0: the tenant did what was asked).

    A create that looks like an unmanaged tenant profile (same source, or most fields equal:
    a displayName changed without `id:`) is refused: pin `id:` to rename in place, or pass
    --allow-duplicate-source. --format json prints one JSON document (plan and report), also
    when apply stops before it has a plan (then with `error`, `exit_code`, `problems`).

    \b
    Examples:
      edusync-reconcile apply --dry-run
      edusync-reconcile plan --out plan.json && edusync-reconcile apply --plan plan.json
      edusync-reconcile apply --auto-approve --parallelism 8
      edusync-reconcile apply --auto-approve --quiet --format json > apply-report.json
      edusync-reconcile apply --auto-approve --start-run

    \b
    In GitHub Actions, on a push to main (GITHUB_TOKEN, GITHUB_SHA set; see the README):
      edusync-reconcile apply --require-reviewed --auto-approve --pr-comment

    \b
    Sign-in: the first credential the environment offers (EDUSYNC_ACCESS_TOKEN; GitHub OIDC,
    AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH, each
    with AZURE_CLIENT_ID and AZURE_TENANT_ID; or the cache `edusync-reconcile login` fills);
    `edusync-reconcile doctor` shows which. No tenant yet: `edusync-reconcile demo`.
    """
    start_logging(ctx)
    output = ApplyOutput((output_format or "text").lower(), quiet, dry_run=dry_run)
    saved = read_saved_plan(plan_file) if plan_file else None
    conflict = target_conflict(saved, targets, str(plan_file)) if saved is not None else None
    if conflict:
        raise click.UsageError(conflict)
    if saved is not None and path is None:
        path = str(saved.get("desired_path") or "desired-state")
    publishing = ApplyPublishing(
        path or "desired-state",
        require_reviewed=require_reviewed,
        pr_comment=pr_comment,
        dry_run=dry_run,
    )
    publishing.find_review()
    state = load_checked(ctx, path or "desired-state")
    settings = settings_for(ctx, state, parallelism=parallelism, update_method=update_method)
    tokens: TokenProvider = token_provider(settings)
    announce_identity(tokens.identity, settings, state, quiet=quiet)
    client = GraphClient(settings.graph_url, tokens, pool_size=settings.parallelism)
    output.base_url = client.base_url
    plan: Plan | None = None
    try:
        saved_options = (saved or {}).get("options") or {}
        target_origin = "--target" if targets or not saved else f"--target (saved in {plan_file})"
        # Re-plan exactly as the saved plan was made, or it cannot match.
        prune = prune or bool(saved_options.get("prune"))
        targets = targets or tuple(saved_options.get("targets") or ())

        def replan() -> Plan:
            return compute_plan(
                client,
                state,
                settings,
                prune=prune,
                targets=targets,
                identity=tokens.identity,
                target_origin=target_origin,
                show_progress=not quiet,
                registry=registry_of(ctx),
            )

        plan = replan()
        if saved is not None:
            reasons = staleness(saved, plan)
            if reasons:
                raise ReconcileError(
                    "plan is stale, nothing was written:\n  - "
                    + "\n  - ".join(reasons)
                    + "\nRun plan again and review the new plan."
                )
        publishing.check(plan)
        output.show_plan(plan)
        if not plan.has_changes and not plan.errors:
            output.nothing_to_do(plan)
            if start_run:
                start_after_apply(client, state.objects, dry_run=dry_run)
            return publishing.finish(plan, EXIT_OK, "", replan)
        if output.fmt != "text" and not auto_approve and not dry_run and sys.stdin.isatty():
            echo_err(render(plan, "text"))  # a person is asked: show them the plan
        options = ApplyOptions(
            allow_replace=allow_replace,
            allow_duplicate_source=allow_duplicate_source,
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
            output=output,
            on_report=reports.append,
        )
        if start_run and code == EXIT_OK:  # never after a failed write
            start_after_apply(client, state.objects, dry_run=dry_run)
        return publishing.finish(plan, code, "".join(reports), replan)
    except ReconcileError as exc:
        if plan is not None:
            output.refused(plan, str(exc))
        raise
    finally:
        client.close()
