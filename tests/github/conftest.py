"""Fixtures: the fake GitHub API on loopback, a client for it whose sleeps are recorded (not
slept), and a GitHub Actions environment for driving the real CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from reconciler.github.client import GitHubClient
from tests.github.fake_github import FakeGitHub


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


@dataclass
class Sleeps:
    waits: list[float]

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps([])


@pytest.fixture
def client(github: FakeGitHub, sleeps: Sleeps) -> Iterator[GitHubClient]:
    with GitHubClient(github.token, api_url=github.url, sleep=sleeps, clock=lambda: 1_000.0) as c:
        yield c


@dataclass
class Actions:
    """The files and environment a GitHub Actions step gets."""

    root: Path
    github: FakeGitHub
    monkeypatch: pytest.MonkeyPatch

    @property
    def summary(self) -> Path:
        return self.root / "step-summary.md"

    @property
    def output(self) -> Path:
        return self.root / "github-output.txt"

    def outputs(self) -> dict[str, str]:
        text = self.output.read_text() if self.output.exists() else ""
        values: dict[str, str] = {}
        for line in text.splitlines():
            if "=" in line and "<<" not in line:
                name, _, value = line.partition("=")
                values[name] = value
        return values

    def reset_files(self) -> None:
        for path in (self.summary, self.output):
            path.unlink(missing_ok=True)

    def pull_request_event(
        self, number: int, sha: str = "a1b2c3d4e5f6", head: str | None = None
    ) -> None:
        """`sha` is GITHUB_SHA (GitHub's test-merge commit), `head` the branch's own commit."""
        event = self.root / "event.json"
        pull: dict[str, object] = {"number": number}
        if head:
            pull["head"] = {"sha": head, "ref": "feature"}
        event.write_text(
            json.dumps({"action": "synchronize", "number": number, "pull_request": pull})
        )
        self.monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
        self.monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
        self.monkeypatch.setenv("GITHUB_SHA", sha)

    def push_event(self, sha: str) -> None:
        event = self.root / "event.json"
        event.write_text(json.dumps({"ref": "refs/heads/main", "after": sha}))
        self.monkeypatch.setenv("GITHUB_EVENT_NAME", "push")
        self.monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
        self.monkeypatch.setenv("GITHUB_SHA", sha)

    def schedule_event(self) -> None:
        event = self.root / "event.json"
        event.write_text(json.dumps({"schedule": "0 6 * * *"}))
        self.monkeypatch.setenv("GITHUB_EVENT_NAME", "schedule")
        self.monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))


@pytest.fixture
def actions(tmp_path: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> Actions:
    root = tmp_path / "runner"
    root.mkdir()
    env = Actions(root, github, monkeypatch)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_API_URL", github.url)
    monkeypatch.setenv("GITHUB_REPOSITORY", github.repo)
    monkeypatch.setenv("GITHUB_TOKEN", github.token)
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(env.summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(env.output))
    monkeypatch.delenv("EDUSYNC_COMMENT_AUTHORS", raising=False)
    return env


#: A copy of the sample tree taken for these tests, so that edits to the shipped sample (which
#: the README documents) do not change what these tests and the golden comment say.
TREE = Path(__file__).resolve().parent / "fixtures" / "desired-state"


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """TREE as ./desired-state of a fresh working directory."""
    import shutil

    target = tmp_path / "desired-state"
    shutil.copytree(TREE, target)
    monkeypatch.chdir(tmp_path)
    return target


# The built-in Graph emulator, shared with the e2e tests.
from tests.e2e.conftest import emulator, graph_env  # noqa: E402, F401
