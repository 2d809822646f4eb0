"""The answering sentences of a hit: which of its sentence windows answers the question.

Each passage was embedded with its sentence windows (segment.windows); the window nearest the
question is where the answer usually stands. Dense similarity alone confuses windows of one
topic, so the share of the question's terms (IDF-weighted, as BM25 weighs them) that a window
contains is added: a window that names what was asked wins a near tie.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from reindustry_kb.ask.dense import window_similarities
from reindustry_kb.ask.query import EXPANSION_WEIGHT
from reindustry_kb.ask.session import Session
from reindustry_kb.ask.terms import Terms
from reindustry_kb.index.backend import PassageKey, PassageVectors
from reindustry_kb.ingest.segment import window_spans, windows
from reindustry_kb.models import Passage
from reindustry_kb.text.normalize import fold_text

# Weight of the question-term share beside the cosine similarity (both in 0..1).
TERM_WEIGHT = 0.1


def answer_spans(
    session: Session,
    query: Any,
    question: str,
    passages: dict[PassageKey, Passage],
    vectors: PassageVectors | None = None,
) -> dict[PassageKey, tuple[int, int]]:
    """Per passage, the source span (char_start, char_end) of its answering window (`vectors`:
    the passages' own, when the caller has read them)."""
    # The question's own terms only: with their equivalents, as the ranking weighs them, the
    # answering sentence was found less often (dev library 0.780 against 0.805).
    terms = session.terms
    weights = term_weights(terms, terms.query_terms(question))
    total = sum(weights.values())
    if vectors is None:
        vectors = session.reader.passage_vectors(list(passages))
    spans = {}
    for index, key in enumerate(vectors.keys):
        passage = passages[key]
        similarities = window_similarities(vectors, index, query)
        windows = window_spans(passage, session.window_size)
        if len(similarities) != len(windows):  # not the windows this build embedded
            continue
        scores = [
            float(similarity) + TERM_WEIGHT * _term_share(passage, span, weights, total)
            for similarity, span in zip(similarities, windows, strict=True)
        ]
        spans[key] = windows[max(range(len(scores)), key=scores.__getitem__)]
    return spans


def term_weights(
    known: Terms, terms: Sequence[str], expansions: Sequence[Sequence[str]] = ()
) -> dict[str, float]:
    """The IDF of each of the question's terms the index knows, and of each term of their
    other-language equivalents (query.Query.expansions) at EXPANSION_WEIGHT (an English
    question's answer may stand in a Chinese sentence)."""
    weights = {t: known.idf(t) for t in set(terms) if t in known}
    for phrase in expansions:
        for term in phrase:
            if term in known and term not in weights:
                weights[term] = EXPANSION_WEIGHT * known.idf(term)
    return weights


def best_window_share(passage: Passage, weights: dict[str, float], size: int) -> float:
    """The largest weighted share of the question's terms that one sentence window holds."""
    total = sum(weights.values())
    return max(
        (_share(fold_text(text), weights, total) for text in windows(passage, size)), default=0.0
    )


def _term_share(
    passage: Passage, span: tuple[int, int], weights: dict[str, float], total: float
) -> float:
    text = passage.text[span[0] - passage.char_start : span[1] - passage.char_start]
    return _share(fold_text(text), weights, total)


def _share(folded: str, weights: dict[str, float], total: float) -> float:
    if total <= 0:
        return 0.0
    return sum(weight for term, weight in weights.items() if _holds(folded, term)) / total


def _holds(text: str, term: str) -> bool:
    # Latin terms as whole words ("rate" is not in "generate"); Chinese ones as substrings.
    if term.isascii():
        return re.search(rf"\b{re.escape(term)}", text) is not None
    return term in text
