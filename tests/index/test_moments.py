"""Running sums: vectors added a few at a time, or taken out again, give the statistics of
the vectors that are in."""

from __future__ import annotations

import numpy as np
import pytest

from reindustry_kb.index import moments
from reindustry_kb.index.moments import DenseMoments

RNG = np.random.default_rng(3)
VECTORS = RNG.normal(size=(30, 4)).astype(np.float32)
GROUPS = [n % 2 for n in range(30)]


def _filled(parts: list[tuple[np.ndarray, list[int]]]) -> DenseMoments:
    found = DenseMoments.empty(4)
    for group in ("en", "zh"):
        found.number(group)
    for vectors, groups in parts:
        found.add(0, vectors, groups)
        found.add(1, vectors[::-1], groups[::-1])  # as windows
    return found


def _same(a: DenseMoments, b: DenseMoments) -> None:
    a.settle(), b.settle()
    assert (a.counts == b.counts).all()
    np.testing.assert_allclose(a.sums, b.sums, atol=1e-9)
    np.testing.assert_allclose(a.squares, b.squares, atol=1e-9)
    np.testing.assert_allclose(a.stats().spreads, b.stats().spreads, atol=1e-6)


def test_vectors_added_in_parts_and_batches_sum_as_added_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    once = _filled([(VECTORS, GROUPS)])
    monkeypatch.setattr(moments, "BATCH_ROWS", 7)  # settled several times on the way
    parts = _filled([(VECTORS[i : i + 5], GROUPS[i : i + 5]) for i in range(0, 30, 5)])
    _same(once, parts)


def test_vectors_taken_out_leave_the_statistics_of_the_rest() -> None:
    rest = _filled([(VECTORS[10:], GROUPS[10:])])
    changed = _filled([(VECTORS[10:], GROUPS[10:]), (VECTORS[:10], GROUPS[:10])])
    changed.add(0, VECTORS[:10], GROUPS[:10], sign=-1)
    changed.add(1, VECTORS[:10], GROUPS[:10], sign=-1)
    restored = DenseMoments.from_bytes(changed.to_bytes())
    _same(rest, restored)
