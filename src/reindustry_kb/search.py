"""Hybrid retrieval: dense (FAISS) and lexical (BM25) candidates, fused by how much each can see.

Reciprocal-rank fusion treats both retrievers as equally reliable for every question. They are
not: for an English question over Chinese text BM25 matches only stray tokens, while for a
question worded like its answer BM25 is sharper than a small multilingual embedder. So the
lexical weight scales with the query's *coverage*, the IDF-weighted share of its terms that the
index has seen, and scores are fused after min-max normalisation (a convex combination, which
keeps score gaps that ranks throw away).
"""

from __future__ import annotations

from dataclasses import dataclass

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
    coverage = reader.lexical.coverage(analysed.terms, analysed.expansions, EXPANSION_WEIGHT)
    return fuse(dense, lexical, LEXICAL_WEIGHT * coverage)[:k]


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


def fuse(dense: dict[int, float], lexical: dict[int, float], lexical_weight: float) -> list[Scored]:
    """Convex combination of min-max normalised scores; absent from a list counts as its minimum."""
    dense_norm = _min_max(dense)
    lexical_top = max(lexical.values(), default=0.0)
    lexical_norm = {row: s / lexical_top for row, s in lexical.items()} if lexical_top > 0 else {}
    fused = [
        Scored(
            row=row,
            score=(1 - lexical_weight) * dense_norm.get(row, 0.0)
            + lexical_weight * lexical_norm.get(row, 0.0),
            dense=dense.get(row),
            lexical=lexical.get(row),
        )
        for row in dense.keys() | lexical.keys()
    ]
    fused.sort(key=lambda s: (-s.score, s.row))
    return fused


def _min_max(scores: dict[int, float]) -> dict[int, float]:
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    if high - low < 1e-9:
        return {row: 1.0 for row in scores}
    return {row: (s - low) / (high - low) for row, s in scores.items()}
