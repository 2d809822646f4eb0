"""Dense scores (ask/dense.py) over the local backend's candidates and vectors: what they are
by definition, how a small language group is scaled, filters, approximate lists, and how deep
the candidates go."""

import json
from pathlib import Path

import numpy as np
import pytest

from reindustry_kb import models
from reindustry_kb.ask import dense
from reindustry_kb.ask.dense import dense_search, score, standardisers
from reindustry_kb.index import moments
from reindustry_kb.index.local import dense as local_dense
from reindustry_kb.index.local import reader as local_reader
from reindustry_kb.index.local.reader import LocalReader, _Layout
from reindustry_kb.models import NO_FILTERS, Filters
from tests.ask.folders import folder_reader
from tests.vectors import stack, unit, write_dense


def key(row: int) -> str:
    return f"lib#p{row + 1:03d}"


def dense_reader(folder: Path) -> LocalReader:
    """The local reader of the dense files in `folder`, passage i (row i) named key(i): with
    no kb.sqlite to read where documents start, the reader is told (one document, "lib")."""
    reader = folder_reader(folder)
    reader.__dict__["_passage_keys"] = _Layout(["lib"], [reader.dense.n])
    return reader


def allowing(reader: LocalReader, rows: np.ndarray, monkeypatch: pytest.MonkeyPatch) -> Filters:
    """Filters that allow these rows: SQLite finds a filter's rows, and the folder has none."""
    allowed = np.sort(np.asarray(rows, dtype=np.int64))
    monkeypatch.setattr(reader, "_allowed_rows", lambda f: None if f.is_empty() else allowed)
    return Filters(docs=("allowed*",))


def _library(tmp_path: Path, n: int, dim: int = 16) -> tuple[LocalReader, list, list[str]]:
    rng = np.random.default_rng(7)
    parts = [(unit(rng, 1, dim)[0], unit(rng, 1 + row % 3, dim)) for row in range(n)]
    langs = ["en" if row % 3 == 0 else ("zh-Hant" if row % 2 else "zh-Hans") for row in range(n)]
    write_dense(tmp_path, stack(dim, parts), langs)
    return dense_reader(tmp_path), parts, langs


def _expected(parts: list, langs: list[str], query: np.ndarray) -> dict[str, float]:
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
        result[key(row)] = float((own @ query - own_mean + best) / 2 / spread)
    return result


def test_scores_are_standardised_means_of_passage_and_best_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(moments, "SHRINK_VECTORS", 0)
    reader, parts, langs = _library(tmp_path, 60)
    query = unit(np.random.default_rng(1), 1, 16)[0]
    expected = _expected(parts, langs, query)
    found = dense_search(reader, reader.dense_stats(), query, NO_FILTERS)
    assert set(found) == set(expected)  # small groups are searched exactly
    for passage, value in found.items():
        assert value == pytest.approx(expected[passage], abs=1e-2)  # vectors stored as float16
    assert list(found.values()) == sorted(found.values(), reverse=True)  # best first


def test_a_small_groups_spread_is_drawn_to_the_pooled_one(tmp_path: Path) -> None:
    # Three English passages among 300 Chinese ones: alone, their covariance has rank 2.
    rng = np.random.default_rng(4)
    parts = [(unit(rng, 1, 16)[0], unit(rng, 2, 16)) for _ in range(303)]
    write_dense(tmp_path, stack(16, parts), ["en"] * 3 + ["zh-Hant"] * 300)
    stats = folder_reader(tmp_path).dense_stats()
    english, chinese = (stats.groups.index(g) for g in ("en", "zh"))
    assert np.linalg.matrix_rank(stats.spreads[english], tol=1e-4) == 16
    for _ in range(5):
        _, scales = standardisers(stats, unit(rng, 1, 16)[0])
        assert 0.5 < scales[english] / scales[chinese] < 2


def test_filters_keep_only_allowed_passages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader, _, _ = _library(tmp_path, 60)
    query = unit(np.random.default_rng(2), 1, 16)[0]
    allowed = np.array([3, 10, 11, 42])
    filters = allowing(reader, allowed, monkeypatch)
    found = dense_search(reader, reader.dense_stats(), query, filters)
    assert set(found) == {key(row) for row in allowed.tolist()}


def test_large_groups_use_codes_and_still_find_the_best(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_dense, "FLAT_LIMIT", 100)
    reader, parts, langs = _library(tmp_path, 3000)
    kinds = json.loads((tmp_path / "dense.json").read_text())["indexes"]
    assert kinds["passages-en"].startswith("pqfs") and kinds["windows-en"].startswith("ivf")
    stats = reader.dense_stats()
    rng = np.random.default_rng(3)
    hits = 0
    for _ in range(20):
        query = unit(rng, 1, 16)[0]
        expected = _expected(parts, langs, query)
        best = max(expected, key=expected.__getitem__)
        hits += best in dense_search(reader, stats, query, NO_FILTERS)
    assert hits >= 19
    # Filters too large to score exhaustively: the codes are filtered after the scan; the
    # second allows one language group only. (The local reader decides what is too large.)
    monkeypatch.setattr(local_reader, "EXACT_FILTER_LIMIT", 10)
    for allowed in [np.arange(0, 3000, 7)] * 3 + [np.arange(0, 3000, 3)] * 3:
        query = unit(rng, 1, 16)[0]
        expected = _expected(parts, langs, query)
        filters = allowing(reader, allowed, monkeypatch)
        found = dense_search(reader, stats, query, filters)
        allowed_keys = [key(row) for row in allowed.tolist()]
        assert set(found) <= set(allowed_keys)
        assert max(allowed_keys, key=expected.__getitem__) in found


def test_candidates_deepen_until_the_top_ten_is_certain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 300 passages share one window (a repeated sentence) that is the query's best match, so
    # the window list ties; their own vectors decide the order, and a fixed depth of 5 passages
    # and 15 windows would pick among the tied passages at random.
    monkeypatch.setattr(dense, "POOL", 5)
    rng = np.random.default_rng(5)
    query = unit(rng, 1, 16)[0]
    noisy = query + 0.3 * unit(rng, 1, 16)[0]
    shared = noisy / np.linalg.norm(noisy)
    parts = [(unit(rng, 1, 16)[0], np.vstack([shared, unit(rng, 1, 16)[0]])) for _ in range(300)]
    parts += [(unit(rng, 1, 16)[0], unit(rng, 2, 16)) for _ in range(300)]
    langs = ["zh-Hant"] * 600
    write_dense(tmp_path, stack(16, parts), langs)
    reader = dense_reader(tmp_path)
    stats = reader.dense_stats()
    exhaustive = score(stats, reader.passage_vectors([key(row) for row in range(600)]), query)
    found = dense_search(reader, stats, query, NO_FILTERS)
    assert len(found) < 600  # candidates, not an exhaustive scan
    top = sorted(found, key=found.__getitem__, reverse=True)[:10]
    assert top == sorted(exhaustive, key=exhaustive.__getitem__, reverse=True)[:10]


def test_window_similarities_are_those_of_the_passages_own_windows(tmp_path: Path) -> None:
    reader, parts, _ = _library(tmp_path, 12)
    query = unit(np.random.default_rng(6), 1, 16)[0]
    wanted = [key(row) for row in (9, 2, 5)]
    vectors = reader.passage_vectors(wanted)
    assert vectors.keys == [key(row) for row in (2, 5, 9)]  # in the backend's (row) order
    for index, row in enumerate((2, 5, 9)):
        found = dense.window_similarities(vectors, index, query)
        assert found == pytest.approx(parts[row][1] @ query, abs=1e-2)
