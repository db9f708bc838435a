"""The plan in plain words, for reviewers who do not read field paths: a head teacher, a
data-protection officer. "Teachers synced by *Contoso PowerSchool* will also get licence
*Office 365 A1 for faculty*."

Generic over the plan model: each kind has a table of field-path patterns (`[*]` matches any
keyed-list item) to phrase functions; a field no row covers is counted, not spelled out (the
detailed section below shows it). New kinds add a table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler import fieldpaths
from reconciler.engine.model import Action, Change, Plan
from reconciler.kinds.skus import sku_label

#: (profile name, keys matched by `[*]`, before, after, action) → sentences
Phrase = Callable[[str, Sequence[str], Any, Any, Action], list[str]]

ROLES = {"student": "Students", "teacher": "Teachers", "faculty": "Staff", "none": "Users"}
SLOTS = {
    "student": "student",
    "teacher": "teacher",
    "school": "school",
    "section": "class",
    "studentEnrollment": "student enrolment",
    "teacherRoster": "teacher roster",
}
PROVIDERS = {
    "educationcsvdataprovider": "CSV files uploaded to SDS",
    "educationpowerschooldataprovider": "PowerSchool",
    "educationonerosterapidataprovider": "a OneRoster API",
}
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def em(text: object) -> str:
    """Text in italics, its markdown characters escaped (names come from YAML)."""
    escaped = _MARKDOWN.sub(r"\\\1", str(text))
    return f"*{escaped}*"


def _listing(items: Iterable[object]) -> str:
    return ", ".join(str(i) for i in items)


def _as_set(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [] if value is None else [str(value)]


def _added_removed(before: Any, after: Any) -> tuple[list[str], list[str]]:
    old, new = _as_set(before), _as_set(after)
    lowered = {o.lower() for o in old}
    added = [n for n in new if n.lower() not in lowered]
    kept = {n.lower() for n in new}
    return added, [o for o in old if o.lower() not in kept]


def _account(keys: Sequence[str]) -> str:
    """`student` in "new student accounts"."""
    key = keys[0] if keys else ""
    return {"faculty": "staff", "none": "user"}.get(key.lower(), key.lower() or "user")


def _role(keys: Sequence[str]) -> str:
    key = keys[0] if keys else ""
    return ROLES.get(key.lower(), f"Users with role {key}")


def _licences(skus: Iterable[str]) -> str:
    return ", ".join(em(sku_label(s)) for s in skus)


def licences(name: str, keys: Sequence[str], before: Any, after: Any, action: Action) -> list[str]:
    def skus(value: Any) -> Any:
        return value.get("skuIds") if isinstance(value, dict) else value

    added, removed = _added_removed(skus(before), skus(after))
    who = f"{_role(keys)} synced by {em(name)}"
    out = []
    if added:
        also = "also " if skus(before) else ""
        plural = "licences" if len(added) > 1 else "licence"
        out.append(f"{who} will {also}get {plural} {_licences(added)}")
    if removed:
        plural = "licences" if len(removed) > 1 else "licence"
        out.append(f"{who} will no longer get {plural} {_licences(removed)}")
    return out


def _set_phrase(one: str, many: str) -> Phrase:
    def phrase(
        name: str, keys: Sequence[str], before: Any, after: Any, action: Action
    ) -> list[str]:
        added, removed = _added_removed(before, after)
        out = []
        for items, verb in ((added, "start"), (removed, "stop")):
            if items:
                what = one if len(items) == 1 else many
                out.append(f"{what} {_listing(items)} will {verb} syncing through {em(name)}")
        return out

    return phrase


def school_year(
    name: str, keys: Sequence[str], before: Any, after: Any, action: Action
) -> list[str]:
    if after is None:
        return [f"{em(name)} will no longer name a school year"]
    was = f" instead of {before}" if before is not None else ""
    return [f"{em(name)} will sync school year {after}{was}"]


def expiration(
    name: str, keys: Sequence[str], before: Any, after: Any, action: Action
) -> list[str]:
    if after is None:
        return [f"{em(name)} will keep syncing with no end date (it was to stop on {before})"]
    was = f" instead of {before}" if before is not None else ""
    return [f"{em(name)} will stop syncing on {after}{was}"]


def optional_properties(
    name: str, keys: Sequence[str], before: Any, after: Any, action: Action
) -> list[str]:
    slot = SLOTS.get(keys[0], keys[0]) if keys else "entity"
    if after is None:
        return [f"{em(name)} will sync every optional {slot} property"]
    added, removed = _added_removed(before, after)
    out = []
    if added:
        also = "also " if before else ""
        out.append(f"{em(name)} will {also}sync these {slot} properties: {_listing(added)}")
    if removed:
        out.append(f"{em(name)} will no longer sync these {slot} properties: {_listing(removed)}")
    return out


def start_date(
    name: str, keys: Sequence[str], before: Any, after: Any, action: Action
) -> list[str]:
    slot = SLOTS.get(keys[0], keys[0]) if keys else "entity"
    if after is None:
        return [f"{em(name)} will sync {slot} data as soon as the profile is set up"]
    return [f"{em(name)} will start syncing {slot} data on {after}"]


def deferred(name: str, keys: Sequence[str], before: Any, after: Any, action: Action) -> list[str]:
    slot = SLOTS.get(keys[0], keys[0]) if keys else "entity"
    state = "be postponed" if after else "no longer be postponed"
    return [f"Syncing {slot} data in {em(name)} will {state}"]


def display_name_updates(
    name: str, keys: Sequence[str], before: Any, after: Any, action: Action
) -> list[str]:
    slot = SLOTS.get(keys[0], keys[0]) if keys else "entity"
    will = "will" if after else "will no longer"
    return [f"{em(name)} {will} overwrite {slot} display names"]


def user_domain(
    name: str, keys: Sequence[str], before: Any, after: Any, action: Action
) -> list[str]:
    domain = after.get("name") if isinstance(after, dict) else after
    who = _account(keys)
    if domain is None:
        return [f"{em(name)} will no longer create {who} accounts"]
    return [f"New {who} accounts created by {em(name)} will use the domain {domain}"]


def matching(name: str, keys: Sequence[str], before: Any, after: Any, action: Action) -> list[str]:
    who = _account(keys)
    if action is Action.CREATE:
        return [f"{em(name)} will match existing {who} accounts instead of creating them"]
    return [f"How {em(name)} matches existing {who} accounts changes"]


def identity_type(
    name: str, keys: Sequence[str], before: Any, after: Any, action: Action
) -> list[str]:
    creates = "creation" in str(after).lower()
    if creates:
        return [f"{em(name)} will create new user accounts"]
    return [f"{em(name)} will match existing user accounts and never create any"]


def provider(name: str, keys: Sequence[str], before: Any, after: Any, action: Action) -> list[str]:
    def label(value: Any) -> str:
        return PROVIDERS.get(str(value).lower(), str(value))

    was = f" instead of {label(before)}" if before is not None else ""
    return [f"{em(name)} will read roster data from {label(after)}{was}"]


def connection(
    name: str, keys: Sequence[str], before: Any, after: Any, action: Action
) -> list[str]:
    if action is Action.CREATE:
        return []
    return [f"{em(name)} will connect to its student information system with changed settings"]


def connection_url(
    name: str, keys: Sequence[str], before: Any, after: Any, action: Action
) -> list[str]:
    if action is Action.CREATE:
        return []
    return [f"{em(name)} will read from {after} instead of {before}"]


def rename(name: str, keys: Sequence[str], before: Any, after: Any, action: Action) -> list[str]:
    if action is Action.CREATE or before is None:
        return []
    return [f"The profile {em(before)} will be renamed {em(after)}"]


def _switch(on: str, off: str) -> Phrase:
    def phrase(
        name: str, keys: Sequence[str], before: Any, after: Any, action: Action
    ) -> list[str]:
        if action is Action.CREATE and not after:
            return []
        return [f"{em(name)} will {on if after else off}"]

    return phrase


def _silent(name: str, keys: Sequence[str], before: Any, after: Any, action: Action) -> list[str]:
    return []


PEOPLE = "Students and teachers"

SYNC_PROFILE_PHRASES: tuple[tuple[str, Phrase], ...] = (
    ("licensesToAssign[*]", licences),
    ("licensesToAssign[*].skuIds", licences),
    ("licensesToAssign[*].appliesTo", _silent),
    ("dataProvider.schoolsIds", _set_phrase(f"{PEOPLE} at school", f"{PEOPLE} at schools")),
    ("dataProvider.termIds", _set_phrase("Term", "Terms")),
    ("dataProvider.schoolYear", school_year),
    ("expirationDate", expiration),
    ("dataProvider.customizations.*.optionalPropertiesToSync", optional_properties),
    ("dataProvider.customizations.*.synchronizationStartDate", start_date),
    ("dataProvider.customizations.*.isSyncDeferred", deferred),
    ("dataProvider.customizations.*.allowDisplayNameUpdate", display_name_updates),
    ("identitySynchronizationConfiguration.@odata.type", identity_type),
    ("identitySynchronizationConfiguration.userDomains[*]", user_domain),
    ("identitySynchronizationConfiguration.userDomains[*].name", user_domain),
    ("identitySynchronizationConfiguration.matchingOptions[*]", matching),
    ("identitySynchronizationConfiguration.matchingOptions[*].*", matching),
    ("dataProvider.@odata.type", provider),
    ("dataProvider.connectionUrl", connection_url),
    ("dataProvider.clientId", connection),
    ("dataProvider.clientSecret", connection),
    ("dataProvider.providerName", connection),
    ("dataProvider.connectionSettings.*", connection),
    ("dataProvider.connectionSettings.@odata.type", connection),
    ("displayName", rename),
    ("handleSpecialCharacterConstraint", _switch(
        "replace special characters the directory does not accept",
        "no longer replace special characters the directory does not accept",
    )),
    ("dataProvider.allowTeachersInMultipleSchools", _switch(
        "let one teacher belong to several schools",
        "no longer let one teacher belong to several schools",
    )),
    ("lifecycle.paused", _silent),  # said by the pause/resume sentence
)  # fmt: skip

#: Per kind name; kinds without a table get the action sentences and a count of fields.
PHRASES: dict[str, tuple[tuple[str, Phrase], ...]] = {
    "synchronizationProfile": SYNC_PROFILE_PHRASES,
}


@dataclass(frozen=True)
class _Rule:
    segments: tuple[str, ...]
    phrase: Phrase

    def match(self, path: tuple[str, ...]) -> list[str] | None:
        """The keys `[*]` (and `*`) matched, or None when the path is another one."""
        if len(path) != len(self.segments):
            return None
        keys = []
        for pattern, segment in zip(self.segments, path, strict=True):
            if pattern == "[*]" and segment.startswith("["):
                keys.append(segment[1:-1])
            elif pattern == "*" and not segment.startswith("["):
                keys.append(segment)
            elif pattern != segment:
                return None
        return keys


def _rules(kind: str) -> list[_Rule]:
    return [_Rule(fieldpaths.parse(p), f) for p, f in PHRASES.get(kind, ())]


ACTION_SENTENCES = {
    Action.CREATE: "The profile {name} will be created",
    Action.DELETE: "The profile {name} will be deleted",
    Action.REPLACE: "The profile {name} will be deleted and created again (its sync history "
    "and status are lost)",
    Action.PAUSE: "Syncing of {name} will be paused",
    Action.RESUME: "Syncing of {name} will resume",
}


def describe_change(change: Change) -> list[str]:
    """Sentences for one pending change, the action first."""
    name = change.name
    sentences = []
    if change.action in ACTION_SENTENCES:
        sentences.append(ACTION_SENTENCES[change.action].format(name=em(name)))
    if change.action in (Action.DELETE, Action.PAUSE, Action.RESUME):
        return sentences
    rules = _rules(change.kind.name)
    unexplained = 0
    for field in change.fields:
        try:
            path = fieldpaths.parse(field.path)
        except ValueError:
            unexplained += 1
            continue
        before, after = field.before, field.after  # Graph-shaped already (lists as lists)
        for rule in rules:
            keys = rule.match(path)
            if keys is not None:
                sentences.extend(rule.phrase(name, keys, before, after, change.action))
                break
        else:
            unexplained += change.action is not Action.CREATE
    if unexplained:
        plural = "settings change" if unexplained > 1 else "setting changes"
        sentences.append(f"{em(name)}: {unexplained} other {plural} (see the details below)")
    if change.then in (Action.PAUSE, Action.RESUME):
        sentences.append(ACTION_SENTENCES[change.then].format(name=em(name)))
    return list(dict.fromkeys(sentences))  # in order, without repeats


def describe_plan(plan: Plan) -> list[str]:
    """Every pending change in plain words; destructive ones first."""
    order = {Action.DELETE: 0, Action.REPLACE: 1}
    pending = sorted(plan.pending, key=lambda c: order.get(c.action, 2))
    return [sentence for change in pending for sentence in describe_change(change)]
