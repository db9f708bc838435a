"""Paging with `@odata.nextLink` (graph-sds-api.md §4.3): follow the link verbatim until absent."""

from __future__ import annotations

import random
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from reconciler.emulator import Emulator
from tests.emulator.emulator_helpers import (
    CSV_PROFILE,
    POWERSCHOOL_PROFILE,
    Graph,
    ManualClock,
    body,
)


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


# -- paging under change: the skip token is a position in creation order ------------------------


def test_deleting_the_last_item_served_keeps_the_cursor(small_pages: Emulator) -> None:
    expected = seed_profiles(small_pages, 7)
    graph = Graph(small_pages.base_url)
    first = graph.get().json()
    small_pages.tenant.provisioning_delay = 0
    # The item the skip token points at is gone, and so is one not yet served.
    assert graph.delete(f"/{expected[2]}").status_code == 202
    assert graph.delete(f"/{expected[4]}").status_code == 202
    rest, _ = follow(graph, first["@odata.nextLink"])
    assert rest == [expected[3], *expected[5:]]


def test_profiles_created_while_paging_come_after_the_others(small_pages: Emulator) -> None:
    expected = seed_profiles(small_pages, 4)
    graph = Graph(small_pages.base_url)
    first = graph.get().json()
    added = graph.create(body(CSV_PROFILE, displayName="Late"))["id"]
    rest, _ = follow(graph, first["@odata.nextLink"])
    assert [p["id"] for p in first["value"]] + rest == [*expected, added]


def test_every_profile_is_listed_once_while_others_come_and_go(clock: ManualClock) -> None:
    """A seeded random mix of creates, deletes, settling and page reads: each page holds exactly
    the profiles present at that moment that follow the last one served, in creation order, so
    a walk serves every profile that stayed throughout exactly once."""
    rng = random.Random(12)
    with Emulator(page_size=4, provisioning_delay=0.5, clock=clock) as emu:
        alive = seed_profiles(emu, 30)
        created_order = list(alive)
        graph = Graph(emu.base_url)
        for _walk in range(6):
            top = rng.choice([2, 3, 4])
            stayed = set(emu.tenant.ids()) & set(alive)  # not on its way out
            url: str | None = graph.url(f"?$top={top}")
            served: list[str] = []
            while url is not None:
                page = graph.session.get(url, timeout=5).json()
                present = emu.tenant.ids()  # the same clock reading as the request's
                after = created_order.index(served[-1]) if served else -1
                following = [i for i in present if created_order.index(i) > after]
                assert [p["id"] for p in page["value"]] == following[:top]
                served += following[:top]
                url = page.get("@odata.nextLink")
                for _ in range(rng.randint(0, 2)):  # others write between the pages
                    if rng.random() < 0.5 and alive:
                        victim = alive.pop(rng.randrange(len(alive)))
                        assert graph.delete(f"/{victim}").status_code == 202
                        stayed.discard(victim)
                    else:
                        new = graph.create(body(CSV_PROFILE, displayName=f"N{rng.random()}"))
                        alive.append(new["id"])
                        created_order.append(new["id"])
                clock.advance(rng.choice([0, 0.3, 1]))
            assert len(served) == len(set(served))
            assert stayed <= set(served)
        clock.advance(1)
        final, _ = follow(graph, graph.url())
        assert final == [i for i in created_order if i in alive]


def test_a_listed_profile_shows_its_latest_state_and_body(graph: Graph, clock: ManualClock) -> None:
    created = graph.create(body(CSV_PROFILE, displayName="Cached"))
    listed = graph.get().json()["value"]
    assert [(p["displayName"], p["state"]) for p in listed] == [("Cached", "provisioning")]
    clock.advance(1)
    assert graph.get().json()["value"][0]["state"] == "provisioned"
    patched = graph.patch(f"/{created['id']}", json={"displayName": "Renamed"})
    assert patched.status_code == 202
    (again,) = graph.get().json()["value"]
    assert (again["displayName"], again["state"]) == ("Renamed", "provisioning")
    assert graph.delete(f"/{created['id']}").status_code == 202
    assert graph.get().json()["value"][0]["state"] == "deleting"
    clock.advance(1)
    assert graph.get().json()["value"] == []


def test_a_page_is_the_same_json_the_items_render_to(small_pages: Emulator) -> None:
    seed_profiles(small_pages, 4)
    small_pages.tenant.seed_profile(POWERSCHOOL_PROFILE)
    graph = Graph(small_pages.base_url)
    response = graph.get(params={"$count": "true", "$top": "3"})
    assert response.headers["Content-Type"].startswith("application/json")
    page = response.json()
    assert list(page) == ["@odata.context", "@odata.count", "value", "@odata.nextLink"]
    assert page["value"] == small_pages.tenant.list_page(limit=3).items
    assert page["@odata.count"] == 5
    last = graph.session.get(page["@odata.nextLink"], timeout=5).json()
    assert list(last) == ["@odata.context", "@odata.count", "value"]
    assert last["value"][-1]["dataProvider"]["@odata.type"] == (
        "microsoft.graph.educationPowerSchoolDataProvider"
    )
    assert "clientSecret" not in last["value"][-1]["dataProvider"]


def test_skip_and_top_zero_after_a_skip_token(small_pages: Emulator) -> None:
    expected = seed_profiles(small_pages, 8)
    graph = Graph(small_pages.base_url)
    first = graph.get().json()
    token = parse_qs(urlsplit(first["@odata.nextLink"]).query)["$skiptoken"][0]
    skipped = graph.get(params={"$skiptoken": token, "$skip": "2"}).json()
    assert [p["id"] for p in skipped["value"]] == expected[5:8]
    assert "@odata.nextLink" not in skipped
    empty = graph.get(params={"$top": "0", "$count": "true"}).json()
    assert (empty["value"], empty["@odata.count"]) == ([], 8)
    assert "@odata.nextLink" not in empty
