"""Query analysis: the question's own BM25 terms, and their equivalents in the other language.

BM25 matches words, so an English question cannot reach Chinese passages by itself. Phrases
found in the question through the bilingual glossary (data/glossary.tsv: tariff -> 關稅) and
the actor table (Nvidia -> 輝達 / 英偉達) bring their equivalents along as extra terms with a
lower weight, so lexical evidence exists on both sides of the language line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from reindustry_kb.claims.lexicon import Lexicon, actor_lexicon, build_lexicon, load_json
from reindustry_kb.lexical import LexicalIndex
from reindustry_kb.normalize import fold

# Equivalents count less than the question's own words: a translation is a guess.
EXPANSION_WEIGHT = 0.6


@dataclass
class Query:
    text: str
    terms: list[str]  # the question's own tokens
    expansions: list[list[str]] = field(default_factory=list)  # tokens of each equivalent phrase

    def weighted_terms(self) -> list[tuple[str, float]]:
        """The question's own terms at weight 1, equivalents at EXPANSION_WEIGHT."""
        weighted = [(term, 1.0) for term in self.terms]
        own = set(self.terms)
        for phrase in self.expansions:
            weighted += [(term, EXPANSION_WEIGHT) for term in phrase if term not in own]
        return weighted


@cache
def glossary() -> Lexicon:
    """Every side of every glossary line maps to all the others."""
    text = resources.files("reindustry_kb").joinpath("data/glossary.tsv").read_text("utf-8")
    groups: dict[str, set[str]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        english, chinese = line.split("\t")
        words = {english.strip(), *(w.strip() for w in chinese.split("|") if w.strip())}
        for word in words:
            groups.setdefault(word, set()).update(words - {word})
    return build_lexicon({word: tuple(sorted(others)) for word, others in groups.items()})


@cache
def _actor_aliases() -> dict[str, tuple[str, ...]]:
    aliases: dict[str, list[str]] = {}
    for entry in load_json("actors.json"):
        aliases[entry["canonical"]] = [entry["canonical"], *entry["aliases"]]
    return {canonical: tuple(names) for canonical, names in aliases.items()}


def analyse(question: str, lexical: LexicalIndex) -> Query:
    """The question's BM25 terms and the other-language equivalents it brings."""
    terms = lexical.query_terms(question)
    folded = fold(question, lower=False).text
    equivalents: list[str] = []
    for _start, _end, others in glossary().find(folded.lower()):
        equivalents.extend(others)
    for start, end, (canonical, _kind) in actor_lexicon().find(folded):
        written = folded[start:end]
        equivalents.extend(a for a in _actor_aliases()[canonical] if a != written)
    expansions = []
    for phrase in dict.fromkeys(equivalents):
        tokens = [t for t in lexical.query_terms(phrase) if not re.fullmatch(r"\W+", t)]
        if tokens:
            expansions.append(tokens)
    return Query(question, terms, expansions)
