"""Reading the live generation of a PostgreSQL library.

A reader is one REPEATABLE READ, READ ONLY transaction from open to exit: every query of a
command sees the same snapshot, so an export never mixes generations while `rkb index` writes,
and a reader needs nothing but SELECT. Dense candidates come from pgvector (an exact scan for
small lists, HNSW with iterative scans for large or filtered ones); every candidate is scored
by the query code from its vectors, as for the local backend. BM25 is summed by the server
over a postings table with the same formula as index/bm25.py.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import tempfile
import zlib
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from reindustry_kb.errors import IndexMissingError, UnknownDocumentError
from reindustry_kb.index import bm25, records
from reindustry_kb.index.backend import (
    KINDS,
    Candidates,
    DenseStats,
    Keys,
    PassageKey,
    PassageVectors,
    Similarities,
    TermStats,
    Weighted,
)
from reindustry_kb.index.manifest import Manifest
from reindustry_kb.index.moments import DenseMoments
from reindustry_kb.index.postgres import schema
from reindustry_kb.index.postgres.connect import connect, failures
from reindustry_kb.models import CLAIM, Claim, ClaimFilters, Document, Filters, Passage
from reindustry_kb.text.tokenize import QueryTokenizer

Q = records.placeholders
# Filters leaving at most this many passages are scored exactly (every one a candidate).
EXACT_FILTER_LIMIT = 20_000
# Lists (passages, windows) of at most this many vectors in all groups are scanned exactly;
# larger ones through each group's HNSW graph, a small group's too: with no index to read a
# group's rows alone, an exact scan of 5,000 English vectors reads all million Chinese ones.
EXACT_VECTORS = 20_000
EF_SEARCH_MIN, EF_SEARCH_MAX = 40, 1000  # pgvector's bounds for hnsw.ef_search
# hnsw.ef_search per candidate asked (windows, asked 3 x as many, reach pgvector's 1,000 cap
# first): at 1,018,025 passages (hashing embedder, 50 questions) the end-to-end recall@10 was
# 0.934 at 4, 0.938 at 6, 0.954 at 8, 0.958 at 10 (scripts/bench_server.py's recall).
EF_PER_CANDIDATE = 8
# Each list's vectors; a window's passages are those whose windows share its text (pids).
TABLES = {"passages": "passage_vectors", "windows": "window_embeddings"}
PIDS = {
    "passages": "SELECT v.pid, v.d FROM near v ORDER BY v.d, v.pid LIMIT %s",
    "windows": "SELECT w.pid, v.d FROM near v JOIN window_vectors w ON w.eid = v.eid{allowed} "
    "ORDER BY v.d, w.pid LIMIT %s",
}
# Each passage's inner product with the query and its best window's (NULL: none), computed
# where the vectors are: three numbers a passage cross the wire, not its vectors. In float32,
# as the local backend (halfvec -> vector is exact; a float16 query would round it).
SIMILARITIES = (
    "SELECT p.passage_id, v.grp, -(v.embedding::vector <#> %(q)s), -(SELECT min("
    "e.embedding::vector <#> %(q)s) FROM window_vectors w JOIN window_embeddings e "
    "ON e.eid = w.eid WHERE w.pid = p.pid) FROM passages p JOIN passage_vectors v "
    "ON v.pid = p.pid WHERE p.passage_id = ANY(%(keys)s) ORDER BY v.pid"
)
_CURSORS = itertools.count()
# Where a vector handle (embedded_texts) points: table, key column, handle % 2.
VECTOR_HANDLES = (("passage_vectors", "pid", 0), ("window_embeddings", "eid", 1))
# BM25 of a passage over the question's terms (q: each term with its IDF-weighted weight):
# tf (k1 + 1) / (tf + k1 (1 - b + b len / avgdl)), as index/bm25.py; parameters k1 + 1, k1,
# 1 - b, b, avgdl, then the terms and their weights.
SCORE = "sum(q.w * po.tf * %s / (po.tf + %s * (%s + %s * po.length / %s)))"
TERMS = "unnest(%s::text[], %s::float8[]) AS q(term, w)"
# A term in more passages than this proposes its best this many by impact (postings.rank).
TOP_POSTINGS = 5_000
FILTERED = "SELECT p.pid FROM passages p JOIN documents d ON d.doc_id = p.doc_id WHERE {}"
# The filter on a list's rows: its passage, or one of the passages whose windows share its text.
ALLOWED = {
    "passages": " AND v.pid IN ({})",
    "windows": " AND EXISTS (SELECT 1 FROM window_vectors w WHERE w.eid = v.eid AND w.pid IN ({}))",
}
CLAIMS = (
    "SELECT c.data FROM claims c JOIN documents d ON d.doc_id = c.doc_id WHERE {} "
    'ORDER BY c.doc_id COLLATE "C", c.char_start, c.kind COLLATE "C", c.id COLLATE "C"'
)


class PostgresReader:
    """The live generation, read in one snapshot."""

    def __init__(self, url: str, place: str, conn: Any, generation: str, manifest: Manifest):
        self.url, self.place, self.conn = url, place, conn
        self.schema, self.manifest = generation, manifest

    @classmethod
    def open(cls, url: str, place: str) -> PostgresReader:
        from pgvector.psycopg import register_vector
        from psycopg import IsolationLevel

        conn = connect(url)
        with failures(url):
            conn.isolation_level = IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            schema.check(conn, place)
            row = conn.execute("SELECT generation, manifest FROM rkb.library").fetchone()
            if row is None:
                raise IndexMissingError(
                    f"no library in the database at {place} yet; run `rkb index --db URL`"
                )
            path = f"{row[0]}, {schema.extension_schema(conn)}"
            conn.execute("SELECT set_config('search_path', %s, true)", (path,))
            register_vector(conn)
            layout = conn.execute("SELECT value FROM stats WHERE name = 'layout'").fetchone()
            schema.check_layout(bytes(layout[0]) if layout else b"", place)
        return cls(url, place, conn, str(row[0]), Manifest.model_validate_json(row[1]))

    def _rows(
        self, query: str, params: Sequence[Any] | Mapping[str, Any] = (), binary: bool = False
    ) -> list[Any]:
        with failures(self.url):
            found: list[Any] = self.conn.cursor(binary=binary).execute(query, params).fetchall()
        return found

    def _dicts(self, query: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        from psycopg.rows import dict_row

        with failures(self.url):
            cursor = self.conn.cursor(row_factory=dict_row)
            found: list[dict[str, Any]] = cursor.execute(query, params).fetchall()
        return found

    def stat(self, name: str) -> bytes:
        """A statistic the writer keeps (stats table): dense moments, lexical totals, vocab."""
        rows = self._rows("SELECT value FROM stats WHERE name = %s", (name,))
        return bytes(rows[0][0]) if rows else b""

    # --- records --------------------------------------------------------------------------

    def documents(self) -> list[Document]:
        found = self._dicts(
            f'SELECT {records.DOCUMENT_COLUMNS} FROM documents ORDER BY doc_id COLLATE "C"'
        )
        return [records.document_of(row) for row in found]

    def documents_by_id(self, doc_ids: Collection[str]) -> dict[str, Document]:
        found = self._dicts(
            f"SELECT {records.DOCUMENT_COLUMNS} FROM documents WHERE doc_id = ANY(%s)",
            (list(doc_ids),),
        )
        return {row["doc_id"]: records.document_of(row) for row in found}

    def document_text(self, doc_id: str) -> str | None:
        found = self._rows("SELECT text FROM documents WHERE doc_id = %s", (doc_id,))
        return str(found[0][0]) if found else None

    def passages(self, keys: Collection[PassageKey]) -> dict[PassageKey, Passage]:
        found = self._dicts(
            f"SELECT {records.PASSAGE_COLUMNS} FROM passages WHERE passage_id = ANY(%s)",
            (list(keys),),
        )
        return {row["passage_id"]: Passage(**row) for row in found}

    def iter_passages(self) -> Iterator[Passage]:
        from psycopg.rows import dict_row

        # A server-side cursor of its own name, closed with the generator (a caller that
        # stops early leaves no cursor behind to break the next one).
        name = f"rkb_passages_{next(_CURSORS)}"
        with failures(self.url), self.conn.cursor(name, row_factory=dict_row) as cursor:
            cursor.execute(f"SELECT {records.PASSAGE_COLUMNS} FROM passages ORDER BY pid")
            for row in cursor:
                yield Passage(**row)

    def _claims(self, where: str, params: Sequence[Any]) -> list[Claim]:
        return [CLAIM.validate_json(row[0]) for row in self._rows(CLAIMS.format(where), params)]

    def claims_by_passage(self, keys: Sequence[PassageKey]) -> dict[PassageKey, list[Claim]]:
        result: dict[str, list[Claim]] = {key: [] for key in keys}
        for claim in self._claims("c.passage_id = ANY(%s)", (list(keys),)):
            result[claim.passage_id].append(claim)
        return result

    def claims_by_id(self, claim_ids: Sequence[str]) -> dict[str, Claim]:
        return {claim.id: claim for claim in self._claims("c.id = ANY(%s)", (list(claim_ids),))}

    def find_claims(self, filters: ClaimFilters) -> list[Claim]:
        self.check_documents(filters.docs)
        where, params = records.claim_where(filters)
        return self._claims(Q(where), params)

    def check_documents(self, docs: Sequence[str]) -> None:
        for doc in docs:
            clause, params = records.doc_where([doc])
            if not self._rows(f"SELECT 1 FROM documents d WHERE {Q(clause)} LIMIT 1", params):
                raise UnknownDocumentError(
                    f"--doc {doc!r} matches no indexed document; `rkb docs` lists their ids"
                )

    # --- dense ----------------------------------------------------------------------------

    @cached_property
    def _moments(self) -> DenseMoments:
        return DenseMoments.from_bytes(self.stat("dense"))

    def dense_stats(self) -> DenseStats:
        return self._stats

    @cached_property
    def _stats(self) -> DenseStats:
        # The moments count each distinct text once; `n` is the passages, as everywhere.
        return replace(self._moments.stats(), n=sum(self.group_sizes()))

    @cached_property
    def _sizes(self) -> dict[str, list[int]]:
        """Rows of each list per group number: passages, and distinct window texts."""
        windows = list(json.loads(self.stat("windows") or b"[]"))
        groups = len(self._moments.groups)
        return {
            "passages": self.group_sizes(),
            "windows": [int(size) for size in windows] + [0] * (groups - len(windows)),
        }

    def group_sizes(self) -> list[int]:
        """Passages per group number (before 0.12.3 the moments counted every passage, and
        the writer kept no other count)."""
        groups = len(self._moments.groups)
        if stored := self.stat("passages"):
            sizes = [int(size) for size in json.loads(stored)]
            return sizes + [0] * (groups - len(sizes))
        return [int(size) for size in self._moments.counts[:, 0]]

    def dense_candidates(self, query: Any, pool: int, filters: Filters) -> Candidates:
        from pgvector import HalfVector

        chosen, params = "", list[Any]()
        if not filters.is_empty():
            where, params = records.passage_where(filters)
            chosen = FILTERED.format(Q(where))
            if self._rows(f"SELECT count(*) FROM ({chosen}) x", params)[0][0] <= EXACT_FILTER_LIMIT:
                keys = self._rows(
                    f"SELECT passage_id FROM passages WHERE pid IN ({chosen}) ORDER BY pid", params
                )
                return Candidates([key for (key,) in keys], {})
        vector = HalfVector(np.asarray(query, dtype=np.float16))
        pids: set[int] = set()
        lasts: dict[tuple[str, str], float] = {}
        for number, group in enumerate(self._moments.groups):
            for kind in KINDS:
                size = self._sizes[kind][number]
                if size == 0:
                    continue
                k = pool * (3 if kind == "windows" else 1)
                exact = sum(self._sizes[kind]) <= EXACT_VECTORS
                found = self._nearest(kind, number, vector, k, exact, chosen, params)
                pids.update(pid for pid, _ in found)
                if len(found) == k:
                    lasts[kind, group] = min(-distance for _, distance in found)
                elif not exact and (chosen or len(found) < min(k, size)):
                    # The graph's scan stopped before the list's end (or a filter hides how
                    # many there are): what lies deeper is unknown.
                    lasts[kind, group] = float(np.inf)
        keys = self._rows(
            "SELECT passage_id FROM passages WHERE pid = ANY(%s) ORDER BY pid", (sorted(pids),)
        )
        return Candidates([key for (key,) in keys], lasts)

    def _nearest(
        self, kind: str, group: int, vector: Any, k: int, exact: bool, chosen: str, params: Any
    ) -> list[tuple[int, float]]:
        """One list's best k passages: (pid, negative inner product), by an exact scan when
        the list is small (the +0 keeps the planner off the graph), else through the HNSW
        graph. A window text's passages come in order of the text's similarity, cut at k:
        one the cut leaves out scores no better than the last returned, as the bound needs.
        `chosen` selects the passages a filter allows (none: all)."""
        if not exact:
            ef = str(min(EF_SEARCH_MAX, max(EF_SEARCH_MIN, EF_PER_CANDIDATE * k)))
            self._rows(
                "SELECT set_config('hnsw.ef_search', %s, true), "
                "set_config('hnsw.iterative_scan', 'relaxed_order', true)",
                (ef,),
            )
        order = "(v.embedding <#> %s) + 0" if exact else "v.embedding <#> %s"
        key = "pid" if kind == "passages" else "eid"
        allowed = ALLOWED[kind].format(chosen) if chosen else ""
        # The group as a literal (a number of rkb's own): the planner picks its partial graph.
        near = (
            f"SELECT v.{key}, v.embedding <#> %s AS d FROM {TABLES[kind]} v "
            f"WHERE v.grp = {int(group)}{allowed} ORDER BY {order} LIMIT %s"
        )
        pass_on = f" AND w.pid IN ({chosen})" if chosen else ""
        found = self._rows(
            f"WITH near AS MATERIALIZED ({near}) {PIDS[kind].format(allowed=pass_on)}",
            (vector, *params, vector, k, *(params if kind == "windows" else ()), k),
        )
        return [(int(pid), float(distance)) for pid, distance in found]

    def passage_vectors(self, keys: Sequence[PassageKey]) -> PassageVectors:
        dim = self.manifest.dim
        own = self._rows(
            "SELECT p.passage_id, v.pid, v.grp, v.embedding FROM passages p "
            "JOIN passage_vectors v ON v.pid = p.pid WHERE p.passage_id = ANY(%s) ORDER BY v.pid",
            (list(keys),),
            binary=True,
        )
        pids = [row[1] for row in own]
        windows = self._rows(
            "SELECT w.pid, e.embedding FROM window_vectors w JOIN window_embeddings e "
            "USING (eid) WHERE w.pid = ANY(%s) ORDER BY w.pid, w.wid",
            (pids,),
            binary=True,
        )
        counts = np.zeros(len(pids), dtype=np.int64)
        where = {pid: n for n, pid in enumerate(pids)}
        for pid, _ in windows:
            counts[where[pid]] += 1
        return PassageVectors(
            [row[0] for row in own],
            np.asarray([row[2] for row in own], dtype=np.int64),
            _stacked([row[3] for row in own], dim),
            _stacked([row[1] for row in windows], dim),
            np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        )

    def dense_similarities(self, keys: Sequence[PassageKey], query: Any) -> Similarities:
        from pgvector import Vector

        vector = Vector(np.asarray(query, dtype=np.float32))
        rows = self._rows(SIMILARITIES, {"q": vector, "keys": list(keys)})
        best = [-np.inf if row[3] is None else row[3] for row in rows]
        return Similarities(
            [row[0] for row in rows],
            np.asarray([row[1] for row in rows], dtype=np.int64),
            np.asarray([row[2] for row in rows], dtype=np.float32),
            np.asarray(best, dtype=np.float32),
        )

    def passage_groups(self, keys: Collection[PassageKey]) -> dict[PassageKey, int]:
        found = self._rows(
            "SELECT passage_id, grp FROM passages WHERE passage_id = ANY(%s)", (list(keys),)
        )
        return {key: int(group) for key, group in found}

    # --- lexical --------------------------------------------------------------------------

    @cached_property
    def _lexical(self) -> dict[str, int]:
        data = self.stat("lexical")
        return {"n": 0, "length": 0} if not data else dict(json.loads(data))

    def term_stats(self) -> TermStats:
        return TermStats(self._lexical["n"], list(self._moments.groups), self.group_sizes())

    def document_frequencies(self, terms: Collection[str]) -> dict[str, tuple[int, ...]]:
        found: dict[str, list[int]] = {}
        width = len(self._moments.groups)
        for term, group, df in self._rows(
            "SELECT term, grp, df FROM terms WHERE term = ANY(%s)", (list(terms),)
        ):
            found.setdefault(term, [0] * width)[group] = int(df)
        return {term: tuple(dfs) for term, dfs in found.items()}

    def query_terms(self, text: str) -> list[str]:
        return self._query_tokenizer(text)

    @cached_property
    def _query_tokenizer(self) -> QueryTokenizer:
        """The library's vocabulary, kept in a cache folder by its digest with jieba's parse
        of it, so a new process loads neither again."""
        stored = self.stat("vocab")
        vocabulary = zlib.decompress(stored) if stored else b""
        digest = hashlib.sha256(vocabulary).hexdigest()[:16]
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        for base in (root / "reindustry-kb", Path(tempfile.gettempdir()) / "reindustry-kb"):
            folder = base / f"vocab-{digest}"
            try:
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / "vocab.txt"
                if not path.is_file():
                    temporary = folder / f".vocab.{os.getpid()}"
                    temporary.write_bytes(vocabulary)
                    os.replace(temporary, path)
                return QueryTokenizer(path)
            except OSError:
                continue
        return QueryTokenizer(None)

    def lexical_scores(
        self, terms: Weighted, filters: Filters, limit: int | None = None, include: Keys = ()
    ) -> dict[PassageKey, float]:
        """BM25 summed by the server. Without a filter, the best `limit` come from each term's
        postings, or when a term is in more than TOP_POSTINGS passages, from its TOP_POSTINGS
        best by impact, every candidate then scored over all its terms: a common word costs
        the same at a million passages as at ten thousand."""
        weights: dict[str, float] = {}
        for term, weight in terms:
            weights[term] = weights.get(term, 0.0) + weight
        n, length = self._lexical["n"], self._lexical["length"]
        frequencies = self.document_frequencies(weights)
        chosen = [t for t in weights if t in frequencies]
        if not chosen:
            return {}
        idf = [weights[t] * bm25.idf(n, sum(frequencies[t])) for t in chosen]
        avgdl = max(length / max(n, 1), 1e-9)
        scoring = [bm25.K1 + 1, bm25.K1, 1 - bm25.B, bm25.B, avgdl, chosen, idf]
        if limit is None or not filters.is_empty():
            return self._filtered_scores(scoring, filters, limit, include)
        if max(sum(frequencies[t]) for t in chosen) <= TOP_POSTINGS:
            best = self._rows(
                f"SELECT p.passage_id, x.s FROM (SELECT po.pid, {SCORE} AS s FROM postings po "
                f"JOIN {TERMS} ON q.term = po.term GROUP BY po.pid ORDER BY s DESC LIMIT %s) x "
                "JOIN passages p ON p.pid = x.pid",
                [*scoring, limit],
            )
            found = {key: float(score) for key, score in best}
        else:
            pids = self._rows(
                f"SELECT po.pid FROM {TERMS} CROSS JOIN LATERAL (SELECT pid, tf, length FROM "
                "postings WHERE term = q.term ORDER BY rank DESC LIMIT %s) po GROUP BY po.pid "
                f"ORDER BY {SCORE} DESC LIMIT %s",
                [chosen, idf, TOP_POSTINGS, *scoring[:5], 2 * limit],
            )
            every = self._scores_of(scoring, "po.pid = ANY(%s)", [pid for (pid,) in pids])
            found = dict(sorted(every.items(), key=lambda item: -item[1])[:limit])
        if wanted := [key for key in include if key not in found]:
            chosen_keys = "po.pid IN (SELECT pid FROM passages WHERE passage_id = ANY(%s))"
            found |= self._scores_of(scoring, chosen_keys, wanted)
        return found

    def _scores_of(self, scoring: list[Any], which: str, values: list[Any]) -> dict[str, float]:
        """The full BM25 scores of the passages a condition on postings (po) picks."""
        found = self._rows(
            f"SELECT p.passage_id, x.s FROM (SELECT po.pid, {SCORE} AS s FROM postings po "
            f"JOIN {TERMS} ON q.term = po.term WHERE {which} GROUP BY po.pid) x "
            "JOIN passages p ON p.pid = x.pid",
            [*scoring, values],
        )
        return {key: float(score) for key, score in found}

    def _filtered_scores(
        self, scoring: list[Any], filters: Filters, limit: int | None, include: Keys
    ) -> dict[PassageKey, float]:
        """Every posting of the terms summed, the filters joined in the same statement."""
        where, params = records.passage_where(filters)
        scored = (
            f"SELECT p.passage_id, x.s FROM (SELECT po.pid, {SCORE} AS s FROM postings po "
            f"JOIN {TERMS} ON q.term = po.term GROUP BY po.pid) x "
            "JOIN passages p ON p.pid = x.pid JOIN documents d ON d.doc_id = p.doc_id "
            f"WHERE {Q(where)}"
        )
        first = [*scoring, *params]
        if limit is None:
            found = dict(self._rows(scored, first))
        else:
            found = dict(self._rows(f"{scored} ORDER BY x.s DESC LIMIT %s", [*first, limit]))
            if wanted := [key for key in include if key not in found]:
                found |= dict(self._rows(f"{scored} AND p.passage_id = ANY(%s)", [*first, wanted]))
        return {key: float(score) for key, score in found.items()}

    # --- for the next generation ----------------------------------------------------------

    def embedded_texts(self, digests: Collection[bytes]) -> dict[bytes, int]:
        """Digest -> handle: 2 pid for a passage's vector, 2 eid + 1 for a window's."""
        found: dict[bytes, int] = {}
        wanted = list(digests)
        for table, column, odd in VECTOR_HANDLES:
            for digest, number in self._rows(
                f"SELECT digest, {column} FROM {table} WHERE digest = ANY(%s) ORDER BY {column}",
                (wanted,),
                binary=True,
            ):
                found.setdefault(bytes(digest), 2 * int(number) + odd)
        return found

    def embedded_vectors(self, handles: Any) -> Any:
        handles = np.asarray(handles, dtype=np.int64)
        out = np.empty((len(handles), self.manifest.dim), dtype=np.float16)
        for table, column, odd in VECTOR_HANDLES:
            mine = handles % 2 == odd
            if not mine.any():
                continue
            numbers = (handles[mine] // 2).tolist()
            rows = dict(
                self._rows(
                    f"SELECT {column}, embedding FROM {table} WHERE {column} = ANY(%s)",
                    (sorted(set(numbers)),),
                    binary=True,
                )
            )
            out[mine] = _stacked([rows[number] for number in numbers], self.manifest.dim)
        return out


def _stacked(vectors: list[Any], dim: int) -> Any:
    """float16 [n, dim] from pgvector's HalfVector values."""
    if not vectors:
        return np.zeros((0, dim), dtype=np.float16)
    return np.stack([vector.to_numpy() for vector in vectors]).astype(np.float16, copy=False)
