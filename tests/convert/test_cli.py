"""`convert-classic` through the real CLI: input checks, the output directory, the report,
secrets."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from tests.conftest import SAMPLE_DIR

SECRET_VALUES = {
    "POWERSCHOOL_CLIENT_SECRET": "ps-s3cr3t-4f9a1c",
    "ONEROSTER_CLIENT_SECRET": "or-s3cr3t-77b2e0",
}


def _tree_text(root: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(root.rglob("*")) if p.is_file())


def test_samples_convert_with_a_report(cli, tmp_path: Path) -> None:
    out = tmp_path / "industry-data"
    result = cli("convert-classic", str(SAMPLE_DIR), "--out", str(out))
    assert result.code == 0, result.err
    first = result.out.splitlines()[0]
    assert first.startswith("3 classic SDS sync profiles became new School Data Sync settings")
    assert "Before they are used, you must make 14 decisions" in first
    for heading in ("Needs your decision", "Guessed by the converter", "Carried over"):
        assert heading in result.out
    assert "PROPOSAL" in result.out  # PowerSchool
    written = sorted(p.name for p in out.iterdir())
    assert "edusync-profile.schema.json" in written
    assert len([n for n in written if n.endswith(".yaml")]) == 13
    flows = list(out.glob("inbound-flow-*.yaml"))
    assert len(flows) == 3
    assert all(re.search(r'^year: \{ref: "\d{4}"\}$', p.read_text(), re.M) for p in flows)


def test_json_report_is_one_versioned_document(cli, tmp_path: Path) -> None:
    out = tmp_path / "o"
    result = cli("convert-classic", str(SAMPLE_DIR), "--out", str(out), "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["format_version"] == 1
    assert report["counts"]["files"] == 13
    assert {e["status"] for e in report["entries"]} >= {"decide", "guessed", "mapped"}
    assert report["variables"] == ["ONEROSTER_CLIENT_SECRET", "POWERSCHOOL_CLIENT_SECRET"]
    assert all((out / f["file"]).is_file() for f in report["files"])


def test_one_file_converts_too(cli, tmp_path: Path) -> None:
    out = tmp_path / "o"
    result = cli("convert-classic", str(SAMPLE_DIR / "oneroster.yaml"), "--out", str(out))
    assert result.code == 0, result.err
    assert result.out.startswith("1 classic SDS sync profile became")
    assert (out / "source-system-fabrikam-sis-oneroster-fabrikam-k12-us.yaml").is_file()


def test_bad_input_is_refused_with_its_position_and_nothing_is_written(
    cli, write_tree, tmp_path: Path
) -> None:
    root = write_tree(
        {
            "broken.yaml": """
                displayName: Broken
                dataProvider:
                  "@odata.type": "#microsoft.graph.educationCsvDataProvider"
                identitySynchronizationConfiguration:
                  "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration"
                  userDomains:
                    - appliesTo: student
                      name: students.example.edu
                licensesToAssign: yes please
            """
        }
    )
    out = tmp_path / "out"
    result = cli("convert-classic", str(root), "--out", str(out))
    assert result.code == 1
    assert f"{root.name}/broken.yaml:9:19: error:" in result.err.replace(str(root.parent) + "/", "")
    assert "nothing was written" in result.err
    assert result.out == ""
    assert not out.exists()


def test_a_non_empty_out_dir_is_refused_unless_forced(cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    keep = out / "mine.yaml"
    keep.write_text("kept: true\n")
    stale = out / "year-2027.yaml"
    stale.write_text("old: true\n")
    refused = cli("convert-classic", str(SAMPLE_DIR), "--out", str(out))
    assert refused.code == 1
    assert "not empty" in refused.err and "--force" in refused.err
    assert sorted(p.name for p in out.iterdir()) == ["mine.yaml", "year-2027.yaml"]
    assert stale.read_text() == "old: true\n"

    forced = cli("convert-classic", str(SAMPLE_DIR), "--out", str(out), "--force")
    assert forced.code == 0, forced.err
    assert keep.read_text() == "kept: true\n"  # nothing is deleted
    assert "kind: year" in stale.read_text()  # a file of the same name is overwritten


def test_an_out_path_that_is_a_file_is_refused(cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("x")
    result = cli("convert-classic", str(SAMPLE_DIR), "--out", str(out))
    assert result.code == 1 and "is a file" in result.err


def test_a_tree_without_classic_profiles_is_refused(cli, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    result = cli("convert-classic", str(tmp_path / "in"), "--out", str(tmp_path / "out"))
    assert result.code == 1 and "no classic synchronization profiles" in result.err
    assert not (tmp_path / "out").exists()


def test_a_missing_path_is_refused(cli, tmp_path: Path) -> None:
    result = cli("convert-classic", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert result.code == 1 and "does not exist" in result.err


def test_out_is_required(cli) -> None:
    assert cli("convert-classic", str(SAMPLE_DIR)).code == 64


def test_no_secret_value_anywhere_even_when_the_variables_are_set(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SECRET_VALUES.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "out"
    text = cli("convert-classic", str(SAMPLE_DIR), "--out", str(out), "--debug")
    as_json = cli(
        "convert-classic", str(SAMPLE_DIR), "--out", str(tmp_path / "j"), "--format", "json"
    )
    assert text.code == 0 and as_json.code == 0
    everything = "\n".join(
        [text.out, text.err, as_json.out, as_json.err, _tree_text(out), _tree_text(tmp_path / "j")]
    )
    for value in SECRET_VALUES.values():
        assert value not in everything
    connector = out / "data-connector-powerschool-contoso-powerschool-com-connector.yaml"
    assert "clientSecret: ${POWERSCHOOL_CLIENT_SECRET}" in connector.read_text()


def test_markdown_format_wraps_the_report(cli, tmp_path: Path) -> None:
    result = cli(
        "convert-classic", str(SAMPLE_DIR), "--out", str(tmp_path / "o"), "--format", "markdown"
    )
    assert result.code == 0
    assert result.out.startswith("**3 classic SDS sync profiles") and "```text" in result.out


def test_converted_tree_passes_validate_once_its_decision_is_settled_and_its_schema(
    cli, tmp_path: Path
) -> None:
    """The samples read three SISs for one academic year: the converter asks for a decision,
    and validate refuses the tree until it is made (SDS takes one active inbound flow per year:
    apply would be refused part-way), naming the two flows past the first."""
    out = tmp_path / "industry-data"
    converted = cli("convert-classic", str(SAMPLE_DIR), "--out", str(out))
    assert converted.code == 0
    assert "3 sources for academic year" in converted.out
    refused = cli("validate", str(out))  # validate knows the Industry Data kinds
    assert refused.code == 1
    errors = [line for line in refused.out.splitlines() if ": error: " in line]
    assert len(errors) == 2, refused.out
    assert all("is a second active inbound flow for year '2027'" in e for e in errors)
    # The decision, as the converter words it: keep one source, delete the others' files.
    for source in ("fabrikam-sis-oneroster-fabrikam-k12-us", "powerschool-contoso-powerschool-com"):
        for made in out.glob(f"*{source}*.yaml"):
            made.unlink()
    result = cli("validate", str(out))
    assert result.code == 0, result.out + result.err
    assert result.out.startswith("OK: ") and "in 7 file(s)" in result.out
    schema = json.loads((out / "edusync-profile.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    yaml = YAML(typ="safe")
    for path in sorted(out.glob("*.yaml")):
        document = json.loads(json.dumps(yaml.load(path.read_text(encoding="utf-8"))))
        assert [e.message for e in validator.iter_errors(document)] == [], path.name


def test_the_samples_directory_is_left_as_it_was(cli, tmp_path: Path) -> None:
    copy = tmp_path / "ds"
    shutil.copytree(SAMPLE_DIR, copy)
    before = _tree_text(copy)
    assert cli("convert-classic", str(copy), "--out", str(tmp_path / "o")).code == 0
    assert _tree_text(copy) == before
