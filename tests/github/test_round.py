"""The whole round the issue asks for, with the real CLI against the fake GitHub API and the
built-in Graph emulator, both on loopback:

pull request plan → comment created; second push → the same comment edited; merge →
`apply --require-reviewed --auto-approve --pr-comment` applies and posts the report; the tenant
edited behind the review's back → the merge is refused with nothing written; schedule → drift
issue opened, updated, closed (and reopened rather than duplicated).
"""

from __future__ import annotations

from pathlib import Path

from reconciler.emulator import Emulator
from reconciler.github.record import apply_marker, parse_record, plan_marker
from tests.github.conftest import Actions
from tests.github.fake_github import BOT, FakeGitHub

POWERSCHOOL = "Contoso PowerSchool 2025-26"
A1_FACULTY = "94763226-9b3c-4e75-a931-5c89701abe66"
A1_PLUS_FACULTY = "78e66a63-337a-4a9a-8959-41c6654dfb56"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _id_of(emulator: Emulator, name: str) -> str:
    return next(p["id"] for p in emulator.tenant.snapshot() if p["displayName"] == name)


def test_review_merge_apply_refuse_and_drift(
    cli, actions: Actions, github: FakeGitHub, graph_env: Emulator, sample: Path
) -> None:
    marker = plan_marker("desired-state")

    # -- a pull request: plan, comment created ------------------------------------------------
    github.open_pull_request(7)
    actions.pull_request_event(7, sha="7a7a7a7a7a7a")
    first = cli("plan", "--pr-comment")
    assert first.code == 0, first.err
    [comment] = github.comments(7)
    body = comment["body"]
    assert body.startswith(marker)
    assert (
        body.index("Plan: 3 to create") < body.index("In plain words") < body.index("#### Details")
    )
    assert (
        f"Teachers synced by *{POWERSCHOOL}* will get licence *Office 365 A1 for faculty*" in body
    )
    assert (
        f"Students and teachers at schools 101, 102, 205 will start syncing through *{POWERSCHOOL}*"
        in body
    )
    assert (
        "dataProvider.schoolsIds" in body.split("#### Details")[1]
    )  # raw paths only in the details
    assert "dataProvider.schoolsIds" not in body.split("#### Details")[0]
    record = parse_record(body)
    assert record and len(record["changes"]) == 3
    assert "ps-secret-value-1234" not in body and github.token not in first.err + first.out
    assert actions.outputs() == {"changes": "true", "exit-code": "0"}
    assert "In plain words" in actions.summary.read_text()
    assert "Plan comment posted on pull request #7" in first.err

    # -- a second push: the same comment, edited ------------------------------------------------
    _edit(
        sample / "powerschool.yaml",
        f"skuIds: [{A1_FACULTY}]",
        f"skuIds: [{A1_FACULTY}, {A1_PLUS_FACULTY}]",
    )
    actions.reset_files()
    actions.pull_request_event(7, sha="7b7b7b7b7b7b")
    second = cli("plan", "--pr-comment")
    assert second.code == 0, second.err
    [edited] = github.comments(7)
    assert edited["id"] == comment["id"] and edited["body"] != body
    assert "Office 365 A1 Plus for faculty" in edited["body"]
    assert parse_record(edited["body"])["digest"] != record["digest"]
    assert "Plan comment updated on pull request #7" in second.err

    # -- merged: apply exactly what was reviewed, report back on the pull request ---------------
    github.merge(7, "m7m7m7m7m7m7")
    actions.reset_files()
    actions.push_event("m7m7m7m7m7m7")
    applied = cli("apply", "--require-reviewed", "--auto-approve", "--pr-comment")
    assert applied.code == 0, applied.err
    assert "matches the one reviewed on pull request #7" in applied.err
    assert sorted(p["displayName"] for p in graph_env.tenant.snapshot()) == [
        "Contoso PowerSchool 2025-26",
        "Fabrikam OneRoster",
        "Test Profile",
    ]
    sticky, report = github.comments(7)
    assert sticky["id"] == comment["id"]
    assert report["body"].startswith(apply_marker("desired-state"))
    assert "**Applied.**" in report["body"] and "Apply report" in report["body"]
    assert "#### Plan after apply :white_check_mark:" in report["body"]
    assert "No changes. Tenant matches desired state." in report["body"]
    assert actions.outputs() == {"exit-code": "0"}

    # -- another pull request; the tenant is edited behind the review's back ---------------------
    github.open_pull_request(8)
    _edit(
        sample / "powerschool.yaml",
        'schoolsIds: ["101", "102", "205"]',
        'schoolsIds: ["101", "102", "205", "301"]',
    )
    actions.pull_request_event(8, sha="8a8a8a8a8a8a")
    reviewed = cli("plan", "--pr-comment")
    assert reviewed.code == 0, reviewed.err
    assert "Students and teachers at school 301 will start syncing" in github.comments(8)[0]["body"]
    graph_env.tenant.patch(_id_of(graph_env, POWERSCHOOL), {"expirationDate": "2027-07-31"})
    github.merge(8, "m8m8m8m8m8m8")
    actions.reset_files()
    actions.push_event("m8m8m8m8m8m8")
    graph_env.requests_log.clear()
    refused = cli("apply", "--require-reviewed", "--auto-approve", "--pr-comment")
    assert refused.code == 1
    assert graph_env.requests_log.count_writes() == 0
    assert f"'{POWERSCHOOL}' changed in the tenant since the plan was reviewed" in refused.err
    # The tenant moved, not the files: planning the same files again is enough.
    assert "The tenant changed since the review: re-run the plan job of pull request #8" in (
        refused.err
    )
    assert "then re-run this job" in refused.err and "empty commit" not in refused.err
    assert actions.outputs() == {"exit-code": "1"}
    stopped = github.comments(8)[-1]["body"]
    assert stopped.startswith(apply_marker("desired-state")) and "Apply stopped" in stopped
    assert "changed in the tenant" in stopped

    # -- schedule: the drift issue is opened, updated, then closed -------------------------------
    actions.schedule_event()
    actions.reset_files()
    drift = cli("plan", "--drift-issue", "--detailed-exitcode")
    assert drift.code == 2, drift.err
    [issue] = github.issues()
    assert (issue["title"], issue["state"], issue["labels"]) == (
        "Drift detected: desired-state",
        "open",
        [{"name": "drift"}],
    )
    assert "What apply would change" in issue["body"]
    # A portal edit is not undone by re-running an old apply (its record no longer matches).
    assert "open a pull request (any change, e.g. an empty commit)" in issue["body"]
    assert "re-run the apply" not in issue["body"]
    assert actions.outputs() == {"changes": "true", "exit-code": "2"}

    again = cli("plan", "--drift-issue", "--detailed-exitcode")
    assert again.code == 2
    assert len(github.issues()) == 1
    assert any(
        r.method == "PATCH" and r.path.endswith(f"/issues/{issue['number']}")
        for r in github.requests()
    )

    converged = cli("apply", "--auto-approve")
    assert converged.code == 0, converged.err
    clean = cli("plan", "--drift-issue", "--detailed-exitcode")
    assert clean.code == 0, clean.err
    [closed] = github.issues()
    assert (closed["number"], closed["state"]) == (issue["number"], "closed")
    assert "matches `desired-state` again" in github.comments(issue["number"])[-1]["body"]

    # Drift comes back: the closed issue is reopened, not duplicated.
    graph_env.tenant.patch(_id_of(graph_env, POWERSCHOOL), {"expirationDate": "2028-07-31"})
    back = cli("plan", "--drift-issue")
    assert back.code == 0
    [reopened] = github.issues()
    assert (reopened["number"], reopened["state"]) == (issue["number"], "open")

    # GITHUB_TOKEN never reached any output.
    for result in (first, second, applied, reviewed, refused, drift, again, clean, back):
        assert github.token not in result.out + result.err
    assert github.token not in actions.summary.read_text()


def test_a_direct_push_without_a_pull_request_is_refused(
    cli, actions: Actions, github: FakeGitHub, graph_env: Emulator, sample: Path
) -> None:
    actions.push_event("d1d1d1d1d1d1")
    result = cli("apply", "--require-reviewed", "--auto-approve")
    assert result.code == 1
    assert "no merged pull request is associated with commit d1d1d1d1d1d1" in result.err
    assert graph_env.requests_log.count_writes() == 0 and graph_env.tenant.snapshot() == []


def test_a_pull_request_without_a_reviewed_plan_is_refused(
    cli, actions: Actions, github: FakeGitHub, graph_env: Emulator, sample: Path
) -> None:
    github.open_pull_request(3)
    github.add_comment(
        3,
        plan_marker("desired-state") + "\nforged, no record",
        {"login": "mallory", "type": "User"},
    )
    github.merge(3, "m3m3m3m3m3m3")
    actions.push_event("m3m3m3m3m3m3")
    result = cli("apply", "--require-reviewed", "--auto-approve", "--pr-comment")
    assert result.code == 1
    assert "pull request #3 has no reviewed plan for 'desired-state'" in result.err
    assert "open a pull request (any change, e.g. an empty commit" in result.err
    assert "planned against the current main and, once reviewed and merged, applied" in result.err
    assert graph_env.requests_log.count_writes() == 0
    assert "Apply stopped" in github.comments(3)[-1]["body"]


ECHO_BOT = {"login": "echo-app[bot]", "type": "Bot"}


def test_a_record_from_another_bot_is_not_trusted(
    cli, actions: Actions, github: FakeGitHub, graph_env: Emulator, sample: Path
) -> None:
    # A genuine record of this very plan, but posted by another GitHub App's bot.
    github.open_pull_request(6)
    github.users[github.token] = dict(ECHO_BOT)
    actions.pull_request_event(6)
    assert cli("plan", "--pr-comment").code == 0
    [echoed] = github.comments(6)
    assert echoed["user"]["login"] == "echo-app[bot]" and parse_record(echoed["body"])
    github.users[github.token] = dict(BOT)
    github.merge(6, "m6m6m6m6m6m6")
    actions.push_event("m6m6m6m6m6m6")
    refused = cli("apply", "--require-reviewed", "--auto-approve")
    assert refused.code == 1
    assert "no plan comment by github-actions[bot] with a record" in refused.err
    assert (
        "A plan comment by echo-app[bot] was ignored: only comments by github-actions[bot] are "
        "trusted (if your plan job posts as echo-app[bot], name it in EDUSYNC_COMMENT_AUTHORS)"
    ) in refused.err
    assert graph_env.requests_log.count_writes() == 0

    # Named by the user, that author is trusted (and the default no longer is).
    actions.monkeypatch.setenv("EDUSYNC_COMMENT_AUTHORS", "Echo-App[bot]")
    applied = cli("apply", "--require-reviewed", "--auto-approve")
    assert applied.code == 0, applied.err
    assert "matches the one reviewed on pull request #6" in applied.err


def test_an_older_record_from_another_bot_does_not_decide(
    cli, actions: Actions, github: FakeGitHub, graph_env: Emulator, sample: Path
) -> None:
    github.open_pull_request(9)
    actions.pull_request_event(9)
    added_grade = ("- Middle Name", "- Middle Name\n        - Grade")
    # First, another bot's comment with a record of the plan as it will be merged…
    _edit(sample / "test-profile.yaml", *added_grade)
    github.users[github.token] = dict(ECHO_BOT)
    assert cli("plan", "--pr-comment").code == 0
    # …then ours, reviewing the files as they were.
    _edit(sample / "test-profile.yaml", *reversed(added_grade))
    github.users[github.token] = dict(BOT)
    assert cli("plan", "--pr-comment").code == 0
    assert [c["user"]["login"] for c in github.comments(9)] == [
        "echo-app[bot]",
        "github-actions[bot]",
    ]
    _edit(sample / "test-profile.yaml", *added_grade)
    github.merge(9, "m9m9m9m9m9m9")
    actions.push_event("m9m9m9m9m9m9")
    refused = cli("apply", "--require-reviewed", "--auto-approve")
    assert refused.code == 1
    assert "desired-state files differ from the reviewed ones" in refused.err
    assert "A plan comment by echo-app[bot] recording exactly this plan was ignored" in (
        refused.err
    )
    assert graph_env.requests_log.count_writes() == 0


def test_a_change_merged_after_the_review_is_refused(
    cli, actions: Actions, github: FakeGitHub, graph_env: Emulator, sample: Path
) -> None:
    github.open_pull_request(4)
    actions.pull_request_event(4)
    assert cli("plan", "--pr-comment").code == 0
    _edit(
        sample / "test-profile.yaml", "- Middle Name", "- Middle Name\n        - Grade"
    )  # main moved on
    github.merge(4, "m4m4m4m4m4m4")
    actions.push_event("m4m4m4m4m4m4")
    result = cli("apply", "--require-reviewed", "--auto-approve")
    assert result.code == 1
    assert "desired-state files differ from the reviewed ones" in result.err
    assert graph_env.requests_log.count_writes() == 0
    # A re-run of #4's plan job plans its old merge commit again: the advice is a new plan.
    assert "re-running its plan job would plan the same old files again" in result.err
    assert "re-run the plan job" not in result.err
    assert "push a new commit to an open pull request, or open a pull request (any change" in (
        result.err
    )


HEAD = "feedface" * 5  # the pull request branch's commit
TEST_MERGE = "3e3e3e3e" * 5  # GITHUB_SHA on pull_request events: on no branch


def test_the_comment_shows_the_pull_request_head_not_the_test_merge_commit(
    cli, actions: Actions, github: FakeGitHub, graph_env: Emulator, sample: Path
) -> None:
    github.open_pull_request(10)
    actions.pull_request_event(10, sha=TEST_MERGE, head=HEAD)
    assert cli("plan", "--pr-comment").code == 0
    [comment] = github.comments(10)
    assert f"commit `{HEAD[:12]}`" in comment["body"] and TEST_MERGE[:12] not in comment["body"]
    (sample / "broken.yaml").write_text("displayName: Broken\nfoo: 1\n")
    assert cli("plan", "--pr-comment").code == 1
    [failed] = github.comments(10)
    assert "Plan failed" in failed["body"] and f"commit `{HEAD[:12]}`" in failed["body"]
    (sample / "broken.yaml").unlink()
    assert cli("plan", "--pr-comment").code == 0

    # The record binds the files and the tenant, not a commit: the merge applies it.
    github.merge(10, "m10m10m10m10")
    actions.push_event("m10m10m10m10")
    applied = cli("apply", "--require-reviewed", "--auto-approve", "--pr-comment")
    assert applied.code == 0, applied.err
    assert "commit `m10m10m10m10`" in github.comments(10)[-1]["body"]  # the merge on main


def test_plan_failure_replaces_the_comment_and_drops_the_record(
    cli, actions: Actions, github: FakeGitHub, graph_env: Emulator, sample: Path
) -> None:
    github.open_pull_request(5)
    actions.pull_request_event(5)
    assert cli("plan", "--pr-comment").code == 0
    assert parse_record(github.comments(5)[0]["body"])
    (sample / "broken.yaml").write_text("displayName: Broken\nfoo: 1\n")
    actions.reset_files()
    failed = cli("plan", "--pr-comment")
    assert failed.code == 1
    [comment] = github.comments(5)
    assert "Plan failed" in comment["body"] and parse_record(comment["body"]) is None
    assert "::error file=desired-state/broken.yaml" in failed.err
    assert actions.outputs() == {"exit-code": "1"}
    assert "Plan failed" not in actions.summary.read_text()  # the summary shows the error
    assert ":x: **error:**" in actions.summary.read_text()
