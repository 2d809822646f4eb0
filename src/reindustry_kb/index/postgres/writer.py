"""A new generation of a PostgreSQL library, written in one transaction.

Two ways, by what the live generation lends:
- a *rebuild* (no library yet, or a new build configuration) creates a schema `rkb_g<N>`,
  loads it with COPY before any index exists, builds the indexes (HNSW graphs included) and
  points `rkb.library` at it: readers keep the old schema until they start again;
- an *update* (the same configuration) changes the live schema in place: unchanged documents
  are not touched (their rows and HNSW entries stay), a changed or removed document's rows are
  deleted and a new one's inserted, and the running statistics (DenseMoments, document
  frequencies, BM25 lengths) are adjusted by what came and went. DenseMoments sum each
  distinct text's vector once, as the local backend does: a passage text's when the first
  row holding it comes and when its last one goes, a window text's with its vector row.
Either way nothing is visible before COMMIT: readers read one snapshot, and a writer killed
half-way leaves the live generation as it was (the server rolls the transaction back).
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from reindustry_kb.errors import IndexCorruptError
from reindustry_kb.index import bm25, records
from reindustry_kb.index.backend import Part
from reindustry_kb.index.manifest import Manifest, Summary
from reindustry_kb.index.moments import DenseMoments
from reindustry_kb.index.postgres import schema
from reindustry_kb.index.postgres.connect import connect, driver, failures
from reindustry_kb.models import Document, language_group
from reindustry_kb.text.tokenize import vocabulary_lines

if TYPE_CHECKING:
    from reindustry_kb.index.postgres.reader import PostgresReader

Q = records.placeholders
# COPY's text format: a backslash, tab, newline or carriage return in a value is escaped.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class PostgresWriter:
    """Use as a context manager: leaving it without `publish` rolls everything back."""

    def __init__(self, url: str, place: str, dim: int, live: PostgresReader | None) -> None:
        from psycopg import sql

        self.url, self.place, self.dim = url, place, dim
        self.conn = connect(url)
        self.in_place = live is not None
        self.written: set[str] = set()  # documents added or carried
        self.retired: set[str] = set()  # documents of the live generation whose rows are gone
        self.df: Counter[tuple[str, int]] = Counter()  # (term, group) -> change in df
        # (group, text digest) -> eid of its window vector, for the texts this build has met
        self.eids: dict[tuple[int, bytes], int] = {}
        self.released: set[int] = set()  # eids whose windows an update deleted
        # The passage texts whose vectors the moments hold, as _text(group, digest), for the
        # texts this build has met (17 bytes each: a fresh build meets the whole library's)
        self.texts: set[bytes] = set()
        with failures(url):
            if live is None:
                number = self.conn.execute("SELECT nextval('rkb.generations')").fetchone()[0]
                self.schema = f"rkb_g{int(number)}"
                self.conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(self.schema)))
                self._use_schema()
                self.conn.execute(schema.TABLES.format(dim=int(dim)))
                self.moments = DenseMoments.empty(dim)
                self.n, self.length, self.pid, self.wid, self.eid = 0, 0, 0, 0, 0
                self.sizes: list[int] = []  # passages per group number
                self.live_docs: set[str] = set()
            else:
                self.schema = live.schema
                self._use_schema()
                self.moments = DenseMoments.from_bytes(live.stat("dense"))
                lexical = json.loads(live.stat("lexical"))
                self.n, self.length = int(lexical["n"]), int(lexical["length"])
                self.pid = self._next("SELECT max(pid) FROM passages")
                self.wid = self._next("SELECT max(wid) FROM window_vectors")
                self.eid = self._next("SELECT max(eid) FROM window_embeddings")
                self.sizes = live.group_sizes()
                self.live_docs = {r[0] for r in self.conn.execute("SELECT doc_id FROM documents")}

    def _use_schema(self) -> None:
        from pgvector.psycopg import register_vector

        path = f"{self.schema}, {schema.extension_schema(self.conn)}"
        self.conn.execute("SELECT set_config('search_path', %s, true)", (path,))
        register_vector(self.conn)

    def _next(self, query: str) -> int:
        found = self.conn.execute(query).fetchone()[0]
        return 0 if found is None else int(found) + 1

    def __enter__(self) -> PostgresWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.conn.closed:  # not published: nothing of it was ever visible
            self.conn.rollback()
            self.conn.close()

    # --- documents --------------------------------------------------------------------------

    def add_document(self, doc: Document, text: str, part: Part) -> None:
        with failures(self.url):
            if doc.doc_id in self.live_docs and doc.doc_id not in self.retired:
                self._retire([doc.doc_id])  # changed: its old rows go first
            marks = ",".join(["%s"] * 14)
            self.conn.execute(
                f"INSERT INTO documents VALUES ({marks})", records.document_row(doc, text)
            )
        self.written.add(doc.doc_id)
        self.add_part(part)

    def add_part(self, part: Part) -> None:
        passages, vectors = part.passages, part.vectors
        groups = [self.moments.number(language_group(p.lang)) for p in passages]
        once = self._new_texts(groups, vectors.passage_keys)  # before this part's rows exist
        pids = list(range(self.pid, self.pid + len(passages)))
        counts: Any = np.diff(np.asarray(vectors.offsets, dtype=np.int64))
        owners = np.repeat(np.asarray(pids, dtype=np.int64), counts)
        window_groups = np.repeat(np.asarray(groups, dtype=np.int64), counts)
        cursor = self.conn.cursor()
        with failures(self.url):
            columns = f"pid, {records.PASSAGE_COLUMNS}, tokens, grp, length"
            with cursor.copy(f"COPY passages ({columns}) FROM STDIN") as copy:
                for pid, p, tokens, group in zip(pids, passages, part.tokens, groups, strict=True):
                    copy.write_row(
                        (pid, *records.passage_row(p), " ".join(tokens), group, len(tokens))
                    )
            with cursor.copy("COPY claims FROM STDIN") as copy:
                for claim in part.claims:
                    copy.write_row(records.claim_row(claim))
            lengths = sum(len(tokens) for tokens in part.tokens)
            avgdl = max((self.length + lengths) / max(self.n + len(passages), 1), 1.0)
            # Lines of COPY's text format made here: a postings table is ~100 rows a passage,
            # and write_row's per-value adaptation was most of a build's writing time.
            lines = []
            for pid, tokens, group in zip(pids, part.tokens, groups, strict=True):
                norm = bm25.K1 * (1 - bm25.B + bm25.B * len(tokens) / avgdl)
                for term, tf in Counter(tokens).items():
                    impact = tf * (bm25.K1 + 1) / (tf + norm)
                    lines.append(
                        f"{term.translate(COPY_ESCAPES)}\t{pid}\t{tf}\t{len(tokens)}\t{impact!r}\n"
                    )
                    self.df[term, group] += 1
            with cursor.copy("COPY postings (term, pid, tf, length, rank) FROM STDIN") as copy:
                copy.write("".join(lines).encode("utf-8"))
            self._copy_vectors(
                "passage_vectors (pid, grp, digest, embedding)",
                [pids, groups],
                vectors.passage_keys,
                vectors.passages,
            )
            self._copy_windows(owners, window_groups, vectors.window_keys, vectors.windows)
        self.moments.add(0, vectors.passages[once], [groups[n] for n in once])
        for group in groups:
            _count(self.sizes, group, 1)
        self.n += len(passages)
        self.length += sum(len(tokens) for tokens in part.tokens)
        self.pid += len(passages)

    def _new_texts(self, groups: list[int], digests: Any) -> list[int]:
        """Which of these passages bring a text the library holds no row of yet, each text
        once (a passage of no known text is its own)."""
        keys = [_text(group, _digest(digests, n)) for n, group in enumerate(groups)]
        if self.in_place:
            unseen = sorted({key[1:] for key in keys if key and key not in self.texts})
            if unseen:
                self.texts.update(
                    _text(group, bytes(digest))
                    for group, digest in self.conn.cursor(binary=True).execute(
                        "SELECT DISTINCT grp, digest FROM passage_vectors WHERE digest = ANY(%s)",
                        (unseen,),
                    )
                )
        once = []
        for n, key in enumerate(keys):
            if not key or key not in self.texts:
                once.append(n)
                if key:
                    self.texts.add(key)
        return once

    def _copy_vectors(
        self, table: str, columns: Sequence[Sequence[int]], digests: Any, vectors: Any
    ) -> None:
        """Rows of (id, group, digest, vector), in binary COPY (a vector's float16 as is)."""
        from pgvector import HalfVector

        with self.conn.cursor().copy(f"COPY {table} FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(["int8", "int2", "bytea", "halfvec"])
            for n, row in enumerate(zip(*columns, strict=True)):
                copy.write_row(
                    (*row, _digest(digests, n), HalfVector(np.asarray(vectors[n], np.float16)))
                )

    def _copy_windows(self, owners: Any, groups: Any, digests: Any, vectors: Any) -> None:
        """Each window's row (its passage, its vector's eid), and a vector row for each text
        the library holds no vector of yet in that group."""
        keys = [(group, _digest(digests, n)) for n, group in enumerate(groups.tolist())]
        if self.in_place:
            self._known([(g, d) for g, d in keys if d is not None and (g, d) not in self.eids])
        rows, new = [], []
        for n, (group, digest) in enumerate(keys):
            eid = None if digest is None else self.eids.get((group, digest))
            if eid is None:
                eid, self.eid = self.eid, self.eid + 1
                new.append(n)
                if digest is not None:
                    self.eids[group, digest] = eid
            rows.append((self.wid + n, int(owners[n]), eid))
        self.moments.add(1, vectors[new], groups[new])
        self._copy_vectors(
            "window_embeddings (eid, grp, digest, embedding)",
            [[rows[n][2] for n in new], [int(groups[n]) for n in new]],
            None if digests is None else [digests[n] for n in new],
            [vectors[n] for n in new],
        )
        with self.conn.cursor().copy(
            "COPY window_vectors (wid, pid, eid) FROM STDIN WITH (FORMAT BINARY)"
        ) as copy:
            copy.set_types(["int8", "int8", "int8"])
            for row in rows:
                copy.write_row(row)
        self.wid += len(rows)

    def _known(self, keys: list[tuple[int, bytes]]) -> None:
        """Learn the eids the live generation holds for these (group, digest) texts (an
        update: a new generation's own are all in self.eids already)."""
        if not keys:
            return
        for group, digest, eid in self.conn.cursor(binary=True).execute(
            "SELECT grp, digest, eid FROM window_embeddings WHERE digest = ANY(%s)",
            (sorted({digest for _, digest in keys}),),
        ):
            self.eids[int(group), bytes(digest)] = int(eid)

    def set_counts(self, doc_id: str, n_passages: int, n_claims: int) -> None:
        with failures(self.url):
            self.conn.execute(
                "UPDATE documents SET n_passages = %s, n_claims = %s WHERE doc_id = %s",
                (n_passages, n_claims, doc_id),
            )

    def carry(self, doc: Document) -> None:
        """An unchanged document stays where it is: only a new path is written."""
        if not self.in_place or doc.doc_id not in self.live_docs:
            raise IndexCorruptError(
                f"the library at {self.place} lists {doc.doc_id} without its passages; run "
                "`rkb index --db URL --replace` to rebuild it"
            )
        with failures(self.url):
            self.conn.execute(
                "UPDATE documents SET path = %s WHERE doc_id = %s AND path IS DISTINCT FROM %s",
                (doc.path, doc.doc_id, doc.path),
            )
        self.written.add(doc.doc_id)

    def _retire(self, doc_ids: list[str]) -> None:
        """Delete documents' rows from the live generation, taking their vectors, terms and
        lengths out of the running statistics first."""
        if not doc_ids:
            return
        mine = "SELECT pid FROM passages WHERE doc_id = ANY(%s)"
        for term, group, count in self.conn.execute(
            "SELECT po.term, p.grp, count(*) FROM postings po JOIN passages p USING (pid) "
            "WHERE p.doc_id = ANY(%s) GROUP BY 1, 2",
            (doc_ids,),
        ):
            self.df[term, group] -= count
        n, length = self.conn.execute(
            "SELECT count(*), coalesce(sum(length), 0) FROM passages WHERE doc_id = ANY(%s)",
            (doc_ids,),
        ).fetchone()
        self.n -= int(n)
        self.length -= int(length)
        self.conn.execute(f"DELETE FROM postings WHERE pid IN ({mine})", (doc_ids,))
        deleted = self.conn.cursor(binary=True).execute(
            f"DELETE FROM passage_vectors WHERE pid IN ({mine}) RETURNING grp, digest, embedding",
            (doc_ids,),
        )
        self._forget_texts(deleted.fetchall())
        released = self.conn.execute(
            f"DELETE FROM window_vectors WHERE pid IN ({mine}) RETURNING eid", (doc_ids,)
        )
        self.released.update(eid for (eid,) in released)
        for table in ("claims", "passages", "documents"):
            self.conn.execute(f"DELETE FROM {table} WHERE doc_id = ANY(%s)", (doc_ids,))
        self.retired.update(doc_ids)

    def _forget_texts(self, rows: list[Any]) -> None:
        """Take deleted passage rows (group, digest, vector) out of the statistics: from the
        moments, each text whose last row this was, once."""
        for group, _, _ in rows:
            _count(self.sizes, int(group), -1)
        digests = sorted({bytes(d) for _, d, _ in rows if d is not None})
        left = {
            _text(group, bytes(digest))
            for group, digest in self.conn.cursor(binary=True).execute(
                "SELECT DISTINCT grp, digest FROM passage_vectors WHERE digest = ANY(%s)",
                (digests,),
            )
        }
        gone: dict[bytes | int, tuple[int, Any]] = {}  # a text (or an unknown one's row)
        for number, (group, digest, vector) in enumerate(rows):
            key = _text(group, bytes(digest)) if digest is not None else number
            if key not in left:
                gone.setdefault(key, (int(group), vector.to_numpy()))
        self.texts.difference_update(key for key in gone if isinstance(key, bytes))
        if gone:
            found = np.stack([vector for _, vector in gone.values()])
            self.moments.add(0, found, [group for group, _ in gone.values()], sign=-1)

    # --- publishing -------------------------------------------------------------------------

    def publish(self, manifest: Manifest) -> None:
        """Complete the generation and make it live, in one COMMIT."""
        with failures(self.url):
            self._retire(sorted(self.live_docs - self.written - self.retired))
            self._release()
            self._write_stats(vocabulary=self._write_terms() or not self.in_place)
            self.conn.execute(
                "SELECT set_config('maintenance_work_mem', %s, true)",
                (schema.MAINTENANCE_WORK_MEM,),
            )
            if not self.in_place:
                self.conn.execute(schema.INDEXES)
            for statement in schema.graph_indexes(len(self.moments.groups)):
                self.conn.execute(statement)
            if not self.in_place:  # the new generation's tables, not the whole database
                self.conn.execute(f"ANALYZE {', '.join(schema.TABLE_NAMES)}")
            self._grant()
            manifest = manifest.model_copy(update={"build": self.schema})
            summary = Summary.model_validate(manifest.model_dump(include=set(Summary.model_fields)))
            self.conn.execute(
                "INSERT INTO rkb.library (generation, previous, summary, manifest) "
                "VALUES (%s, NULL, %s, %s) ON CONFLICT (one) DO UPDATE SET "
                "previous = CASE WHEN rkb.library.generation = EXCLUDED.generation "
                "THEN rkb.library.previous ELSE rkb.library.generation END, "
                "generation = EXCLUDED.generation, summary = EXCLUDED.summary, "
                "manifest = EXCLUDED.manifest, published_at = now()",
                (self.schema, summary.model_dump_json(), manifest.model_dump_json()),
            )
            self.conn.commit()
            if not self.in_place:
                self._drop_stale()
        self.conn.close()

    def _release(self) -> None:
        """Delete the window vectors no window uses any more (a changed document's windows
        that came back kept theirs: the eids were looked up before this)."""
        gone = (
            self.conn.cursor(binary=True)
            .execute(
                "DELETE FROM window_embeddings e WHERE e.eid = ANY(%s) AND NOT EXISTS "
                "(SELECT 1 FROM window_vectors w WHERE w.eid = e.eid) RETURNING grp, embedding",
                (sorted(self.released),),
            )
            .fetchall()
        )
        if gone:
            found = np.stack([vector.to_numpy() for _, vector in gone])
            self.moments.add(1, found, [group for group, _ in gone], sign=-1)

    def _write_terms(self) -> bool:
        """Document frequencies changed by what came and went; whether the vocabulary did
        (a term new to the library, or one gone from it)."""
        changed = [(term, group, df) for (term, group), df in self.df.items() if df]
        self.conn.execute(
            "CREATE TEMP TABLE new_terms (term text, grp smallint, df integer) ON COMMIT DROP"
        )
        with self.conn.cursor().copy("COPY new_terms FROM STDIN") as copy:
            for row in changed:
                copy.write_row(row)
        added = self.conn.execute(
            "INSERT INTO terms SELECT term, grp, df FROM new_terms ON CONFLICT (term, grp) "
            "DO UPDATE SET df = terms.df + EXCLUDED.df RETURNING xmax = 0"  # xmax 0: inserted
        ).fetchall()
        gone = self.conn.execute(  # only the terms this build changed: no scan of them all
            "DELETE FROM terms t USING new_terms n WHERE t.term = n.term AND t.grp = n.grp "
            "AND t.df <= 0"
        ).rowcount
        return any(inserted for (inserted,) in added) or gone > 0

    def _write_stats(self, vocabulary: bool) -> None:
        """The running statistics, and the query vocabulary when its terms changed (at a
        million passages it is millions of terms: not rewritten for an edit that adds none)."""
        dense = self.moments.to_bytes()  # settles the sums: the counts below are whole
        values = {
            "layout": str(schema.LAYOUT).encode(),
            # window vectors per group, one a distinct text: as many as the moments count
            "windows": json.dumps(self.moments.counts[:, 1].tolist()).encode(),
            "passages": json.dumps(self.sizes).encode(),
            "dense": dense,
            "lexical": json.dumps({"n": self.n, "length": self.length}).encode(),
        }
        if vocabulary:
            terms = [row[0] for row in self.conn.execute("SELECT DISTINCT term FROM terms")]
            lines = "\n".join(vocabulary_lines(sorted(terms))) + "\n"
            values["vocab"] = zlib.compress(lines.encode("utf-8"))
        for name, value in values.items():
            self.conn.execute(
                "INSERT INTO stats VALUES (%s, %s) ON CONFLICT (name) "
                "DO UPDATE SET value = EXCLUDED.value",
                (name, value),
            )

    def _grant(self) -> None:
        """The roles README's "A team library" sets up, when they exist: readers may read the
        library and this generation, writers (CI, any member) may also change them."""
        from psycopg import sql

        roles = {
            name
            for (name,) in self.conn.execute(
                "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)",
                ([schema.READER_ROLE, schema.WRITER_ROLE],),
            )
        }
        grants = {schema.READER_ROLE: ("USAGE", "SELECT"), schema.WRITER_ROLE: ("ALL", "ALL")}
        for role in sorted(roles):
            on_schema, on_tables = grants[role]
            for name in ("rkb", self.schema):
                values = {"schema": sql.Identifier(name), "role": sql.Identifier(role)}
                self.conn.execute(
                    sql.SQL(f"GRANT {on_schema} ON SCHEMA {{schema}} TO {{role}}").format(**values)
                )
                self.conn.execute(
                    sql.SQL(
                        f"GRANT {on_tables} ON ALL TABLES IN SCHEMA {{schema}} TO {{role}}"
                    ).format(**values)
                )
                if role == schema.WRITER_ROLE:
                    self.conn.execute(
                        sql.SQL("GRANT ALL ON ALL SEQUENCES IN SCHEMA {schema} TO {role}").format(
                            **values
                        )
                    )

    def _drop_stale(self) -> None:
        """Generations neither live nor the one before (a reader may still be in that one):
        dropped when no reader holds them, else left for the next build."""
        from psycopg import sql

        self.conn.autocommit = True
        kept = self.conn.execute("SELECT generation, previous FROM rkb.library").fetchone()
        stale = self.conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rkb\\_g%%' "
            "AND nspname <> ALL(%s)",
            ([name for name in kept if name],),
        ).fetchall()
        self.conn.execute("SET lock_timeout = '2s'")
        for (name,) in stale:
            try:
                self.conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))
            except driver().Error:  # still read, or another writer's to drop
                continue


def _count(counts: list[int], group: int, change: int) -> None:
    """Add `change` to a group's count in a list that grows with the groups."""
    while len(counts) <= group:
        counts.append(0)
    counts[group] += change


def _text(group: int, digest: bytes | None) -> bytes:
    """A text of a language group, as one key (empty for an unknown text)."""
    return b"" if digest is None else bytes([int(group)]) + digest


def _digest(digests: Any, n: int) -> bytes | None:
    """The n-th text digest, or None when the text is unknown (no digests, or zeros)."""
    if digests is None:
        return None
    digest = bytes(digests[n])
    return digest if any(digest) else None
