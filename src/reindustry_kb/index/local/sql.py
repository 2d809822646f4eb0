"""The local index's SQLite database: its schema, rows from records and back, and filters as
SQL (every value a parameter)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from reindustry_kb.claims.lexicon import actor_names
from reindustry_kb.models import Claim, ClaimFilters, Document, Filters, Passage
from reindustry_kb.text.normalize import is_han

SCHEMA = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY, path TEXT, sha256 TEXT, title TEXT, date TEXT, lang TEXT,
    source TEXT, authors TEXT, n_passages INTEGER, n_claims INTEGER, format TEXT, pages INTEGER,
    text_sha256 TEXT, text TEXT
);
CREATE TABLE passages (
    row INTEGER PRIMARY KEY, passage_id TEXT UNIQUE, doc_id TEXT REFERENCES documents,
    ordinal INTEGER, text TEXT, char_start INTEGER, char_end INTEGER, line_start INTEGER,
    line_end INTEGER, speaker TEXT, section TEXT, lang TEXT, page_start INTEGER,
    page_end INTEGER, tokens TEXT
);
CREATE TABLE claims (
    id TEXT PRIMARY KEY, kind TEXT, doc_id TEXT REFERENCES documents, passage_id TEXT,
    char_start INTEGER, char_end INTEGER, line INTEGER, text TEXT,
    value_num REAL, value_text TEXT, unit TEXT, lever TEXT, canonical TEXT, data TEXT
);
"""
# Made after the rows are in: one sorted pass instead of a B-tree insert per row.
INDEXES = """
CREATE INDEX passages_doc ON passages(doc_id, lang);
CREATE INDEX claims_passage ON claims(passage_id);
CREATE INDEX claims_doc ON claims(doc_id);
CREATE INDEX claims_kind ON claims(kind);
"""


# Every column but the decoded text, which only `document_text` needs (a PDF's may be megabytes).
DOCUMENT_COLUMNS = (
    "doc_id, path, sha256, title, date, lang, source, authors, n_passages, n_claims, format, "
    "pages, text_sha256"
)
PASSAGE_COLUMNS = (
    "passage_id, doc_id, ordinal, text, char_start, char_end, line_start, line_end, speaker, "
    "section, lang, page_start, page_end"
)


def passage_row(p: Passage) -> tuple[Any, ...]:
    return (
        p.passage_id,
        p.doc_id,
        p.ordinal,
        p.text,
        p.char_start,
        p.char_end,
        p.line_start,
        p.line_end,
        p.speaker,
        p.section,
        p.lang,
        p.page_start,
        p.page_end,
    )


def document_row(d: Document, text: str) -> tuple[Any, ...]:
    return (
        d.doc_id,
        d.path,
        d.sha256,
        d.title,
        d.date,
        d.lang,
        d.source,
        json.dumps(d.authors, ensure_ascii=False),
        d.n_passages,
        d.n_claims,
        d.format,
        d.pages,
        d.text_sha256,
        text,
    )


def claim_row(claim: Claim) -> tuple[Any, ...]:
    """Columns to filter on, and the whole claim as JSON."""
    value = getattr(claim, "value", None)
    return (
        claim.id,
        claim.kind,
        claim.doc_id,
        claim.passage_id,
        claim.char_start,
        claim.char_end,
        claim.line,
        claim.text,
        value if isinstance(value, float) else None,
        value if isinstance(value, str) else None,
        getattr(claim, "unit", None),
        getattr(claim, "lever", None),
        getattr(claim, "canonical", None),
        claim.model_dump_json(),
    )


def doc_where(docs: Sequence[str]) -> tuple[str, list[Any]]:
    """Documents by id or path; a trailing * matches a prefix, _ and % are literal."""
    clause = " OR ".join(
        "(d.doc_id = ? OR d.path = ? OR d.doc_id LIKE ? ESCAPE '\\')" for _ in docs
    )
    params: list[Any] = []
    for doc in docs:
        literal = like_literal(doc.rstrip("*"))
        params += [doc, doc, literal + "%" if doc.endswith("*") else literal]
    return f"({clause})", params


def passage_where(filters: Filters) -> tuple[str, list[Any]]:
    """A WHERE clause over passages p joined to documents d."""
    clauses: list[str] = []
    params: list[Any] = []
    if filters.docs:
        clause, doc_params = doc_where(filters.docs)
        clauses.append(clause)
        params += doc_params
    # Dates compare at the precision asked for: --since 2025-07 keeps 2025-07-14.
    for bound, op in ((filters.since, ">="), (filters.until, "<=")):
        if bound:
            clauses.append(f"d.date IS NOT NULL AND substr(d.date, 1, ?) {op} ?")
            params += [len(bound), bound]
    if filters.lang:
        lang = filters.lang.lower()
        if lang in ("zh", "zh-hant", "zh-hans"):
            clauses.append("(lower(p.lang) LIKE ? OR p.lang = 'mixed')")
            params.append("zh%" if lang == "zh" else lang)
        else:
            clauses.append("(lower(p.lang) = ? OR p.lang = 'mixed')")
            params.append(lang)
    return " AND ".join(clauses) or "1", params


def claim_where(filters: ClaimFilters) -> tuple[str, list[Any]]:
    """A WHERE clause over claims c joined to documents d."""
    clauses: list[str] = []
    params: list[Any] = []
    kind = filters.kind
    if filters.unit or filters.min_value is not None or filters.max_value is not None:
        kind = kind or "statistic"
    if kind:
        clauses.append("c.kind = ?")
        params.append(kind)
    if filters.docs:
        clause, doc_params = doc_where(filters.docs)
        clauses.append(clause)
        params += doc_params
    if filters.unit:
        clauses.append("upper(c.unit) = upper(?)")
        params.append(filters.unit)
    if filters.min_value is not None:
        clauses.append("c.value_num >= ?")
        params.append(filters.min_value)
    if filters.max_value is not None:
        clauses.append("c.value_num <= ?")
        params.append(filters.max_value)
    for bound, op in ((filters.since, ">="), (filters.until, "<=")):
        if bound:
            clauses.append(
                f"(CASE WHEN c.kind = 'date' THEN substr(c.value_text, 1, ?) {op} ? "
                f"ELSE d.date IS NOT NULL AND substr(d.date, 1, ?) {op} ? END)"
            )
            params += [len(bound), bound, len(bound), bound]
    names = actor_names(filters.actor)
    if names:
        marks = ",".join("?" * len(names))
        clauses.append(
            "c.passage_id IN (SELECT passage_id FROM claims WHERE kind = 'actor' AND "
            f"(canonical IN ({marks}) OR text IN ({marks})))"
        )
        params += [*names, *names]
    if filters.lever:
        clauses.append(
            "c.passage_id IN (SELECT passage_id FROM claims "
            "WHERE kind = 'policy_lever' AND lever = ?)"
        )
        params.append(filters.lever)
    if filters.mentions:
        # Stored BM25 tokens are space-separated: a Latin term is a whole word between spaces,
        # a Chinese one may stand inside a longer word (锂 in 锂电池).
        words = " OR ".join("(' ' || tokens || ' ') LIKE ? ESCAPE '\\'" for _ in filters.mentions)
        clauses.append(f"c.passage_id IN (SELECT passage_id FROM passages WHERE {words})")
        params += [
            f"%{like_literal(t)}%" if is_han(t[0]) else f"% {like_literal(t)} %"
            for t in filters.mentions
        ]
    return " AND ".join(clauses) or "1", params


def like_literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def document_of(row: sqlite3.Row) -> Document:
    values = dict(row)
    values["authors"] = json.loads(values["authors"] or "[]")
    return Document(**values)
