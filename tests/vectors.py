"""Dense test data shared by the local backend's tests and the query code's: unit vectors, and
runs of passage and window vectors written as a build writes them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from reindustry_kb.index.backend import DenseVectors
from reindustry_kb.index.local.dense import DenseWriter


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


def unit(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    x = rng.standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)
