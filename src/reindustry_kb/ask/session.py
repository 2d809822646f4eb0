"""The query service: an open index and its embedder answer questions, list claims and
documents, and show cited lines. Building lives in build.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reindustry_kb.ask.search import hybrid_search, query_vector
from reindustry_kb.embed.embedder import Embedder, QueryMemo, get_embedder
from reindustry_kb.errors import EmbedderMismatchError, RkbError
from reindustry_kb.index.local.store import IndexReader, read_manifest
from reindustry_kb.models import (
    NO_FILTERS,
    AskResult,
    Claim,
    Document,
    Filters,
    Hit,
    Passage,
    citation_of,
)
from reindustry_kb.settings import Settings

if TYPE_CHECKING:
    from reindustry_kb.models import ClaimFilters


@dataclass
class Session:
    """An open index and the embedder that may query it."""

    reader: IndexReader
    embedder: Embedder

    @classmethod
    def open(cls, settings: Settings) -> Session:
        """Open the index with the embedder that built it, or explain the mismatch."""
        reader = IndexReader.open(settings.index_dir)
        built_with = (reader.manifest.embedder, reader.manifest.model)
        wanted = settings.embedder or built_with[0]
        if wanted != built_with[0] or (settings.model and settings.model != built_with[1]):
            raise EmbedderMismatchError(
                f"the index was built with {built_with[0]} ({built_with[1]}), not "
                f"{wanted} ({settings.model or 'default model'}); rebuild it with "
                f"`rkb index --embedder {wanted}` or query without --embedder/--model"
            )
        return cls(reader, QueryMemo(get_embedder(built_with[0], built_with[1])))


def clean_question(question: str) -> str:
    """The question stripped, or a one-line error when there is none."""
    question = question.strip()
    if not question:
        raise RkbError('the question is empty; ask something, e.g. rkb ask "美國關稅收入"')
    return question


def ask(
    settings: Settings, question: str, k: int | None = None, filters: Filters = NO_FILTERS
) -> AskResult:
    """Open the index and answer one question."""
    question = clean_question(question)
    return ask_in(Session.open(settings), question, k or settings.k, filters)


def ask_in(session: Session, question: str, k: int, filters: Filters = NO_FILTERS) -> AskResult:
    """Answer a question from an open session: ranked, cited passages with their claims."""
    question = clean_question(question)
    session.reader.check_documents(filters.docs)
    results = hybrid_search(session.reader, session.embedder, question, k, filters)
    passages = session.reader.passages([r.row for r in results])
    documents = session.reader.documents_by_id({p.doc_id for p in passages.values()})
    claims = session.reader.claims_by_passage([p.passage_id for p in passages.values()])
    answers = _answers(session, question, passages)
    hits = []
    for rank, result in enumerate(results, start=1):
        p = passages[result.row]
        answer = answers.get(result.row, (p.char_start, p.char_end))
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
    session: Session, question: str, passages: dict[int, Passage]
) -> dict[int, tuple[int, int]]:
    """Per passage row, the span of the sentences that answer (see answer.py)."""
    from reindustry_kb.ask.answer import answer_spans

    if not passages or session.reader.dense.n == 0:
        return {}
    vector = query_vector(session.reader, session.embedder, question)
    return answer_spans(session.reader, vector, question, passages)


def list_claims(settings: Settings, filters: ClaimFilters) -> list[Claim]:
    """The claims the filters select."""
    return IndexReader.open(settings.index_dir).find_claims(filters)


def list_documents(settings: Settings) -> list[Document]:
    """Every indexed document with its metadata and counts."""
    read_manifest(settings.index_dir)  # fails clearly when there is no index
    return IndexReader.open(settings.index_dir).documents()


_CITATION = re.compile(r"^(?P<doc>.+?):(?:p(?P<page>\d+):)?L(?P<start>\d+)(?:-L?(?P<end>\d+))?$")


@dataclass
class Excerpt:
    document: Document
    citation: str
    line_start: int
    line_end: int
    lines: list[tuple[int, str]]  # (1-based line number, text) including context


def show(settings: Settings, citation: str, context: int = 2) -> Excerpt:
    """The lines a citation names, with context."""
    match = _CITATION.match(citation.strip())
    if not match:
        raise RkbError(
            f"{citation!r} is not a citation; expected DOC_ID:L<start>-L<end>, e.g. 001_x:L3-L5"
        )
    reader = IndexReader.open(settings.index_dir)
    doc_id = match["doc"]
    documents = {d.doc_id: d for d in reader.documents()}
    text = reader.document_text(doc_id)
    if text is None or doc_id not in documents:
        raise RkbError(f"no document {doc_id!r} in the index; list them with `rkb docs`")
    all_lines = text.split("\n")
    start = int(match["start"])
    end = int(match["end"] or start)
    if not 1 <= start <= end <= len(all_lines):
        raise RkbError(f"{doc_id} has lines 1-{len(all_lines)}; {citation} is outside them")
    first, last = max(1, start - context), min(len(all_lines), end + context)
    lines = [(n, all_lines[n - 1]) for n in range(first, last + 1)]
    page = int(match["page"]) if match["page"] else None
    return Excerpt(documents[doc_id], citation_of(doc_id, start, end, page), start, end, lines)
