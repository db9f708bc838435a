"""What `validate`, `plan` and `apply` tell GitHub: the step summary, step outputs, the sticky
pull-request comment, the drift issue, the reviewed-plan gate and the apply report.

Commands stay small: they call into here at a few points and this module does the rest. A
GitHub API failure is one line on stderr and in the step summary and never changes the exit
code the command earned, except for `apply --require-reviewed`, which fails closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reconciler.commands.actions_run import current_run, echo_err
from reconciler.engine.model import Plan
from reconciler.errors import ReconcileError
from reconciler.github.context import ActionsContext
from reconciler.github.phrases import describe_plan
from reconciler.github.record import (
    differences,
    normalise_path,
    parse_record,
    plan_marker,
    record_of,
    render_record,
    stale_cause,
)
from reconciler.github.report import (
    Where,
    apply_comment,
    drift_closed_note,
    drift_issue_body,
    plan_comment,
    plan_failed_comment,
    refusal_comment,
    summary_markdown,
)
from reconciler.github.school_checks import SyncHealth, plan_warnings
from reconciler.github.sticky import (
    AUTHORS_VAR,
    Trust,
    all_marked_comments,
    author,
    post_comment,
    upsert_comment,
)
from reconciler.logsetup import redact
from reconciler.render.plan_json import plan_document

if TYPE_CHECKING:
    from reconciler.github.client import GitHubClient

#: Room the record may take in the comment; the rest is for the text people read.
RECORD_BUDGET = 16_000


def _client(context: ActionsContext, what: str) -> GitHubClient:
    # Imported when something is published: `plan` imports this module before it reads the
    # files, and the client brings `requests`.
    from reconciler.github.client import GitHubClient

    repo_and_token = context.require(what)
    return GitHubClient(repo_and_token[1], api_url=context.api_url)


def _where(context: ActionsContext, path: str) -> Where:
    return Where(path=path, sha=context.shown_sha(), run_url=context.run_url)


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


# -- plan --------------------------------------------------------------------------------------


@dataclass
class PlanPublishing:
    """`plan --pr-comment [--pr N]` and `plan --drift-issue`."""

    path: str
    pr_comment: bool = False
    pr: int | None = None
    drift_issue: bool = False
    today: dt.date = field(default_factory=dt.date.today)
    health: dict[str, SyncHealth] = field(default_factory=dict)

    def __post_init__(self) -> None:
        run = current_run()
        self.run = run
        if self.pr_comment:
            run.on_failure.append(self._comment_failure)

    @property
    def wants_extras(self) -> bool:
        """Whether the run reads sync status from Graph for the school warnings."""
        return self.pr_comment or self.drift_issue

    def pull_request(self) -> int | None:
        # An explicit --pr wins (flag before environment), else the event's pull request.
        return self.pr or self.run.context.pull_request_number()

    def publish(self, plan: Plan, code: int) -> None:
        if not (self.run.active or self.pr_comment or self.drift_issue):
            return  # nothing reads it: spare large plans the extra rendering
        sentences = describe_plan(plan)
        warnings = plan_warnings(plan, self.today, self.health)
        where = _where(self.run.context, self.path)
        self.run.set_output("changes", "true" if plan.has_changes else "false")
        self.run.add_summary(summary_markdown(plan, where, sentences=sentences, warnings=warnings))
        if self.pr_comment:
            self._comment(plan, where, sentences, warnings)
        if self.drift_issue:
            self._drift(plan, where, sentences, warnings)

    def _comment(self, plan: Plan, where: Where, sentences: list[str], warnings: list[str]) -> None:
        number = self.pull_request()
        if number is None:
            self.run.github_failed(
                "post the plan comment",
                ReconcileError("no pull request: pass --pr N, or run it on a pull_request event"),
            )
            return
        record = "" if plan.errors else render_record(record_of(plan_document(plan)), RECORD_BUDGET)
        body = plan_comment(plan, where, sentences=sentences, warnings=warnings, record_line=record)
        self._upsert(number, body)

    def _upsert(self, number: int, body: str) -> None:
        try:
            with _client(self.run.context, "--pr-comment") as client:
                repo = self.run.context.require("--pr-comment")[0]
                posted = upsert_comment(
                    client, repo, number, plan_marker(self.path), body, Trust.from_env(self.run.env)
                )
            verb = "posted" if posted.created else "updated"
            echo_err(
                f"Plan comment {verb} on pull request #{number}: {posted.url or posted.comment_id}"
            )
        except ReconcileError as exc:
            self.run.github_failed(f"post the plan comment on pull request #{number}", exc)

    def _comment_failure(self, message: str) -> None:
        number = self.pull_request()
        if number is not None:
            self._upsert(
                number, plan_failed_comment(_where(self.run.context, self.path), redact(message))
            )

    def _drift(self, plan: Plan, where: Where, sentences: list[str], warnings: list[str]) -> None:
        if plan.errors:
            echo_err("The plan failed, so drift is unknown: the drift issue is left as it is.")
            return
        from reconciler.github.drift import sync_drift_issue

        checked = _now()
        try:
            with _client(self.run.context, "--drift-issue") as client:
                outcome = sync_drift_issue(
                    client,
                    self.run.context.require("--drift-issue")[0],
                    self.path,
                    drifted=plan.has_changes,
                    body=drift_issue_body(
                        plan, where, sentences=sentences, warnings=warnings, checked_at=checked
                    ),
                    closing_note=drift_closed_note(where, checked),
                )
        except ReconcileError as exc:
            self.run.github_failed("update the drift issue", exc)
            return
        if outcome.action != "none":
            echo_err(f"Drift issue {outcome.action}: {outcome.url or outcome.number}")


# -- apply -----------------------------------------------------------------------------------


#: Planning again means a new plan of the current main: a re-run of the merged pull request's
#: plan job would plan its old test-merge commit (GITHUB_SHA of that run) again.
NEW_PLAN_HINT = (
    "open a pull request (any change, e.g. an empty commit: git commit --allow-empty) — it is "
    "planned against the current main and, once reviewed and merged, applied"
)


def _re_review_hint(number: int, cause: str) -> str:
    """What to do about a refusal, by what made the reviewed plan stale (record.stale_cause)."""
    if cause == "tenant":
        return (
            f"The tenant changed since the review: re-run the plan job of pull request #{number} "
            "(its comment then shows the current plan; review it), then re-run this job"
        )
    if cause == "graph":
        return (
            "The plan and apply jobs must reach the same cloud (the same Graph URL): fix the "
            f"workflow, then re-run the plan job of pull request #{number} and this job"
        )
    return (
        f"Another change reached the branch after pull request #{number} was planned, and "
        "re-running its plan job would plan the same old files again. To apply the current "
        "files: push a new commit to an open pull request, or " + NEW_PLAN_HINT
    )


@dataclass
class ApplyPublishing:
    """`apply --require-reviewed` and `apply --pr-comment`."""

    path: str
    require_reviewed: bool = False
    pr_comment: bool = False
    dry_run: bool = False
    pr_number: int | None = None
    reviewed: dict[str, Any] | None = None
    #: Records in plan comments by authors not trusted: (login, record), oldest first.
    ignored: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    trust: Trust = field(default_factory=Trust)

    def __post_init__(self) -> None:
        self.run = current_run()

    def find_review(self) -> None:
        """Before anything touches Graph: the pull request merged as GITHUB_SHA and, with
        --require-reviewed, the record of its reviewed plan (none: refuse)."""
        if not (self.require_reviewed or self.pr_comment):
            return
        context = self.run.context
        try:
            with _client(
                context, "--require-reviewed" if self.require_reviewed else "--pr-comment"
            ) as client:
                repo = context.require("apply")[0]
                if not context.sha:
                    raise ReconcileError("GITHUB_SHA is not set: which commit is being applied?")
                from reconciler.github.pulls import merged_pull_request

                pull = merged_pull_request(client, repo, context.sha)
                if pull is None:
                    raise ReconcileError(
                        f"no merged pull request is associated with commit {context.sha[:12]}: "
                        "changes reach the tenant only through a reviewed pull request"
                    )
                self.pr_number = int(pull["number"])
                if self.pr_comment:
                    self.run.on_failure.append(self._post_failure)
                if self.require_reviewed:
                    self._read_record(client, repo, self.pr_number)
        except ReconcileError as exc:
            if self.require_reviewed:
                raise ReconcileError(f"--require-reviewed: {exc}; nothing was written") from None
            self.run.github_failed("find the merged pull request for --pr-comment", exc)

    def _read_record(self, client: GitHubClient, repo: str, number: int) -> None:
        """The oldest record written by the identity that posts our comments; records by
        anyone else are set aside, to be named if they are why apply refuses."""
        self.trust = Trust.from_env(self.run.env)
        comments = all_marked_comments(client, repo, number, plan_marker(self.path))
        for comment in comments:
            record = parse_record(str(comment.get("body")))
            if record is None:
                continue
            if self.trust.trusts(comment):
                self.reviewed = self.reviewed or record
            else:
                self.ignored.append((author(comment) or "an unknown account", record))
        if self.reviewed is None:
            ignored = [login for login, _ in self.ignored]
            raise ReconcileError(
                f"pull request #{number} has no reviewed plan for {normalise_path(self.path)!r} "
                f"(no plan comment by {self.trust.describe()} with a record). "
                + (self._ignored_note(ignored) + ". " if ignored else "")
                + f"To apply the current files: {NEW_PLAN_HINT}"
            )

    def _ignored_note(self, logins: list[str], what: str = "") -> str:
        names = ", ".join(sorted(set(logins)))
        return (
            f"A plan comment by {names}{what} was ignored: only comments by "
            f"{self.trust.describe()} are trusted (if your plan job posts as {names}, name it in "
            f"{AUTHORS_VAR})"
        )

    def check(self, plan: Plan) -> None:
        """Refuse (nothing written) unless the fresh plan is the reviewed one."""
        if not self.require_reviewed or self.reviewed is None:
            return
        if not plan.has_changes and not plan.errors:
            return  # nothing would be written: there is nothing to prove
        fresh = record_of(plan_document(plan))
        reasons = differences(self.reviewed, fresh)
        if reasons:
            # Said only when it decides the outcome: an ignored record of exactly this plan.
            matching = [login for login, r in self.ignored if r.get("digest") == fresh["digest"]]
            note = self._ignored_note(matching, " recording exactly this plan")
            raise ReconcileError(
                f"apply refused, nothing was written: the plan is not the one reviewed on pull "
                f"request #{self.pr_number}: {'; '.join(reasons)}. "
                + (f"{note}. " if matching else "")
                + _re_review_hint(self.pr_number or 0, stale_cause(self.reviewed, fresh))
            )
        echo_err(f"The plan matches the one reviewed on pull request #{self.pr_number}.")

    def finish(self, plan: Plan, code: int, report: str, replan: Callable[[], Plan]) -> int:
        where = _where(self.run.context, self.path)
        if self.run.active:
            self.run.add_summary(
                summary_markdown(plan, where, sentences=describe_plan(plan), warnings=[])
                + ("\n\n```text\n" + report.strip() + "\n```" if report.strip() else "")
            )
        if not self.pr_comment or self.pr_number is None:
            return code
        if self.dry_run:
            echo_err("Dry run: no comment is posted on the pull request.")
            return code
        after: Plan | None = None
        after_error = None
        try:
            after = replan()
        except ReconcileError as exc:
            after_error = redact(str(exc))
        body = apply_comment(where, code=code, report=report, after=after, after_error=after_error)
        self._post(body)
        return code

    def _post(self, body: str) -> None:
        assert self.pr_number is not None
        try:
            with _client(self.run.context, "--pr-comment") as client:
                posted = post_comment(
                    client, self.run.context.require("--pr-comment")[0], self.pr_number, body
                )
            echo_err(
                f"Apply report posted on pull request #{self.pr_number}: "
                f"{posted.url or posted.comment_id}"
            )
        except ReconcileError as exc:
            self.run.github_failed(f"post the apply report on pull request #{self.pr_number}", exc)

    def _post_failure(self, message: str) -> None:
        self._post(refusal_comment(_where(self.run.context, self.path), redact(message)))
