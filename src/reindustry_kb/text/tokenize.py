"""BM25 tokens: jieba words of folded (NFKC, Simplified, lower-case) text, Latin words kept
whole, stopwords dropped, English plurals folded. The same at index and at query time, for
every backend (PostgreSQL has no Chinese parser: the client tokenizes).

Building uses jieba's full dictionary. Loading it costs about a second, too much for a cold
`rkb ask`, so an index keeps its own vocabulary as a small jieba dictionary
(`vocabulary_lines`), and questions are segmented against it (`QueryTokenizer`): the words an
index knows are the only ones BM25 can score anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from reindustry_kb.text.normalize import fold_text

# Short texts segmented for queries are kept: the titles of a library's documents and the
# glossary's phrases come back question after question.
SEGMENTED_LENGTH = 200
SEGMENTED_TEXTS = 20_000


@cache
def stopwords() -> frozenset[str]:
    """Function words of both languages (data/stopwords.txt), folded like the tokens."""
    text = resources.files("reindustry_kb").joinpath("data/stopwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


_TOKEN_OK = re.compile(r"\w")


# Nouns whose singular ends in s (gases -> gas); other -ses plurals drop the s alone
# (purposes -> purpose, licenses -> license, cases -> case).
# fmt: off
_ENDS_IN_S = frozenset({
    "gas", "bus", "status", "census", "bonus", "campus", "virus", "focus", "surplus", "plus",
    "alias", "bias", "atlas", "canvas", "lens", "corpus", "genus", "chorus", "iris",
    "apparatus", "prospectus", "consensus", "stimulus", "radius",
})
# fmt: on


def singular(token: str) -> str:
    """Light English plural folding: tariffs -> tariff, policies -> policy, purposes ->
    purpose, taxes -> tax."""
    if not token.isascii() or len(token) <= 3 or not token.isalpha():
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith(("sses", "xes", "ches", "shes", "zzes")) or (
        token.endswith("es") and token[:-2] in _ENDS_IN_S
    ):
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
            tokens.append(singular(token))
    return tokens


@cache
def full_tokenizer() -> Any:
    import jieba

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


@cache
def pos_tagger() -> Any:
    """jieba's part-of-speech tagger over the full dictionary."""
    import jieba.posseg

    return jieba.posseg.POSTokenizer(full_tokenizer())


# Latin-script words (U.S., R&D, 5G, re-industrialization) are words already; only the runs
# between them go to jieba, at index and at query time alike.
_LATIN = re.compile(r"[a-z0-9]+(?:[.&'’-][a-z0-9]+)*")


def split(folded: str, cut: Any) -> list[str]:
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
    return split(fold_text(text), full_tokenizer().cut_for_search)


def vocabulary_lines(terms: Iterable[str]) -> list[str]:
    """An index's vocabulary as jieba dictionary lines ("term frequency"), for QueryTokenizer:
    Han words only (Latin words are split by _LATIN), with jieba's own frequency or a floor."""
    frequencies = full_tokenizer().FREQ
    return [
        f"{term} {max(int(frequencies.get(term, 0)), 3)}"
        for term in terms
        if " " not in term and not _LATIN.fullmatch(term)
    ]


class QueryTokenizer:
    """Query tokens, segmented against an index's own vocabulary (fast to load), or with the
    full dictionary when there is none. Short texts' tokens are remembered."""

    def __init__(self, vocabulary: Path | None) -> None:
        self._vocabulary = vocabulary
        self._tokenizer: Any = None
        self._segmented: dict[str, list[str]] = {}  # short texts seen (titles, phrases)

    @staticmethod
    def _load(vocabulary: Path) -> Any:
        """jieba's search-mode cut over the vocabulary; an index of no Chinese word (an English
        library) has none, and a Chinese run of a question is then one term it cannot hold."""
        if not vocabulary.read_text(encoding="utf-8").strip():
            return lambda run: [run]
        import jieba

        jieba.setLogLevel(60)
        tokenizer = jieba.Tokenizer(dictionary=str(vocabulary))
        # jieba caches a dictionary's parse in /tmp under a name of its path, a new file for
        # every build; beside the vocabulary it goes with its build (a read-only index: none).
        tokenizer.tmp_dir, tokenizer.cache_file = str(vocabulary.parent), f"{vocabulary.name}.cache"
        tokenizer.initialize()
        return tokenizer.cut_for_search

    def __call__(self, text: str) -> list[str]:
        if self._vocabulary is None:
            return tokenize(text)
        if (known := self._segmented.get(text)) is not None:
            return list(known)
        if self._tokenizer is None:
            self._tokenizer = self._load(self._vocabulary)
        terms = split(fold_text(text), self._tokenizer)
        if len(text) <= SEGMENTED_LENGTH:
            if len(self._segmented) >= SEGMENTED_TEXTS:
                self._segmented.clear()
            self._segmented[text] = terms
        return list(terms)
