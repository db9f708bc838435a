"""Which files are read: *.yaml, *.yml and *.json (any case); every other file skipped is named
in a warning, except the documents that live beside profiles on purpose."""

from __future__ import annotations

import json

import pytest

from reconciler.desired import Severity, load_desired
from tests.desired.test_validation_rules import VALID, problems_for

PASTED_RESPONSE = {
    "@odata.context": "https://graph.microsoft.com/beta/$metadata#education/synchronizationProfiles/$entity",
    "id": "86904b1e-c7d0-4ead-b13a-98f11fc400ee",
    "displayName": "Pasted",
    "dataProvider": {"@odata.type": "microsoft.graph.educationCsvDataProvider"},
    "identitySynchronizationConfiguration": {
        "@odata.type": "microsoft.graph.educationIdentityCreationConfiguration",
        "userDomains": [{"appliesTo": "student", "name": "testschool.edu"}],
    },
    "state": "provisioned",
}


def test_json_files_are_read_and_counted(write_tree, cli) -> None:
    root = write_tree({"a.yaml": VALID, "pasted.json": json.dumps(PASTED_RESPONSE, indent="\t")})
    state = load_desired(str(root))
    assert sorted(o.name for o in state.objects) == ["Pasted", "Test Profile"]
    assert state.files == 2
    result = cli("validate", str(root))
    assert "2 profile(s) in 2 file(s)" in result.out


def test_json_problems_have_positions(write_tree) -> None:
    broken = json.dumps(PASTED_RESPONSE | {"bogus": 1}, indent=2)
    problems = problems_for(write_tree({"pasted.json": broken}))
    assert any(
        p.startswith("desired/pasted.json:18:3: error: unknown property 'bogus' in the profile")
        for p in problems
    ), problems


@pytest.mark.parametrize(
    ("suffix", "language"), [(".json", "JSON"), (".JSON", "JSON"), (".yaml", "YAML")]
)
def test_a_syntax_error_names_the_file_s_language(write_tree, suffix: str, language: str) -> None:
    broken = json.dumps(PASTED_RESPONSE, indent=2).replace('"Pasted",', '"Pasted"', 1)
    problems = problems_for(write_tree({f"pasted{suffix}": broken}))
    assert len(problems) == 1, problems
    assert f"error: invalid {language}: " in problems[0], problems
    assert "YAML" not in problems[0] or language == "YAML", problems


def test_a_pasted_list_response_is_one_clear_error(write_tree) -> None:
    listing = {
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#education/synchronizationProfiles",
        "value": [PASTED_RESPONSE, PASTED_RESPONSE],
    }
    problems = problems_for(write_tree({"all.json": json.dumps(listing, indent=2)}))
    assert len(problems) == 1, problems
    assert "this is a pasted Graph list response: 'value' holds 2 object(s)" in problems[0]


def test_upper_case_suffix_is_read(write_tree) -> None:
    state = load_desired(str(write_tree({"PROFILE.YAML": VALID})))
    assert [o.name for o in state.objects] == ["Test Profile"] and state.problems == ()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "p.yaml.bak",
            "not read: the name ends in '.bak', so this is not a desired-state file; rename it p.yaml to use it",
        ),
        ("p.yml.orig", "rename it p.yml to use it"),
        ("p.yaml~", "the name ends in '~'"),
        ("pasted.json.txt", "rename it pasted.json to use it"),
        ("notes.txt", "not read: only *.yaml, *.yml and *.json files hold profiles"),
        ("profile.yaml.disabled", "rename it profile.yaml to use it"),
    ],
)
def test_skipped_files_are_named(write_tree, name: str, message: str) -> None:
    root = write_tree({"good.yaml": VALID, name: VALID.replace("Test Profile", "Other")})
    state = load_desired(str(root))
    assert [o.name for o in state.objects] == ["Test Profile"]
    skipped = [str(p) for p in state.problems if p.file.endswith(name)]
    assert len(skipped) == 1 and f"desired/{name}:1:1: warning: " in skipped[0], skipped
    assert message in skipped[0]
    assert all(p.severity is Severity.WARNING for p in state.problems)


@pytest.mark.parametrize(
    "name", ["README.md", "LICENSE", "CODEOWNERS", "docs.rst", "edusync-profile.schema.json"]
)
def test_documents_beside_profiles_are_skipped_quietly(write_tree, name: str) -> None:
    state = load_desired(str(write_tree({"good.yaml": VALID, name: "# notes\n"})))
    assert state.problems == () and len(state.objects) == 1


def test_hidden_files_are_skipped_quietly(write_tree) -> None:
    state = load_desired(str(write_tree({"good.yaml": VALID, ".gitkeep": "", ".x.yaml": "["})))
    assert state.problems == ()


def test_empty_directory_names_every_suffix(write_tree) -> None:
    problems = problems_for(write_tree({"README.md": "x"}))
    assert problems == ["desired:1:1: warning: no *.yaml, *.yml or *.json files found"]
