"""ruamel.yaml (the precise path's parser, some 20 ms to import) is imported only when a file
needs the precise path: `validate` and `plan` over ordinary files never import it, and a file
that needs it is still read, and refused, in the precise path's own words."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import reconciler

ROOT = Path(__file__).resolve().parents[2]
PROFILE = (ROOT / "desired-state" / "test-profile.yaml").read_text(encoding="utf-8")

_SCRIPT = """\
import json, sys
sys.path.insert(0, sys.argv[2])  # the reconciler this test runs against
import reconciler.cli, reconciler.commands.validate_run, reconciler.commands.plan_cmd
from reconciler.desired import load_desired
state = load_desired(sys.argv[1])
print(json.dumps({
    "problems": [str(p) for p in state.problems],
    "objects": len(state.objects),
    "ruamel": "ruamel" in " ".join(sys.modules),
}))
"""


def _load_in_a_fresh_process(directory: Path) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, directory.name, str(Path(reconciler.__file__).parents[1])],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=directory.parent,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


def test_ordinary_files_are_read_without_importing_ruamel_yaml(tmp_path: Path) -> None:
    (tmp_path / "desired").mkdir()
    (tmp_path / "desired" / "profile.yaml").write_text(PROFILE, encoding="utf-8")
    assert _load_in_a_fresh_process(tmp_path / "desired") == {
        "problems": [],
        "objects": 1,
        "ruamel": False,
    }


def test_files_that_need_the_precise_path_say_what_they_said_before(tmp_path: Path) -> None:
    desired = tmp_path / "desired"
    desired.mkdir()
    files = {
        "tab.yaml": 'displayName: x\ndataProvider:\n\t"@odata.type": csv\n',
        "v12.yaml": "%YAML 1.2\n---\n" + PROFILE.replace("Test Profile", "Directive Profile"),
        "v17.yaml": "%YAML 1.7\n---\ndisplayName: x\n",
        "unclosed.yaml": "displayName: [x\nb: 1\n",
    }
    for name, text in files.items():
        (desired / name).write_text(text, encoding="utf-8")
    # The messages as the precise path gave them while it was imported with the module.
    assert _load_in_a_fresh_process(desired) == {
        "problems": [
            "desired/tab.yaml:3:1: error: invalid YAML: a tab character is used to indent: "
            "YAML allows only spaces; replace the tab with spaces (use spaces, never tabs)",
            "desired/unclosed.yaml:1:14: error: invalid YAML: the list opened here with '[' "
            "is not closed: end it with ']' on the same line (inside '[ ]', separate items "
            "with ',' and quote any value that contains ':' or '#')",
            "desired/v17.yaml:1:1: error: %YAML 1.7: there is no YAML 1.7; remove the %YAML "
            "line (profiles are YAML 1.2)",
        ],
        "objects": 1,  # the profile under `%YAML 1.2`
        "ruamel": True,
    }
