"""The emulator switches `status` and `doctor` rely on: errors ordered by time and paged in
that order, and the classic API answering as live Graph does since its retirement."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest
import requests

from reconciler.emulator import Emulator
from tests.emulator.emulator_helpers import CSV_PROFILE, Graph, body
from tests.emulator.test_emulator_cli import serving, stop


@pytest.fixture
def small_pages() -> Iterator[Emulator]:
    with Emulator(page_size=2) as emulator:
        yield emulator


def test_errors_ordered_newest_first_page_in_that_order(small_pages: Emulator) -> None:
    profile_id = small_pages.tenant.seed_profile(body(CSV_PROFILE))
    for day in (3, 1, 5, 2, 4):
        small_pages.tenant.add_error(
            profile_id,
            {
                "recordedDateTime": f"2025-05-0{day}T10:00:00.1234567Z",
                "reportableIdentifier": f"d{day}",
            },
        )
    graph = Graph(small_pages.base_url)
    url: str | None = graph.url(f"/{profile_id}/errors?$orderby=recordedDateTime desc")
    seen: list[str] = []
    pages = 0
    while url:
        page = graph.session.get(url, timeout=5).json()
        assert page["@odata.count"] == 5
        seen += [e["reportableIdentifier"] for e in page["value"]]
        url = page.get("@odata.nextLink")
        pages += 1
    assert seen == ["d5", "d4", "d3", "d2", "d1"] and pages == 3
    oldest = graph.get(f"/{profile_id}/errors", params={"$orderby": "recordedDateTime"}).json()
    assert [e["reportableIdentifier"] for e in oldest["value"]] == ["d1", "d2"]
    refused = graph.get(f"/{profile_id}/errors", params={"$orderby": "errorCode"})
    assert refused.status_code == 400


def test_retired_switch_answers_like_graph_for_a_segment_it_no_longer_has() -> None:
    with Emulator(retired=True) as emulator:
        profile_id = emulator.tenant.seed_profile(body(CSV_PROFILE))
        graph = Graph(emulator.base_url)
        for path in ("", f"/{profile_id}", f"/{profile_id}/profileStatus", f"/{profile_id}/errors"):
            answer = graph.get(path)
            assert answer.status_code == 400, path
            error = answer.json()["error"]
            assert error["code"] == "BadRequest"
            assert "synchronizationProfiles" in error["message"]
            assert answer.headers["request-id"]
        # A bad token is still a 401 first, as Graph authenticates before routing.
        assert Graph(emulator.base_url, token="").get().status_code == 401
        emulator.retired = False
        assert graph.get().status_code == 200


def test_emulator_command_serves_the_retired_api() -> None:
    with serving("--retired") as (process, url):
        answer = requests.get(
            f"{url}/education/synchronizationProfiles",
            headers={"Authorization": "Bearer any"},
            timeout=5,
        )
        assert (answer.status_code, answer.json()["error"]["code"]) == (400, "BadRequest")
        assert stop(process, signal.SIGTERM) == 0
