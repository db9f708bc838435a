"""What SDS makes in Microsoft 365: one provisioning flow set per classic profile.

A classic profile both read a SIS and provisioned users and classes; new SDS splits that into
"Connect data" (`sources.py`) and "Manage data": a flow set per configuration, filtered to the
profile's schools, with a user flow (create or match accounts, licences) and a class-group flow.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reconciler.convert import shapes
from reconciler.convert.classic import ClassicProfile, Identity, Path, Provider
from reconciler.convert.identity import ROLE_GROUPS
from reconciler.convert.report import Recorder, Status
from reconciler.convert.sources import SourceGroup
from reconciler.kinds.skus import sku_label


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


#: Classic optional user columns (SDS v1 CSV headers) → user flow `additionalAttributes`.
USER_COLUMNS = {
    "grade": "userGradeLevel",
    "studentnumber": "userNumber",
    "teachernumber": "userNumber",
}
#: Classic optional section columns → class-group flow `additionalAttributes`.
CLASS_COLUMNS = {
    "coursename": "courseTitle",
    "coursenumber": "courseCode",
    "coursesubject": "courseSubject",
    "coursesisid": "courseExternalId",
    "termname": "academicSessionTitle",
    "termsisid": "academicSessionExternalId",
    "sectionnumber": "classCode",
}
CUSTOMIZED = ("dataProvider", "customizations")
USER_SLOTS = ("student", "teacher")


def flow_set_for(profile: ClassicProfile, group: SourceGroup, rec: Recorder) -> shapes.Document:
    name = profile.name
    rec.note(
        Status.MAPPED,
        profile,
        ("displayName",),
        "→ the provisioning flow set's displayName (it may be renamed later)",
        shapes.where(shapes.KIND_FLOW_SET, name),
    )
    schools = _schools(profile, group, rec)
    flows: list[Mapping[str, Any]] = [_user_flow(profile, rec)]
    class_flow = _class_flow(profile, rec)
    if class_flow is not None:
        flows.append(class_flow)
    _customizations(profile, group, rec)
    rec.anchor(
        Status.DECIDE,
        profile,
        (),
        "classic SDS also made an administrative unit and security groups for each school; "
        "new SDS makes them only with a securityGroupProvisioningFlow and an "
        "administrativeUnitProvisioningFlow: add them to provisioningFlows if you use them",
        _set(name, "provisioningFlows"),
    )
    return shapes.flow_set(name, schools, flows)


def _set(name: str, member: str = "") -> str:
    return shapes.where(shapes.KIND_FLOW_SET, name, member)


def _schools(profile: ClassicProfile, group: SourceGroup, rec: Recorder) -> list[str]:
    path: Path = ("dataProvider", "schoolsIds")
    schools = [str(s) for s in profile.list_at("dataProvider", "schoolsIds")]
    target = _set(profile.name, "filter")
    if schools and profile.provider is Provider.POWERSCHOOL:
        rec.note(
            Status.GUESSED,
            profile,
            path,
            f"{', '.join(schools)} → a basicFilter on orgExternalId. These are PowerSchool "
            "school ids: check each equals the sourcedId of the school (org) PowerSchool's "
            "OneRoster endpoint returns",
            target,
        )
    elif schools:
        rec.note(
            Status.MAPPED,
            profile,
            path,
            f"{', '.join(schools)} → basicFilter orgExternalId in",
            target,
        )
    elif len(group.profiles) > 1:
        rec.note(
            Status.DECIDE,
            profile,
            path if "schoolsIds" in profile.provider_body else ("dataProvider",),
            f"no schools listed, and {len(group.profiles)} profiles share the source "
            f"{group.name!r}: this flow set applies to every school in the data. Add a filter "
            "(basicFilter, attribute orgExternalId, in: [school ids]) so each school is "
            "provisioned by one configuration",
            target,
            account="schoolsIds" in profile.provider_body,
        )
    elif "schoolsIds" in profile.provider_body:
        rec.note(
            Status.MAPPED,
            profile,
            path,
            "no schools listed → no filter: every school in the data",
            target,
        )
    return schools


def _user_flow(profile: ClassicProfile, rec: Recorder) -> Mapping[str, Any]:
    name = profile.name
    target = _set(name, "provisioningFlows[userProvisioningFlow]")
    creating = profile.identity is Identity.CREATION
    rec.note(
        Status.MAPPED,
        profile,
        ("identitySynchronizationConfiguration", "@odata.type"),
        (
            "SDS creates accounts → a user flow with createUnmatchedUsers: true"
            if creating
            else "SDS matches existing accounts → a user flow with createUnmatchedUsers: false"
        ),
        f"{target}.createUnmatchedUsers",
    )
    licences = _licences(profile, rec, target, creating)
    creations: list[shapes.UserCreation] = []
    if creating:
        groups = [
            ROLE_GROUPS[str(d.get("appliesTo")).lower()]
            for d in profile.list_at("identitySynchronizationConfiguration", "userDomains")
            if isinstance(d, Mapping) and str(d.get("appliesTo")).lower() in ROLE_GROUPS
        ]
        for group in (shapes.STAFF, shapes.STUDENTS):
            if group in groups or group in licences:
                creations.append(shapes.UserCreation(group, tuple(licences.get(group, ()))))
        rec.anchor(
            Status.DECIDE,
            profile,
            ("identitySynchronizationConfiguration",),
            "passwords: new SDS can give the accounts it creates one default password "
            "(creationOptions.configurations[].defaultPasswordSettings, a simplePasswordSettings "
            "with password: ${NAME}); classic had no such setting. None written: decide how new "
            "users get their first password",
            f"{target}.creationOptions",
        )
    rec.anchor(
        Status.GUESSED,
        profile,
        (),
        "managementOptions: allowStudentContactAssociation false and no studentAgeGroup "
        "(classic had neither). Set studentAgeGroup (minor, notAdult, adult) if Microsoft 365 "
        "should treat students by age",
        f"{target}.managementOptions",
    )
    return shapes.user_flow(
        create_unmatched=creating,
        creations=creations,
        additional_attributes=_user_attributes(profile),
    )


def _licences(
    profile: ClassicProfile, rec: Recorder, target: str, creating: bool
) -> dict[str, list[str]]:
    """SKUs per role group (teacher and faculty both staff: the union, in written order)."""
    out: dict[str, list[str]] = {}
    entries = profile.list_at("licensesToAssign")
    for index, entry in enumerate(entries):
        path: Path = ("licensesToAssign", index)
        if not isinstance(entry, Mapping):
            continue
        role = str(entry.get("appliesTo"))
        group = ROLE_GROUPS.get(role.lower())
        skus = [str(s) for s in entry.get("skuIds") or []]
        names = ", ".join(sku_label(s) for s in skus) or "no SKUs"
        if group is None:
            rec.note(
                Status.NO_COUNTERPART,
                profile,
                path,
                f"licences for role {role!r}: no role group in new SDS; not carried",
            )
            continue
        if not creating:
            rec.note(
                Status.DECIDE,
                profile,
                path,
                f"{role}: {names} — not written. Licences moved out of SDS for accounts it "
                "does not create, and this profile matched existing accounts: assign these "
                "licences with group-based licensing in Entra (e.g. on a security group of "
                "the role), or turn on createUnmatchedUsers and list them in creationOptions",
                target,
            )
            continue
        known = out.setdefault(group, [])
        before = {s.lower() for s in known}
        merged = bool(known) and any(s.lower() not in before for s in skus)
        known.extend(s for s in skus if s.lower() not in before)
        rec.note(
            Status.MAPPED,
            profile,
            path,
            f"{role}: {names} → licenseSkus of role group {group}"
            + (" (merged with the other staff role's licences)" if merged else ""),
            f"{target}.creationOptions.configurations[{group}].licenseSkus",
        )
    if out:
        rec.anchor(
            Status.DECIDE,
            profile,
            ("licensesToAssign",),
            "licences moved out of SDS except for the accounts it creates: these SKUs go only "
            "to new accounts. Accounts that exist already, and people whose role changes, are "
            "no longer licensed by SDS: license them with group-based licensing in Entra",
            target,
        )
    return out


def _columns(profile: ClassicProfile, slot: str) -> list[str]:
    return [str(c) for c in profile.list_at(*CUSTOMIZED, slot, "optionalPropertiesToSync")]


def _user_attributes(profile: ClassicProfile) -> list[str]:
    found: list[str] = []
    for slot in USER_SLOTS:
        for column in _columns(profile, slot):
            attribute = USER_COLUMNS.get(_squash(column))
            if attribute and attribute not in found:
                found.append(attribute)
    return sorted(found, key=shapes.USER_ATTRIBUTES.index)


def _section(profile: ClassicProfile) -> Mapping[str, Any]:
    value: Any = profile.provider_body.get("customizations")
    value = value.get("section") if isinstance(value, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _class_flow(profile: ClassicProfile, rec: Recorder) -> Mapping[str, Any] | None:
    section = _section(profile)
    target = _set(profile.name, "provisioningFlows[classGroupProvisioningFlow]")
    path: Path = (*CUSTOMIZED, "section")
    if section.get("isSyncDeferred") is True:
        rec.note(
            Status.MAPPED,
            profile,
            (*path, "isSyncDeferred"),
            "class sync deferred → no class-group flow in this set (add one when you want SDS "
            "to make class groups)",
            _set(profile.name, "provisioningFlows"),
        )
        return None
    allow = section.get("allowDisplayNameUpdate")
    if isinstance(allow, bool):
        rec.note(
            Status.MAPPED,
            profile,
            (*path, "allowDisplayNameUpdate"),
            f"{str(allow).lower()} → writeDisplayNameOnCreateOnly: {str(not allow).lower()}",
            f"{target}.configuration.additionalOptions.writeDisplayNameOnCreateOnly",
        )
    attributes = []
    for column in _columns(profile, "section"):
        attribute = CLASS_COLUMNS.get(_squash(column))
        if attribute and attribute not in attributes:
            attributes.append(attribute)
    attributes.sort(key=shapes.CLASS_ATTRIBUTES.index)
    rec.anchor(
        Status.DECIDE,
        profile,
        (),
        "class groups: classic SDS made a group for every class. Written: a class-group flow "
        "(teachers own, students join) with createTeam: false. Set createTeam: true for a class "
        "team per class"
        + ("" if attributes else "; list extra class attributes in additionalAttributes"),
        f"{target}.configuration",
    )
    return shapes.class_group_flow(
        additional_attributes=attributes,
        create_team=False,
        write_display_name_on_create_only=not allow if isinstance(allow, bool) else True,
    )


def _customizations(profile: ClassicProfile, group: SourceGroup, rec: Recorder) -> None:
    slots = profile.provider_body.get("customizations")
    if not isinstance(slots, Mapping):
        return
    for slot, settings in slots.items():
        if not isinstance(settings, Mapping):
            continue
        for member, value in settings.items():
            path: Path = (*CUSTOMIZED, slot, member)
            if rec.is_accounted(profile, path):
                continue
            if member == "optionalPropertiesToSync":
                _optional_columns(profile, slot, path, value, rec)
            elif member == "isSyncDeferred":
                _deferred(profile, slot, path, value, rec)
            elif member == "synchronizationStartDate":
                _start_date(profile, group, path, value, rec)
            elif member == "allowDisplayNameUpdate":
                rec.note(
                    Status.NO_COUNTERPART,
                    profile,
                    path,
                    f"no {slot} display-name setting in new SDS (only class groups have one: "
                    "writeDisplayNameOnCreateOnly); nothing to carry",
                )


def _optional_columns(
    profile: ClassicProfile, slot: str, path: Path, value: Any, rec: Recorder
) -> None:
    columns = [str(c) for c in value] if isinstance(value, list) else []
    table = USER_COLUMNS if slot in USER_SLOTS else CLASS_COLUMNS if slot == "section" else {}
    if slot == "section" and _section(profile).get("isSyncDeferred") is True:
        table = {}  # no class-group flow to take them
    flow = "userProvisioningFlow" if slot in USER_SLOTS else "classGroupProvisioningFlow"
    member = "managementOptions" if slot in USER_SLOTS else "configuration"
    mapped = [c for c in columns if _squash(c) in table]
    rest = [c for c in columns if _squash(c) not in table]
    if mapped:
        attributes = ", ".join(f"{c} → {table[_squash(c)]}" for c in mapped)
        rec.note(
            Status.MAPPED,
            profile,
            path,
            attributes,
            _set(profile.name, f"provisioningFlows[{flow}].{member}.additionalAttributes"),
        )
    if rest or not columns:
        listed = ", ".join(rest) if rest else "(none listed)"
        rec.note(
            Status.NO_COUNTERPART,
            profile,
            path,
            f"{slot} columns {listed}: new SDS reads every column of your data into its "
            "data lake and has no per-column choice"
            + (
                "; only grade and number are written to users (userGradeLevel, userNumber)"
                if slot in USER_SLOTS
                else "; class groups take the attributes listed in additionalAttributes"
                if slot == "section"
                else ""
            ),
        )


def _deferred(profile: ClassicProfile, slot: str, path: Path, value: Any, rec: Recorder) -> None:
    if value is not True:
        rec.note(Status.NO_COUNTERPART, profile, path, "false (the default): nothing to carry")
        return
    if slot in USER_SLOTS:
        rec.note(
            Status.DECIDE,
            profile,
            path,
            f"{slot} sync deferred: new SDS cannot defer one kind of user; the user flow "
            "manages staff and students alike. Remove the user flow from provisioningFlows "
            "until SDS should manage users",
            _set(profile.name, "provisioningFlows[userProvisioningFlow]"),
        )
        return
    rec.note(
        Status.NO_COUNTERPART,
        profile,
        path,
        f"{slot} sync deferred: new SDS has no deferral for {slot} data; it reads all of it",
    )


def _start_date(
    profile: ClassicProfile, group: SourceGroup, path: Path, value: Any, rec: Recorder
) -> None:
    text = str(value or "")
    if not text or text.startswith("0001-01-01"):
        rec.note(Status.NO_COUNTERPART, profile, path, "unset: nothing to carry")
        return
    start = shapes.instant_text(group.year.start)
    rec.note(
        Status.DECIDE,
        profile,
        path,
        f"{text}: new SDS has no start date per kind of data. The inbound flow's "
        f"effectiveDateTime ({start}) says when runs may begin: move it to this date if the "
        "whole sync should wait",
        shapes.where(shapes.KIND_INBOUND_FLOW, group.flow_name, "effectiveDateTime"),
    )
