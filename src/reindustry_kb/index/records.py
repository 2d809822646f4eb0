"""Records as SQL rows, and filters as SQL WHERE clauses, for every SQL backend: standard
SQL that SQLite and PostgreSQL read alike, every value a parameter (`?` placeholders; a
backend whose driver spells them otherwise converts with `placeholders`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from reindustry_kb.claims.lexicon import actor_names
from reindustry_kb.models import Claim, ClaimFilters, Document, Filters, Passage
from reindustry_kb.text.normalize import is_han

# Every document column but the decoded text, which only `document_text` needs (a PDF's may be
# megabytes).
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
    return " AND ".join(clauses) or "TRUE", params


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
    return " AND ".join(clauses) or "TRUE", params


def like_literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def placeholders(sql_text: str) -> str:
    """The clause with `%s` placeholders (psycopg's) for `?`: values are never inlined, so
    every `?` in the text is a placeholder."""
    return sql_text.replace("?", "%s")


def document_of(values: dict[str, Any]) -> Document:
    """A document from its row's columns (authors as JSON text)."""
    values = dict(values)
    values["authors"] = json.loads(values["authors"] or "[]")
    return Document(**values)
