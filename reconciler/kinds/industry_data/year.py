"""`year`: an academic year (yearTimePeriodDefinition, reference §1.4), known by its code,
the calendar year it ends in: `year: {code: "2027"}`, referenced as `{ref: "2027"}`."""

from __future__ import annotations

from reconciler.kinds.industry_data.common import (
    DATE,
    ROOT,
    STRING,
    YEAR_VALUE,
    object_id,
    permissions,
)
from reconciler.kinds.industry_data.runs import RUNS
from reconciler.kinds.model import Endpoint, Kind, NaturalKey, ObjectType, Prop, UpdateVerb, Writes

YEAR_TIME_PERIOD = ObjectType(
    "yearTimePeriodDefinition",
    (
        object_id("year"),
        Prop("displayName", STRING, "Name shown to admins (2026-2027).", required=True),
        Prop("startDate", DATE, "First day (YYYY-MM-DD).", required=True, nullable=False),
        Prop("endDate", DATE, "Last day (YYYY-MM-DD).", required=True, nullable=False),
        Prop(
            "year",
            YEAR_VALUE,
            'The year\'s code: the calendar year it ends in ({code: "2027"}); cannot change.',
            required=True,
            nullable=False,
        ),
    ),
    "An academic year inbound flows are bound to.",
)

YEAR = Kind(
    name="year",
    endpoint=Endpoint(f"{ROOT}/years"),
    root=YEAR_TIME_PERIOD,
    key=NaturalKey(("year.code",)),
    noun="year",
    writes=Writes(
        UpdateVerb.PATCH,
        # yeartimeperioddefinition-update.md marks all three Required (correction 5).
        patch_always=("displayName", "startDate", "endDate"),
        reread=True,
        create_only=("year",),
        replace_loses="the inbound flows bound to it must be replaced too",
    ),
    permissions=permissions("TimePeriod"),
    run_log=RUNS,
    key_settings=("year", "displayName", "startDate", "endDate"),
)
