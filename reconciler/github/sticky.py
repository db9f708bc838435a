"""The sticky pull-request comment: ONE per pull request and desired-state path, found by its
hidden marker, created once and edited in place afterwards.

Two jobs can race (two quick pushes): both find no comment and both create one. After creating,
each lists again; if more than one marked comment exists, the oldest is kept, given this run's
text, and the one this run created is deleted, so the pull request converges on one comment
whichever job finishes last.

Only comments written by the identity that posts ours count: `github-actions[bot]` (the
workflow's GITHUB_TOKEN) by default, or the logins in EDUSYNC_COMMENT_AUTHORS. Not any bot:
anyone can comment on a public pull request, and other GitHub Apps installed on the repository
may echo what people write; a comment carrying the marker from anyone else must neither be
edited into "the" plan nor supply the reviewed-plan record that apply trusts. Once this run has
created a comment, GitHub has told us who we are (its author), and that login is trusted from
then on in place of the default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reconciler.github.errors import GitHubError

if TYPE_CHECKING:
    from reconciler.github.client import GitHubClient

AUTHORS_VAR = "EDUSYNC_COMMENT_AUTHORS"
#: Who posts a comment made with the workflow's GITHUB_TOKEN.
DEFAULT_AUTHOR = "github-actions[bot]"


def author(comment: Mapping[str, Any]) -> str:
    """The comment's author login ("" when GitHub gave none, e.g. a deleted account)."""
    user = comment.get("user")
    return str(user.get("login") or "") if isinstance(user, dict) else ""


@dataclass(frozen=True)
class Trust:
    """Whose comments may be the sticky comment: the logins named (lower case; GitHub logins
    are case-insensitive). `named` when they come from EDUSYNC_COMMENT_AUTHORS."""

    logins: frozenset[str] = frozenset({DEFAULT_AUTHOR})
    named: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Trust:
        names = frozenset(
            n for n in (n.strip().lower() for n in env.get(AUTHORS_VAR, "").split(",")) if n
        )
        return cls(names, named=True) if names else cls()

    def trusts(self, comment: Mapping[str, Any]) -> bool:
        return author(comment).lower() in self.logins

    def with_own(self, login: str) -> Trust:
        """After this run posted a comment as `login`: that is the identity posting ours, so it
        replaces the default (and joins logins the user named, whose choice stands)."""
        own = login.strip().lower()
        if not own or own in self.logins:
            return self
        return Trust(self.logins | {own} if self.named else frozenset({own}), self.named)

    def describe(self) -> str:
        return " or ".join(sorted(self.logins))


@dataclass(frozen=True)
class Posted:
    comment_id: int
    url: str | None
    created: bool


def _age(comment: Mapping[str, Any]) -> int:
    # GitHub's comment ids grow with creation; created_at has only 1-second resolution, so two
    # racing jobs could tie on it (and must both agree on which comment is the oldest).
    return int(comment.get("id") or 0)


def all_marked_comments(
    client: GitHubClient, repo: str, number: int, marker: str
) -> list[dict[str, Any]]:
    """Every comment starting with `marker`, whoever wrote it, oldest first (every page read)."""
    comments = client.paged(f"repos/{repo}/issues/{number}/comments")
    found = [
        c
        for c in comments
        if isinstance(c, dict) and str(c.get("body") or "").lstrip().startswith(marker)
    ]
    return sorted(found, key=_age)


def marked_comments(
    client: GitHubClient, repo: str, number: int, marker: str, trust: Trust
) -> list[dict[str, Any]]:
    """The trusted comments starting with `marker`, oldest first (every page read)."""
    return [c for c in all_marked_comments(client, repo, number, marker) if trust.trusts(c)]


def _delete(client: GitHubClient, repo: str, comment_id: int) -> None:
    try:
        client.delete(f"repos/{repo}/issues/comments/{comment_id}")
    except GitHubError as exc:
        if exc.status != 404:  # the other job removed it already
            raise


def upsert_comment(
    client: GitHubClient,
    repo: str,
    number: int,
    marker: str,
    body: str,
    trust: Trust = Trust(),
) -> Posted:
    """Edit the marked comment in place, or create it; converge on one if jobs raced."""
    if not trust.named:
        trust = trust.with_own(_token_user(client) or "")
    existing = marked_comments(client, repo, number, marker, trust)
    if existing:
        keep = existing[0]
        updated = client.patch(f"repos/{repo}/issues/comments/{keep['id']}", {"body": body})
        for extra in existing[1:]:  # left over from an earlier race
            _delete(client, repo, int(extra["id"]))
        return Posted(int(keep["id"]), _url(updated, keep), created=False)
    mine = client.post(f"repos/{repo}/issues/{number}/comments", {"body": body})
    # Our comment's author is who we are: an earlier comment of ours (made with another
    # token than the default's) is found now and kept, and this one removed.
    again = marked_comments(client, repo, number, marker, trust.with_own(author(mine)))
    if again and int(again[0]["id"]) != int(mine["id"]):
        keep = again[0]
        updated = client.patch(f"repos/{repo}/issues/comments/{keep['id']}", {"body": body})
        for extra in again[1:]:  # ours just made, and any an earlier run left behind
            _delete(client, repo, int(extra["id"]))
        return Posted(int(keep["id"]), _url(updated, keep), created=False)
    return Posted(int(mine["id"]), _url(mine, mine), created=True)


def _token_user(client: GitHubClient) -> str | None:
    """The login of a user's token (a machine user's): GitHub tells it (`GET /user`), so its
    earlier comment is found without posting a new one. An app's installation token (the
    workflow's GITHUB_TOKEN) is refused there: its comments are the default bot's, or are
    recognised by posting (`upsert_comment`)."""
    try:
        me = client.get("user")
    except GitHubError:
        return None
    login = me.get("login") if isinstance(me, dict) else None
    return str(login) if login else None


def _url(answer: Any, fallback: Mapping[str, Any]) -> str | None:
    source = answer if isinstance(answer, dict) else fallback
    url = source.get("html_url")
    return str(url) if url else None


def post_comment(client: GitHubClient, repo: str, number: int, body: str) -> Posted:
    """A new comment (the apply report: each merge gets its own)."""
    made = client.post(f"repos/{repo}/issues/{number}/comments", {"body": body})
    return Posted(int(made["id"]), _url(made, made), created=True)
