"""The seam's own arithmetic (index/backend.py): inner products through the kept buffer and
each passage's own and best-window similarity."""

import numpy as np

from reindustry_kb.index import backend
from reindustry_kb.index.backend import PassageVectors
from tests.vectors import unit


def test_inner_products_through_the_kept_buffer_are_the_whole_products() -> None:
    rng = np.random.default_rng(3)
    for rows in (3000, 10, 0, 2000, backend.KEPT_ROWS + 1):  # grown, reused, then bypassed
        vectors = rng.standard_normal((rows, 32)).astype(np.float16)
        query = unit(rng, 1, 32)[0]
        assert np.array_equal(
            backend.inner_products(vectors, query), vectors.astype(np.float32) @ query
        )


def test_similarities_take_each_passages_best_window_and_none_without() -> None:
    rng = np.random.default_rng(4)
    own, windows = unit(rng, 3, 8), unit(rng, 4, 8)
    query = unit(rng, 1, 8)[0]
    # Passage a has windows 0-2, b none, c window 3.
    vectors = PassageVectors(
        ["a", "b", "c"], np.array([0, 1, 0]), own, windows, np.array([0, 3, 3, 4])
    )
    found = vectors.similarities(query)
    assert found.keys == ["a", "b", "c"] and found.groups.tolist() == [0, 1, 0]
    assert np.allclose(found.own, own @ query)
    assert found.best[0] == np.float32(max(windows[:3] @ query))
    assert found.best[1] == -np.inf
    assert found.best[2] == np.float32(windows[3] @ query)
