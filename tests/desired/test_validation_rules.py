"""Every validation rule of the desired-state format, table-driven: input → FILE:LINE:COL: message."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reconciler.desired import Severity, load_desired

VALID = """\
displayName: Test Profile
dataProvider:
  "@odata.type": "#Microsoft.Education.DataSync.educationCsvDataProvider"
  customizations:
    student:
      optionalPropertiesToSync: [State ID, Middle Name]
identitySynchronizationConfiguration:
  "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration"
  userDomains:
    - appliesTo: student
      name: testschool.edu
licensesToAssign:
  - appliesTo: teacher
    skuIds: [6fd2c87f-b296-42f0-b197-1e91e994b900]
"""

POWERSCHOOL = """\
displayName: PS
dataProvider:
  "@odata.type": "#microsoft.graph.educationPowerSchoolDataProvider"
  connectionUrl: https://ps.example.edu
  clientId: abc
  clientSecret: {secret}
identitySynchronizationConfiguration:
  "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration"
  userDomains: []
"""


def problems_for(root: Path) -> list[str]:
    cwd = Path.cwd()
    os.chdir(root.parent)
    try:
        state = load_desired(root.name)
    finally:
        os.chdir(cwd)
    return [str(p) for p in state.problems]


CASES = [
    # (id, file text, expected "LINE:COL: severity: fragment")
    (
        "unknown top-level property with did-you-mean",
        VALID.replace("displayName: Test Profile", "displayName: Test Profile\ndisplayname: x"),
        "2:1: error: unknown property 'displayname' in the profile (did you mean 'displayName'?)",
    ),
    (
        "unknown nested property",
        VALID.replace("    student:\n", "    student:\n      isSyncDefered: true\n"),
        "6:7: error: unknown property 'isSyncDefered' in dataProvider.customizations.student (did you mean 'isSyncDeferred'?)",
    ),
    (
        "unknown customization slot",
        VALID.replace("    student:\n", "    students:\n"),
        "5:5: error: unknown property 'students' in dataProvider.customizations (did you mean 'student'?)",
    ),
    (
        "wrong type: boolean expected",
        VALID + "handleSpecialCharacterConstraint: maybe\n",
        "15:35: error: handleSpecialCharacterConstraint must be true or false, not 'maybe'",
    ),
    (
        "wrong type: mapping where list expected",
        VALID.replace("skuIds: [6fd2c87f-b296-42f0-b197-1e91e994b900]", "skuIds: {a: b}"),
        "14:13: error: licensesToAssign[0].skuIds must be a list",
    ),
    (
        "boolean where text expected",
        VALID.replace("name: testschool.edu", "name: true"),
        "11:13: error: identitySynchronizationConfiguration.userDomains[0].name must be text, not True",
    ),
    (
        "missing required property",
        VALID.replace("displayName: Test Profile\n", ""),
        "1:1: error: the profile is missing required property 'displayName'",
    ),
    (
        "missing @odata.type on a polymorphic member",
        VALID.replace(
            '  "@odata.type": "#Microsoft.Education.DataSync.educationCsvDataProvider"\n', ""
        ),
        "3:3: error: dataProvider needs '@odata.type'",
    ),
    (
        "unknown @odata.type with did-you-mean",
        VALID.replace("educationCsvDataProvider", "educationCsvDataProvidr"),
        "3:18: error: unknown @odata.type '#Microsoft.Education.DataSync.educationCsvDataProvidr' for dataProvider (did you mean 'educationCsvDataProvider'?)",
    ),
    (
        "enum value with did-you-mean",
        VALID.replace("appliesTo: teacher", "appliesTo: teachr"),
        "13:16: error: 'teachr' is not a valid value for licensesToAssign[0].appliesTo (did you mean 'teacher'?)",
    ),
    (
        "duplicate appliesTo key",
        VALID.replace(
            "      name: testschool.edu\n",
            "      name: testschool.edu\n    - appliesTo: Student\n      name: other.edu\n",
        ),
        "12:18: error: duplicate appliesTo 'student' in identitySynchronizationConfiguration.userDomains (first on line 10)",
    ),
    (
        "duplicate YAML key",
        VALID.replace("displayName: Test Profile", "displayName: Test Profile\ndisplayName: Again"),
        "2:1: error: duplicate key 'displayName' (first written on line 1)",
    ),
    (
        "bad date",
        VALID + "expirationDate: 2025-13-45\n",
        "15:17: error: expirationDate must be a date written YYYY-MM-DD",
    ),
    (
        "bad date-time",
        VALID.replace(
            "    student:\n", "    student:\n      synchronizationStartDate: next monday\n"
        ),
        "6:33: error: dataProvider.customizations.student.synchronizationStartDate must be an ISO-8601 date-time",
    ),
    (
        "null where not allowed",
        VALID.replace("displayName: Test Profile", "displayName: null"),
        "1:14: error: displayName must not be null",
    ),
    (
        "read-only member is a warning",
        VALID + "state: provisioned\n",
        "15:1: warning: 'state' is read-only (set by the server) and is ignored",
    ),
    (
        "literal secret refused",
        POWERSCHOOL.format(secret="hunter2"),
        "6:17: error: 'clientSecret' is a secret: do not commit it",
    ),
    (
        "malformed variable reference",
        POWERSCHOOL.format(secret="${PS SECRET}"),
        "6:17: error: malformed variable reference '${PS SECRET}'",
    ),
    (
        "unterminated variable reference",
        POWERSCHOOL.format(secret="${PS_SECRET"),
        "6:17: error: malformed variable reference",
    ),
    (
        "unknown kind",
        "kind: synchronisationProfile\n" + VALID,
        "1:7: error: unknown kind 'synchronisationProfile' (did you mean 'synchronizationProfile'?)",
    ),
    (
        "lifecycle: unknown key",
        VALID + "lifecycle:\n  protected: true\n",
        "16:3: error: unknown lifecycle setting 'protected' (did you mean 'protect'?)",
    ),
    (
        "lifecycle: bad ignoreChanges path",
        VALID + "lifecycle:\n  ignoreChanges: ['licenses[teacher]']\n",
        "16:19: error: ignoreChanges: 'licenses' is not a property (did you mean 'licensesToAssign[teacher]'?)",
    ),
    (
        "lifecycle: path into a set",
        VALID + "lifecycle:\n  ignoreChanges: ['licensesToAssign[teacher].skuIds.x']\n",
        "16:19: error: ignoreChanges: 'licensesToAssign[teacher].skuIds' is a list, compared whole",
    ),
    (
        "lifecycle.paused must be boolean",
        VALID + "lifecycle:\n  paused: sometimes\n",
        "16:11: error: lifecycle.paused must be true or false, not 'sometimes'",
    ),
    (
        "a YAML 1.1 boolean gets the YAML 1.2 spelling",
        VALID + "lifecycle:\n  protect: yes\n",
        "16:12: error: lifecycle.protect must be true or false, not 'yes': YAML 1.2 reads it "
        "as text; write true",
    ),
    (
        "displayName from a variable",
        VALID.replace("displayName: Test Profile", "displayName: Test ${DISTRICT}"),
        "1:14: error: displayName identifies the profile and cannot come from an environment variable",
    ),
    (
        "the key of a keyed-list entry from a variable",
        VALID.replace("    - appliesTo: student\n", "    - appliesTo: ${ROLE}\n"),
        "10:18: error: appliesTo tells the entries of identitySynchronizationConfiguration."
        "userDomains apart and cannot come from an environment variable",
    ),
    (
        "id from a variable",
        "id: ${PROFILE_ID}\n" + VALID,
        "1:5: error: id identifies the profile and cannot come from an environment variable",
    ),
    (
        "compact date Python would accept",
        VALID + "expirationDate: '20270630'\n",
        "15:17: error: expirationDate must be a date written YYYY-MM-DD",
    ),
    (
        "date-time without a zone",
        VALID.replace(
            "    student:\n",
            "    student:\n      synchronizationStartDate: '2026-09-01T08:00:00'\n",
        ),
        "6:33: error: dataProvider.customizations.student.synchronizationStartDate must be an ISO-8601",
    ),
    (
        "document that is not a mapping",
        "- just\n- a list\n",
        "1:1: error: a profile must be a YAML mapping of properties",
    ),
    (
        "a type of another API's namespace is not taken for ours",
        VALID.replace(
            "#Microsoft.Education.DataSync.educationCsvDataProvider",
            "#microsoft.graph.industryData.educationCsvDataProvider",
        ),
        "3:18: error: @odata.type '#microsoft.graph.industryData.educationCsvDataProvider' names "
        "educationCsvDataProvider in namespace 'microsoft.graph.industryData', but dataProvider "
        "takes types of 'microsoft.graph': write '#microsoft.graph.educationCsvDataProvider'",
    ),
    (
        "YAML merge key refused",
        "base: &b {displayName: x}\n<<: *b\n",
        "2:1: error: YAML merge keys (<<) are not supported",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES]
)
def test_rule(write_tree, text: str, expected: str) -> None:
    root = write_tree({"profile.yaml": text})
    problems = problems_for(root)
    assert any(p.startswith(f"desired/profile.yaml:{expected}") for p in problems), problems


def test_valid_profile_has_no_problems(write_tree) -> None:
    assert problems_for(write_tree({"profile.yaml": VALID})) == []


def test_every_problem_is_reported_at_once(write_tree) -> None:
    text = (
        VALID.replace("appliesTo: teacher", "appliesTo: teachr")
        + "bogus: 1\nexpirationDate: soon\n"
    )
    problems = problems_for(write_tree({"a.yaml": text, "b.yaml": "displayName: [x]\n"}))
    assert len([p for p in problems if ": error: " in p]) >= 5, problems


def test_duplicate_display_names_across_files(write_tree) -> None:
    problems = problems_for(write_tree({"a.yaml": VALID, "sub/b.yaml": VALID}))
    assert any(
        p.startswith(
            "desired/sub/b.yaml:1:1: error: duplicate displayName 'Test Profile': also declared at desired/a.yaml:1:1"
        )
        for p in problems
    ), problems


def test_duplicate_pinned_ids_across_files(write_tree) -> None:
    a = "id: 86904B1E-c7d0-4ead-b13a-98f11fc400ee\n" + VALID
    b = "id: 86904b1e-c7d0-4ead-b13a-98f11fc400ee\n" + VALID.replace("Test Profile", "Other")
    problems = problems_for(write_tree({"a.yaml": a, "b.yaml": b}))
    assert any("duplicate id '86904b1e-c7d0-4ead-b13a-98f11fc400ee'" in p for p in problems), (
        problems
    )


def test_one_name_twice_is_allowed_when_each_pins_its_own_id(write_tree) -> None:
    a = "id: 86904b1e-c7d0-4ead-b13a-98f11fc400ee\n" + VALID
    b = "id: 2d1f0b47-0000-4ead-b13a-98f11fc400ee\n" + VALID
    assert problems_for(write_tree({"a.yaml": a, "b.yaml": b})) == []
    # An unpinned third one cannot be told apart: the name is a duplicate again.
    problems = problems_for(write_tree({"a.yaml": a, "b.yaml": b, "c.yaml": VALID}))
    assert [p for p in problems if "duplicate displayName" in p] == [
        "desired/c.yaml:1:1: error: duplicate displayName 'Test Profile': also declared at "
        "desired/a.yaml:1:1; each profile must be declared once (two tenant profiles of one "
        "name: pin each with its own `id:`)"
    ], problems
    # Two pins of one id are a duplicate id, whatever the names.
    same = write_tree({"a.yaml": a, "b.yaml": a})
    assert any("duplicate id" in p for p in problems_for(same))


def test_multi_document_files(write_tree) -> None:
    other = VALID.replace("Test Profile", "Second")
    state = load_desired(str(write_tree({"two.yaml": VALID + "---\n" + other})))
    assert [o.name for o in state.objects] == ["Test Profile", "Second"]
    assert state.objects[1].line == 16


def test_yaml_scalars_become_graph_text(write_tree) -> None:
    text = POWERSCHOOL.format(secret="${PS}") + "expirationDate: 2025-06-30\n"
    text = text.replace(
        "clientId: abc", "clientId: 0123\n  schoolYear: 2026\n  schoolsIds: [101, 1e3]"
    )
    state = load_desired(str(write_tree({"p.yaml": text})))
    provider = state.objects[0].body["dataProvider"]
    assert provider["schoolYear"] == "2026"
    assert provider["clientId"] == "0123"  # the text written, not the octal/decimal number
    assert provider["schoolsIds"] == ["101", "1e3"]
    assert state.objects[0].body["expirationDate"] == "2025-06-30"


def test_odata_type_spellings_all_accepted(write_tree) -> None:
    spellings = [
        "#Microsoft.Education.DataSync.educationCsvDataProvider",
        "#microsoft.graph.educationCsvDataProvider",
        "microsoft.graph.educationCsvDataProvider",
        "#microsoft.graph.educationcsvdataprovider",
        "microsoft.graph.educationcsvdataprovider",
        "#microsoft.graph.csvDataProvider",
        "educationCsvDataProvider",
    ]
    for spelling in spellings:
        root = write_tree(
            {
                "profile.yaml": VALID.replace(
                    "#Microsoft.Education.DataSync.educationCsvDataProvider", spelling
                )
            }
        )
        assert problems_for(root) == [], spelling


def test_pasted_graph_response_json_is_valid(write_tree) -> None:
    response = {
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#education/synchronizationProfiles/$entity",
        "id": "86904b1e-c7d0-4ead-b13a-98f11fc400ee",
        "displayName": "Test Profile",
        "dataProvider": {"@odata.type": "microsoft.graph.educationCsvDataProvider"},
        "identitySynchronizationConfiguration": {
            "@odata.type": "microsoft.graph.educationIdentityCreationConfiguration",
            "userDomains": [{"appliesTo": "student", "name": "testschool.edu"}],
        },
        "licensesToAssign": [
            {
                "@odata.type": "microsoft.graph.educationSynchronizationLicenseAssignment",
                "appliesTo": "teacher",
                "skuIds": ["6fd2c87f-b296-42f0-b197-1e91e994b900"],
            }
        ],
    }
    problems = problems_for(write_tree({"pasted.yaml": json.dumps(response, indent=2)}))
    assert problems == []


def test_settings_file(write_tree) -> None:
    root = write_tree(
        {
            "edusync.yaml": "tenant: contoso.onmicrosoft.com\ncloud: global\nparallelism: 8\nupdateMethod: patch\nignoreChanges: [licensesToAssign]\n",
            "p.yaml": VALID,
        }
    )
    state = load_desired(str(root))
    assert state.ok
    assert state.settings.tenant == "contoso.onmicrosoft.com"
    assert state.settings.parallelism == 8
    assert state.settings.ignore_changes == ("licensesToAssign",)
    assert len(state.objects) == 1


def test_settings_file_unknown_key(write_tree) -> None:
    problems = problems_for(write_tree({"edusync.yaml": "tennant: x\n", "p.yaml": VALID}))
    assert any(
        "desired/edusync.yaml:1:1: error: unknown setting 'tennant' (did you mean 'tenant'?)" in p
        for p in problems
    )


def test_hidden_directories_and_other_files_are_skipped(write_tree) -> None:
    root = write_tree({".git/x.yaml": "broken: [", "notes.txt": "x", "p.yml": VALID})
    state = load_desired(str(root))
    assert state.ok and len(state.objects) == 1


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    from reconciler.errors import ConfigError

    with pytest.raises(ConfigError, match="does not exist"):
        load_desired(str(tmp_path / "nope"))


def test_problem_severity_is_error_for_rules(write_tree) -> None:
    state = load_desired(str(write_tree({"p.yaml": VALID + "bogus: 1\n"})))
    assert [p.severity for p in state.problems] == [Severity.ERROR]


def test_unquoted_yaml_timestamp_is_sent_in_graph_form(write_tree) -> None:
    text = VALID.replace(
        "    student:\n", "    student:\n      synchronizationStartDate: 2026-09-01 08:00:00\n"
    )
    state = load_desired(str(write_tree({"p.yaml": text})))
    assert state.ok, state.problems
    student = state.objects[0].body["dataProvider"]["customizations"]["student"]
    assert student["synchronizationStartDate"] == "2026-09-01T08:00:00Z"


@pytest.mark.parametrize(
    ("written", "sent"),
    [
        ("2026-09-01 08:00:00 +01:00", "2026-09-01T08:00:00+01:00"),
        ("2026-09-01T08:00:00Z", "2026-09-01T08:00:00Z"),
    ],
)
def test_yaml_timestamp_spellings(write_tree, written: str, sent: str) -> None:
    text = VALID.replace(
        "    student:\n", f"    student:\n      synchronizationStartDate: {written}\n"
    )
    state = load_desired(str(write_tree({"p.yaml": text})))
    assert state.ok, state.problems
    assert (
        state.objects[0].body["dataProvider"]["customizations"]["student"][
            "synchronizationStartDate"
        ]
        == sent
    )
