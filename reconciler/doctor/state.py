"""What one doctor run knows as it goes: its input, the checks so far, and what earlier checks
found (settings, token, identity) for the later ones."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from reconciler.auth.claims import Claims
from reconciler.desired import DesiredState
from reconciler.doctor.model import Check, Outcome
from reconciler.identity import Permission, TokenProvider
from reconciler.kinds.model import Kind
from reconciler.kinds.registry import Registry
from reconciler.settings import Settings


@dataclass(frozen=True)
class DoctorInput:
    path: str
    env: Mapping[str, str]
    kinds: Registry
    #: Values given on the command line only (the rest come from env, file or default).
    cloud_flag: str | None = None
    graph_url_flag: str | None = None
    credential_flag: str | None = None
    #: Also require what `apply` needs (delegated write permission, every ${NAME} set).
    for_apply: bool = False


@dataclass
class Run:
    inp: DoctorInput
    checks: list[Check] = field(default_factory=list)
    state: DesiredState | None = None
    settings: Settings | None = None
    provider: TokenProvider | None = None
    claims: Claims | None = None
    permission: Permission = Permission.UNKNOWN

    def add(self, check: Check) -> None:
        self.checks.append(check)

    def skip(self, id_: str, title: str, why: str) -> None:
        self.add(Check(id_, title, Outcome.SKIP, why))

    @property
    def kinds_in_use(self) -> list[Kind]:
        used = {o.kind.name for o in self.state.objects} if self.state else set()
        return [k for k in self.inp.kinds if k.name in used] or list(self.inp.kinds)
