"""Where a name begins and ends in Chinese text, read with jieba's dictionary words (no new
words guessed, so a name is never glued to its neighbour: 且经牙医师公会 is 且/经/牙医师/公会)
and a lexicon of the words that stand before names but are no part of one.
"""

from __future__ import annotations

import re
from functools import cache

from reindustry_kb.claims.lexicon import actor_lexicon
from reindustry_kb.text.tokenize import pos_tagger

# Words that end whatever comes before a name: conjunctions, prepositions, adverbs and
# pronouns jieba may tag otherwise; modal verbs; verbs of setting up, joining, serving,
# reporting to and citing; titles and status words (现任, 前); descriptors (智库, 有关, 各).
# Folded (Simplified), as the text they are matched in.
CUT_TEXT = """
    而 且 并 及 与 和 或 或者 跟 同 由 在 于 向 对 为 从 把 被 以 将 经 经由 透过
    通过 据 根据 依据 依照 按照 比照 参照 依 如 像 像是 例如 比如 譬如 包括 包含 含 之 的
    等 即 亦 也 又 则 还 再 更 已 曾 者 应 应当 应该 得 须 需 必须 可 可以 能 要 拟
    设 设立 设置 特设 另设 成立 组成 加入 参加 进入 担任 出任 兼任 接任 任职 任 报 报请
    报经 报送 送 送交 请 邀请 委托 会同 召开 去 到 赴 访问 前往 来自 征求 交由 交 指派
    授权 规定 现任 前任 时任 原任 首任 新任 卸任 代理 前 原 曾任 智库 旗下 母校 名校 当地
    本地 有关 相关 非 该 本 各 其 其他 这些 那些 一些 许多 主要 大型 多家 各种 同级 各级
    本级 上级 下级 条 款 项 章 节 是
"""
CUT_WORDS = frozenset(CUT_TEXT.split())
# jieba's classes of such words, by the first letter of the tag: conjunction, preposition,
# pronoun, adverb, auxiliary, numeral, classifier, time, modal particle, interjection,
# onomatopoeia.
CUT_CLASSES = frozenset("cprdumqtyeo")
# Words that may hold a place's name and still name one thing: 美国国防部, 中国人民解放军.
WHOLE_NAME_TAGS = ("nt", "nz")

# An ROC-era date: 中华民国一百十三年一月一日, 中華民國 113 年 7 月, 中华民国年、月、日.
_ERA_DATE = re.compile(
    r"\s*(?:[0-9]{1,3}|[零〇一二三四五六七八九十百]+)?\s*年\s*(?:[0-9]{1,2}|[一二三四五六七八九十]+|、)\s*月"
)
# A numbered session or article before a name: 第十二届, 九届, 第三条.
_NUMBERED = re.compile(r"第?[0-9零〇一二两三四五六七八九十百千]+(?:届|次|条|款|项)")
_TITLE_MARKS = (("《", "》"), ("〈", "〉"), ("<", ">"))
_HAN_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
WINDOW = 4  # characters read on either side of a span to see the words around it


@cache
def _tagged(window: str) -> tuple[tuple[str, str], ...]:
    return tuple((word, flag) for word, flag in pos_tagger().cut(window, HMM=False))


def words_around(text: str, start: int, end: int) -> list[tuple[int, int, str, str]]:
    """(start, end, word, tag) of the dictionary words of text[start:end] and a few
    characters either side, in text offsets."""
    position = low = max(0, start - WINDOW)
    spans = []
    for word, flag in _tagged(text[low : min(len(text), end + WINDOW)]):
        spans.append((position, position + len(word), word, flag))
        position += len(word)
    return spans


def in_longer_word(text: str, start: int, end: int) -> bool:
    """Whether a name found in the table is part of a longer word: a place (新墨西哥 holds 墨西哥,
    印度尼西亚 holds 印度), a person's name, or a common word it runs into (财政部门, 经济|部门).
    An organisation's name may hold it (美国国防部, 中国人民解放军)."""
    names = actor_lexicon().entries
    for word_start, word_end, _, flag in words_around(text, start, end):
        starts_inside = word_start < start < word_end
        ends_inside = word_start < end < word_end
        if not (starts_inside or ends_inside):
            continue
        around = (text[word_start:start], text[end:word_end])
        if word_start <= start and end <= word_end and all(p in names for p in around if p):
            continue  # a word of names side by side: 美国|白宫
        if flag == "ns" or flag.startswith("nr"):
            return True
        if ends_inside and not flag.startswith(WHOLE_NAME_TAGS):
            return True
    return False


def names_an_era(text: str, end: int) -> bool:
    """Whether the state name ending at `end` begins an ROC-era date, where it names a
    calendar, not an actor (中华民国一百十三年一月一日施行)."""
    return bool(_ERA_DATE.match(text, end))


def in_title(text: str, start: int, end: int) -> bool:
    """Whether a name is part of the title of a work: 《关于修改<中华人民共和国个人所得税法>的
    决定》 (a title that is the name itself, 《远见》, is the name)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    for opening, closing in _TITLE_MARKS:
        before = text.rfind(opening, line_start, start)
        if before < 0 or text.find(closing, before, start) >= 0:
            continue
        after = text.find(closing, end, line_end)
        if after < 0 or not _HAN_CHAR.search(text, before, after):
            continue
        if opening == "<" and re.search(r"\s", text[before:after]):
            continue  # a < b, c > d: no title
        if (before + 1, after) != (start, end):
            return True
    return False


def is_word(text: str, start: int, end: int) -> bool:
    """Whether a span read as a Chinese person's name begins between words and reads as a
    name: not 程技术 (of 工程技术), 董事及 (a function word inside), 简单 (a common word), 曾写道
    (曾 "once", then a verb). Its end is the pattern's: a speech verb or title follows, which
    jieba may glue to the name's last character (李明|说 as 李/明说)."""
    spans = words_around(text, start, end)
    if not any(s == start for s, _, _, _ in spans):
        return False
    inside = [(word, flag) for s, e, word, flag in spans if start <= s and e <= end]
    if not inside or (len(inside[0][0]) > 1 and not inside[0][1].startswith("nr")):
        return False  # it is, or begins with, a common word: 严格来说, 简单
    # A surname may be a function word too (曾, 向, 于); jieba tags the characters of a name
    # it does not know by their other readings (许 as a numeral), so only the lexicon speaks.
    if inside and len(inside[0][0]) == 1:
        surname, *inside = inside
        if surname[0] in CUT_WORDS and len(inside) == 1 and inside[0][1][0] in "vda":
            return False
    return not any(word in CUT_WORDS for word, _ in inside)


def org_start(text: str, start: int, end: int) -> int:
    """Where an organisation's name found by its suffix begins: after the last word before the
    suffix that is no part of a name (而, 现任, 设, 应加入, 十五条, 他进入), and never inside a
    word the pattern cut into (中|央主管机关); `end` when what is left names nothing (重新|强化|
    大学)."""
    name_start = start
    words = words_around(text, start, end)
    for word_start, word_end, word, flag in words:
        if word_end <= start or word_end >= end:
            continue
        if word_start < start or _cuts(word, flag):
            name_start = word_end
    # What is left must hold a noun: a verb, an adverb and the suffix (重新|强化|大学) name
    # nothing.
    rest = [flag for s, e, _, flag in words if name_start <= s and e < end]
    if rest and not any(flag[0] in "nj" or flag in ("vn", "an", "eng", "l") for flag in rest):
        return end
    numbered = _NUMBERED.match(text, name_start, end)
    return numbered.end() if numbered else name_start


def org_suffix_end(text: str, end: int, suffixes: str) -> int:
    """The end of a name that goes on to a second suffix with no function word or verb
    between: 中华民国社会工作师公会全国联合会, not ...公会 alone; but 耶鲁大学|来到|斯坦福大学
    are two."""
    more = re.compile(rf"[\u3400-\u9fff]{{0,6}}?(?:{suffixes})").match(text, end)
    if more is None:
        return end
    between = [
        (word, flag)
        for s, e, word, flag in words_around(text, end, more.end())
        if end <= s and e <= more.end()
    ]
    if any(_cuts(word, flag) or flag in ("v", "vd", "vi") for word, flag in between):
        return end
    return more.end()


def _cuts(word: str, flag: str) -> bool:
    """Whether a word ends what stands before a name. 各 and 每 ("each") begin a quantified
    phrase whatever jieba tags it (各县市 as a place)."""
    return (
        word in CUT_WORDS
        or word.startswith(("各", "每"))
        or (bool(flag) and flag[0] in CUT_CLASSES)
    )
