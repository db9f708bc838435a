"""Masking personal data in free text, and times as a log reader wants them."""

from __future__ import annotations

import datetime as dt

import pytest

from reconciler.status.pii import HIDDEN, mask_text, mask_value
from reconciler.status.times import absolute, instant, relative, when


@pytest.mark.parametrize(
    ("text", "leaks"),
    [
        ("User jane.doe@contoso.edu already exists", ["jane.doe", "contoso.edu"]),
        ("Guest jane_gmail.com#EXT#@contoso.onmicrosoft.com", ["jane_gmail", "#EXT#"]),
        ("The value 'Jane Doe' is too long", ["Jane Doe"]),
        ('Student "Ana Lima" has no school', ["Ana Lima"]),
        ("Duplicate student number 20240117 in file", ["20240117"]),
        ("Object 3f2504e0-4f89-11d3-9a0c-0305e82c3301 not found", ["3f2504e0"]),
    ],
)
def test_free_text_loses_everything_person_shaped(text: str, leaks: list[str]) -> None:
    masked = mask_text(text)
    assert HIDDEN in masked
    for leak in leaks:
        assert leak not in masked


@pytest.mark.parametrize(
    "text",
    [
        "Contact: +1 555 123 4567",
        "call (555) 010-7788 now",
        "phone 555-010-7788",
        "tel +44 20 7946 0958",
        "DOB 2011-03-04",
        "born 04/03/2011",
        "birth date 4.3.2011",
        "born March 4, 2011",
        "born 4 March 2011",
    ],
)
def test_phone_numbers_and_dates_are_hidden_by_pattern(text: str) -> None:
    masked = mask_text(text)
    assert HIDDEN in masked
    assert not any(ch.isdigit() for ch in masked), masked


def test_the_rows_own_values_are_hidden_in_its_text() -> None:
    known = ("tbaker", "T-0042", "ana.lima@students.contoso.edu")
    text = "Teacher has id T-0042 (tbaker); see ana.lima and Ana.Lima@students.contoso.edu"
    assert mask_text(text, known) == (
        "Teacher has id (hidden) ((hidden)); see (hidden) and (hidden)"
    )
    # Only whole values: a value inside a longer word is left alone.
    assert mask_text("tbakers club", ("tbaker",)) == "tbakers club"


def test_codes_and_words_survive_masking() -> None:
    text = "UnsynchronizableChange: the entry could not be synchronized (2024)."
    assert mask_text(text) == text
    synced = "Last sync 2025-05-02T09:00:00Z took 12 min; 3 of 1200 rows, version 2.10.4"
    assert mask_text(synced) == synced


def test_personal_fields_are_hidden_whole() -> None:
    assert mask_value("S-12", personal=True, free_text=False) == HIDDEN
    assert mask_value(None, personal=True, free_text=False) is None
    assert mask_value("Student", personal=False, free_text=False) == "Student"


NOW = dt.datetime(2025, 5, 1, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("ago", "expected"),
    [
        (dt.timedelta(seconds=20), "just now"),
        (dt.timedelta(minutes=5), "5 min ago"),
        (dt.timedelta(hours=3, minutes=59), "3 h ago"),
        (dt.timedelta(days=3), "3 d ago"),
        (-dt.timedelta(minutes=10), "in 10 min"),
    ],
)
def test_relative_times(ago: dt.timedelta, expected: str) -> None:
    assert relative(NOW - ago, NOW) == expected


def test_when_reads_graph_times_and_never() -> None:
    assert instant("0001-01-01T00:00:00Z") is None
    assert instant(None) is None
    moment = instant("2025-05-01T06:59:59.1234567Z")
    assert moment is not None
    assert absolute(moment) == "2025-05-01 06:59 UTC"
    assert when(moment, NOW) == "3 h ago (2025-05-01 06:59 UTC)"
    assert when(None, NOW) == "never"
