"""The libyaml fast path: taken for ordinary files, left for unusual ones, optional, and the
reused pure parser carries nothing from one file to the next. (The differential fuzz test
between the two paths is in tests/campaigns/test_loader_fuzz.py.)"""

from __future__ import annotations

import gc
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reconciler.desired import yamlfast
from reconciler.desired.yamlsource import YamlSourceError, only_comments, read_documents

SAMPLE = Path(__file__).resolve().parents[2] / "desired-state"
needs_libyaml = pytest.mark.skipif(not yamlfast.available(), reason="PyYAML with libyaml missing")


@needs_libyaml
@pytest.mark.parametrize(
    "text",
    [
        "%YAML 1.1\n---\na: yes\n",  # a directive changes how `yes` resolves
        "a: !!str 1\n",  # tags
        "a:\n\tb: 1\n",  # tabs
        "a: x\u2028b\n",  # a line separator
        "a: x\n\ufeffb: c\n",  # a byte-order mark inside
        "a: |\n   \n  text\n",  # block scalars
        "a: 1\n...\n",  # document end markers
        "a: &k x\nb: {*k: 1}\n".replace("{*k: 1}", "*k:x"),  # anchor names with ':'
        "a: " + "[" * 1001 + "]" * 1001 + "\n",  # nesting that could go deep
        "a:\n" + "".join(" " * i + "b:\n" for i in range(1, 1001)),  # deep indentation
    ],
)
def test_unusual_texts_are_left_to_the_precise_path(text: str) -> None:
    assert yamlfast.compose(text) is None


@needs_libyaml
def test_ordinary_profiles_take_the_fast_path() -> None:
    for file in SAMPLE.glob("*.yaml"):
        text = file.read_text(encoding="utf-8")
        assert yamlfast.compose(text) is not None, file
        fast = read_documents(file.name, text.encode())
        precise = read_documents(file.name, text.encode(), fast=False)
        assert fast == precise


@needs_libyaml
def test_yaml_1_2_rules_on_the_fast_path() -> None:
    text = "a: yes\nb: on\nc: 0o17\nd: 017\ne: 1_000\nf: 2026-09-01\ng: true\nh: ~\ni: =\n"
    assert yamlfast.compose(text.replace("i: =\n", "")) is not None
    [doc] = read_documents("f.yaml", text.replace("i: =\n", "").encode())
    assert doc.value == {
        "a": "yes",
        "b": "on",
        "c": 15,
        "d": "017",  # no int in YAML 1.2 (nor octal): kept as written
        "e": 1000,
        "f": "2026-09-01",
        "g": True,
        "h": None,
    }
    assert doc.scalar_text[("d",)] == "017"
    assert doc.scalar_text[("f",)] == "2026-09-01"


def test_a_yaml_1_1_directive_does_not_stick_to_the_next_file() -> None:
    # The pure parser is reused; ruamel.yaml keeps a %YAML version on it unless reset.
    [old] = read_documents("old.yaml", b"%YAML 1.1\n---\na: yes\n", fast=False)
    [new] = read_documents("new.yaml", b"a: yes\n", fast=False)
    assert old.value == {"a": True}
    assert new.value == {"a": "yes"}


def test_surrogate_pairs_from_json_escapes_are_one_character() -> None:
    for fast in (True, False):
        [doc] = read_documents("p.json", b'{"displayName": "\\ud83d\\ude00 Caf\\u00e9"}', fast=fast)
        assert doc.value == {"displayName": "\U0001f600 Caf\u00e9"}


def test_without_pyyaml_the_precise_path_reads_everything(tmp_path: Path) -> None:
    # PyYAML is optional at run time: hide it and validate the sample tree.
    script = (
        "import sys; sys.modules['yaml'] = None; sys.modules['yaml._yaml'] = None\n"
        "from reconciler.desired import yamlfast\n"
        "assert not yamlfast.available()\n"
        "from reconciler.cli import run\n"
        f"sys.exit(run(['validate', {str(SAMPLE)!r}]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "OK: 3 profile(s) in 3 file(s) are valid" in result.stdout


@pytest.mark.parametrize(
    "bad",
    [
        b"a: " + b"[" * 500,  # refused by the depth guard mid-scan
        b"%YAML 1.7\n---\na: 1\n",
        b"a: \x01\n",
        b"a: [b\n",
        b"a: &x [*x]\n",
        b"a: &x 1\nb: !!python/name:os.system x\n",
    ],
)
def test_the_reused_pure_parser_is_clean_after_a_failure(bad: bytes) -> None:
    with pytest.raises(YamlSourceError):
        read_documents("bad.yaml", bad, fast=False)
    [doc] = read_documents(
        "good.yaml", b"a: [1, {b: yes}]\nc: *x\n".replace(b"*x", b"2"), fast=False
    )
    assert doc.value == {"a": [1, {"b": "yes"}], "c": 2}
    assert doc.positions[("a", 1, "b")] == (1, 12)


def test_reading_leaves_no_cyclic_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader pauses the cycle collector for a whole tree, so nothing it leaves behind may
    need the collector: the builder once made a cycle per file that held the file's lines
    (371,039 objects awaiting collection after 1,000 profiles)."""
    from reconciler.desired.loader import load_desired

    for name in ("POWERSCHOOL_CLIENT_SECRET", "ONEROSTER_CLIENT_SECRET"):
        monkeypatch.setenv(name, "set")
    load_desired(str(SAMPLE))  # imports and first-use caches out of the way
    gc.collect()
    gc.disable()
    try:
        state = load_desired(str(SAMPLE))
        assert state.objects and state.ok
        assert gc.collect() == 0
    finally:
        gc.enable()


# -- the cheap pre-checks, against the plain scans they replace ---------------------------------
_PIECES = st.sampled_from(
    ["a", " ", "#", ":", "-", "[", "{", "?", "!", "&", "*", "|", ">", "%", "...", "\t", "\n",
     "\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\ufeff",
     "\xa0", "\u201c", "é", "  b: c\n", "- x\n", " " * 40]
)  # fmt: skip
_TEXTS = st.lists(_PIECES, max_size=60).map("".join)


def _only_comments_by_lines(text: str) -> bool:
    return not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    )


@settings(max_examples=500, derandomize=True, database=None, deadline=None)
@given(_TEXTS)
@example("# comment\n\n  # another\r\n\v")
@example("# comment\x85displayName: x")
@example("  \u2029 # c\n x")
def test_only_comments_is_the_line_by_line_answer(text: str) -> None:
    assert only_comments(text) is _only_comments_by_lines(text)


def _ordinary_by_scanning(text: str) -> bool:
    """`yamlfast._ordinary` as it was: every scan made on every text."""
    if text.startswith(("%", "...")) or any(mark in text for mark in yamlfast._LINE_STARTS):
        return False
    if any(char in text for char in yamlfast._UNUSUAL):
        return False
    if ("&" in text or "*" in text) and yamlfast._ANCHOR_NAME_QUIRK.search(text):
        return False
    if ("|" in text or ">" in text) and yamlfast._BLOCK_SCALAR.search(text):
        return False
    bound = sum(text.count(char) for char in "[{-?")
    indent_levels = math.isqrt(2 * len(text)) + 1
    if bound + indent_levels <= yamlfast.MAX_NESTING_BOUND:
        return True
    deepest_indent = max(map(len, yamlfast._INDENT.findall(text)), default=0)
    return bound + deepest_indent + 1 <= yamlfast.MAX_NESTING_BOUND


@settings(max_examples=500, derandomize=True, database=None, deadline=None)
@given(st.one_of(_TEXTS, st.tuples(_TEXTS, st.integers(1, 40)).map(lambda t: t[0] * t[1])))
@example("a: [" * 600)
@example(" " * 10 + "[" * 990)  # 1,000 characters, every one a level: past the bound
@example("a: " + "x" * 2000)
@example("- " * 500 + "\n" + "  " * 20 + "x")
@example("x: y\u2028")
def test_ordinary_is_the_answer_of_every_scan(text: str) -> None:
    assert yamlfast._ordinary(text) is _ordinary_by_scanning(text)


def test_both_answers_are_met() -> None:
    # The two tests above compare something only if both answers come up.
    texts = ["a: b\n", "a: [" * 600, "# c\n", "x\n# c\n", "a: !x\n", "a: x\u2028\n", "a: " * 400]
    assert {yamlfast._ordinary(t) for t in texts} == {True, False}
    assert {only_comments(t) for t in texts} == {True, False}


@needs_libyaml
def test_positions_are_found_in_the_nodes_when_asked_not_written_down() -> None:
    text = "a:\n  b: [x, {c: }]\n  d: 1\n"
    [doc] = read_documents("f.yaml", text.encode())
    assert doc.where(("a", "b", 1, "c")) == (2, 11)  # an empty value: where its key is
    assert doc.where(("a", "b", 0)) == (2, 7)
    assert doc.where(("a", "nowhere", 3)) == (2, 3)  # the nearest value that is there
    assert doc.key_position(("a", "d")) == (3, 3)
    assert doc.key_position(("a", "b", 0)) == (2, 7)  # a list item has no key
    assert doc._positions is None  # nothing written down to answer those
    assert doc.positions[("#key", "a", "d")] == (3, 3)
    assert doc == read_documents("f.yaml", text.encode(), fast=False)[0]


@needs_libyaml
def test_a_wide_mapping_is_indexed_once_not_searched_for_every_position() -> None:
    keys = [f"k{i}" for i in range(2000)]
    text = "m:\n" + "".join(f"  {k}: {i}\n" for i, k in enumerate(keys))
    [doc] = read_documents("f.yaml", text.encode())
    assert [doc.where(("m", k)) for k in keys] == [(i + 2, len(k) + 5) for i, k in enumerate(keys)]
    assert [doc.key_position(("m", k)) for k in keys[:3]] == [(2, 3), (3, 3), (4, 3)]
    members = doc._nodes._members if doc._nodes else {}
    assert [len(index) for index in members.values()] == [1, 2000]  # the root, then m
