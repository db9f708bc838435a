"""The GitHub REST client against the fake API over loopback: headers, paging, retries that
honour rate limits (waits recorded, not slept), one-line errors without the token."""

from __future__ import annotations

import pytest

from reconciler.github.client import GitHubClient, _next_link
from reconciler.github.errors import GitHubError
from tests.github.conftest import Sleeps
from tests.github.fake_github import FakeGitHub


def test_sends_githubs_media_type_version_and_bearer_token(
    github: FakeGitHub, client: GitHubClient
) -> None:
    number = github.open_pull_request()
    client.get(f"repos/{github.repo}/issues/{number}/comments")
    sent = github.requests("GET")[-1].headers
    assert sent["accept"] == "application/vnd.github+json"
    assert sent["x-github-api-version"] == "2022-11-28"
    assert sent["authorization"] == f"Bearer {github.token}"
    assert sent["user-agent"].startswith("edusync-reconcile/")


def test_pages_through_every_comment_by_the_link_header(
    github: FakeGitHub, client: GitHubClient
) -> None:
    number = github.open_pull_request()
    for i in range(8):
        github.add_comment(number, f"comment {i}")
    items = client.paged(f"repos/{github.repo}/issues/{number}/comments")
    assert [c["body"] for c in items] == [f"comment {i}" for i in range(8)]
    assert len(github.requests("GET")) == 3  # page size 3


def test_next_link_parsing() -> None:
    header = '<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last"'
    assert _next_link(header) == "https://api.github.com/x?page=2"
    assert _next_link('<https://api.github.com/x?page=1>; rel="prev"') is None
    assert _next_link(None) is None


def test_a_next_link_to_another_host_is_not_followed(
    github: FakeGitHub, client: GitHubClient
) -> None:
    with pytest.raises(GitHubError, match="another host"):
        client.get("http://127.0.0.2:9/repos/x")


def test_retry_after_is_honoured_then_the_call_succeeds(
    github: FakeGitHub, client: GitHubClient, sleeps: Sleeps
) -> None:
    number = github.open_pull_request()
    github.fail("POST", r"/comments$", 429, "slow down", headers={"Retry-After": "7"})
    made = client.post(f"repos/{github.repo}/issues/{number}/comments", {"body": "hi"})
    assert made["body"] == "hi"
    assert sleeps.waits == [7.0]
    assert len(github.comments(number)) == 1


def test_primary_rate_limit_waits_until_the_reset(
    github: FakeGitHub, client: GitHubClient, sleeps: Sleeps
) -> None:
    github.fail(
        "GET",
        r"/labels/",
        403,
        "API rate limit exceeded",
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1010"},
    )
    with pytest.raises(GitHubError, match="HTTP 404"):
        client.get(f"repos/{github.repo}/labels/drift")
    assert sleeps.waits == [11.0]  # reset (1010) - now (1000) + 1 s margin


def test_a_rate_limit_longer_than_the_cap_fails_at_once(
    github: FakeGitHub, client: GitHubClient, sleeps: Sleeps
) -> None:
    github.fail(
        "GET",
        r"/labels/",
        403,
        "API rate limit exceeded",
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "4600"},
    )
    with pytest.raises(GitHubError) as caught:
        client.get(f"repos/{github.repo}/labels/drift")
    assert sleeps.waits == []
    assert "rate limited for another 3601 s" in str(caught.value)


def test_server_errors_are_retried_a_bounded_number_of_times(
    github: FakeGitHub, client: GitHubClient, sleeps: Sleeps
) -> None:
    github.fail("GET", r"/labels/", 502, "Server Error", times=10)
    with pytest.raises(GitHubError, match="HTTP 502"):
        client.get(f"repos/{github.repo}/labels/drift")
    assert sleeps.waits == [1.0, 2.0, 4.0]  # 4 attempts
    assert len(github.requests("GET")) == 4


def test_a_post_is_not_repeated_after_a_server_error(
    github: FakeGitHub, client: GitHubClient, sleeps: Sleeps
) -> None:
    number = github.open_pull_request()
    github.fail("POST", r"/comments$", 502, "Server Error")
    with pytest.raises(GitHubError, match="HTTP 502"):
        client.post(f"repos/{github.repo}/issues/{number}/comments", {"body": "x"})
    assert len(github.requests("POST")) == 1 and sleeps.waits == []


def test_errors_are_one_line_naming_method_path_status_message_and_request_id(
    github: FakeGitHub, client: GitHubClient
) -> None:
    number = github.open_pull_request()
    github.fail("POST", r"/comments$", 403, "Resource not accessible by integration")
    with pytest.raises(GitHubError) as caught:
        client.post(f"repos/{github.repo}/issues/{number}/comments", {"body": "x"})
    text = str(caught.value)
    assert "\n" not in text
    assert f"POST /repos/{github.repo}/issues/{number}/comments failed with HTTP 403" in text
    assert "Resource not accessible by integration" in text
    assert "[x-github-request-id: FAKE:" in text
    assert github.token not in text


def test_validation_details_are_part_of_the_message(
    github: FakeGitHub, client: GitHubClient
) -> None:
    client.post(f"repos/{github.repo}/labels", {"name": "drift"})
    with pytest.raises(GitHubError) as caught:
        client.post(f"repos/{github.repo}/labels", {"name": "drift"})
    assert caught.value.status == 422
    assert "already_exists" in str(caught.value)


def test_bad_credentials(github: FakeGitHub, sleeps: Sleeps) -> None:
    with (
        GitHubClient("ghp_wrong_token_value", api_url=github.url, sleep=sleeps) as bad,
        pytest.raises(GitHubError) as caught,
    ):
        bad.get(f"repos/{github.repo}/labels/drift")
    assert caught.value.status == 401 and "Bad credentials" in str(caught.value)
    assert "ghp_wrong_token_value" not in str(caught.value)


def test_connection_refused_is_one_line_after_bounded_retries(sleeps: Sleeps) -> None:
    with (
        GitHubClient("t0ken-value", api_url="http://127.0.0.1:9", sleep=sleeps) as dead,
        pytest.raises(GitHubError) as caught,
    ):
        dead.get("repos/x/y/labels/drift")
    assert "no response" in str(caught.value) and len(sleeps.waits) == 3
