"""The pure parts: the reviewed-plan record, plain-language phrases, school warnings, the
Actions context and the comment layout (table-driven, no I/O)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from reconciler.engine.diff import FieldDiff
from reconciler.engine.model import Action, Change, Create, Modify, Plan, Remove, Subject
from reconciler.github.context import ActionsContext, output_lines
from reconciler.github.phrases import describe_change, describe_plan, em
from reconciler.github.record import (
    change_digest,
    differences,
    normalise_path,
    parse_record,
    plan_marker,
    record_of,
    render_record,
    stale_cause,
)
from reconciler.github.report import Where, plan_comment
from reconciler.github.school_checks import (
    SyncHealth,
    academic_year_end,
    change_warnings,
    expiry_problem,
    school_year_problem,
)
from reconciler.kinds import KINDS
from reconciler.objects import DesiredObject

KIND = KINDS["synchronizationProfile"]
NAME = "Contoso PowerSchool"


def change(
    action: Action,
    *fields: FieldDiff,
    name: str = NAME,
    then: Action | None = None,
    id: str | None = "p1",
) -> Change:
    desired = DesiredObject(KIND, "p.yaml", 1, 1, {"displayName": name})
    subject: Subject = {
        Action.CREATE: Create(desired),
        Action.DELETE: Remove({"id": id, "displayName": name}),
    }.get(action, Modify({"id": id, "displayName": name}, desired))
    return Change(
        KIND,
        name,
        id if action is not Action.CREATE else None,
        action,
        subject,
        tuple(fields),
        "sha256:f" if id else None,
        then=then,
    )


def document(*changes: dict, digest: str = "sha256:d") -> dict:
    return {
        "graph_url": "https://graph.microsoft.com/beta",
        "desired_path": "./desired-state/",
        "desired_digest": digest,
        "changes": list(changes),
    }


UPDATE = {
    "kind": "synchronizationProfile",
    "name": NAME,
    "id": "p1",
    "action": "update",
    "fields": [{"path": "dataProvider.schoolsIds", "before": ["101"], "after": ["101", "205"]}],
    "fingerprint": "sha256:aaa",
    "warnings": [],
}
NOOP = {
    "kind": "synchronizationProfile",
    "name": "Other",
    "id": "p2",
    "action": "noop",
    "fields": [],
    "fingerprint": "sha256:bbb",
    "warnings": [],
}


# -- paths and markers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("desired-state", "desired-state"),
        ("./desired-state/", "desired-state"),
        ("desired-state//", "desired-state"),
        (".\\\\tenants\\\\a", "tenants/a"),
        ("", "."),
    ],
)
def test_paths_are_normalised(given: str, expected: str) -> None:
    assert normalise_path(given) == expected


def test_a_marker_cannot_end_its_html_comment() -> None:
    assert plan_marker("we-->ird") == "<!-- edusync-reconcile:plan:we--%3Eird -->"


# -- the record ------------------------------------------------------------------------------------


def test_record_covers_pending_changes_only_and_ignores_warnings_and_times() -> None:
    base = record_of(document(UPDATE, NOOP))
    assert [c["name"] for c in base["changes"]] == [NAME]
    assert base["path"] == "desired-state"
    noisy = record_of(
        {
            **document(
                {**UPDATE, "warnings": ["needs delegated sign-in"]},
                {**NOOP, "fingerprint": "sha256:zzz"},
            ),
            "created_at": "later",
            "tool_version": "9",
        }
    )
    assert noisy["digest"] == base["digest"]


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        ({"fingerprint": "sha256:moved"}, "changed in the tenant since the plan was reviewed"),
        ({"action": "replace"}, "was reviewed as update but is now replace"),
        (
            {
                "fields": [
                    {"path": "dataProvider.schoolsIds", "before": ["101"], "after": ["101", "301"]}
                ]
            },
            "the planned values differ",
        ),
        (
            {"fields": [{"path": "expirationDate", "before": None, "after": "2027-07-31"}]},
            "fields to change differ from the reviewed ones (dataProvider.schoolsIds, expirationDate)",
        ),
        ({"id": "p9"}, "the planned values differ"),
        ({"then": "pause"}, "was reviewed as update but is now update"),
    ],
)
def test_every_part_of_a_change_is_in_its_digest(edit: dict, reason: str) -> None:
    reviewed = record_of(document(UPDATE))
    fresh = record_of(document({**UPDATE, **edit}))
    assert change_digest(UPDATE) != change_digest({**UPDATE, **edit})
    [said] = differences(reviewed, fresh)
    assert reason in said and NAME in said


def test_new_missing_and_desired_differences_are_named() -> None:
    reviewed = record_of(document(UPDATE))
    assert differences(reviewed, record_of(document(UPDATE))) == []
    gone = differences(reviewed, record_of(document()))
    assert gone == [f"update {NAME!r} was reviewed but is no longer needed"]
    extra = {**UPDATE, "name": "New one", "action": "create", "id": None, "fingerprint": None}
    assert "create 'New one' is needed now but was not reviewed" in differences(
        reviewed, record_of(document(UPDATE, extra))
    )
    moved = differences(reviewed, record_of(document(UPDATE, digest="sha256:other")))
    assert moved == [
        "the desired-state files differ from the reviewed ones (another change reached the branch after the pull request's plan ran)"
    ]


def test_stale_cause_names_the_files_before_the_cloud_and_the_tenant() -> None:
    reviewed = record_of(document(UPDATE))
    tenant = record_of(document({**UPDATE, "fingerprint": "sha256:moved"}))
    files = record_of(document({**UPDATE, "fingerprint": "sha256:moved"}, digest="sha256:other"))
    cloud = {**reviewed, "graph_url": "https://graph.microsoft.us/beta", "digest": "x"}
    assert stale_cause(reviewed, tenant) == "tenant"
    assert stale_cause(reviewed, files) == "files"  # both moved: only a new plan helps
    assert stale_cause(reviewed, cloud) == "graph"


def test_record_round_trips_and_shrinks_to_its_budget_without_losing_the_digest() -> None:
    many = [{**UPDATE, "name": f"Profile <{i}> -->"} for i in range(200)]
    record = record_of(document(*many))
    full = render_record(record, 10**6)
    assert "-->" not in full[: -len(" -->")] and "<" not in full[4:]
    assert parse_record(f"text\n{full}\nmore") == record
    small = render_record(record, 2_000)
    assert len(small) <= 2_000
    parsed = parse_record(small)
    assert parsed is not None and parsed["digest"] == record["digest"] and parsed["changes"] is None
    assert differences(parsed, record) == []
    assert differences(parsed, record_of(document(UPDATE))) == [
        "the plan differs from the reviewed one"
    ]


@pytest.mark.parametrize(
    "body",
    [
        "no record",
        "<!-- edusync-reconcile:record {not json} -->",
        '<!-- edusync-reconcile:record {"v": 99, "digest": "x"} -->',
    ],
)
def test_damaged_records_are_none(body: str) -> None:
    assert parse_record(body) is None


# -- phrases ----------------------------------------------------------------------------------------

A1_FACULTY = "94763226-9b3c-4e75-a931-5c89701abe66"
A1_PLUS_FACULTY = "78e66a63-337a-4a9a-8959-41c6654dfb56"


@pytest.mark.parametrize(
    ("field", "sentence"),
    [
        (
            FieldDiff(
                "licensesToAssign[teacher].skuIds", [A1_FACULTY], [A1_FACULTY, A1_PLUS_FACULTY]
            ),
            f"Teachers synced by *{NAME}* will also get licence *Office 365 A1 Plus for faculty*",
        ),
        (
            FieldDiff(
                "licensesToAssign[student].skuIds", [A1_FACULTY, "0000-unknown"], [A1_FACULTY]
            ),
            f"Students synced by *{NAME}* will no longer get licence *0000-unknown*",
        ),
        (
            FieldDiff(
                "licensesToAssign[faculty]", None, {"appliesTo": "faculty", "skuIds": [A1_FACULTY]}
            ),
            f"Staff synced by *{NAME}* will get licence *Office 365 A1 for faculty*",
        ),
        (
            FieldDiff("dataProvider.schoolsIds", ["101"], ["101", "205"]),
            f"Students and teachers at school 205 will start syncing through *{NAME}*",
        ),
        (
            FieldDiff("dataProvider.schoolsIds", ["101", "102", "103"], ["101"]),
            f"Students and teachers at schools 102, 103 will stop syncing through *{NAME}*",
        ),
        (
            FieldDiff("dataProvider.schoolYear", "2025", "2026"),
            f"*{NAME}* will sync school year 2026 instead of 2025",
        ),
        (
            FieldDiff("expirationDate", None, "2026-07-31"),
            f"*{NAME}* will stop syncing on 2026-07-31",
        ),
        (
            FieldDiff("expirationDate", "2026-07-31", None),
            f"*{NAME}* will keep syncing with no end date (it was to stop on 2026-07-31)",
        ),
        (
            FieldDiff(
                "dataProvider.customizations.student.optionalPropertiesToSync",
                ["State ID"],
                ["Grade", "State ID"],
            ),
            f"*{NAME}* will also sync these student properties: Grade",
        ),
        (
            FieldDiff("dataProvider.customizations.teacher.isSyncDeferred", False, True),
            f"Syncing teacher data in *{NAME}* will be postponed",
        ),
        (
            FieldDiff(
                "identitySynchronizationConfiguration.userDomains[student].name", "a.edu", "b.edu"
            ),
            f"New student accounts created by *{NAME}* will use the domain b.edu",
        ),
        (
            FieldDiff("dataProvider.connectionSettings.clientId", "a", "b"),
            f"*{NAME}* will connect to its student information system with changed settings",
        ),
        (
            FieldDiff("displayName", "Old name", NAME),
            f"The profile *Old name* will be renamed *{NAME}*",
        ),
        (
            FieldDiff("handleSpecialCharacterConstraint", False, True),
            f"*{NAME}* will replace special characters the directory does not accept",
        ),
    ],
)
def test_field_phrases(field: FieldDiff, sentence: str) -> None:
    assert describe_change(change(Action.UPDATE, field)) == [sentence]


def test_raw_paths_are_counted_not_spelled_out() -> None:
    sentences = describe_change(
        change(
            Action.UPDATE,
            FieldDiff(
                "dataProvider.customizations.school.synchronizationStartDate",
                None,
                "2026-09-01T00:00:00Z",
            ),
            FieldDiff("somethingNew.deep", 1, 2),
            FieldDiff("another", 1, 2),
        )
    )
    assert sentences == [
        f"*{NAME}* will start syncing school data on 2026-09-01T00:00:00Z",
        f"*{NAME}*: 2 other settings change (see the details below)",
    ]
    assert not any("somethingNew" in s for s in sentences)


def test_actions_have_sentences_and_destructive_ones_come_first() -> None:
    plan = Plan(
        (
            change(Action.CREATE, FieldDiff("dataProvider.schoolsIds", None, ["205"]), name="New"),
            change(Action.PAUSE, FieldDiff("lifecycle.paused", False, True), name="Quiet"),
            change(Action.DELETE, FieldDiff("displayName", "Legacy CSV", None), name="Legacy CSV"),
            change(
                Action.UPDATE,
                FieldDiff("expirationDate", None, "2027-06-30"),
                name="Upd",
                then=Action.RESUME,
            ),
            change(Action.NOOP, name="Same"),
        )
    )
    assert describe_plan(plan) == [
        "The profile *Legacy CSV* will be deleted",
        "The profile *New* will be created",
        "Students and teachers at school 205 will start syncing through *New*",
        "Syncing of *Quiet* will be paused",
        "*Upd* will stop syncing on 2027-06-30",
        "Syncing of *Upd* will resume",
    ]


def test_names_cannot_inject_markdown() -> None:
    assert em("*bold* [link](x) <b>") == r"*\*bold\* \[link\]\(x\) \<b\>*"


# -- school warnings --------------------------------------------------------------------------------

TODAY = dt.date(2026, 6, 15)  # academic year 2025-26


@pytest.mark.parametrize(
    ("today", "end"),
    [(dt.date(2026, 6, 30), 2026), (dt.date(2026, 7, 1), 2027), (dt.date(2026, 1, 1), 2026)],
)
def test_academic_year_turns_over_on_the_first_of_july(today: dt.date, end: int) -> None:
    assert academic_year_end(today) == end


@pytest.mark.parametrize(
    ("value", "warned"),
    [
        ("2026", False),
        ("2025", False),
        ("2027", False),
        ("2025-2026", False),
        ("2026-27", False),
        ("2024", True),
        ("2028", True),
        ("2023-2024", True),
        ("24-25", True),
        ("next year", False),
    ],
)
def test_school_year(value: str, warned: bool) -> None:
    problem = school_year_problem(value, TODAY)
    assert bool(problem) is warned
    if problem:
        assert "neither the current academic year (2025-26) nor the next (2026-27)" in problem


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("2026-06-14", "expired on 2026-06-14"),
        ("2026-06-15", "(today)"),
        ("2026-06-16", "(in 1 day)"),
        ("2026-07-15", "(in 30 days)"),
        ("2026-07-16", None),
        (dt.date(2026, 7, 1), "(in 16 days)"),
        ("garbage", None),
    ],
)
def test_expiry(value: object, said: str | None) -> None:
    problem = expiry_problem(value, TODAY)
    assert (problem is None) if said is None else (said in str(problem))


def test_change_warnings_read_the_desired_profile_and_its_health(tmp_path: Path) -> None:
    from reconciler.desired import load_desired

    (tmp_path / "p.yaml").write_text(
        "displayName: PS\nexpirationDate: 2026-06-20\ndataProvider:\n"
        '  "@odata.type": "#microsoft.graph.educationPowerSchoolDataProvider"\n'
        '  connectionUrl: https://x\n  clientId: c\n  clientSecret: ${PS_SECRET}\n  schoolYear: "2023"\n'
        "identitySynchronizationConfiguration:\n"
        '  "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration"\n'
        "  userDomains: [{appliesTo: student, name: s.edu}]\n"
    )
    [obj] = load_desired(str(tmp_path)).objects
    noop = Change(KIND, "PS", "p1", Action.NOOP, Modify({"id": "p1"}, obj))
    warnings = change_warnings(noop, TODAY, SyncHealth("validationError", 3, "Validation failed"))
    assert warnings == [
        "*PS* expires on 2026-06-20 (in 5 days)",
        "*PS*: PowerSchool school year 2023 is neither the current academic year (2025-26) nor the next (2026-27)",
        "*PS*: the last sync ended in validationError, 3 error(s): Validation failed",
    ]
    assert change_warnings(noop, TODAY, SyncHealth("success", 0)) == warnings[:2]


# -- the Actions context and the comment ------------------------------------------------------------


def test_pull_request_number_from_the_event(tmp_path: Path) -> None:
    event = tmp_path / "e.json"
    for payload, number in [
        ({"pull_request": {"number": 7}}, 7),
        ({"issue": {"number": 8, "pull_request": {}}}, 8),
        ({"issue": {"number": 9}}, None),
        ({}, None),
    ]:
        event.write_text(json.dumps(payload))
        assert (
            ActionsContext.from_env({"GITHUB_EVENT_PATH": str(event)}).pull_request_number()
            == number
        )
    event.write_text("{not json")
    assert ActionsContext.from_env({"GITHUB_EVENT_PATH": str(event)}).pull_request_number() is None


def test_the_commit_shown_is_the_pull_request_head_when_the_event_has_one(tmp_path: Path) -> None:
    event = tmp_path / "e.json"
    head = "0123456789abcdef" * 2 + "01234567"
    env = {"GITHUB_EVENT_PATH": str(event), "GITHUB_SHA": "f" * 40}
    for payload, shown in [
        ({"pull_request": {"number": 7, "head": {"sha": head}}}, head),
        ({"pull_request": {"number": 7, "head": {"sha": "`not a sha`"}}}, "f" * 40),
        ({"pull_request": {"number": 7}}, "f" * 40),
        ({"ref": "refs/heads/main"}, "f" * 40),
    ]:
        event.write_text(json.dumps(payload))
        assert ActionsContext.from_env(env).shown_sha() == shown


def test_outputs_use_the_delimiter_form_for_multiple_lines() -> None:
    text = output_lines({"changes": "true", "notes": "a\nb"})
    lines = text.splitlines()
    assert lines[0] == "changes=true"
    assert (
        lines[1].startswith("notes<<ghadelimiter_")
        and lines[2:4] == ["a", "b"]
        and lines[4] == lines[1].split("<<")[1]
    )


def test_comment_always_fits_and_keeps_its_record() -> None:
    fields = tuple(
        FieldDiff(
            f"dataProvider.customizations.student.optionalPropertiesToSync{i}",
            ["x" * 300],
            ["y" * 300],
        )
        for i in range(40)
    )
    plan = Plan(
        tuple(change(Action.UPDATE, *fields, name=f"Profile {i} " + "n" * 80) for i in range(300))
    )
    record = render_record(record_of({"changes": []}), 16_000)
    body = plan_comment(
        plan,
        Where("desired-state", "abc"),
        sentences=[f"sentence {i} " + "s" * 400 for i in range(500)],
        warnings=["w" * 2_000] * 100,
        record_line=record,
    )
    assert len(body) <= 65_536
    assert body.startswith(plan_marker("desired-state")) and body.rstrip().endswith(record)
    assert "more changes" in body and "cut" in body
