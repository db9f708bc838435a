"""Values the service fills in on create and update, exactly as seed 001's create response shows.

Seed 001 sent only `customizations.student.optionalPropertiesToSync`; the response holds all six
slots. Seed 004 (an older rendering of the same page) differs: it has no `school`/`section`,
puts `synchronizationStartDate` in every slot and `optionalPropertiesToSync: []` in the roster
slots. The product contract (spec §8) says to follow seed 001.
"""

from __future__ import annotations

import copy

from reconciler.emulator.catalog import CUSTOMIZATION_SLOTS
from reconciler.jsontypes import JSONObject

#: Sent by the client or not, every slot carries these two booleans (seed 001).
_SLOT_BOOLEANS: JSONObject = {"isSyncDeferred": False, "allowDisplayNameUpdate": False}

#: What an omitted slot comes back as (seed 001). `student` was sent in every Microsoft example,
#: so its omitted form is not documented; it gets the booleans only, like `school`.
_OMITTED_SLOTS: dict[str, JSONObject] = {
    "school": {},
    "section": {"optionalPropertiesToSync": ["Term Name", "Course Number", "Periods"]},
    "student": {},
    "teacher": {
        # The server enables every optional teacher column when teacher is omitted (§3.1).
        "optionalPropertiesToSync": [
            "State ID",
            "Teacher Number",
            "Status",
            "Middle Name",
            "Secondary Email",
            "Title",
            "Qualification",
        ]
    },
    "studentEnrollment": {"synchronizationStartDate": "0001-01-01T00:00:00Z"},
    "teacherRoster": {},
}


def _slot(sent: JSONObject | None, name: str) -> JSONObject:
    if sent is None:
        return {**copy.deepcopy(_OMITTED_SLOTS[name]), **_SLOT_BOOLEANS}
    filled = copy.deepcopy(sent)
    for key, value in _SLOT_BOOLEANS.items():
        if filled.get(key) is None:
            filled[key] = value
    return filled


def fill_customizations(sent: JSONObject | None) -> JSONObject:
    """All six customization slots, in the order the service returns them."""
    given = sent or {}
    return {name: _slot(given.get(name), name) for name in CUSTOMIZATION_SLOTS}


def fill_profile_defaults(profile: JSONObject) -> JSONObject:
    """A copy of a validated profile body with the server-filled defaults applied.

    Null `expirationDate` / `handleSpecialCharacterConstraint` are dropped: no example shows
    them unless set, so the emulator echoes them only when they carry a value.
    """
    filled = {k: copy.deepcopy(v) for k, v in profile.items() if v is not None}
    provider = filled.get("dataProvider")
    if isinstance(provider, dict):
        provider["customizations"] = fill_customizations(provider.get("customizations"))
    return filled
