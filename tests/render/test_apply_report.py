"""The approval question and report lines (pure rendering)."""

from __future__ import annotations

import pytest

from reconciler.apply import Outcome, Status
from reconciler.engine.diff import FieldDiff
from reconciler.engine.model import Action, Change, Create, Modify, Plan, Remove, Subject
from reconciler.kinds.sync_profile import SYNCHRONIZATION_PROFILE as KIND
from reconciler.objects import DesiredObject
from reconciler.render.apply_report import (
    approval_question,
    cancelled,
    outcome_line,
    report_text,
)


def change(action: Action, name: str, id_: str | None = "id-1", **kw) -> Change:
    desired = DesiredObject(KIND, "p.yaml", 1, 1, {"displayName": name})
    subject: Subject = {
        Action.CREATE: Create(desired),
        Action.DELETE: Remove({"id": id_, "displayName": name}),
    }.get(action, Modify({"id": id_, "displayName": name}, desired))
    return Change(KIND, name, id_, action, subject, **kw)


CSV_TYPE = FieldDiff("dataProvider.@odata.type", "educationCsvDataProvider", None)


def test_plain_changes_are_counted() -> None:
    plan = Plan((change(Action.CREATE, "A", None), change(Action.UPDATE, "B")))
    assert approval_question(plan) == (
        "Carry out these 2 changes in the tenant? Type 'yes' to continue"
    )


def test_deletes_and_replaces_name_what_is_lost() -> None:
    plan = Plan(
        (
            change(Action.DELETE, "Legacy CSV", "id-9", fields=(CSV_TYPE,)),
            change(Action.DELETE, "Old OneRoster", "id-8"),
            change(Action.REPLACE, "Test Profile", "id-7"),
            change(Action.UPDATE, "Other"),
        )
    )
    assert approval_question(plan).splitlines() == [
        "This DELETES 2 profiles: 'Legacy CSV' (id-9, educationCsvDataProvider), "
        "'Old OneRoster' (id-8). Their sync history is lost.",
        "This REPLACES 1 profile (deleted, then created anew): 'Test Profile' (id-7). "
        "Its sync history is lost.",
        "It also makes 1 other change.",
        "Type 'yes' to carry out all 4 changes",
    ]


def test_deletes_are_counted_in_their_kind_s_own_noun() -> None:
    """A new-SDS delete is not a "profile": the prompt counts each kind's noun, or objects."""
    from reconciler.kinds.industry_data.year import YEAR

    def gone(kind, name: str, id_: str) -> Change:
        return Change(kind, name, id_, Action.DELETE, Remove({"id": id_}))

    years = Plan((gone(YEAR, "2026", "y1"), gone(YEAR, "2027", "y2")))
    assert approval_question(years).startswith("This DELETES 2 years: '2026' (y1), '2027' (y2).")
    mixed = Plan((gone(YEAR, "2026", "y1"), gone(KIND, "Old", "p1")))
    assert approval_question(mixed).startswith("This DELETES 2 objects: ")


def test_report_names_follow_up_actions_and_next_steps() -> None:
    done = Outcome(change(Action.UPDATE, "B", then=Action.RESUME), Status.DONE, object_id="id-1")
    skipped = Outcome(change(Action.CREATE, "C", None))
    assert outcome_line(done) == "done: update, then resume 'B' (id-1)"
    text = report_text([done, skipped])
    assert "    - update, then resume 'B' (id-1)" in text
    assert "  not attempted: 1" in text
    assert text.rstrip().endswith(
        "then `edusync-reconcile apply` again (what was done is not done twice)."
    )


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        ("y", "'y'"),
        ("Y\n", "'Y'"),
        (" ye ", "'ye'"),
        ("YES", "'YES'"),
        ("y e s", "'y e s'"),
        ("'yes'", "\"'yes'\""),
        ("Yes.", "'Yes.'"),
        ("y\u3000es", "'y\\u3000es'"),
    ],
)
def test_a_try_at_yes_is_shown_back_with_what_to_type(answer: str, shown: str) -> None:
    assert cancelled(answer) == (
        f"you typed {shown}; type yes in full to confirm. apply cancelled; nothing was written"
    )


@pytest.mark.parametrize(
    "answer", ["", "no", "n", "yeah sure", "ok", "y" + " " * 20 + "es", "\x1b[31my", "yes yes"]
)
def test_anything_else_is_not_echoed(answer: str) -> None:
    assert cancelled(answer) == "apply cancelled; nothing was written"
