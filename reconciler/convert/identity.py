"""Classic identity rules → `userMatchingSettings` per role group.

Classic profiles had one rule per role (`student`, `teacher`, `faculty`); new SDS has one per
role group of a source system (`students`, `staff`). Classic rules named columns and Entra
properties as free text; new SDS takes codes from two reference lists, so each value is looked
up in the tables below (documented in README "Moving from classic SDS") and every value that is
not an exact documented equivalent gets a report line for the admin's check.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.convert.classic import ClassicProfile, Identity, Path
from reconciler.convert.report import Recorder, Status
from reconciler.convert.shapes import (
    MATCH_TARGETS,
    SOURCE_IDENTIFIERS,
    STAFF,
    STUDENTS,
    MatchingRule,
)

#: Classic `appliesTo` roles → role groups (reference §6). `none` has no role group.
ROLE_GROUPS = {"student": STUDENTS, "teacher": STAFF, "faculty": STAFF}
#: Staff first: Microsoft's create example orders them so, and SDS applies the staff rule when
#: a person's primary role is not marked (SDS "User identity rules").
PRIORITY = {STAFF: 0, STUDENTS: 1}

#: What is written when a role group has no classic rule: Microsoft's own examples.
DEFAULT_SOURCE = "username"
DEFAULT_TARGET = "userPrincipalName"


@dataclass(frozen=True)
class Lookup:
    code: str | None
    #: True when the classic value means exactly the code; False for a guess by meaning.
    exact: bool
    why: str = ""


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


#: Classic source columns (case-insensitive, spaces ignored) → `RefIdentifierType` code.
SOURCE_TABLE: Mapping[str, Lookup] = {
    "username": Lookup("username", True),
    "email": Lookup("email", True),
    "mail": Lookup("email", True),
    "emailaddress": Lookup("email", True),
    "secondaryemail": Lookup(
        "email", False, "new SDS reads the one email address of each person in your data"
    ),
}
#: Classic Entra properties → `RefUserMatchTarget` code.
TARGET_TABLE: Mapping[str, Lookup] = {
    "userprincipalname": Lookup("userPrincipalName", True),
    "upn": Lookup("userPrincipalName", True),
    "mail": Lookup("mail", True),
    "email": Lookup("mail", True),
}


def lookup_source(text: str) -> Lookup:
    return SOURCE_TABLE.get(_squash(text), Lookup(None, False))


def lookup_target(text: str) -> Lookup:
    return TARGET_TABLE.get(_squash(text), Lookup(None, False))


@dataclass(frozen=True)
class Candidate:
    """A rule one classic profile asks for, and where it was written."""

    rule: MatchingRule
    profile: ClassicProfile
    path: Path

    def same_as(self, other: Candidate) -> bool:
        a, b = self.rule, other.rule
        return (a.source_identifier, a.match_target, (a.domain_name or "").lower()) == (
            b.source_identifier,
            b.match_target,
            (b.domain_name or "").lower(),
        )


Target = Callable[[str, str], str]


def profile_rules(profile: ClassicProfile, rec: Recorder, target: Target) -> list[Candidate]:
    """The rules one profile's identity configuration asks for (first per role group wins)."""
    if profile.identity is Identity.CREATION:
        found = _creation_rules(profile, rec, target)
    else:
        found = _matching_rules(profile, rec, target)
    rec.account(profile, ("identitySynchronizationConfiguration", "@odata.type"))
    chosen: dict[str, Candidate] = {}
    for candidate in found:
        group = candidate.rule.role_group
        first = chosen.get(group)
        if first is None:
            chosen[group] = candidate
        elif not first.same_as(candidate):
            rec.note(
                Status.DECIDE,
                profile,
                candidate.path,
                f"teacher and faculty both become the role group {group}, which has one rule; "
                f"kept the rule written first ({_describe(first.rule)}), not this one "
                f"({_describe(candidate.rule)}): make the staff data match one rule",
                target(group, "sourceIdentifier"),
            )
    return list(chosen.values())


def _role_group(profile: ClassicProfile, path: Path, role: Any, rec: Recorder) -> str | None:
    group = ROLE_GROUPS.get(str(role).lower())
    if group is None:
        rec.note(
            Status.NO_COUNTERPART,
            profile,
            path,
            f"role {role!r} has no role group in new SDS (only staff and students): not carried",
        )
    return group


def _per_role_group(
    profile: ClassicProfile, member: str, rec: Recorder, target: Target
) -> Iterator[tuple[Path, Mapping[str, Any], str]]:
    """Each item of `identitySynchronizationConfiguration.{member}` whose `appliesTo` has a
    role group in new SDS, with its path and that group (the mapping of `appliesTo` noted);
    an item for a role new SDS lacks is accounted for and skipped."""
    for index, entry in enumerate(profile.identity_body.get(member) or []):
        path: Path = ("identitySynchronizationConfiguration", member, index)
        if not isinstance(entry, Mapping):
            continue
        group = _role_group(profile, (*path, "appliesTo"), entry.get("appliesTo"), rec)
        if group is None:
            rec.account(profile, path)
            continue
        rec.note(
            Status.MAPPED,
            profile,
            (*path, "appliesTo"),
            f"{entry.get('appliesTo')} → role group {group}",
            target(group, "roleGroup"),
        )
        yield path, entry, group


def _creation_rules(profile: ClassicProfile, rec: Recorder, target: Target) -> list[Candidate]:
    found = []
    for path, entry, group in _per_role_group(profile, "userDomains", rec, target):
        domain = str(entry.get("name") or "") or None
        rule = MatchingRule(group, DEFAULT_SOURCE, DEFAULT_TARGET, PRIORITY[group], domain)
        rec.note(
            Status.MAPPED,
            profile,
            (*path, "name"),
            f"{domain} → domainName, the domain new SDS appends to build the user name of "
            "accounts it creates (domainName is undocumented in Graph; Microsoft's own tools "
            "send it: check the SDS portal shows the domain after the first apply)",
            target(group, "domainName"),
        )
        rec.note(
            Status.GUESSED,
            profile,
            path,
            f"classic SDS named the accounts it created after the SIS username; new SDS names "
            f"them by the identity rule: sourceIdentifier {DEFAULT_SOURCE}, matchTarget "
            f"{DEFAULT_TARGET}, so a {group} account is username@{domain}. Change the rule if "
            "your accounts are named otherwise",
            target(group, "sourceIdentifier"),
        )
        found.append(Candidate(rule, profile, path))
    return found


def _matching_rules(profile: ClassicProfile, rec: Recorder, target: Target) -> list[Candidate]:
    found = []
    for path, entry, group in _per_role_group(profile, "matchingOptions", rec, target):
        source = _mapped_code(
            profile,
            rec,
            (*path, "sourcePropertyName"),
            str(entry.get("sourcePropertyName") or ""),
            lookup_source,
            SOURCE_IDENTIFIERS,
            DEFAULT_SOURCE,
            "sourceIdentifier",
            "source identifier",
            target(group, "sourceIdentifier"),
        )
        match = _mapped_code(
            profile,
            rec,
            (*path, "targetPropertyName"),
            str(entry.get("targetPropertyName") or ""),
            lookup_target,
            MATCH_TARGETS,
            DEFAULT_TARGET,
            "matchTarget",
            "Entra property to match",
            target(group, "matchTarget"),
        )
        domain = entry.get("targetDomain")
        if domain:
            rec.note(
                Status.MAPPED,
                profile,
                (*path, "targetDomain"),
                f"{domain} → domainName, appended to the source value before matching "
                "(domainName is undocumented in Graph; Microsoft's own tools send it: check the "
                "SDS portal shows the domain after the first apply)",
                target(group, "domainName"),
            )
        else:
            rec.account(profile, (*path, "targetDomain"))
        rule = MatchingRule(group, source, match, PRIORITY[group], str(domain) if domain else None)
        found.append(Candidate(rule, profile, path))
    return found


def _mapped_code(
    profile: ClassicProfile,
    rec: Recorder,
    path: Path,
    text: str,
    lookup: Callable[[str], Lookup],
    documented: Sequence[str],
    default: str,
    member: str,
    what: str,
    target: str,
) -> str:
    found = lookup(text)
    if found.code and found.exact:
        rec.note(Status.MAPPED, profile, path, f"{text} → {member} {found.code}", target)
        return found.code
    if found.code:
        rec.note(
            Status.GUESSED,
            profile,
            path,
            f"{text} → {member} {found.code}: {found.why}; check that it holds the same values",
            target,
        )
        return found.code
    rec.note(
        Status.DECIDE,
        profile,
        path,
        f"{text!r} has no counterpart among new SDS's {what}s (documented: "
        f"{', '.join(documented)}); wrote {default}. Accounts only match if that value equals "
        f"the one you matched on before: change {member}, or fix the data, before the first run",
        target,
    )
    return default


def merge_rules(
    candidates: Sequence[Candidate], rec: Recorder, target: Target, first: ClassicProfile
) -> list[MatchingRule]:
    """One rule per role group for a source system shared by several profiles: the first
    profile's rule wins, others that differ are reported; a missing role group gets Microsoft's
    default rule."""
    kept: dict[str, Candidate] = {}
    for candidate in candidates:
        group = candidate.rule.role_group
        if group not in kept:
            kept[group] = candidate
            continue
        winner = kept[group]
        if not winner.same_as(candidate):
            rec.note(
                Status.DECIDE,
                candidate.profile,
                candidate.path,
                f"this profile's {group} rule ({_describe(candidate.rule)}) differs from the one "
                f"kept from {winner.profile.name!r} ({_describe(winner.rule)}): a source system "
                "has one rule per role group in new SDS. Make the data fit one rule",
                target(group, "sourceIdentifier"),
            )
    rules = [c.rule for c in kept.values()]
    for group in (STAFF, STUDENTS):
        if group in kept:
            continue
        rec.anchor(
            Status.GUESSED,
            first,
            ("identitySynchronizationConfiguration",),
            f"no classic rule for {group}; new SDS wants one per role group: wrote "
            f"{DEFAULT_SOURCE} → {DEFAULT_TARGET} (Microsoft's example)",
            target(group, "sourceIdentifier"),
        )
        rules.append(MatchingRule(group, DEFAULT_SOURCE, DEFAULT_TARGET, PRIORITY[group]))
    return sorted(rules, key=lambda r: r.priority_order)


def _describe(rule: MatchingRule) -> str:
    domain = f" @{rule.domain_name}" if rule.domain_name else ""
    return f"{rule.source_identifier}{domain} → {rule.match_target}"
