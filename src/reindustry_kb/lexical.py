"""BM25 over jieba tokens of folded (NFKC, Simplified, lower-case) text.

Hand-written rather than bm25s or rank_bm25: queries weight their terms (other-language
equivalents count 0.6), fusion needs the IDF-weighted coverage of a question, and the postings
must live on disk term by term so a cold query does not load the whole index. The scoring is
textbook BM25 (k1 1.2, b 0.75), about sixty lines.

Building uses jieba's full dictionary. Loading it costs about a second, too much for a cold
`rkb ask`, so the index also saves its own vocabulary as a small jieba dictionary: query text is
segmented against the words the index knows, which are the only ones BM25 can score anyway.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from reindustry_kb.errors import damaged
from reindustry_kb.normalize import fold_text

K1 = 1.2
B = 0.75


@cache
def stopwords() -> frozenset[str]:
    """Function words of both languages (data/stopwords.txt), folded like the tokens."""
    text = resources.files("reindustry_kb").joinpath("data/stopwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


_TOKEN_OK = re.compile(r"\w")


def _stem(token: str) -> str:
    """Light English plural folding: tariffs -> tariff, policies -> policy."""
    if not token.isascii() or len(token) <= 3 or not token.isalpha():
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith(("ses", "xes", "ches", "shes")):
        return token[:-2]
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def clean_tokens(raw: Iterable[str]) -> list[str]:
    """Tokens without blanks, punctuation and stopwords, English plurals folded."""
    tokens = []
    for token in raw:
        token = token.strip()
        if token and _TOKEN_OK.search(token) and token not in stopwords():
            tokens.append(_stem(token))
    return tokens


@cache
def _full_tokenizer() -> Any:
    import jieba

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


# Latin-script words (U.S., R&D, 5G, re-industrialization) are words already; only the runs
# between them go to jieba, at index and at query time alike.
_LATIN = re.compile(r"[a-z0-9]+(?:[.&'’-][a-z0-9]+)*")


def _split(folded: str, cut: Any) -> list[str]:
    tokens: list[str] = []
    position = 0
    for m in _LATIN.finditer(folded):
        if m.start() > position:
            tokens.extend(cut(folded[position : m.start()]))
        tokens.append(m.group())
        position = m.end()
    if position < len(folded):
        tokens.extend(cut(folded[position:]))
    return clean_tokens(tokens)


def tokenize(text: str) -> list[str]:
    """Index-time tokens (jieba's full dictionary, search mode for sub-words)."""
    return _split(fold_text(text), _full_tokenizer().cut_for_search)


class LexicalIndex:
    """BM25 postings. Built in memory; saved as a SQLite table of per-term posting arrays and
    a `.npy` of passage lengths, so a query reads only its own terms' postings from disk and a
    cold start costs the same at 1,000 passages or 1,000,000."""

    def __init__(self, postings: Postings, doc_lens: Any) -> None:
        import numpy as np

        self._postings = postings
        self.doc_lens = np.asarray(doc_lens, dtype=np.int32)
        self.n = len(self.doc_lens)
        self.avgdl = float(self.doc_lens.mean()) if self.n else 0.0
        self._query_tokenizer: Any = None
        self._vocab_path: Path | None = None

    @classmethod
    def build(cls, token_lists: Sequence[Sequence[str]]) -> LexicalIndex:
        """The index of these passages' tokens, in row order."""
        builder = PostingsBuilder()
        builder.add(token_lists)
        return builder.build()

    def __contains__(self, term: str) -> bool:
        return self._postings.df(term) > 0

    def idf(self, term: str) -> float:
        """BM25's inverse document frequency of a term."""
        df = self._postings.df(term)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

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
        postings = [(qtf, term, *self._postings.get(term)) for term, qtf in weights.items()]
        postings = [p for p in postings if len(p[2])]
        if not postings:
            return {}
        found: Any
        totals: Any
        if sum(len(p[2]) for p in postings) > self.n // 8:
            # Common terms: one array over every passage beats sorting millions of postings.
            dense = np.zeros(self.n, dtype=np.float64)
            for qtf, term, rows, tfs in postings:  # a term's rows are distinct: += is safe
                dense[rows] += self._term_scores(qtf, term, rows, tfs)
            found = np.flatnonzero(dense)
            totals = dense[found]
        else:
            rows = np.concatenate([p[2] for p in postings])
            found, inverse = np.unique(rows, return_inverse=True)
            scores = [self._term_scores(*p) for p in postings]
            totals = np.bincount(inverse, weights=np.concatenate(scores))
        if limit is not None and len(found) > limit:
            keep = np.argpartition(-totals, limit)[:limit]
            wanted = np.isin(found, np.fromiter(include, dtype=np.int64))
            keep = np.union1d(keep, np.flatnonzero(wanted))
            found, totals = found[keep], totals[keep]
        return dict(zip(found.tolist(), totals.tolist(), strict=True))

    def _term_scores(self, qtf: float, term: str, rows: Any, tfs: Any) -> Any:
        """One term's BM25 contribution to each passage of its postings."""
        norm = K1 * (1 - B + B * self.doc_lens[rows] / self.avgdl)
        return qtf * self.idf(term) * tfs * (K1 + 1) / (tfs + norm)

    def coverage(
        self,
        terms: Sequence[str],
        equivalents: Sequence[Sequence[str]] = (),
        weight: float = 1.0,
        among: Any | None = None,
    ) -> float:
        """IDF-weighted share of the query the index has seen: near 0 for an English question
        over Chinese text, near 1 when the question uses the documents' own words. Each
        equivalent phrase the index knows adds what BM25 can see through it, at its weight.

        `among` (a boolean mask over passage rows) asks the same of those passages alone, with
        document frequencies counted among them: what BM25 can see in one language's passages."""
        import numpy as np

        if not terms:
            return 0.0
        n = self.n if among is None else int(np.count_nonzero(among))

        def seen_idf(term: str) -> float | None:
            rows = self._postings.get(term)[0]
            df = len(rows) if among is None else int(np.count_nonzero(among[rows]))
            return math.log(1 + (n - df + 0.5) / (df + 0.5)) if df else None

        unseen_idf = math.log(1 + (n + 0.5) / 0.5)
        seen = total = 0.0
        for term in terms:
            idf = seen_idf(term)
            seen += idf or 0.0
            total += unseen_idf if idf is None else idf
        for phrase in equivalents:
            known = [idf for idf in map(seen_idf, phrase) if idf is not None]
            if known:
                seen += weight * max(known)
                total += weight * max(known)
        return seen / total if total else 0.0

    # --- persistence --------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write postings.sqlite, lengths.npy and the query-time vocab.txt."""
        import numpy as np

        np.save(folder / LENGTHS, self.doc_lens)
        terms = self._postings.terms()
        (folder / POSTINGS).unlink(missing_ok=True)
        with sqlite3.connect(folder / POSTINGS) as db:
            db.execute(
                "CREATE TABLE postings (term TEXT PRIMARY KEY, df INTEGER, rows BLOB, tfs BLOB)"
                " WITHOUT ROWID"
            )
            db.executemany(
                "INSERT INTO postings VALUES (?,?,?,?)",
                (
                    (term, len(rows), rows.tobytes(), tfs.tobytes())
                    for term in terms
                    for rows, tfs in [self._postings.get(term)]
                ),
            )
        db.close()
        frequencies = _full_tokenizer().FREQ
        lines = [
            f"{term} {max(int(frequencies.get(term, 0)), 3)}"
            for term in terms
            if " " not in term and not _LATIN.fullmatch(term)
        ]
        (folder / VOCAB).write_text("\n".join(lines) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """Open a saved index: lengths memory-mapped, postings read on demand."""
        import numpy as np

        try:
            lengths = np.load(folder / LENGTHS, mmap_mode="r")
        except (OSError, ValueError) as exc:
            raise damaged(folder, LENGTHS) from exc
        if not (folder / POSTINGS).is_file():
            raise damaged(folder, POSTINGS)
        index = cls(SqlitePostings(folder / POSTINGS), lengths)
        index._vocab_path = folder / VOCAB
        return index

    def query_terms(self, text: str) -> list[str]:
        """Query tokens, segmented against this index's own vocabulary (fast to load)."""
        if self._vocab_path is None:
            return tokenize(text)
        if self._query_tokenizer is None:
            import jieba

            jieba.setLogLevel(60)
            self._query_tokenizer = jieba.Tokenizer(dictionary=str(self._vocab_path))
            self._query_tokenizer.initialize()
        return _split(fold_text(text), self._query_tokenizer.cut_for_search)


LENGTHS = "lengths.npy"
POSTINGS = "postings.sqlite"
VOCAB = "vocab.txt"
Arrays = tuple[Any, Any]  # (passage rows, term frequencies), int32


class PostingsBuilder:
    """BM25 postings gathered a document at a time, in row order, as compact (term, row, tf)
    arrays, and grouped by term once at the end: a build never holds every passage's tokens,
    and counting is numpy's, not a Python loop's (a 100,000-passage library in seconds)."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._runs: list[tuple[Any, Any, Any]] = []  # (term ids, rows, tfs), int32
        self._lengths: list[int] = []

    def add(self, token_lists: Sequence[Sequence[str]]) -> None:
        """The next passages' tokens (their rows follow the ones added before)."""
        import numpy as np

        if not token_lists:
            return
        ids = self._ids
        flat = [ids.setdefault(term, len(ids)) for tokens in token_lists for term in tokens]
        lengths = np.array([len(tokens) for tokens in token_lists], dtype=np.int64)
        n = len(token_lists)
        keys = np.array(flat, dtype=np.int64) * n + np.repeat(np.arange(n), lengths)
        pairs, tfs = np.unique(keys, return_counts=True)
        first = len(self._lengths)
        self._runs.append(
            (
                (pairs // n).astype(np.int32),
                (pairs % n + first).astype(np.int32),
                tfs.astype(np.int32),
            )
        )
        self._lengths.extend(lengths.tolist())

    def build(self) -> LexicalIndex:
        import numpy as np

        empty = np.zeros(0, dtype=np.int32)
        terms = np.concatenate([run[0] for run in self._runs] or [empty])
        # Stable: within a term, rows stay in ascending order.
        order = np.argsort(terms, kind="stable")
        rows = np.concatenate([run[1] for run in self._runs] or [empty])[order]
        tfs = np.concatenate([run[2] for run in self._runs] or [empty])[order]
        starts = np.searchsorted(terms[order], np.arange(len(self._ids) + 1))
        postings = {
            term: (rows[starts[i] : starts[i + 1]], tfs[starts[i] : starts[i + 1]])
            for term, i in self._ids.items()
        }
        return LexicalIndex(MemoryPostings(postings), np.array(self._lengths, dtype=np.int64))


class Postings(Protocol):
    def df(self, term: str) -> int: ...
    def get(self, term: str) -> Arrays: ...
    def terms(self) -> list[str]: ...


class MemoryPostings:
    def __init__(self, postings: dict[str, Arrays]) -> None:
        self._postings = postings

    def df(self, term: str) -> int:
        return len(self._postings[term][0]) if term in self._postings else 0

    def get(self, term: str) -> Arrays:
        import numpy as np

        empty = np.zeros(0, dtype=np.int32)
        return self._postings.get(term, (empty, empty))

    def terms(self) -> list[str]:
        return sorted(self._postings)


class SqlitePostings:
    """Postings read on demand; each term's arrays are one row of a B-tree."""

    # Postings kept for the terms read last, up to this many rows in all: a question reads its
    # terms several times (scores, coverage, answers), but a long session must not keep every
    # common term of a million-passage library.
    CACHE_ROWS = 16_000_000

    def __init__(self, path: Path) -> None:
        self._path = path
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._cache: OrderedDict[str, Arrays] = OrderedDict()
        self._cached_rows = 0

    def df(self, term: str) -> int:
        return len(self.get(term)[0])

    def get(self, term: str) -> Arrays:
        import numpy as np

        if term in self._cache:
            self._cache.move_to_end(term)
            return self._cache[term]
        try:
            query = "SELECT rows, tfs FROM postings WHERE term = ?"
            row = self._db.execute(query, (term,)).fetchone()
        except sqlite3.DatabaseError as exc:
            raise damaged(self._path.parent, self._path.name) from exc
        blobs = row or (b"", b"")
        arrays = (np.frombuffer(blobs[0], dtype=np.int32), np.frombuffer(blobs[1], dtype=np.int32))
        self._cache[term] = arrays
        self._cached_rows += len(arrays[0])
        while self._cached_rows > self.CACHE_ROWS and len(self._cache) > 1:
            _, (dropped, _) = self._cache.popitem(last=False)
            self._cached_rows -= len(dropped)
        return arrays

    def terms(self) -> list[str]:
        return [term for (term,) in self._db.execute("SELECT term FROM postings ORDER BY term")]
