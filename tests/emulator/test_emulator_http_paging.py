"""Paging with `@odata.nextLink` (graph-sds-api.md §4.3): follow the link verbatim until absent."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from reconciler.emulator import Emulator
from tests.emulator.emulator_helpers import CSV_PROFILE, Graph, body


@pytest.fixture
def small_pages() -> Iterator[Emulator]:
    with Emulator(page_size=3) as emulator:
        yield emulator


def seed_profiles(emu: Emulator, count: int) -> list[str]:
    return [
        emu.tenant.seed_profile(body(CSV_PROFILE, displayName=f"P{n:02}")) for n in range(count)
    ]


def follow(graph: Graph, first_url: str) -> tuple[list[str], list[str]]:
    """(ids in order, every nextLink seen), requesting each nextLink exactly as given."""
    ids: list[str] = []
    links: list[str] = []
    url: str | None = first_url
    while url is not None:
        response = graph.session.get(url, timeout=5)
        assert response.status_code == 200, response.text
        page = response.json()
        ids += [p["id"] for p in page["value"]]
        url = page.get("@odata.nextLink")
        if url is not None:
            links.append(url)
    return ids, links


def test_pages_through_everything_following_next_links_verbatim(small_pages: Emulator) -> None:
    expected = seed_profiles(small_pages, 10)
    graph = Graph(small_pages.base_url)
    ids, links = follow(graph, graph.url())
    assert ids == expected
    assert len(links) == 3  # 3 + 3 + 3 + 1
    for link in links:
        assert link.startswith(f"{small_pages.base_url}/education/synchronizationProfiles?")
        assert "$skiptoken=" in link


def test_top_is_honoured_up_to_the_page_size_and_kept_in_next_links(small_pages: Emulator) -> None:
    expected = seed_profiles(small_pages, 5)
    graph = Graph(small_pages.base_url)
    first = graph.get(params={"$top": "2"}).json()
    assert len(first["value"]) == 2
    assert parse_qs(urlsplit(first["@odata.nextLink"]).query)["$top"] == ["2"]
    ids, _ = follow(graph, graph.url("?$top=2"))
    assert ids == expected
    capped = graph.get(params={"$top": "50"}).json()
    assert len(capped["value"]) == 3


def test_count_filter_and_skip(small_pages: Emulator) -> None:
    seed_profiles(small_pages, 7)
    graph = Graph(small_pages.base_url)
    counted = graph.get(params={"$count": "true"}).json()
    assert counted["@odata.count"] == 7
    assert len(counted["value"]) == 3
    named = graph.get(params={"$filter": "displayName eq 'P04'"}).json()
    assert [p["displayName"] for p in named["value"]] == ["P04"]
    skipped, _ = follow(graph, graph.url("?$skip=5"))
    assert len(skipped) == 2


def test_a_profile_deleted_between_pages_does_not_shift_the_rest(small_pages: Emulator) -> None:
    expected = seed_profiles(small_pages, 6)
    graph = Graph(small_pages.base_url)
    first = graph.get().json()
    # The skip token remembers the last item served, not an offset.
    small_pages.tenant.provisioning_delay = 0
    graph.delete(f"/{expected[0]}")
    second = graph.session.get(first["@odata.nextLink"], timeout=5).json()
    assert [p["id"] for p in second["value"]] == expected[3:]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("$skiptoken=bm90LW91cnM", "not a skip token this service issued"),
        ("$top=-1", "non-negative integer"),
        ("$count=maybe", "true or false"),
        ("$filter=startswith(displayName,'P')", "not supported by the emulator"),
        ("$orderby=displayName", "'$orderby' is not supported"),
    ],
)
def test_bad_query_options_are_400(graph: Graph, query: str, words: str) -> None:
    response = graph.get(f"?{query}")
    assert response.status_code == 400
    assert words in response.json()["error"]["message"]


def test_errors_collection_pages_and_counts(small_pages: Emulator) -> None:
    (profile_id,) = seed_profiles(small_pages, 1)
    expected = [small_pages.tenant.add_error(profile_id) for _ in range(7)]
    graph = Graph(small_pages.base_url)
    first = graph.get(f"/{profile_id}/errors").json()
    assert first["@odata.count"] == 7
    assert first["@odata.context"].endswith(f"('{profile_id}')/errors")
    ids, links = follow(graph, graph.url(f"/{profile_id}/errors"))
    assert ids == expected
    assert len(links) == 2


def test_query_options_outside_collections_are_400(graph: Graph, emu: Emulator) -> None:
    profile_id = emu.tenant.seed_profile(CSV_PROFILE)
    response = graph.get(f"/{profile_id}", params={"$select": "displayName"})
    assert response.status_code == 400
    assert "'$select' is not supported on this resource" in response.json()["error"]["message"]
    # Parameters without `$` are not OData options; Graph ignores them.
    assert graph.get(f"/{profile_id}", params={"trace": "1"}).status_code == 200
