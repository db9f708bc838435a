"""What `validate` does once its command line is parsed (imported only then: `validate --help`
must not pay for the loader)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

import click

from reconciler.commands.actions_run import after_validate
from reconciler.commands.base import EXIT_ERROR, EXIT_OK
from reconciler.commands.validate_paths import validate_paths
from reconciler.desired import DesiredObject
from reconciler.desired.problems import Problem, Severity
from reconciler.desired.secrets import variable_names
from reconciler.desired.unset import EMPTY, unusable
from reconciler.kinds.registry import Registry
from reconciler.render.problems import (
    counted_noun,
    github_annotations,
    problems_json,
    problems_markdown,
    problems_text,
)


def _missing_variable_warnings(
    state_objects: Iterable[DesiredObject], env: Mapping[str, str]
) -> list[Problem]:
    problems = []
    for obj in state_objects:
        found = unusable(variable_names(obj), env)
        for line, column, names in obj.variable_places(found):
            empty = [n for n in names if found[n] == EMPTY]
            message = (
                f"environment variable(s) {', '.join(empty)} set but empty: plan works "
                "without a value, apply will need one"
                if empty
                else f"environment variable(s) {', '.join(names)} not set: "
                "plan works without them, apply will need them"
            )
            problems.append(Problem(obj.file, line, column, Severity.WARNING, message))
    return problems


def run_validate(paths: tuple[str, ...], output_format: str | None, registry: Registry) -> int:
    state = validate_paths(paths or ("desired-state",), registry=registry)
    # A value that is an error already (a natural key from a variable) needs no warning that
    # apply will need the variable: it would contradict the error.
    wrong = {(p.file, p.line, p.column) for p in state.problems if p.severity is Severity.ERROR}
    unset = [
        p
        for p in _missing_variable_warnings(state.objects, os.environ)
        if (p.file, p.line, p.column) not in wrong
    ]
    problems = tuple(
        sorted((*state.problems, *unset), key=lambda p: (p.file, p.line, p.column, p.message))
    )
    fmt = (output_format or os.environ.get("EDUSYNC_FORMAT") or "text").lower()
    noun = counted_noun({o.kind.noun for o in state.objects} or {"profile"})
    markdown = problems_markdown(problems, state.files, len(state.objects), noun)
    if fmt == "json":
        click.echo(problems_json(problems), nl=False)
    elif fmt == "markdown":
        click.echo(markdown, nl=False)
    else:
        click.echo(problems_text(problems, state.files, len(state.objects), noun), nl=False)
    after_validate(markdown)
    if os.environ.get("GITHUB_ACTIONS") == "true" and problems:
        # Workflow commands; kept off stdout when stdout is a machine-read document.
        click.echo(github_annotations(problems), nl=False, err=fmt != "text")
    return EXIT_ERROR if any(p.severity is Severity.ERROR for p in problems) else EXIT_OK
