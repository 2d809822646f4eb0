"""Hybrid retrieval: dense and lexical (BM25) candidates, fused by how much each can see.

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
That is the first stage (first_stage). A question asking when something takes effect, or which
body is in charge, brings in the article of its best document that says so (ask/provisions.py),
which names neither the law's topic nor the question's words. Then the best
second_stage.DEPTH are re-scored passage by passage (ask/second_stage.py): how much of the
question one sentence window holds, whether the passage holds the kind of answer asked for (a
date or span of time, an amount), a year the question names, and how its document stands among
the candidates, so that of one law's articles the one that answers comes first rather than its
neighbour. Where the user gives a cross-encoder (`--reranker`),
it scores the second stage's best last (by_reranker): its score replaces theirs.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

from reindustry_kb.ask.dense import dense_search
from reindustry_kb.ask.provisions import with_provisions
from reindustry_kb.ask.query import EXPANSION_WEIGHT, Query, analyse, crossed, title_words
from reindustry_kb.ask.second_stage import DEPTH, Scored, second_stage
from reindustry_kb.ask.session import Session
from reindustry_kb.ask.terms import Terms
from reindustry_kb.errors import EmbedderMismatchError
from reindustry_kb.index.backend import PassageKey
from reindustry_kb.models import NO_FILTERS, Filters, Passage, passage_order
from reindustry_kb.text.normalize import is_han

# Largest lexical weight, reached when every query term is in the index vocabulary.
LEXICAL_WEIGHT = 0.5
# BM25 passages fused besides the dense candidates: the head of the list is all fusion can use.
LEXICAL_POOL = 1000
# The fused best this many gain TITLE_WEIGHT x the share of their title the question names.
# Dev library 0.558 / 0.798 -> 0.577 / 0.827 (R@1 / R@5) at 0.3, the same at a pool of 50 as
# of 500; weights 0.2 / 0.5: 0.577 / 0.817, 0.577 / 0.837; seeds dev set unchanged.
TITLE_POOL = 50
TITLE_WEIGHT = 0.3


def hybrid_search(
    session: Session, query: str, k: int, filters: Filters = NO_FILTERS
) -> list[Scored]:
    """The k best passages for a question: dense and BM25, fused by coverage, lifted by their
    title, joined by the articles saying when the best document takes effect or who administers
    it where that is asked, then the best second_stage.DEPTH re-scored passage by passage (last by a
    cross-encoder, when the user gives one)."""
    analysed, named, passages = first_stage(session, query, filters, max(k, DEPTH))
    if not filters.lang:  # the article may be in another language than the one asked for
        named = with_provisions(session, query, named, passages)
    ranked = second_stage(session, analysed, named, passages)
    return by_reranker(session, query, ranked, passages)[:k]


def first_stage(
    session: Session, query: str, filters: Filters, k: int
) -> tuple[Query, list[Scored], dict[PassageKey, Passage]]:
    """The question analysed, its k best passages by the fused scores and the title field,
    and those passages."""
    reader = session.reader
    dense = dense_scores(session, query, filters)
    analysed = analyse(query, session.terms)
    lexical = reader.lexical_scores(analysed.weighted_terms(), filters, LEXICAL_POOL, dense.keys())
    groups = reader.passage_groups(dense.keys() | lexical.keys())
    names = session.dense.groups if len(session.dense.groups) > 1 else [None]
    weights = {
        group: LEXICAL_WEIGHT
        * session.terms.coverage(
            analysed.terms, analysed.expansions, EXPANSION_WEIGHT, names[group]
        )
        for group in set(groups.values())
    }
    fused = fuse(dense, lexical, weights, groups, limit=max(k, TITLE_POOL))
    passages = reader.passages([result.key for result in fused])
    return analysed, by_title(session, analysed, fused, passages)[:k], passages


def by_title(
    session: Session, analysed: Query, results: list[Scored], passages: dict[str, Passage]
) -> list[Scored]:
    """The results re-ranked with TITLE_WEIGHT x the share of their document's title (its
    terms weighted by IDF) that the question names, in its own words or their equivalents:
    of two laws on one topic, the one the question calls by name. A title named in the other
    language is named as fully (at the equivalents' lower weight, an English question could
    never name a Chinese title whole, and a title in its own language would win: dev tune
    R@5 +2 / -0, held out R@1 +1 / -0). A Chinese question's words also name an English title
    by the written vocabulary read backwards (titled_in_english)."""
    asked = {term for term, _ in analysed.weighted_terms()} | titled_in_english(session, analysed)
    if not results or not asked:
        return results
    doc_ids = {passages[result.key].doc_id for result in results}
    documents = session.reader.documents_by_id(doc_ids)
    shares = {
        doc_id: title_share(session.terms, documents[doc_id].title or "", asked)
        for doc_id in doc_ids
    }
    rescored = [
        replace(
            result,
            score=result.score + TITLE_WEIGHT * shares[passages[result.key].doc_id],
        )
        for result in results
    ]
    return _ranked(rescored)


def titled_in_english(session: Session, analysed: Query) -> set[str]:
    """The English terms a Chinese question's words name a title by (query.title_words)."""
    return {
        term
        for own in analysed.terms
        if is_han(own[0])  # an English question does not read the table
        for english in title_words(own)
        for term in session.terms.query_terms(english)
    }


def title_share(terms: Terms, title: str, asked: Collection[str]) -> float:
    """The IDF-weighted share of a title's terms that the question asks about."""
    from reindustry_kb.ask.answer import term_weights

    idf = term_weights(terms, terms.query_terms(title))
    total = sum(idf.values())
    if total <= 0:
        return 0.0
    return sum(weight for term, weight in idf.items() if term in asked) / total


def by_reranker(
    session: Session, question: str, results: list[Scored], passages: dict[str, Passage]
) -> list[Scored]:
    """With a cross-encoder (`--reranker`), the results re-scored by it, the final step: each
    one's score becomes the model's probability that it answers (the sigmoid of its logit),
    read from its document's title and its clean text with the question."""
    from reindustry_kb.embed.cross_encoder import sigmoid
    from reindustry_kb.ingest.segment import shown_text

    reranker = session.reranker
    if reranker is None or not results:
        return results
    found = [passages[result.key] for result in results]
    documents = session.reader.documents_by_id({passage.doc_id for passage in found})
    texts = [
        "\n".join(filter(None, (documents[p.doc_id].title, shown_text(p.text)[0]))) for p in found
    ]
    scores = sigmoid(reranker.score(question, texts))
    return _ranked(
        [replace(result, score=score) for result, score in zip(results, scores, strict=True)]
    )


def _ranked(results: list[Scored]) -> list[Scored]:
    return sorted(results, key=lambda result: (-result.score, passage_order(result.key)))


def dense_scores(session: Session, query: str, filters: Filters) -> dict[PassageKey, float]:
    """Standardised passage scores from the dense side (ask/dense.py), for the question and
    its twin with glossary phrases in the other language (query.crossed)."""
    if session.dense.n == 0:
        return {}
    vector = query_vector(session, query)
    if vector.shape[0] != session.dense.dim:
        raise EmbedderMismatchError(
            f"query vectors have {vector.shape[0]} dimensions but the index has "
            f"{session.dense.dim}; rebuild the index with `rkb index`"
        )
    return dense_search(session.reader, session.dense, vector, filters)


def query_vector(session: Session, query: str) -> Any:
    """The question's vector, summed with its code-mixed twin's (the twin at EXPANSION_WEIGHT)
    when the library holds the other language."""
    import numpy as np

    embedder = session.embedder
    vector = embedder.embed_query(query)
    if (other := crossed(query, session.dense.groups)) is not None:
        vector = vector + EXPANSION_WEIGHT * embedder.embed_query(other)
        vector = (vector / max(float(np.linalg.norm(vector)), 1e-12)).astype(np.float32)
    return vector


def fuse(
    dense: dict[PassageKey, float],
    lexical: dict[PassageKey, float],
    lexical_weight: float | dict[int, float],
    groups: dict[PassageKey, int] | None = None,
    limit: int | None = None,
) -> list[Scored]:
    """Convex combination of min-max normalised dense scores and BM25 scores scaled by the best
    of the passage's language group, with that group's lexical weight; absent from a list
    counts as its minimum. Without `groups`, every passage is of one group. The best `limit`
    (all when None), best first, ties in library order."""
    import numpy as np

    keys = sorted(dense.keys() | lexical.keys())  # a fixed order; ties are settled below
    if not keys:
        return []
    weights = lexical_weight if isinstance(lexical_weight, dict) else {0: lexical_weight}
    group = np.array([(groups or {}).get(key, 0) for key in keys], dtype=np.int64)
    raw_dense = np.array([dense.get(key, np.nan) for key in keys], dtype=np.float64)
    raw_lexical = np.array([lexical.get(key, 0.0) for key in keys], dtype=np.float64)
    dense_norm = np.zeros(len(keys))
    known = ~np.isnan(raw_dense)
    if known.any():
        low, high = raw_dense[known].min(), raw_dense[known].max()
        spread = high - low
        dense_norm[known] = (raw_dense[known] - low) / spread if spread >= 1e-9 else 1.0
    lexical_norm = np.zeros(len(keys))
    weight = np.zeros(len(keys))
    for number in np.unique(group).tolist():
        mine = group == number
        top = raw_lexical[mine].max()
        if top > 0:
            lexical_norm[mine] = raw_lexical[mine] / top
        weight[mine] = weights[number]
    scores = (1 - weight) * dense_norm + weight * lexical_norm
    return [
        Scored(key=keys[i], score=score, dense=dense.get(keys[i]), lexical=lexical.get(keys[i]))
        for i, score in _best(keys, scores, limit)
    ]


def _best(keys: list[PassageKey], scores: Any, limit: int | None) -> list[tuple[int, float]]:
    """The places and scores of the best `limit` (all when None), best first, equal scores in
    library order (models.passage_order): only those tied with the last kept are ordered so."""
    import numpy as np

    order = np.argsort(-scores, kind="stable")
    if limit is not None and limit < len(order):
        order = np.flatnonzero(scores >= scores[order[limit - 1]]) if limit > 0 else order[:0]
    chosen = [(int(i), float(scores[i])) for i in order.tolist()]
    chosen.sort(key=lambda item: (-item[1], passage_order(keys[item[0]])))
    return chosen[:limit]
