"""`displayName: Contoso #1 PowerSchool` is the name `Contoso` and a comment: a warning at the
value says so and how to quote it, whichever path read the file. A comment written on purpose
(`# …` with a space) or a `#` inside quotes says nothing."""

from __future__ import annotations

import pytest

from reconciler.desired import load_desired

PROFILE = """\
displayName: {name}
dataProvider:
  "@odata.type": "#microsoft.graph.educationCsvDataProvider"{tab}
identitySynchronizationConfiguration:
  "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration"
  userDomains:
    - appliesTo: student
      name: s.contoso.edu
licensesToAssign: []
"""


def _warnings(write_tree, name: str, *, precise: bool = False) -> list[str]:
    # A tab in a comment sends the file down the precise (ruamel.yaml) path.
    text = PROFILE.format(name=name, tab="  #\tnote" if precise else "")
    root = write_tree({"p.yaml": text})
    state = load_desired(str(root), cwd=root.parent)
    assert state.ok
    return [f"{p.line}:{p.column}: {p.message}" for p in state.problems if "comment" in p.message]


@pytest.mark.parametrize("precise", [False, True], ids=["fast", "precise"])
def test_a_name_cut_at_a_hash_is_pointed_out_with_the_quoted_fix(write_tree, precise) -> None:
    (warning,) = _warnings(write_tree, "Contoso #1 PowerSchool", precise=precise)
    assert warning == (
        "1:14: displayName is 'Contoso': YAML reads '#1 PowerSchool' after it as a comment. "
        'If the # is part of the name, put the name in quotes: displayName: "Contoso #1 PowerSchool"'
    )


@pytest.mark.parametrize(
    "name",
    [
        "Contoso  # the main profile",  # a comment on purpose
        '"Contoso #1 PowerSchool"',  # quoted: the # is the name's
        "'Contoso #1'",
        "Contoso#1",  # no space before it: part of the name in YAML too
        "Contoso",
        "Contoso\n  PowerSchool #1 District",  # continued: not this line's whole value
    ],
)
def test_no_warning_where_the_hash_is_meant(write_tree, name: str) -> None:
    assert _warnings(write_tree, name) == []


def test_the_quoted_fix_is_itself_valid_yaml_with_quotes_in_the_name(write_tree) -> None:
    (warning,) = _warnings(write_tree, 'Say "hi" #1 PowerSchool')
    fix = warning.split("put the name in quotes: ", 1)[1]
    assert fix == 'displayName: "Say \\"hi\\" #1 PowerSchool"'
    root = write_tree({"fixed.yaml": PROFILE.format(name=fix.split(": ", 1)[1], tab="")})
    state = load_desired(str(root / "fixed.yaml"), cwd=root.parent)
    assert [o.name for o in state.objects] == ['Say "hi" #1 PowerSchool']


def test_a_name_in_flow_style_followed_by_a_comment_after_the_comma_is_left_alone(
    write_tree,
) -> None:
    root = write_tree(
        {"p.yaml": "{displayName: Contoso,   #1 main profile\n licensesToAssign: []}\n"}
    )
    state = load_desired(str(root), cwd=root.parent)
    assert [o.name for o in state.objects] == ["Contoso"]
    assert not [p for p in state.problems if "comment" in p.message]
