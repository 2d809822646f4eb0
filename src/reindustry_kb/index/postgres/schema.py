"""The library's tables. Two levels:

- schema `rkb`, made once and migrated forward: which generation is live (`rkb.library`),
  the schema version, a sequence numbering generations;
- one schema per generation (`rkb_g<N>`): documents, passages, claims, vectors, postings and
  statistics, the same tables the local backend keeps in SQLite and files. A rebuild writes a
  new one and publishes it by pointing `rkb.library` at it; an update with the same build
  configuration changes the live one in place, in one transaction.

Readers need only SELECT (and USAGE on the schemas); the writer creates schemas.
"""

from __future__ import annotations

from typing import Any

from reindustry_kb.errors import DatabaseError, IndexMissingError

VERSION = 1
# MIGRATIONS[n] brings a library at schema version n to n + 1 (0: none yet).
MIGRATIONS = [
    """
    CREATE SCHEMA IF NOT EXISTS rkb;
    CREATE TABLE rkb.schema_version (version integer NOT NULL);
    INSERT INTO rkb.schema_version VALUES (0);
    CREATE TABLE rkb.library (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        generation text NOT NULL,  -- the schema of the live generation
        previous text,  -- the one before: kept while a reader may still read it
        summary text NOT NULL,  -- index.manifest.Summary, JSON
        manifest text NOT NULL,  -- index.manifest.Manifest, JSON
        published_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE SEQUENCE rkb.generations;
    """,
]
PGVECTOR_MIN = (0, 8)  # iterative index scans (filtered searches that return enough rows)
# The layout of a generation's tables (stats 'layout'). A generation of another layout is not
# read: the writer rebuilds it (2: window vectors stored once per distinct text).
LAYOUT = 2
# A generation's tables. Columns as the local backend's (index/records.py's rows), plus each
# passage's row number (pid: its vectors and postings name it), language group number and
# BM25 length.
TABLES = """
CREATE TABLE documents (
    doc_id text PRIMARY KEY, path text, sha256 text, title text, date text, lang text,
    source text, authors text, n_passages integer, n_claims integer, format text,
    pages integer, text_sha256 text, text text
);
CREATE TABLE passages (
    pid bigint PRIMARY KEY, passage_id text NOT NULL, doc_id text NOT NULL, ordinal integer,
    text text, char_start integer, char_end integer, line_start integer, line_end integer,
    speaker text, section text, lang text, page_start integer, page_end integer,
    tokens text, grp smallint NOT NULL, length integer NOT NULL
);
CREATE TABLE claims (
    id text, kind text, doc_id text, passage_id text, char_start integer, char_end integer,
    line integer, text text, value_num double precision, value_text text, unit text,
    lever text, canonical text, data text
);
CREATE TABLE passage_vectors (
    pid bigint PRIMARY KEY, grp smallint NOT NULL, digest bytea, embedding halfvec({dim}) NOT NULL
);
-- A sentence window's vector once per distinct text and language group: boilerplate repeated
-- across a library ("This Act takes effect on the date of promulgation.") is one node of the
-- graph, not thousands of equal ones that crowd out every other neighbour of a question.
CREATE TABLE window_embeddings (
    eid bigint PRIMARY KEY, grp smallint NOT NULL, digest bytea, embedding halfvec({dim}) NOT NULL
);
CREATE TABLE window_vectors (wid bigint PRIMARY KEY, pid bigint NOT NULL, eid bigint NOT NULL);
-- BM25: one row per term and passage; lengths here so a query needs no join to score. `rank`
-- orders a term's postings by their BM25 impact at the average length when written: a common
-- term's best postings are read first (the score itself uses today's average).
CREATE TABLE postings (term text NOT NULL, pid bigint NOT NULL, tf integer NOT NULL,
    length integer NOT NULL, rank real NOT NULL);
CREATE TABLE terms (term text NOT NULL, grp smallint NOT NULL, df integer NOT NULL,
    PRIMARY KEY (term, grp));
CREATE TABLE stats (name text PRIMARY KEY, value bytea NOT NULL);
"""
TABLE_NAMES = (
    "documents",
    "passages",
    "claims",
    "passage_vectors",
    "window_embeddings",
    "window_vectors",
    "postings",
    "terms",
    "stats",
)
# HNSW graph parameters (pgvector's defaults), and the memory its build may take.
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 64
MAINTENANCE_WORK_MEM = "1GB"
# Made once the rows of a new generation are in: one sorted pass, not an insert per row.
INDEXES = """
CREATE UNIQUE INDEX ON passages (passage_id);
CREATE INDEX ON passages (doc_id, lang);
CREATE INDEX ON claims (passage_id);
CREATE INDEX ON claims (doc_id);
CREATE INDEX ON claims (kind);
CREATE INDEX ON claims (id);
CREATE INDEX ON window_vectors (pid);
CREATE INDEX ON window_vectors (eid);
CREATE INDEX ON passage_vectors USING hash (digest);
CREATE INDEX ON window_embeddings USING hash (digest);
CREATE INDEX ON claims (kind, canonical);
CREATE INDEX ON claims (kind, lever);
CREATE INDEX ON claims (kind, unit, value_num);
CREATE INDEX ON documents (date);
CREATE INDEX ON postings (term, pid) INCLUDE (tf, length);
CREATE INDEX ON postings (term, rank DESC) INCLUDE (pid, tf, length);
CREATE INDEX ON postings (pid);
"""


GRAPHED = ("passage_vectors", "window_embeddings")  # the tables searched by similarity


def graph_indexes(groups: int) -> list[str]:
    """One HNSW graph per language group and kind, each over its group's rows alone (a partial
    index): a search within a small group through a graph of all of them finds too few of its
    own (a Chinese question's neighbours are Chinese; the English ones lie past the scan's
    limit). A group that appears in an update gets its graphs then."""
    return [
        f"CREATE INDEX IF NOT EXISTS {table}_graph_{group} ON {table} USING hnsw "
        f"(embedding halfvec_ip_ops) WITH (m = {HNSW_M}, ef_construction = "
        f"{HNSW_EF_CONSTRUCTION}) WHERE grp = {group}"
        for group in range(groups)
        for table in GRAPHED
    ]


# Roles (README, "A team library") the writer grants each generation to, when they exist.
READER_ROLE = "rkb_read"
WRITER_ROLE = "rkb_write"


def version(conn: Any) -> int:
    """The library's schema version (0: no library in this database)."""
    found = conn.execute("SELECT to_regclass('rkb.schema_version') IS NOT NULL").fetchone()
    if not found[0]:
        return 0
    return int(conn.execute("SELECT version FROM rkb.schema_version").fetchone()[0])


def check(conn: Any, place: str) -> None:
    """A library this rkb reads, or one line saying what to do."""
    found = version(conn)
    if found == 0:
        raise IndexMissingError(
            f"no library in the database at {place} yet; run `rkb index --db URL` to build one"
        )
    if found < VERSION:
        raise DatabaseError(
            f"the library at {place} has schema version {found}, this rkb reads {VERSION}; run "
            "`rkb index --db URL` once (as the writer) to migrate it"
        )
    if found > VERSION:
        raise DatabaseError(
            f"the library at {place} was made by a newer rkb (schema version {found}); upgrade: "
            "pip install -U 'reindustry-kb[server]'"
        )


def check_layout(found: bytes, place: str) -> None:
    """A live generation of this rkb's LAYOUT (stats 'layout'; none: 0.9.0's), or one line."""
    layout = int(found) if found else 1
    if layout < LAYOUT:
        raise DatabaseError(
            f"the library at {place} was built by an older rkb; run `rkb index --db URL` once "
            "(as the writer) to rebuild it"
        )
    if layout > LAYOUT:
        raise DatabaseError(
            f"the library at {place} was built by a newer rkb; upgrade: "
            "pip install -U 'reindustry-kb[server]'"
        )


def migrate(conn: Any, place: str) -> None:
    """Bring the library's tables to VERSION (the writer, under its lock), and make sure
    pgvector is there and new enough."""
    _ensure_pgvector(conn, place)
    with conn.transaction():
        for number in range(version(conn), VERSION):
            conn.execute(MIGRATIONS[number])
            conn.execute("UPDATE rkb.schema_version SET version = %s", (number + 1,))


def _ensure_pgvector(conn: Any, place: str) -> None:
    from reindustry_kb.index.postgres.connect import driver

    psycopg = driver()
    try:
        with conn.transaction():
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except psycopg.Error as exc:
        raise DatabaseError(
            f"the database at {place} has no pgvector, and this user may not add it "
            f"({str(exc).splitlines()[0]}); have an administrator run CREATE EXTENSION vector "
            "(pgvector >= 0.8)"
        ) from None
    row = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
    found = tuple(int(part) for part in str(row[0]).split(".")[:2])
    if found < PGVECTOR_MIN:
        raise DatabaseError(
            f"the database at {place} has pgvector {row[0]}; rkb needs 0.8 or newer: ALTER "
            "EXTENSION vector UPDATE"
        )


def extension_schema(conn: Any) -> str:
    """The schema pgvector's types are in (public, or where an administrator put them)."""
    row = conn.execute(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'vector'"
    ).fetchone()
    if row is None:
        raise DatabaseError("the database has no pgvector extension; CREATE EXTENSION vector")
    return str(row[0])
