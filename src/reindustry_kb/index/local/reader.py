"""Reading the live local build: records from SQLite, candidates from FAISS and the postings.

Inside a build, passages are rows (their place in the vector files and postings); outside, they
are keys (passage ids). The reader turns one into the other for the rows it hands out and
remembers them, so the vectors and scores asked for next need no lookup.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from reindustry_kb.errors import UnknownDocumentError
from reindustry_kb.index.backend import (
    Candidates,
    DenseStats,
    Keys,
    PassageKey,
    PassageVectors,
    TermStats,
    Weighted,
)
from reindustry_kb.index.local import layout, sql
from reindustry_kb.index.local.dense import DenseIndex
from reindustry_kb.index.local.lexical import LexicalIndex
from reindustry_kb.index.manifest import Manifest
from reindustry_kb.models import CLAIM, Claim, ClaimFilters, Document, Filters, Passage

# Filters leaving at most this many passages are scored exactly, without FAISS.
EXACT_FILTER_LIMIT = 20_000
# Rows or keys looked up in one statement at most (SQLite's limit on parameters is 32,766).
CHUNK = 10_000


@dataclass
class LocalReader:
    """Read access to the live build; each part is loaded on first use."""

    index_dir: Path
    build: Path
    manifest: Manifest
    _key_of: dict[int, PassageKey] = field(default_factory=dict)
    _row_of: dict[PassageKey, int] = field(default_factory=dict)
    _allowed: tuple[Filters, Any] | None = None  # the last filters' rows (sorted)

    @classmethod
    def open(cls, index_dir: Path) -> LocalReader:
        """Open the live build, checking its manifest and file sizes."""
        build = layout.current_build(index_dir)
        manifest = layout.read_manifest(index_dir)
        for file, size in manifest.files.items():
            path = build / file
            if not path.is_file() or path.stat().st_size != size:
                raise layout.corrupt(index_dir, f"{file} is missing or truncated")
        return cls(index_dir, build, manifest)

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
        rows = self._query(f"SELECT {sql.DOCUMENT_COLUMNS} FROM documents ORDER BY doc_id")
        return [sql.document_of(row) for row in rows]

    def documents_by_id(self, doc_ids: Collection[str]) -> dict[str, Document]:
        found = self._in(f"SELECT {sql.DOCUMENT_COLUMNS} FROM documents WHERE doc_id", doc_ids)
        return {row["doc_id"]: sql.document_of(row) for row in found}

    def document_text(self, doc_id: str) -> str | None:
        rows = self._query("SELECT text FROM documents WHERE doc_id = ?", (doc_id,))
        return str(rows[0]["text"]) if rows else None

    def passages(self, keys: Collection[PassageKey]) -> dict[PassageKey, Passage]:
        found = self._in(f"SELECT row, {sql.PASSAGE_COLUMNS} FROM passages WHERE passage_id", keys)
        return {row["passage_id"]: self._passage(row) for row in found}

    def iter_passages(self) -> Iterator[Passage]:
        for row in self._query(f"SELECT row, {sql.PASSAGE_COLUMNS} FROM passages ORDER BY row"):
            yield self._passage(row)

    def _passage(self, row: sqlite3.Row) -> Passage:
        self._remember(int(row["row"]), row["passage_id"])
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
        return self._claims(*sql.claim_where(filters))

    def check_documents(self, docs: Sequence[str]) -> None:
        for doc in docs:
            clause, params = sql.doc_where([doc])
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
        rows = np.sort(self._rows(keys))  # read in file order
        groups, own, windows, offsets = self.dense.vectors_of(rows)
        return PassageVectors(self._keys(rows.tolist()), groups, own, windows, offsets)

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
        self._look_up(include)
        wanted = self._rows([key for key in include if key in self._row_of])  # known keys
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

    def embedded_texts(self) -> dict[bytes, int]:
        return self.dense.text_rows()

    def embedded_vectors(self, handles: Any) -> Any:
        return self.dense.vectors(handles)

    # --- rows and keys --------------------------------------------------------------------

    def _allowed_rows(self, filters: Filters) -> Any | None:
        """The sorted rows of the passages the filters allow (None: no filter)."""
        if filters.is_empty():
            return None
        if self._allowed is None or self._allowed[0] != filters:
            where, params = sql.passage_where(filters)
            # Documents first (CROSS JOIN fixes the order), then their passages from the
            # (doc_id, lang) index, which holds the row too: the passages' text is never read.
            # At a million passages a date filter takes 0.08 s this way, 0.6 s scanning them.
            found = self._query(
                "SELECT p.row FROM documents d CROSS JOIN passages p ON p.doc_id = d.doc_id "
                f"WHERE {where}",
                tuple(params),
                plain=True,
            )
            rows = np.fromiter((row for (row,) in found), dtype=np.int64, count=len(found))
            self._allowed = (filters, np.sort(rows))
        return self._allowed[1]

    def _remember(self, row: int, key: PassageKey) -> None:
        self._key_of[row] = key
        self._row_of[key] = row

    def _keys(self, rows: Iterable[int]) -> list[PassageKey]:
        """The keys of these rows, in their order."""
        rows = list(rows)
        unknown = [row for row in rows if row not in self._key_of]
        for chunk in _chunks(unknown):
            marks = ",".join("?" * len(chunk))
            for row, key in self._query(
                f"SELECT row, passage_id FROM passages WHERE row IN ({marks})", tuple(chunk), True
            ):
                self._remember(int(row), key)
        return [self._key_of[row] for row in rows]

    def _rows(self, keys: Iterable[PassageKey]) -> Any:
        """The rows of these keys, in their order, as an int64 array."""
        keys = list(keys)
        self._look_up(keys)
        return np.fromiter((self._row_of[key] for key in keys), dtype=np.int64, count=len(keys))

    def _look_up(self, keys: Iterable[PassageKey]) -> None:
        """Remember the rows of those of these keys the build holds."""
        unknown = [key for key in keys if key not in self._row_of]
        for chunk in _chunks(unknown):
            marks = ",".join("?" * len(chunk))
            for row, key in self._query(
                f"SELECT row, passage_id FROM passages WHERE passage_id IN ({marks})",
                tuple(chunk),
                True,
            ):
                self._remember(int(row), key)

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
        except sqlite3.DatabaseError as exc:
            raise layout.corrupt(self.index_dir, "kb.sqlite unreadable") from exc


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
