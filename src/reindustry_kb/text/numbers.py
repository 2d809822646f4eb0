"""Numbers in Arabic digits, Chinese numerals, or both (3000 亿, 2千亿, 一兆, 十几, 1.2 trillion).

Works on folded text (NFKC, Simplified): 億 and 亿, 萬 and 万 arrive as one form.
"""

from __future__ import annotations

import re

DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "贰": 2,
    "两": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
# Section scales multiply everything before them: 三千亿 = 3000 * 1e8. 兆 is 1e12 here, as in
# Taiwan and in finance writing; 兆瓦 (megawatt) is a unit and is matched before this applies.
SECTIONS = {"万": 1e4, "亿": 1e8, "兆": 1e12}
ENGLISH_SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "t": 1e12,
}
ENGLISH_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "dozen": 12,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
}

# Characters a Chinese number is written with: a number never starts right after one of them
# (第一千一百二十三條 holds no number 千一百二十三).
NUMERALS = "".join(DIGITS) + "".join(UNITS) + "".join(SECTIONS) + "几"
_CN_CHARS = NUMERALS + "点多余"
ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# One number: Arabic digits optionally followed by Chinese units/sections (2千亿, 1,900 万),
# or a run of Chinese numerals (三千亿, 十几, 一兆).
_CN_CORE = "".join(DIGITS) + "十拾百佰千仟几"
NUMBER = (
    rf"(?:(?:{ARABIC})\s?[十百千万亿兆]*(?:多|余)?[万亿兆]?"
    rf"|[{_CN_CHARS}]*[{_CN_CORE}][{_CN_CHARS}]*)"
)


class Parsed:
    """A parsed number: its value, a range end for 十几 / 几十 style, and whether it is vague."""

    __slots__ = ("approx", "value", "value_max")

    def __init__(self, value: float, value_max: float | None = None, approx: bool = False) -> None:
        self.value = value
        self.value_max = value_max
        self.approx = approx

    def __repr__(self) -> str:
        return f"Parsed({self.value}, {self.value_max}, approx={self.approx})"


def parse_number(text: str) -> Parsed | None:
    """Value of a numeral string, or None. 十几 -> 11..19 (approx), 3000多 -> 3000 (approx)."""
    text = text.strip().replace(" ", "").replace(",", "")
    if not text:
        return None
    approx = False
    if text.endswith(("多", "余")) or "多万" in text or "余万" in text or "多亿" in text:
        approx = True
        text = text.replace("多", "").replace("余", "")
    if "几" in text:
        low = _parse(text.replace("几", "一"))
        high = _parse(text.replace("几", "九"))
        if low is None or high is None:
            return None
        return Parsed(low, high, approx=True)
    value = _parse(text)
    return None if value is None else Parsed(value, approx=approx)


_TOKEN = re.compile(r"\d+(?:\.\d+)?|.")


def _parse(text: str) -> float | None:
    """Chinese numerals, Arabic digits, or both: 三千亿, 3000亿, 1万600, 二〇二四, 负三点五."""
    sign = -1.0 if text.startswith(("负", "-")) else 1.0
    text = text.lstrip("负-")
    if not text:
        return None
    if "点" in text:
        whole, _, fraction = text.partition("点")
        head = _parse(whole) if whole else 0.0
        digits = "".join(str(DIGITS[c]) if c in DIGITS else c for c in fraction)
        if head is None or not digits.isdigit():
            return None
        return sign * (head + float("0." + digits))
    tokens = _TOKEN.findall(text)
    if all(t in DIGITS for t in tokens):  # digit by digit: 二〇二四, 一一
        return sign * float("".join(str(DIGITS[t]) for t in tokens))
    total = 0.0  # closed sections (亿, 万)
    section = 0.0  # the current section below 万
    digit: float | None = None
    last_unit = 0.0
    after_zero = False
    previous_was_unit = False
    for token in tokens:
        if token[0].isdigit():
            digit, previous_was_unit = float(token), False
        elif token in DIGITS:
            if DIGITS[token] == 0:
                digit, after_zero = None, True  # 一千零十: the zero only holds a place
            else:
                digit = DIGITS[token]
        elif token in UNITS:
            section += (1 if digit is None else digit) * UNITS[token]
            digit, last_unit, after_zero, previous_was_unit = None, UNITS[token], False, True
        elif token in SECTIONS:
            scale = SECTIONS[token]
            section += digit or 0
            digit = None
            if section == 0 and total == 0:
                return None
            if total and total < scale:  # 一千万亿: a larger section multiplies what came before
                total = (total + section) * scale
            else:
                total += section * scale
            section, last_unit, after_zero, previous_was_unit = 0.0, scale, False, True
        else:
            return None
    if digit is not None:
        # Spoken shorthand: 三万五 is 35000 and 两千六 is 2600 (the next unit down).
        shorthand = previous_was_unit and not after_zero and digit < 10 and last_unit >= 100
        section += digit * last_unit / 10 if shorthand else digit
    return sign * (total + section)


def parse_english_number(number: str, scale: str | None) -> float | None:
    """1.2 + trillion -> 1.2e12; 'two' + None -> 2."""
    word = number.lower()
    if word in ENGLISH_WORDS:
        base = float(ENGLISH_WORDS[word])
    else:
        try:
            base = float(number.replace(",", ""))
        except ValueError:
            return None
    if scale:
        multiplier = ENGLISH_SCALES.get(scale.lower().rstrip("s"))
        if multiplier is None:
            return None
        base *= multiplier
    return base
