"""Where a Chinese name begins and ends: jieba's dictionary words and the cut lexicon."""

import pytest

from reindustry_kb.claims.names import (
    CUT_WORDS,
    in_longer_word,
    in_title,
    is_word,
    names_an_era,
    org_start,
    org_suffix_end,
)

SUFFIXES = "委员会|公会|联合会|研究所|大学"


def span(text: str, name: str) -> tuple[int, int]:
    start = text.index(name)
    return start, start + len(name)


@pytest.mark.parametrize(
    ("text", "name", "longer"),
    [
        ("亚利桑那、新墨西哥则可", "墨西哥", True),  # a longer place
        ("印度尼西亚和印度", "印度", True),
        ("国务院财政部门", "财政部", True),  # a common word it begins
        ("经济部门协调", "经济部", True),  # a word it runs into
        ("美国国防部表示", "美国", False),  # an organisation's name holds it
        ("美国白宫根据", "白宫", False),  # two names side by side
        ("赴美国投资", "美国", False),
        ("中国政府表示", "中国", False),
    ],
)
def test_in_longer_word(text: str, name: str, longer: bool) -> None:
    assert in_longer_word(text, *span(text, name)) is longer


@pytest.mark.parametrize(
    ("text", "era"),
    [
        ("中华民国一百十三年一月一日施行", True),
        ("中华民国 113 年 7 月", True),
        ("中华民国年、月、日", True),
        ("中华民国境内", False),
        ("中华民国3年内", False),
    ],
)
def test_names_an_era(text: str, era: bool) -> None:
    assert names_an_era(text, len("中华民国")) is era


@pytest.mark.parametrize(
    ("text", "name", "inside"),
    [
        ("《关于修改<中华人民共和国个人所得税法>的决定》", "中华人民共和国", True),
        ("《赢得AI竞赛:美国的AI行动计划》", "美国", True),
        ("向《远见》表示", "远见", False),
        ("《计划》发布后，美国表示", "美国", False),  # the title closed before it
        ("若 a < b，美国 > 中国", "美国", False),  # no Han title between the marks
    ],
)
def test_in_title(text: str, name: str, inside: bool) -> None:
    assert in_title(text, *span(text, name)) is inside


@pytest.mark.parametrize(
    ("text", "name", "word"),
    [
        ("许毓仁认为", "许毓仁", True),
        ("曾文忠表示", "曾文忠", True),
        ("工程技术顾问公司", "程技术", False),  # begins inside 工程
        ("董事及总经理", "董事及", False),  # holds a function word
    ],
)
def test_is_word(text: str, name: str, word: bool) -> None:
    assert is_word(text, *span(text, name)) is word


@pytest.mark.parametrize(
    ("text", "found", "name"),
    [
        ("而国会预算委员会估计", "而国会预算委员会", "国会预算委员会"),
        ("应加入代理人商业同业公会", "应加入代理人商业同业公会", "代理人商业同业公会"),
        (
            "十五条规定加入代理人商业同业公会",
            "十五条规定加入代理人商业同业公会",
            "代理人商业同业公会",
        ),
        ("主管机关委托中央研究院", "管机关委托中央研究院", "中央研究院"),  # from inside 主管
        (
            "第九届全国人民代表大会常务委员会",
            "九届全国人民代表大会常务委员会",
            "全国人民代表大会常务委员会",
        ),
        ("和平研究基金会", "和平研究基金会", "和平研究基金会"),
        ("且经各县市牙医师公会推荐", "且经各县市牙医师公会", "牙医师公会"),  # 各县市: "each"
        ("可重新强化大学", "可重新强化大学", ""),
    ],
)
def test_org_start(text: str, found: str, name: str) -> None:
    start, end = span(text, found)
    assert text[org_start(text, start, end) : end] == name


@pytest.mark.parametrize(
    ("text", "first", "name"),
    [
        ("牙医师公会全国联合会推荐", "牙医师公会", "牙医师公会全国联合会"),
        ("居民委员会、村民委员会", "居民委员会", "居民委员会"),
        ("医师公会或全国联合会", "医师公会", "医师公会"),  # 或 between: two names
    ],
)
def test_org_suffix_end(text: str, first: str, name: str) -> None:
    start, end = span(text, first)
    assert text[start : org_suffix_end(text, end, SUFFIXES)] == name


def test_the_cut_lexicon_is_folded() -> None:
    """The lexicon is matched in folded (Simplified) text: no Traditional-only entry."""
    from reindustry_kb.text.normalize import fold_text

    assert {fold_text(word, lower=False) for word in CUT_WORDS} == CUT_WORDS
