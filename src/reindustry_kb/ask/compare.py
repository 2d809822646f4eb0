"""Claims across sources and over time: `rkb compare` and `rkb timeline`.

compare: which figures has anyone cited for a measure, who cited them and when, do they agree?
A statistic matches when its measure (claims/context.py) names the query's ideas, in any script
or language through the glossary and actor table; an idea named only by the figure's sentence
or passage counts less (国库 ... 3000 亿美元 in a passage about tariffs), and a figure naming
less still matches when its sentence window, stored with the passage, stands close to the
query in meaning. A place in the query (US tariff revenue) is a scope, not a measure: figures
scoped to another country are left out. Matches are grouped by unit, scope and period, in date
order; a group whose values lie further apart than a tolerance is flagged with its spread.

timeline: dated events (a date claim's clause, verb, actors, lever) in date order; a month-only
date sorts and prints as a month, relative dates are marked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from pydantic import BaseModel

from reindustry_kb.ask.dense import standardisers, window_similarities
from reindustry_kb.ask.query import Concept, concepts
from reindustry_kb.ask.session import Session
from reindustry_kb.claims.context import sentence_of
from reindustry_kb.claims.lexicon import actor_names, names_one_of
from reindustry_kb.index.backend import IndexReader, PassageVectors
from reindustry_kb.ingest.segment import window_spans
from reindustry_kb.models import (
    ClaimFilters,
    DateClaim,
    Event,
    Passage,
    StatisticClaim,
    citation_of,
)
from reindustry_kb.text.normalize import fold_text

# Share of the query's ideas (IDF-weighted) a statistic must name, one of them at least in its
# sentence; an idea named only by the figure's sentence counts at SENTENCE_WEIGHT, only by its
# passage at PASSAGE_WEIGHT.
MATCH_THRESHOLD = 0.5
SENTENCE_WEIGHT = 0.75
PASSAGE_WEIGHT = 0.5
# A figure naming less, down to MATCH_THRESHOLD x PASSAGE_WEIGHT, still matches when its
# sentence window stands this many standard deviations above the query's typical similarity.
CLOSE = 2.0
# Values of one measure, scope and period further apart than this (relative) disagree.
TOLERANCE = 0.05


class ComparedStatistic(BaseModel):
    id: str
    value: float
    value_max: float | None
    unit: str
    approx: bool
    text: str
    measure: str | None
    scope: str | None
    period: str | None
    doc_id: str
    title: str | None
    date: str | None
    citation: str
    line: int
    match: float  # IDF-weighted share of the query's ideas named (see _share)
    closeness: float | None  # the sentence window's similarity to the query, standardised


class StatisticGroup(BaseModel):
    unit: str
    scope: str | None
    period: str | None
    low: float
    high: float
    spread: float  # (high - low) / max(|high|, |low|)
    disagree: bool
    statistics: list[ComparedStatistic]


class Comparison(BaseModel):
    query: str
    groups: list[StatisticGroup]


class TimelineEntry(BaseModel):
    date: str
    precision: str
    relative: bool
    ambiguous: bool
    event: Event
    doc_id: str
    title: str | None
    citation: str
    line_start: int  # the lines the event's clause covers
    line_end: int
    claim_id: str


def compare(
    session: Session,
    query: str,
    unit: str | None = None,
    since: str | None = None,
    until: str | None = None,
    tolerance: float = TOLERANCE,
) -> Comparison:
    """The statistics of the query's measure, grouped by unit, scope and period."""
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
        found = [c for c in found if c.scope is None or c.scope in places or c.scope == "global"]
    matched = _matched(session, query, measures, found)
    documents = reader.documents_by_id({claim.doc_id for claim, _, _ in matched})
    rows = [
        ComparedStatistic(
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
            title=documents[claim.doc_id].title,
            date=documents[claim.doc_id].date,
            citation=citation_of(claim.doc_id, claim.line, claim.line, claim.page),
            line=claim.line,
            match=round(share, 3),
            closeness=closeness,
        )
        for claim, share, closeness in matched
    ]
    return Comparison(query=query, groups=_grouped(rows, tolerance))


def _matched(
    session: Session, query: str, measures: list[Concept], found: list[StatisticClaim]
) -> list[tuple[StatisticClaim, float, float | None]]:
    """Each statistic that names enough of the query's ideas, with that share and how close
    its sentence window stands to the query (see `_share` and `_closeness`)."""
    reader = session.reader
    terms = session.terms
    # An idea weighs by its most specific wording in either language: 关税 may be common in a
    # Chinese library whose English side never says tariff, and neither should count less.
    weights = [
        max(terms.idf(t) for t in [*c.tokens, *(t for e in c.equivalents for t in e)])
        for c in measures
    ]
    passages = reader.passages({c.passage_id for c in found}) if found else {}
    analysed: dict[str, tuple[set[str], str]] = {}

    def analyse(text: str) -> tuple[set[str], str]:
        if text not in analysed:
            analysed[text] = (set(terms.query_terms(text)), fold_text(text))
        return analysed[text]

    shared = []  # the statistics naming enough of the query: (claim, share, nearest level)
    for claim in found:
        passage = passages[claim.passage_id]
        start, end = claim.char_start - passage.char_start, claim.char_end - passage.char_start
        left, right = sentence_of(passage.text, start, end)
        texts = [
            ((set((claim.measure_key or "").split()), fold_text(claim.measure or "")), 1.0),
            (analyse(passage.text[left:right]), SENTENCE_WEIGHT),
            (analyse(passage.text), PASSAGE_WEIGHT),
        ]
        share, nearest = _share(measures, weights, texts)
        if share >= MATCH_THRESHOLD * PASSAGE_WEIGHT:
            shared.append((claim, share, nearest))
    # Vectors only for the passages of those: a common measure word stands in thousands.
    vector = session.embedder.embed_query(query) if shared and session.dense.n else None
    keys = list(dict.fromkeys(claim.passage_id for claim, _, _ in shared))
    vectors = reader.passage_vectors(keys) if vector is not None else None
    place = {key: index for index, key in enumerate(vectors.keys)} if vectors else {}
    matched = []
    for claim, share, nearest in shared:
        closeness = None
        if vectors is not None:
            passage = passages[claim.passage_id]
            closeness = _closeness(
                session, vector, vectors, place[passage.passage_id], passage, claim
            )
        named = share >= MATCH_THRESHOLD and nearest >= SENTENCE_WEIGHT
        if named or (closeness or 0.0) >= CLOSE:
            matched.append((claim, share, closeness))
    return matched


def _share(
    measures: list[Concept], weights: list[float], texts: list[tuple[tuple[set[str], str], float]]
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
    passage: Passage,
    claim: StatisticClaim,
) -> float | None:
    """How far the query's similarity to the sentence window holding the figure stands above
    its typical similarity to windows of that language, in standard deviations (ask/dense.py's
    standardisation): comparable across embedders and languages."""
    spans = window_spans(passage, session.window_size)
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


def _grouped(rows: list[ComparedStatistic], tolerance: float) -> list[StatisticGroup]:
    groups: dict[tuple[str, str | None, str | None], list[ComparedStatistic]] = defaultdict(list)
    for row in rows:
        groups[row.unit, row.scope, row.period].append(row)
    result = []
    for (unit, scope, period), members in groups.items():
        members.sort(key=lambda r: (r.date or "9999", r.doc_id, r.line))
        values = [v for r in members for v in (r.value, r.value_max) if v is not None]
        low, high = min(values), max(values)
        spread = (high - low) / max(abs(high), abs(low)) if high != low else 0.0
        result.append(
            StatisticGroup(
                unit=unit,
                scope=scope,
                period=period,
                low=low,
                high=high,
                spread=round(spread, 4),
                disagree=len({r.id for r in members}) > 1 and _disagree(members, tolerance),
                statistics=members,
            )
        )
    result.sort(key=lambda g: (-max(r.match for r in g.statistics), -len(g.statistics), g.unit))
    return result


def _disagree(members: Iterable[ComparedStatistic], tolerance: float) -> bool:
    """Whether two values (a range is its interval) lie further apart than the tolerance."""
    spans = [(r.value, r.value_max if r.value_max is not None else r.value) for r in members]
    low = max(start for start, _ in spans)
    high = min(end for _, end in spans)
    if low <= high:  # every interval shares a point
        return False
    return (low - high) / max(abs(low), abs(high)) > tolerance


def timeline(reader: IndexReader, filters: ClaimFilters) -> list[TimelineEntry]:
    """Dated events in date order; `filters`' actor and lever must be named in the event."""
    names = actor_names(filters.actor)
    # The index selects dates (and passages using the lever); the actor is the event's own,
    # and a statistic's unit has no say.
    selected = replace(filters, kind="date", actor=None, unit=None)
    found = [c for c in reader.find_claims(selected) if isinstance(c, DateClaim) and c.event]
    documents = reader.documents_by_id({c.doc_id for c in found})
    entries = []
    for claim in found:
        event = claim.event
        assert event is not None
        if names and not names_one_of(names, event.actors):
            continue
        if filters.lever and event.lever != filters.lever:
            continue
        line_start = claim.line - event.text[: claim.char_start - event.start].count("\n")
        line_end = line_start + event.text.count("\n")
        entries.append(
            TimelineEntry(
                date=claim.value,
                precision=claim.precision,
                relative=claim.relative,
                ambiguous=claim.ambiguous,
                event=event,
                doc_id=claim.doc_id,
                title=documents[claim.doc_id].title,
                citation=citation_of(claim.doc_id, line_start, line_end, claim.page),
                line_start=line_start,
                line_end=line_end,
                claim_id=claim.id,
            )
        )
    entries.sort(key=lambda e: (e.date, e.doc_id, e.event.start))
    return entries
