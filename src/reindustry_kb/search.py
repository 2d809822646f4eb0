"""Hybrid retrieval: dense (FAISS) and lexical (BM25) candidates, fused by how much each can see.

Reciprocal-rank fusion treats both retrievers as equally reliable for every question. They are
not: for an English question over Chinese text BM25 matches only stray tokens, while for a
question worded like its answer BM25 is sharper than a small multilingual embedder. So the
lexical weight scales with the query's *coverage*, the IDF-weighted share of its terms that the
index has seen, and scores are fused after normalisation (a convex combination, which keeps
score gaps that ranks throw away).

Coverage and the lexical normalisation are taken per language group. In a library of both
languages an English question's own words are seen, but only in the English passages: fused
with one weight and one scale, BM25 would lift every English passage above the Chinese one
that answers. Per group, a passage's lexical weight is what BM25 can see of the question in its
language (its own words, or their equivalents), and its lexical score is scaled by the best in
that language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reindustry_kb.embed import Embedder
from reindustry_kb.errors import EmbedderMismatchError
from reindustry_kb.models import NO_FILTERS, Filters
from reindustry_kb.query import EXPANSION_WEIGHT, analyse
from reindustry_kb.store import IndexReader

# Largest lexical weight, reached when every query term is in the index vocabulary.
LEXICAL_WEIGHT = 0.5
# BM25 rows fused besides the dense candidates: the head of the list is all fusion can use.
LEXICAL_POOL = 1000


@dataclass(frozen=True)
class Scored:
    row: int
    score: float
    dense: float | None
    lexical: float | None


def hybrid_search(
    reader: IndexReader, embedder: Embedder, query: str, k: int, filters: Filters | None = None
) -> list[Scored]:
    """The k best passages for a question: dense and BM25, fused by coverage."""
    filters = filters or NO_FILTERS
    allowed = None if filters.is_empty() else reader.passage_rows(filters)
    if allowed is not None and not allowed:
        return []
    dense = dense_scores(reader, embedder, query, allowed)
    analysed = analyse(query, reader.lexical)
    terms = analysed.weighted_terms()
    if allowed is None:
        lexical = reader.lexical.weighted_scores(terms, LEXICAL_POOL, dense)
    else:
        lexical = reader.lexical.weighted_scores(terms)
        lexical = {row: s for row, s in lexical.items() if row in allowed}
    groups = _groups_of(reader, dense.keys() | lexical.keys())
    weights = {
        group: LEXICAL_WEIGHT
        * reader.lexical.coverage(
            analysed.terms, analysed.expansions, EXPANSION_WEIGHT, _group_mask(reader, group)
        )
        for group in set(groups.values())
    }
    return fuse(dense, lexical, weights, groups)[:k]


def _groups_of(reader: IndexReader, rows: set[int]) -> dict[int, int]:
    """Each row's language group number (0 when the index has one group or no vectors)."""
    import numpy as np

    if len(reader.dense.groups) <= 1 or not rows:
        return dict.fromkeys(rows, 0)
    ordered = np.fromiter(sorted(rows), dtype=np.int64)
    return dict(zip(ordered.tolist(), reader.dense.row_group[ordered].tolist(), strict=True))


def _group_mask(reader: IndexReader, group: int) -> Any | None:
    """The rows of one language group, or None for all when the index has one group."""
    if len(reader.dense.groups) <= 1:
        return None
    return reader.dense.row_group[:] == group


def dense_scores(
    reader: IndexReader, embedder: Embedder, query: str, allowed: set[int] | None
) -> dict[int, float]:
    """Language-centred passage scores from the dense index (see dense.py)."""
    import numpy as np

    dense = reader.dense
    if dense.n == 0:
        return {}
    vector = embedder.embed_query(query)
    if vector.shape[0] != dense.dim:
        raise EmbedderMismatchError(
            f"query vectors have {vector.shape[0]} dimensions but the index has {dense.dim}; "
            "rebuild the index with `rkb index`"
        )
    rows = None if allowed is None else np.fromiter(allowed, dtype=np.int64)
    return dense.search(vector, rows)


def fuse(
    dense: dict[int, float],
    lexical: dict[int, float],
    lexical_weight: float | dict[int, float],
    groups: dict[int, int] | None = None,
) -> list[Scored]:
    """Convex combination of min-max normalised dense scores and BM25 scores scaled by the best
    of the row's language group, with that group's lexical weight; absent from a list counts
    as its minimum. Without `groups`, every row is of one group."""
    rows = dense.keys() | lexical.keys()
    groups = groups or dict.fromkeys(rows, 0)
    weights = lexical_weight if isinstance(lexical_weight, dict) else {0: lexical_weight}
    dense_norm = _min_max(dense)
    lexical_top: dict[int, float] = {}
    for row, s in lexical.items():
        lexical_top[groups[row]] = max(lexical_top.get(groups[row], 0.0), s)
    fused = []
    for row in rows:
        weight, top = weights[groups[row]], lexical_top.get(groups[row], 0.0)
        lexical_norm = lexical.get(row, 0.0) / top if top > 0 else 0.0
        fused.append(
            Scored(
                row=row,
                score=(1 - weight) * dense_norm.get(row, 0.0) + weight * lexical_norm,
                dense=dense.get(row),
                lexical=lexical.get(row),
            )
        )
    fused.sort(key=lambda s: (-s.score, s.row))
    return fused


def _min_max(scores: dict[int, float]) -> dict[int, float]:
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    if high - low < 1e-9:
        return {row: 1.0 for row in scores}
    return {row: (s - low) / (high - low) for row, s in scores.items()}
