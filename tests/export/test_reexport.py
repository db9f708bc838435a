"""Re-export into an existing tree, the tenant given as data: what is rewritten, what is kept."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from reconciler.errors import ConfigError
from reconciler.export.tree import Exporter, Outcome
from reconciler.kinds import REGISTRY

PID = "86904b1e-c7d0-4ead-b13a-98f11fc400ee"
CSV = "microsoft.graph.educationCsvDataProvider"
CREATION = {
    "@odata.type": "microsoft.graph.educationIdentityCreationConfiguration",
    "userDomains": [{"appliesTo": "student", "name": "s.example.edu"}],
}
FILLED_SLOT = {"isSyncDeferred": False, "allowDisplayNameUpdate": False}


def tenant_profile(**changes: object) -> dict:
    body = {
        "id": PID,
        "displayName": "Test Profile",
        "state": "provisioned",
        "expirationDate": "2026-07-31",
        "dataProvider": {
            "@odata.type": CSV,
            "customizations": {
                "student": {"optionalPropertiesToSync": ["State ID"], **FILLED_SLOT},
                "teacher": {"optionalPropertiesToSync": ["Title"], **FILLED_SLOT},
            },
        },
        "identitySynchronizationConfiguration": CREATION,
    }
    body.update(changes)
    return body


def write(root: Path, name: str, text: str) -> Path:
    root.mkdir(exist_ok=True)
    path = root / name
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


DOC = """
# our CSV profile
displayName: Test Profile   # matched by name, no id yet
expirationDate: 2026-07-31  # unquoted YAML date
dataProvider:
  "@odata.type": "#microsoft.graph.educationCsvDataProvider"
  customizations:
    student:
      optionalPropertiesToSync: [State ID]
      isSyncDeferred: false   # the default, written out on purpose
    teacher:
      optionalPropertiesToSync: [Title]
identitySynchronizationConfiguration:
  "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration"
  userDomains:
    - appliesTo: student
      name: s.example.edu
"""


def run(root: Path, profiles: list[dict], **options: object) -> object:
    return Exporter(root, {"synchronizationProfile": profiles}, **options, registry=REGISTRY).run()  # type: ignore[arg-type]


def test_a_document_that_agrees_gets_only_its_id_pinned(tmp_path: Path) -> None:
    path = write(tmp_path / "d", "mine.yaml", DOC)
    result = run(tmp_path / "d", [tenant_profile()])
    text = path.read_text()
    assert text.startswith(f"# our CSV profile\nid: {PID}\ndisplayName: Test Profile   #")
    assert "expirationDate: 2026-07-31  # unquoted YAML date" in text
    assert "isSyncDeferred: false   # the default, written out on purpose" in text
    assert [(o.file, o.outcome) for o in result.objects] == [("mine.yaml", Outcome.UPDATED)]
    again = run(tmp_path / "d", [tenant_profile()])
    assert [o.outcome for o in again.objects] == [Outcome.UNCHANGED]
    assert path.read_text() == text


def test_changed_members_are_rewritten_in_place_and_dropped_ones_removed(tmp_path: Path) -> None:
    path = write(tmp_path / "d", "mine.yaml", f"id: {PID}\n" + textwrap.dedent(DOC).lstrip())
    changed = tenant_profile(
        dataProvider={
            "@odata.type": CSV,
            "customizations": {
                "student": {"optionalPropertiesToSync": ["State ID", "Grade"], **FILLED_SLOT},
                "teacher": {"optionalPropertiesToSync": ["Title"], **FILLED_SLOT},
            },
        }
    )
    del changed["expirationDate"]
    run(tmp_path / "d", [changed])
    text = path.read_text()
    assert "expirationDate" not in text
    assert "optionalPropertiesToSync: [Grade, State ID]" in text
    assert "isSyncDeferred: false   # the default, written out on purpose" in text
    assert "# our CSV profile" in text


def test_a_changed_type_replaces_the_member_whole(tmp_path: Path) -> None:
    path = write(tmp_path / "d", "mine.yaml", DOC)
    matching = {
        "@odata.type": "microsoft.graph.educationIdentityMatchingConfiguration",
        "matchingOptions": [
            {"appliesTo": "student", "sourcePropertyName": "U", "targetPropertyName": "upn"}
        ],
    }
    run(tmp_path / "d", [tenant_profile(identitySynchronizationConfiguration=matching)])
    text = path.read_text()
    assert "educationIdentityMatchingConfiguration" in text and "userDomains" not in text


def test_ignored_paths_and_variables_are_never_rewritten(tmp_path: Path) -> None:
    doc = textwrap.dedent(DOC).lstrip() + "lifecycle:\n  ignoreChanges: [expirationDate]\n"
    path = write(tmp_path / "d", "mine.yaml", doc.replace("s.example.edu", "${STUDENT_DOMAIN}"))
    run(tmp_path / "d", [tenant_profile(expirationDate="2027-01-01")])
    text = path.read_text()
    assert "expirationDate: 2026-07-31" in text and "${STUDENT_DOMAIN}" in text
    assert "ignoreChanges: [expirationDate]" in text


def test_multi_document_files_keep_every_document(tmp_path: Path) -> None:
    first = textwrap.dedent(DOC).lstrip()
    second_doc = "---\n# second\n" + first.replace("# our CSV profile\n", "").replace(
        "displayName: Test Profile", "displayName: Other"
    )
    path = write(tmp_path / "d", "both.yaml", first + second_doc)
    second = tenant_profile(id="2a2a2a2a-0000-0000-0000-000000000000", displayName="Other")
    result = run(tmp_path / "d", [tenant_profile(), second])
    text = path.read_text()
    assert text.count("displayName:") == 2 and "# second" in text
    assert f"id: {PID}" in text and "id: 2a2a2a2a-0000-0000-0000-000000000000" in text
    assert {o.file for o in result.objects} == {"both.yaml"}
    assert sorted(p.name for p in (tmp_path / "d").glob("*.yaml")) == ["both.yaml"]


def test_an_unparseable_file_stops_the_export_and_nothing_is_written(tmp_path: Path) -> None:
    root = tmp_path / "d"
    write(root, "broken.yaml", "displayName: [unclosed\n")
    with pytest.raises(ConfigError, match=r"broken\.yaml"):
        run(root, [tenant_profile()])
    assert sorted(p.name for p in root.iterdir()) == ["broken.yaml"]


def test_objects_being_deleted_are_not_exported(tmp_path: Path) -> None:
    result = run(tmp_path / "d", [tenant_profile(state="deleting")])
    assert result.objects == [] and "being deleted" in result.notes[0]  # type: ignore[attr-defined]
