"""Which figures are one measure, and where they disagree (`rkb compare`'s groups).

A group holds the figures of one measure of one thing: one unit, one scope, one owner and one
measured object (claims/measured.py: 全球鋰電池產能 and 全球太陽能板 are two things, though both are
global shares; Apple's investment is not TSMC's). Two objects are one when each names the ideas
of the other (IDF-weighted, in its own words or their equivalents in the other language: 關稅收入
is tariff revenue). A figure with no measured object stands alone.

Within a group, figures that state the same period (a duration as P10Y, whatever its language)
and come from different documents disagree when their values lie further apart than a
tolerance, a range counting as its interval and a bound as a half-line (超過 1 兆, exceeded $1
trillion: at least; 不到, up to: at most). A figure that states no period is never said to
disagree: a 25 % tariff in February and a 50 % one in June may both be right.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel

from reindustry_kb.ask.periods import span_months
from reindustry_kb.ask.query import Concept, concepts
from reindustry_kb.ask.terms import Terms
from reindustry_kb.claims.lexicon import actor_lexicon
from reindustry_kb.text.normalize import fold, fold_text
from reindustry_kb.text.numbers import ENGLISH_WORDS, parse_number

# Values of one measure, scope and period further apart than this (relative) disagree.
TOLERANCE = 0.05
# Two measured objects are one when each names this share of the other's ideas (IDF-weighted):
# a word more (veteran unemployment rate, goods trade deficit) makes another measure.
SAME_OBJECT = 0.9

Bound = Literal["at least", "at most"]


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
    match: float  # IDF-weighted share of the query's ideas named (ask/compare.py's _share)
    closeness: float | None  # the sentence window's similarity to the query, standardised
    object: str | None = None  # what the measure counts or measures (claims/measured.py)
    bound: Bound | None = None  # 超過 / at least, 不到 / up to: the value is a bound
    owners: list[str] = []  # whose figure: the people and organisations before it in its clause
    similarity: float | None = None  # dense similarity of the query and the measured object
    compared_at: str | None = None  # its period with the quarter, half or month named beside
    # it (2025-Q2; ask/periods.py), when compare read one
    relevance: float = 0.0  # how well it answers the query (ask/compare.py's _rank)
    copies: list[str] = []  # citations of the same figure in copies of its file (ask/copies.py)


class Disagreement(BaseModel):
    """Figures of one period from different documents whose values lie apart."""

    period: str  # the period the figures state (a duration as P10Y, see period_key)
    low: float
    high: float
    spread: float  # (high - low) / max(|high|, |low|)
    ids: list[str]  # the statistics of that period


class StatisticGroup(BaseModel):
    unit: str
    scope: str | None
    period: str | None  # the period all its figures state, if they state one
    low: float
    high: float
    spread: float  # the widest (high - low) / max(|high|, |low|) among figures of one period
    disagree: bool  # any disagreement
    statistics: list[ComparedStatistic]
    measure: str | None = None  # the measured object, as most of its figures word it
    score: float = 0.0  # the best relevance of its figures: groups are in this order
    disagreements: list[Disagreement] = []

    def cross_checked(self) -> bool:
        """Whether two documents state a figure of one period (the figures a disagreement is
        looked for among): only then can the group be said to agree."""
        sources: dict[str, set[str]] = defaultdict(set)
        for row in self.statistics:
            if (key := compared_period(row)) is not None:
                sources[key].add(row.doc_id)
        return any(len(documents) > 1 for documents in sources.values())

    def several_periods(self) -> bool:
        """Whether its figures state different periods (a table's 2025 and 2026 columns):
        then each figure's is shown beside it."""
        return len({row.period for row in self.statistics}) > 1


_DURATION_NUMBER = re.compile(
    r"(?P<n>\d+|[一二三四五六七八九十两]+|[a-z]+)\s*(?P<unit>年|个月|years?|decades?|months?)"
)


def period_key(period: str | None) -> str | None:
    """The period a figure states, as figures are compared at it: a duration in any language
    as P10Y (10 年內, over ten years, over the next decade), any other as written."""
    if not period:
        return None
    folded = fold_text(period)
    m = _DURATION_NUMBER.search(folded)
    if m is None or re.fullmatch(r"\d{4}(?:-\d\d){0,2}", folded):
        return period
    word = m["n"]
    parsed = parse_number(word) if not (word.isascii() and word.isalpha()) else None
    count = parsed.value if parsed else ENGLISH_WORDS.get(word, 1 if word in ("a", "next") else 0)
    if not count:
        return period
    unit = m["unit"]
    if unit.startswith("decade"):
        return f"P{int(count * 10)}Y"
    return f"P{int(count)}{'M' if unit in ('个月', 'month', 'months') else 'Y'}"


class ObjectMatcher:
    """Whether two measured objects are one: each names at least SAME_OBJECT of the other's
    ideas, IDF-weighted, in its own words or their equivalents (ask/query.concepts), an idea
    also named when one of the other's ideas is worded inside it in either language (capacity
    and 裝機容量, installed capacity; 出口 and 出口额). Words that say how much rather than of
    what (total, 總額) weigh nothing: 出口的晶片總額 is 芯片出口额."""

    def __init__(self, terms: Terms) -> None:
        self.terms = terms
        self._read: dict[str, _Analysed] = {}
        self._same: dict[tuple[str, str], bool] = {}

    def __call__(self, a: ComparedStatistic, b: ComparedStatistic) -> bool:
        if a.object is None or b.object is None:
            return False
        key = (a.object, b.object) if a.object <= b.object else (b.object, a.object)
        if key not in self._same:
            first, second = self._analysed(key[0]), self._analysed(key[1])
            self._same[key] = min(_named(first, second), _named(second, first)) >= SAME_OBJECT
        return self._same[key]

    def covered(self, measured: str, query: str) -> float:
        """The IDF-weighted share of a measured object's ideas the query names: 1 when the
        object is the query's measure or a part of it, less for each idea of its own."""
        return _named(self._analysed(measured), self._analysed(query))

    def _analysed(self, text: str) -> _Analysed:
        if text not in self._read:
            ideas = concepts(text, self.terms)
            weights = [
                0.0
                if set(c.tokens) <= AMOUNT_WORDS
                else max(
                    self.terms.idf(t) for t in [*c.tokens, *(t for e in c.equivalents for t in e)]
                )
                for c in ideas
            ]
            self._read[text] = (ideas, weights, set(self.terms.query_terms(text)), fold_text(text))
        return self._read[text]


# An object read for matching: its ideas, their weights, its BM25 tokens and folded text.
_Analysed = tuple[list[Concept], list[float], set[str], str]
# Words that say how much, not of what (folded, as BM25 tokens): 出口的晶片總額 is 芯片出口额.
AMOUNT_WORDS = frozenset(
    {"total", "amount", "number", "figure", "value", "sum", "level"}
    | {"总额", "总量", "总计", "总数", "总值", "金额", "数额", "数量", "数目", "额", "量", "数"}
)


def _named(of: _Analysed, by: _Analysed) -> float:
    """The IDF-weighted share of `of`'s ideas that `by` names."""
    ideas, weights, _, _ = of
    total = sum(weights)
    if not total:
        return 0.0
    return sum(w for c, w in zip(ideas, weights, strict=True) if w and _names(by, c)) / total


def _names(text: _Analysed, idea: Concept) -> bool:
    """Whether a text names an idea: in its words or an equivalent, or through one of its own
    ideas worded inside the idea's wording or around it (a wording's tokens within the
    other's), whatever the language of each."""
    if idea.found_in(text[2], text[3]):
        return True
    wordings = [set(idea.tokens), *(set(e) for e in idea.equivalents)]
    for other in text[0]:
        for theirs in [set(other.tokens), *(set(e) for e in other.equivalents)]:
            if any(theirs <= ours or ours <= theirs for ours in wordings if ours and theirs):
                return True
    return False


def _same_words(a: ComparedStatistic, b: ComparedStatistic) -> bool:
    """Without an index's terms: objects worded alike (folded, case and spaces aside)."""
    if a.object is None or b.object is None:
        return False
    return "".join(fold_text(a.object).split()) == "".join(fold_text(b.object).split())


def grouped(
    rows: list[ComparedStatistic],
    tolerance: float,
    same: Callable[[ComparedStatistic, ComparedStatistic], bool] = _same_words,
) -> list[StatisticGroup]:
    """Groups of one unit, scope, owner and measured object, best first: a figure joins the
    first group (most relevant first) all of whose figures it is `same` with. Then a group
    whose figures name no place joins the one group of their measure that names one, when
    only one does (tariff revenue in a report on the U.S. budget) and names it as no partner
    (a trade deficit with China is a part of the total, not the total)."""
    clusters: list[list[ComparedStatistic]] = []
    for row in sorted(rows, key=lambda r: (-r.relevance, r.date or "9999", r.doc_id, r.line)):
        home = next((c for c in clusters if _joins(row, c, same)), None)
        if home is None:
            clusters.append([row])
        else:
            home.append(row)
    for cluster in [c for c in clusters if all(r.scope is None for r in c)]:
        homes = [
            other
            for other in clusters
            if other is not cluster
            and any(r.scope is not None for r in other)
            and not any(bilateral(r.measure) for r in other)
            and all(_joins(row, other, same, any_scope=True) for row in cluster)
        ]
        if len(homes) == 1:
            homes[0].extend(cluster)
            clusters.remove(cluster)
    groups = [_group(cluster, tolerance) for cluster in clusters]
    groups.sort(key=lambda g: (-g.score, -len(g.statistics), g.unit))
    return groups


def _joins(
    row: ComparedStatistic,
    cluster: list[ComparedStatistic],
    same: Callable[[ComparedStatistic, ComparedStatistic], bool],
    any_scope: bool = False,
) -> bool:
    return all(
        (r.unit, r.owners) == (row.unit, row.owners)
        and (any_scope or _same_scope(r, row))
        and _same_span(r, row)
        and same(r, row)
        for r in cluster
    )


def _same_scope(a: ComparedStatistic, b: ComparedStatistic) -> bool:
    """One scope, or a figure between two places scoped to either (台灣對美出口, Taiwan's
    exports to the US: its measure names both)."""
    if a.scope == b.scope:
        return True
    if a.scope is None or b.scope is None:
        return False
    return b.scope in measure_places(a.measure) or a.scope in measure_places(b.measure)


@lru_cache(maxsize=4096)
def measure_places(measure: str | None) -> frozenset[str]:
    """The countries a measure names."""
    if not measure:
        return frozenset()
    text = fold(measure, lower=False).text
    return frozenset(
        canonical for _s, _e, (canonical, kind) in actor_lexicon().find(text) if kind == "country"
    )


# A place after these in a measure is a partner (trade deficit in goods with China, 对美出口):
# the figure is a part of a total that names no place, never that total.
_PARTNER_BEFORE = re.compile(r"(?:\b(?:with|to|from|against)\s+(?:the\s+)?|[对与从和同])\s*$")


@lru_cache(maxsize=4096)
def bilateral(measure: str | None) -> bool:
    """Whether a measure names a place as a partner (with China, 对美)."""
    if not measure:
        return False
    text = fold(measure, lower=False).text
    return any(
        kind == "country" and _PARTNER_BEFORE.search(text[:start].lower())
        for start, _end, (_canonical, kind) in actor_lexicon().find(text)
    )


def _same_span(a: ComparedStatistic, b: ComparedStatistic) -> bool:
    """Figures over periods of different lengths are two measures (a month's revenue is not
    a year's); a figure that states none may be of either."""
    first, second = span_months(compared_period(a)), span_months(compared_period(b))
    return first is None or second is None or first == second


def compared_period(row: ComparedStatistic) -> str | None:
    """The period a figure is compared at (see period_key): the part of a year named beside
    it where compare read one (2025-Q2), else its stated period."""
    return period_key(row.compared_at or row.period)


def _group(members: list[ComparedStatistic], tolerance: float) -> StatisticGroup:
    members = sorted(members, key=lambda r: (r.date or "9999", r.doc_id, r.line))
    values = [v for r in members for v in (r.value, r.value_max) if v is not None]
    # Only figures that state one period can disagree: without it, 25 % in February and 50 %
    # in June may both be right.
    periods: dict[str, list[ComparedStatistic]] = defaultdict(list)
    for row in members:
        key = compared_period(row)
        if key is not None:
            periods[key].append(row)
    spread, disagreements = 0.0, []
    for period, rows in periods.items():
        low, high = _extent(rows)
        apart = (high - low) / max(abs(high), abs(low)) if high != low else 0.0
        spread = max(spread, apart)
        if _disagree(rows, tolerance):
            disagreements.append(
                Disagreement(
                    period=period,
                    low=low,
                    high=high,
                    spread=round(apart, 4),
                    ids=[r.id for r in rows],
                )
            )
    stated = {r.period for r in members}
    named = Counter(r.object for r in members if r.object)
    return StatisticGroup(
        unit=members[0].unit,
        scope=next((r.scope for r in members if r.scope is not None), None),
        period=stated.pop() if len(stated) == 1 else None,
        low=min(values),
        high=max(values),
        spread=round(spread, 4),
        disagree=bool(disagreements),
        statistics=members,
        measure=named.most_common(1)[0][0] if named else None,
        score=max(r.relevance for r in members),
        disagreements=disagreements,
    )


def _extent(rows: Iterable[ComparedStatistic]) -> tuple[float, float]:
    values = [v for r in rows for v in (r.value, r.value_max) if v is not None]
    return min(values), max(values)


def _interval(row: ComparedStatistic) -> tuple[float, float]:
    """The values a figure allows: a range its interval, a bound a half-line."""
    low, high = row.value, row.value_max if row.value_max is not None else row.value
    if row.bound == "at least":
        return low, float("inf")
    if row.bound == "at most":
        return float("-inf"), high
    return low, high


def _disagree(rows: list[ComparedStatistic], tolerance: float) -> bool:
    """Whether two figures of different documents allow no common value within the
    tolerance (relative to the larger of the two nearest ends)."""
    for i, a in enumerate(rows):
        for b in rows[i + 1 :]:
            if a.doc_id == b.doc_id:
                continue
            (a_low, a_high), (b_low, b_high) = _interval(a), _interval(b)
            low, high = max(a_low, b_low), min(a_high, b_high)
            if low > high and (low - high) / max(abs(low), abs(high)) > tolerance:
                return True
    return False
