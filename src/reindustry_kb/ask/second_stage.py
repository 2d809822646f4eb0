"""The second stage: the first stage's best candidates re-scored passage by passage.

The first stage (search.hybrid_search: dense and BM25 fused, then the title field) finds the
right document far more often than the right passage of it: a law's opening articles win over
the article that says when it takes effect, an article extending a period over the one that
gives the end date. Here each of the best DEPTH candidates is scored again by what it holds for
this question:

- proximity: the largest share of the question's terms (IDF-weighted, equivalents at their
  weight) that one sentence window holds, as the answer finder (answer.py) reads windows;
- kind: whether the passage holds what the question asks for (asked_kinds): a when- or
  how-long question a date claim or a span of time (durations are no claims: "within thirty
  days", 三十日內), an until-when question a date that ends something (自…起至…止, `shall
  terminate on`; not the article giving the period's start or extending it), a by-when
  question that or a span within which it is due, a how-much question a statistic, a
  question asking what a term means the passage defining one (本法所稱職業訓練，指…, `the
  term "foreign adversary" means`), one asking where a fund's money comes from or what it
  may be spent on the passage naming its sources or uses (本基金之來源如下, 用途如下); the
  claims of all candidates are read in one batch. A who-question asks for no kind: an actor
  claim is a name the alias table or a naming rule knows, and the answer to "who" is as
  often one they do not (a president, an old kingdom, 省、自治区、直辖市人民政府), so holding
  one barely tells the right passage from the others (dev tune split: 0.73 of the right
  passages against 0.51 of the rest; DRCD 300: 0.50 against 0.50) and every question it
  decided was lost (docs/BENCHMARKS.md);
- document: its document's standing among the candidates (the best first-stage score of any
  of its passages, scaled as the fused scores are), given to the document's best candidate
  only (by the other evidence): of two passages that answer alike, the one in the document
  the question is about, without that document's other passages crowding the rest out. Only a
  long document (places.LONG_DOCUMENT passages or more: a law, an order, a report) has a standing
  apart from its passages': a short one's is its one passage's score counted twice, which on
  DRCD's one-paragraph documents decided near ties against the answering passage;
- year: it holds a year the question names (`Under the November 2017 amendment, until when
  ...`), written in digits or read by the date claims (a Taiwan law's 中華民國一百零六年 is
  2017): of one law's articles, the one amended or taking effect then;
- place (subtracted): its document is another place's than the question asks about
  (places.py): Taiwan's export law in English asked about China's.

Each is added to the first-stage score with its weight (WEIGHTS, fitted on the dev library's
tune split; see docs/BENCHMARKS.md "The second stage", which also gives what was tried and
left out: the best window's cosine and the neighbouring passages' scores, which lifted the
tune split and lowered the held-out one). The stage takes candidates with scores and returns
them re-scored, best first, so that a final scorer (a cross-encoder) can follow it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from reindustry_kb.ask.answer import best_window_share, term_weights
from reindustry_kb.ask.places import asked_places, document_places, elsewhere, long_documents
from reindustry_kb.ask.query import Query
from reindustry_kb.index.backend import PassageKey
from reindustry_kb.models import Claim, DateClaim, Document, Passage, passage_order
from reindustry_kb.text.dates import written_years
from reindustry_kb.text.normalize import fold_text
from reindustry_kb.text.quantities import quantities

if TYPE_CHECKING:
    from reindustry_kb.ask.session import Session

# The first stage's best this many are re-scored.
DEPTH = 20


@dataclass(frozen=True)
class Scored:
    """A candidate passage: its score so far and the dense and lexical scores fused into it
    (search.fuse makes them; the stages re-score them)."""

    key: PassageKey
    score: float
    dense: float | None
    lexical: float | None


@dataclass(frozen=True)
class Weights:
    proximity: float = 0.0
    kind: float = 0.0
    document: float = 0.0
    place: float = 0.0  # subtracted: the document is another place's
    year: float = 0.0
    quantity: float = 0.0


# Fitted on the dev library's tune split (scores in 0..1; R@1 + MRR@10 over a grid of 0-0.3):
# tune 0.577 -> 0.600 R@1, held-out 0.545 -> 0.567 (docs/BENCHMARKS.md, "The second stage").
# 0.12.0, chosen on the tune split and DRCD (the stage's features read once per question and
# re-weighted): the place weight lifts tune alike from 0.35 to 1.0; the kind weight halved and
# the standing kept to long documents, so that DRCD's first 1,000 paragraphs are not lowered
# against the first stage alone (the right paragraph first 2 won / 1 lost; as 0.11.0 shipped:
# 5 / 9). Tune strict R@1 0.600 -> 0.646, held out 0.567 -> 0.597 (with ask/provisions.py).
# 0.12.5: the year, chosen on the tune split (0.1 and 0.2 alike: R@1 2 won / 1 lost, R@5 1 / 0)
# and DRCD (the right paragraph first 4 won / 0 lost at 0.1); the seeds unchanged.
# 0.12.7: a quantity the question names (5%, three years), as the year: tune R@1 1 won / 0 lost
# at 0.1 and 0.2; DRCD unchanged at 0.1, lowered at 0.2 (the right paragraph first 1 won / 3 lost,
# before 哪一年 was read as no quantity).
WEIGHTS = Weights(proximity=0.2, kind=0.1, document=0.2, place=0.5, year=0.1, quantity=0.1)
# The kind feature of a short document's passage, against 1 for a long one's: a long law's
# articles look alike to both first-stage sides, so what one holds tells it from its neighbours;
# short documents of different topics are already told apart by the first stage.
SHORT_KIND = 0.5

# A Chinese question word asking for a date (何时, 什么时候, 哪一天, 几月几日).
_WHEN_ZH = r"(?:何时|什么时候|哪一?天|哪一?年|几月几[日号]|什么日期)"

# What a question asks for, read from its folded text (NFKC, lower case, Simplified): the
# question words and the nouns of a date, an amount or a definition, in English and Chinese (not
# an actor: see the module's docstring).
ASKS: dict[str, re.Pattern[str]] = {
    "date": re.compile(
        r"\bwhen\b|\b(?:what|which) (?:date|day|year|month|time)\b|\bby what\b|\bdeadline\b"
        r"|\bhow (?:long|soon)\b|\buntil\b|\bexpire|\beffective\b|\btake effect\b|\bin force\b"
        r"|\b(?:end|expiry|expiration|termination) date\b"
        r"|何时|什么时候|什么时间|哪(?:一)?(?:年|天|日|月)|几(?:月|号|年)|多久|多长时间|日期|期限|截止"
        r"|生效|施行|起算|届满|到期|期间"
    ),
    "definition": re.compile(
        r"\bdefin(?:e|es|ed|ition)\b|\bwhat does [^?]{2,60} mean\b|\bmeaning of\b"
        r"|\bwhat counts as\b|是指什么|指的是|指什么|指哪|定义|含义"
        r"|所称[^，。？]{1,20}(?:是|指)"
    ),
    # A date that ends something (until when, 何时终止, 到哪一天失效), or by when something is
    # due (by what date, 最迟何时前): refine `date` (asked_kinds), so that a passage holding only
    # a start, or a span, does not count. The ending must be what `when` asks about: `What
    # happens when the permit expires?`, 疫情结束后何时恢复 ask something else.
    "end": re.compile(
        r"\buntil when\b|\bthrough when\b|\b(?:end|expiry|expiration|termination) date\b"
        r"|\b(?:when|what date|which date|what day) (?:does|do|did|will|is|are|was|were|shall)\b"
        r"[^?]*\b(?:expire|expires|terminate|terminates|lapse|lapses"
        r"|(?:end|ends|cease|ceases|run out|runs out)(?=\s*(?:[?.]|$|under\b|in\b|for\b|on\b)))"
        rf"|{_WHEN_ZH}(?:终止|失效|结束|届满|到期|截止)"
        rf"|(?:终止|失效|结束|届满|到期)(?:于|在|是)?(?:{_WHEN_ZH}|(?:的)?日期)"
        rf"|(?<!溯)(?:到|至){_WHEN_ZH}"
    ),
    "due": re.compile(
        r"\bby (?:when|what date|which date|what day)\b|\b(?:what|which|when) is the deadline\b"
        r"|\bdeadline (?:for|by which)\b|\bno later than\b|\bat the latest\b"
        rf"|截至|截止|最晚|最迟|(?:{_WHEN_ZH}|哪一?日)(?:以前|之前|前)(?![往来去])"
    ),
    # Where a fund's money comes from (its sources: 基金之来源如下, `sources of the Fund`), asked
    # with a word for money (asked_kinds).
    "source": re.compile(
        r"\bwhere does\b[^?]*\bcome from\b|\bsources?\b|\bfunded by\b"
        r"|\bhow (?:is|are)\b[^?]*\b(?:funded|financed)\b"
        r"|从哪(?:些|个)?(?:地方|里)?来|从何而来|来源|财源"
    ),
    # What a fund's money may be spent on (its uses: 本基金之用途如下, `the Fund shall be used
    # for`), asked with a word for money.
    "use": re.compile(
        r"\b(?:spent|used) (?:on|for)\b|\buses? (?:of|for)\b|\buse (?:its|the|this)\b[^?]*\bfor\b"
        r"|用途|用于(?:哪|什么)|用在(?:哪|什么)|花在|支用"
    ),
    # How often something is done (how often, 多久…一次, 每隔多久, 频率): asked for a passage
    # saying so (每年至少一次, 每三年, 按季度, annually, every ten years), not any span: its
    # look-alikes are the same law's periods and deadlines (asked_kinds drops `date`).
    "frequency": re.compile(
        r"\bhow (?:often|frequently)\b|\bat what (?:interval|frequency)\b|\bwhat frequency\b"
        r"|\bhow many times (?:a|per|each|every) (?:year|month|quarter|week)\b"
        r"|多久[^,.?;。]{0,16}?一次|多长时间[^,.?;。]{0,16}?一次|每隔多久|每多久|多常"
        r"|频率(?:为|是)?(?:多少|多久|如何)|(?:什么|多少|多久的?)频率"  # not light's frequency
        r"|(?:几|多少)(?:个)?(?:年|月)[^,.?;。]{0,8}?一次"
    ),
    "statistic": re.compile(
        r"\bhow (?:much|many|large|big|high|low|far)\b|\b(?:what|which) (?:percentage|percent"
        r"|share|proportion|rate|amount|ratio|sum|number|level|fraction|multiple|fine|penalty"
        r"|cap|ceiling|limit|maximum|minimum|threshold)\b"
        r"|多少|几(?:成|倍|个|家|项|人|次|%)|金额|数额|比例|比率|比重|百分之几|百分比|多高|多大"
        r"|上限|下限|额度|幅度|罚款|罚锾|罚金"
    ),
}


# A span of time or a date in folded text: a number of days, weeks, months or years (三十日,
# 二年, 30 days, thirty (30) days), a month with its day, a year.
_NUMBER = r"(?:\d+|[零〇一二两三四五六七八九十百千]+)"
_NUMBER_EN = (
    r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty"
    r"|thirty|forty|forty-five|sixty|ninety|hundred)"
)
TIME = re.compile(
    rf"{_NUMBER}\s*个?(?:日|天|月|年|周|星期|小时|工作日|季)"
    rf"|\b{_NUMBER_EN}[\s-]+(?:\(\d+\)\s+)?(?:calendar\s+|business\s+|working\s+)?"
    r"(?:day|week|month|year|hour)s?\b"
    r"|\b(?:january|february|march|april|may|june|july|august|september|october|november"
    r"|december)\s+\d"
    r"|\b(?:1[89]|20)\d\d\b"
)


ENDING = frozenset({"end", "due"})
# Money, in a question asking where it comes from.
_MONEY = re.compile(
    r"\b(?:money|funds?|funding|revenues?|income|financing|budget|reserves?)\b"
    r"|钱|基金|资金|经费|收入|专户|财源|款项|准备金|预算"
)
# A question asking for a day of the calendar.
_CALENDAR = re.compile(r"\b(?:what|which) (?:date|day)\b|哪一?[天日]|几月几[日号]|日期")
# A question asking in what case something may happen (When can an employer terminate ...?).
_MAY = re.compile(r"(?<!until )(?<!by )\bwhen (?:can|may|could|might)\b|什么情况|何种情况|哪些情况")
# A question asking for a span of time (a duration answers it, not an end date, nor the date a
# law takes effect: provisions.asks_effect).
SPAN = re.compile(
    r"\bhow (?:long|many|soon)\b|多久|多长|(?<!月)几(?:天|日)|几个月|几年|多少(?:天|日|年|个月)"
)

# A date that ends something, in folded text: 自…起至…止, 保存至离职后五年, `until June 1,
# 1996`, `through the end of fiscal year 2015`, `shall terminate on`, `expire on`; or by which
# something is due: 九月三十日前, 月底前, `not later than May 1, 2001` (both ends: a date claim of
# role deadline counts too, held_kinds).
_MONTH_EN = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
)
ENDS = re.compile(
    # 自…起至…止, 保存至离职后五年 (not 至少, 甚至, 以至)
    rf"(?<![甚以乃])至(?![少多今])[^，。；,;]{{0,30}}?(?:{_NUMBER}\s*(?:日|号|月|年)|底|末|终了)"
    r"\s*(?:为)?止"
    rf"|(?<![甚以乃])至(?![少多今])[^，。；,;]{{0,30}}?后\s*{_NUMBER}\s*个?(?:日|天|月|年)"
    # 到2025年 opening its clause (not 回到2010年的水平, 受到2008年危机)
    r"|(?<![^\s，。；：、,;:直])到\s*(?:(?:19|20)\d\d|一百[零〇一二三四五六七八九十]{1,3})\s*年"
    # a day of the calendar, then 前: 九月三十日前, 一月底前 (not 二十日前, a span before)
    rf"|(?:月\s*{_NUMBER}\s*[日号]|{_NUMBER}\s*月\s*(?:底|末)?)\s*(?:以前|之前|前)(?![往来去的])"
    rf"|\b(?:until|through|on or before|no later than|not later than|by)\s+(?:the end of\s+)?"
    rf"(?:(?:fiscal|calendar)\s+year\s+)?(?:(?:19|20)\d\d\b|{_MONTH_EN}\s+\d)"
    r"|\b(?:expire|expires|terminate|terminates|lapse|lapses|sunset|sunsets)\s+on\b"
    r"|\bshall not apply after\b"
)
# ... and a span within which something is due (三十日内, `within 60 days`): what a question
# asking by when answers as often as a date, but not one asking until when.
FALLS_DUE = re.compile(
    rf"{_NUMBER}\s*个?(?:日|天|月|年|工作日)\s*(?:以内|之内|内)"
    rf"|\b(?:within|not later than|no later than)\s+{_NUMBER_EN}[\s-]+(?:\(\d+\)\s+)?"
    r"(?:calendar\s+|business\s+|working\s+)?(?:day|week|month|year)s?\b"
)


# A passage saying how often something is done: 每年, 每三年, 每季度, 每半年, 每个月 (a day's or
# week's only with 一次: 每日 and 每周 are mostly a measure's unit, 每周工作四十小时), 按年度, 按季,
# N年一次, annually, quarterly, every ten years, once a calendar year (folded text).
FREQUENCY = re.compile(
    rf"每(?:隔)?{_NUMBER}?(?:个)?(?:年|月|季|半年|会计年度)|每(?:日|天|周|星期)[^,;。]{{0,12}}一次"
    rf"|按(?:年|季|月)度?|{_NUMBER}(?:个)?(?:年|月)(?:至少)?一次"
    r"|\b(?:annual|annually|quarterly|monthly|biennial|biennially|semiannual|semiannually)\b"
    r"|\bon an? (?:annual|quarterly|monthly|biennial|regular) basis\b"
    r"|\bevery (?:\w+ ){0,2}(?:years?|months?|quarters?|weeks?|days?)\b"
    r"|\b(?:once|twice) (?:a|per|each|every) (?:\w+ )?(?:year|month|quarter|week)\b"
    r"|\beach (?:fiscal |calendar )?year\b"
)


def ending_kinds(folded: str, deadline: bool = False) -> frozenset[str]:
    """`end` and `due` for a passage's folded text holding a date that ends something (or
    `deadline`: a date claim of that role), `due` alone for one holding a span within which
    something is due."""
    if deadline or ENDS.search(folded):
        return frozenset({"end", "due"})
    return frozenset({"due"}) if FALLS_DUE.search(folded) else frozenset()


# A passage naming where a fund's money comes from: 本基金之来源如下, 来源如左, 财源如下,
# 资金来源包括, `The sources of the Fund shall be` (folded text).
SOURCES = re.compile(
    r"(?:来源|财源)\s*(?:如下|如左|为|包括)"
    r"|\bsources? of (?:the |its |such )?(?:fund|funds|funding|revenue|income)\b[^.;]{0,30}"
    r"\b(?:shall be|are|is|include|includes|consist)\b"
)

# ... and what it may be spent on: 本基金之用途如下, 其用途范围如左, 基金用于, `the Fund shall be
# used for`.
USES = re.compile(
    r"(?:用途|支用|运用)(?:范围)?\s*(?:如下|如左|为|包括)|(?:基金|资金|专户)(?:应当|可以|得)?用于"
    r"|\b(?:fund|funds|funding)\b[^.;]{0,20}\b(?:shall|may|must) be used (?:for|to|only)\b"
    r"|\buses of (?:the |its |such )?(?:fund|funds)\b"
)


# A passage that defines a term: 本法所称X，是指 / X，是指 / 用词含义 / 定义如下, `the term "X"
# means`, `"X" means`, `as used in this order` (folded text).
DEFINES = re.compile(
    r"所称[^，。；]{1,20}[，,]?(?:系|是)?指|[，,]是指|用(?:词|语)(?:的)?含义|定义如下"
    r"|\bthe term\b[^.;]{0,80}\b(?:means|refers to|includes)\b|\"[^\"]{2,60}\",? means\b"
    r"|\bas used in this (?:act|order|law|section|chapter)\b"
)


def asked_kinds(question: str) -> frozenset[str]:
    """The kinds of answer (date, end, due, frequency, statistic, definition, source, use) a
    question asks for: `end` or `due` for `date` when it asks for a date that ends something or
    by which something is due, and not for a span (how long, 多久: a duration answers it);
    `frequency` alone when it asks how often; `source` and `use` only with a word for money."""
    folded = fold_text(question)
    kinds = {kind for kind, pattern in ASKS.items() if pattern.search(folded)}
    if not _MONEY.search(folded):
        kinds -= {"source", "use"}  # the source of a name, the use of a rule: not a fund's
    if "frequency" in kinds:
        kinds -= {"date", "statistic", *ENDING}  # 多久一次, how many times a year: how often
    if _MAY.search(folded):
        kinds -= ENDING  # when it may end: a condition, not a date
    if kinds & ENDING:
        if "date" in kinds and not SPAN.search(folded):
            kinds.discard("date")
            if "due" in kinds and _CALENDAR.search(folded):
                kinds.add("end")  # due on a day: a date answers, not a span
            if "end" in kinds:
                kinds.discard("due")
        else:
            kinds -= ENDING
    return frozenset(kinds)


def held_kinds(
    claims: dict[PassageKey, list[Claim]], passages: dict[PassageKey, Passage]
) -> dict[PassageKey, frozenset[str]]:
    """The kinds of claim each passage holds, date for a span of time too, end and due for a
    date ending something (ending_kinds), frequency for one saying how often, definition for a
    passage defining a term, and source and use for one naming a fund's sources or uses."""
    found: dict[PassageKey, frozenset[str]] = {}
    for key, held in claims.items():
        kinds: set[str] = {claim.kind for claim in held}
        folded = fold_text(passages[key].text)
        if "date" not in kinds and TIME.search(folded):
            kinds.add("date")
        deadline = any(isinstance(c, DateClaim) and c.role == "deadline" for c in held)
        kinds |= ending_kinds(folded, deadline)
        if DEFINES.search(folded):
            kinds.add("definition")
        if SOURCES.search(folded):
            kinds.add("source")
        if USES.search(folded):
            kinds.add("use")
        if FREQUENCY.search(folded):
            kinds.add("frequency")
        found[key] = frozenset(kinds)
    return found


# A year written before the name of a law or order (`China's 2024 Tariff Law`, `the 2012
# national defense resources preparedness order`, 2015年联邦永续行政命令) may name the document:
# when it is that document's own year, every passage of its opening and signature holds it, and
# it says nothing of where the answer stands (folded text). Between the year and the name of a
# Chinese one stand no verbs or particles (1980年竞选时输给…无法 names nothing).
_NAMING_YEAR = re.compile(
    r"(?:\bthe|['’]s|\bits|\btheir|\bthis|\bthat|\ban?)\s+((?:19|20)\d{2})\s+(?:[a-z-]+\s+){0,5}?"
    r"(?:law|act|order|statute|regulations?|code)\b"
    r"|((?:19|20)\d{2})年(?:[^\W\d_a-z]{0,2}的)?([\u4e00-\u9fff]{0,10}?)"
    r"(?<![无方说看想做合非依设军])(?:法案?|条例|命令|办法)(?![会审院官庭律学])"
)
_NOT_IN_A_NAME = frozenset("时了而在于被是把将对向从给签")


def naming_years(question: str) -> frozenset[str]:
    """The years a question writes before a law's or an order's name."""
    folded = fold_text(question)  # NFKC: full-width digits too
    return frozenset(
        english or chinese
        for english, chinese, between in _NAMING_YEAR.findall(folded)
        if not _NOT_IN_A_NAME & set(between)
    )


def held_years(claims: list[Claim], passage: Passage) -> frozenset[str]:
    """The years a passage's dates fall in (in any calendar or script) or it writes."""
    dated = {claim.value[:4] for claim in claims if isinstance(claim, DateClaim)}
    return frozenset(dated) | written_years(passage.text)


@dataclass(frozen=True)
class Evidence:
    """What a candidate holds for the question (each in 0..1)."""

    proximity: float
    kind: float
    document: float
    place: float = 0.0  # 1 when the document is another place's than the question asks about
    year: float = 0.0  # 1 when the passage holds a year the question names
    quantity: float = 0.0  # 1 when it holds a quantity the question names (5%, three years)


def second_stage(
    session: Session,
    query: Query,
    candidates: Sequence[Scored],
    passages: dict[PassageKey, Passage],
    weights: Weights = WEIGHTS,
) -> list[Scored]:
    """The best DEPTH candidates (first-stage scores, best first) re-scored by their evidence
    for the question (`query`: analysed), best first; the rest follow unchanged."""
    head, tail = list(candidates[:DEPTH]), list(candidates[DEPTH:])
    if not head:
        return tail
    found = evidence(session, query, head, passages, weights)
    own = {r.key: r.score + combined(found[r.key], replace(weights, document=0.0)) for r in head}
    # The document's standing lifts its best passage only: lifting all of them let one law's
    # articles crowd the other documents out of the top 5 (docs/BENCHMARKS.md).
    best: dict[str, PassageKey] = {}
    for result in head:
        doc_id = passages[result.key].doc_id
        if doc_id not in best or own[result.key] > own[best[doc_id]]:
            best[doc_id] = result.key
    lifted = set(best.values())
    rescored = [
        replace(
            result,
            score=own[result.key]
            + (weights.document * found[result.key].document if result.key in lifted else 0.0),
        )
        for result in head
    ]
    return _ranked(rescored) + tail


def combined(found: Evidence, weights: Weights) -> float:
    return (
        weights.proximity * found.proximity
        + weights.kind * found.kind
        + weights.document * found.document
        - weights.place * found.place
        + weights.year * found.year
        + weights.quantity * found.quantity
    )


def evidence(
    session: Session,
    query: Query,
    candidates: Sequence[Scored],
    passages: dict[PassageKey, Passage],
    weights: Weights | None = None,
) -> dict[PassageKey, Evidence]:
    """Each candidate's evidence; a feature whose weight is 0 is not read (None: all are)."""
    keys = [result.key for result in candidates]
    wanted = weights or Weights(1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
    terms = term_weights(session.terms, query.terms, query.expansions) if wanted.proximity else {}
    size = session.window_size
    kinds = asked_kinds(query.text) if wanted.kind else frozenset()
    years = written_years(query.text) if wanted.year else frozenset()
    naming = naming_years(query.text) if years else frozenset()
    amounts = quantities(fold_text(query.text)) if wanted.quantity else frozenset()
    claims = session.reader.claims_by_passage(keys) if kinds or years else {}
    held = held_kinds(claims, passages) if kinds else {}
    documents = session.reader.documents_by_id({passages[key].doc_id for key in keys})
    long = long_documents(documents)
    document = document_scores(candidates, passages, long) if wanted.document else {}
    other = other_places(session, query, documents) if wanted.place else set()
    return {
        key: Evidence(
            proximity=best_window_share(passages[key], terms, size) if terms else 0.0,
            kind=(1.0 if doc_id in long else SHORT_KIND) * bool(kinds & held.get(key, frozenset())),
            document=document.get(key, 0.0),
            place=float(doc_id in other),
            year=float(bool(asked and asked & held_years(claims.get(key, []), passages[key]))),
            quantity=float(bool(amounts and amounts & quantities(fold_text(passages[key].text)))),
        )
        for key in keys
        for doc_id in [passages[key].doc_id]
        for asked in [passage_years(years, naming, documents.get(doc_id))]
    }


def passage_years(
    years: frozenset[str], naming: frozenset[str], document: Document | None
) -> frozenset[str]:
    """The question's years that say where in `document` the answer stands: not one naming the
    document (naming_years) that is its own year."""
    own = (document.date or "")[:4] if document is not None and naming else ""
    return years - {own} if own in naming else years


def other_places(session: Session, query: Query, documents: dict[str, Document]) -> set[str]:
    """The documents that are another place's than the question names (places.py: their
    country claims and government bodies, read once, and for a long Chinese one naming none
    its script's place)."""
    asked = asked_places(query.text)
    if not asked:
        return set()
    named = document_places(session.reader, documents, session.places)
    return {doc_id for doc_id, places in named.items() if elsewhere(asked, places)}


def document_scores(
    candidates: Sequence[Scored],
    passages: dict[PassageKey, Passage],
    long: Collection[str] | None = None,
) -> dict[PassageKey, float]:
    """Each candidate's document's best first-stage score among the candidates, scaled over
    them; 0 for a document not in `long` (when given: places.long_documents)."""
    best: dict[str, float] = {}
    for result in candidates:
        doc_id = passages[result.key].doc_id
        best[doc_id] = max(result.score, best.get(doc_id, result.score))
    scaled = _scaled(best)
    return {
        result.key: scaled[doc_id] if long is None or doc_id in long else 0.0
        for result in candidates
        for doc_id in [passages[result.key].doc_id]
    }


def _scaled(values: dict[Any, float]) -> dict[Any, float]:
    """Min-max over the values (all 1 when they are equal)."""
    if not values:
        return {}
    low, high = min(values.values()), max(values.values())
    spread = high - low
    return {key: (value - low) / spread if spread > 1e-9 else 1.0 for key, value in values.items()}


def _ranked(results: list[Scored]) -> list[Scored]:
    return sorted(results, key=lambda result: (-result.score, passage_order(result.key)))
