"""Whose law or policy a question asks about, against whose a document is.

A library of one topic holds the same kinds of text from several places: Taiwan's, the PRC's
and the United States' laws on foreign trade, export control or labour contracts, some in two
languages. `When did China's Export Control Law come into effect?` is asked in English, and
Taiwan's export law in English stands nearer it than the PRC's law in Chinese. The question
names its place (China, 中國, a Chinese employer); a document names its own, in its title and
text (中华人民共和国, the Republic of China, the United States), as its country actor claims
record. A document that names places, none of them the question's, is another place's text:
chosen on the dev library's tune split over the share of its mentions that are others' (which
lowered a seeds question naming two countries) and the distance from its most named place.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable

from reindustry_kb.ask.query import Concept
from reindustry_kb.index.backend import IndexReader
from reindustry_kb.models import ActorClaim, ClaimFilters

# Adjectives of the places the actor table names (the table holds their nouns and aliases).
_DEMONYMS = {
    "chinese": "China",
    "taiwanese": "Taiwan",
    "american": "United States",
    "japanese": "Japan",
    "korean": "South Korea",
    "british": "United Kingdom",
    "german": "Germany",
    "french": "France",
    "indian": "India",
    "vietnamese": "Vietnam",
    "mexican": "Mexico",
    "canadian": "Canada",
    "russian": "Russia",
    "dutch": "Netherlands",
    "singaporean": "Singapore",
    "malaysian": "Malaysia",
    "australian": "Australia",
}
_DEMONYM = re.compile(r"\b(" + "|".join(_DEMONYMS) + r")s?\b", re.IGNORECASE)


def asked_places(question: str, ideas: Iterable[Concept]) -> frozenset[str]:
    """The countries a question names, as nouns (its ideas' places) or adjectives."""
    named = {idea.country for idea in ideas if idea.country}
    named |= {_DEMONYMS[m.group(1).lower()] for m in _DEMONYM.finditer(question)}
    return frozenset(named)


def document_places(reader: IndexReader, doc_ids: Collection[str]) -> dict[str, Counter[str]]:
    """How often each document names each country (its country actor claims), one read."""
    named: dict[str, Counter[str]] = {doc_id: Counter() for doc_id in doc_ids}
    if not doc_ids:
        return named
    for claim in reader.find_claims(ClaimFilters(kind="actor", docs=tuple(doc_ids))):
        if isinstance(claim, ActorClaim) and claim.actor_type == "country":
            named[claim.doc_id][claim.canonical] += 1
    return named


def elsewhere(asked: Collection[str], named: Counter[str]) -> bool:
    """Whether a document is another place's: it names countries, none of those the question
    asks about (Taiwan's law in English, naming the Republic of China, asked about China).
    A question naming no place, or a document naming none, says nothing."""
    return bool(asked) and bool(named) and not any(named[place] for place in asked)
