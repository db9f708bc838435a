"""Classic profiles in, Industry Data documents and a report out (pure: no files, no clock)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from reconciler.convert import shapes
from reconciler.convert.classic import ClassicProfile
from reconciler.convert.flows import flow_set_for
from reconciler.convert.identity import Candidate, merge_rules, profile_rules
from reconciler.convert.report import Entry, Recorder, Status
from reconciler.convert.sources import SourceGroup, choose_year, group_sources, source_documents
from reconciler.desired.interpolate import references

#: Report order: what needs the admin first.
STATUS_ORDER = {status: index for index, status in enumerate(Status)}


@dataclass(frozen=True)
class Output:
    """One document to write, and the classic profiles it came from (file, displayName)."""

    document: shapes.Document
    sources: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Conversion:
    outputs: tuple[Output, ...]
    entries: tuple[Entry, ...]
    profiles: int
    #: `${NAME}` variables the output refers to (apply needs them; never resolved here).
    variables: tuple[str, ...]

    def count(self, status: Status) -> int:
        return sum(1 for e in self.entries if e.status is status)


def convert(profiles: Sequence[ClassicProfile], *, tree: str, today: date) -> Conversion:
    """`tree`: the PATH the profiles were read from (named by notes about all of them);
    `today`: decides which academic year is current."""
    ordered = sorted(profiles, key=lambda p: (p.file, p.line, p.column))
    rec = Recorder(tree)
    groups = group_sources(ordered)
    outputs: list[Output] = []
    for group in groups:
        choose_year(group, today, rec)
    for group in groups:
        rules = _rules(group, rec)
        for document in source_documents(group, rules, rec):
            outputs.append(_output(document, group.profiles))
    outputs.extend(_years(groups, rec))
    by_profile = {id(p): g for g in groups for p in g.profiles}
    for profile in ordered:
        document = flow_set_for(profile, by_profile[id(profile)], rec)
        outputs.append(_output(document, [profile]))
        _profile_notes(profile, rec)
    _tree_notes(groups, rec)
    for profile in ordered:
        _leftovers(profile, rec)
    outputs = _protect(outputs, ordered)
    entries = sorted(
        rec.entries, key=lambda e: (STATUS_ORDER[e.status], e.file, e.line, e.column, e.field)
    )
    return Conversion(
        outputs=tuple(outputs),
        entries=tuple(entries),
        profiles=len(ordered),
        variables=tuple(sorted({n for o in outputs for n in _variables(o.document.body)})),
    )


def _output(document: shapes.Document, profiles: Iterable[ClassicProfile]) -> Output:
    return Output(document, tuple((p.file, p.name) for p in profiles))


def _rules(group: SourceGroup, rec: Recorder) -> list[shapes.MatchingRule]:
    def target(role_group: str, member: str) -> str:
        return shapes.where(
            shapes.KIND_SOURCE_SYSTEM, group.name, f"userMatchingSettings[{role_group}].{member}"
        )

    candidates: list[Candidate] = []
    for profile in group.profiles:
        candidates.extend(profile_rules(profile, rec, target))
    return merge_rules(candidates, rec, target, group.first)


def _years(groups: Sequence[SourceGroup], rec: Recorder) -> list[Output]:
    outputs = []
    for year in sorted({g.year for g in groups}):
        users = [p for g in groups if g.year == year for p in g.profiles]
        document = shapes.year(year.code, year.label, year.start, year.end)
        outputs.append(_output(document, users))
        rec.tree_note(
            Status.GUESSED,
            f"academic year {year.label} (code {year.code}): first day {year.start} and last "
            f"day {year.end} are guessed (1 August to 31 July); set your school's dates. SDS "
            f"allows a start at most a year before {year.ending} and an end at most a year "
            "after, not in the past",
            shapes.where(shapes.KIND_YEAR, year.code),
        )
    return outputs


def _profile_notes(profile: ClassicProfile, rec: Recorder) -> None:
    body = profile.body
    provider = profile.provider_body
    if "id" in body:
        rec.note(
            Status.NO_COUNTERPART,
            profile,
            ("id",),
            "the classic profile's id: new objects get ids of their own",
        )
    if "handleSpecialCharacterConstraint" in body:
        rec.note(
            Status.NO_COUNTERPART,
            profile,
            ("handleSpecialCharacterConstraint",),
            "no such setting in new SDS, which checks names with its own validation rules "
            "(see a run's errors and warnings); nothing to carry",
        )
    if "allowTeachersInMultipleSchools" in provider:
        rec.note(
            Status.NO_COUNTERPART,
            profile,
            ("dataProvider", "allowTeachersInMultipleSchools"),
            "new SDS keeps a person's roles in several schools itself; nothing to carry",
        )
    if "termIds" in provider:
        rec.note(
            Status.NO_COUNTERPART,
            profile,
            ("dataProvider", "termIds"),
            "new SDS reads the academic sessions of the year its inbound flow names, not a "
            "list of terms: check your OneRoster provider marks this year's sessions active",
        )
    _lifecycle_notes(profile, rec)


def _lifecycle_notes(profile: ClassicProfile, rec: Recorder) -> None:
    if profile.paused is True:
        rec.note(
            Status.DECIDE,
            profile,
            ("lifecycle", "paused"),
            "paused: new SDS has no pause. To keep it stopped, delete this profile's flow-set "
            "file (nothing is provisioned) or shorten the inbound flow's expirationDateTime; "
            "`reset` on a flow starts it over",
        )
    elif profile.paused is False:
        rec.note(
            Status.NO_COUNTERPART,
            profile,
            ("lifecycle", "paused"),
            "running: new SDS runs by itself twice a day; nothing to carry",
        )
    if profile.protect:
        rec.note(
            Status.MAPPED,
            profile,
            ("lifecycle", "protect"),
            "→ lifecycle.protect on every object made from this profile (never deleted or "
            "replaced by apply)",
        )
    if profile.ignore_changes:
        rec.note(
            Status.DECIDE,
            profile,
            ("lifecycle", "ignoreChanges"),
            f"{', '.join(profile.ignore_changes)}: classic field paths, not carried. Write "
            "the new objects' paths in their lifecycle.ignoreChanges if you still want them "
            "left alone",
        )


def _tree_notes(groups: Sequence[SourceGroup], rec: Recorder) -> None:
    for year in sorted({g.year for g in groups}):
        sharing = [g for g in groups if g.year == year]
        if len(sharing) < 2:
            continue
        names = ", ".join(repr(g.name) for g in sharing)
        rec.tree_note(
            Status.DECIDE,
            f"{len(sharing)} sources for academic year {year.label}: {names}. New SDS allows "
            "one active inbound flow per academic year and does not support several student "
            "information systems in one tenant: keep one source (delete the other sources' "
            "source-system, connector and inbound-flow files), or merge the data into one set "
            "of CSV files",
            shapes.where(shapes.KIND_YEAR, year.code),
        )


def _leftovers(profile: ClassicProfile, rec: Recorder) -> None:
    for path in rec.unaccounted_leaves(profile):
        rec.note(
            Status.NO_COUNTERPART,
            profile,
            path,
            "no counterpart known to this converter: not carried; check whether you still need it",
        )


def _protect(outputs: list[Output], profiles: Sequence[ClassicProfile]) -> list[Output]:
    protected = {(p.file, p.name) for p in profiles if p.protect}
    return [
        Output(shapes.protected(o.document), o.sources)
        if any(s in protected for s in o.sources)
        else o
        for o in outputs
    ]


def _variables(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        try:
            yield from references(value)
        except ValueError:  # the loader already refused malformed references
            return
    elif isinstance(value, Mapping):
        for child in value.values():
            yield from _variables(child)
    elif isinstance(value, list):
        for child in value:
            yield from _variables(child)
