"""Field paths as users write them (`licensesToAssign[teacher].skuIds`): parsing, joining,
prefixes, and the message for a path that names nothing, with what it most likely meant."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler import fieldpaths
from reconciler.kinds.sync_profile import PROFILE


@pytest.mark.parametrize(
    ("path", "segments"),
    [
        ("displayName", ("displayName",)),
        ("licensesToAssign[teacher].skuIds", ("licensesToAssign", "[teacher]", "skuIds")),
        ("dataProvider.@odata.type", ("dataProvider", "@odata.type")),
        ("a[k][j]", ("a", "[k]", "[j]")),
        ("a[]", ("a", "[]")),
    ],
)
def test_parse_and_join_round_trip(path: str, segments: tuple[str, ...]) -> None:
    assert fieldpaths.parse(path) == segments
    assert fieldpaths.join(segments) == path


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("", "empty field path"),
        ("a..b", "malformed field path 'a..b' near position 3"),
        (".a", "near position 1"),
        ("a.", "near position 2"),
        ("a[", "near position 2"),
        ("a]", "near position 2"),
    ],
)
def test_malformed_paths_say_where(path: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace(".", r"\.")):
        fieldpaths.parse(path)


NAME = st.text(st.sampled_from("abcXYZ09_-"), min_size=1, max_size=6)
SEGMENT = st.one_of(NAME, NAME.map(lambda k: f"[{k}]"))


@given(NAME, st.lists(SEGMENT, max_size=5))
def test_every_joined_path_parses_back(first: str, rest: list[str]) -> None:
    segments = (first, *rest)
    assert fieldpaths.parse(fieldpaths.join(segments)) == segments


def test_join_of_nothing_is_empty() -> None:
    assert fieldpaths.join([]) == ""


def test_is_prefix_matches_ancestors_and_keys_in_any_case() -> None:
    path = ("licensesToAssign", "[teacher]", "skuIds")
    assert fieldpaths.is_prefix(("licensesToAssign",), path)
    assert fieldpaths.is_prefix(("licensesToAssign", "[TEACHER]"), path)
    assert fieldpaths.is_prefix(path, path)
    assert not fieldpaths.is_prefix(("LicensesToAssign",), path)  # property names: exact
    assert not fieldpaths.is_prefix(("licensesToAssign", "[student]"), path)
    assert not fieldpaths.is_prefix((*path, "more"), path)


@pytest.mark.parametrize(
    "path",
    [
        "displayName",
        "licensesToAssign[teacher].skuIds",
        "licensesToAssign[Teacher]",
        "dataProvider.@odata.type",
        "dataProvider.connectionUrl",
        "dataProvider.customizations.student.optionalPropertiesToSync",
        "identitySynchronizationConfiguration.userDomains[student].name",
    ],
)
def test_paths_that_name_a_property_resolve(path: str) -> None:
    assert fieldpaths.resolve(PROFILE, fieldpaths.parse(path)) is None


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("displayNme", "'displayNme' is not a property (did you mean 'displayName'?)"),
        (
            "dataProvider.conectionUrl",
            "'dataProvider.conectionUrl' is not a property "
            "(did you mean 'dataProvider.connectionUrl'?)",
        ),
        ("dataProvider.qqq", "'dataProvider.qqq' is not a property"),
        (
            "licensesToAssign.skuIds",
            "'licensesToAssign' is a keyed list: address an item by its appliesTo, "
            "e.g. licensesToAssign[teacher].skuIds",
        ),
        (
            "licensesToAssign.foo",
            "'licensesToAssign' is a keyed list: address an item by its appliesTo, "
            "e.g. licensesToAssign[teacher]",
        ),
        (
            "licensesToAssign[teachr].skuIds",
            "'licensesToAssign[teachr]': 'teachr' is not a valid appliesTo (did you mean "
            "'licensesToAssign[teacher].skuIds'?); use one of: student, teacher, faculty, none",
        ),
        (
            "licensesToAssign[zzz]",
            "'licensesToAssign[zzz]': 'zzz' is not a valid appliesTo; use one of: student, "
            "teacher, faculty, none",
        ),
        ("dataProvider.@odata.type.x", "nothing is below 'dataProvider.@odata.type'"),
        (
            "dataProvider.schoolsIds.x",
            "'dataProvider.schoolsIds' is a list, compared whole; stop the path there",
        ),
        ("displayName.x", "'displayName' has no properties below it"),
        ("dataProvider[x]", "'dataProvider[x]': only keyed lists have [key] items"),
    ],
)
def test_paths_that_name_nothing_say_what_was_meant(path: str, message: str) -> None:
    assert fieldpaths.resolve(PROFILE, fieldpaths.parse(path)) == message
