"""Which pull request a pushed commit came from (commits → pulls API)."""

from __future__ import annotations

from typing import Any

from reconciler.github.client import GitHubClient


def merged_pull_request(client: GitHubClient, repo: str, sha: str) -> dict[str, Any] | None:
    """The pull request merged as `sha`: the one whose merge commit it is, else any merged one
    associated with it (rebase merges), else None (a direct push)."""
    pulls = [p for p in client.paged(f"repos/{repo}/commits/{sha}/pulls") if isinstance(p, dict)]
    merged = [p for p in pulls if p.get("merged_at")]
    exact = [p for p in merged if p.get("merge_commit_sha") == sha]
    chosen = exact or merged
    return chosen[0] if chosen else None
