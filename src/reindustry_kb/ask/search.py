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

Three more steps reach across languages, to the document and into the passage. The dense side
embeds the question together with its code-mixed twin, glossary phrases put in the other
language (query.crossed), as a small embedder matches its own language best. The fused best
TITLE_POOL gain from their document's title when the question names it (`China's export control
law`, `依中國關稅法`): a title field, as BM25F weighs one, across languages by the equivalents.
And the best RERANK_DEPTH are re-ranked by term proximity: how much of the question one
sentence window of the passage holds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from reindustry_kb.ask.query import EXPANSION_WEIGHT, Query, analyse, crossed
from reindustry_kb.embed.embedder import Embedder
from reindustry_kb.errors import EmbedderMismatchError
from reindustry_kb.index.local.lexical import LexicalIndex
from reindustry_kb.index.local.store import IndexReader
from reindustry_kb.models import NO_FILTERS, Filters

# Largest lexical weight, reached when every query term is in the index vocabulary.
LEXICAL_WEIGHT = 0.5
# BM25 rows fused besides the dense candidates: the head of the list is all fusion can use.
LEXICAL_POOL = 1000
# The fused best this many are re-ranked by term proximity, with this weight (fused scores are
# in 0..1): at 0.2 the dev library gains two questions first, DRCD 0.952 -> 0.957, the seeds
# dev set none; at 0.3 the seeds dev set loses three.
RERANK_DEPTH = 20
PROXIMITY_WEIGHT = 0.2
# The fused best this many gain TITLE_WEIGHT x the share of their title the question names.
# Dev library 0.558 / 0.798 -> 0.577 / 0.827 (R@1 / R@5) at 0.3, the same at a pool of 50 as
# of 500; weights 0.2 / 0.5: 0.577 / 0.817, 0.577 / 0.837; seeds dev set unchanged.
TITLE_POOL = 50
TITLE_WEIGHT = 0.3


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
    names = reader.dense.groups if len(reader.dense.groups) > 1 else [None]
    weights = {
        group: LEXICAL_WEIGHT
        * reader.lexical.coverage(
            analysed.terms, analysed.expansions, EXPANSION_WEIGHT, names[group]
        )
        for group in set(groups.values())
    }
    fused = fuse(dense, lexical, weights, groups, limit=max(k, TITLE_POOL))
    named = by_title(reader, analysed, fused)[: max(k, RERANK_DEPTH)]
    return by_proximity(reader, analysed, named)[:k]


def by_title(reader: IndexReader, analysed: Query, results: list[Scored]) -> list[Scored]:
    """The results re-ranked with TITLE_WEIGHT x the share of their document's title (its
    terms weighted by IDF) that the question names, in its own words or their equivalents
    (at their weight): of two laws on one topic, the one the question calls by name."""
    asked: dict[str, float] = {}
    for term, weight in analysed.weighted_terms():
        asked[term] = max(weight, asked.get(term, 0.0))
    if not results or not asked:
        return results
    titles = reader.titles([result.row for result in results])
    shares: dict[str, float] = {}
    for doc_id, title in titles.values():
        if doc_id not in shares:
            shares[doc_id] = title_share(reader.lexical, title, asked)
    rescored = [
        replace(result, score=result.score + TITLE_WEIGHT * shares[titles[result.row][0]])
        for result in results
    ]
    return sorted(rescored, key=lambda result: (-result.score, result.row))


def title_share(lexical: LexicalIndex, title: str, asked: dict[str, float]) -> float:
    """The IDF-weighted share of a title's terms that the question asks about (each at the
    weight it is asked with)."""
    from reindustry_kb.ask.answer import term_weights

    idf = term_weights(lexical, lexical.query_terms(title))
    total = sum(idf.values())
    if total <= 0:
        return 0.0
    return sum(weight * asked.get(term, 0.0) for term, weight in idf.items()) / total


def by_proximity(reader: IndexReader, analysed: Query, results: list[Scored]) -> list[Scored]:
    """The results re-ranked with PROXIMITY_WEIGHT x the largest share of the question's terms
    (IDF-weighted, equivalents at their weight) that one sentence window of the passage holds:
    of two passages on the question's topic, the one that says what was asked in one place."""
    from reindustry_kb.ask.answer import best_window_share, term_weights

    weights = term_weights(reader.lexical, analysed.terms, analysed.expansions)
    if not results or not weights:
        return results
    passages = reader.passages([result.row for result in results])
    size = reader.manifest.settings.window_size
    rescored = [
        replace(
            result,
            score=result.score
            + PROXIMITY_WEIGHT * best_window_share(passages[result.row], weights, size),
        )
        for result in results
    ]
    return sorted(rescored, key=lambda result: (-result.score, result.row))


def _groups_of(reader: IndexReader, rows: set[int]) -> dict[int, int]:
    """Each row's language group number (0 when the index has one group or no vectors)."""
    import numpy as np

    if len(reader.dense.groups) <= 1 or not rows:
        return dict.fromkeys(rows, 0)
    ordered = np.fromiter(sorted(rows), dtype=np.int64)
    return dict(zip(ordered.tolist(), reader.dense.row_group[ordered].tolist(), strict=True))


def dense_scores(
    reader: IndexReader, embedder: Embedder, query: str, allowed: set[int] | None
) -> dict[int, float]:
    """Language-centred passage scores from the dense index (see dense.py), for the question
    and its twin with glossary phrases in the other language (query.crossed)."""
    import numpy as np

    dense = reader.dense
    if dense.n == 0:
        return {}
    vector = query_vector(reader, embedder, query)
    if vector.shape[0] != dense.dim:
        raise EmbedderMismatchError(
            f"query vectors have {vector.shape[0]} dimensions but the index has {dense.dim}; "
            "rebuild the index with `rkb index`"
        )
    rows = None if allowed is None else np.fromiter(allowed, dtype=np.int64)
    return dense.search(vector, rows)


def query_vector(reader: IndexReader, embedder: Embedder, query: str) -> Any:
    """The question's vector, summed with its code-mixed twin's (the twin at the weight of a
    guess) when the library holds the other language."""
    import numpy as np

    vector = embedder.embed_query(query)
    if (other := crossed(query, reader.dense.groups)) is not None:
        vector = vector + EXPANSION_WEIGHT * embedder.embed_query(other)
        vector = (vector / max(float(np.linalg.norm(vector)), 1e-12)).astype(np.float32)
    return vector


def fuse(
    dense: dict[int, float],
    lexical: dict[int, float],
    lexical_weight: float | dict[int, float],
    groups: dict[int, int] | None = None,
    limit: int | None = None,
) -> list[Scored]:
    """Convex combination of min-max normalised dense scores and BM25 scores scaled by the best
    of the row's language group, with that group's lexical weight; absent from a list counts
    as its minimum. Without `groups`, every row is of one group. The best `limit` rows (all
    when None), best first."""
    import numpy as np

    rows = np.array(sorted(dense.keys() | lexical.keys()), dtype=np.int64)
    if not len(rows):
        return []
    weights = lexical_weight if isinstance(lexical_weight, dict) else {0: lexical_weight}
    group = np.zeros(len(rows), dtype=np.int64)
    if groups:
        group = _placed(rows, groups, 0).astype(np.int64)
    raw_dense = _placed(rows, dense, np.nan)
    raw_lexical = _placed(rows, lexical, 0.0)
    dense_norm = np.zeros(len(rows))
    known = ~np.isnan(raw_dense)
    if known.any():
        low, high = raw_dense[known].min(), raw_dense[known].max()
        spread = high - low
        dense_norm[known] = (raw_dense[known] - low) / spread if spread >= 1e-9 else 1.0
    lexical_norm = np.zeros(len(rows))
    weight = np.zeros(len(rows))
    for number in np.unique(group).tolist():
        mine = group == number
        top = raw_lexical[mine].max()
        if top > 0:
            lexical_norm[mine] = raw_lexical[mine] / top
        weight[mine] = weights[number]
    scores = (1 - weight) * dense_norm + weight * lexical_norm
    order = np.lexsort((rows, -scores))[:limit]
    return [
        Scored(
            row=row,
            score=float(scores[i]),
            dense=dense.get(row),
            lexical=lexical.get(row),
        )
        for i, row in zip(order.tolist(), rows[order].tolist(), strict=True)
    ]


def _placed(rows: Any, values: dict[int, Any], missing: float) -> Any:
    """The values of a row-keyed dict as an array aligned with `rows` (sorted)."""
    import numpy as np

    found = np.full(len(rows), missing, dtype=np.float64)
    if values:
        keys = np.fromiter(values.keys(), dtype=np.int64, count=len(values))
        found[np.searchsorted(rows, keys)] = np.fromiter(values.values(), np.float64, len(values))
    return found
