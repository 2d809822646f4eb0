"""BM25 over jieba tokens of folded (NFKC, Simplified, lower-case) text.

Building uses jieba's full dictionary. Loading it costs about a second, too much for a cold
`rkb ask`, so the index also saves its own vocabulary as a small jieba dictionary: query text is
segmented against the words the index knows, which are the only ones BM25 can score anyway.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

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
    def __init__(self, postings: dict[str, list[list[int]]], doc_lens: list[int]) -> None:
        self.postings = postings  # term -> [[passage row, term frequency], ...]
        self.doc_lens = doc_lens
        self.n = len(doc_lens)
        self.avgdl = (sum(doc_lens) / self.n) if self.n else 0.0
        self._query_tokenizer: Any = None
        self._vocab_path: Path | None = None

    @classmethod
    def build(cls, token_lists: Sequence[Sequence[str]]) -> LexicalIndex:
        postings: dict[str, list[list[int]]] = {}
        for row, tokens in enumerate(token_lists):
            for term, tf in Counter(tokens).items():
                postings.setdefault(term, []).append([row, tf])
        return cls(postings, [len(tokens) for tokens in token_lists])

    def idf(self, term: str) -> float:
        df = len(self.postings.get(term, ()))
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def scores(self, terms: Sequence[str]) -> dict[int, float]:
        """BM25 score of every passage that holds at least one query term."""
        return self.weighted_scores([(term, 1.0) for term in terms])

    def weighted_scores(self, terms: Sequence[tuple[str, float]]) -> dict[int, float]:
        """BM25 where each query term counts with its weight (equivalents count less)."""
        weights: dict[str, float] = {}
        for term, weight in terms:
            weights[term] = weights.get(term, 0.0) + weight
        result: dict[int, float] = {}
        for term, qtf in weights.items():
            idf = self.idf(term)
            for row, tf in self.postings.get(term, ()):
                norm = K1 * (1 - B + B * self.doc_lens[row] / self.avgdl)
                result[row] = result.get(row, 0.0) + qtf * idf * tf * (K1 + 1) / (tf + norm)
        return result

    def coverage(
        self, terms: Sequence[str], equivalents: Sequence[Sequence[str]] = (), weight: float = 1.0
    ) -> float:
        """IDF-weighted share of the query the index has seen: near 0 for an English question
        over Chinese text, near 1 when the question uses the documents' own words. Each
        equivalent phrase the index knows adds what BM25 can see through it, at its weight."""
        if not terms:
            return 0.0
        unseen_idf = math.log(1 + (self.n + 0.5) / 0.5)
        seen = sum(self.idf(term) for term in terms if term in self.postings)
        total = sum(self.idf(term) if term in self.postings else unseen_idf for term in terms)
        for phrase in equivalents:
            known = [self.idf(term) for term in phrase if term in self.postings]
            if known:
                seen += weight * max(known)
                total += weight * max(known)
        return seen / total if total else 0.0

    # --- persistence --------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        payload = {"k1": K1, "b": B, "doc_lens": self.doc_lens, "postings": self.postings}
        (folder / "lexical.json").write_text(
            json.dumps(payload, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
        frequencies = _full_tokenizer().FREQ
        lines = [
            f"{term} {max(int(frequencies.get(term, 0)), 3)}"
            for term in sorted(self.postings)
            if " " not in term and not _LATIN.fullmatch(term)
        ]
        (folder / "vocab.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        payload = json.loads((folder / "lexical.json").read_text(encoding="utf-8"))
        index = cls(payload["postings"], payload["doc_lens"])
        index._vocab_path = folder / "vocab.txt"
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
