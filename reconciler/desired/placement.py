"""One mistake, one message: an unknown key and the missing property it was meant to be.

While checking an object tree the checker notes every object it saw (and what it may hold),
every unknown key, every missing required property and every required object left empty.
`settle` then reports each mistake once:
- a key written at the wrong level (outdented or indented by mistake) is reported where it is,
  saying where it belongs; the "missing" it caused at its real place is dropped;
- a misspelt key is reported with its did-you-mean; the "missing" of the property it was
  meant to be is dropped;
- a key that only another concrete type has (`connectionUrl` in a CSV provider) says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from reconciler.desired.words import close_match, label
from reconciler.desired.yamlsource import Path
from reconciler.kinds.model import ODATA_TYPE, Prop


@dataclass(frozen=True)
class SeenObject:
    path: Path
    #: What the object may hold (for a polymorphic member of unknown type: every variant's).
    props: Mapping[str, Prop]
    present: frozenset[str]
    #: `@odata.type` spellings that would be right here (polymorphic members only).
    accepts_type: frozenset[str] = frozenset()


@dataclass(frozen=True)
class UnknownKey:
    path: Path  # the object holding the key
    key: str
    #: What that object may hold.
    names: tuple[str, ...]
    #: Concrete types of the same member that do have the key, and the type written.
    other_variants: tuple[str, ...] = ()
    variant: str | None = None
    #: For a stray `@odata.type`: the type leaf it names (lower case).
    type_leaf: str | None = None


@dataclass(frozen=True)
class Finding:
    path: Path
    message: str
    at_key: bool
    warning: bool = False


@dataclass
class Notes:
    seen: list[SeenObject] = field(default_factory=list)
    unknown: list[UnknownKey] = field(default_factory=list)
    #: (object path, property name) → message
    missing: dict[tuple[Path, str], str] = field(default_factory=dict)
    #: required objects written with no value → message
    empty: dict[Path, str] = field(default_factory=dict)

    def settle(self) -> list[Finding]:
        findings: list[Finding] = []
        filled: set[Path] = set()
        for unknown in self.unknown:
            home = self._home(unknown)
            if home is not None:
                self.missing.pop((home.path, unknown.key), None)
                filled.add(home.path)
                findings.append(
                    Finding((*unknown.path, unknown.key), _misplaced(unknown, home), True)
                )
                continue
            findings.append(Finding((*unknown.path, unknown.key), self._unknown(unknown), True))
        findings += [Finding(path, message, False) for (path, _), message in self.missing.items()]
        findings += [Finding(p, m, False) for p, m in self.empty.items() if p not in filled]
        return findings

    def _home(self, unknown: UnknownKey) -> SeenObject | None:
        """The object elsewhere in the file that the key belongs to, if any."""

        def fits(seen: SeenObject) -> bool:
            if seen.path == unknown.path or unknown.key in seen.present:
                return False
            if unknown.type_leaf is not None:
                return unknown.type_leaf in seen.accepts_type
            prop = seen.props.get(unknown.key)
            return prop is not None and not prop.read_only

        candidates = [s for s in self.seen if fits(s)]
        if not candidates:
            return None

        def rank(seen: SeenObject) -> tuple[int, int, int]:
            wanted = (seen.path, unknown.key) in self.missing or seen.path in self.empty
            return (0 if wanted else 1, -_common(seen.path, unknown.path), len(seen.path))

        return min(candidates, key=rank)

    def _unknown(self, unknown: UnknownKey) -> str:
        where = "the profile" if not unknown.path else label(unknown.path)
        if unknown.type_leaf is not None:
            return f"@odata.type does not belong in {where}; remove it"
        message = f"unknown property {unknown.key!r} in {where}"
        if unknown.other_variants:
            others = " and ".join(unknown.other_variants)
            return (
                f"{message}: {unknown.variant} has no {unknown.key!r} ({others} "
                f"{'do' if len(unknown.other_variants) > 1 else 'does'}); check its @odata.type"
            )
        meant = close_match(unknown.key, unknown.names)
        if meant is None:
            return message
        if any(s.path == unknown.path and meant in s.present for s in self.seen):
            already = "which is already set: remove one of the two"
            return f"{message} (did you mean {meant!r}?), {already}"
        # The misspelling is the mistake; the required property it was meant to be is not
        # missing a second time.
        self.missing.pop((unknown.path, meant), None)
        return f"{message} (did you mean {meant!r}?)"


def _misplaced(unknown: UnknownKey, home: SeenObject) -> str:
    key = ODATA_TYPE if unknown.type_leaf is not None else unknown.key
    here = "the profile" if not unknown.path else label(unknown.path)
    there = label(home.path)
    if not home.path:
        how = "belongs at the top level of the profile (outdent it)"
    elif home.path[: len(unknown.path)] == unknown.path:
        how = f"belongs under {there} (indent it)"
    elif unknown.path[: len(home.path)] == home.path:
        how = f"belongs directly under {there} (outdent it)"
    else:
        how = f"belongs under {there} (move it there)"
    return f"{key!r} is not a property of {here}; it {how}"


def _common(a: Path, b: Path) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count
