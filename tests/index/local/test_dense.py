"""The local dense files: written in runs, read back by rows, FAISS lists that propose
candidates among allowed rows, trained indexes reused. How candidates are scored is the query
code's (tests/ask/test_dense.py)."""

import json
from pathlib import Path

import numpy as np
import pytest

from reindustry_kb.index.local import dense
from reindustry_kb.index.local.dense import DenseIndex, DenseWriter
from tests.vectors import stack, unit, write_dense


def library(n: int, dim: int = 16) -> tuple[list, list[str]]:
    """Per passage its own vector and one to three window vectors; a third of them English."""
    rng = np.random.default_rng(7)
    parts = [(unit(rng, 1, dim)[0], unit(rng, 1 + row % 3, dim)) for row in range(n)]
    langs = ["en" if row % 3 == 0 else ("zh-Hant" if row % 2 else "zh-Hans") for row in range(n)]
    return parts, langs


def _library(tmp_path: Path, n: int, dim: int = 16) -> tuple[DenseIndex, list, list[str]]:
    parts, langs = library(n, dim)
    write_dense(tmp_path, stack(dim, parts), langs)
    return DenseIndex(tmp_path), parts, langs


def test_a_run_of_passages_reads_back_what_was_written(tmp_path: Path) -> None:
    index, parts, _ = _library(tmp_path, 10)
    run = index.run(4, 3)
    assert run.passages.shape == (3, 16)
    assert np.allclose(run.passages.astype(np.float32), [p[0] for p in parts[4:7]], atol=1e-3)
    assert run.offsets.tolist() == [0, *np.cumsum([len(p[1]) for p in parts[4:7]]).tolist()]
    assert np.allclose(run.windows.astype(np.float32), np.vstack([p[1] for p in parts[4:7]]), 1e-3)
    runs = [index.run(0, 4), run, index.run(7, 3)]
    windows = np.vstack([r.windows for r in runs])
    offsets = np.cumsum([0, *np.concatenate([np.diff(r.offsets) for r in runs])])
    assert np.array_equal(windows, stack(16, parts).windows)
    assert np.array_equal(offsets, stack(16, parts).offsets)


def test_vectors_of_rows_are_their_groups_vectors_and_windows(tmp_path: Path) -> None:
    index, parts, langs = _library(tmp_path, 12)
    rows = np.array([2, 5, 9])
    groups, own, windows, offsets = index.vectors_of(rows)
    assert [index.groups[g] for g in groups.tolist()] == ["zh", "zh", "en"]
    assert [langs[row] for row in rows.tolist()] == ["zh-Hans", "zh-Hant", "en"]
    assert np.allclose(own, [parts[row][0] for row in rows.tolist()], atol=1e-3)
    assert offsets.tolist() == [0, *np.cumsum([len(parts[row][1]) for row in rows]).tolist()]
    assert np.allclose(windows, np.vstack([parts[row][1] for row in rows.tolist()]), atol=1e-3)


def test_candidates_come_from_the_allowed_rows(tmp_path: Path) -> None:
    index, _, _ = _library(tmp_path, 60)
    query = unit(np.random.default_rng(2), 1, 16)[0]
    # Small groups are searched exactly: a pool deeper than the library returns every row,
    # and no list has passages left below its last.
    rows, lasts = index.candidates(query, None, 100)
    assert rows.tolist() == list(range(60)) and lasts == {}
    allowed = np.array([3, 10, 11, 42])
    rows, _ = index.candidates(query, allowed, 100)
    assert rows.tolist() == allowed.tolist()
    # A shallow pool: the best rows of each list, and where each list stopped.
    rows, lasts = index.candidates(query, None, 2)
    assert 2 <= len(rows) < 60 and lasts


def test_large_groups_use_codes_filtered_after_the_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dense, "FLAT_LIMIT", 100)
    index, _, _ = _library(tmp_path, 3000)
    kinds = json.loads((tmp_path / "dense.json").read_text())["indexes"]
    assert kinds["passages-en"].startswith("pqfs") and kinds["windows-en"].startswith("ivf")
    query = unit(np.random.default_rng(2), 1, 16)[0]
    for allowed in (np.arange(0, 3000, 7), np.arange(0, 3000, 3)):  # the second: English only
        rows, lasts = index.candidates(query, allowed, 100)
        assert len(rows) and set(rows.tolist()) <= set(allowed.tolist()) and lasts


def test_vectors_written_in_runs_make_the_same_index(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    parts = [(unit(rng, 1, 16)[0], unit(rng, 1 + row % 4, 16)) for row in range(30)]
    langs = ["en" if row % 2 else "zh-Hant" for row in range(30)]
    (tmp_path / "whole").mkdir()
    write_dense(tmp_path / "whole", stack(16, parts), langs)
    (tmp_path / "runs").mkdir()
    writer = DenseWriter(tmp_path / "runs", 16)
    for start, end in [(0, 7), (7, 8), (8, 30)]:
        writer.add(stack(16, parts[start:end]), langs[start:end])
    writer.finish()
    whole, runs = DenseIndex(tmp_path / "whole"), DenseIndex(tmp_path / "runs")
    assert np.load(tmp_path / "runs" / "windows.npy").shape == (sum(len(w) for _, w in parts), 16)
    # The same candidates, vectors and statistics: every score the query code makes of them
    # is the same.
    query = unit(rng, 1, 16)[0]
    for pool in (3, 100):
        found_runs, lasts_runs = runs.candidates(query, None, pool)
        found_whole, lasts_whole = whole.candidates(query, None, pool)
        assert np.array_equal(found_runs, found_whole) and lasts_runs == lasts_whole
    rows = np.arange(30)
    for mine, theirs in zip(runs.vectors_of(rows), whole.vectors_of(rows), strict=True):
        assert np.array_equal(mine, theirs)
    assert runs.groups == whole.groups
    assert np.array_equal(runs.centroids, whole.centroids)
    assert np.array_equal(runs.spreads, whole.spreads)


def test_an_update_reuses_the_trained_indexes_while_they_suit_the_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import faiss

    monkeypatch.setattr(dense, "FLAT_LIMIT", 100)
    rng = np.random.default_rng(5)

    def build(folder: Path, n: int, previous: Path | None) -> None:
        folder.mkdir()
        parts = [(unit(rng, 1, 16)[0], unit(rng, 1, 16)) for _ in range(n)]
        writer = DenseWriter(folder, 16, previous)
        writer.add(stack(16, parts), ["en"] * n)
        writer.finish()

    def nlist(folder: Path) -> int:
        return int(faiss.read_index(str(folder / "windows-en.faiss")).nlist)

    def trained(folder: Path, kind: str) -> bytes:
        return (folder / f"{kind}-en{dense.TRAINED}").read_bytes()

    build(tmp_path / "a", 2500, None)
    build(tmp_path / "b", 2600, tmp_path / "a")  # other vectors, a similar size
    for kind in dense.KINDS:
        assert trained(tmp_path / "b", kind) == trained(tmp_path / "a", kind)
        assert faiss.read_index(str(tmp_path / "b" / f"{kind}-en.faiss")).ntotal == 2600
    assert nlist(tmp_path / "b") == nlist(tmp_path / "a") == 50
    build(tmp_path / "c", 10_000, tmp_path / "b")  # four times the size: new IVF lists
    assert nlist(tmp_path / "c") == 100
    # The passages' PQ codebooks do not depend on the size: kept.
    assert trained(tmp_path / "c", "passages") == trained(tmp_path / "a", "passages")
