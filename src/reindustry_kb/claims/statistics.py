"""Statistics: a number with a unit, normalised to base units (3000 亿美元 -> 3e11 USD).

A number counts only when a unit makes it a measurement: a currency, a percentage, a physical
unit, a multiple (倍, times) or a counted noun (350 万个工作, 19 million jobs). Years, ordinals
(第一次), list numbering and names such as 5G carry no unit and are never statistics.
Patterns read folded text (NFKC, Simplified), so one set serves both Chinese scripts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reindustry_kb.claims.base import Context, Found, first_wins
from reindustry_kb.text.normalize import HAN
from reindustry_kb.text.numbers import NUMBER, NUMERALS, parse_english_number, parse_number

APPROX_ZH = r"超过|逾|近|约为|约|大约|将近|接近|高达|多达|至少|不到|不足|上看|大概"
APPROX_EN = (
    r"over|more than|nearly|almost|about|around|approximately|roughly|some|up to|at least"
    r"|close to|upwards of"
)
_APPROX = rf"(?:(?P<approx>{APPROX_ZH})|(?P<approx_en>{APPROX_EN})\s)"
CURRENCY_PREFIX = {
    "us$": "USD",
    "usd": "USD",
    "$": "USD",
    "美元": "USD",
    "nt$": "TWD",
    "ntd": "TWD",
    "新台币": "TWD",
    "台币": "TWD",
    "twd": "TWD",
    "人民币": "CNY",
    "rmb": "CNY",
    "cny": "CNY",
    "¥": "CNY",
    "欧元": "EUR",
    "€": "EUR",
    "eur": "EUR",
    "日元": "JPY",
    "日圆": "JPY",
    "£": "GBP",
    "港币": "HKD",
    "港元": "HKD",
    "hk$": "HKD",
    "英镑": "GBP",
}
CURRENCY_SUFFIX = {
    "美元": "USD",
    "美金": "USD",
    "新台币": "TWD",
    "台币": "TWD",
    "元新台币": "TWD",
    "元人民币": "CNY",
    "人民币": "CNY",
    "欧元": "EUR",
    "日元": "JPY",
    "日圆": "JPY",
    "英镑": "GBP",
    "港元": "HKD",
    "港币": "HKD",
    "元": "",  # a bare 元 or 圆 is the document's home currency, see _currency
    "圆": "",
}
PHYSICAL = {
    "gwh": "GWh",
    "mwh": "MWh",
    "twh": "TWh",
    "kwh": "kWh",
    "gw": "GW",
    "mw": "MW",
    "kw": "kW",
    "吉瓦": "GW",
    "兆瓦": "MW",
    "千瓦": "kW",
    "瓩": "kW",  # Taiwan's legal and statistical texts write the kilowatt as one character
    "百万瓦": "MW",
    "吨": "t",
    "公吨": "t",
}
MEASURE_WORDS = "个座家项件名位台辆艘架所间栋条份款种户颗枚笔处次场轮批"
LAW_PARTS = "条款项"  # measure words that also count a law's articles, paragraphs, items
# Nouns after a measure word that make a phrase structural, not a statistic (两个层次, 四大面向).
ABSTRACT_NOUNS = (
    "层次",
    "方面",
    "阶段",
    "面向",
    "层面",
    "支柱",
    "问题",
    "原因",
    "假设",
    "部分",
    "角度",
    "重点",
    "步骤",
    "方向",
    "要素",
    "因素",
    "策略",
    "理由",
    "目标",
    "概念",
    "时代",
    "世纪",
    "小时",
    "月",
)

_PREFIX_RE = "|".join(re.escape(k) for k in sorted(CURRENCY_PREFIX, key=len, reverse=True))
_SUFFIX_RE = "|".join(re.escape(k) for k in sorted(CURRENCY_SUFFIX, key=len, reverse=True))
_PHYS_RE = "|".join(re.escape(k) for k in sorted(PHYSICAL, key=len, reverse=True))
_RANGE = r"\s*(?:到|至|~|～|-|–|—)\s*"
# Where a number may start: not inside another number or after a hyphen (第 6-1 條), and not
# as an ordinal (第 9 條, as laws print it, with spaces, as well as 第九條).
_NUMBER_START = rf"(?<![第\d.A-Za-z{NUMERALS}-])(?<!\d,)(?<!第\s)(?<!第\s\s)"

# 百亿至千亿美元, 超过 1,900 万个工作, 1% 到 3%, 新台币 177.1 亿元, 280 GW, 65 倍
_ZH = re.compile(
    rf"{_APPROX}?\s*(?P<pre>{_PREFIX_RE})?\s*"
    rf"{_NUMBER_START}(?P<num>{NUMBER})(?P<unit1>\s*%)?"
    rf"(?:{_RANGE}(?P<pre2>{_PREFIX_RE})?\s*(?P<num2>{NUMBER}))?\s*"
    rf"(?:(?P<pct>%|个百分点|percent\b)|(?P<cur>{_SUFFIX_RE})|(?P<phys>{_PHYS_RE})(?![a-z])"
    rf"|(?P<mult>倍)|(?P<measure>[{MEASURE_WORDS}])(?P<noun>[{HAN}A-Za-z]{{0,10}}))"
    rf"(?P<approx_after>左右|以上|多)?",
    re.I,
)
_PERCENT_WORDS = re.compile(
    rf"{_APPROX}?百分之(?P<num>{NUMBER})(?:{_RANGE}百分之(?P<num2>{NUMBER}))?"
)
_FRACTION = re.compile(rf"{_APPROX}?(?P<den>{NUMBER})分之(?P<num>{NUMBER})")
_TENTHS = re.compile(
    rf"(?<!第)(?P<approx>{APPROX_ZH})?(?P<num>[一二三四五六七八九])成(?=以上|左右|以下|的|[^\w]|$)"
)

_EN_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_EN_SCALE = r"thousand|million|billion|trillion|bn|mn|tn"
_EN_CURRENCY = r"US\$|NT\$|\$|€|£"
_EN_MEASURE = re.compile(
    rf"(?<![\w.$])(?:(?P<approx_en>{APPROX_EN})\s+)?(?P<pre>{_EN_CURRENCY})?\s?(?P<num>{_EN_NUMBER})"
    rf"(?:\s?(?P<scale>{_EN_SCALE})\b)?"
    rf"(?:\s?(?:-|to)\s?(?:{_EN_CURRENCY})?(?P<num2>{_EN_NUMBER})(?:\s?(?P<scale2>{_EN_SCALE})\b)?)?"
    rf"(?:\s?(?P<pct>%|percent\b|per cent\b)|\s(?P<cur>dollars|USD|euros|yuan)\b"
    rf"|\s?(?P<phys>GWh|MWh|TWh|GW|MW|kW)\b|\s(?P<mult>times)\b)?",
    re.I,
)
_EN_COUNT = re.compile(
    rf"(?<![\w.$-])(?:(?P<approx_en>{APPROX_EN})\s+)?(?P<num>{_EN_NUMBER})(?:\s(?P<scale>{_EN_SCALE}))?"
    rf"\s(?P<noun>(?:[a-z][a-z-]+\s){{0,2}}[a-z][a-z-]+s)\b"
)
EN_CURRENCY_WORDS = {"dollars": "USD", "usd": "USD", "euros": "EUR", "yuan": "CNY"}
NOT_COUNTED = {"years", "months", "days", "decades", "times", "percent", "hours", "weeks"}
# Words that are no part of a counted noun phrase (paragraph 2 of this Article, 30 days of
# this order).
_NOT_NOUN = re.compile(
    r"\b(?:of|in|on|to|for|and|or|the|this|that|these|those|at|by|from|with|as|is|are|was|were"
    r"|has|have|shall|may|its|his|her|their|who|which|before|after|than|per|each|under|over"
    r"|into|such)\b"
)
# A number after these names a part of a text, not a quantity (Article 2 of this Act).
_REFERENCE_BEFORE = re.compile(
    r"(?:article|section|sec\.|paragraph|subparagraph|subsection|clause|item|chapter|part"
    r"|no\.|number|title|rule|order)\s*$",
    re.I,
)
_QUANTITY_STOP = re.compile(r"[的和与及或在以后前之将被为是都也就而了，。；：、！？\s(（「『“]")
# What a money or percentage figure measures stands before a linking verb: 规模已超过 2千亿美元.
VERB_END = re.compile(r"(?:带来|投入|创造|吸引|提供|获得|达成|形成|造成|需要|花费|筹集|募集)$")
TIME_WORDS = re.compile(r"(?:每|今|明|去|前|后)年|当时|目前|现在|未来|过去")
_ADVERBS = r"(?:\s*(?:已经|已|将|可能|预计|有望|今年|明年|去年|每年|仍|再))*\s*"
_LINK = r"(?:达到了?|达|为|是|有|占|约为|增加了?|增长了?|减少了?|下降了?|上升了?)"
_SUBJECT = re.compile(rf"(?P<subject>[{HAN}A-Za-z]{{2,14}}?){_ADVERBS}{_LINK}\s*$")
# When the figure opens with its own verb (超过 2千亿美元), the subject needs no other.
_SUBJECT_BEFORE_APPROX = re.compile(rf"(?P<subject>[{HAN}A-Za-z]{{2,14}}?){_ADVERBS}$")


def extract_statistics(text: str, context: Context) -> Iterator[Found]:
    """Numbers with units in folded text, normalised to base units."""
    yield from first_wins(
        [
            *_percent_words(text),
            *_fractions(text),
            *_tenths(text),
            *_chinese(text, context),
            *_english(text),
        ]
    )


def _as_written(value: float) -> float:
    """A value to the 15 significant digits a float holds exactly: US$4.1 billion is
    4.1 x 1e9 = 4099999999.9999995 in binary arithmetic, and 4100000000 as written."""
    return float(f"{value:.15g}")


def _found(
    start: int,
    end: int,
    value: float,
    value_max: float | None,
    unit: str,
    quantity: tuple[int, int] | None,
    approx: bool,
) -> Found:
    """`quantity` is a span of the folded text; the caller quotes it from the original."""
    return Found(
        "statistic",
        start,
        end,
        {
            "value": _as_written(value),
            "value_max": None if value_max is None else _as_written(value_max),
            "unit": unit,
            "quantity": quantity,
            "approx": approx,
        },
    )


def _start(m: re.Match[str]) -> int:
    """The first matched character that is not a space."""
    return m.start() + len(m.group()) - len(m.group().lstrip())


def _chinese(text: str, context: Context) -> Iterator[Found]:
    for m in _ZH.finditer(text):
        first = parse_number(m["num"])
        second = parse_number(m["num2"]) if m["num2"] else None
        if first is None or (m["num2"] and second is None) or first.value == 0:
            continue  # 零件 is a part, not zero pieces
        approx = any(
            (m["approx"], m["approx_en"], m["approx_after"], first.approx, second and second.approx)
        )
        value_max = second.value if second else first.value_max
        start, end = _start(m), m.end()
        quantity = None
        if m["pct"] or m["unit1"]:
            unit, quantity = "%", _subject(text, start)
        elif m["cur"] is not None or m["pre"]:
            unit, quantity = _currency(m, context), _subject(text, start)
            if not unit:
                continue
        elif m["phys"]:
            unit = PHYSICAL[m["phys"].lower()]
        elif m["mult"]:
            unit = "x"
        else:
            if m["measure"] in LAW_PARTS and text[start - 1 : start] == "前":
                continue  # 前二項: the two paragraphs before, cited
            noun = _QUANTITY_STOP.split(m["noun"] or "", maxsplit=1)[0]
            if any(noun.startswith(word) for word in ABSTRACT_NOUNS):
                continue
            written_in_digits = bool(re.search(r"\d", m["num"]))
            if not written_in_digits and (first.value == 1 or (first.value < 10 and not noun)):
                continue  # 一个 is the article "a"; 两个 with nothing counted says nothing
            unit = "count"
            noun_start = m.start("noun")
            end = noun_start + len(noun)
            quantity = (noun_start, end) if noun else None
            if m["approx_after"] and not noun:
                end = m.end()
        yield _found(start, end, first.value, value_max, unit, quantity, approx)


def _currency(m: re.Match[str], context: Context) -> str:
    for key in (m["pre"], m["pre2"], m["cur"]):
        if key:
            code = CURRENCY_PREFIX.get(key.lower()) or CURRENCY_SUFFIX.get(key, "")
            if code:
                return code
    if m["cur"] in ("元", "圆"):
        # A bare 元 is the document's home currency: yuan in Simplified text, NT$ in Traditional.
        return "CNY" if context.lang == "zh-Hans" else "TWD"
    return ""


def _subject(text: str, start: int) -> tuple[int, int] | None:
    """Span of what a money or percentage figure measures, when a linking verb shows it."""
    clause_start = max(text.rfind(p, 0, start) for p in "，。；：、,;:\n") + 1
    opens_with_verb = re.match(rf"(?:{APPROX_ZH})", text[start : start + 3]) is not None
    pattern = _SUBJECT_BEFORE_APPROX if opens_with_verb else _SUBJECT
    m = pattern.search(text, clause_start, start)
    if m is None or TIME_WORDS.fullmatch(m["subject"]) or VERB_END.search(m["subject"]):
        return None
    return m.start("subject"), m.end("subject")


def _measures_en(text: str) -> Iterator[re.Match[str]]:
    """English numbers with a unit. A number without one is passed over alone, so that what
    it seemed to start is read again: in 2000 to $295.4 billion, 2000 is no range's start."""
    position = 0
    while (m := _EN_MEASURE.search(text, position)) is not None:
        if any(m[g] for g in ("pre", "pct", "cur", "phys", "mult")):
            yield m
            position = m.end()
        else:
            position = m.end("num")


def _percent_words(text: str) -> Iterator[Found]:
    for m in _PERCENT_WORDS.finditer(text):
        first = parse_number(m["num"])
        second = parse_number(m["num2"]) if m["num2"] else None
        if first is not None:
            approx = bool(m["approx"] or m["approx_en"]) or first.approx
            yield _found(
                _start(m),
                m.end(),
                first.value,
                second.value if second else None,
                "%",
                _subject(text, _start(m)),
                approx,
            )


def _fractions(text: str) -> Iterator[Found]:
    for m in _FRACTION.finditer(text):
        den, num = parse_number(m["den"]), parse_number(m["num"])
        if den is not None and num is not None and den.value:
            yield _found(
                _start(m),
                m.end(),
                round(100 * num.value / den.value, 2),
                None,
                "%",
                _subject(text, _start(m)),
                bool(m["approx"] or m["approx_en"]),
            )


def _tenths(text: str) -> Iterator[Found]:
    for m in _TENTHS.finditer(text):
        value = parse_number(m["num"])
        if value is not None:
            yield _found(
                _start(m),
                m.end(),
                value.value * 10,
                None,
                "%",
                _subject(text, _start(m)),
                bool(m["approx"]),
            )


def _english(text: str) -> Iterator[Found]:
    for m in _measures_en(text):
        value = parse_english_number(m["num"], m["scale"])
        if value is None:
            continue
        value_max = (
            parse_english_number(m["num2"], m["scale2"] or m["scale"]) if m["num2"] else None
        )
        if m["pct"]:
            unit = "%"
        elif m["pre"] or m["cur"]:
            unit = CURRENCY_PREFIX.get((m["pre"] or "").lower()) or EN_CURRENCY_WORDS.get(
                (m["cur"] or "").lower(), "USD"
            )
        elif m["phys"]:
            unit = PHYSICAL[m["phys"].lower()]
        else:
            unit = "x"
        yield _found(_start(m), m.end(), value, value_max, unit, None, bool(m["approx_en"]))
    for m in _EN_COUNT.finditer(text):
        noun = m["noun"]
        if (
            re.fullmatch(r"(?:19|20)\d\d", m["num"])
            or noun.split()[-1] in NOT_COUNTED
            or _NOT_NOUN.search(noun)
            or _REFERENCE_BEFORE.search(text, max(0, m.start() - 16), m.start())
        ):
            continue
        value = parse_english_number(m["num"], m["scale"])
        if value is not None:
            yield _found(
                _start(m), m.end(), value, None, "count", m.span("noun"), bool(m["approx_en"])
            )
