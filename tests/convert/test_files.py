"""File names and YAML text of the converted documents."""

from __future__ import annotations

from ruamel.yaml import YAML

from reconciler.convert import shapes
from reconciler.convert.convert import Output
from reconciler.convert.files import document_text, plan_files
from tests.convert.helpers import body, oneroster, powerschool, profile, run, run_one


def _read(text: str) -> object:
    return YAML(typ="safe", pure=True).load(text)


def test_text_reads_back_as_the_document_with_a_header_naming_the_source() -> None:
    conversion = run(
        profile(body("North", powerschool(schoolsIds=["101"])), file="ds/a.yaml"),
        profile(body("South", powerschool(schoolsIds=["205"])), file="ds/b.yaml"),
    )
    for output in conversion.outputs:
        text = document_text(output)
        assert _read(text) == output.document.body
        assert text.startswith("# yaml-language-server: $schema=edusync-profile.schema.json\n")
        for file, name in output.sources:
            assert f"#   {file} ({name})\n" in text


def test_spec_spellings_refs_in_flow_style_and_codes_quoted() -> None:
    conversion = run_one(body("P", oneroster()))
    texts = {o.document.kind: document_text(o) for o in conversion.outputs}
    assert 'year: {ref: "2027"}' in texts["inboundFlow"]
    assert "dataConnector: {ref: OneRoster (sis.example.org) connector}" in texts["inboundFlow"]
    assert '"@odata.type": "#microsoft.graph.industryData.inboundApiFlow"' in texts["inboundFlow"]
    assert "- roleGroup: {ref: staff}" in texts["sourceSystem"]
    assert 'apiVersion: "1.1"' in texts["dataConnector"]
    assert 'startDate: "2026-08-01"' in texts["year"]
    assert "clientSecret: ${OR_SECRET}" in texts["dataConnector"]


def test_file_names_come_from_kind_and_natural_key_and_are_stable() -> None:
    first = [f.name for f in plan_files(run_one(body("Lycée Nord 2025/26")).outputs)]
    again = [f.name for f in plan_files(run_one(body("Lycée Nord 2025/26")).outputs)]
    assert first == again
    assert first == [
        "data-connector-csv-upload-connector.yaml",
        "inbound-flow-csv-upload-2026-2027.yaml",
        "provisioning-flow-set-lycee-nord-2025-26.yaml",
        "source-system-csv-upload.yaml",
        "year-2027.yaml",
    ]


def test_names_that_slugify_alike_get_a_hash_of_their_key() -> None:
    outputs = [
        Output(shapes.flow_set(name, [], []), (("p.yaml", name),)) for name in ("A b", "a-B")
    ]
    names = [f.name for f in plan_files(outputs)]
    assert len(set(names)) == 2
    assert all(n.startswith("provisioning-flow-set-a-b-") for n in names)
