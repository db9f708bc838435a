"""Golden output of the three classic samples in desired-state/ (CSV "Test Profile", PowerSchool
with ${POWERSCHOOL_CLIENT_SECRET}, OneRoster OAuth 2 with matching), converted as one tree on a
fixed day. Regenerate on purpose with UPDATE_GOLDEN=1 and review the diff."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reconciler.commands.convert_cmd import load_classic
from reconciler.convert import convert
from reconciler.convert.files import plan_files
from reconciler.convert.render import report_json, report_text
from tests.convert.helpers import TODAY

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
OUT = "industry-data"


def _rendered(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(ROOT)  # file names in the report as a user in the checkout sees them
    conversion = convert(load_classic("desired-state"), tree="desired-state", today=TODAY)
    files = plan_files(conversion.outputs)
    rendered = {f"{OUT}/{f.name}": f.text for f in files}
    rendered["report.txt"] = report_text(conversion, files, OUT, "desired-state")
    rendered["report.json"] = report_json(conversion, files, OUT, "desired-state")
    return rendered


def test_samples_convert_as_the_golden_files_say(monkeypatch: pytest.MonkeyPatch) -> None:
    rendered = _rendered(monkeypatch)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        for name, text in rendered.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_text(text, encoding="utf-8")
    stored = {
        p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8")
        for p in GOLDEN.rglob("*")
        if p.is_file()
    }
    assert sorted(stored) == sorted(rendered)
    for name, text in rendered.items():
        assert text == stored[name], f"{name} differs (UPDATE_GOLDEN=1 to accept on purpose)"


def test_golden_report_accounts_for_every_classic_field(monkeypatch: pytest.MonkeyPatch) -> None:
    report = json.loads(_rendered(monkeypatch)["report.json"])
    assert report["counts"]["profiles"] == 3
    unknown = [e for e in report["entries"] if "no counterpart known" in e["message"]]
    assert unknown == []
    fields = {(e["file"], e["field"]) for e in report["entries"]}
    for field in (
        "dataProvider.clientSecret",
        "dataProvider.connectionSettings.clientSecret",
        "expirationDate",
        "handleSpecialCharacterConstraint",
        "dataProvider.customizations.student.optionalPropertiesToSync",
        "licensesToAssign[teacher]",
        "identitySynchronizationConfiguration.matchingOptions[teacher].targetDomain",
    ):
        assert any(f == field for _, f in fields), field


def test_readme_run_is_the_golden_report() -> None:
    """Every line the README shows of its run is a line of the golden report."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Moving from classic SDS", 1)[1].split("```console\n", 1)[1]
    shown = section.split("```", 1)[0].splitlines()
    report = (GOLDEN / "report.txt").read_text(encoding="utf-8").splitlines()
    quoted = [ln for ln in shown if ln.strip() not in ("…", "[exit 0]") and not ln.startswith("$")]
    assert len(quoted) > 20
    missing = [ln for ln in quoted if ln not in report]
    assert missing == []
