"""The sticky comment and the drift issue against the fake GitHub API over loopback."""

from __future__ import annotations

import threading

from reconciler.github.client import GitHubClient
from reconciler.github.drift import drift_title, sync_drift_issue
from reconciler.github.record import plan_marker
from reconciler.github.sticky import Trust, upsert_comment
from tests.github.fake_github import FakeGitHub

MARKER = plan_marker("desired-state")


def test_created_once_then_edited_in_place(github: FakeGitHub, client: GitHubClient) -> None:
    number = github.open_pull_request()
    github.add_comment(number, "a human says hi", {"login": "teacher", "type": "User"})
    first = upsert_comment(client, github.repo, number, MARKER, f"{MARKER}\none")
    second = upsert_comment(
        client, github.repo, number, plan_marker("./desired-state/"), f"{MARKER}\ntwo"
    )
    assert first.created and not second.created
    assert first.comment_id == second.comment_id
    bodies = [c["body"] for c in github.comments(number)]
    assert bodies == ["a human says hi", f"{MARKER}\ntwo"]


def test_finds_its_comment_beyond_the_first_page(github: FakeGitHub, client: GitHubClient) -> None:
    number = github.open_pull_request()
    upsert_comment(client, github.repo, number, MARKER, f"{MARKER}\none")
    for i in range(10):
        github.add_comment(number, f"review remark {i}", {"login": "dpo", "type": "User"})
    again = upsert_comment(client, github.repo, number, MARKER, f"{MARKER}\ntwo")
    assert not again.created
    assert sum(MARKER in c["body"] for c in github.comments(number)) == 1


def test_one_comment_per_path(github: FakeGitHub, client: GitHubClient) -> None:
    number = github.open_pull_request()
    other = plan_marker("tenants/fabrikam")
    upsert_comment(client, github.repo, number, MARKER, f"{MARKER}\na")
    upsert_comment(client, github.repo, number, other, f"{other}\nb")
    assert len(github.comments(number)) == 2


def test_a_forged_marker_from_a_person_is_ignored(github: FakeGitHub, client: GitHubClient) -> None:
    number = github.open_pull_request()
    github.add_comment(number, f"{MARKER}\nforged", {"login": "mallory", "type": "User"})
    posted = upsert_comment(client, github.repo, number, MARKER, f"{MARKER}\nreal")
    assert posted.created
    assert [c["body"] for c in github.comments(number)] == [f"{MARKER}\nforged", f"{MARKER}\nreal"]


def test_another_bot_s_marker_is_neither_edited_nor_trusted(
    github: FakeGitHub, client: GitHubClient
) -> None:
    # Another GitHub App on the repository can echo what people write, marker included.
    number = github.open_pull_request()
    echo = {"login": "echo-app[bot]", "type": "Bot"}
    github.add_comment(number, f"{MARKER}\nechoed", echo)
    posted = upsert_comment(client, github.repo, number, MARKER, f"{MARKER}\nreal")
    assert posted.created
    comments = github.comments(number)
    assert [(c["user"]["login"], c["body"]) for c in comments] == [
        ("echo-app[bot]", f"{MARKER}\nechoed"),
        ("github-actions[bot]", f"{MARKER}\nreal"),
    ]
    assert not Trust().trusts(comments[0]) and Trust().trusts(comments[1])


def test_its_own_identity_learned_from_its_comment_keeps_one_comment(
    github: FakeGitHub, client: GitHubClient
) -> None:
    # A machine user's token, EDUSYNC_COMMENT_AUTHORS unset: the second run does not find the
    # first comment by the default author, but learns who it is from the one it creates.
    number = github.open_pull_request()
    github.users[github.token] = {"login": "sds-machine-user", "type": "User"}
    first = upsert_comment(client, github.repo, number, MARKER, f"{MARKER}\none")
    second = upsert_comment(client, github.repo, number, MARKER, f"{MARKER}\ntwo")
    third = upsert_comment(client, github.repo, number, MARKER, f"{MARKER}\nthree")
    assert first.created and not second.created and second.comment_id == first.comment_id
    assert third.comment_id == first.comment_id
    assert [c["body"] for c in github.comments(number)] == [f"{MARKER}\nthree"]
    # GitHub says who a user's token is: no comment is posted only to learn it (each would
    # notify every subscriber of the pull request), and none is deleted.
    assert len(github.requests("POST")) == 1
    assert github.requests("DELETE") == []


def test_an_app_token_learns_itself_by_posting_and_leaves_one_comment(
    github: FakeGitHub, client: GitHubClient
) -> None:
    """Another GitHub App's installation token cannot ask who it is: its comment is found by
    the author of the one it posts, and every extra of its own (one an earlier run could not
    delete) is removed, so the pull request converges on one comment."""
    number = github.open_pull_request()
    app = {"login": "sds-app[bot]", "type": "Bot"}
    github.users[github.token] = app
    first = upsert_comment(client, github.repo, number, MARKER, f"{MARKER}\none")
    github.add_comment(number, f"{MARKER}\nleft behind", user=app)
    upsert_comment(client, github.repo, number, MARKER, f"{MARKER}\ntwo")
    comments = github.comments(number)
    assert [(c["id"], c["body"]) for c in comments] == [(first.comment_id, f"{MARKER}\ntwo")]


def test_named_authors_replace_the_bot_rule(github: FakeGitHub, client: GitHubClient) -> None:
    number = github.open_pull_request()
    github.users[github.token] = {"login": "sds-machine-user", "type": "User"}
    trust = Trust.from_env({"EDUSYNC_COMMENT_AUTHORS": "SDS-Machine-User, other"})
    upsert_comment(client, github.repo, number, MARKER, f"{MARKER}\none", trust)
    upsert_comment(client, github.repo, number, MARKER, f"{MARKER}\ntwo", trust)
    assert [c["body"] for c in github.comments(number)] == [f"{MARKER}\ntwo"]


def test_a_comment_created_by_another_job_meanwhile_converges_on_the_oldest(
    github: FakeGitHub, client: GitHubClient
) -> None:
    number = github.open_pull_request()
    raced = []

    def other_job_creates_first(method: str, path: str) -> None:
        if method == "POST" and path.endswith("/comments") and not raced:
            raced.append(github.add_comment(number, f"{MARKER}\nfrom the other job"))

    github.before = other_job_creates_first
    posted = upsert_comment(client, github.repo, number, MARKER, f"{MARKER}\nmine")
    comments = github.comments(number)
    assert [c["body"] for c in comments] == [f"{MARKER}\nmine"]
    assert posted.comment_id == raced[0]["id"] == comments[0]["id"]


def test_two_jobs_racing_for_real_leave_one_comment(github: FakeGitHub) -> None:
    number = github.open_pull_request()
    both_listed = threading.Event()
    listed: list[str] = []
    lock = threading.Lock()

    # Both jobs see an empty pull request before either creates its comment: no create is
    # handled until two list answers are settled. (Holding only the lists' arrival was not
    # enough: under load one job's list was answered, and its comment created, before the
    # other job's list was handled.)
    def count_lists(method: str, path: str) -> None:
        if method == "GET" and path.endswith("/comments"):
            with lock:
                listed.append(path)
                if len(listed) == 2:
                    both_listed.set()

    def hold_creates(method: str, path: str) -> None:
        if method == "POST" and path.endswith("/comments") and not both_listed.wait(10):
            raise AssertionError("the other job never listed the comments")

    github.after = count_lists
    github.before = hold_creates
    errors: list[BaseException] = []

    def job(text: str) -> None:
        try:
            with GitHubClient(github.token, api_url=github.url) as c:
                upsert_comment(c, github.repo, number, MARKER, f"{MARKER}\n{text}")
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=job, args=(t,)) for t in ("job one", "job two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    # What each job asked, in order: a failure here (seen once, under a full suite's load) has
    # to explain itself.
    trail = [f"{r.method} {r.path}" for r in github.requests()]
    assert not any(t.is_alive() for t in threads), trail
    assert not errors, (errors, trail)
    assert len(github.requests("POST")) == 2, trail  # both really created one
    assert len(github.comments(number)) == 1, trail


def test_drift_issue_opened_updated_closed_and_reopened(
    github: FakeGitHub, client: GitHubClient
) -> None:
    repo = github.repo
    opened = sync_drift_issue(
        client, repo, "./desired-state/", drifted=True, body="drift 1", closing_note="ok"
    )
    assert opened.action == "opened"
    [issue] = github.issues()
    assert issue["title"] == drift_title("desired-state") == "Drift detected: desired-state"
    assert issue["labels"] == [{"name": "drift"}]
    assert github.state.labels["drift"]["color"] == "d93f0b"  # created with our colour first

    updated = sync_drift_issue(
        client, repo, "desired-state", drifted=True, body="drift 2", closing_note="ok"
    )
    assert (updated.action, updated.number) == ("updated", opened.number)
    assert github.issues()[0]["body"] == "drift 2"

    closed = sync_drift_issue(
        client, repo, "desired-state", drifted=False, body="", closing_note="matches again"
    )
    assert closed.action == "closed"
    issue = github.issues()[0]
    assert (issue["state"], issue["state_reason"]) == ("closed", "completed")
    assert github.comments(opened.number)[-1]["body"] == "matches again"

    quiet = sync_drift_issue(
        client, repo, "desired-state", drifted=False, body="", closing_note="x"
    )
    assert quiet.action == "none"

    reopened = sync_drift_issue(
        client, repo, "desired-state", drifted=True, body="drift 3", closing_note="ok"
    )
    assert (reopened.action, reopened.number) == ("reopened", opened.number)
    assert len(github.issues()) == 1 and github.issues()[0]["state"] == "open"


def test_an_existing_label_is_tolerated(github: FakeGitHub, client: GitHubClient) -> None:
    # GET says 404 (e.g. a just-created label not visible yet), POST answers 422 already_exists.
    github.state.labels["drift"] = {"name": "drift"}
    github.fail("GET", r"/labels/drift$", 404, "Not Found")
    result = sync_drift_issue(
        client, github.repo, "desired-state", drifted=True, body="b", closing_note="c"
    )
    assert result.action == "opened"


def test_issues_of_other_paths_and_pull_requests_are_left_alone(
    github: FakeGitHub, client: GitHubClient
) -> None:
    repo = github.repo
    sync_drift_issue(client, repo, "tenants/a", drifted=True, body="a", closing_note="c")
    result = sync_drift_issue(client, repo, "tenants/b", drifted=True, body="b", closing_note="c")
    assert result.action == "opened"
    assert sorted(i["title"] for i in github.issues()) == [
        "Drift detected: tenants/a",
        "Drift detected: tenants/b",
    ]
