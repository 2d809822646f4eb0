"""Claims across sources: `rkb compare` (over time: ask/timeline.py).

Which figures has anyone cited for a measure, who cited them and when, do they agree?

Finding. A statistic matches when its measure (claims/context.py) names the query's ideas, in
any script or language through the glossary and actor table; an idea named only by the
figure's sentence or passage counts less (国库 ... 3000 亿美元 in a passage about tariffs), and a
figure naming less still matches when its sentence window, stored with the passage, stands close
to the query in meaning (`closeness`; the query embedded as `rkb ask` embeds it, with its twin
in the other language). A place in the query (US tariff revenue) is a scope, not a measure:
figures scoped to another country are left out.

Grouping and disagreement (ask/grouping.py). A group holds the figures of one measure of one
thing: one unit, one scope, one measured object (全球鋰電池產能 and 全球太陽能板 are two things);
figures of one period from different documents whose values lie apart are flagged.

Order. The group that best matches the query comes first: the best relevance among its figures,
which weighs the share of the query's ideas a figure names (`match`) with the dense similarity
between the query and its measured object (`similarity`, scaled over the figures found).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel

from reindustry_kb.ask.copies import without_copies
from reindustry_kb.ask.dense import standardisers, window_similarities
from reindustry_kb.ask.grouping import (
    TOLERANCE,
    Bound,
    ComparedStatistic,
    Disagreement,
    ObjectMatcher,
    StatisticGroup,
    grouped,
    measure_places,
)
from reindustry_kb.ask.periods import part_period, year_part
from reindustry_kb.ask.query import Concept, concepts
from reindustry_kb.ask.search import query_vector
from reindustry_kb.ask.session import Session
from reindustry_kb.ask.terms import Terms
from reindustry_kb.claims.context import OPENER, clause_of, sentence_of
from reindustry_kb.claims.measured import measured_object
from reindustry_kb.claims.statistics import CURRENCY_PREFIX, CURRENCY_SUFFIX
from reindustry_kb.index.backend import PassageVectors
from reindustry_kb.ingest.segment import window_spans
from reindustry_kb.models import (
    ActorClaim,
    ClaimFilters,
    Document,
    Passage,
    StatisticClaim,
)
from reindustry_kb.text.normalize import fold_text

__all__ = [
    "ComparedStatistic",
    "Comparison",
    "Disagreement",
    "StatisticGroup",
    "compare",
]

# Share of the query's ideas (IDF-weighted) a statistic must name, one of them at least in its
# sentence; an idea named only by the figure's sentence counts at SENTENCE_WEIGHT, only by its
# passage at PASSAGE_WEIGHT.
MATCH_THRESHOLD = 0.5
SENTENCE_WEIGHT = 0.75
PASSAGE_WEIGHT = 0.5
# A figure naming less, down to MATCH_THRESHOLD x PASSAGE_WEIGHT, still matches when its
# sentence window stands this many standard deviations above the query's typical similarity.
CLOSE = 2.0
# What a unit says a figure is, in both languages, named as its measure names things: a GW
# figure is a capacity, a GWh figure an output, a percentage a share or a rate.
_POWER = "capacity installed power 容量 装机 功率"
_ENERGY = "generation output electricity 发电量 电量"
UNIT_KINDS = {
    **dict.fromkeys(("GW", "MW", "kW"), _POWER),
    **dict.fromkeys(("GWh", "MWh", "TWh", "kWh"), _ENERGY),
    "%": "share rate percentage proportion 占比 比例 比率 比重 份额",
    "x": "times multiple 倍数",
}
# What the verb just before a sum of money says it is, whatever the measure names: money
# brought in, collected or raised is revenue (美國今年有望為國庫帶來 3000 億美元; collected $195
# billion), read in the folded text of the figure's clause before it, a few words of bound or
# hedge (高达, an estimated) allowed between.
_CURRENCIES = frozenset({*CURRENCY_PREFIX.values(), *CURRENCY_SUFFIX.values()})
_INCOME = "revenue income receipts 收入 税收 岁入"
# Words of bound or hedge between an English verb and its figure (raised an estimated $2bn).
_HEDGES_EN = (
    "about|around|roughly|nearly|almost|some|over|more than|an estimated|an|approximately"
    "|up to|at least|close to|upwards of"
)
_INCOME_BEFORE = re.compile(
    r"(?:带来|带进|征收|征得|收取|收到|进账|入库|创收|筹集|筹得|募集|募得|赚取|赚进|赚得)"
    r"(?:了|高达|多达|达到?|约|大约|近|将近|接近|逾|超过|至少|可能|有望)*$"
    r"|\b(?:br(?:ing|ings|inging|ought) in|collect(?:s|ed|ing)?|rais(?:e|es|ed|ing)"
    r"|generat(?:e|es|ed|ing)|earn(?:s|ed|ing)?|(?:took|take|takes|taking) in|yield(?:s|ed|ing)?)"
    rf"(?:\s+(?:{_HEDGES_EN}))*$"
)
# An English verb right before a figure says what is counted where its measure does not
# (Taiwan's economy grew 4.59%: a growth; the United States added 38 GW of solar capacity: an
# addition), as a noun the glossary knows. Before `to` a verb gives a level (rose to $5
# billion), which the measure names: that is no verb right before the figure.
_VERB_NOUNS = {
    **dict.fromkeys(("grew", "grow", "grows", "grown", "expanded", "expands"), "growth"),
    **dict.fromkeys(
        ("rose", "rise", "rises", "risen", "increased", "jumped", "climbed", "surged", "soared"),
        "increase",
    ),
    **dict.fromkeys(
        ("fell", "fall", "falls", "fallen", "dropped", "declined", "decreased", "shrank"),
        "decline",
    ),
    **dict.fromkeys(("added", "adds", "add", "adding"), "added"),
    **dict.fromkeys(("installed", "installs"), "installed"),
    **dict.fromkeys(("invested", "invests", "investing"), "investment"),
    **dict.fromkeys(("spent", "spends", "spending"), "spending"),
    **dict.fromkeys(("exported", "exports"), "exports"),
    **dict.fromkeys(("imported", "imports"), "imports"),
}
_VERB_BEFORE = re.compile(
    rf"\b(?P<verb>[a-z]+)(?:\s+by)?(?:\s+(?:a record|another|an additional|{_HEDGES_EN}))*$"
)
# A figure's relevance: MATCH_WEIGHT x its match + OBJECT_WEIGHT x the share of its measured
# object the query names + DENSE_WEIGHT x its similarity, scaled (see _rank). Chosen on the
# tuning half of tests/data/compare_queries.jsonl (scripts/eval_compare.py), first@1 / pure@1
# at (dense, object) 0.3/0: 0.708/0.667; 0.3/0.2: 0.708/0.667; 0/0.3: 0.729/0.667;
# 0.1/0.3: 0.729/0.688; 0.15/0.3: 0.729/0.688; 0/0.5: 0.688/0.625; 0.3/0.4: 0.688/0.646.
DENSE_WEIGHT = 0.1
OBJECT_WEIGHT = 0.3
MATCH_WEIGHT = 1 - DENSE_WEIGHT - OBJECT_WEIGHT


class Comparison(BaseModel):
    query: str
    groups: list[StatisticGroup]


@dataclass
class _Match:
    claim: StatisticClaim
    share: float  # of the query's measure ideas, at the nearest level each is named
    closeness: float | None
    bound: Bound | None
    named: float  # of all the query's ideas, places too (its scope or sentence naming one)
    owners: list[str]  # who the figure is of: the actors before it in its clause
    part: str | None  # the quarter, half or month named nearest it in its clause (Q2)
    verb: str | None  # what the English verb right before it says is counted (grew: growth)


def compare(
    session: Session,
    query: str,
    unit: str | None = None,
    since: str | None = None,
    until: str | None = None,
    tolerance: float = TOLERANCE,
) -> Comparison:
    """The statistics of the query's measure, grouped by measured object, unit and scope,
    best match first, disagreements within a period flagged."""
    reader = session.reader
    ideas = concepts(query, session.terms)
    measures = [c for c in ideas if c.country is None]
    places = {c.country for c in ideas if c.country}
    if not measures:
        return Comparison(query=query, groups=[])
    vocabulary = {t for c in measures for t in [*c.tokens, *(t for e in c.equivalents for t in e)]}
    filters = ClaimFilters(
        kind="statistic", unit=unit, since=since, until=until, mentions=tuple(sorted(vocabulary))
    )
    found = [c for c in reader.find_claims(filters) if isinstance(c, StatisticClaim)]
    if places:
        # A figure between two places (台湾对美国的芯片出口额) is of either.
        found = [
            c
            for c in found
            if c.scope in (None, "global") or places & {c.scope, *measure_places(c.measure)}
        ]
    vector = query_vector(session, query) if found and session.dense.n else None
    matched = _matched(session, vector, ideas, found)
    documents = reader.documents_by_id({m.claim.doc_id for m in matched})
    # A figure and its copy's (the same file twice) are one figure, not two that agree.
    matched, copies = without_copies(
        matched, lambda m: (m.claim.doc_id, m.claim.char_start, m.claim.char_end), documents
    )
    rows = [
        _row(m, documents[m.claim.doc_id], [c.claim.citation for c in found])
        for m, found in zip(matched, copies, strict=True)
    ]
    matcher = ObjectMatcher(session.terms)
    rows = _rank(session, vector, rows, query, matcher)
    return Comparison(query=query, groups=grouped(rows, tolerance, matcher))


def _row(m: _Match, document: Document, copies: list[str]) -> ComparedStatistic:
    """A matched statistic as compare shows it, with its document's title and date, and the
    citations of its copies."""
    claim = m.claim
    return ComparedStatistic(
        id=claim.id,
        value=claim.value,
        value_max=claim.value_max,
        unit=claim.unit,
        approx=claim.approx,
        text=claim.text,
        measure=claim.measure,
        scope=claim.scope,
        period=claim.period,
        doc_id=claim.doc_id,
        title=document.title,
        date=document.date,
        citation=claim.citation,
        copies=copies,
        line=claim.line,
        match=round(m.named, 3),
        closeness=m.closeness,
        object=_object(claim, m.verb),
        bound=m.bound,
        owners=m.owners,
        compared_at=part_period(claim.period, m.part, document.date),
    )


def _object(claim: StatisticClaim, verb: str | None = None) -> str | None:
    """What the statistic counts or measures (claims/measured.py), without the figure itself
    where its measure holds it (中國新增 280 GW太陽能發電量), and with what the verb before the
    figure says where there is one (economy grew 4.59%: economy growth)."""
    if not claim.measure or claim.measure_start is None or claim.measure_end is None:
        return None
    start, end = claim.char_start - claim.measure_start, claim.char_end - claim.measure_start
    inside = start >= 0 and claim.char_end <= claim.measure_end
    measured = measured_object(claim.measure, (start, end) if inside else None)
    if measured is None or verb is None or verb in measured.words:
        return measured.label if measured else None
    # The subject before its verb (economy grew), the verb before its object (added ... of
    # solar capacity).
    before = claim.measure_end <= claim.char_start
    return f"{measured.label} {verb}" if before else f"{verb} {measured.label}"


def _verb_noun(passage: Passage, claim: StatisticClaim) -> str | None:
    """What the English verb right before a figure says is counted (_VERB_NOUNS)."""
    start = claim.char_start - passage.char_start
    left, _ = clause_of(passage.text, start, claim.char_end - passage.char_start)
    found = _VERB_BEFORE.search(fold_text(passage.text[left:start]).rstrip())
    return _VERB_NOUNS.get(found["verb"]) if found else None


# A text a statistic is read in (its measure, its sentence, its passage): its BM25 tokens and
# folded form, and the weight of an idea it names.
Level = tuple[tuple[set[str], str], float]


def _matched(
    session: Session, vector: Any, ideas: list[Concept], found: list[StatisticClaim]
) -> list[_Match]:
    """Each statistic that names enough of the query's measure ideas, with that share, how
    close its sentence window stands to the query (see `_share` and `_closeness`), how much
    of the whole query (places too) it names, its bound and its owners."""
    terms = session.terms
    measures = [c for c in ideas if c.country is None]
    passages = session.reader.passages({c.passage_id for c in found}) if found else {}
    analyse = _analyser(terms)
    shared = []  # naming enough of the query: (claim, share, nearest, levels, verb)
    for claim in found:
        verb = _verb_noun(passages[claim.passage_id], claim)
        levels = _levels(claim, passages[claim.passage_id], analyse, verb)
        share, nearest = _share(measures, [_weight(terms, c) for c in measures], levels)
        if share >= MATCH_THRESHOLD * PASSAGE_WEIGHT:
            shared.append((claim, share, nearest, levels, verb))
    # Vectors and actors only for the passages of those: a common word stands in thousands.
    reader = session.reader
    keys = list(dict.fromkeys(claim.passage_id for claim, *_ in shared))
    vectors = reader.passage_vectors(keys) if vector is not None and keys else None
    place = {key: index for index, key in enumerate(vectors.keys)} if vectors else {}
    actors = {
        key: [c for c in claims if isinstance(c, ActorClaim)]
        for key, claims in (reader.claims_by_passage(keys) if keys else {}).items()
    }
    # An idea weighs by its most specific wording in either language: 关税 may be common in a
    # Chinese library whose English side never says tariff, and neither should count less.
    weights = [_weight(terms, c) for c in ideas]
    # A passage's windows, cut once for all its figures (cutting costs more than the rest).
    windows: dict[str, list[tuple[int, int]]] = {}
    matched = []
    for claim, share, nearest, levels, verb in shared:
        passage = passages[claim.passage_id]
        closeness = None
        if vectors is not None:
            if claim.passage_id not in windows:
                windows[claim.passage_id] = window_spans(passage, session.window_size)
            closeness = _closeness(
                session, vector, vectors, place[claim.passage_id], windows[claim.passage_id], claim
            )
        named = share >= MATCH_THRESHOLD and nearest >= SENTENCE_WEIGHT
        if named or (closeness or 0.0) >= CLOSE:
            near = actors.get(claim.passage_id, [])
            matched.append(
                _Match(
                    claim,
                    share,
                    closeness,
                    _bound(passage, claim),
                    _share(ideas, weights, levels)[0],
                    _owners(passage, claim, near),
                    _part(passage, claim),
                    verb,
                )
            )
    return matched


def _part(passage: Passage, claim: StatisticClaim) -> str | None:
    """The part of a year (quarter, half, month) its clause names nearest the figure, else
    the one a short opener of its sentence names (In March, the U.S. added 228,000 jobs)."""
    start, end = claim.char_start - passage.char_start, claim.char_end - passage.char_start
    left, right = clause_of(passage.text, start, end)
    part = year_part(passage.text[left:right], start - left, end - left)
    opens, _ = sentence_of(passage.text, start, end)
    if part is None and 0 < left - opens <= OPENER:
        part = year_part(passage.text[opens:left], left - opens)
    return part


def _analyser(terms: Terms) -> Callable[[str], tuple[set[str], str]]:
    """A text's BM25 tokens and folded form, each text read once."""
    analysed: dict[str, tuple[set[str], str]] = {}

    def analyse(text: str) -> tuple[set[str], str]:
        if text not in analysed:
            analysed[text] = (set(terms.query_terms(text)), fold_text(text))
        return analysed[text]

    return analyse


def _levels(
    claim: StatisticClaim,
    passage: Passage,
    analyse: Callable[[str], tuple[set[str], str]],
    verb: str | None = None,
) -> list[Level]:
    """Where a statistic may name the query's ideas: its measure (with what its unit says it
    is, a GW figure a capacity, what the verb before it says, `verb` or money brought in, and
    its scope, which names a place as the measure would), its sentence, its passage."""
    start, end = claim.char_start - passage.char_start, claim.char_end - passage.char_start
    left, right = sentence_of(passage.text, start, end)
    said = UNIT_KINDS.get(claim.unit, "") or _flow_kind(passage.text, start, end, claim)
    kind = analyse(f"{said} {verb or ''}".strip())
    scope = analyse(claim.scope or "")
    own = set((claim.measure_key or "").split()) | kind[0] | scope[0]
    folded = f"{fold_text(claim.measure or '')} {kind[1]} {scope[1]}"
    return [
        ((own, folded), 1.0),
        (analyse(passage.text[left:right]), SENTENCE_WEIGHT),
        (analyse(passage.text), PASSAGE_WEIGHT),
    ]


def _flow_kind(text: str, start: int, end: int, claim: StatisticClaim) -> str:
    """What the verb before a sum of money says it is (_INCOME_BEFORE), else nothing."""
    if claim.unit not in _CURRENCIES:
        return ""
    left, _ = clause_of(text, start, end)
    return _INCOME if _INCOME_BEFORE.search(fold_text(text[left:start]).rstrip()) else ""


def _weight(terms: Terms, concept: Concept) -> float:
    return max(
        terms.idf(t) for t in [*concept.tokens, *(t for e in concept.equivalents for t in e)]
    )


def _owners(passage: Passage, claim: StatisticClaim, actors: list[ActorClaim]) -> list[str]:
    """The people, companies and organisations named before the figure in its clause: whose
    figure it is (Apple's investment is not TSMC's). Countries are its scope; media cite it."""
    start = claim.char_start - passage.char_start
    left, _ = clause_of(passage.text, start, claim.char_end - passage.char_start)
    first, last = passage.char_start + left, claim.char_start
    return sorted(
        {
            a.canonical
            for a in actors
            if a.actor_type not in ("country", "media") and first <= a.char_start < last
        }
    )


def _share(
    measures: list[Concept], weights: list[float], texts: list[Level]
) -> tuple[float, float]:
    """The IDF-weighted share of the query's ideas a statistic names (an idea named by its
    measure counts whole, by its sentence at SENTENCE_WEIGHT, by its passage at
    PASSAGE_WEIGHT), and the nearest level at which any idea is named."""
    named = nearest = 0.0
    for concept, weight in zip(measures, weights, strict=True):
        levels = [level for (tokens, folded), level in texts if concept.found_in(tokens, folded)]
        named += weight * max(levels, default=0.0)
        nearest = max(nearest, *levels) if levels else nearest
    return named / (sum(weights) or 1.0), nearest


def _closeness(
    session: Session,
    vector: Any,
    vectors: PassageVectors,
    index: int,
    spans: list[tuple[int, int]],
    claim: StatisticClaim,
) -> float | None:
    """How far the query's similarity to the sentence window holding the figure stands above
    its typical similarity to windows of that language, in standard deviations (ask/dense.py's
    standardisation): comparable across embedders and languages. `spans`: the passage's
    windows (ingest/segment.window_spans)."""
    similarities = window_similarities(vectors, index, vector)
    if len(spans) != len(similarities):
        return None
    holding = [
        float(s)
        for (start, end), s in zip(spans, similarities, strict=True)
        if start <= claim.char_start and claim.char_end <= end
    ]
    if not holding:
        return None
    offsets, scales = standardisers(session.dense, vector)
    group = int(vectors.groups[index])
    return round((max(holding) - float(offsets[group, 1])) / float(scales[group]), 3)


# Words that make a figure a bound, read in the folded text just before it (and its own first
# words, which hold 超過 / over when the extractor took them), or right after it.
_AT_LEAST_BEFORE = re.compile(
    r"(?:超过|逾|至少|不少于|不低于|多于|高于|more than|over|at least|upwards of|above|in excess of"
    r"|exceed(?:s|ed|ing)?|surpass(?:es|ed|ing)?|top(?:s|ped)?)\s*(?:us\$|nt\$|\$|€|£)?\s*$"
)
_AT_MOST_BEFORE = re.compile(
    r"(?:不到|不足|低于|少于|未达|至多|最多|将近|接近|(?<!最)近|up to|less than|under|below"
    r"|fewer than|at most|no more than|nearly|almost|close to)\s*(?:us\$|nt\$|\$|€|£)?\s*$"
)
_AT_LEAST_AFTER = re.compile(r"^(?:以上|多|余|\+| or more| plus)")
_AT_MOST_AFTER = re.compile(r"^(?:以下|以内| or less| or fewer)")


def _bound(passage: Passage, claim: StatisticClaim) -> Bound | None:
    """Whether the figure is written as a lower or upper bound."""
    start = claim.char_start - passage.char_start
    end = claim.char_end - passage.char_start
    before = fold_text(passage.text[max(0, start - 24) : start])
    text = fold_text(claim.text)
    number = re.search(r"\d|[一二三四五六七八九十两百千万亿兆]", text)
    head = text[: number.start()] if number else ""
    after = fold_text(passage.text[end : end + 8])
    tail = text[number.end() :] if number else ""
    if _AT_LEAST_BEFORE.search(before + head) or _AT_LEAST_AFTER.match(after):
        return "at least"
    if re.search(r"(?:以上|多|余)$", tail):
        return "at least"
    if _AT_MOST_BEFORE.search(before + head) or _AT_MOST_AFTER.match(after):
        return "at most"
    if re.search(r"(?:以下|以内)$", tail):
        return "at most"
    return None


def _rank(
    session: Session,
    vector: Any,
    rows: list[ComparedStatistic],
    query: str,
    matcher: ObjectMatcher,
) -> list[ComparedStatistic]:
    """Each figure with its dense similarity to the query (of its measured object, else its
    measure) and its relevance: MATCH_WEIGHT x match + OBJECT_WEIGHT x the share of its
    measured object the query names (a figure of 新增太陽能發電量 names generation, which
    `solar capacity added` does not ask for) + DENSE_WEIGHT x the similarity scaled between
    the lowest and highest of the figures found."""
    named = [row.object or row.measure for row in rows]
    texts = list(dict.fromkeys(text for text in named if text))
    similarity: dict[str, float] = {}
    if vector is not None and texts:
        # As queries: a measure and a question are both short phrases (e5's symmetric use).
        found = object_vectors(session, texts) @ vector
        similarity = {text: float(s) for text, s in zip(texts, found, strict=True)}
    low, high = min(similarity.values(), default=0.0), max(similarity.values(), default=0.0)
    ranked = []
    for row, text in zip(rows, named, strict=True):
        found = similarity.get(text) if text else None
        scaled = 0.0 if found is None else (found - low) / (high - low) if high > low else 1.0
        covered = matcher.covered(row.object, query) if row.object else 0.0
        relevance = MATCH_WEIGHT * row.match + OBJECT_WEIGHT * covered + DENSE_WEIGHT * scaled
        ranked.append(
            row.model_copy(
                update={
                    "similarity": None if found is None else round(found, 4),
                    "relevance": round(relevance, 4),
                }
            )
        )
    return ranked


def object_vectors(session: Session, texts: list[str]) -> Any:
    """The texts' query vectors, each embedded once a session: measured objects recur from
    one comparison to the next in a process that compares many (eval_compare, the library
    API)."""
    cache = session.phrase_vectors
    for text in texts:
        if text not in cache:
            cache[text] = session.embedder.embed_query(text)
    return np.vstack([cache[text] for text in texts])
