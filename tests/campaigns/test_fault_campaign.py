"""Fault campaign: the real CLI (`apply --auto-approve --prune`) against the built-in emulator
while a seeded random schedule throttles (429 with and without `Retry-After`, 503), delays
(latency spikes) and drops writes (before the server acted, or after it committed).

Each seed runs a few rounds of edits to a generated desired state — creates, PUT and PATCH
updates, deletes, pause/resume — and after every apply checks, against the emulator's own
store (not our normaliser):
- no profile exists twice;
- the report matches the tenant: a change reported done happened, one reported failed or not
  attempted did not (or the report says its outcome is unknown), and nothing happened that the
  report does not mention;
- within a bounded number of applies the round converges: the tenant holds exactly the desired
  values (no lost update), and `plan --detailed-exitcode` exits 0.

Bounded: six seeds, about 60 committed writes each, `Retry-After` of 0.01-0.05 s. A create lost
before the server acted costs apply's recovery window (~8 s of re-reading before it sends the
create again), so one seed schedules one; the others drop every other kind of write.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator import Emulator, Scheduled
from tests.conftest import CliResult

TOKEN = "campaign-token"
SECRETS = {"POWERSCHOOL_CLIENT_SECRET": "ps-secret-1", "ONEROSTER_CLIENT_SECRET": "or-secret-2"}
COLLECTION = "/beta/education/synchronizationProfiles"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BASE_DATE = date(2027, 1, 1)
#: Applies per round before it must have converged (the first may report failures).
MAX_APPLIES = 3
SKU = "314c4481-f395-4525-be8b-2ec4bb1e9d91"


# -- the seeded fault schedule ------------------------------------------------------------------
class CampaignFaults:
    """Decides each request's fault from one seeded `random.Random` (emulator `Schedule`)."""

    #: Chance per request of each fault (drops and storms: writes only).
    P_429 = 0.04
    P_429_BARE = 0.005  # no Retry-After: the client backs off (a second one in a row: 1 s+)
    P_503 = 0.03
    P_SPIKE = 0.03
    P_DROP_BEFORE = 0.04
    P_DROP_AFTER = 0.05
    #: A write throttled on every attempt: the client gives up and apply reports it failed.
    P_STORM = 0.01

    def __init__(self, seed: int, *, create_drops: int) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._storms: dict[tuple[str, str], int] = {}
        self._create_drops = create_drops
        #: Faults every seed gets at least once (early requests each fits take them), so
        #: that the campaign covers each kind whatever order the threads send in.
        self._owed = [
            "drop before commit",
            "drop after commit",
            "429",
            "429 without Retry-After",
            "503",
            "latency spike",
        ] + ["drop before commit (create)"] * create_drops
        self.counts: Counter[str] = Counter()
        self._seen = 0

    def _retry_after(self) -> float:
        return round(self._random.uniform(0.01, 0.05), 3)

    def __call__(self, method: str, path: str) -> Scheduled | None:
        with self._lock:
            return self._decide(method, path.split("?", 1)[0])

    def _decide(self, method: str, path: str) -> Scheduled | None:
        key = (method, path)
        if self._storms.get(key):
            self._storms[key] -= 1
            self.counts["storm 429"] += 1
            return Scheduled(status=429, retry_after=0.01)
        write = method in WRITES
        create = method == "POST" and path == COLLECTION
        self._seen += 1
        # Spaced out, so that no request's retries meet two in a row (a second throttle
        # without Retry-After costs a second of backoff); the lost create goes to the first.
        spaced = self._seen % 7 == 0
        for owed in self._owed:
            if owed.startswith("drop") and (not write or create != owed.endswith("(create)")):
                continue
            if not spaced and not owed.endswith("(create)"):
                continue
            self._owed.remove(owed)
            return self._fault(owed.removesuffix(" (create)"), method, path)
        roll = self._random.random()
        for name, chance in (
            ("429", self.P_429),
            ("429 without Retry-After", self.P_429_BARE),
            ("503", self.P_503),
            ("latency spike", self.P_SPIKE),
            ("drop before commit", self.P_DROP_BEFORE if write else 0.0),
            ("drop after commit", self.P_DROP_AFTER if write else 0.0),
            ("storm", self.P_STORM if write else 0.0),
        ):
            if roll >= chance:
                roll -= chance
                continue
            return self._fault(name, method, path)
        return None

    def _fault(self, name: str, method: str, path: str) -> Scheduled | None:
        if name == "drop before commit" and method == "POST" and path == COLLECTION:
            if self._create_drops == 0:  # each costs apply's ~8 s recovery window
                return None
            self._create_drops -= 1
            name = "drop before commit (create)"
        self.counts[name] += 1
        if name == "429":
            return Scheduled(status=429, retry_after=self._retry_after())
        if name == "429 without Retry-After":
            return Scheduled(status=429)
        if name == "503":
            bare = self._random.random() < 0.1
            return Scheduled(status=503, retry_after=None if bare else self._retry_after())
        if name == "latency spike":
            return Scheduled(delay_ms=self._random.randint(30, 150))
        if name == "storm":
            self._storms[(method, path)] = 5  # with this one: every attempt the client makes
            return Scheduled(status=429, retry_after=0.01)
        if name == "drop after commit":
            return Scheduled(drop_after=True)
        return Scheduled(drop_before=True)


# -- the desired state the campaign edits ---------------------------------------------------------
@dataclass
class Spec:
    """One desired profile: its generation decides the values an update changes."""

    index: int
    provider: str  # "powerschool" | "oneroster"
    gen: int = 0
    paused: bool = False

    @property
    def name(self) -> str:
        return f"Campaign {self.provider} {self.index}"

    def yaml(self) -> str:
        expires = BASE_DATE + timedelta(days=self.gen)
        if self.provider == "powerschool":
            provider = f"""\
  "@odata.type": "#microsoft.graph.educationPowerSchoolDataProvider"
  connectionUrl: https://ps{self.index}.example.edu
  clientId: ps-client-{self.index}
  clientSecret: ${{POWERSCHOOL_CLIENT_SECRET}}
  schoolYear: "2026"
  schoolsIds: ["g{self.gen}-a", "g{self.gen}-b"]
  allowTeachersInMultipleSchools: false
"""
        else:
            provider = f"""\
  "@odata.type": "#microsoft.graph.educationOneRosterApiDataProvider"
  connectionUrl: https://or{self.index}.example.edu/ims/oneroster/v1p1
  providerName: g{self.gen}
  schoolsIds: [org-{self.index}]
  termIds: [term-g{self.gen}]
  connectionSettings:
    "@odata.type": "#microsoft.graph.educationSynchronizationOAuth2ClientCredentialsConnectionSettings"
    clientId: or-client-{self.index}
    clientSecret: ${{ONEROSTER_CLIENT_SECRET}}
    tokenUrl: https://or{self.index}.example.edu/oauth/token
    scope: roster-core.readonly
"""
        return f"""\
displayName: {self.name}
expirationDate: {expires.isoformat()}
dataProvider:
{provider}identitySynchronizationConfiguration:
  "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration"
  userDomains:
    - appliesTo: student
      name: s{self.index}.example.edu
licensesToAssign:
  - appliesTo: student
    skuIds: [{SKU}]
lifecycle:
  paused: {"true" if self.paused else "false"}
"""


@dataclass(frozen=True)
class Seen:
    """A profile as the emulator stores it, read without our normaliser."""

    id: str
    #: The generation its fields show; -1 when they disagree (a half-made write).
    gen: int
    paused: bool


def _gen_of(stored: dict[str, Any]) -> int:
    gen = (date.fromisoformat(str(stored.get("expirationDate"))[:10]) - BASE_DATE).days
    provider = stored.get("dataProvider") or {}
    marks = (
        {str(provider.get("providerName"))} | {t[5:] for t in provider.get("termIds") or []}
        if "providerName" in provider
        else {s[:-2] for s in provider.get("schoolsIds") or []}
    )
    return gen if marks == {f"g{gen}"} else -1


def tenant_view(emu: Emulator) -> dict[str, list[Seen]]:
    """Every profile not being deleted, by displayName (a list: duplicates must show)."""
    view: dict[str, list[Seen]] = {}
    for stored in emu.tenant.snapshot():
        if stored["state"] == "deleting":
            continue
        status = (stored.get("profileStatus") or {}).get("status")
        seen = Seen(str(stored["id"]), _gen_of(stored), status == "paused")
        view.setdefault(str(stored["displayName"]), []).append(seen)
    return view


# -- the checks -----------------------------------------------------------------------------------
def _only(view: dict[str, list[Seen]], name: str) -> Seen | None:
    found = view.get(name, [])
    assert len(found) <= 1, f"duplicate profiles named {name!r}: {found}"
    return found[0] if found else None


def _effects(action: str, then: str | None, spec: Spec | None, before: Seen | None) -> list[Any]:
    """What the tenant shows of a change after each of its requests: (gen, paused) or None."""
    if action == "delete":
        return [None]
    assert spec is not None
    steps: list[Any] = []
    if action in {"create", "update"}:
        steps.append((spec.gen, before.paused if before else False))
    if action in {"pause", "resume"} or then:
        gen = spec.gen if action in {"create", "update"} else (before.gen if before else None)
        steps.append((gen, (then or action) == "pause"))
    return steps


def _state(seen: Seen | None) -> Any:
    return None if seen is None else (seen.gen, seen.paused)


def check_report(
    doc: dict[str, Any],
    before: dict[str, list[Seen]],
    after: dict[str, list[Seen]],
    specs: dict[str, Spec],
) -> None:
    """Each outcome against the tenant, and no change in the tenant the report leaves out."""
    explained: set[str] = set()
    for outcome in doc["outcomes"]:
        name, status, detail = outcome["name"], outcome["status"], outcome["detail"] or ""
        was, now = _only(before, name), _only(after, name)
        steps = _effects(outcome["action"], outcome["then"], specs.get(name), was)
        where = f"{outcome['action']} {name!r} reported {status}: {detail}"
        if status in {"done", "not_settled"}:
            assert _state(now) == steps[-1], where
            if outcome["action"] == "create":
                assert now is not None and outcome["id"] == now.id, where
            explained.add(name)
        elif status == "unknown" or "outcome unknown" in detail:
            explained.add(name)  # honest: it may or may not have happened
        elif status == "failed" and detail.startswith("carried out:"):
            assert len(steps) == 2 and _state(now) == steps[0], where  # the first step only
            explained.add(name)
        else:
            assert status in {"failed", "not_attempted"}, where
            assert _state(now) == _state(was), f"{where} — but the tenant changed"
    changed = {n for n in before.keys() | after.keys() if before.get(n) != after.get(n)}
    assert changed <= explained, f"changed but not reported as done: {changed - explained}"


@dataclass
class Campaign:
    seed: int
    parallelism: int
    #: Creates lost before the server acted (each costs apply's ~8 s recovery window).
    create_drops: int = 0
    profiles: int = 12
    rounds: int = 3
    specs: list[Spec] = field(default_factory=list)

    def edit(self, rng: random.Random, round_: int) -> None:
        """Round 0 creates; later rounds update, pause/resume, delete and create some."""
        if round_ == 0:
            for _ in range(self.profiles):
                self.add(rng)
            return
        for spec in list(self.specs):
            roll = rng.random()
            if roll < 0.1:
                self.specs.remove(spec)
            elif roll < 0.55:
                spec.gen += 1
                if rng.random() < 0.3:
                    spec.paused = not spec.paused
            elif roll < 0.75:
                spec.paused = not spec.paused
        for _ in range(2):
            self.add(rng)

    def add(self, rng: random.Random) -> None:
        index = max((s.index for s in self.specs), default=0) + 1
        provider = rng.choice(["powerschool", "oneroster"])
        self.specs.append(Spec(index, provider, paused=rng.random() < 0.3))

    def write(self, root: Path) -> None:
        for old in root.glob("*.yaml"):
            old.unlink()
        for spec in self.specs:
            (root / f"p{spec.index:03}.yaml").write_text(spec.yaml(), encoding="utf-8")


CAMPAIGNS = [
    Campaign(seed=11, parallelism=1),
    Campaign(seed=12, parallelism=4, create_drops=1),
    Campaign(seed=13, parallelism=8),
    Campaign(seed=14, parallelism=4),
    Campaign(seed=15, parallelism=2),
    Campaign(seed=16, parallelism=8),
]


@pytest.fixture
def campaign_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    for name in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "EDUSYNC_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EDUSYNC_ACCESS_TOKEN", TOKEN)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "desired"
    root.mkdir()
    yield root


def _committed_writes(emu: Emulator, faults: CampaignFaults) -> int:
    writes = emu.requests_log.writes()
    answered = sum(1 for e in writes if e.status is not None and e.status < 300)
    dropped = sum(1 for e in writes if e.status is None)
    lost_before = faults.counts["drop before commit"] + faults.counts["drop before commit (create)"]
    return answered + dropped - lost_before


@pytest.mark.slow
@pytest.mark.parametrize("campaign", CAMPAIGNS, ids=lambda c: f"seed{c.seed}")
def test_fault_campaign(
    campaign: Campaign, campaign_env: Path, cli: Callable[..., CliResult]
) -> None:
    root = campaign_env
    rng = random.Random(campaign.seed)
    faults = CampaignFaults(campaign.seed, create_drops=campaign.create_drops)
    with Emulator(token=TOKEN, page_size=5, provisioning_delay=0.0) as emu:
        url = ("--graph-url", emu.base_url)
        emu.faults.schedule = faults
        applies = 0
        for round_ in range(campaign.rounds + 1):
            campaign.edit(rng, round_)
            campaign.write(root)
            specs = {s.name: s for s in campaign.specs}
            method = "patch" if round_ % 2 == 0 else "put"
            for _attempt in range(MAX_APPLIES):
                before = tenant_view(emu)
                result = cli(
                    "apply", str(root), *url, "--auto-approve", "--prune", "--format", "json",
                    "--update-method", method, "--parallelism", str(campaign.parallelism),
                )  # fmt: skip
                applies += 1
                doc = json.loads(result.out)
                assert doc["error"] is None, doc["error"]
                check_report(doc, before, tenant_view(emu), specs)
                if result.code == 0:
                    break
                assert result.code == 1 and doc["next"], result.err
            else:
                pytest.fail(f"round {round_} did not converge in {MAX_APPLIES} applies")
            # No lost update: the tenant holds exactly the desired values, nothing else.
            view = tenant_view(emu)
            assert {n: _state(_only(view, n)) for n in view} == {
                s.name: (s.gen, s.paused) for s in campaign.specs
            }
            final = cli("plan", str(root), *url, "--prune", "--detailed-exitcode")
            assert final.code == 0, final.out + final.err
        committed = _committed_writes(emu, faults)
    print(
        f"\nseed {campaign.seed}: {committed} writes, {applies} applies, faults {dict(faults.counts)}"
    )
    assert committed >= 50  # six seeds: at least 300 writes under faults
    assert set(faults.counts) >= {
        "429",
        "429 without Retry-After",
        "503",
        "latency spike",
        "drop before commit",
        "drop after commit",
    }
    assert faults.counts["drop before commit (create)"] == campaign.create_drops
