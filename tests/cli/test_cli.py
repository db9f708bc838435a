"""The command line contract: commands, help, exit codes, option placement, schema."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reconciler import cli
from reconciler.collector import YOUNG_COLLECTION_EVERY, collect_as_usual

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = [
    "validate",
    "plan",
    "apply",
    "export",
    "status",
    "doctor",
    "login",
    "logout",
    "demo",
    "emulator",
    "schema",
    "convert-classic",
]


def test_every_command_is_listed_in_help(cli) -> None:
    result = cli("--help")
    assert result.code == 0
    for command in COMMANDS:
        assert command in result.out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(cli, command: str) -> None:
    result = cli(command, "--help")
    assert result.code == 0
    assert "Example" in result.out


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "--no-such-option"],
        ["frobnicate"],
        ["plan", "--format", "xml"],
        ["apply", "--parallelism", "0"],
        ["plan", "--cloud", "mars"],
        ["convert-classic"],
        [],
    ],
)
def test_usage_errors_exit_64(cli, args: list[str]) -> None:
    result = cli(*args)
    assert result.code == 64, result.err


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("EDUSYNC_FORMAT", "xml"),
        ("EDUSYNC_PARALLELISM", "zero"),
        ("EDUSYNC_CLOUD", "mars"),
        ("EDUSYNC_UPDATE_METHOD", "post"),
        ("EDUSYNC_LOG_LEVEL", "loud"),
        ("EDUSYNC_CREDENTIAL", "password"),
    ],
)
def test_bad_environment_values_exit_64(cli, monkeypatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    monkeypatch.setenv("EDUSYNC_ACCESS_TOKEN", "x")
    monkeypatch.setenv("EDUSYNC_GRAPH_URL", "http://127.0.0.1:9/beta")
    result = cli("plan", str(ROOT / "desired-state"))
    assert result.code == 64, result.out + result.err
    # The variable is named, not the option it stands in for.
    assert f"Invalid value for {name}: " in result.err, result.err
    assert "'--" not in result.err, result.err


@pytest.mark.parametrize(("flag", "value"), [("--cloud", "mars"), ("--credential", "password")])
def test_a_bad_choice_on_the_command_line_names_the_option(cli, flag: str, value: str) -> None:
    result = cli("plan", str(ROOT / "desired-state"), flag, value)
    assert result.code == 64, result.out + result.err
    assert f"Invalid value for '{flag}'" in result.err, result.err


def test_no_command_is_a_stub(cli, tmp_path: Path) -> None:
    """Every command --help lists does its job; the last stub (convert-classic) is built."""
    from reconciler.cli import COMMANDS

    assert all(spec.module != "unbuilt" for spec in COMMANDS.values())
    result = cli("convert-classic", str(tmp_path), "--out", str(tmp_path / "o"))
    assert result.code == 1
    assert "not implemented" not in result.err
    assert "no classic synchronization profiles" in result.err
    assert not (tmp_path / "o").exists()


def test_missing_path_exits_1(cli, tmp_path: Path) -> None:
    result = cli("validate", str(tmp_path / "missing"))
    assert result.code == 1 and "does not exist" in result.err


@pytest.mark.parametrize("env_url", [None, "http://127.0.0.1:9/beta"])
def test_global_options_before_and_after_the_subcommand(cli, monkeypatch, env_url) -> None:
    from reconciler.emulator import Emulator

    monkeypatch.setenv("EDUSYNC_ACCESS_TOKEN", "t")
    if env_url:  # a flag anywhere on the command line beats the environment
        monkeypatch.setenv("EDUSYNC_GRAPH_URL", env_url)
    else:
        monkeypatch.delenv("EDUSYNC_GRAPH_URL", raising=False)
    with Emulator() as emu:
        before = cli("--graph-url", emu.base_url, "plan", str(ROOT / "desired-state"))
        after = cli("plan", str(ROOT / "desired-state"), "--graph-url", emu.base_url)
        # after wins over before
        both = cli(
            "--graph-url",
            "http://127.0.0.1:9/beta",
            "plan",
            str(ROOT / "desired-state"),
            "--graph-url",
            emu.base_url,
        )
    for result in (before, after, both):
        assert result.code == 0, result.err
        assert "Plan: 3 to create" in result.out


def test_validate_json_format(cli, monkeypatch) -> None:
    monkeypatch.setenv("POWERSCHOOL_CLIENT_SECRET", "x")
    monkeypatch.setenv("ONEROSTER_CLIENT_SECRET", "y")
    result = cli("validate", str(ROOT / "desired-state"), "--format", "json")
    assert result.code == 0
    assert json.loads(result.out) == {"format_version": 1, "problems": []}


def test_validate_github_annotations(cli, write_tree, monkeypatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    root = write_tree({"p.yaml": "displayName: x\nbogus: 1\n"})
    result = cli("validate", str(root))
    assert result.code == 1
    assert "::error file=" in result.out and ",line=2,col=1::unknown property 'bogus'" in result.out


def test_python_dash_m_and_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "reconciler", "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0 and "edusync-reconcile" in done.stdout


def test_schema_accepts_the_samples_and_rejects_unknown_keys(cli) -> None:
    import jsonschema
    from ruamel.yaml import YAML

    result = cli("schema")
    assert result.code == 0
    schema = json.loads(result.out)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    yaml = YAML(typ="safe")
    for sample in sorted((ROOT / "desired-state").glob("*.yaml")):
        document = yaml.load(sample.read_text())
        document = json.loads(json.dumps(document, default=str))
        errors = list(validator.iter_errors(document))
        assert errors == [], (sample.name, [e.message for e in errors])
    bad = {
        "displayName": "x",
        "dataProvider": {"@odata.type": "#microsoft.graph.educationCsvDataProvider"},
        "identitySynchronizationConfiguration": {
            "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration",
            "userDomains": [],
        },
        "bogus": 1,
    }
    assert list(validator.iter_errors(bad))


def test_sample_files_point_editors_at_the_shipped_schema(cli) -> None:
    shipped = ROOT / "schema" / "edusync-profile.schema.json"
    assert json.loads(shipped.read_text()) == json.loads(cli("schema").out), (
        "schema/edusync-profile.schema.json is out of date: run edusync-reconcile schema > it"
    )
    for sample in (ROOT / "desired-state").glob("*.yaml"):
        assert sample.read_text().startswith(
            "# yaml-language-server: $schema=../schema/edusync-profile.schema.json"
        )


class _Terminal:
    def isatty(self) -> bool:
        return True


class _Pipe:
    def isatty(self) -> bool:
        return False


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch) -> None:
    from reconciler.commands.loading import use_colour

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_colour(_Terminal()) is True
    assert use_colour(_Pipe()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_colour(_Terminal()) is False


def test_plan_output_has_no_escape_codes_when_piped(cli, monkeypatch) -> None:
    from reconciler.emulator import Emulator

    monkeypatch.setenv("EDUSYNC_ACCESS_TOKEN", "t")
    with Emulator() as emu:
        result = cli("plan", str(ROOT / "desired-state"), "--graph-url", emu.base_url)
    assert result.code == 0 and "\x1b[" not in result.out


def test_help_table_matches_each_commands_own_short_help() -> None:
    from reconciler.cli import COMMANDS as TABLE
    from reconciler.cli import load_command

    assert list(TABLE) == COMMANDS
    for name, spec in TABLE.items():
        assert load_command(name).short_help == spec.short_help, name


def _printed_by_a_fresh_interpreter(code: str, env: dict[str, str] | None = None) -> str:
    """What `code` prints when run by a new Python (what it imports is what a CLI run would)."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    ).stdout


def test_help_imports_no_subcommand() -> None:
    # --help must not pay for the engine, requests or msal (start-up target ≤ 0.15 s).
    code = (
        "import sys\n"
        "from reconciler.cli import run\n"
        "run(['--help'])\n"
        "loaded = [m for m in sys.modules if m.startswith('reconciler.commands.') "
        "and m != 'reconciler.commands.base']\n"
        "heavy = [m for m in ('requests', 'msal', 'ruamel', 'deepdiff', 'reconciler.kinds') "
        "if m in sys.modules]\n"
        "print(loaded, heavy)\n"
    )
    out = _printed_by_a_fresh_interpreter(code)
    assert out.strip().endswith("[] []"), out


def test_shell_completion_works_with_the_lazy_command_group(cli, monkeypatch) -> None:
    monkeypatch.setenv("_EDUSYNC_RECONCILE_COMPLETE", "bash_source")
    script = cli()
    assert script.code == 0
    assert "complete -o nosort -F _edusync_reconcile_completion edusync-reconcile" in script.out
    monkeypatch.setenv("_EDUSYNC_RECONCILE_COMPLETE", "bash_complete")
    monkeypatch.setenv("COMP_WORDS", "edusync-reconcile apply --allow-d")
    monkeypatch.setenv("COMP_CWORD", "2")
    options = cli()
    assert options.out.split() == ["plain,--allow-duplicate-source"]
    monkeypatch.setenv("COMP_WORDS", "edusync-reconcile pl")
    monkeypatch.setenv("COMP_CWORD", "1")
    assert cli().out.split() == ["plain,plan"]


def test_validate_help_imports_neither_loader_nor_github_client() -> None:
    code = (
        "import sys\n"
        "from reconciler.cli import run\n"
        "run(['validate', '--help'])\n"
        "heavy = [m for m in ('requests', 'ruamel', 'reconciler.desired', 'reconciler.engine', "
        "'reconciler.github.client', 'reconciler.kinds') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = _printed_by_a_fresh_interpreter(code)
    assert out.strip().endswith("[]"), out


def test_plan_leaves_what_it_needs_after_the_files_to_the_time_they_are_read() -> None:
    # The Graph client, requests, the engine and deepdiff are imported while the files are
    # read on the other cores (plan_cmd.AFTER_LOADING), never before.
    code = (
        "import sys\n"
        "from reconciler.cli import load_command\n"
        "load_command('plan')\n"
        "from reconciler.commands import plan_cmd\n"
        "early = [m for m in (*plan_cmd.AFTER_LOADING, 'requests', 'reconciler.engine.plan') "
        "if m in sys.modules]\n"
        "plan_cmd.import_after_loading()\n"
        "print(early, 'requests' in sys.modules)\n"
    )
    out = _printed_by_a_fresh_interpreter(code)
    assert out.strip().endswith("[] True"), out


def test_a_plan_with_a_static_token_does_not_import_msal() -> None:
    # msal and cryptography cost about 0.14 s to import; a token in EDUSYNC_ACCESS_TOKEN (the
    # common CI case) needs neither. A plan against the emulator, in a fresh interpreter.
    code = (
        "import os, sys\n"
        "from reconciler.emulator import Emulator\n"
        "from reconciler.cli import run\n"
        "os.environ['EDUSYNC_ACCESS_TOKEN'] = 't'\n"
        "with Emulator() as emu:\n"
        f"    code = run(['plan', {str(ROOT / 'desired-state')!r}, '--graph-url', emu.base_url])\n"
        "print(code, [m for m in ('msal', 'cryptography') if m in sys.modules])\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "EDUSYNC_"))}
    out = _printed_by_a_fresh_interpreter(code, env)
    assert out.strip().endswith("0 []"), out


def test_validate_counts_a_district_of_several_kinds_as_objects(cli) -> None:
    # A tree of classic profiles says "profile(s)"; the Industry Data district holds several
    # kinds, so the summary counts objects.
    result = cli("validate", str(ROOT / "examples" / "industry-data"))
    assert result.code == 0, result.out + result.err
    assert "OK: 10 object(s) in 7 file(s) are valid" in result.out
    assert "OK: 3 profile(s) in 3 file(s)" in cli("validate", str(ROOT / "desired-state")).out


def test_a_run_collects_its_young_objects_less_often_and_a_server_as_usual(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    usual = gc.get_threshold()
    monkeypatch.setattr(cli, "run", lambda: 0)
    try:
        with pytest.raises(SystemExit):
            cli.main()
        assert gc.get_threshold() == (YOUNG_COLLECTION_EVERY, *usual[1:])
        collect_as_usual()
        assert gc.get_threshold() == usual
    finally:
        collect_as_usual()
        gc.set_threshold(*usual)


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_help_names_each_environment_variable_and_how_sign_in_works(cli, command) -> None:
    """An admin running in CI sets variables, not flags: --help says which ones."""
    text = " ".join(cli(command, "--help").out.split())  # click wraps lines anywhere
    for variable in (
        "EDUSYNC_GRAPH_URL",
        "EDUSYNC_CLOUD",
        "EDUSYNC_CREDENTIAL",
        "EDUSYNC_FORMAT",
        "EDUSYNC_PARALLELISM",
    ):
        assert f"env var: {variable}" in text, variable
    assert "Sign-in: the first credential the environment offers (EDUSYNC_ACCESS_TOKEN;" in text
    assert "No tenant yet: `edusync-reconcile demo`" in text
