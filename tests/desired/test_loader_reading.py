"""How the loader reads a file (os calls instead of pathlib's) and the sources it notes while
reading, each against the plain way it replaces."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reconciler.desired.loader import _read_bytes, _read_file
from reconciler.engine.compare import desired_source
from reconciler.kinds import REGISTRY

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 65_536, 200_001])
def test_read_bytes_reads_what_path_read_bytes_reads(tmp_path: Path, size: int) -> None:
    file = tmp_path / "f.yaml"
    file.write_bytes(bytes(range(256)) * (size // 256) + b"\r\n" * (size % 256 // 2))
    assert _read_bytes(file) == file.read_bytes()


def test_a_file_that_grew_since_its_size_was_taken_is_read_to_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "f.yaml"
    file.write_bytes(b"a: 1\n")
    real_open = os.open

    def grow_then_open(path: object, flags: int, *args: object) -> int:
        file.write_bytes(b"a: 1\n" * 30_000)  # after the stat, before the read
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", grow_then_open)
    assert _read_bytes(file) == b"a: 1\n" * 30_000


def test_a_file_system_that_reads_short_is_read_to_the_end_not_cut_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some network and FUSE file systems answer a read with less than was asked and there is
    more: a file cut off there could still be valid YAML, and a different profile."""
    file = tmp_path / "f.yaml"
    text = b"displayName: A\nlicensesToAssign:\n" + b"  - appliesTo: student\n" * 50
    file.write_bytes(text)
    real_read = os.read

    def at_most_100_bytes(fd: int, size: int) -> bytes:
        return real_read(fd, min(size, 100))

    monkeypatch.setattr(os, "read", at_most_100_bytes)
    assert _read_bytes(file) == text


def test_what_is_not_a_regular_file_is_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    assert _read_bytes(tmp_path / "pipe.yaml") == (
        "not a regular file; desired-state files must be plain YAML files"
    )
    assert "not a regular file" in str(_read_bytes(tmp_path))


def test_a_missing_file_raises_as_path_read_bytes_does(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as ours:
        _read_bytes(tmp_path / "gone.yaml")
    with pytest.raises(FileNotFoundError) as theirs:
        (tmp_path / "gone.yaml").stat()
    assert str(ours.value) == str(theirs.value)


def test_some_kinds_name_no_source() -> None:
    # Else the shortcut above would be tested on nothing.
    assert [kind.name for kind in REGISTRY if not kind.source_identity]


@pytest.mark.parametrize("tree", ["desired-state", "examples/industry-data"])
def test_the_sources_noted_while_reading_are_the_engines(
    tree: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Kinds that name no source fields are noted {} without normalising: what the engine says.
    for name in ("POWERSCHOOL_CLIENT_SECRET", "ONEROSTER_CLIENT_SECRET"):
        monkeypatch.setenv(name, "set")
    root = REPO / tree
    noted: list[dict[str, object]] = []
    for file in sorted(root.glob("*.yaml")):
        read = _read_file(file, root=root, cwd=REPO, settings_path=None, registry=REGISTRY)
        assert read.objects and not read.problems, file
        assert read.sources == [desired_source(obj) for obj in read.objects]
        noted += read.sources
    assert any(noted)  # profiles and connectors name their source
