"""The conversion report as plain text (for people) and versioned JSON (for tools)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence

from reconciler.convert.convert import Conversion
from reconciler.convert.files import PlannedFile
from reconciler.convert.report import Entry, Status

FORMAT_VERSION = 1
WIDTH = 100

HEADINGS = {
    Status.DECIDE: "Needs your decision",
    Status.GUESSED: "Guessed by the converter: check",
    Status.MAPPED: "Carried over",
    Status.NO_COUNTERPART: "No counterpart in new SDS",
}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def summary(conversion: Conversion, files: int, out_dir: str) -> str:
    """One line a head teacher can read."""
    decide = conversion.count(Status.DECIDE)
    guessed = conversion.count(Status.GUESSED)
    head = (
        f"{_plural(conversion.profiles, 'classic SDS sync profile')} became new School Data "
        f"Sync settings: {_plural(files, 'object')}, one file each, in {out_dir}."
    )
    if not decide and not guessed:
        return f"{head} Nothing needs a decision."
    return (
        f"{head} Before they are used, you must make "
        f"{_plural(decide, 'decision')} and check {_plural(guessed, 'guessed value')} "
        "(listed below)."
    )


def _where(entry: Entry) -> str:
    if not entry.profile:  # about the whole tree: no line to point at
        return f"{entry.file} [all profiles]"
    place = f"{entry.file}:{entry.line}:{entry.column}"
    who = f"[{entry.profile}]"
    return " ".join(p for p in (place, who, entry.field) if p)


def _entry_text(entry: Entry) -> list[str]:
    lines = [f"  {_where(entry)}"]
    lines += textwrap.wrap(
        entry.message,
        WIDTH,
        initial_indent="      ",
        subsequent_indent="      ",
        break_on_hyphens=False,
        break_long_words=False,
    )
    if entry.target:
        lines.append(f"      → {entry.target}")
    return lines


def report_text(
    conversion: Conversion, files: Sequence[PlannedFile], out_dir: str, source: str
) -> str:
    lines = [summary(conversion, len(files), out_dir), ""]
    lines.append(f"Files written to {out_dir} ({len(files)}), from {source}:")
    width = max((len(f.name) for f in files), default=0)
    for file in files:
        document = file.output.document
        lines.append(f"  {file.name:<{width}}  {document.kind} {document.key!r}")
    for status in Status:
        entries = [e for e in conversion.entries if e.status is status]
        if not entries:
            continue
        lines += ["", f"{HEADINGS[status]} ({len(entries)}):"]
        for entry in entries:
            lines += _entry_text(entry)
    lines += ["", "Next:"]
    step = 1
    if conversion.count(Status.DECIDE) or conversion.count(Status.GUESSED):
        lines.append(
            f"  {step}. Settle the decisions and check the guessed values above, in the files "
            f"in {out_dir}."
        )
        step += 1
    if conversion.variables:
        lines.append(
            f"  {step}. Set these environment variables for apply (CI secrets; this command "
            f"never reads them): {', '.join(conversion.variables)}"
        )
        step += 1
    lines.append(
        f"  {step}. edusync-reconcile validate {out_dir}, then plan {out_dir} against the tenant."
    )
    return "\n".join(lines) + "\n"


def report_json(
    conversion: Conversion, files: Sequence[PlannedFile], out_dir: str, source: str
) -> str:
    document = {
        "format_version": FORMAT_VERSION,
        "summary": summary(conversion, len(files), out_dir),
        "source": source,
        "out": out_dir,
        "counts": {
            "profiles": conversion.profiles,
            "files": len(files),
            **{status.value: conversion.count(status) for status in Status},
        },
        "files": [
            {
                "file": file.name,
                "kind": file.output.document.kind,
                "name": file.output.document.key,
                "from": [{"file": f, "profile": p} for f, p in file.output.sources],
            }
            for file in files
        ],
        "entries": [entry.as_json() for entry in conversion.entries],
        "variables": list(conversion.variables),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
