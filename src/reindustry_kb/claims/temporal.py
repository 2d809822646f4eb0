"""Date claims: absolute dates (the grammar lives in text/dates.py, shared with headers),
relative ones resolved against the document's own date, and what each date is to its text.

Relative expressions (今年, 上個月, 昨天, next year, yesterday, a bare "in June" or 4月19日)
resolve against the document's date and are marked `relative`, with `resolved_from` that
date; in a document without a date they are no claims. Numeric dates whose day and month could
swap (06/09/2025) are marked `ambiguous` and read by the document's convention.

A date's `role` says what it is to its sentence, read from the words around it: `event` (something
happens then), `deadline` (by 2030, 2030 年前, 截至), `effective` (施行, takes effect), `comparison`
(a statistic's reference point: since 1940 after a superlative, 比去年同期, compared with 2019,
2019 levels), `period` (a bound of a span: from 1980 to 2015, 4月至今) or `reference` (a date
that names or cites: in a URL, a source list, a title, a date line, a copyright). Its `event` is
the clause it dates.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Sequence
from typing import Any

from reindustry_kb.claims.base import Context, Found
from reindustry_kb.claims.context import clause_of, sentence_of
from reindustry_kb.text.dates import MONTHS, find_dates, iso, small_number
from reindustry_kb.text.normalize import HAN

ROLES = ("event", "deadline", "effective", "comparison", "period", "reference")
TIMELINE_ROLES = ("event", "deadline", "effective")  # what a timeline shows by default

# Relative expressions, on folded (Simplified) text: each names its unit and offset.
_YEAR_WORDS = {"今年": 0, "本年度": 0, "本年": 0, "明年": 1, "来年": 1, "去年": -1, "前年": -2}
_YEAR_WORDS |= {"后年": 2}
_MONTH_WORDS = {"本月": 0, "这个月": 0, "上个月": -1, "上月": -1, "下个月": 1, "下月": 1}
_DAY_WORDS = {"今天": 0, "今日": 0, "昨天": -1, "昨日": -1, "前天": -2, "明天": 1, "明日": 1}
_EN_OFFSET = {"this": 0, "next": 1, "last": -1, "today": 0, "yesterday": -1, "tomorrow": 1}
_RELATIVE = re.compile(
    rf"(?P<year>{'|'.join(_YEAR_WORDS)})(?:上半年|下半年|年初|年底|年末|初|底)?"
    r"|(?P<half>上半年|下半年)"
    rf"|(?P<month>{'|'.join(_MONTH_WORDS)})"
    # 今天的 is "today's", nowadays; 今日 inside a title names a publication.
    rf"|(?<!《)(?P<day>{'|'.join(_DAY_WORDS)})(?![的之{HAN}]*》)(?!的|之)"
    # "the next year" is a span of twelve months, not a calendar year.
    r"|(?<!the )\b(?P<en>this|next|last)\s+(?P<en_unit>year|month)\b(?!['’]s)"
    r"|\b(?P<en_day>today|yesterday|tomorrow)\b(?!['’]s)",
    re.I,
)
# A month named without its year (in June, 4月19日): the document's year, or the year before
# for a month after the document's own unless the clause speaks of the future. Not after 每年 or
# 次年 (a recurring date, or one relative to another), nor before 前/起 (a recurring deadline).
_EN_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_BARE_MONTH = re.compile(
    r"\b(?i:in|on|since|during|from|until|through|early|late|mid-?)\s+"
    rf"(?P<en_month>{_EN_MONTHS})(?:\s+(?P<en_day>\d{{1,2}})(?:st|nd|rd|th)?\b)?"
    r"(?!\s*,?\s*(?:of\s+)?(?:19|20)\d\d)(?!\s*\d)"
    r"|(?<![\d年月/.\-〇零一二三四五六七八九十百])(?<!每)(?P<zh_month>1[0-2]|[1-9]|十[一二]?|[一二三四五六七八九])\s*月"
    r"(?:\s*(?P<zh_day>[12]\d|3[01]|[1-9]|[一二]?十[一二三四五六七八九]?|三十一?|[一二三四五六七八九])"
    r"\s*[日号])?+(?!\s*(?:份?\s*(?:前|以前|之前|起)|[底末]?\s*前))"
)
_FUTURE = re.compile(r"\b(?:will|shall|plans?|expected|scheduled|to be)\b|将|预计|计划|拟", re.I)


def extract_dates(text: str, context: Context) -> Iterator[Found]:
    """Dates in folded text, absolute and (against the document's date) relative."""
    taken: list[tuple[int, int]] = []
    for date in find_dates(text, context.month_first):
        taken.append((date.start, date.end))
        fields = {"value": date.value, "precision": date.precision, "ambiguous": date.ambiguous}
        yield Found("date", date.start, date.end, {**fields, "relative": False})
    if not context.doc_date:
        return  # nothing to resolve against: relative dates are no claims
    for start, end, value in _relative(text, context.doc_date):
        if any(start < right and left < end for left, right in taken):
            continue
        taken.append((start, end))
        precision = ("year", "month", "day")[value.count("-")]
        fields = {"value": value, "precision": precision, "ambiguous": False, "relative": True}
        yield Found("date", start, end, {**fields, "resolved_from": context.doc_date})


def _relative(text: str, doc_date: str) -> Iterator[tuple[int, int, str]]:
    """Spans of relative expressions in `text` and their values against `doc_date`."""
    parts = [int(part) for part in doc_date.split("-")]
    year, month, day = [*parts, 0, 0][:3]
    for m in _RELATIVE.finditer(text):
        value = None
        if m["year"] or m["half"]:
            value = iso(year + _YEAR_WORDS.get(m["year"] or "今年", 0))
        elif m["month"] or (m["en_unit"] or "").lower() == "month":
            offset = _MONTH_WORDS.get(m["month"]) if m["month"] else _EN_OFFSET[m["en"].lower()]
            value = _month(year, month, offset or 0) if month else None
        elif m["en"]:
            value = iso(year + _EN_OFFSET[m["en"].lower()])
        elif day:
            offset = _DAY_WORDS.get(m["day"]) if m["day"] else _EN_OFFSET[m["en_day"].lower()]
            value = _day(year, month, day, offset or 0)
        if value:
            yield m.start(), m.end(), value
    for m in _BARE_MONTH.finditer(text):
        named = _named_month(m)
        if named is None or not month:
            continue
        named_month, named_day = named
        future = _FUTURE.search(text, *sentence_of(text, m.start(), m.end()))
        later = (named_month, named_day or 0) > (month, day or 31)
        value = iso(year - 1 if later and not future else year, named_month, named_day)
        if value:
            start = m.start("en_month") if m["en_month"] else m.start()
            yield start, m.end(), value


def _named_month(m: re.Match[str]) -> tuple[int, int | None] | None:
    if m["en_month"]:
        return MONTHS[m["en_month"].lower()], int(m["en_day"]) if m["en_day"] else None
    month = small_number(m["zh_month"])
    return (month, small_number(m["zh_day"]) if m["zh_day"] else None) if month else None


def _month(year: int, month: int, offset: int) -> str | None:
    index = year * 12 + month - 1 + offset
    return iso(index // 12, index % 12 + 1)


def _day(year: int, month: int, day: int, offset: int) -> str:
    shifted = datetime.date(year, month, day) + datetime.timedelta(days=offset)
    return shifted.isoformat()


# What a date is to its sentence, read around it (folded text: Simplified, case kept).
_URL = re.compile(r"(?:https?://|www\.)[^\s)\]\"'<>]+", re.I)
_COPYRIGHT = re.compile(r"©|\(c\)|copyright|版权所有", re.I)
_DATE_LABEL = re.compile(
    r"^[\W_]*(?:date|dated|published|updated|posted|日期|发布日期|发布时间|出版日期|时间|更新)"
    r"(?:\s*/\s*date)?[\W_]*$",
    re.I,
)
_CITED = re.compile(r"【[^】]*】|〔[^〕]*〕")  # a list of sources
_TITLE = re.compile(r"《[^》]*》")
# "Executive Order 13636 of February 12, 2013", "the Act of 1995": the date names a document.
_NAMED_BY = re.compile(rf"\b(?!(?:{_EN_MONTHS})\b)(?:[A-Z][\w.-]*|\d[\w.-]*)\s+of\s+(?:the\s+)?$")
_SUPERLATIVE = re.compile(
    r"\b(?:highest|lowest|largest|biggest|smallest|best|worst|fastest|slowest|strongest|"
    r"weakest|most|fewest|least|first|record|not seen|unseen|never)\b",
    re.I,
)
# What may stand between a preposition and its year: the fiscal year 2025, FY2025.
_YEAR_OF = r"(?:the\s+)?(?:(?:fiscal|calendar)\s+year\s+|FY\s?)?"
_SINCE = re.compile(rf"\bsince\s+{_YEAR_OF}$", re.I)
_COMPARED_BEFORE = re.compile(
    r"(?:\b(?:compared\s+(?:to|with)|relative\s+to|versus|vs\.?|than(?:\s+(?:in|during))?|"
    r"(?:up|down)\s+from|(?:up\s+|down\s+)?from\s+\S*\d[^,;:]{0,25}\s+in|"
    r"(?:compared\s+(?:to|with)|than|versus|vs\.?)\s+[^,;:]{1,30}\s+(?:in|during))"
    rf"\s+{_YEAR_OF}"
    r"|(?:比|较|较之|相较于?|相比于?|对比|比起|同比|环比|高于|低于|不及)\s*)$",
    re.I,
)
_BASELINE = re.compile(r"\bbaseline\b|基准年|基期", re.I)
_COMPARED_AFTER = re.compile(
    r"^\s*(?:年)?\s*(?:同期|以来(?:的)?\s*(?:最|新高|新低|首次|首度|罕见)|(?:相比|相较|比较)|"
    r"的?\s*(?:水平|水准)|['’]?s?\s+(?:levels?|baseline|average)\b)",
    re.I,
)
_SPAN_JOIN = re.compile(r"^\s*(?:年)?\s*(?:到|至|—|–|-|~|～|to|through|until|and)\s*", re.I)
# A span whose other end the grammar reads as no date (from 1980 to 2015: "to 2015").
_SPAN_TO = re.compile(r"^\s*(?:to|through|until|[-–])\s*(?:19|20)\d\d\b", re.I)
_SO_FAR = re.compile(r"^\s*(?:年)?\s*(?:至今|迄今|到现在|到目前)")
_EFFECTIVE_AFTER = re.compile(
    r"^\s*(?:年)?\s*(?:起|开始)?\s*(?:正式)?\s*(?:施行|生效|实施|上路|启用)"
    r"|^,?\s*(?:(?:shall|will|would)\s+)?(?:take|takes|took)\s+effect"
    r"|^,?\s*(?:(?:shall|will)\s+)?(?:become|becomes|became)\s+effective",
    re.I,
)
_EFFECTIVE_BEFORE = re.compile(
    r"\b(?:effective|takes?\s+effect|took\s+effect|go(?:es)?\s+into\s+effect|went\s+into\s+effect|"
    r"enters?\s+into\s+force|entered\s+into\s+force|in\s+force)\s+(?:on|as\s+of|from|beginning)?\s*$",
    re.I,
)
_DEADLINE_BEFORE = re.compile(
    r"(?:\b(?:by|no\s+later\s+than|not\s+later\s+than)\s+(?:the\s+end\s+of\s+)?"
    rf"{_YEAR_OF}|截至|截止(?:到|至)?)\s*$",
    re.I,
)
_DEADLINE_AFTER = re.compile(r"^\s*(?:年)?\s*(?:底|末)?\s*(?:前|之前|以前)(?!\s*的)")
_MARKUP = re.compile(rf"</?[A-Za-z][^<>]*>|\]\([^)\s]*\)|{_URL.pattern}", re.I)
# A line broken inside an English sentence (hard-wrapped Markdown, a quote's "> ").
_WRAPPED = re.compile(r"(?<![.!?:;。！？；])\n[ \t>]*(?=[a-z(\[])")
_CONDITIONAL = re.compile(r"\b(?:if|were)\b|如果|假如|假设|要是|倘若", re.I)
_NEAR = 40  # characters before a date that decide its role
_CONTENT = re.compile(rf"[{HAN}]{{2}}|[A-Za-z]{{3}}")  # a clause that says something
_LINKING = re.compile(
    r"\b(?:and|but|or|then|so|while|in|on|at|since|by|during|from|of|the|early|late|mid)\b"
    r"|而且|并且|而|且|并|但|在|于|自|从|到了?|截至",
    re.I,
)
# A clause whose date only sets the time for the next (自2021年…开始，就将 AI 视为国家战略).
_ADVERBIAL = re.compile(r"(?:开始|起|以来|之后|以后|期间|时|之际)\s*$")

EVENT_VERBS_ZH = (
    "签署|签订|宣布|发布|公布|颁布|通过|批准|实施|施行|生效|上路|启动|推出|提出|举行|召开|访问|"
    "就任|上任|当选|宣誓|成立|设立|开放|关闭|暂停|取消|延长|调整|提高|降低|加征|课征|征收|"
    "实施|修正|修订|制定|公告|发表|签字|达成|完成|开始|结束|恢复|宣告|投资|收购|宣示"
)
EVENT_VERBS_EN = (
    "signed|announced|issued|released|published|enacted|passed|approved|launched|imposed|"
    "raised|lowered|cut|took effect|takes effect|went into effect|will take effect|unveiled|"
    "introduced|proposed|held|visited|took office|sworn in|elected|established|created|"
    "suspended|extended|revoked|rescinded|paused|began|ended|invested|acquired|agreed|"
    "reached|completed|ordered|directed|declared|implemented"
)
_EVENT_VERB = re.compile(rf"{EVENT_VERBS_ZH}|\b(?:{EVENT_VERBS_EN})\b", re.I)


def date_role(text: str, item: Found, dates: Sequence[Found], periods: Sequence[str] = ()) -> str:
    """What a date is to its sentence: one of ROLES (see the module's docstring). `periods`
    are the periods of the statistics in the date's clause."""
    start, end = item.start, item.end
    inside = [span for p in (_URL, _CITED, _TITLE) for span in (m.span() for m in p.finditer(text))]
    if any(left <= start and end <= right for left, right in inside):
        return "reference"
    text = plain(text)
    line_start = text.rfind("\n", 0, start) + 1
    clause = clause_of(text, start, end)
    before = text[max(clause[0], start - _NEAR) : start]
    after = text[end : clause[1]]
    if _DATE_LABEL.match(text[line_start:start]) or _NAMED_BY.search(before):
        return "reference"
    if _COPYRIGHT.search(text, max(line_start, start - 20), min(len(text), end + 20)):
        return "reference"
    if _CONDITIONAL.search(text, clause[0], start):
        return "reference"  # if you went back to 1940: a point of reference, nothing happens
    since = _SINCE.search(before)
    since_at = start - len(before) + since.start() if since else 0
    if since and _SUPERLATIVE.search(text, max(clause[0], since_at - _NEAR), since_at):
        return "comparison"
    if _COMPARED_BEFORE.search(before) or _COMPARED_AFTER.match(after):
        return "comparison"
    if _BASELINE.search(before):
        return "comparison"
    if _spans(text, item, dates) or _SO_FAR.match(after) or _SPAN_TO.match(after):
        return "period"
    # A statistic of a later period in the same clause: 2018 年的 60% 的工作在 1940 年不存在.
    value = str(item.fields["value"])
    if any(period[:4].isdigit() and period > value for period in periods):
        return "comparison"
    if _EFFECTIVE_AFTER.match(after) or _EFFECTIVE_BEFORE.search(before):
        return "effective"
    if _DEADLINE_BEFORE.search(before) or _DEADLINE_AFTER.match(after):
        return "deadline"
    return "event"


def plain(text: str) -> str:
    """`text` with its markup and link targets blanked out, offsets kept: what the clause
    structure is read from (a tag's colon or a URL's comma breaks no clause)."""
    blanked = _MARKUP.sub(lambda m: " " * len(m.group()), text)
    return _WRAPPED.sub(lambda m: " " * len(m.group()), blanked)


def _spans(text: str, item: Found, dates: Sequence[Found]) -> bool:
    """Whether the date is a bound of a span with another date: 从 1980 年到 2015 年, from
    last year to 2008, between 2016 and 2017."""
    for other in dates:
        first, second = (item, other) if item.start < other.start else (other, item)
        if first is second:
            continue
        joined = _SPAN_JOIN.match(text[first.end : second.start])
        if joined and joined.end() == second.start - first.end:
            word = text[first.end : second.start].strip().lower()
            if word != "and" or re.search(r"\bbetween\s*$", text[: first.start], re.I):
                return True
    return False


def describe_dates(text: str, found: Sequence[Found]) -> None:
    """Add `role` and `event` to the dates among `found`, all spans of this (folded) passage
    text; actor and lever findings name who and how, statistics' periods what a date is
    compared with."""
    actors = [f for f in found if f.kind == "actor"]
    levers = [f for f in found if f.kind == "policy_lever"]
    dates = [f for f in found if f.kind == "date"]
    statistics = [f for f in found if f.kind == "statistic"]
    shown = plain(text)
    for item in dates:
        clause = clause_of(shown, item.start, item.end)
        periods = [
            str(f.fields["period"])
            for f in statistics
            if clause[0] <= f.start < clause[1] and isinstance(f.fields.get("period"), str)
        ]
        item.fields["role"] = date_role(text, item, dates, periods)
        item.fields["event"] = _event(shown, item, actors, levers, dates)


def _event(
    text: str, item: Found, actors: list[Found], levers: list[Found], dates: list[Found]
) -> dict[str, Any] | None:
    """The clause a date dates, with its event verb, actors and lever."""
    start, end = clause_of(text, item.start, item.end)
    sentence_end = sentence_of(text, item.start, item.end)[1]
    verbs = list(_EVENT_VERB.finditer(text, start, end))
    # A date alone in its clause (2025年7月23日，白宫…签署的命令，正式公布…; In June, ...) or
    # in an adverbial one (自2021年…开始) dates the clauses after it, up to the first that
    # names an event and no date of its own; failing that, the clause right after it.
    adverbial = _ADVERBIAL.search(text, item.end, end) is not None
    verbs = [] if adverbial else verbs
    alone = adverbial or not _says(text[start : item.start] + " " + text[item.end : end])
    first = None
    while alone and not verbs and end < sentence_end:
        clause_start, end = end + 1, clause_of(text, end + 1, end + 1)[1]
        if any(clause_start <= d.start < end for d in dates):
            continue
        first = first or (end if _says(text[clause_start:end]) else None)
        verbs = list(_EVENT_VERB.finditer(text, clause_start, end))
    if alone and not verbs:
        if first is None:
            return None  # a bare date (a header, a list of dates): nothing happens in it
        end = first
    start, end = _trimmed(text, start, end)
    verb = min(verbs, key=lambda v: abs(v.start() - item.start)).span() if verbs else None
    inside = [a for a in actors if start <= a.start and a.end <= end]
    lever = next((lv.fields["lever"] for lv in levers if start <= lv.start < end), None)
    return {
        "span": (start, end),
        "verb": verb,
        "actors": list(
            dict.fromkeys(str(a.fields.get("display") or a.fields["canonical"]) for a in inside)
        ),
        "lever": lever,
    }


def _says(text: str) -> bool:
    """Whether a clause says something beyond its linking words (and, 而, in)."""
    return _CONTENT.search(_LINKING.sub(" ", text)) is not None


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not text[start].strip():
        start += 1
    while end > start and not text[end - 1].strip():
        end -= 1
    return start, end
