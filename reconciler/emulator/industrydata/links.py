"""The validator's questions answered from the store: does a bind target exist, how is a
reference code spelled (reference §1.3, §1.10)."""

from __future__ import annotations

from reconciler.emulator.industrydata.binds import BindError, parse_bind
from reconciler.emulator.industrydata.catalog import REF_ACADEMIC_YEAR, collection_named
from reconciler.emulator.industrydata.records import Record
from reconciler.emulator.industrydata.systemdata import CLOSED_REFERENCE_TYPES, is_year_code
from reconciler.jsontypes import JSON


class StoreLinks:
    """The `validation.Links` of one store (called with the store's lock held)."""

    def __init__(self, records: dict[str, dict[str, Record]]) -> None:
        self._records = records

    def entity_id(self, collection: str, url: JSON) -> str:
        try:
            target = parse_bind(url)
        except BindError as exc:
            raise ValueError(f"{url!r}: {exc}") from exc
        named = collection_named(target.collection)
        if named is None or named.name != collection:
            raise ValueError(f"{url!r} must address an entry of {collection}")
        record = self._records[collection].get(target.key.lower())
        if record is None:
            raise ValueError(f"{collection}('{target.key}') does not exist")
        return record.id

    def reference_code(self, reference_type: str, code: str) -> str:
        """Codes match reference rows case-insensitively and are stored as the row spells them
        (`paraProfessional` -> `paraprofessional`, §5); open types keep unknown codes."""
        if reference_type == REF_ACADEMIC_YEAR:
            if not is_year_code(code):
                raise ValueError(f"'{code}' is not a {reference_type} code (a year like 2026)")
            return code
        for row in self._records["referenceDefinitions"].values():
            body = row.body
            if body["referenceType"] == reference_type and body["code"].lower() == code.lower():
                return str(body["code"])
        if reference_type in CLOSED_REFERENCE_TYPES:
            known = sorted(
                r.body["code"]
                for r in self._records["referenceDefinitions"].values()
                if r.body["referenceType"] == reference_type
            )
            raise ValueError(f"'{code}' is not a {reference_type} code; known: {', '.join(known)}")
        return code

    def reference_code_at(self, reference_type: str, url: JSON) -> str:
        try:
            target = parse_bind(url)
        except BindError as exc:
            raise ValueError(f"{url!r}: {exc}") from exc
        if target.collection.lower() != "referencedefinitions":
            raise ValueError(f"{url!r} must address an entry of referenceDefinitions")
        prefix = f"{reference_type}-"
        if reference_type == REF_ACADEMIC_YEAR and target.key.lower().startswith(prefix.lower()):
            return self.reference_code(reference_type, target.key[len(prefix) :])
        row = self._records["referenceDefinitions"].get(target.key.lower())
        if row is None:
            raise ValueError(f"referenceDefinitions('{target.key}') does not exist")
        if row.body["referenceType"] != reference_type:
            raise ValueError(f"referenceDefinitions('{row.id}') is not a {reference_type} row")
        return str(row.body["code"])
