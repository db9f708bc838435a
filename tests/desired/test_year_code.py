"""A year's code is the calendar year it ends in, four digits: `validate` says so at the value
(the service answered 400 in the middle of an apply), with the fix for a written-out span."""

from __future__ import annotations

import pytest

from reconciler.desired import load_desired

YEAR = """\
kind: year
year: {{code: {code}}}
displayName: 2026-2027
startDate: 2026-08-17
endDate: 2027-06-25
"""


@pytest.mark.parametrize(
    ("code", "said"),
    [
        ('"2026-2027"', "not '2026-2027': write 2027 (the year it ends in)"),
        ("27", "not '27'"),
        ('"FY2027x"', "not 'FY2027x'"),
    ],
)
def test_a_year_code_that_is_not_four_digits_is_an_error_at_it(write_tree, code, said) -> None:
    root = write_tree({"year.yaml": YEAR.format(code=code)})
    (problem,) = load_desired(str(root), cwd=root.parent).problems
    assert (problem.line, problem.column) == (2, 14)
    assert problem.message.startswith(
        "year.code must be the calendar year the academic year ends in, four digits such as 2027, "
    )
    assert said in problem.message


@pytest.mark.parametrize("code", ['"2027"', "2027"])  # a YAML number is taken as written
def test_four_digits_are_a_year_code(write_tree, code) -> None:
    root = write_tree({"year.yaml": YEAR.format(code=code)})
    assert load_desired(str(root), cwd=root.parent).problems == ()
