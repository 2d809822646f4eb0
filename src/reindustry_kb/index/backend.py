"""The seam between the stages and where an index is kept.

A backend keeps *generations* of an index: `rkb index` writes a new one beside the live one
through an `IndexWriter` and publishes it atomically; every other command reads the live one
through an `IndexReader`. The local backend (index/local/: SQLite + FAISS + postings files) is
one implementation, chosen through the registry (index/registry.py) as embedders are.

What ranking needs from a reader is listed here and nothing more. Passages are named by their
stable key (`Passage.passage_id`, "<doc_id>#p<ordinal>", the same while their document is
unchanged), never by a build's row numbers. The reader proposes candidates and hands out
vectors, document frequencies and records; fusion, centring, the deepening test, proximity and
answer finding are the query code's (ask/), on plain arrays and records, so every backend
ranks alike. Filters (`Filters`, `ClaimFilters`) are applied by the backend, with the
semantics the contract tests pin down (tests/index/test_contract.py).
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from reindustry_kb.index.manifest import Manifest, Summary
from reindustry_kb.models import Claim, ClaimFilters, Document, Filters, Passage

# The two kinds of vectors a passage has: its own, and one per sentence window.
KINDS = ("passages", "windows")
PassageKey = str
Keys = Collection[PassageKey]
Weighted = Sequence[tuple[str, float]]  # a query's terms, each with its weight
ListName = tuple[str, str]  # (kind, language group)
# Rows of float32 vectors a thread keeps to widen stored ones into (25 MB at 384 dimensions).
KEPT_ROWS = 16_384


@dataclass
class DenseVectors:
    """A run of passages' vectors, as a build writes them: one per passage and each passage's
    window vectors, in float16 (the precision they are stored in, so a carried passage and
    one embedded afresh hold the very same numbers)."""

    passages: Any  # float16 [N, d]
    windows: Any  # float16 [W, d], grouped by passage
    offsets: Any  # int64 [N + 1]: passage i's windows are rows offsets[i]:offsets[i+1]
    # uint8 [N, 16], [W, 16]: the digest of the text each vector embeds (embed.text_key);
    # None when unknown.
    passage_keys: Any = None
    window_keys: Any = None


@dataclass
class Part:
    """Passages of one document (all, or the next run of a long one) with what was made for
    them: their claims, BM25 tokens (a list per passage) and vectors."""

    passages: list[Passage]
    claims: list[Claim]
    tokens: list[list[str]]
    vectors: DenseVectors


@dataclass(frozen=True)
class DenseStats:
    """Per language group, what standardising a query's similarities needs (ask/dense.py)."""

    dim: int
    n: int  # passages with vectors
    groups: list[str]  # group names; a group's number is its place here
    centroids: Any  # float32 [G, 2, d]: the group's passage and window centroids
    spreads: Any  # float32 [G, d, d]: the covariance of the group's passage vectors


@dataclass(frozen=True)
class Candidates:
    """Dense candidates: the union of each (kind, group) list's best passages, and per list
    the last similarity it returned, below which it holds no more. A list is absent from
    `lasts` when it returned every passage it holds (or all the filter allows), and its last
    is infinite when that bound is unknown."""

    keys: list[PassageKey]
    lasts: dict[ListName, float]


@dataclass(frozen=True)
class PassageVectors:
    """Passages' vectors, in the order of `keys` (a backend's own order), as stored (float16
    locally: half the memory of float32 while a question holds them)."""

    keys: list[PassageKey]
    groups: Any  # int64 [n]: each passage's language group number (DenseStats.groups)
    own: Any  # [n, d]
    windows: Any  # [W, d], grouped by passage
    offsets: Any  # int64 [n + 1]

    def similarities(self, query: Any) -> Similarities:
        """The query's inner product with each passage's vector and with its best window's."""
        rows = len(self.keys)
        best = np.full(rows, -np.inf, dtype=np.float32)
        owners = np.repeat(np.arange(rows), np.diff(self.offsets))
        np.maximum.at(best, owners, inner_products(self.windows, query))
        return Similarities(self.keys, self.groups, inner_products(self.own, query), best)


@dataclass(frozen=True)
class Similarities:
    """What a passage's dense score is made of (ask/dense.py): the query's inner product with
    its own vector and with its best window's (-inf when it has none), in a backend's order."""

    keys: list[PassageKey]
    groups: Any  # int64 [n]
    own: Any  # float32 [n]
    best: Any  # float32 [n]


def inner_products(vectors: Any, query: Any) -> Any:
    """Inner products in float32, whatever the vectors are stored in. The float32 copy goes
    to a buffer this thread keeps (up to KEPT_ROWS rows): a fresh one each question cost a
    page fault a page (4 ms a question at 100,000 passages)."""
    vectors = np.asarray(vectors)
    rows = len(vectors)
    if vectors.dtype == np.float32 or rows > KEPT_ROWS:  # a filter's thousands: not kept
        return np.asarray(vectors, dtype=np.float32) @ query
    buffer = getattr(_WIDE, "buffer", None)
    if buffer is None or buffer.shape[0] < rows or buffer.shape[1:] != vectors.shape[1:]:
        buffer = _WIDE.buffer = np.empty((max(rows, 1024), *vectors.shape[1:]), np.float32)
    wide = buffer[:rows]
    np.copyto(wide, vectors)
    return wide @ query


_WIDE = threading.local()


@dataclass(frozen=True)
class TermStats:
    """The corpus statistics BM25 needs besides each term's document frequencies."""

    n: int  # passages
    groups: list[str]  # language groups, in the order of document_frequencies' tuples
    group_sizes: list[int]


class IndexReader(Protocol):
    """The live generation of an index, read-only."""

    manifest: Manifest

    # --- records --------------------------------------------------------------------------
    def documents(self) -> list[Document]:
        """Every document, in id order."""
        ...

    def documents_by_id(self, doc_ids: Collection[str]) -> dict[str, Document]: ...

    def document_text(self, doc_id: str) -> str | None:
        """A document's decoded text (what citations' spans and lines count in)."""
        ...

    def passages(self, keys: Collection[PassageKey]) -> dict[PassageKey, Passage]: ...

    def iter_passages(self) -> Iterator[Passage]:
        """Every passage, each document's in order (documents in the order they were built)."""
        ...

    def claims_by_passage(self, keys: Sequence[PassageKey]) -> dict[PassageKey, list[Claim]]: ...

    def claims_by_id(self, claim_ids: Sequence[str]) -> dict[str, Claim]: ...

    def find_claims(self, filters: ClaimFilters) -> list[Claim]:
        """The claims the filters select, in document order. `--actor` and `--lever` select
        passages (the claims of passages naming the actor in any alias or script, or using
        the lever); `--since`/`--until` compare a date claim's own value and, for other kinds,
        the document's date, at the precision given; `--mentions` terms are whole Latin words
        or Han substrings of the passage's BM25 tokens."""
        ...

    def check_documents(self, docs: Sequence[str]) -> None:
        """A one-line error (UnknownDocumentError) for a --doc that names no document."""
        ...

    # --- dense ----------------------------------------------------------------------------
    def dense_stats(self) -> DenseStats: ...

    def dense_candidates(self, query: Any, pool: int, filters: Filters) -> Candidates:
        """The best `pool` passages of every group's passage list and 3 x `pool` of its window
        list (several windows may share a passage), among those the filters allow; or, when the
        filters allow few enough to score exactly, all of them (and no `lasts`)."""
        ...

    def passage_vectors(self, keys: Sequence[PassageKey]) -> PassageVectors: ...

    def dense_similarities(self, keys: Sequence[PassageKey], query: Any) -> Similarities:
        """`passage_vectors(keys).similarities(query)`, equal to float32 rounding: a server
        computes them where the vectors are and sends three numbers a passage, not its vectors."""
        ...

    def passage_groups(self, keys: Collection[PassageKey]) -> dict[PassageKey, int]:
        """Each passage's language group number."""
        ...

    # --- lexical --------------------------------------------------------------------------
    def term_stats(self) -> TermStats: ...

    def document_frequencies(self, terms: Collection[str]) -> dict[str, tuple[int, ...]]:
        """Per term the index holds, in how many passages of each group it stands."""
        ...

    def query_terms(self, text: str) -> list[str]:
        """A question's BM25 terms, segmented against the index's own vocabulary."""
        ...

    def lexical_scores(
        self, terms: Weighted, filters: Filters, limit: int | None = None, include: Keys = ()
    ) -> dict[PassageKey, float]:
        """BM25 (index.bm25) of the passages the filters allow holding any term, each term
        counting with its weight: all of them, or the best `limit` and any of `include` (keys
        it does not hold are passed over)."""
        ...

    # --- for the next generation ----------------------------------------------------------
    def embedded_texts(self, digests: Collection[bytes]) -> dict[bytes, int]:
        """Of these text digests, each this generation holds a vector for -> a handle for
        `embedded_vectors`: a new build embeds no text twice, and asks about a document's
        texts as it comes (a one-document update does not read the library's digests)."""
        ...

    def embedded_vectors(self, handles: Any) -> Any:
        """float16 vectors by `embedded_texts` handle, in the order asked."""
        ...


class IndexWriter(Protocol):
    """A new generation, written a document at a time and made live by `publish`. Leaving the
    context without publishing (an error, Ctrl-C) discards it: the live one stays.

    A generation holds exactly the documents added or carried into it: a document of the live
    generation that is neither is deleted when the new one is published."""

    def __enter__(self) -> IndexWriter: ...

    def __exit__(self, *exc: object) -> None: ...

    def add_document(self, doc: Document, text: str, part: Part) -> None:
        """A new or changed document, its text, and its passages (or the first part)."""
        ...

    def add_part(self, part: Part) -> None:
        """The next passages of the document added last: a long one comes in parts."""
        ...

    def set_counts(self, doc_id: str, n_passages: int, n_claims: int) -> None: ...

    def carry(self, doc: Document) -> None:
        """An unchanged document of the live generation (under its path now), with its
        passages, claims, tokens and vectors, which are not made again."""
        ...

    def publish(self, manifest: Manifest) -> None:
        """Complete the generation and make it the live one, atomically."""
        ...


class Backend(Protocol):
    """Where an index is kept."""

    name: str

    def where(self) -> str:
        """The index's location for messages (never with credentials)."""
        ...

    def open(self) -> IndexReader:
        """The live generation, or IndexMissingError / IndexCorruptError in one line."""
        ...

    def summary(self) -> Summary | None:
        """What the live generation holds, without opening it; None when there is none. (The
        local backend's is the committed summary, which a fresh clone has without a build.)"""
        ...

    def lock(self) -> AbstractContextManager[None]:
        """One writer at a time (IndexBusyError for the second)."""
        ...

    def writer(self, dim: int, live: IndexReader | None) -> IndexWriter:
        """A new generation of `dim`-dimensional vectors; `live`, when given, is the
        generation it may carry documents and trained indexes from."""
        ...
