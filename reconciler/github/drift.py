"""The drift issue: ONE open issue per desired-state path, titled `Drift detected: PATH` and
labelled `drift`; opened when drift appears, its body updated while it lasts, a closed one
reopened rather than a second one made, and closed with a comment when the tenant matches again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reconciler.github.errors import GitHubError
from reconciler.github.record import normalise_path

if TYPE_CHECKING:
    from reconciler.github.client import GitHubClient

LABEL = "drift"
LABEL_COLOUR = "d93f0b"
LABEL_DESCRIPTION = "The tenant no longer matches the desired state in git"


def drift_title(path: str) -> str:
    return f"Drift detected: {normalise_path(path)}"


@dataclass(frozen=True)
class DriftOutcome:
    #: opened, reopened, updated, closed, or none (no drift and no open issue)
    action: str
    number: int | None = None
    url: str | None = None


def _issues(client: GitHubClient, repo: str, title: str) -> list[dict[str, Any]]:
    listed = client.paged(f"repos/{repo}/issues", {"labels": LABEL, "state": "all"})
    return [
        i
        for i in listed
        if isinstance(i, dict) and "pull_request" not in i and i.get("title") == title
    ]


def ensure_label(client: GitHubClient, repo: str) -> None:
    try:
        client.get(f"repos/{repo}/labels/{LABEL}")
        return
    except GitHubError as exc:
        if exc.status != 404:
            raise
    try:
        client.post(
            f"repos/{repo}/labels",
            {"name": LABEL, "color": LABEL_COLOUR, "description": LABEL_DESCRIPTION},
        )
    except GitHubError as exc:
        if exc.status != 422:  # "already_exists": another run made it meanwhile
            raise


def _outcome(action: str, issue: Any) -> DriftOutcome:
    issue = issue if isinstance(issue, dict) else {}
    number = issue.get("number")
    url = issue.get("html_url")
    return DriftOutcome(action, int(number) if number else None, str(url) if url else None)


def sync_drift_issue(
    client: GitHubClient,
    repo: str,
    path: str,
    *,
    drifted: bool,
    body: str,
    closing_note: str,
) -> DriftOutcome:
    title = drift_title(path)
    issues = _issues(client, repo, title)
    open_ = sorted((i for i in issues if i.get("state") == "open"), key=lambda i: int(i["number"]))
    closed = sorted(
        (i for i in issues if i.get("state") != "open"), key=lambda i: -int(i["number"])
    )
    if not drifted:
        if not open_:
            return DriftOutcome("none")
        for issue in open_:
            client.post(f"repos/{repo}/issues/{issue['number']}/comments", {"body": closing_note})
            client.patch(
                f"repos/{repo}/issues/{issue['number']}",
                {"state": "closed", "state_reason": "completed"},
            )
        return _outcome("closed", open_[0])
    ensure_label(client, repo)
    if open_:
        updated = client.patch(f"repos/{repo}/issues/{open_[0]['number']}", {"body": body})
        return _outcome("updated", updated or open_[0])
    if closed:
        reopened = client.patch(
            f"repos/{repo}/issues/{closed[0]['number']}", {"state": "open", "body": body}
        )
        return _outcome("reopened", reopened or closed[0])
    made = client.post(f"repos/{repo}/issues", {"title": title, "body": body, "labels": [LABEL]})
    return _outcome("opened", made)
