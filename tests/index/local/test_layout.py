from pathlib import Path

import pytest

from reindustry_kb.errors import IndexBusyError, IndexCorruptError, IndexMissingError
from reindustry_kb.index.local.layout import (
    POINTER,
    build_lock,
    current_build,
    read_manifest,
)
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.settings import Settings


def test_a_rebuild_swaps_the_pointer_and_keeps_one_previous_build(fake_index: Settings) -> None:
    first = current_build(fake_index.index_dir)
    build_index(fake_index)
    second = current_build(fake_index.index_dir)
    build_index(fake_index)
    third = current_build(fake_index.index_dir)
    assert len({first, second, third}) == 3
    builds = sorted(p.name for p in fake_index.index_dir.iterdir() if p.is_dir())
    assert builds == [second.name, third.name]  # the one a reader may still have open stays
    assert (fake_index.index_dir / POINTER).read_text().strip() == third.name


def test_a_second_build_while_one_runs_fails_clearly(fake_index: Settings) -> None:
    with (
        build_lock(fake_index.index_dir),
        pytest.raises(IndexBusyError, match="another `rkb index`"),
    ):
        build_index(fake_index)
    build_index(fake_index)  # the lock is released afterwards


def test_no_index_is_a_clear_error(tmp_path: Path) -> None:
    for read in (current_build, read_manifest):
        with pytest.raises(IndexMissingError, match="rkb index"):
            read(tmp_path / "nothing")


def test_a_damaged_manifest_or_pointer_is_reported(fake_index: Settings) -> None:
    build = current_build(fake_index.index_dir)
    (build / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="manifest"):
        read_manifest(fake_index.index_dir)
    (fake_index.index_dir / POINTER).write_text("build-gone\n", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="missing build"):
        current_build(fake_index.index_dir)


def test_manifest_records_what_built_the_index(fake_index: Settings) -> None:
    manifest = read_manifest(fake_index.index_dir)
    assert (manifest.embedder, manifest.model, manifest.dim) == ("fake", "hash-bigrams-64", 64)
    assert set(manifest.documents) == {"brief_en", "interview_hant", "policy_hans"}
    assert all(len(d.sha256) == 64 for d in manifest.documents.values())
    assert manifest.package_version and manifest.counts.passages > 0


def test_a_manifest_with_an_unknown_key_is_a_rebuild_error(fake_index: Settings) -> None:
    path = current_build(fake_index.index_dir) / "manifest.json"
    path.write_text(path.read_text().replace('"dim"', '"dimm"'), encoding="utf-8")
    with pytest.raises(IndexCorruptError, match=r"does not validate.*rkb index"):
        read_manifest(fake_index.index_dir)
