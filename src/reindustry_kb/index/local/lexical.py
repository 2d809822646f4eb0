"""The local BM25 index: postings on disk, term by term, over the tokens of text/tokenize.py.

Hand-written rather than bm25s or rank_bm25: queries weight their terms (other-language
equivalents count 0.6), fusion needs each term's document frequency per language group, and
the postings must live on disk term by term so a cold query does not load the whole index.
The scoring is textbook BM25 (index/bm25.py).
"""

from __future__ import annotations

import json
import os
import sqlite3
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from reindustry_kb.errors import damaged
from reindustry_kb.index import bm25
from reindustry_kb.index.bm25 import K1, B
from reindustry_kb.text.tokenize import QueryTokenizer, vocabulary_lines


class LexicalIndex:
    """BM25 postings. Each posting holds its passage row and its *impact*, the query-independent
    part of BM25 (tf (k1 + 1) / (tf + k1 (1 - b + b len / avgdl))), so a query multiplies by
    its terms' weighted IDF and adds: no passage lengths gathered, no division per posting.

    Saved as one flat array per field, every term's postings contiguous, and a SQLite table
    from term to its run and its document frequency in each language group: a query reads its
    own terms' runs with one pread each, and a cold start costs the same at 1,000 passages or
    1,000,000."""

    def __init__(self, postings: Postings, n: int, avgdl: float, groups: Sequence[str]) -> None:
        self._postings = postings
        self.n, self.avgdl = n, avgdl
        self.groups = list(groups)  # language group names, in the order of df_by_group
        self._query_tokenizer = QueryTokenizer(None)

    @classmethod
    def build(
        cls, token_lists: Sequence[Sequence[str]], groups: Sequence[str] | None = None
    ) -> LexicalIndex:
        """The index of these passages' tokens, in row order (`groups`: each passage's
        language group, for coverage per group)."""
        builder = PostingsBuilder()
        builder.add(token_lists, groups)
        return builder.build()

    def __contains__(self, term: str) -> bool:
        return self._postings.entry(term) is not None

    def idf(self, term: str) -> float:
        """BM25's inverse document frequency of a term."""
        entry = self._postings.entry(term)
        return bm25.idf(self.n, entry.df if entry else 0)

    def scores(self, terms: Sequence[str]) -> dict[int, float]:
        """BM25 score of every passage that holds at least one query term."""
        return self.weighted_scores([(term, 1.0) for term in terms])

    def weighted_scores(
        self,
        terms: Sequence[tuple[str, float]],
        limit: int | None = None,
        include: Iterable[int] = (),
    ) -> dict[int, float]:
        """BM25 where each query term counts with its weight (equivalents count less).

        With `limit`, only the best `limit` rows, and any of `include`, are returned: a common
        term matches half a large library, and fusion needs only the head of the list."""
        import numpy as np

        weights: dict[str, float] = {}
        for term, weight in terms:
            weights[term] = weights.get(term, 0.0) + weight
        postings = [
            (qtf * bm25.idf(self.n, entry.df), *self._postings.get(term, entry))
            for term, qtf in weights.items()
            if (entry := self._postings.entry(term)) is not None
        ]
        if not postings:
            return {}
        found: Any
        totals: Any
        wanted = np.fromiter(include, dtype=np.int64)
        if sum(len(rows) for _, rows, _ in postings) > self.n // 8:
            # Common terms: one array over every passage beats sorting millions of postings;
            # the head is taken from it directly, and `include` rows read from it.
            dense = np.zeros(self.n, dtype=np.float64)
            for weight, rows, impacts in postings:  # a term's rows are distinct: += is safe
                dense[rows] += weight * impacts
            if limit is not None and limit < self.n:
                found = np.union1d(np.argpartition(-dense, limit)[:limit], wanted)
                found = found[dense[found] > 0]
            else:
                found = np.flatnonzero(dense)
            totals = dense[found]
        else:
            rows = np.concatenate([p[1] for p in postings])
            found, inverse = np.unique(rows, return_inverse=True)
            scores = np.concatenate([weight * impacts for weight, _, impacts in postings])
            totals = np.bincount(inverse, weights=scores)
            if limit is not None and len(found) > limit:
                keep = np.argpartition(-totals, limit)[:limit]
                keep = np.union1d(keep, np.flatnonzero(np.isin(found, wanted)))
                found, totals = found[keep], totals[keep]
        return dict(zip(found.tolist(), totals.tolist(), strict=True))

    def document_frequencies(self, terms: Iterable[str]) -> dict[str, tuple[int, ...]]:
        """Per term the index holds, its document frequency in each language group."""
        found = {}
        for term in terms:
            entry = self._postings.entry(term)
            if entry is not None:
                found[term] = entry.df_by_group
        return found

    @property
    def group_sizes(self) -> list[int]:
        """Passages per language group."""
        return self._postings.group_sizes

    # --- persistence --------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write the term table, the posting arrays, lexical.json and the query vocab.txt."""
        import numpy as np

        from reindustry_kb.index.local.dense import NpyAppender

        terms = self._postings.terms()
        (folder / POSTINGS).unlink(missing_ok=True)
        rows_out = NpyAppender(folder / POSTING_ROWS, None, np.int32)
        impacts_out = NpyAppender(folder / POSTING_IMPACTS, None, np.float32)
        with sqlite3.connect(folder / POSTINGS) as db:
            db.execute(
                "CREATE TABLE terms (term TEXT PRIMARY KEY, start INTEGER, df INTEGER,"
                " df_by_group TEXT) WITHOUT ROWID"
            )
            table = []
            for term in terms:
                entry = self._postings.entry(term)
                assert entry is not None
                rows, impacts = self._postings.get(term, entry)
                by_group = ",".join(map(str, entry.df_by_group))
                table.append((term, rows_out.rows, entry.df, by_group))
                rows_out.append(rows)
                impacts_out.append(impacts)
            db.executemany("INSERT INTO terms VALUES (?,?,?,?)", table)
        db.close()
        rows_out.close()
        impacts_out.close()
        meta = {
            "n": self.n,
            "avgdl": self.avgdl,
            "k1": K1,
            "b": B,
            "groups": self.groups,
            "group_sizes": self.group_sizes,
        }
        (folder / META).write_text(json.dumps(meta, ensure_ascii=False) + "\n", encoding="utf-8")
        lines = vocabulary_lines(terms)
        (folder / VOCAB).write_text("\n".join(lines) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """Open a saved index: the term table and the posting arrays, read on demand."""
        try:
            meta = json.loads((folder / META).read_text(encoding="utf-8"))
            n, avgdl, groups = int(meta["n"]), float(meta["avgdl"]), list(meta["groups"])
            sizes = [int(size) for size in meta["group_sizes"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise damaged(folder, META) from exc
        for name in (POSTINGS, POSTING_ROWS, POSTING_IMPACTS):
            if not (folder / name).is_file():
                raise damaged(folder, name)
        index = cls(DiskPostings(folder, sizes), n, avgdl, groups)
        index._query_tokenizer = QueryTokenizer(folder / VOCAB)
        return index

    def query_terms(self, text: str) -> list[str]:
        """Query tokens, segmented against this index's own vocabulary (fast to load)."""
        return self._query_tokenizer(text)


POSTINGS = "postings.sqlite"
SPILL = ".postings.spill"  # a build's records before they are grouped by term
POSTING_ROWS = "posting_rows.npy"
POSTING_IMPACTS = "posting_impacts.npy"
META = "lexical.json"
VOCAB = "vocab.txt"
FILES = (POSTINGS, POSTING_ROWS, POSTING_IMPACTS, META, VOCAB)
Arrays = tuple[Any, Any]  # (passage rows int32, impacts float32)


@dataclass(frozen=True)
class TermEntry:
    """Where a term's postings run starts, and in how many passages (of each group) it is."""

    start: int
    df: int
    df_by_group: tuple[int, ...]


class PostingsBuilder:
    """BM25 postings gathered a document at a time, in row order, as compact (term, row, tf)
    records, and grouped by term once at the end: a build never holds every passage's tokens,
    and counting is numpy's, not a Python loop's (a 100,000-passage library in seconds).

    With a `spill` folder the records go to a file there as they come, and are grouped by
    term a range of terms at a time into two more files: at a million passages they are
    ~10^8 records (1.2 GB), which a build must not hold in memory, nor sort there at once."""

    RECORD = (("term", "<i4"), ("row", "<i4"), ("tf", "<i4"))
    PART = 8_000_000  # postings grouped at a time (~200 MB of working arrays)
    CHUNK = 4_000_000  # records read from the spill at a time

    def __init__(self, spill: Path | None = None) -> None:
        import numpy as np

        self._ids: dict[str, int] = {}
        self._runs: list[Any] = []  # records, when not spilled
        self._spill = spill
        self._file = (spill / SPILL).open("wb") if spill is not None else None
        self._df = np.zeros(0, dtype=np.int64)  # postings per term id
        self._lengths = array("l")
        self._groups: list[str] = []

    def add(
        self, token_lists: Sequence[Sequence[str]], groups: Sequence[str] | None = None
    ) -> None:
        """The next passages' tokens (their rows follow the ones added before), and each
        passage's language group (one unnamed group when not given)."""
        import numpy as np

        if not token_lists:
            return
        ids = self._ids
        flat = [ids.setdefault(term, len(ids)) for tokens in token_lists for term in tokens]
        lengths = np.array([len(tokens) for tokens in token_lists], dtype=np.int64)
        n = len(token_lists)
        keys = np.array(flat, dtype=np.int64) * n + np.repeat(np.arange(n), lengths)
        pairs, tfs = np.unique(keys, return_counts=True)
        records = np.empty(len(pairs), dtype=list(self.RECORD))
        records["term"] = pairs // n
        records["row"] = pairs % n + len(self._lengths)
        records["tf"] = tfs
        if len(self._df) < len(ids):
            self._df = np.concatenate([self._df, np.zeros(len(ids) - len(self._df), np.int64)])
        self._df += np.bincount(records["term"], minlength=len(self._df))
        if self._file is not None:
            self._file.write(records.tobytes())
        else:
            self._runs.append(records)
        self._lengths.extend(lengths.tolist())
        self._groups.extend(groups if groups is not None else [""] * n)

    def build(self) -> LexicalIndex:
        import numpy as np

        lengths = np.frombuffer(self._lengths, dtype=np.int64).astype(np.float32)
        avgdl = float(lengths.mean(dtype=np.float64)) if len(lengths) else 0.0
        names = sorted(set(self._groups)) or [""]
        number = {name: i for i, name in enumerate(names)}
        row_group = np.fromiter((number[g] for g in self._groups), np.int64, len(self._groups))
        g, terms = len(names), len(self._ids)
        starts = np.concatenate([[0], np.cumsum(self._df)]).astype(np.int64)
        total = int(starts[-1])
        df_by_group = np.zeros((terms, g), dtype=np.int64)
        rows_out: Any
        impacts_out: Any
        if self._file is not None:
            assert self._spill is not None
            self._file.close()
            rows_out = _Column(self._spill / f"{SPILL}.rows", np.int32, total)
            impacts_out = _Column(self._spill / f"{SPILL}.impacts", np.float32, total)
        else:
            rows_out = np.zeros(total, dtype=np.int32)
            impacts_out = np.zeros(total, dtype=np.float32)
        # A range of terms at a time: its records, in row order as they were added, grouped
        # by term (a stable sort keeps each term's rows ascending).
        first = 0
        while first < terms:
            last = int(np.searchsorted(starts, starts[first] + self.PART, side="right")) - 1
            last = min(max(last, first + 1), terms)
            part = self._records(first, last)
            part = part[np.argsort(part["term"], kind="stable")]
            rows = part["row"]
            # float32 throughout: at a million passages there are ~10^8 postings.
            norm = np.float32(K1) * (
                np.float32(1 - B) + np.float32(B / max(avgdl, 1e-9)) * lengths[rows]
            )
            tfs = part["tf"].astype(np.float32)
            at = int(starts[first])
            rows_out[at : at + len(part)] = rows
            impacts_out[at : at + len(part)] = tfs * np.float32(K1 + 1) / (tfs + norm)
            by_group = part["term"].astype(np.int64) * g + row_group[rows]
            df_by_group[first:last] = np.bincount(
                by_group - first * g, minlength=(last - first) * g
            ).reshape(-1, g)
            first = last
        if self._spill is not None:
            (self._spill / SPILL).unlink()
        sizes = np.bincount(row_group, minlength=g).tolist()
        postings = MemoryPostings(self._ids, starts, rows_out, impacts_out, df_by_group, sizes)
        return LexicalIndex(postings, len(lengths), avgdl, names)

    def _records(self, first: int, last: int) -> Any:
        """The records of terms [first, last), in the order they were added."""
        import numpy as np

        runs: Iterable[Any] = self._runs
        if self._spill is not None:
            path = self._spill / SPILL
            record = np.dtype(list(self.RECORD))
            width = record.itemsize
            runs = (
                np.fromfile(path, dtype=record, count=self.CHUNK, offset=at)
                for at in range(0, path.stat().st_size, self.CHUNK * width)
            )
        chosen = [run[(run["term"] >= first) & (run["term"] < last)] for run in runs]
        return np.concatenate(chosen) if chosen else np.zeros(0, dtype=list(self.RECORD))


class _Column:
    """A flat array in a file, written and read by slices through pread and pwrite (not
    mapped: mapped pages count towards the process's memory)."""

    def __init__(self, path: Path, dtype: Any, size: int) -> None:
        import numpy as np

        self.dtype = np.dtype(dtype)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC)
        os.ftruncate(self._fd, size * self.dtype.itemsize)
        os.unlink(path)  # gone with the descriptor
        self._size = size

    def __setitem__(self, where: slice, values: Any) -> None:
        import numpy as np

        data = np.ascontiguousarray(values, dtype=self.dtype).tobytes()
        os.pwrite(self._fd, data, (where.start or 0) * self.dtype.itemsize)

    def __getitem__(self, where: slice) -> Any:
        import numpy as np

        start, stop = where.start or 0, where.stop if where.stop is not None else self._size
        data = os.pread(self._fd, (stop - start) * self.dtype.itemsize, start * self.dtype.itemsize)
        return np.frombuffer(data, dtype=self.dtype)

    def __del__(self) -> None:
        os.close(self._fd)


class Postings(Protocol):
    group_sizes: list[int]

    def entry(self, term: str) -> TermEntry | None: ...
    def get(self, term: str, entry: TermEntry) -> Arrays: ...
    def terms(self) -> list[str]: ...


class MemoryPostings:
    """A build's postings, every term's run in one array, before they are saved."""

    def __init__(
        self,
        ids: dict[str, int],
        starts: Any,
        rows: Any,
        impacts: Any,
        df_by_group: Any,
        group_sizes: list[int],
    ) -> None:
        self._ids, self._starts, self._rows, self._impacts = ids, starts, rows, impacts
        self._df_by_group, self.group_sizes = df_by_group, group_sizes

    def entry(self, term: str) -> TermEntry | None:
        if term not in self._ids:
            return None
        i = self._ids[term]
        start, end = int(self._starts[i]), int(self._starts[i + 1])
        return TermEntry(start, end - start, tuple(self._df_by_group[i].tolist()))

    def get(self, term: str, entry: TermEntry) -> Arrays:
        run = slice(entry.start, entry.start + entry.df)
        return self._rows[run], self._impacts[run]

    def terms(self) -> list[str]:
        return sorted(self._ids)


class DiskPostings:
    """Saved postings: a term's entry from the SQLite table, its run from each flat array by
    one pread (the page cache, not this process, keeps what is read often)."""

    def __init__(self, folder: Path, group_sizes: list[int]) -> None:
        from reindustry_kb.index.local.dense import RowFile

        self._folder = folder
        self.group_sizes = group_sizes
        path = folder / POSTINGS
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._rows = RowFile(folder, POSTING_ROWS)
        self._impacts = RowFile(folder, POSTING_IMPACTS)
        self._entries: dict[str, TermEntry | None] = {}

    def entry(self, term: str) -> TermEntry | None:
        if term not in self._entries:
            try:
                query = "SELECT start, df, df_by_group FROM terms WHERE term = ?"
                found = self._db.execute(query, (term,)).fetchone()
            except sqlite3.DatabaseError as exc:
                raise damaged(self._folder, POSTINGS) from exc
            self._entries[term] = (
                None
                if found is None
                else TermEntry(found[0], found[1], tuple(int(d) for d in found[2].split(",")))
            )
        return self._entries[term]

    def get(self, term: str, entry: TermEntry) -> Arrays:
        import numpy as np

        run = ([entry.start], [entry.start + entry.df])
        return self._rows.rows(*run, np.int32), self._impacts.rows(*run)

    def terms(self) -> list[str]:
        return [term for (term,) in self._db.execute("SELECT term FROM terms ORDER BY term")]
