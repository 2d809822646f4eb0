"""Whose law or policy a question asks about, against whose a document is.

A library of one topic holds the same kinds of text from several places: Taiwan's, the PRC's
and the United States' laws on foreign trade, export control or labour contracts, some in two
languages. `When did China's Export Control Law come into effect?` is asked in English, and
Taiwan's export law in English stands nearer it than the PRC's law in Chinese. The question
names its place (China, 中國, a Chinese employer); a document names its own, in its title and
text (中华人民共和国, the Republic of China, the United States), as its country actor claims
record, and through the government bodies it names (the Executive Yuan is Taiwan's: an English
translation of Taiwan's law may never write Taiwan). A document that names places, none of
them the question's, is another place's text: chosen on the dev library's tune split over the
share of its mentions that are others' (which lowered a seeds question naming two countries)
and the distance from its most named place.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Mapping

from reindustry_kb.claims.lexicon import actor_lexicon, government_states
from reindustry_kb.index.backend import IndexReader
from reindustry_kb.models import ActorClaim, ClaimFilters, Document
from reindustry_kb.text.normalize import fold

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
    "european": "European Union",
}
# Organisations in the actor table that are places of law as a country is.
JURISDICTIONS = frozenset({"European Union"})
_DEMONYM = re.compile(r"\b(" + "|".join(_DEMONYMS) + r")s?\b", re.IGNORECASE)
# A document names places this often before it counts as another place's: DRCD's paragraphs of
# 1,000 lost the right one first twice at 1 (and won once), none at 2 (dev tune: 15 won instead
# of 18, none lost either way).
MENTIONS = 2
# A document of this many passages or more is long: a law, an order, a report, not an
# encyclopaedia paragraph or a one-line note. Its script implies its place (document_places),
# and the second stage gives it a standing and its kinds in full (second_stage.py).
LONG_DOCUMENT = 10


def is_place(canonical: str, kind: str) -> bool:
    return kind == "country" or canonical in JURISDICTIONS


def asked_places(question: str) -> frozenset[str]:
    """The places a question names, as nouns (the actor table's countries and jurisdictions,
    any alias and script) or adjectives."""
    folded = fold(question, lower=False).text
    named = {c for _s, _e, (c, kind) in actor_lexicon().find(folded) if is_place(c, kind)}
    named |= {_DEMONYMS[m.group(1).lower()] for m in _DEMONYM.finditer(question)}
    return frozenset(named)


def document_places(
    reader: IndexReader,
    documents: Mapping[str, Document],
    known: dict[str, Counter[str]] | None = None,
) -> dict[str, Counter[str]]:
    """How often each document names each place: its country actor claims, and its government
    bodies' states (the Executive Yuan is Taiwan's, though an English translation of Taiwan's
    law may never write Taiwan). A long document in Chinese that names fewer than MENTIONS is
    its script's (implied_place): a law seldom names its own state, and an article of Taiwan's
    Labor Standards Act answers a question about Taiwan without naming it. One read for the
    documents not in `known` (a session's memo: the second stage and the confidence ask about
    the same documents), which gains them."""
    known = {} if known is None else known
    unread = [doc_id for doc_id in documents if doc_id not in known]
    if unread:
        named: dict[str, Counter[str]] = {doc_id: Counter() for doc_id in unread}
        for claim in reader.find_claims(ClaimFilters(kind="actor", docs=tuple(unread))):
            if not isinstance(claim, ActorClaim):
                continue
            if is_place(claim.canonical, claim.actor_type):
                named[claim.doc_id][claim.canonical] += 1
            elif state := government_states().get(claim.canonical):
                named[claim.doc_id][state] += 1
        for doc_id in long_documents({doc_id: documents[doc_id] for doc_id in unread}):
            if sum(named[doc_id].values()) < MENTIONS:
                named[doc_id].update(implied_place(documents[doc_id].lang))
        known.update(named)
    return {doc_id: known[doc_id] for doc_id in documents}


def long_documents(documents: Mapping[str, Document]) -> set[str]:
    """The documents of LONG_DOCUMENT passages or more."""
    return {doc_id for doc_id, doc in documents.items() if doc.n_passages >= LONG_DOCUMENT}


def elsewhere(asked: Collection[str], named: Counter[str]) -> bool:
    """Whether a document is another place's: it names countries, at least MENTIONS times,
    none of them those the question asks about (Taiwan's law in English, naming the Republic
    of China, asked about China's). A question naming no place, or a document naming places
    less often (an encyclopaedia paragraph's passing 英國), says nothing."""
    return (
        bool(asked) and sum(named.values()) >= MENTIONS and not any(named[place] for place in asked)
    )


# The place whose laws a long document in this script, naming no place, most likely is: its
# government writes in that script (a Hong Kong ordinance names Hong Kong).
_SCRIPT_PLACE = {"zh-Hans": "China", "zh-Hant": "Taiwan"}


def implied_place(lang: str) -> Counter[str]:
    """The place a long document's script implies when it names none, as MENTIONS mentions
    (none for English or mixed text)."""
    place = _SCRIPT_PLACE.get(lang)
    return Counter({place: MENTIONS}) if place else Counter()


def asked_share(asked: Collection[str], named: Counter[str]) -> float:
    """The share of a document's place mentions that are of the places asked about; 1 when
    the question names none or the document none."""
    total = sum(named.values())
    if not asked or not total:
        return 1.0
    return sum(named[place] for place in asked) / total
