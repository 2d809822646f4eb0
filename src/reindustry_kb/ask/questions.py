"""`rkb ask`: a question answered with ranked, cited passages, their claims, the sentences
in each that answer, and how likely each is to answer (ask/confidence.py)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from reindustry_kb.ask.confidence import (
    LEAD_DEPTH,
    RERANKER_THRESHOLD,
    Calibration,
    Signals,
    evidence,
)
from reindustry_kb.ask.copies import without_copies
from reindustry_kb.ask.dense import score, window_similarities
from reindustry_kb.ask.places import asked_places, asked_share, document_places
from reindustry_kb.ask.query import analyse, concepts
from reindustry_kb.ask.search import hybrid_search, query_vector
from reindustry_kb.ask.second_stage import Scored
from reindustry_kb.ask.session import Session
from reindustry_kb.errors import RkbError
from reindustry_kb.index.backend import PassageKey, PassageVectors
from reindustry_kb.ingest.segment import shown_span, shown_text
from reindustry_kb.models import (
    NO_FILTERS,
    AskResult,
    Document,
    Filters,
    Hit,
    Passage,
)

# The passages of a file's copies, by the passage kept (ask/copies.py).
Copies = dict[PassageKey, list[Passage]]


def clean_question(question: str, example: str = 'rkb ask "美國關稅收入"') -> str:
    """The question stripped, or a one-line error when there is none (`example`: the command
    it names as a fix)."""
    question = question.strip()
    if not question:
        raise RkbError(f"the question is empty; ask something, e.g. {example}")
    return question


def ask(session: Session, question: str, k: int, filters: Filters = NO_FILTERS) -> AskResult:
    """Answer a question (stripped and not empty: clean_question) with ranked, cited passages,
    their claims, answering sentences and, where the embedder is calibrated, the probability
    that each answers."""
    return ask_with_evidence(session, question, k, filters)[0]


def ask_with_evidence(
    session: Session, question: str, k: int, filters: Filters = NO_FILTERS
) -> tuple[AskResult, list[dict[str, float]]]:
    """`ask`, and the evidence (confidence.FEATURES) of each hit, for fitting a calibration."""
    session.reader.check_documents(filters.docs)
    results, passages, documents, copies = _distinct(session, question, max(k, LEAD_DEPTH), filters)
    claims = session.reader.claims_by_passage([result.key for result in results[:k]])
    found = _evidence(session, question, results, passages, documents)
    answers = found[0] if found else {}
    rows = found[1] if found else []
    calibration = session.calibration if rows else None
    # A reranker without a fitted calibration: its own probability (a hit's score), unfitted.
    own = calibration is None and session.reranker is not None
    threshold = calibration.threshold if calibration else RERANKER_THRESHOLD if own else None
    hits = []
    for rank, result in enumerate(results[:k], start=1):
        p = passages[result.key]
        answer = answers.get(result.key, (p.char_start, p.char_end))
        doc = documents[p.doc_id]
        clean, clean_answer = _shown(p, answer)
        row = rows[rank - 1] if calibration is not None else {}
        probability, weak = _probability(calibration, own, row, result.score)
        hits.append(
            Hit(
                rank=rank,
                score=round(result.score, 4),
                doc_id=p.doc_id,
                title=doc.title,
                date=doc.date,
                passage_id=p.passage_id,
                text=p.text,
                char_start=p.char_start,
                char_end=p.char_end,
                line_start=p.line_start,
                line_end=p.line_end,
                citation=p.citation,
                speaker=p.speaker,
                claims=claims[p.passage_id],
                page_start=p.page_start,
                page_end=p.page_end,
                answer_start=answer[0],
                answer_end=answer[1],
                probability=probability,
                weak=weak,
                clean_text=clean,
                clean_answer_start=clean_answer[0],
                clean_answer_end=clean_answer[1],
                copies=[copy.citation for copy in copies.get(result.key, [])],
            )
        )
    answered = AskResult(
        query=question,
        hits=hits,
        no_good_match=bool(hits) and all(hit.weak for hit in hits),
        threshold=threshold,
        probability_from=_probability_from(session, calibration.key if calibration else None),
    )
    return answered, rows[:k]


def _distinct(
    session: Session, question: str, depth: int, filters: Filters
) -> tuple[list[Scored], dict[PassageKey, Passage], dict[str, Document], Copies]:
    """The best `depth` results without the passages of a file's copies (ask/copies.py), in
    rank order, their passages and documents, and the copies of each kept hit's passage."""
    # Twice as deep, so that `depth` distinct hits remain when copies go (the first stage reads
    # its best second_stage.DEPTH whatever the depth: no cost for a usual k).
    results = hybrid_search(session, question, 2 * depth, filters)
    passages = session.reader.passages([r.key for r in results])
    documents = session.reader.documents_by_id({p.doc_id for p in passages.values()})
    distinct, copies = without_copies(
        results,
        lambda r: (passages[r.key].doc_id, passages[r.key].char_start, passages[r.key].char_end),
        documents,
    )
    kept = distinct[:depth]
    copied = {
        result.key: [passages[copy.key] for copy in found]
        for result, found in zip(kept, copies, strict=False)
        if found
    }
    return kept, {r.key: passages[r.key] for r in kept}, documents, copied


def _shown(passage: Passage, answer: tuple[int, int]) -> tuple[str, tuple[int, int]]:
    """A passage's clean text and its answer's span in it (`answer`: in the source)."""
    clean, where = shown_text(passage.text)
    start, end = answer[0] - passage.char_start, answer[1] - passage.char_start
    return clean, shown_span(clean, where, start, end)


def _probability(
    calibration: Calibration | None, own: bool, row: dict[str, float], hit_score: float
) -> tuple[float | None, bool]:
    """A hit's probability and weak flag: the calibration's from its evidence `row`, or a
    reranker's own (its score) when it has none; rounded as shown, so that a shown
    probability reads as its flag."""
    if calibration is not None:
        probability = round(calibration.probability(row), 4)
        return probability, probability < calibration.threshold
    if own:
        probability = round(hit_score, 4)
        return probability, probability < RERANKER_THRESHOLD
    return None, False


def _probability_from(session: Session, calibration: str | None) -> str | None:
    """What a hit's probability is: a fitted calibration's, or a reranker's own."""
    if calibration is not None:
        return f"calibration {calibration}"
    if session.reranker is not None:
        return f"reranker {session.reranker.name} (its own sigmoid, not calibrated)"
    return None


def _evidence(
    session: Session,
    question: str,
    results: list[Scored],
    passages: dict[PassageKey, Passage],
    documents: dict[str, Document],
) -> tuple[dict[PassageKey, tuple[int, int]], list[dict[str, float]]] | None:
    """Per passage the span of the sentences that answer (see answer.py), and per result its
    evidence (see confidence.py); None for an index without vectors."""
    from reindustry_kb.ask.answer import answer_spans

    if not passages or session.dense.n == 0:
        return None
    vector = query_vector(session, question)
    vectors = session.reader.passage_vectors(list(passages))
    ideas = concepts(question, session.terms)
    countries = sorted(asked_places(question))
    signals = _signals(session, countries, vector, vectors, results, documents, passages)
    hits = [(passages[result.key], signals[result.key]) for result in results]
    weighted = analyse(question, session.terms).weighted_terms()
    return (
        answer_spans(session, vector, question, passages, vectors),
        evidence(session.terms, question, ideas, weighted, hits),
    )


def _signals(
    session: Session,
    countries: list[str],
    vector: Any,
    vectors: PassageVectors,
    results: list[Scored],
    documents: dict[str, Document],
    passages: dict[PassageKey, Passage],
) -> dict[PassageKey, Signals]:
    """Each result's raw cosines, standardised dense score and BM25."""
    import numpy as np

    dense = score(session.dense, vectors, vector)
    lexical = {result.key: result.lexical or 0.0 for result in results}
    named = _countries(session, countries, documents)
    own = np.asarray(vectors.own, dtype=np.float32) @ vector
    found = {}
    for index, key in enumerate(vectors.keys):
        windows = window_similarities(vectors, index, vector)
        date = documents[passages[key].doc_id].date
        found[key] = Signals(
            cosine=float(own[index]),
            window_cosine=float(windows.max()) if len(windows) else float(own[index]),
            dense=dense[key],
            lexical=lexical[key],
            year=date[:4] if date else None,
            countries=frozenset(named.get(passages[key].doc_id, ())),
            place_share=asked_share(countries, named.get(passages[key].doc_id, Counter())),
        )
    return found


def _countries(
    session: Session, asked: list[str], documents: dict[str, Document]
) -> dict[str, Counter[str]]:
    """How often each document names each place (its actor claims), when the question asks
    about one: an article of a Taiwan law answers a question about Taiwan without naming it."""
    if not asked:
        return {}
    return document_places(session.reader, documents, session.places)
