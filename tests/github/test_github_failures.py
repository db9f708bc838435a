"""GitHub API failures through the real CLI: one line on stderr and in the step summary, the
exit code the plan or apply earned unchanged (except --require-reviewed, which fails closed),
GITHUB_TOKEN never printed; and a comment that always fits GitHub's limit."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from reconciler.emulator import Emulator
from reconciler.github.record import parse_record
from tests.github.conftest import Actions
from tests.github.fake_github import FakeGitHub

# A GET is retried on 5xx (with real waits, here), a POST is not: the 5xx goes to the POST.
FAILURES = [
    ("GET", 401, "Bad credentials"),
    ("GET", 403, "Resource not accessible by integration"),  # a fork's read-only token
    ("GET", 404, "Not Found"),
    ("POST", 422, "Validation Failed"),
    ("POST", 502, "Server Error"),
]


def _github_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if "GitHub API" in line]


@pytest.mark.parametrize(("method", "status", "message"), FAILURES)
def test_plan_comment_failures_keep_the_plans_exit_code(
    cli,
    actions: Actions,
    github: FakeGitHub,
    graph_env: Emulator,
    sample: Path,
    method: str,
    status: int,
    message: str,
) -> None:
    github.open_pull_request(9)
    actions.pull_request_event(9)
    github.fail(method, r"/issues/9/comments$", status, message, times=10)
    result = cli("plan", "--pr-comment", "--detailed-exitcode")
    assert result.code == 2, result.err  # what the plan earned: changes pending
    [line] = _github_lines(result.err)
    assert line.startswith(
        f"warning: could not post the plan comment on pull request #9: GitHub API {method}"
    )
    assert f"HTTP {status}: {message}" in line and "x-github-request-id: FAKE:" in line
    assert line.endswith("the exit code is unchanged")
    assert github.token not in result.err + result.out
    summary = actions.summary.read_text()
    assert f"HTTP {status}" in summary and github.token not in summary
    assert actions.outputs() == {"changes": "true", "exit-code": "2"}
    assert "Plan: 3 to create" in result.out


def test_rate_limit_with_retry_after_is_waited_out(
    cli, actions: Actions, github: FakeGitHub, graph_env: Emulator, sample: Path
) -> None:
    github.open_pull_request(9)
    actions.pull_request_event(9)
    github.fail(
        "POST",
        r"/issues/9/comments$",
        429,
        "You have exceeded a secondary rate limit",
        headers={"Retry-After": "1"},
    )
    result = cli("plan", "--pr-comment")
    assert result.code == 0, result.err
    assert len(github.comments(9)) == 1 and not _github_lines(result.err)


def test_rate_limit_beyond_the_cap_is_one_line_and_the_exit_code_stays(
    cli, actions: Actions, github: FakeGitHub, graph_env: Emulator, sample: Path
) -> None:
    github.open_pull_request(9)
    actions.pull_request_event(9)
    reset = str(10**10)  # far in the future: never waited for
    github.fail(
        "GET",
        r"/comments$",
        403,
        "API rate limit exceeded",
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset},
    )
    result = cli("plan", "--pr-comment")
    assert result.code == 0
    [line] = _github_lines(result.err)
    assert "API rate limit exceeded; rate limited for another" in line


def test_drift_issue_failure_keeps_the_exit_code(
    cli, actions: Actions, github: FakeGitHub, graph_env: Emulator, sample: Path
) -> None:
    actions.schedule_event()
    github.fail("POST", r"/issues$", 503, "Service Unavailable", times=10)
    result = cli("plan", "--drift-issue", "--detailed-exitcode")
    assert result.code == 2
    [line] = _github_lines(result.err)
    assert line.startswith("warning: could not update the drift issue")


def test_apply_report_failure_keeps_applys_exit_code(
    cli, actions: Actions, github: FakeGitHub, graph_env: Emulator, sample: Path
) -> None:
    github.open_pull_request(9)
    github.merge(9, "m9m9m9m9")
    actions.push_event("m9m9m9m9")
    github.fail("POST", r"/issues/9/comments$", 403, "Resource not accessible by integration")
    result = cli("apply", "--auto-approve", "--pr-comment")
    assert result.code == 0, result.err
    assert len(graph_env.tenant.snapshot()) == 3
    [line] = _github_lines(result.err)
    assert "could not post the apply report on pull request #9" in line


def test_require_reviewed_fails_closed_when_github_fails(
    cli, actions: Actions, github: FakeGitHub, graph_env: Emulator, sample: Path
) -> None:
    github.open_pull_request(9)
    github.merge(9, "m9m9m9m9")
    actions.push_event("m9m9m9m9")
    github.fail("GET", r"/commits/m9m9m9m9/pulls$", 401, "Bad credentials", times=10)
    result = cli("apply", "--require-reviewed", "--auto-approve")
    assert result.code == 1
    assert (
        "--require-reviewed: GitHub API GET" in result.err and "nothing was written" in result.err
    )
    assert graph_env.requests_log.count_writes() == 0 and graph_env.tenant.snapshot() == []
    assert github.token not in result.err


def test_without_a_token_the_plan_still_succeeds(
    cli,
    actions: Actions,
    github: FakeGitHub,
    graph_env: Emulator,
    sample: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    github.open_pull_request(9)
    actions.pull_request_event(9)
    result = cli("plan", "--pr-comment")
    assert result.code == 0
    assert "needs GITHUB_TOKEN" in result.err


def test_no_pull_request_is_one_line(
    cli, actions: Actions, github: FakeGitHub, graph_env: Emulator, sample: Path
) -> None:
    actions.push_event("abc")
    result = cli("plan", "--pr-comment")
    assert result.code == 0
    assert "no pull request: pass --pr N" in result.err


def test_pr_flag_names_the_pull_request(
    cli, actions: Actions, github: FakeGitHub, graph_env: Emulator, sample: Path
) -> None:
    github.open_pull_request(12)
    actions.push_event("abc")
    assert cli("plan", "--pr-comment", "--pr", "12").code == 0
    assert len(github.comments(12)) == 1


def _many_profiles(root: Path, count: int) -> None:
    for i in range(count):
        (root / f"bulk-{i:04d}.yaml").write_text(
            textwrap.dedent(f"""
            displayName: Bulk CSV profile number {i:04d} with a rather long descriptive name
            dataProvider:
              "@odata.type": "#microsoft.graph.educationCsvDataProvider"
              customizations:
                student:
                  optionalPropertiesToSync: [State ID, Middle Name, Grade, Student Number]
            identitySynchronizationConfiguration:
              "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration"
              userDomains:
                - {{appliesTo: student, name: students-{i}.contoso.edu}}
                - {{appliesTo: teacher, name: staff-{i}.contoso.edu}}
            licensesToAssign:
              - {{appliesTo: student, skuIds: [314c4481-f395-4525-be8b-2ec4bb1e9d91]}}
              - {{appliesTo: teacher, skuIds: [94763226-9b3c-4e75-a931-5c89701abe66]}}
            """).lstrip()
        )


def test_a_huge_plan_still_fits_and_its_record_still_verifies(
    cli, actions: Actions, github: FakeGitHub, graph_env: Emulator, sample: Path
) -> None:
    _many_profiles(sample, 250)
    github.open_pull_request(9)
    actions.pull_request_event(9)
    result = cli("plan", "--pr-comment")
    assert result.code == 0, result.err
    [comment] = github.comments(9)  # the fake refuses bodies over 65,536 characters
    body = comment["body"]
    assert len(body) <= 65_536
    assert "cut" in body  # said so, not silently
    record = parse_record(body)
    assert record is not None and record["changes"] is None  # detail dropped, digest kept
    github.merge(9, "m9m9m9m9")
    actions.push_event("m9m9m9m9")
    applied = cli("apply", "--require-reviewed", "--auto-approve", "--no-wait")
    assert applied.code == 0, applied.err[-2000:]
    assert len(graph_env.tenant.snapshot()) == 253


def test_debug_logging_never_shows_the_token(
    cli, actions: Actions, github: FakeGitHub, graph_env: Emulator, sample: Path
) -> None:
    github.open_pull_request(9)
    actions.pull_request_event(9)
    github.fail("PATCH", r"/comments/", 500, "Server Error")
    assert cli("plan", "--pr-comment").code == 0
    result = cli("plan", "--pr-comment", "--debug")
    assert result.code == 0
    assert github.token not in result.out + result.err
    assert "retrying in" in result.err  # the debug log did speak


def test_a_failed_plan_posts_no_record(
    cli, actions: Actions, github: FakeGitHub, graph_env: Emulator, sample: Path
) -> None:
    text = (sample / "oneroster.yaml").read_text()
    (sample / "oneroster.yaml").write_text("id: 00000000-0000-0000-0000-000000000001\n" + text)
    github.open_pull_request(9)
    actions.pull_request_event(9)
    result = cli("plan", "--pr-comment")
    assert result.code == 1
    [comment] = github.comments(9)
    assert "The plan failed for some profiles" in comment["body"]
    assert parse_record(comment["body"]) is None
    assert "no reviewed-plan record" in comment["body"]
