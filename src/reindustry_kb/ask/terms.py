"""What BM25 knows of a question's terms, from an index's statistics: whether it holds them,
their IDF, and how much of the question it can see (coverage), overall or in one language."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from reindustry_kb.index.backend import IndexReader, TermStats
from reindustry_kb.index.bm25 import idf


class Terms:
    """An index's term statistics, read a term at a time and remembered."""

    def __init__(self, reader: IndexReader) -> None:
        self._reader = reader
        self._df: dict[str, tuple[int, ...] | None] = {}

    @cached_property
    def stats(self) -> TermStats:
        return self._reader.term_stats()

    @property
    def n(self) -> int:
        return self.stats.n

    @property
    def groups(self) -> list[str]:
        return self.stats.groups

    def query_terms(self, text: str) -> list[str]:
        """A text's BM25 terms, as the index segments questions."""
        return self._reader.query_terms(text)

    def by_group(self, term: str) -> tuple[int, ...] | None:
        """The term's document frequency in each language group; None when unknown."""
        if term not in self._df:
            self._df[term] = self._reader.document_frequencies([term]).get(term)
        return self._df[term]

    def __contains__(self, term: str) -> bool:
        return self.by_group(term) is not None

    def idf(self, term: str) -> float:
        """BM25's inverse document frequency of a term."""
        return idf(self.n, sum(self.by_group(term) or ()))

    def coverage(
        self,
        terms: Sequence[str],
        equivalents: Sequence[Sequence[str]] = (),
        weight: float = 1.0,
        group: str | None = None,
    ) -> float:
        """IDF-weighted share of the query the index has seen: near 0 for an English question
        over Chinese text, near 1 when the question uses the documents' own words. Each
        equivalent phrase the index knows adds what BM25 can see through it, at its weight.

        `group` (a language group's name) asks the same of that group's passages alone, with
        document frequencies counted among them: what BM25 can see in one language's passages."""
        if not terms:
            return 0.0
        column = None if group is None else self.groups.index(group)
        n = self.n if column is None else self.stats.group_sizes[column]

        def seen_idf(term: str) -> float | None:
            found = self.by_group(term)
            df = 0 if found is None else sum(found) if column is None else found[column]
            return idf(n, df) if df else None

        unseen_idf = idf(n, 0)
        seen = total = 0.0
        for term in terms:
            known = seen_idf(term)
            seen += known or 0.0
            total += unseen_idf if known is None else known
        for phrase in equivalents:
            found = [idf for idf in map(seen_idf, phrase) if idf is not None]
            if found:
                seen += weight * max(found)
                total += weight * max(found)
        return seen / total if total else 0.0
