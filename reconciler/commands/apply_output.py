"""Where apply's plan, progress and report go, per `--format` and `--quiet`.

`text` (default): the plan, a line per finished change on stderr (CI) or a bar (terminal), then
the report. `markdown`: the plan and the report as markdown. `json`: stdout holds exactly one
versioned document — the plan it carried out and every outcome — even when apply refuses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import click

from reconciler.apply import Outcome
from reconciler.commands.json_failure import document_written
from reconciler.engine.model import Plan
from reconciler.operations import Request
from reconciler.render.apply_report import report_document, report_markdown, report_text
from reconciler.render.plan_markdown import render_markdown


def show_request(request: Request, base_url: str) -> str:
    line = f"{request.method} {base_url}/{request.path}"
    if request.shown_body is not None:
        line += "\n" + json.dumps(request.shown_body, indent=2, ensure_ascii=False)
    return line


@dataclass
class ApplyOutput:
    fmt: str = "text"
    quiet: bool = False
    base_url: str = ""
    #: --dry-run was given: every document says so, also with nothing to do or when refused.
    dry_run: bool = False
    #: The JSON document went out already (never a second one).
    emitted: bool = False

    def show_plan(self, plan: Plan) -> None:
        """The plan before approval; in JSON it is part of the report document instead."""
        from reconciler.commands.plan_cmd import render

        if self.fmt == "markdown":
            click.echo(render_markdown(plan), nl=False)
        elif self.fmt != "json":
            click.echo(render(plan, "text", quiet=self.quiet), nl=False)

    def show_report(
        self, plan: Plan, outcomes: list[Outcome], base_url: str, *, dry_run: bool = False
    ) -> None:
        if self.fmt == "json":
            self._emit(plan, outcomes, base_url, dry_run=dry_run)
        elif dry_run:
            click.echo("\nDry run: these requests would be sent (nothing was written):")
            for outcome in outcomes:
                for request in outcome.sent:
                    click.echo(show_request(request, base_url))
        elif self.fmt == "markdown":
            click.echo("\n" + report_markdown(outcomes), nl=False)
        else:
            click.echo(report_text(outcomes), nl=False)

    def nothing_to_do(self, plan: Plan) -> None:
        if self.fmt == "json":
            self._emit(plan, [], self.base_url)

    def refused(self, plan: Plan, error: str) -> None:
        """Apply stopped with nothing (more) written: JSON still gets its one document."""
        if self.fmt == "json" and not self.emitted:
            self._emit(plan, [], self.base_url, error=error)

    def _emit(
        self,
        plan: Plan,
        outcomes: list[Outcome],
        base_url: str,
        *,
        dry_run: bool = False,
        error: str | None = None,
    ) -> None:
        if self.emitted:
            return
        dry_run = dry_run or self.dry_run
        document = report_document(plan, outcomes, base_url=base_url, dry_run=dry_run, error=error)
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        self.emitted = True
        document_written()
