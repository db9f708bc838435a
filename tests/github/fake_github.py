"""A fake GitHub REST API served over real HTTP on 127.0.0.1, for the GitHub side of the CLI.

Covers what edusync-reconcile calls: issue comments (paged with `Link`), create/update/delete
comment, issues listed by label, create/update issue, labels, commits → pulls. Tokens map to
users (a bot by default); errors and rate limits are injected per method and path, answered
in GitHub's shape with an `x-github-request-id`.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

BOT = {"login": "github-actions[bot]", "type": "Bot"}


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    times: int


@dataclass
class Logged:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class State:
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    commit_pulls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class FakeGitHub:
    def __init__(
        self,
        repo: str = "district/sds-config",
        token: str = "ghs_fake_token_1234567890",
        page_size: int = 3,
    ) -> None:
        self.repo = repo
        self.token = token
        self.page_size = page_size
        self.users: dict[str, dict[str, str]] = {token: dict(BOT)}
        self.state = State()
        self.log: list[Logged] = []
        self.faults: list[Fault] = []
        #: Called with (method, path) before a request is handled (for races).
        self.before: Callable[[str, str], None] | None = None
        #: Called with (method, path) once a request's answer is settled (for races).
        self.after: Callable[[str, str], None] | None = None
        self._ids = itertools.count(1000)
        self._numbers = itertools.count(1)
        self._clock = itertools.count(1)
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeGitHub:
        fake = self

        class Handler(_Handler):
            github = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    # -- test helpers -------------------------------------------------------------------------
    def fail(
        self,
        method: str,
        path: str,
        status: int,
        message: str = "failed",
        *,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        self.faults.append(
            Fault(
                method,
                re.compile(path),
                status,
                {"message": message, "documentation_url": "https://docs.github.com/rest"},
                headers or {},
                times,
            )
        )

    def open_pull_request(self, number: int | None = None) -> int:
        with self._lock:
            number = number or next(self._numbers)
            self.state.issues[number] = {
                "number": number,
                "title": f"PR {number}",
                "state": "open",
                "pull_request": {"url": "..."},
                "labels": [],
                "body": "",
            }
            return number

    def merge(self, number: int, sha: str) -> None:
        with self._lock:
            pr = {
                "number": number,
                "state": "closed",
                "merged_at": "2026-01-01T00:00:00Z",
                "merge_commit_sha": sha,
                "html_url": f"https://github.com/{self.repo}/pull/{number}",
            }
            self.state.commit_pulls.setdefault(sha, []).append(pr)

    def add_comment(
        self, number: int, body: str, user: dict[str, str] | None = None
    ) -> dict[str, Any]:
        with self._lock:
            return self._new_comment(number, body, user or dict(BOT))

    def comments(self, number: int) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(c) for c in self.state.comments.get(number, [])]

    def issues(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(i) for i in self.state.issues.values() if "pull_request" not in i]

    def requests(self, method: str | None = None) -> list[Logged]:
        with self._lock:
            return [r for r in self.log if method is None or r.method == method]

    # -- model --------------------------------------------------------------------------------
    def _stamp(self) -> str:
        tick = next(self._clock)
        return f"2026-01-01T{tick // 3600 % 24:02d}:{tick // 60 % 60:02d}:{tick % 60:02d}Z"

    def _new_comment(self, number: int, body: str, user: dict[str, str]) -> dict[str, Any]:
        comment_id = next(self._ids)
        comment = {
            "id": comment_id,
            "body": body,
            "user": user,
            "created_at": self._stamp(),
            "updated_at": self._stamp(),
            "html_url": f"https://github.com/{self.repo}/pull/{number}#issuecomment-{comment_id}",
            "issue_number": number,
        }
        self.state.comments.setdefault(number, []).append(comment)
        return comment

    def _find_comment(self, comment_id: int) -> dict[str, Any] | None:
        for comments in self.state.comments.values():
            for c in comments:
                if c["id"] == comment_id:
                    return c
        return None

    def handle(
        self, method: str, target: str, headers: dict[str, str], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        split = urlsplit(target)
        path, query = split.path, parse_qs(split.query)
        with self._lock:
            self.log.append(Logged(method, target, headers, body))
            for fault in self.faults:
                if fault.times and fault.method == method and fault.path.search(path):
                    fault.times -= 1
                    return fault.status, fault.body, dict(fault.headers)
            auth = headers.get("authorization", "")
            token = auth.removeprefix("Bearer ").removeprefix("token ")
            user = self.users.get(token)
            if user is None:
                return (
                    401,
                    {
                        "message": "Bad credentials",
                        "documentation_url": "https://docs.github.com/rest",
                    },
                    {},
                )
            if headers.get("accept") != "application/vnd.github+json" or not headers.get(
                "x-github-api-version"
            ):
                return 415, {"message": "expected the GitHub media type and API version"}, {}
            if path == "/user" and method == "GET":
                # A user's token (a machine user's) says who it is; an app's installation
                # token, such as the workflow's GITHUB_TOKEN, is refused.
                if user.get("type") == "Bot":
                    return 403, {"message": "Resource not accessible by integration"}, {}
                return 200, dict(user), {}
            prefix = f"/repos/{self.repo}"
            if not path.startswith(prefix + "/"):
                return 404, {"message": "Not Found"}, {}
            return self._route(method, path[len(prefix) :], query, body, user, split.path)

    def _page(
        self, items: list[Any], query: dict[str, list[str]], path: str
    ) -> tuple[int, Any, dict[str, str]]:
        per_page = min(int(query.get("per_page", ["30"])[0]), self.page_size)
        page = int(query.get("page", ["1"])[0])
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(items):
            rest = "&".join(f"{k}={v[0]}" for k, v in query.items() if k != "page")
            headers["Link"] = (
                f'<{self.url}{path}?{rest}&page={page + 1}>; rel="next", <{self.url}{path}?page=1>; rel="first"'
            )
        return 200, chunk, headers

    def _route(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: Any,
        user: dict[str, str],
        full: str,
    ) -> tuple[int, Any, dict[str, str]]:
        m = re.fullmatch(r"/issues/(\d+)/comments", path)
        if m:
            number = int(m.group(1))
            if number not in self.state.issues:
                return 404, {"message": "Not Found"}, {}
            if method == "GET":
                return self._page(self.state.comments.get(number, []), query, full)
            if method == "POST":
                if not isinstance(body, dict) or not isinstance(body.get("body"), str):
                    return (
                        422,
                        {
                            "message": "Validation Failed",
                            "errors": [{"code": "missing_field", "field": "body"}],
                        },
                        {},
                    )
                if len(body["body"]) > 65536:
                    return (
                        422,
                        {
                            "message": "Validation Failed",
                            "errors": [
                                {"message": "Body is too long (maximum is 65536 characters)"}
                            ],
                        },
                        {},
                    )
                return 201, self._new_comment(number, body["body"], dict(user)), {}
        m = re.fullmatch(r"/issues/comments/(\d+)", path)
        if m:
            comment = self._find_comment(int(m.group(1)))
            if comment is None:
                return 404, {"message": "Not Found"}, {}
            if method == "PATCH":
                if len(body.get("body", "")) > 65536:
                    return (
                        422,
                        {
                            "message": "Validation Failed",
                            "errors": [
                                {"message": "Body is too long (maximum is 65536 characters)"}
                            ],
                        },
                        {},
                    )
                comment["body"] = body["body"]
                comment["updated_at"] = self._stamp()
                return 200, comment, {}
            if method == "DELETE":
                self.state.comments[comment["issue_number"]].remove(comment)
                return 204, None, {}
        if path == "/issues":
            if method == "GET":
                wanted = set(query.get("labels", [""])[0].split(",")) - {""}
                state = query.get("state", ["open"])[0]
                items = [
                    i
                    for i in sorted(self.state.issues.values(), key=lambda i: -i["number"])
                    if (state == "all" or i["state"] == state)
                    and wanted <= {label["name"] for label in i["labels"]}
                ]
                return self._page(items, query, full)
            if method == "POST":
                number = next(self._numbers)
                labels = []
                for name in body.get("labels", []):
                    self.state.labels.setdefault(name, {"name": name, "color": "ededed"})
                    labels.append({"name": name})
                issue = {
                    "number": number,
                    "title": body["title"],
                    "body": body.get("body", ""),
                    "state": "open",
                    "state_reason": None,
                    "labels": labels,
                    "html_url": f"https://github.com/{self.repo}/issues/{number}",
                }
                self.state.issues[number] = issue
                return 201, issue, {}
        m = re.fullmatch(r"/issues/(\d+)", path)
        if m and method == "PATCH":
            issue = self.state.issues.get(int(m.group(1)))
            if issue is None:
                return 404, {"message": "Not Found"}, {}
            for key in ("body", "state", "state_reason", "title"):
                if key in body:
                    issue[key] = body[key]
            return 200, issue, {}
        m = re.fullmatch(r"/labels/([^/]+)", path)
        if m and method == "GET":
            label = self.state.labels.get(m.group(1))
            return (200, label, {}) if label else (404, {"message": "Not Found"}, {})
        if path == "/labels" and method == "POST":
            if body["name"] in self.state.labels:
                return (
                    422,
                    {
                        "message": "Validation Failed",
                        "errors": [
                            {"resource": "Label", "code": "already_exists", "field": "name"}
                        ],
                    },
                    {},
                )
            self.state.labels[body["name"]] = {"name": body["name"], "color": body.get("color")}
            return 201, self.state.labels[body["name"]], {}
        m = re.fullmatch(r"/commits/([0-9a-zA-Z]+)/pulls", path)
        if m and method == "GET":
            return self._page(self.state.commit_pulls.get(m.group(1), []), query, full)
        return 404, {"message": "Not Found"}, {}


class _Handler(BaseHTTPRequestHandler):
    github: FakeGitHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw.strip() else None
        headers = {k.lower(): v for k, v in self.headers.items()}
        if self.github.before:
            self.github.before(self.command, urlsplit(self.path).path)
        status, answer, extra = self.github.handle(self.command, self.path, headers, body)
        if self.github.after:
            self.github.after(self.command, urlsplit(self.path).path)
        payload = b"" if answer is None else json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("x-github-request-id", f"FAKE:{uuid.uuid4().hex[:8].upper()}")
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_DELETE = _serve


def now_plus(seconds: int) -> str:
    return str(int(time.time()) + seconds)
