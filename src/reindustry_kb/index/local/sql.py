"""The local index's SQLite database: its schema. Rows and filters are index/records.py's,
shared with the PostgreSQL backend."""

from __future__ import annotations

import sqlite3

from reindustry_kb.index import records
from reindustry_kb.models import Document

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


def document_of(row: sqlite3.Row) -> Document:
    return records.document_of(dict(row))
