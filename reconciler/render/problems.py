"""Validation problems as text, JSON, markdown and GitHub annotations."""

from __future__ import annotations

import json

from reconciler.desired.problems import Problem, Severity


def problems_text(
    problems: tuple[Problem, ...], files: int, objects: int, noun: str = "profile"
) -> str:
    lines = [str(p) for p in problems]
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    if errors:
        lines.append(
            f"{errors} error(s), {warnings} warning(s) in {files} file(s); "
            "nothing was sent to Graph."
        )
    else:
        lines.append(
            f"OK: {objects} {noun}(s) in {files} file(s) are valid"
            + (f" ({warnings} warning(s))." if warnings else ".")
        )
    return "\n".join(lines) + "\n"


def counted_noun(nouns: set[str]) -> str:
    """What the objects are called in the summary: their kind's noun when they share one
    (`profile`), else `object` (a district's Industry Data tree holds several kinds)."""
    return next(iter(nouns)) if len(nouns) == 1 else "object"


def problems_json(problems: tuple[Problem, ...]) -> str:
    return (
        json.dumps({"format_version": 1, "problems": [p.as_json() for p in problems]}, indent=2)
        + "\n"
    )


def problems_markdown(
    problems: tuple[Problem, ...], files: int, objects: int, noun: str = "profile"
) -> str:
    if not problems:
        return (
            "### edusync-reconcile validate\n\n"
            f":white_check_mark: {objects} {noun}(s) in {files} file(s) are valid.\n"
        )
    rows = "\n".join(
        f"| `{p.file}:{p.line}:{p.column}` | {p.severity.value} | "
        f"{p.message.replace('|', '&#124;')} |"
        for p in problems
    )
    return (
        f"### edusync-reconcile validate\n\n| where | severity | problem |\n|---|---|---|\n{rows}\n"
    )


def _escape_annotation(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_annotation(text).replace(":", "%3A").replace(",", "%2C")


def github_annotations(problems: tuple[Problem, ...]) -> str:
    """`::error file=…,line=…,col=…::message` workflow commands."""
    return "".join(
        f"::{p.severity.value} file={_escape_property(p.file)},line={p.line},col={p.column}::"
        f"{_escape_annotation(p.message)}\n"
        for p in problems
    )
