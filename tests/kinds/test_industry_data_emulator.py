"""The Industry Data kinds against the built-in emulator's Industry Data side (its own model of
the API, written independently of ours): what the kinds send is accepted, and what the
emulator echoes compares equal to the YAML it came from, with no spurious drift (timestamps
normalised to UTC, codes re-cased, nulls for unset members, secrets hidden, passwords masked).
Until the engine binds references, `idkinds.Writer` stands in for it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from reconciler import urls
from reconciler.desired.secrets import resolve
from reconciler.emulator import Emulator
from reconciler.engine.compare import compare
from reconciler.engine.model import Action, Change, Create
from reconciler.operations import BodyBuilder, merge, to_wire
from reconciler.settings import UpdateMethod
from tests.kinds.idkinds import ENV, SAMPLES, Writer, converge, patch_body, sample_objects


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


def test_the_sample_district_is_accepted_and_its_echo_shows_no_drift(emu: Emulator) -> None:
    writer = Writer(emu)
    drift = converge(writer)
    assert len(drift) == 10
    flow = next(o for o in sample_objects() if o.kind.name == "inboundFlow")
    read = writer.read(flow)  # relationships are compared, not skipped
    assert read["dataConnector"]["ref"] == "Contoso OneRoster" and read["year"]["ref"] == "2027"
    assert {name: fields for name, fields in drift.items() if fields} == {}


def test_a_changed_value_does_show_as_drift(emu: Emulator) -> None:
    writer = Writer(emu)
    converge(writer)
    year = next(o for o in sample_objects() if o.kind.name == "year" and o.name == "2027")
    moved = replace(year, body={**year.body, "endDate": "2027-06-18"})
    assert [(f.path, f.before, f.after) for f in compare(moved, writer.read(year))] == [
        ("endDate", "2027-06-25", "2027-06-18")
    ]


def test_secrets_are_hidden_masked_and_never_compared(emu: Emulator) -> None:
    writer = Writer(emu)
    converge(writer)
    objects = {(o.kind.name, o.name): o for o in sample_objects()}
    connector = objects[("dataConnector", "Contoso OneRoster")]
    read = writer.read(connector)
    assert "clientSecret" not in read["credential"]
    assert "or-secret-1" not in str(read)
    flow = objects[("provisioningFlow", "Contoso provisioning/userProvisioningFlow")]
    owner = writer.owner(flow)
    echoed = writer.read(flow, owner)
    password = echoed["creationOptions"]["configurations"][0]["defaultPasswordSettings"]
    assert password["password"] == "***************"  # the mask, never compared
    assert compare(flow, echoed) == []


def test_a_create_body_carries_the_industry_data_namespace_on_every_polymorphic_member() -> None:
    objects = {(o.kind.name, o.name): o for o in sample_objects()}
    connector = objects[("dataConnector", "Contoso OneRoster")]
    change = Change(connector.kind, connector.name, None, Action.CREATE, Create(connector))
    body = BodyBuilder(ENV, UpdateMethod.PATCH).create(change)
    assert body.body["@odata.type"] == "#microsoft.graph.industryData.oneRosterApiDataConnector"
    assert body.body["credential"]["@odata.type"] == (
        "#microsoft.graph.industryData.oAuth2ClientCredential"
    )
    assert body.shown_body["credential"]["clientSecret"] == "(sensitive)"
    assert "or-secret-1" not in str(body.shown_body)


@pytest.mark.parametrize(
    ("kind_name", "name", "changed"),
    [
        ("year", "2027", "displayName"),
        ("sourceSystem", "Contoso SIS", "vendor"),
        ("dataConnector", "Contoso OneRoster", "isFlagsEnabled"),
        ("inboundFlow", "Contoso rostering 2026-2027", "expirationDateTime"),
        ("referenceValue", "RefGradeLevel/TK4", "sortIndex"),
    ],
)
def test_a_patch_made_from_the_kind_data_is_accepted_and_converges(
    emu: Emulator, kind_name: str, name: str, changed: str
) -> None:
    writer = Writer(emu)
    converge(writer)
    obj = next(o for o in sample_objects() if (o.kind.name, o.name) == (kind_name, name))
    new_values = {
        "displayName": "SY 2026-27",
        "vendor": "Infinite Campus",
        "isFlagsEnabled": True,
        "expirationDateTime": "2027-07-15T00:00:00-05:00",
        "sortIndex": 31,
    }
    edited = replace(obj, body={**obj.body, changed: new_values[changed]})
    assert [f.path for f in compare(edited, writer.read(obj))] == [changed]
    kind = obj.kind
    path = urls.item_path(kind, writer.ids[(kind.name, obj.name)])
    # Without the members every PATCH must carry, the service refuses it.
    if kind.writes.patch_always:
        bare = {changed: patch_body(edited, changed)[changed]}
        if "@odata.type" in obj.body:
            bare["@odata.type"] = obj.body["@odata.type"]
        assert writer.call("PATCH", path, bare).status_code == 400
    # A create-only member in a PATCH is refused even unchanged: never send one.
    if kind.writes.create_only:
        with_create_only = {**patch_body(edited, changed)}
        member = next(m for m in kind.writes.create_only if m in obj.body and m != "@odata.type")
        typed = {k: v for k, v in obj.body.items() if k == "@odata.type"}
        # as the product would send it (a reference as NAME@odata.bind)
        with_create_only.update(
            to_wire(writer.bind({**typed, member: obj.body[member]}, kind), kind.root)
        )
        sent = writer.call("PATCH", path, with_create_only)
        assert sent.status_code == 400, sent.text
    patched = writer.call("PATCH", path, patch_body(edited, changed))
    assert patched.status_code == 204, patched.text
    assert compare(edited, writer.read(obj)) == []


def test_codes_in_another_case_and_times_in_another_offset_are_no_drift(
    emu: Emulator, tmp_path: Path
) -> None:
    """The service re-cases codes it knows (`paraProfessional` -> `paraprofessional`) and
    answers every instant in UTC: the same values, so no drift and no endless update."""
    root = tmp_path / "district"
    shutil.copytree(SAMPLES, root)
    edits = {
        "source-system.yaml": [("{code: username}", "{code: UserName}")],
        "provisioning.yaml": [("[{code: teacher}]", "[{code: teacher}, {code: paraProfessional}]")],
        "inbound-flow-2027.yaml": [
            ("2026-08-01T00:00:00Z", "2026-08-01T05:30:00+05:30"),
            ("2027-07-31T00:00:00Z", '"2027-07-30T19:00:00-05:00"'),
        ],
        "connector-oneroster.yaml": [("apiFormat: oneRoster", "apiFormat: OneRoster")],
    }
    for name, pairs in edits.items():
        text = (root / name).read_text()
        for old, new in pairs:
            assert old in text
            text = text.replace(old, new)
        (root / name).write_text(text)
    writer = Writer(emu)
    drift = converge(writer, root)
    assert {name: fields for name, fields in drift.items() if fields} == {}
    flow = next(o for o in sample_objects(root) if o.name.endswith("classGroupProvisioningFlow"))
    echoed = writer.read(flow, writer.owner(flow))["configuration"]["enrollmentMappings"]
    assert {"code": "paraprofessional"} in echoed["ownerEnrollmentMappings"]


def _licence_change(emu: Emulator, *, with_password: bool) -> tuple[Any, dict[str, Any]]:
    """The user flow with new student licences (its password written or not), and its echo."""
    writer = Writer(emu)
    converge(writer)
    flow = next(o for o in sample_objects() if o.name.endswith("/userProvisioningFlow"))
    echoed = writer.read(flow, writer.owner(flow))
    assert "***" in json.dumps(echoed)
    skus = ["e82ae690-a2d5-4d76-8d30-7c6e01e6022e"]
    configurations = [
        {**c, "licenseSkus": skus} if c["roleGroup"] == {"ref": "students"} else c
        for c in flow.body["creationOptions"]["configurations"]
    ]
    if not with_password:
        configurations = [
            {k: v for k, v in c.items() if k != "defaultPasswordSettings"} for c in configurations
        ]
    edited = replace(
        flow, body={**flow.body, "creationOptions": {"configurations": configurations}}
    )
    if not with_password:  # as the loader would read it: no ${NAME} left
        edited = replace(edited, variables={}, variable_positions={})
    fields = compare(edited, echoed)
    # (the key shows as `[students]` once the engine keys by a reference's natural key)
    assert [f.path.split("[")[0] + "…" + f.path.split("]")[-1] for f in fields] == [
        "creationOptions.configurations….licenseSkus"
    ]
    return edited, echoed


def _patched_creation_options(edited: Any, echoed: dict[str, Any]) -> Any:
    """What an update sends of the changed member: desired merged over the echo (as
    BodyBuilder.update does; it cannot address a contained flow's URL yet)."""
    desired = resolve(edited, ENV).body
    return to_wire(merge(desired, echoed, edited.kind.root), edited.kind.root)["creationOptions"]


def test_a_licence_change_beside_a_password_from_a_variable_is_seen_and_sent(
    emu: Emulator,
) -> None:
    edited, echoed = _licence_change(emu, with_password=True)
    sent = json.dumps(_patched_creation_options(edited, echoed))
    assert "e82ae690-a2d5-4d76-8d30-7c6e01e6022e" in sent
    assert "Pw-1!x" in sent and "***" not in sent


def test_an_update_never_sends_the_password_mask_back(emu: Emulator) -> None:
    edited, echoed = _licence_change(emu, with_password=False)
    assert "***" not in json.dumps(_patched_creation_options(edited, echoed))


def test_rollover_ends_the_old_flow_in_place_and_a_new_year_means_a_new_flow(
    emu: Emulator,
) -> None:
    """The yearly rollover as the kinds see it: shortening the old flow's window is an update;
    pointing a flow at another year is a replace (its year cannot change) — so the new year
    gets a new flow, which the service accepts beside the old one."""
    from reconciler.engine.compare import replace_reasons

    writer = Writer(emu)
    converge(writer)
    old = next(o for o in sample_objects() if o.kind.name == "inboundFlow")
    echoed = writer.read(old)
    ended = replace(old, body={**old.body, "expirationDateTime": "2027-06-30T00:00:00Z"})
    fields = compare(ended, echoed)
    assert [f.path for f in fields] == ["expirationDateTime"]
    assert replace_reasons(old.kind, fields) == []
    moved = replace(old, body={**old.body, "year": {"ref": "2028"}})
    fields = compare(moved, echoed)
    assert [(f.path, f.before, f.after) for f in fields] == [("year", "2027", "2028")]
    (reason,) = replace_reasons(old.kind, fields)
    assert "year can only be set when the inbound flow is created" in reason
    new = replace(
        old,
        body={
            **old.body,
            "displayName": "Contoso rostering 2027-2028",
            "effectiveDateTime": "2027-07-01T00:00:00Z",
            "expirationDateTime": "2028-07-31T00:00:00Z",
            "year": {"ref": "2028"},
        },
    )
    writer.create(new)
    assert compare(new, writer.read(new)) == []
