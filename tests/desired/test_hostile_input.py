"""Hostile and broken files: each gets one clear error with a position, never a traceback,
and the CLI exits 1 before anything could reach Graph."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reconciler.desired import load_desired
from tests.desired.test_validation_rules import VALID, problems_for

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
displayName: *g
"""

CORPUS: list[tuple[str, str | bytes, str]] = [
    (
        "alias bomb",
        BILLION_LAUGHS,
        "1:1: error: document expands to more than 20,000 values through aliases",
    ),
    (
        "python object tag",
        "displayName: !!python/object/apply:os.system ['echo pwned']\n",
        "1:14: error: custom YAML tag '!!python/object/apply:os.system' is not allowed",
    ),
    (
        "local tag",
        "displayName: !secret x\n",
        "1:14: error: custom YAML tag '!secret' is not allowed",
    ),
    (
        "non-UTF-8",
        "displayName: caf\xe9\n".encode("latin-1"),
        "1:17: error: file is not valid UTF-8: byte 0xe9 here is a character saved in another",
    ),
    (
        "non-UTF-8 further down",
        "displayName: x\n  # caf\xe9 \xe9\n".encode("latin-1"),
        "2:8: error: file is not valid UTF-8: byte 0xe9",
    ),
    (
        "non-UTF-8 after a UTF-8 byte-order mark",
        b"\xef\xbb\xbf" + "displayName: caf\xe9\n".encode("latin-1"),
        "1:17: error: file is not valid UTF-8: byte 0xe9",
    ),
    (
        "UTF-16 (Notepad's Unicode)",
        "displayName: x\n".encode("utf-16"),
        "1:1: error: file is saved as UTF-16 (Notepad calls it 'Unicode'); save it as UTF-8",
    ),
    (
        "oversized",
        b"# " + b"x" * (2 * 1024 * 1024) + b"\n",
        "1:1: error: file is 2,097,155 bytes, over the 1 MiB limit",
    ),
    ("tabs", 'displayName: x\ndataProvider:\n\t"@odata.type": csv\n', "3:1: error: invalid YAML"),
    ("empty", "", "1:1: error: file is empty"),
    ("only comments", "# nothing here\n\n", "1:1: error: file is empty"),
    ("unclosed flow", "displayName: [a, b\n", "error: invalid YAML"),
    ("recursive alias", "a: &a [*a]\n", "error:"),
    ("deep nesting", "displayName: " + "[" * 200 + "]" * 200 + "\n", "error:"),
    (
        "nesting past the parser's stack",
        "displayName: " + "[" * 3000 + "]" * 3000 + "\n",
        "1:1: error: values nested too deeply",
    ),
    (
        "flow nesting to the size limit",
        "displayName: " + "{a: " * 100_000 + "}" * 100_000 + "\n",
        "1:1: error: values nested too deeply",
    ),
    ("compact list nesting", "- " * 300_000 + "x\n", "1:1: error: values nested too deeply"),
    ("explicit key nesting", "? " * 300_000 + "x\n", "1:1: error: values nested too deeply"),
    (
        "indentation nesting",
        "a:\n" + "".join(" " * i + "b:\n" for i in range(1, 1200)),
        "1:1: error: values nested too deeply",
    ),
    (
        "unknown YAML version",
        "%YAML 1.7\n---\ndisplayName: x\n",
        "1:1: error: %YAML 1.7: there is no YAML 1.7; remove the %YAML line",
    ),
    (
        "NUL byte",
        "displayName: x\x00\n",
        "1:15: error: the invisible character U+0000 is not allowed in YAML",
    ),
    (
        "half a surrogate pair",
        'displayName: "\\ud800"\n',
        "1:14: error: the escape \\ud800 is half of a UTF-16 surrogate pair, not a character",
    ),
]


@pytest.mark.parametrize(
    ("content", "expected"), [(c[1], c[2]) for c in CORPUS], ids=[c[0] for c in CORPUS]
)
def test_hostile_file_is_one_clear_error(write_tree, content: str | bytes, expected: str) -> None:
    problems = problems_for(write_tree({"bad.yaml": content, "good.yaml": VALID}))
    bad = [p for p in problems if p.startswith("desired/bad.yaml:")]
    assert bad and expected in bad[0], problems
    assert "Traceback" not in "".join(problems)


def test_tabs_message_says_what_to_do(write_tree) -> None:
    problems = problems_for(
        write_tree({"bad.yaml": 'displayName: x\ndataProvider:\n\t"@odata.type": csv\n'})
    )
    assert "use spaces" in problems[0]


def test_symlink_leaving_the_tree_is_refused(write_tree, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(VALID)
    root = write_tree({"good.yaml": VALID.replace("Test Profile", "Good")})
    (root / "escape.yaml").symlink_to(outside)
    (root / "linkdir").symlink_to(tmp_path, target_is_directory=True)
    problems = problems_for(root)
    assert any(
        p.startswith("desired/escape.yaml:1:1: error: symbolic link points outside")
        for p in problems
    ), problems
    assert any(
        p.startswith("desired/linkdir:1:1: error: symbolic link points outside") for p in problems
    ), problems


def test_symlink_inside_the_tree_is_read(write_tree) -> None:
    root = write_tree({"real/p.yaml": VALID})
    (root / "alias.yaml").symlink_to(root / "real" / "p.yaml")
    state = load_desired(str(root))
    # The same profile twice: the duplicate rule catches it, the link itself is fine.
    assert any("duplicate displayName" in p.message for p in state.problems)


@pytest.mark.parametrize("content", [c[1] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_cli_validate_exits_1_without_traceback(cli, write_tree, content: str | bytes) -> None:
    root = write_tree({"bad.yaml": content})
    result = cli("validate", str(root))
    assert result.code == 1
    assert "Traceback" not in result.out + result.err
    assert "bad.yaml:" in result.out


def test_plan_refuses_bad_input_before_any_network_use(cli, write_tree, monkeypatch) -> None:
    # No credential and an unroutable Graph URL: reaching either would fail differently.
    monkeypatch.setenv("EDUSYNC_GRAPH_URL", "http://127.0.0.1:9/beta")
    monkeypatch.delenv("EDUSYNC_ACCESS_TOKEN", raising=False)
    root = write_tree({"bad.yaml": VALID + "bogus: 1\n"})
    result = cli("plan", str(root))
    assert result.code == 1
    assert "bad.yaml:15:1: error: unknown property 'bogus'" in result.err
    assert "nothing was sent to Graph" in result.err


def test_sample_tree_validates(cli) -> None:
    sample = Path(__file__).resolve().parents[2] / "desired-state"
    result = cli("validate", os.path.relpath(sample))
    assert result.code == 0, result.out
    assert "OK: 3 profile(s) in 3 file(s) are valid" in result.out


def test_fifo_is_refused_without_blocking(write_tree) -> None:
    root = write_tree({"good.yaml": VALID})
    os.mkfifo(root / "pipe.yaml")
    problems = problems_for(root)
    assert any(
        p.startswith("desired/pipe.yaml:1:1: error: not a regular file") for p in problems
    ), problems
