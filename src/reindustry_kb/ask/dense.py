"""Dense scores: how a passage's vectors answer a question, the same for every backend.

A passage scores the mean of its own similarity and its best sentence window's, each
standardised within its language: multilingual embedders score same-language pairs higher and
more spread out whatever the topic, so a similarity counts by how far it stands above the
language's typical similarity to this query (q . mean of that group and kind), in that
language's standard deviations (sqrt(q' cov q) over the group's passages, one scale for both
kinds, so an index of one language ranks as by centring alone). The window finds the one
sentence that answers; the passage keeps its context in the score.

The backend proposes candidates (an approximate index may); every candidate is then scored
exactly from its vectors, so an approximate index changes which passages are considered, never
their scores.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from reindustry_kb.index.backend import (
    Candidates,
    DenseStats,
    IndexReader,
    ListName,
    PassageKey,
    PassageVectors,
    Similarities,
    inner_products,
)
from reindustry_kb.models import Filters

# Candidates drawn per group and kind at first (windows three times as many, as several may
# share a passage). Deepened fourfold while the top SETTLE may lie deeper, up to MAX_POOL.
POOL = 100
MAX_POOL = 1600
SETTLE = 10


def standardisers(stats: DenseStats, query: Any) -> tuple[Any, Any]:
    """Per group and kind [G, 2], the mean of the query's similarity to that group's vectors;
    per group [G], its standard deviation over the group's passages."""
    offsets = stats.centroids @ query
    variances = np.einsum("gij,i,j->g", stats.spreads, query, query)
    return offsets, np.sqrt(np.maximum(variances, 1e-12)).astype(np.float32)


def score(stats: DenseStats, vectors: PassageVectors, query: Any) -> dict[PassageKey, float]:
    """Each passage's standardised score from its vectors, in the order of `vectors`."""
    return standardised(stats, vectors.similarities(query), query)


def standardised(
    stats: DenseStats, similarities: Similarities, query: Any
) -> dict[PassageKey, float]:
    """mean(own, best window), each minus its group and kind's mean similarity to the query,
    over the group's standard deviation; in the order of `similarities`."""
    if not similarities.keys:
        return {}
    offsets, scales = standardisers(stats, query)
    groups = similarities.groups
    own = similarities.own - offsets[groups, 0]
    best = similarities.best - offsets[groups, 1]
    combined = np.where(np.isfinite(best), (own + best) / 2, own) / scales[groups]
    return dict(zip(similarities.keys, combined.astype(float).tolist(), strict=True))


def window_similarities(vectors: PassageVectors, index: int, query: Any) -> Any:
    """The query's similarity to each window of the `index`-th passage of `vectors`."""
    start, end = int(vectors.offsets[index]), int(vectors.offsets[index + 1])
    return inner_products(vectors.windows[start:end], query)


def dense_search(
    reader: IndexReader, stats: DenseStats, query: Any, filters: Filters
) -> dict[PassageKey, float]:
    """Candidate passages and their exact standardised scores, best first.

    The candidates are deepened until they hold the top SETTLE (Fagin's threshold test): a
    passage no list returned scores at most the mean of the last similarity each list
    returned, so once SETTLE candidates score above that bound, no deeper candidate can enter
    (exactly so for exhaustive lists; as far as their codes rank truly for approximate ones).
    Near-identical passages (shared boilerplate, a sentence repeated across a library) tie in
    the window list, and a fixed depth would pick among them at random rather than by the
    passages' own similarity."""
    if stats.n == 0:
        return {}
    pool, first = POOL, None
    scores: dict[PassageKey, float] = {}
    while True:
        found: Candidates = reader.dense_candidates(query, pool, filters)
        new = [key for key in found.keys if key not in scores]
        scores.update(standardised(stats, reader.dense_similarities(new, query), query))
        first = len(scores) if first is None else first
        if pool >= MAX_POOL or _settled(scores, _bound(stats, query, found.lasts)):
            # As many as the first depth gave, the best: fusion normalises over them.
            return dict(sorted(scores.items(), key=lambda kv: -kv[1])[:first])
        pool *= 4


def _bound(stats: DenseStats, query: Any, lasts: dict[ListName, float]) -> float:
    """The best standardised score a passage missing from every list could have."""
    if np.inf in lasts.values():
        return float(np.inf)
    offsets, scales = standardisers(stats, query)
    bound = -np.inf
    for number, group in enumerate(stats.groups):
        own = lasts.get(("passages", group), -np.inf) - offsets[number, 0]
        window = lasts.get(("windows", group), -np.inf) - offsets[number, 1]
        bound = max(bound, float((own + window) / 2 / scales[number]))
    return float(bound)


def _settled(scores: dict[PassageKey, float], bound: float) -> bool:
    """Whether the SETTLE best scores all beat what an unseen passage could score."""
    if len(scores) < SETTLE:
        return not np.isfinite(bound)
    return sorted(scores.values(), reverse=True)[SETTLE - 1] >= bound
