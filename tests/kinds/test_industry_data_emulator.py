"""The Industry Data kinds against the built-in emulator's Industry Data side (its own model of
the API, written independently of ours): what the kinds send is accepted, and what the
emulator echoes compares equal to the YAML it came from, with no spurious drift (timestamps
normalised to UTC, codes re-cased, nulls for unset members, secrets hidden, passwords masked).
Until the engine binds references, `idkinds.Writer` stands in for it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from reconciler import urls
from reconciler.emulator import Emulator
from reconciler.engine.compare import compare
from reconciler.engine.model import Action, Change, Create
from reconciler.kinds.industry_data import PROVISIONING_FLOW_SET
from reconciler.operations import BodyBuilder
from reconciler.settings import UpdateMethod
from tests.kinds.idkinds import ENV, Writer, converge, sample_objects, split_flows


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
    flow = split_flows(objects[("provisioningFlowSet", "Contoso provisioning")])[0]
    owner = urls.Owner(
        PROVISIONING_FLOW_SET, writer.ids[("provisioningFlowSet", "Contoso provisioning")]
    )
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
