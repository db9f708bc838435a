"""`validate` over several files or directories (pre-commit passes changed files) and its
GitHub Actions reporting."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.github.conftest import TREE, Actions

DUPLICATE = """\
displayName: Test Profile
dataProvider:
  "@odata.type": "#microsoft.graph.educationCsvDataProvider"
identitySynchronizationConfiguration:
  "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration"
  userDomains: [{appliesTo: student, name: s.edu}]
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(TREE, tmp_path / "desired-state")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("POWERSCHOOL_CLIENT_SECRET", "x" * 8)
    monkeypatch.setenv("ONEROSTER_CLIENT_SECRET", "y" * 8)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def test_several_files_are_checked_within_their_tree(cli, repo: Path) -> None:
    (repo / "desired-state" / "zz-copy.yaml").write_text(DUPLICATE)
    result = cli("validate", "desired-state/zz-copy.yaml", "desired-state/oneroster.yaml")
    assert result.code == 1
    assert (
        "desired-state/zz-copy.yaml:1:1: error: duplicate displayName 'Test Profile': also declared at desired-state/test-profile.yaml"
        in result.out
    )
    assert "2 file(s)" in result.out


def test_the_other_file_of_a_duplicate_reports_it_too(cli, repo: Path) -> None:
    (repo / "desired-state" / "zz-copy.yaml").write_text(DUPLICATE)
    result = cli("validate", "desired-state/test-profile.yaml")
    assert result.code == 1 and "duplicate displayName 'Test Profile'" in result.out


def test_files_of_untouched_problems_elsewhere_in_the_tree_are_not_reported(
    cli, repo: Path
) -> None:
    (repo / "desired-state" / "broken.yaml").write_text("displayName: Broken\nfoo: 1\n")
    result = cli("validate", "desired-state/oneroster.yaml", "./desired-state/powerschool.yaml")
    assert result.code == 0, result.out
    assert "OK: 2 profile(s) in 2 file(s) are valid" in result.out
    assert "broken.yaml" not in result.out


def test_duplicates_across_two_tenant_trees_are_fine(cli, repo: Path) -> None:
    for tenant in ("tenants/a", "tenants/b"):
        (repo / tenant).mkdir(parents=True)
        (repo / tenant / "edusync.yaml").write_text("tenant: contoso.onmicrosoft.com\n")
        (repo / tenant / "profile.yaml").write_text(DUPLICATE)
    result = cli("validate", "tenants/a/profile.yaml", "tenants/b/profile.yaml", "--format", "json")
    assert result.code == 0, result.out
    assert json.loads(result.out)["problems"] == []
    (repo / "tenants/a/second.yaml").write_text(DUPLICATE)
    again = cli("validate", "tenants/a/second.yaml", "tenants/b/profile.yaml")
    assert (
        again.code == 1 and "tenants/a/second.yaml:1:1: error: duplicate displayName" in again.out
    )


def test_a_broken_settings_file_is_reported_with_any_file_of_its_tree(cli, repo: Path) -> None:
    (repo / "desired-state" / "edusync.yaml").write_text("parallelism: many\n")
    result = cli("validate", "desired-state/oneroster.yaml")
    assert result.code == 1 and "desired-state/edusync.yaml" in result.out


def test_directories_and_no_arguments_still_work(cli, repo: Path) -> None:
    assert cli("validate").code == 0
    assert "OK: 3 profile(s) in 3 file(s)" in cli("validate", "desired-state").out
    missing = cli("validate", "nowhere")
    assert missing.code == 1 and "does not exist" in missing.err


def test_a_file_outside_any_tree_is_checked_alone(cli, repo: Path) -> None:
    (repo / "loose.yaml").write_text(DUPLICATE)
    result = cli("validate", "loose.yaml")
    assert result.code == 0, result.out


def test_under_actions_validate_writes_summary_outputs_and_annotations(
    cli, repo: Path, actions: Actions
) -> None:
    (repo / "desired-state" / "broken.yaml").write_text("displayName: Broken\nfoo: 1\n")
    result = cli("validate", "desired-state")
    assert result.code == 1
    assert "::error file=desired-state/broken.yaml,line=1,col=1::" in result.out
    assert actions.outputs() == {"exit-code": "1"}
    summary = actions.summary.read_text()
    assert "### edusync-reconcile validate" in summary and "broken.yaml" in summary


def test_pre_commit_hook_definition() -> None:
    from ruamel.yaml import YAML

    hooks = YAML(typ="safe").load(
        (Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml").read_text()
    )
    [hook] = hooks
    assert hook["id"] == "edusync-validate"
    assert hook["entry"] == "edusync-reconcile validate"
    assert hook["pass_filenames"] is True and hook["language"] == "python"
    import re

    files = re.compile(hook["files"])
    assert files.search("desired-state/powerschool.yaml") and files.search("desired-state/a/b.yml")
    assert not files.search("docs/x.yaml") and not files.search("desired-state/readme.md")
