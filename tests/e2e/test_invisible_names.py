"""A name with a character people cannot see (a no-break space pasted from Word) reads like
another name: validate says which character and where, and messages show it escaped."""

from __future__ import annotations

import pytest

from reconciler.names import escaped, odd_characters
from tests.e2e.test_plan_apply import converge


def test_a_no_break_space_in_a_display_name(cli, graph_env, sample) -> None:
    converge(cli)
    tp = sample / "test-profile.yaml"
    text = tp.read_text()
    assert "displayName: Test Profile\n" in text
    line = text.splitlines().index("displayName: Test Profile") + 1
    tp.write_text(text.replace("displayName: Test Profile\n", "displayName: Test\u00a0Profile\n"))

    checked = cli("validate", "desired-state")
    assert checked.code == 0
    assert (
        f"desired-state/test-profile.yaml:{line}:14: warning: displayName 'Test\\u00a0Profile' "
        "holds U+00A0 NO-BREAK SPACE at character 5" in checked.out
    )

    plan = cli("plan")
    assert '+ synchronizationProfile "Test\\u00a0Profile" will be created' in plan.out
    assert "the tenant profile 'Test Profile' (" in plan.out
    assert "creating 'Test\\u00a0Profile' makes a second profile" in plan.out
    markdown = cli("plan", "--format", "markdown").out
    assert "**Test\\u00a0Profile** looks like the unmanaged tenant profile **Test Profile**" in (
        markdown
    )


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("a\u200bb", "U+200B ZERO WIDTH SPACE at character 2"),
        (" Test Profile", "a space at the start"),
        ("Test Profile ", "a space at the end"),
        ("T\u0435st", "U+0435 CYRILLIC SMALL LETTER IE (looks like a Latin letter) at character 2"),
        ("Test\u2003Profile", "U+2003 EM SPACE at character 5"),
    ],
)
def test_odd_characters_are_named(name, said) -> None:
    assert said in odd_characters(name)


def test_ordinary_names_are_left_alone() -> None:
    for name in ("Test Profile", "Škola Žilina 2025", "Приклад", "学校 2025"):
        assert odd_characters(name) == [] and escaped(name) == name
