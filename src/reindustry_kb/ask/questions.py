"""`rkb ask`: a question answered with ranked, cited passages, their claims, and the sentences
in each that answer."""

from __future__ import annotations

from reindustry_kb.ask.search import hybrid_search, query_vector
from reindustry_kb.ask.session import Session
from reindustry_kb.errors import RkbError
from reindustry_kb.index.backend import PassageKey
from reindustry_kb.models import NO_FILTERS, AskResult, Filters, Hit, Passage


def clean_question(question: str) -> str:
    """The question stripped, or a one-line error when there is none."""
    question = question.strip()
    if not question:
        raise RkbError('the question is empty; ask something, e.g. rkb ask "美國關稅收入"')
    return question


def ask(session: Session, question: str, k: int, filters: Filters = NO_FILTERS) -> AskResult:
    """Answer a question (stripped and not empty: clean_question) with ranked, cited passages,
    their claims and answering sentences."""
    session.reader.check_documents(filters.docs)
    results = hybrid_search(session, question, k, filters)
    passages = session.reader.passages([r.key for r in results])
    documents = session.reader.documents_by_id({p.doc_id for p in passages.values()})
    claims = session.reader.claims_by_passage([p.passage_id for p in passages.values()])
    answers = _answers(session, question, passages)
    hits = []
    for rank, result in enumerate(results, start=1):
        p = passages[result.key]
        answer = answers.get(result.key, (p.char_start, p.char_end))
        doc = documents[p.doc_id]
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
            )
        )
    return AskResult(query=question, hits=hits)


def _answers(
    session: Session, question: str, passages: dict[PassageKey, Passage]
) -> dict[PassageKey, tuple[int, int]]:
    """Per passage, the span of the sentences that answer (see answer.py)."""
    from reindustry_kb.ask.answer import answer_spans

    if not passages or session.dense.n == 0:
        return {}
    vector = query_vector(session, question)
    return answer_spans(session, vector, question, passages)
