import json
import os
from pathlib import Path

import numpy as np
import pytest

from reindustry_kb import models
from reindustry_kb.ask.search import dense_scores
from reindustry_kb.ask.session import Session
from reindustry_kb.index.local import dense
from reindustry_kb.index.local.dense import DenseIndex, DenseVectors, DenseWriter
from reindustry_kb.settings import Settings


def stack(dim: int, parts: list) -> DenseVectors:
    """Passage and window vectors, float16 as stored, from per-passage pairs."""
    windows = [np.asarray(w, dtype=np.float16).reshape(-1, dim) for _, w in parts]
    return DenseVectors(
        np.array([own for own, _ in parts], dtype=np.float16).reshape(-1, dim),
        np.vstack(windows) if windows else np.zeros((0, dim), dtype=np.float16),
        np.cumsum([0, *(len(w) for w in windows)], dtype=np.int64),
    )


def write_dense(folder: Path, vectors: DenseVectors, langs: list[str]) -> None:
    writer = DenseWriter(folder, vectors.passages.shape[1])
    writer.add(vectors, langs)
    writer.finish()


def _unit(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    x = rng.standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _library(tmp_path: Path, n: int, dim: int = 16) -> tuple[DenseIndex, list, list[str]]:
    rng = np.random.default_rng(7)
    parts = [(_unit(rng, 1, dim)[0], _unit(rng, 1 + row % 3, dim)) for row in range(n)]
    langs = ["en" if row % 3 == 0 else ("zh-Hant" if row % 2 else "zh-Hans") for row in range(n)]
    write_dense(tmp_path, stack(dim, parts), langs)
    return DenseIndex(tmp_path), parts, langs


def _expected(parts: list, langs: list[str], query: np.ndarray) -> dict[int, float]:
    """The definition: mean of the passage's and its best window's similarity, each minus the
    query's mean similarity to the vectors of its language group and kind, over the standard
    deviation of its similarities to the group's passages (unshrunk: SHRINK_VECTORS = 0)."""
    groups = [models.language_group(lang) for lang in langs]
    stats = {}
    for group in set(groups):
        mates = [r for r, g in enumerate(groups) if g == group]
        own_sims = np.array([parts[r][0] for r in mates], dtype=np.float64) @ query
        window_sims = np.vstack([parts[r][1] for r in mates]).astype(np.float64) @ query
        stats[group] = (own_sims.mean(), window_sims.mean(), own_sims.std())
    result = {}
    for row, (own, windows) in enumerate(parts):
        own_mean, window_mean, spread = stats[groups[row]]
        best = max(windows @ query) - window_mean
        result[row] = float((own @ query - own_mean + best) / 2 / spread)
    return result


def test_scores_are_standardised_means_of_passage_and_best_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dense, "SHRINK_VECTORS", 0)
    index, parts, langs = _library(tmp_path, 60)
    query = _unit(np.random.default_rng(1), 1, 16)[0]
    expected = _expected(parts, langs, query)
    found = index.search(query)
    assert set(found) == set(range(60))  # small groups are searched exactly
    for row, score in found.items():
        assert score == pytest.approx(expected[row], abs=1e-2)  # vectors stored as float16


def test_a_small_groups_spread_is_drawn_to_the_pooled_one(tmp_path: Path) -> None:
    # Three English passages among 300 Chinese ones: alone, their covariance has rank 2.
    rng = np.random.default_rng(4)
    parts = [(_unit(rng, 1, 16)[0], _unit(rng, 2, 16)) for _ in range(303)]
    write_dense(tmp_path, stack(16, parts), ["en"] * 3 + ["zh-Hant"] * 300)
    index = DenseIndex(tmp_path)
    english, chinese = (index.groups.index(g) for g in ("en", "zh"))
    assert np.linalg.matrix_rank(index.spreads[english], tol=1e-4) == 16
    for _ in range(5):
        _, scales = index.standardisers(_unit(rng, 1, 16)[0])
        assert 0.5 < scales[english] / scales[chinese] < 2


def test_filters_keep_only_allowed_rows(tmp_path: Path) -> None:
    index, _, _ = _library(tmp_path, 60)
    query = _unit(np.random.default_rng(2), 1, 16)[0]
    allowed = np.array([3, 10, 11, 42])
    assert set(index.search(query, allowed)) == {3, 10, 11, 42}


def test_large_groups_use_codes_and_still_find_the_best(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dense, "FLAT_LIMIT", 100)
    index, parts, langs = _library(tmp_path, 3000)
    kinds = json.loads((tmp_path / "dense.json").read_text())["indexes"]
    assert kinds["passages-en"].startswith("pqfs") and kinds["windows-en"].startswith("ivf")
    rng = np.random.default_rng(3)
    hits = 0
    for _ in range(20):
        query = _unit(rng, 1, 16)[0]
        expected = _expected(parts, langs, query)
        best = max(expected, key=expected.__getitem__)
        hits += best in index.search(query)
    assert hits >= 19
    # Filters too large to score exhaustively: the codes are filtered after the scan; the
    # second allows one language group only.
    monkeypatch.setattr(dense, "EXACT_FILTER_LIMIT", 10)
    for allowed in [np.arange(0, 3000, 7)] * 3 + [np.arange(0, 3000, 3)] * 3:
        query = _unit(rng, 1, 16)[0]
        expected = _expected(parts, langs, query)
        found = index.search(query, allowed)
        assert set(found) <= set(allowed.tolist())
        assert max(allowed.tolist(), key=expected.__getitem__) in found


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


def test_session_dense_scores_cover_every_passage_of_a_small_index(fake_index: Settings) -> None:
    session = Session.open(fake_index)
    scores = dense_scores(session.reader, session.embedder, "offshore wind 離岸風電", None)
    assert set(scores) == set(range(session.reader.dense.n))


def test_vectors_written_in_runs_make_the_same_index(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    parts = [(_unit(rng, 1, 16)[0], _unit(rng, 1 + row % 4, 16)) for row in range(30)]
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
    query = _unit(rng, 1, 16)[0]
    assert runs.search(query) == whole.search(query)
    assert np.array_equal(runs.centroids, whole.centroids)


def test_runs_read_together_or_apart_give_the_same_rows(tmp_path: Path) -> None:
    rng = np.random.default_rng(9)
    table = rng.standard_normal((500, 8)).astype(np.float16)
    path = tmp_path / "rows.bin"
    path.write_bytes(b"h" * 64 + table.tobytes())
    fd = os.open(path, os.O_RDONLY)
    try:
        for _ in range(100):
            starts = np.sort(rng.choice(500, int(rng.integers(1, 40)), replace=False))
            ends = np.minimum(starts + rng.integers(0, 4, len(starts)), [*starts[1:], 500])
            expected = np.concatenate([table[a:b] for a, b in zip(starts, ends, strict=True)])
            for gap in (0, 16, 1000):  # every run apart, nearby ones together, all in one read
                got = dense.read_runs(fd, 64, 16, np.float16, starts, ends, gap)
                assert np.array_equal(got.reshape(-1, 8), expected)
        backwards = dense.read_runs(fd, 64, 16, np.float16, [7, 2], [9, 3])  # out of order
        assert np.array_equal(backwards.reshape(-1, 8), table[[7, 8, 2]])
    finally:
        os.close(fd)


def test_an_update_reuses_the_trained_indexes_while_they_suit_the_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import faiss

    monkeypatch.setattr(dense, "FLAT_LIMIT", 100)
    rng = np.random.default_rng(5)

    def build(folder: Path, n: int, previous: Path | None) -> None:
        folder.mkdir()
        parts = [(_unit(rng, 1, 16)[0], _unit(rng, 1, 16)) for _ in range(n)]
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


def test_candidates_deepen_until_the_top_ten_is_certain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 300 passages share one window (a repeated sentence) that is the query's best match, so
    # the window list ties; their own vectors decide the order, and a fixed depth of 5 passages
    # and 15 windows would pick among the tied passages at random.
    monkeypatch.setattr(dense, "POOL", 5)
    rng = np.random.default_rng(5)
    query = _unit(rng, 1, 16)[0]
    noisy = query + 0.3 * _unit(rng, 1, 16)[0]
    shared = noisy / np.linalg.norm(noisy)
    parts = [(_unit(rng, 1, 16)[0], np.vstack([shared, _unit(rng, 1, 16)[0]])) for _ in range(300)]
    parts += [(_unit(rng, 1, 16)[0], _unit(rng, 2, 16)) for _ in range(300)]
    langs = ["zh-Hant"] * 600
    write_dense(tmp_path, stack(16, parts), langs)
    index = DenseIndex(tmp_path)
    exhaustive = index.score(query, np.arange(600))
    found = index.search(query)
    assert len(found) < 600  # candidates, not an exhaustive scan
    top = sorted(found, key=found.__getitem__, reverse=True)[:10]
    assert top == sorted(exhaustive, key=exhaustive.__getitem__, reverse=True)[:10]
