"""Reading the live local build: records from SQLite, candidates from FAISS and the postings.

Inside a build, passages are rows (their place in the vector files and postings); outside, they
are keys (passage ids). A build writes each document's passages as a run of rows in document
order, so the reader computes one from the other (`_Layout`), without a lookup.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from reindustry_kb.errors import UnknownDocumentError
from reindustry_kb.index import records
from reindustry_kb.index.backend import (
    Candidates,
    DenseStats,
    Keys,
    PassageKey,
    PassageVectors,
    Similarities,
    TermStats,
    Weighted,
)
from reindustry_kb.index.local import layout, sql
from reindustry_kb.index.local.dense import DenseIndex
from reindustry_kb.index.local.lexical import LexicalIndex
from reindustry_kb.index.manifest import Manifest
from reindustry_kb.models import (
    CLAIM,
    Claim,
    ClaimFilters,
    Document,
    Filters,
    Passage,
    passage_key,
)

# Filters leaving at most this many passages are scored exactly, without FAISS.
EXACT_FILTER_LIMIT = 20_000
# Rows or keys looked up in one statement at most (SQLite's limit on parameters is 32,766).
CHUNK = 10_000


@dataclass
class LocalReader:
    """Read access to the live build; each part is loaded on first use. One reader a thread:
    its SQLite connection and memos are its own."""

    index_dir: Path
    build: Path
    manifest: Manifest
    _allowed: tuple[Filters, Any] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def open(cls, index_dir: Path) -> LocalReader:
        """Open the live build, checking its manifest and file sizes."""
        build = layout.current_build(index_dir)
        manifest = layout.read_manifest(index_dir)
        for file, size in manifest.files.items():
            path = build / file
            if not path.is_file() or path.stat().st_size != size:
                raise layout.corrupt(index_dir, f"{file} is missing or truncated")
        reader = cls(index_dir, build, manifest)
        reader.db  # noqa: B018 (a database that cannot be read is found here, not mid-build)
        return reader

    @cached_property
    def db(self) -> sqlite3.Connection:
        """The build's SQLite database, read-only."""
        try:
            db = sqlite3.connect(f"file:{self.build / 'kb.sqlite'}?mode=ro", uri=True)
            db.execute("SELECT count(*) FROM passages").fetchone()
        except sqlite3.DatabaseError as exc:
            raise layout.corrupt(self.index_dir, "kb.sqlite unreadable") from exc
        db.row_factory = sqlite3.Row
        return db

    @cached_property
    def dense(self) -> DenseIndex:
        """The dense index (vectors and FAISS)."""
        return DenseIndex(self.build)

    @cached_property
    def lexical(self) -> LexicalIndex:
        """The BM25 index."""
        return LexicalIndex.load(self.build)

    # --- records --------------------------------------------------------------------------

    def documents(self) -> list[Document]:
        rows = self._query(f"SELECT {records.DOCUMENT_COLUMNS} FROM documents ORDER BY doc_id")
        return [sql.document_of(row) for row in rows]

    def documents_by_id(self, doc_ids: Collection[str]) -> dict[str, Document]:
        found = self._in(f"SELECT {records.DOCUMENT_COLUMNS} FROM documents WHERE doc_id", doc_ids)
        return {row["doc_id"]: sql.document_of(row) for row in found}

    def document_text(self, doc_id: str) -> str | None:
        rows = self._query("SELECT text FROM documents WHERE doc_id = ?", (doc_id,))
        return str(rows[0]["text"]) if rows else None

    def passages(self, keys: Collection[PassageKey]) -> dict[PassageKey, Passage]:
        found = self._in(
            f"SELECT row, {records.PASSAGE_COLUMNS} FROM passages WHERE passage_id", keys
        )
        return {row["passage_id"]: self._passage(row) for row in found}

    def iter_passages(self) -> Iterator[Passage]:
        for row in self._query(f"SELECT row, {records.PASSAGE_COLUMNS} FROM passages ORDER BY row"):
            yield self._passage(row)

    def _passage(self, row: sqlite3.Row) -> Passage:
        return Passage(**{k: row[k] for k in row.keys() if k != "row"})  # noqa: SIM118

    def _claims(self, where: str, params: Sequence[Any]) -> list[Claim]:
        """Claims matching a SQL condition over claims (c) joined to documents (d)."""
        rows = self._query(
            f"SELECT c.data FROM claims c JOIN documents d USING (doc_id) WHERE {where} "
            "ORDER BY c.doc_id, c.char_start, c.kind",
            tuple(params),
        )
        return [CLAIM.validate_json(row["data"]) for row in rows]

    def claims_by_passage(self, keys: Sequence[PassageKey]) -> dict[PassageKey, list[Claim]]:
        result: dict[str, list[Claim]] = {key: [] for key in keys}
        for chunk in _chunks(list(keys)):
            marks = ",".join("?" * len(chunk))
            for claim in self._claims(f"c.passage_id IN ({marks})", chunk):
                result[claim.passage_id].append(claim)
        return result

    def claims_by_id(self, claim_ids: Sequence[str]) -> dict[str, Claim]:
        found: dict[str, Claim] = {}
        for chunk in _chunks(list(claim_ids)):
            marks = ",".join("?" * len(chunk))
            found |= {claim.id: claim for claim in self._claims(f"c.id IN ({marks})", chunk)}
        return found

    def find_claims(self, filters: ClaimFilters) -> list[Claim]:
        self.check_documents(filters.docs)
        return self._claims(*records.claim_where(filters))

    def check_documents(self, docs: Sequence[str]) -> None:
        for doc in docs:
            clause, params = records.doc_where([doc])
            if not self._query(f"SELECT 1 FROM documents d WHERE {clause} LIMIT 1", tuple(params)):
                raise UnknownDocumentError(
                    f"--doc {doc!r} matches no indexed document; `rkb docs` lists their ids"
                )

    # --- dense ----------------------------------------------------------------------------

    def dense_stats(self) -> DenseStats:
        dense = self.dense
        return DenseStats(dense.dim, dense.n, dense.groups, dense.centroids, dense.spreads)

    def dense_candidates(self, query: Any, pool: int, filters: Filters) -> Candidates:
        allowed = self._allowed_rows(filters)
        if allowed is not None and len(allowed) <= EXACT_FILTER_LIMIT:
            # Few enough to score every one: the lists are complete.
            return Candidates(self._keys(allowed.tolist()), {})
        rows, lasts = self.dense.candidates(query, allowed, pool)
        return Candidates(self._keys(rows.tolist()), lasts)

    def passage_vectors(self, keys: Sequence[PassageKey]) -> PassageVectors:
        rows = self._rows(keys)
        order = np.argsort(rows, kind="stable")  # read in file order
        groups, own, windows, offsets = self.dense.vectors_of(rows[order])
        ordered = [keys[i] for i in order.tolist()]
        return PassageVectors(ordered, groups, own, windows, offsets)

    def dense_similarities(self, keys: Sequence[PassageKey], query: Any) -> Similarities:
        return self.passage_vectors(keys).similarities(query)

    def passage_groups(self, keys: Collection[PassageKey]) -> dict[PassageKey, int]:
        if len(self.dense.groups) <= 1 or not keys:
            return dict.fromkeys(keys, 0)
        ordered = list(keys)
        groups = self.dense.row_group[self._rows(ordered)]
        return dict(zip(ordered, np.asarray(groups, dtype=np.int64).tolist(), strict=True))

    # --- lexical --------------------------------------------------------------------------

    def term_stats(self) -> TermStats:
        lexical = self.lexical
        return TermStats(lexical.n, list(lexical.groups), list(lexical.group_sizes))

    def document_frequencies(self, terms: Collection[str]) -> dict[str, tuple[int, ...]]:
        return self.lexical.document_frequencies(terms)

    def query_terms(self, text: str) -> list[str]:
        return self.lexical.query_terms(text)

    def lexical_scores(
        self, terms: Weighted, filters: Filters, limit: int | None = None, include: Keys = ()
    ) -> dict[PassageKey, float]:
        held = [row for row in self._passage_keys.rows(list(include)) if row is not None]
        wanted = np.asarray(held, dtype=np.int64)
        allowed = self._allowed_rows(filters)
        if allowed is None:
            scores = self.lexical.weighted_scores(terms, limit, wanted)
        else:
            every = self.lexical.weighted_scores(terms)
            rows = np.fromiter(every.keys(), dtype=np.int64, count=len(every))
            kept = rows[np.isin(rows, allowed, assume_unique=True)].tolist()
            scores = {row: every[row] for row in kept}
            if limit is not None and len(scores) > limit:
                best = sorted(scores, key=lambda row: -scores[row])[:limit]
                keep = set(best) | (set(wanted.tolist()) & scores.keys())
                scores = {row: scores[row] for row in sorted(keep)}
        keys = self._keys(scores.keys())
        return dict(zip(keys, scores.values(), strict=True))

    # --- for the next build ---------------------------------------------------------------

    def embedded_texts(self, digests: Collection[bytes]) -> dict[bytes, int]:
        rows = self._text_rows
        return {digest: rows[digest] for digest in digests if digest in rows}

    @cached_property
    def _text_rows(self) -> dict[bytes, int]:
        """Every recorded digest's row, read once (the files hold them in no order to search)."""
        return self.dense.text_rows()

    def embedded_vectors(self, handles: Any) -> Any:
        return self.dense.vectors(handles)

    # --- rows and keys --------------------------------------------------------------------

    @cached_property
    def _passage_keys(self) -> _Layout | _Lookup:
        """How rows and keys map: computed from where each document's passages start, when the
        build holds them as it writes them (a document's passages in a run of rows, numbered
        from 1; checked on its last row), else looked up by SQL."""
        found = self._query("SELECT doc_id, n_passages FROM documents ORDER BY rowid", plain=True)
        layout = _Layout([doc_id for doc_id, _ in found], [n for _, n in found])
        if layout.total == self.manifest.counts.passages and layout.total:
            last = self._query(
                "SELECT passage_id FROM passages WHERE row = ?", (layout.total - 1,), plain=True
            )
            if last and layout.keys([layout.total - 1]) == [last[0][0]]:
                return layout
        return _Lookup(self._query)

    def _allowed_rows(self, filters: Filters) -> Any | None:
        """The sorted rows of the passages the filters allow (None: no filter)."""
        if filters.is_empty():
            return None
        if self._allowed is None or self._allowed[0] != filters:
            where, params = records.passage_where(filters)
            # Documents first (CROSS JOIN fixes the order), then their passages from the
            # (doc_id, lang) index, which holds the row too: the passages' text is never read.
            # At a million passages a date filter takes 0.08 s this way, 0.6 s scanning them.
            found = self._query(
                "SELECT p.row FROM documents d CROSS JOIN passages p ON p.doc_id = d.doc_id "
                f"WHERE {where}",
                tuple(params),
                plain=True,
            )
            rows = np.sort(np.fromiter((row for (row,) in found), np.int64, count=len(found)))
            self._allowed = (filters, rows)
            return rows
        return self._allowed[1]

    def _keys(self, rows: Iterable[int]) -> list[PassageKey]:
        """The keys of these rows, in their order."""
        return self._passage_keys.keys(list(rows))

    def _rows(self, keys: Iterable[PassageKey]) -> Any:
        """The rows of these keys (which the build holds), in their order, as an int64 array."""
        rows = self._passage_keys.rows(list(keys))
        if None in rows:
            raise KeyError("a passage key the index does not hold")
        return np.asarray(rows, dtype=np.int64)

    def _in(self, select: str, values: Collection[str]) -> list[sqlite3.Row]:
        """`select` ending in a column name, for the rows whose column is one of `values`."""
        found: list[sqlite3.Row] = []
        for chunk in _chunks(list(values)):
            found += self._query(f"{select} IN ({','.join('?' * len(chunk))})", tuple(chunk))
        return found

    def _query(self, sql_text: str, params: tuple[Any, ...] = (), plain: bool = False) -> list[Any]:
        """The rows as sqlite3.Row, or as plain tuples (faster to make by the million)."""
        try:
            cursor = self.db.cursor()
            if plain:
                cursor.row_factory = None
            return list(cursor.execute(sql_text, params))
        except sqlite3.ProgrammingError:  # a misuse (another thread), not a damaged file
            raise
        except sqlite3.DatabaseError as exc:
            raise layout.corrupt(self.index_dir, "kb.sqlite unreadable") from exc


class _Layout:
    """Documents in row order, and the row each one's passages start at. A question converts
    the same few thousand rows and keys several times: those are remembered (up to MEMO)."""

    MEMO = 200_000

    def __init__(self, doc_ids: list[str], counts: list[int]) -> None:
        self.doc_ids = doc_ids
        self.starts = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
        self.total = int(self.starts[-1])
        firsts = self.starts[:-1].tolist()
        self.where = dict(zip(doc_ids, zip(firsts, counts, strict=True), strict=True))
        self._key_of: dict[int, PassageKey] = {}
        self._row_of: dict[PassageKey, int | None] = {}

    def keys(self, rows: list[int]) -> list[PassageKey]:
        known = self._key_of
        if len(known) > self.MEMO:
            self._forget()
        unknown = [row for row in rows if row not in known]
        if unknown:
            documents = np.searchsorted(self.starts, unknown, side="right") - 1
            numbers = (np.asarray(unknown) - self.starts[documents] + 1).tolist()
            for row, d, number in zip(unknown, documents.tolist(), numbers, strict=True):
                known[row] = key = passage_key(self.doc_ids[d], number)
                self._row_of[key] = row
        return [known[row] for row in rows]

    def rows(self, keys: list[PassageKey]) -> list[int | None]:
        """Each key's row, or None when the build holds no such passage."""
        known = self._row_of
        if len(known) > self.MEMO:
            self._forget()
        return [known[key] if key in known else self._row(key) for key in keys]

    def _row(self, key: PassageKey) -> int | None:
        doc_id, _, ordinal = key.rpartition("#p")
        first, count = self.where.get(doc_id, (0, 0))
        number = int(ordinal) if ordinal.isdigit() else 0
        self._row_of[key] = row = first + number - 1 if 1 <= number <= count else None
        if row is not None:
            self._key_of[row] = key
        return row

    def _forget(self) -> None:
        self._key_of.clear()
        self._row_of.clear()


class _Lookup:
    """Rows and keys looked up by SQL, and remembered."""

    def __init__(self, query: Callable[..., list[Any]]) -> None:
        self._query = query
        self._key_of: dict[int, PassageKey] = {}
        self._row_of: dict[PassageKey, int] = {}

    def keys(self, rows: list[int]) -> list[PassageKey]:
        self._look_up("row", [row for row in rows if row not in self._key_of])
        return [self._key_of[row] for row in rows]

    def rows(self, keys: list[PassageKey]) -> list[int | None]:
        self._look_up("passage_id", [key for key in keys if key not in self._row_of])
        return [self._row_of.get(key) for key in keys]

    def _look_up(self, column: str, values: list[Any]) -> None:
        for chunk in _chunks(values):
            marks = ",".join("?" * len(chunk))
            for row, key in self._query(
                f"SELECT row, passage_id FROM passages WHERE {column} IN ({marks})",
                tuple(chunk),
                True,
            ):
                self._key_of[int(row)] = key
                self._row_of[key] = int(row)


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
