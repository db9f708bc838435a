"""Bad input, fuzzed: the libyaml fast path and the precise pure path read every text alike
(values, positions, scalar texts, problems), and no text reaches an internal error, in the
loader or in `validate` as a whole.

Bounded for CI (derandomised, a few hundred examples each); for a deeper run:
`EDUSYNC_FUZZ_EXAMPLES=20000 pytest tests/campaigns -p no:cacheprovider`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from reconciler.cli import run
from reconciler.desired import yamlfast
from reconciler.desired.yamlsource import YamlSourceError, read_documents
from tests.campaigns.yaml_texts import broken_text, odd_text, valid_text

EXAMPLES = int(os.environ.get("EDUSYNC_FUZZ_EXAMPLES", "0"))
DEEP = EXAMPLES > 0
BOUNDED = settings(
    max_examples=EXAMPLES or 400,
    derandomize=not DEEP,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)

pytestmark = pytest.mark.skipif(not yamlfast.available(), reason="PyYAML with libyaml missing")


def outcome(text: str, *, fast: bool) -> tuple[Any, ...]:
    """Everything the rest of the tool sees of one file, in a comparable form."""
    data = text.encode("utf-8", "surrogatepass")
    try:
        docs = read_documents("f.yaml", data, fast=fast)
    except YamlSourceError as exc:
        p = exc.problem
        return ("problem", p.line, p.column, p.severity, p.message)
    return (
        "documents",
        [
            (
                repr(d.value),  # repr: NaN equals itself, True differs from 1
                sorted(d.positions.items(), key=repr),
                sorted(d.scalar_text.items(), key=repr),
                sorted(d.comment_values, key=repr),
            )
            for d in docs
        ],
    )


def lookups(text: str, *, fast: bool) -> list[Any]:
    """Where each document says its values and keys are, asked path by path of a freshly
    read document: the fast path looks them up in its nodes, never written down until
    `positions` is read. Asked for every path the precise path wrote down, and for paths
    that go on past them or are not there at all."""
    data = text.encode("utf-8", "surrogatepass")
    try:
        written = read_documents("f.yaml", data, fast=False)
        fresh = read_documents("f.yaml", data, fast=fast)
    except YamlSourceError:
        return []
    found = []
    for doc, asked in zip(fresh, written, strict=True):
        paths = {p for p in asked.positions if p[:1] != ("#key",)} | {(), ("#key",), (0,)}
        # Paths with a "#key" step are asked last: they are answered from `positions`.
        for path in sorted(paths, key=lambda p: ("#key" in p, repr(p))):
            steps = ("absent", 0, 99, -1, True, 1.0, 1.5)  # as dict keys: True and 1.0 are 1
            for probe in (path, *((*path, step) for step in steps)):
                found.append((probe, doc.where(probe), doc.key_position(probe)))
    return found


def assert_paths_agree(text: str) -> None:
    precise = outcome(text, fast=False)
    fast = yamlfast.compose(text) is not None
    event(f"fast path composed it: {fast}; outcome: {precise[0]}")
    assert outcome(text, fast=True) == precise, text
    assert lookups(text, fast=True) == lookups(text, fast=False), text


SEEDS = st.integers(0, 2**32)


@BOUNDED
@given(SEEDS.map(valid_text) | SEEDS.map(odd_text))
@example("displayName: yes\nx: on\ny: 0o17\nz: 1_000\nd: 2026-09-01\nt: 2026-09-01 08:00:00\n")
@example("a: &x [1, 2]\nb: *x\nc: .nan\nd: -.inf\ne: =\n")
@example("displayName: x\n...\n---\ndisplayName: y\n")
@example('k: "\\ud800"\n')
@example("a: 1\na: 2\n")
@example("<<: {a: 1}\n")
@example("k2: &k x\ny:\n  *k: |\n    text\n")  # libyaml: alias k; ruamel: alias 'k:'
@example("a: &k:x 1\nb: *k:x\n")
@example("? [a, b]\n: c\n")
@example('key: # a comment, no value\n"@odata.type": #microsoft.graph.x\n')
@example("a: [x, {b: }]\nc:\n  d:\n  e: [1, {f: 2}]\n")  # empty values: where their keys are
@example('"#key": {a: 1, "#key": 2}\na: [x, {b: }]\n')  # paths that read two ways
def test_fast_and_precise_paths_agree_on_valid_files(text: str) -> None:
    assert_paths_agree(text)


@BOUNDED
@given(SEEDS.map(broken_text))
@example("%YAML 1.7\n---\ndisplayName: x\n")
@example("displayName: [a, b\n")
@example("displayName: x\n\ufeffb: c\n")
@example("displayName: x\x00\n")
@example("a:\n\tb: c\n")
@example("a: 1\n...\n...\n---\nb: 2\n")
@example(
    "a: |\n   \n  text\nb: >-\n  folded\n   more\n"
)  # ruamel: blank line too deep  # two document ends: ruamel refuses, libyaml not
@example("a: b: c\n")
def test_fast_and_precise_paths_agree_on_broken_files(text: str) -> None:
    assert_paths_agree(text)


def test_the_fast_path_reads_ordinary_profiles() -> None:
    # Non-vacuity: the differential tests above compare two real paths only if the fast one
    # takes ordinary files; and it must hand back the unusual ones.
    sample = Path(__file__).resolve().parents[2] / "desired-state"
    for file in sample.glob("*.yaml"):
        assert yamlfast.compose(file.read_text(encoding="utf-8")) is not None, file
    for unusual in ("%YAML 1.1\n---\na: yes\n", "a: !!str 1\n", "a:\n\tb: 1\n", "a: [" * 600):
        assert yamlfast.compose(unusual) is None, unusual


def test_the_agreement_is_about_something() -> None:
    # The other side of "both paths agree" (two readers that returned a constant would
    # agree too): many valid texts load, and different texts load as different documents.
    texts = {valid_text(seed) for seed in range(60)}
    outcomes = [outcome(text, fast=False) for text in texts]
    loaded = [o for o in outcomes if o[0] == "documents"]
    assert len(loaded) >= len(texts) // 3  # 30 of 60 today; the rest are refused
    assert len({repr(o) for o in loaded}) == len(loaded)


@st.composite
def any_input(draw: st.DrawFn) -> bytes:
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return draw(st.binary(max_size=200))
    if choice == 1:
        return draw(st.text(max_size=200)).encode("utf-8", "surrogatepass")
    return broken_text(draw(SEEDS)).encode("utf-8", "surrogatepass")


@pytest.fixture(scope="module")
def fuzz_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "profile.yaml"


@settings(BOUNDED, max_examples=EXAMPLES or 250)
@given(any_input())
@example(b"%YAML 1.7\n---\ndisplayName: x\n")
@example(b"%TAG !e! tag:e,2000:\n---\ndisplayName: !e!x y\n")
@example(b'displayName: "\\ud800"\n')
@example(b'"\\udc80": x\ndisplayName: y\n')
@example(b"displayName: x\n\xef\xbb\xbfb: c\n")
@example(b"displayName: " + b"x" * 100_000 + b"\n")
@example(b'"' + b"k" * 2000 + b'": v\n')
@example(b"&a displayName: x\n? complex\n: key\n")
@example(b"displayName: !!binary aGVsbG8=\n...\n")
@example(b"displayName: \x00\n")
@example(b"---\n%YAML 2.0\n\nc: x\n")  # a directive inside a document
@example(b"a:\n  b: \xc2\x85'x'\n---\n{c: {d\n---\ne: [1]}\n")  # NEL: not a line to marks
def test_no_input_reaches_an_internal_error(
    fuzz_file: Path, capsys: pytest.CaptureFixture[str], data: bytes
) -> None:
    fuzz_file.write_bytes(data)
    code = run(["validate", str(fuzz_file)])
    out, err = capsys.readouterr()
    assert code in (0, 1), (code, out, err)
    assert "internal error" not in err, (data, err)
    assert "Traceback" not in out + err
