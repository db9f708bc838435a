"""Warnings for a natural key (`displayName`) at the value's FILE:LINE:COL: one holding
characters people cannot see or tell apart (see `reconciler.names`), and one YAML cut short
at a `#` (`displayName: Contoso #1 PowerSchool` is the name `Contoso` and a comment)."""

from __future__ import annotations

import json
from typing import Any

from reconciler.desired.problems import Problem, Severity
from reconciler.desired.yamlsource import Document
from reconciler.names import odd_characters, quoted


def name_problems(file: str, doc: Document, key: str, body: Any) -> list[Problem]:
    name = body.get(key) if isinstance(body, dict) else None
    if not isinstance(name, str):
        return []
    odd = odd_characters(name)
    if not odd and doc.text is None:  # a file keeps its text only with a comment after a value
        return []  # the usual case: no position is looked up
    line, col = doc.where((key,))
    said = []
    if odd:
        said.append(
            f"{key} {quoted(name)} holds {'; '.join(odd)}: it looks like another name but "
            "is not the same (a tenant profile or --target written the usual way will not "
            "match it); retype it with ordinary spaces and letters"
        )
    cut = _cut_at_hash(doc.text, line, col, name) if doc.text is not None else None
    if cut is not None:
        meant = json.dumps(f"{name} {cut}", ensure_ascii=False)  # a YAML "…" text too
        said.append(
            f"{key} is {quoted(name)}: YAML reads {quoted(cut)} after it as a comment. "
            f"If the # is part of the name, put the name in quotes: {key}: {meant}"
        )
    return [Problem(file, line, col, Severity.WARNING, message) for message in said]


def _cut_at_hash(text: str, line: int, col: int, name: str) -> str | None:
    """The comment right after the plain value `name` at (line, col) when it reads like more
    of it (`#1 PowerSchool`: no space after the `#`, as a comment written on purpose has).
    Only where the value is all that precedes the comment on its line: not a value in flow
    style followed by `,`, nor one continued on the next lines."""
    lines = text.split("\n", line)
    if len(lines) < line:
        return None
    rest = lines[line - 1].rstrip("\r")[col - 1 :]
    value, hash_, comment = rest.partition(" #")
    if not hash_ or comment[:1] in {"", " ", "\t", "#"} or value.rstrip() != name:
        return None
    return "#" + comment.rstrip()
