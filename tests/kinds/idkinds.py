"""Helpers for tests of the Industry Data kinds: the sample district, and `Writer`, a stand-in
for what the engine does not do yet (issue 13): bind each `{ref: KEY}` to the target's URL, read
relationships back through `$expand` and the user flow's GET (as the kinds' `Relation`s say), and
split a set's `provisioningFlows` into objects of their own (`Kind.contained`). Everything else
(bodies, normalisation, comparison) is the product's own code. (A uniquely named module.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from reconciler import urls
from reconciler.desired.loader import load_desired
from reconciler.desired.secrets import resolve
from reconciler.emulator import Emulator
from reconciler.engine.compare import compare
from reconciler.kinds.industry_data import (
    PROVISIONING_FLOW,
    PROVISIONING_FLOW_SET,
    WITH_INDUSTRY_DATA,
)
from reconciler.kinds.model import Kind, ReadVia, Reference
from reconciler.kinds.typetree import reference_paths
from reconciler.objects import DesiredObject
from reconciler.operations import BIND, to_wire
from tests.emulator.emulator_helpers import TIMEOUT, TOKEN

SAMPLES = Path(__file__).resolve().parents[2] / "examples" / "industry-data"
ENV = {"ONEROSTER_CLIENT_SECRET": "or-secret-1", "SDS_STUDENT_INITIAL_PASSWORD": "Pw-1!x"}
#: Kinds in the order their references allow (what the engine's dependency order will do).
ORDER = ("referenceValue", "sourceSystem", "year", "dataConnector", "inboundFlow")


class Writer:
    """A stand-in for the engine's reference binds and relation reads (see the docstring)."""

    def __init__(self, emu: Emulator, token: str = TOKEN) -> None:
        self.base = emu.base_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.ids: dict[tuple[str, str], str] = {("roleGroup", "staff"): "staff"}
        self.ids[("roleGroup", "students")] = "students"

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        return self.session.request(method, f"{self.base}/{path}", json=body, timeout=TIMEOUT)

    def bind(self, body: Any, kind: Kind) -> Any:
        targets = {path[-1]: ref.target for path, ref in reference_paths(kind.root)}
        return self._bind(body, targets)

    def _bind(self, value: Any, targets: dict[str, str]) -> Any:
        if isinstance(value, list):
            return [self._bind(v, targets) for v in value]
        if not isinstance(value, dict):
            return value
        out = {}
        for key, child in value.items():
            if isinstance(child, dict) and set(child) == {Reference.KEY}:
                target = WITH_INDUSTRY_DATA[targets[key]]
                target_id = self.ids[(target.name, child[Reference.KEY])]
                # The product's own marker: `to_wire` sends it as `NAME@odata.bind`.
                out[key] = {BIND: urls.bind_url(self.base, target, target_id)}
            else:
                out[key] = self._bind(child, targets)
        return out

    def owner(self, obj: DesiredObject) -> urls.Owner:
        """The container of a contained object (a flow's set), as created."""
        parent = WITH_INDUSTRY_DATA[obj.kind.endpoint.parent or ""]
        key = obj.body[obj.kind.endpoint.parent_ref or ""][Reference.KEY]
        return urls.Owner(parent, self.ids[(parent.name, key)])

    def create(self, obj: DesiredObject, owner: urls.Owner | None = None) -> dict[str, Any]:
        kind = obj.kind
        resolved = resolve(obj, ENV).body
        if kind.endpoint.parent_ref:
            resolved.pop(kind.endpoint.parent_ref)  # the container is the URL, not a member
        body = to_wire(self.bind(resolved, kind), kind.root)
        if kind.service_rows is not None:  # a service row is overridden, never created
            row_id = "-".join(kind.key_of(obj.body).split("/"))
            if self.call("GET", urls.item_path(kind, row_id)).status_code == 200:
                changes = {k: v for k, v in body.items() if k not in kind.writes.create_only}
                patched = self.call("PATCH", urls.item_path(kind, row_id), changes)
                assert patched.status_code == 204, patched.text
                self.ids[(kind.name, obj.name)] = row_id
                return changes
        response = self.call("POST", urls.collection_path(kind, owner), body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        self.ids[(kind.name, obj.name)] = created["id"]
        return created

    def read(self, obj: DesiredObject, owner: urls.Owner | None = None) -> dict[str, Any]:
        """The object as the engine will see it: relationships as `{ref: KEY}`."""
        kind = obj.kind
        object_id = self.ids[(kind.name, obj.name)]
        expand = [r.navigation for r in kind.relations if r.via is ReadVia.EXPAND]
        path = urls.item_path(kind, object_id, owner)
        if expand:
            path += "?$expand=" + ",".join(expand)
        response = self.call("GET", path)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        for ref_path, ref in reference_paths(kind.root):
            self._as_ref(body, ref_path, WITH_INDUSTRY_DATA[ref.target])
        if owner is not None and kind.endpoint.parent_ref:
            body[kind.endpoint.parent_ref] = obj.body[kind.endpoint.parent_ref]
        return body

    def _as_ref(self, value: Any, path: tuple[str, ...], target: Kind) -> None:
        if isinstance(value, list):
            for item in value:
                self._as_ref(item, path, target)
            return
        if not isinstance(value, dict) or not path:
            return
        head, rest = path[0], path[1:]
        if rest:
            self._as_ref(value.get(head), rest, target)
        elif isinstance(value.get(head), dict):
            read = value[head]
            # The target's natural key, as the YAML names it (the engine may keep the id
            # too: see test_a_reference_keyed_list_matches_with_or_without_the_id).
            value[head] = {Reference.KEY: target.key_of(read)}


def sample_objects(root: Path = SAMPLES) -> list[DesiredObject]:
    state = load_desired(str(root), registry=WITH_INDUSTRY_DATA)
    assert state.ok, [str(p) for p in state.problems]
    return list(state.objects)


def converge(writer: Writer, root: Path = SAMPLES) -> dict[str, list[Any]]:
    """Create the sample in dependency order; the drift each object shows when read back."""
    objects = sample_objects(root)
    drift: dict[str, list[Any]] = {}
    for kind_name in ORDER:
        for obj in (o for o in objects if o.kind.name == kind_name):
            writer.create(obj)
            drift[f"{kind_name} {obj.name}"] = compare(obj, writer.read(obj))
    for flow_set in (o for o in objects if o.kind is PROVISIONING_FLOW_SET):
        writer.create(flow_set)
        drift[f"set {flow_set.name}"] = compare(flow_set, writer.read(flow_set))
    for flow in (o for o in objects if o.kind is PROVISIONING_FLOW):
        owner = writer.owner(flow)
        writer.create(flow, owner)
        drift[f"flow {flow.name}"] = compare(flow, writer.read(flow, owner))
    return drift


def patch_body(obj: DesiredObject, changed: str) -> dict[str, Any]:
    """A PATCH as the kind data says it must be (reference correction 5): the changed member,
    the members every PATCH carries (those the object has), `@odata.type` on a polymorphic
    root, and no create-only member."""
    kind = obj.kind
    body = to_wire(resolve(obj, ENV).body, kind.root)
    wanted = {changed, *kind.writes.patch_always}
    patch = {k: v for k, v in body.items() if k in wanted and k not in kind.writes.create_only}
    if "@odata.type" in body:
        patch["@odata.type"] = body["@odata.type"]
    return patch
