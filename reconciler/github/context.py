"""What a GitHub Actions run tells us through its environment, and the two files it reads back
(`$GITHUB_STEP_SUMMARY`, `$GITHUB_OUTPUT`)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reconciler.errors import ConfigError

DEFAULT_API_URL = "https://api.github.com"
_HEX_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")  # SHA-1 or SHA-256 object names


@dataclass(frozen=True)
class ActionsContext:
    in_actions: bool
    repository: str | None
    api_url: str
    token: str | None
    sha: str | None
    event_name: str | None
    event_path: str | None
    step_summary: str | None
    output: str | None
    run_url: str | None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ActionsContext:
        def get(name: str) -> str | None:
            return env.get(name, "").strip() or None

        server, repo, run_id = (
            get("GITHUB_SERVER_URL"),
            get("GITHUB_REPOSITORY"),
            get("GITHUB_RUN_ID"),
        )
        return cls(
            in_actions=env.get("GITHUB_ACTIONS") == "true",
            repository=repo,
            api_url=get("GITHUB_API_URL") or DEFAULT_API_URL,
            token=get("GITHUB_TOKEN"),
            sha=get("GITHUB_SHA"),
            event_name=get("GITHUB_EVENT_NAME"),
            event_path=get("GITHUB_EVENT_PATH"),
            step_summary=get("GITHUB_STEP_SUMMARY"),
            output=get("GITHUB_OUTPUT"),
            run_url=f"{server}/{repo}/actions/runs/{run_id}"
            if server and repo and run_id
            else None,
        )

    def event(self) -> dict[str, object]:
        """The triggering event's webhook payload ({} when there is none or it is unreadable)."""
        if not self.event_path:
            return {}
        try:
            payload = json.loads(Path(self.event_path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return {}
        return payload if isinstance(payload, dict) else {}

    def pull_request_number(self) -> int | None:
        """From `pull_request.number` (pull_request events) or an issue comment on a PR."""
        event = self.event()
        for key in ("pull_request", "issue"):
            item = event.get(key)
            if isinstance(item, dict) and (key == "pull_request" or "pull_request" in item):
                number = item.get("number")
                if isinstance(number, int) and number > 0:
                    return number
        return None

    def shown_sha(self) -> str | None:
        """The commit to show people: on pull-request events the pull request's head commit,
        since GITHUB_SHA is then GitHub's test-merge commit, which is on no branch. Display
        only: what apply checks is the plan record, and it finds the merged pull request by
        GITHUB_SHA."""
        pull = self.event().get("pull_request")
        head = pull.get("head") if isinstance(pull, dict) else None
        sha = head.get("sha") if isinstance(head, dict) else None
        if isinstance(sha, str) and _HEX_SHA.fullmatch(sha):
            return sha
        return self.sha

    def require(self, what: str) -> tuple[str, str]:
        """Repository and token, or a ConfigError naming what is missing and what needs it."""
        missing = [
            name
            for name, value in (
                ("GITHUB_REPOSITORY", self.repository),
                ("GITHUB_TOKEN", self.token),
            )
            if not value
        ]
        if missing:
            raise ConfigError(
                f"{what} needs {' and '.join(missing)} (pass the token to the step as "
                "`env: GITHUB_TOKEN: ${{ github.token }}`)"
            )
        assert self.repository and self.token
        return self.repository, self.token


def append_step_summary(path: str, markdown: str) -> None:
    with Path(path).open("a", encoding="utf-8") as summary:
        summary.write(markdown if markdown.endswith("\n") else markdown + "\n")


def output_lines(outputs: Mapping[str, str]) -> str:
    """`name=value` lines; a multi-line value in the `name<<DELIMITER` form GitHub documents."""
    lines = []
    for name, value in outputs.items():
        if "\n" in value or "\r" in value:
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
            lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
        else:
            lines.append(f"{name}={value}\n")
    return "".join(lines)


def write_outputs(path: str, outputs: Mapping[str, str]) -> None:
    with Path(path).open("a", encoding="utf-8") as output:
        output.write(output_lines(outputs))
