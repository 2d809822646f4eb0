from pathlib import Path

import pytest

from reindustry_kb.ask.session import ask
from reindustry_kb.errors import IndexBusyError, IndexCorruptError, IndexMissingError
from reindustry_kb.index.local import store
from reindustry_kb.index.local.store import POINTER, IndexReader, build_lock, current_build
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.settings import Settings

DATA = Path(__file__).parents[2] / "data"


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


def test_a_reader_opened_before_a_rebuild_reads_the_old_build(fake_index: Settings) -> None:
    reader = IndexReader.open(fake_index.index_dir)
    (fake_index.seeds_dir / "brief_en.md").unlink()
    build_index(fake_index)
    # Everything loads lazily from the old build, which is still whole.
    assert reader.dense.n == reader.manifest.counts.passages
    assert "brief_en" in {d.doc_id for d in reader.documents()}
    assert reader.lexical.n == reader.manifest.counts.passages
    assert "brief_en" not in {d.doc_id for d in IndexReader.open(fake_index.index_dir).documents()}


def test_a_second_build_while_one_runs_fails_clearly(fake_index: Settings) -> None:
    with (
        build_lock(fake_index.index_dir),
        pytest.raises(IndexBusyError, match="another `rkb index`"),
    ):
        build_index(fake_index)
    build_index(fake_index)  # the lock is released afterwards


def test_an_interrupted_build_leaves_the_previous_index_working(
    fake_index: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = ask(fake_index, "關稅收入", 2).model_dump()
    live = current_build(fake_index.index_dir)

    def crash(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(store.DenseWriter, "finish", crash)
    (fake_index.seeds_dir / "extra.txt").write_text("新增的文件，談半導體補貼。", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        build_index(fake_index)
    assert current_build(fake_index.index_dir) == live
    assert not [p for p in fake_index.index_dir.iterdir() if p.name.startswith(".tmp")]
    assert ask(fake_index, "關稅收入", 2).model_dump() == before


def test_no_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="rkb index"):
        IndexReader.open(tmp_path / "nothing")


FILES = [
    "kb.sqlite",
    "passages.npy",
    "windows-zh.faiss",
    "postings.sqlite",
    "posting_rows.npy",
    "posting_impacts.npy",
]


@pytest.mark.parametrize("name", FILES)
def test_a_truncated_file_is_reported(fake_index: Settings, name: str) -> None:
    path = current_build(fake_index.index_dir) / name
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(IndexCorruptError, match=f"{name}.*rebuild it with `rkb index`"):
        IndexReader.open(fake_index.index_dir)


@pytest.mark.parametrize("name", FILES)
def test_a_garbled_file_of_the_right_size_is_reported(fake_index: Settings, name: str) -> None:
    path = current_build(fake_index.index_dir) / name
    path.write_bytes(
        b"\x00garbage" * (path.stat().st_size // 8) + b"\x00" * (path.stat().st_size % 8)
    )
    with pytest.raises(IndexCorruptError, match=name):
        ask(fake_index, "關稅", 1)


def test_a_damaged_manifest_or_pointer_is_reported(fake_index: Settings) -> None:
    build = current_build(fake_index.index_dir)
    (build / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="manifest"):
        IndexReader.open(fake_index.index_dir)
    (fake_index.index_dir / POINTER).write_text("build-gone\n", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="missing build"):
        IndexReader.open(fake_index.index_dir)


def test_manifest_records_what_built_the_index(fake_index: Settings) -> None:
    manifest = IndexReader.open(fake_index.index_dir).manifest
    assert (manifest.embedder, manifest.model, manifest.dim) == ("fake", "hash-bigrams-64", 64)
    assert set(manifest.documents) == {"brief_en", "interview_hant", "policy_hans"}
    assert all(len(d.sha256) == 64 for d in manifest.documents.values())
    assert manifest.package_version and manifest.counts.passages > 0


def test_a_manifest_with_an_unknown_key_is_a_rebuild_error(fake_index: Settings) -> None:
    path = current_build(fake_index.index_dir) / "manifest.json"
    path.write_text(path.read_text().replace('"dim"', '"dimm"'), encoding="utf-8")
    with pytest.raises(IndexCorruptError, match=r"does not validate.*rkb index"):
        IndexReader.open(fake_index.index_dir)


def test_a_build_killed_while_writing_leaves_the_previous_index_working(tmp_path: Path) -> None:
    """The kill is timed from the staging folder's appearance, so it lands mid-write."""
    import shutil
    import signal
    import subprocess
    import sys
    import time

    seeds = tmp_path / "library"
    seeds.mkdir()
    for copy in range(150):  # enough documents that writing a build takes a while
        for source in (DATA / "docs").iterdir():
            text = source.read_text(encoding="utf-8") + f"\n\n第 {copy} 份副本。\n"
            (seeds / f"{copy:03d}_{source.name}").write_text(text, encoding="utf-8")
    settings = Settings(seeds_dir=seeds, index_dir=tmp_path / "indexes", embedder="hashing")
    build_index(settings)
    live = current_build(settings.index_dir)
    before = ask(settings, "關稅收入", 3).model_dump()
    shutil.copy(DATA / "docs" / "brief_en.md", seeds / "new_brief.md")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reindustry_kb",
            "index",
            "--seeds",
            str(seeds),
            "--index-dir",
            str(settings.index_dir),
            "--embedder",
            "hashing",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    staging = None
    while process.poll() is None and staging is None:
        staging = next(settings.index_dir.glob(".tmp-build-*"), None)
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert staging is not None, "the build finished before it could be killed mid-write"
    assert current_build(settings.index_dir) == live
    assert ask(settings, "關稅收入", 3).model_dump() == before
    build_index(settings)  # the next build clears the remains and goes live
    assert current_build(settings.index_dir) != live
    assert not list(settings.index_dir.glob(".tmp-build-*"))
