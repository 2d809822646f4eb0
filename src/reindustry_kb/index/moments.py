"""The statistics a dense scorer standardises by (DenseStats), kept as running sums so a
backend can add and remove documents without reading the whole library again: per language
group the count and sum of its passage and window vectors, and its passages' second moments.
The backends add each distinct text's vector once (a file of one line repeated must not move
its language's statistics): the local one sums them from its files at each build; one updated
in place (index/postgres/) adds a text when it first comes and takes it out when it last goes."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reindustry_kb.index.backend import KINDS, DenseStats

# Prior weight, in passages, of the pooled covariance in each group's (see shrunk).
SHRINK_VECTORS = 500
# Vectors added are summed this many at a time: one product per document part cost more in
# calls than in arithmetic (10 ms each, 20 passages at a time).
BATCH_ROWS = 50_000


def shrunk(spreads: Any, means: Any, sizes: Any) -> Any:
    """Each group's passage covariance drawn towards the pooled one of all groups, as much as
    SHRINK_VECTORS more passages would: a few hundred vectors are needed to estimate a
    covariance at all, and a language with three passages must not get a near-zero spread."""
    if sizes.sum() == 0:
        return spreads.astype(np.float32)
    weights = sizes / sizes.sum()
    between = means - weights @ means
    # Pooled: the groups' own spreads plus the spread of their means.
    pooled = np.einsum("g,gij->ij", weights, spreads) + (between.T * weights) @ between
    n = sizes[:, None, None].astype(np.float64)
    return ((n * spreads + SHRINK_VECTORS * pooled) / (n + SHRINK_VECTORS)).astype(np.float32)


@dataclass
class DenseMoments:
    """Running sums per language group (a group's number is its place in `groups`, which only
    grows, so numbers stored beside vectors stay valid)."""

    dim: int
    groups: list[str]
    counts: Any  # int64 [G, 2]: passages, windows
    sums: Any  # float64 [G, 2, d]
    squares: Any  # float64 [G, d, d]: the sum of each passage vector's outer product
    # (kind, vectors, groups, sign) not summed yet: summed by `settle`, which what reads the
    # sums calls first
    pending: list[tuple[int, Any, Any, int]] = field(default_factory=list)

    @classmethod
    def empty(cls, dim: int) -> DenseMoments:
        return cls(
            dim,
            [],
            np.zeros((0, len(KINDS)), np.int64),
            np.zeros((0, len(KINDS), dim)),
            np.zeros((0, dim, dim)),
        )

    def number(self, group: str) -> int:
        """A group's number, made when the group is new."""
        if group not in self.groups:
            self.groups.append(group)
            self.counts = np.concatenate([self.counts, np.zeros((1, len(KINDS)), np.int64)])
            self.sums = np.concatenate([self.sums, np.zeros((1, len(KINDS), self.dim))])
            self.squares = np.concatenate([self.squares, np.zeros((1, self.dim, self.dim))])
        return self.groups.index(group)

    def add(self, kind: int, vectors: Any, groups: Any, sign: int = 1) -> None:
        """Count vectors of one kind (0 passages, 1 windows) in their groups (numbers), or
        take them out again (`sign` -1) when their document leaves."""
        self.pending.append((kind, np.array(vectors), np.asarray(groups, np.int64), sign))
        if sum(len(vectors) for _, vectors, _, _ in self.pending) >= BATCH_ROWS:
            self.settle()

    def settle(self) -> None:
        """Sum what was added, a kind and sign at a time."""
        pending, self.pending = self.pending, []
        for kind, sign in {(kind, sign) for kind, _, _, sign in pending}:
            mine = [(v, g) for k, v, g, s in pending if (k, s) == (kind, sign)]
            vectors = np.concatenate([v for v, _ in mine]).astype(np.float64)
            groups = np.concatenate([g for _, g in mine])
            for number in np.unique(groups).tolist():
                chosen = vectors[groups == number]
                self.counts[number, kind] += sign * len(chosen)
                self.sums[number, kind] += sign * chosen.sum(axis=0)
                if kind == 0:
                    self.squares[number] += sign * (chosen.T @ chosen)

    def stats(self) -> DenseStats:
        """Centroids and shrunk covariances."""
        self.settle()
        sizes = self.counts[:, 0]
        centroids = self.sums / np.maximum(self.counts, 1)[:, :, None]
        means = centroids[:, 0]
        spreads = self.squares / np.maximum(sizes, 1)[:, None, None] - np.einsum(
            "gi,gj->gij", means, means
        )
        return DenseStats(
            self.dim,
            int(sizes.sum()),
            list(self.groups),
            centroids.astype(np.float32),
            shrunk(spreads, means, sizes),
        )

    def to_bytes(self) -> bytes:
        self.settle()
        out = io.BytesIO()
        np.savez(
            out,
            meta=np.frombuffer(json.dumps([self.dim, self.groups]).encode(), np.uint8),
            counts=self.counts,
            sums=self.sums,
            squares=self.squares,
        )
        return out.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> DenseMoments:
        saved = np.load(io.BytesIO(data))
        dim, groups = json.loads(saved["meta"].tobytes())
        return cls(int(dim), list(groups), saved["counts"], saved["sums"], saved["squares"])
