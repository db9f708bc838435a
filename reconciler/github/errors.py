"""A failed GitHub API call, apart from the client: code that only catches it (the sticky
comment, the drift issue) does not import `requests` with it."""

from __future__ import annotations

from reconciler.errors import ReconcileError
from reconciler.logsetup import redact


class GitHubError(ReconcileError):
    """A GitHub API call failed: method, path, status, GitHub's message and request id."""

    def __init__(
        self,
        method: str,
        path: str,
        status: int | None,
        message: str,
        request_id: str | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.github_message = message
        self.request_id = request_id
        shown = f"HTTP {status}" if status is not None else "no response"
        super().__init__(
            redact(
                f"GitHub API {method} {path} failed with {shown}: {message} "
                f"[x-github-request-id: {request_id or '-'}]"
            )
        )
