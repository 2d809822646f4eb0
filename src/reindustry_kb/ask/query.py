"""Query analysis: the question's own BM25 terms, and their equivalents in the other language.

BM25 matches words, so an English question cannot reach Chinese passages by itself. Phrases
found in the question through the bilingual glossary (data/glossary.tsv: tariff -> 關稅, curated;
data/places.tsv: 257 country and territory names from Unicode CLDR, Puerto Rico -> 波多黎各;
data/law_terms.tsv: 3,618 legal terms mined from the official English translations of Taiwan's
laws; data/legal_vocabulary.tsv: English legal words written out in mainland and Taiwan usage)
and the actor table (Nvidia -> 輝達 / 英偉達) bring their equivalents along as extra terms with a
lower weight, so lexical evidence exists on both sides of the language line. A phrase's
equivalents share its weight (query translation by a dictionary: a word of four translations
would otherwise count four times as much as a word of one).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from functools import cache

from reindustry_kb.ask.terms import Terms
from reindustry_kb.claims.lexicon import (
    Lexicon,
    actor_lexicon,
    build_lexicon,
    load_json,
    table_lines,
)
from reindustry_kb.text.language import detect_language
from reindustry_kb.text.normalize import fold, is_han

# An equivalent phrase weighs as the question's own words when it is its phrase's only one,
# and the code-mixed twin's vector as the question's (search.query_vector). It was 0.6 while
# most English legal words had no equivalent and a mined one was a guess; with the written
# vocabulary, the dev tune split's MRR@10 over 0.5 .. 1.2 read 0.779, 0.781, 0.782, 0.786,
# 0.790, 0.795, 0.794 (R@1 0.704 at 0.6, 0.723 at 1.0; docs/BENCHMARKS.md "0.12.8").
EXPANSION_WEIGHT = 1.0
# ... and a phrase's n equivalents each EXPANSION_WEIGHT / n ** SPREAD: with the written
# vocabulary (up to four equivalents a word; at EXPANSION_WEIGHT 0.6), 0.5 against none, paired
# over the dev library's tune split: R@1 4 won / 1 lost, R@5 0 / 2, MRR@10 0.773 -> 0.778; held
# out R@1 unchanged, R@5 0 / 1; the blind set R@1 unchanged, R@5 0 / 1.
SPREAD = 0.5


@dataclass
class Query:
    text: str
    terms: list[str]  # the question's own tokens
    expansions: list[list[str]] = field(default_factory=list)  # tokens of each equivalent phrase
    expansion_weights: list[float] = field(default_factory=list)  # ... and its weight (SPREAD)

    def weighted_terms(self) -> list[tuple[str, float]]:
        """The question's own terms at weight 1, equivalents at their weights (SPREAD)."""
        weighted = [(term, 1.0) for term in self.terms]
        own = set(self.terms)
        for phrase, weight in zip(self.expansions, self.expansion_weights, strict=True):
            weighted += [(term, weight) for term in phrase if term not in own]
        return weighted


# The bilingual tables, in order: curated (a line's Chinese words are synonyms; a place's
# names too), mined (a line only for an English term neither before holds),
# written (a line adds its Chinese words to whatever the term has: the mined table's Taiwan
# usage gains the mainland's, employer -> 雇主 | 用人单位). A written line reads one way,
# English to Chinese: both ways, Chinese questions lost (dev tune R@1 0 won / 3 lost, R@5 2 / 0).
TABLES = {
    "glossary.tsv": "curated",
    "places.tsv": "curated",
    "law_terms.tsv": "mined",
    "legal_vocabulary.tsv": "written",
}


@cache
def glossary() -> Lexicon:
    """Every side of a line maps to the others (a written line's English to its Chinese
    only), in the files' order (the first equivalent listed is the usual one): the curated
    policy glossary, the names of countries and territories (Unicode CLDR:
    scripts/mine_places.py), the term table mined from the official English translations of
    Taiwan's laws (scripts/mine_terms.py) for the English terms neither holds, then the legal
    vocabulary written for the commonest words of those translations that no table held and
    for mainland usage where Taiwan's differs (scripts/vocabulary_candidates.py)."""
    groups: dict[str, dict[str, None]] = {}
    seen: set[str] = set()  # English terms with a line already
    for name, kind in TABLES.items():
        for english, chinese_words in table_lines(name):
            if kind == "mined" and english.lower() in seen:
                continue
            # Questions are looked up lower-cased; a place's name is given as written.
            groups.setdefault(english.lower(), {}).update(dict.fromkeys(chinese_words))
            seen.add(english.lower())
            if kind == "written":
                continue  # 业务 under `business` is no reason to read business in 业务
            # A curated line's (or a place's) Chinese words are synonyms (朝鲜 | 北韓); a mined
            # line's are two guesses at one English term (徒刑 | 有期), each only its equivalent.
            others = chinese_words if kind == "curated" else []
            for word in chinese_words:
                groups.setdefault(word, {}).update(
                    (w, None) for w in [english, *others] if w != word
                )
    # The mined table stands in the tokenizer's singulars (shareholder meeting), and questions
    # write plurals (shareholder meetings, penalties): a term is found in its plural too (dev
    # tune R@1 2 won / 0 lost).
    return build_lexicon({word: tuple(others) for word, others in groups.items()}, plurals=True)


# A Chinese word of the written vocabulary names a title's English words when its lines give
# it at most this many English stems (海洋: ocean, sea; 遵守: comply, abide, adhere, conform ...).
TITLE_SENSES = 4


def title_words(word: str) -> tuple[str, ...]:
    """The English terms the written vocabulary gives a Chinese word (read backwards), when
    they are of few senses (TITLE_SENSES): what a Chinese question calls a title written in
    English (美国海洋政策行政命令 -> Ocean Policy ...). Backwards for the title only: as query
    terms they lowered Chinese questions (docs/BENCHMARKS.md "0.12.9")."""
    terms = _english_of().get(word, ())
    return terms if len({_stem(term) for term in terms}) <= TITLE_SENSES else ()


@cache
def _english_of() -> dict[str, tuple[str, ...]]:
    """The written tables read backwards: Chinese word (written folded) -> English terms."""
    english_of: dict[str, dict[str, None]] = {}
    for name in (name for name, kind in TABLES.items() if kind == "written"):
        for english, chinese_words in table_lines(name):
            for word in chinese_words:
                english_of.setdefault(word, {})[english] = None
    return {word: tuple(terms) for word, terms in english_of.items()}


def _stem(english: str) -> str:
    """A crude stem, to count senses rather than forms: investigate, investigated and
    investigation are one."""
    return " ".join(word[:5] for word in english.lower().split())


@cache
def _actor_aliases() -> dict[str, tuple[str, ...]]:
    aliases: dict[str, list[str]] = {}
    for entry in load_json("actors.json"):
        aliases[entry["canonical"]] = [entry["canonical"], *entry["aliases"]]
    return {canonical: tuple(names) for canonical, names in aliases.items()}


def analyse(question: str, known: Terms) -> Query:
    """The question's BM25 terms and the other-language equivalents it brings."""
    terms = known.query_terms(question)
    folded = fold(question, lower=False).text
    tokens: dict[str, list[str]] = {}  # each equivalent's BM25 tokens
    weights: dict[str, float] = {}  # ... and its weight (its best, when phrases share it)
    for _start, _end, others in _phrases(folded):
        for other in others:
            if other not in tokens:
                tokens[other] = [t for t in known.query_terms(other) if not re.fullmatch(r"\W+", t)]
        found = [other for other in others if tokens[other]]
        for other in found:
            weight = EXPANSION_WEIGHT / len(found) ** SPREAD
            weights[other] = max(weight, weights.get(other, 0.0))
    return Query(question, terms, [tokens[other] for other in weights], list(weights.values()))


def crossed(question: str, libraries: Collection[str] = ("en", "zh")) -> str | None:
    """The question with each glossary or actor phrase put in the other language (the first
    equivalent written in it), or None when it has none, is of both languages already, or
    the other language is not among the `libraries` (language groups) searched.

    A small multilingual embedder matches same-language text far better than a translation:
    `How much can a company credit against 所得稅` lies nearer a Chinese article than the
    English question does, and the embedder reads the rest of the sentence for context."""
    language = detect_language(question)
    if language == "mixed":
        return None
    to_chinese = language == "en"
    if ("zh" if to_chinese else "en") not in libraries:
        return None
    folded = fold(question, lower=False).text
    spans = []
    for start, end, others in _phrases(folded):
        other = next((o for o in others if is_han(o[0]) == to_chinese), None)
        if other is not None:  # the first equivalent written in the other language
            spans.append((start, end, other))
    if not spans:
        return None
    parts, position = [], 0
    for start, end, other in sorted(spans):
        if start < position:  # overlapping matches: the first (longest) one stands
            continue
        # English words between Chinese ones need spaces round them; Chinese ones need none.
        parts += [folded[position:start], other if to_chinese else f" {other} "]
        position = end
    parts.append(folded[position:])
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _phrases(folded: str) -> Iterator[tuple[int, int, tuple[str, ...]]]:
    """Each glossary or actor phrase of a folded question: its span and its equivalents (the
    glossary's other side; the actor's other names, in any language or script)."""
    yield from glossary().find(folded.lower())
    for start, end, (canonical, _kind) in actor_lexicon().find(folded):
        written = folded[start:end]
        yield start, end, tuple(a for a in _actor_aliases()[canonical] if a != written)


# An English possessive's ending (China's, a worker’s).
_POSSESSIVE = re.compile(r"['’]s$")


@dataclass
class Concept:
    """One idea of a question: its own tokens, and the tokens of each equivalent phrase; a
    country's canonical name when the idea is a place (a scope, not a measure)."""

    tokens: list[str]
    equivalents: list[list[str]] = field(default_factory=list)
    country: str | None = None

    def found_in(self, tokens: set[str], folded: str) -> bool:
        """Whether a text (its BM25 tokens, its folded form) names this idea, in its words or
        an equivalent. Chinese words match inside the text too, as Chinese writes no spaces:
        锂 stands in 锂电池 though jieba cuts it whole."""

        def holds(phrase: list[str]) -> bool:
            return all(t in tokens or (is_han(t[0]) and t in folded) for t in phrase)

        return holds(self.tokens) or any(phrase and holds(phrase) for phrase in self.equivalents)


def concepts(question: str, known: Terms) -> list[Concept]:
    """The question's ideas: each glossary or actor phrase with its equivalents, and each
    remaining token alone. `tariff revenue` is two ideas, 关税 | tariff and 收入 | revenue."""
    folded = fold(question, lower=False).text
    found: dict[tuple[str, ...], Concept] = {}

    def add(phrase: str, others: list[str], country: str | None = None) -> None:
        tokens = known.query_terms(phrase)
        if not tokens:
            return
        concept = found.setdefault(tuple(tokens), Concept(tokens))
        for other in others:
            equivalent = known.query_terms(other)
            if equivalent and equivalent != tokens and equivalent not in concept.equivalents:
                concept.equivalents.append(equivalent)
        concept.country = concept.country or country

    for start, end, others in glossary().find(folded.lower()):
        # One hop through the other language too: tariff -> 关税 -> customs duties (not a
        # single character: 税 would stand inside every tax word).
        pivoted = [o2 for o in others for o2 in _glossary_equivalents(o) if len(o2) > 1]
        add(folded[start:end], [*others, *pivoted])
    for start, end, (canonical, kind) in actor_lexicon().find(folded):
        add(
            folded[start:end],
            list(_actor_aliases()[canonical]),
            canonical if kind == "country" else None,
        )
    covered = {t for concept in found.values() for t in concept.tokens}
    for term in known.query_terms(question):
        # A possessive is its word's idea (China's is China, whose actor idea stands already;
        # a worker's is found as worker too): the tokenizer keeps it whole, as texts write it.
        base = _POSSESSIVE.sub("", term)
        if term not in covered and base not in covered:
            add(term, [base] if base != term else [])
    return list(found.values())


def _glossary_equivalents(phrase: str) -> tuple[str, ...]:
    """The glossary's equivalents of a whole phrase, or none."""
    folded = fold(phrase, lower=False).text.lower()
    for start, end, others in glossary().find(folded):
        if (start, end) == (0, len(folded)):
            return tuple(others)
    return ()
