"""Date claims in zh-Hant, zh-Hans and English: absolute and relative dates, what each date
is to its sentence (its role) and the clause it dates, with the negatives."""

import pytest

from reindustry_kb.claims.base import Context
from reindustry_kb.claims.extract import extract_claims
from reindustry_kb.claims.temporal import date_role, extract_dates
from reindustry_kb.ingest.segment import segment
from reindustry_kb.ingest.sources import Source
from reindustry_kb.models import DateClaim, Document
from reindustry_kb.text.dates import document_month_first
from reindustry_kb.text.normalize import fold


def dates(text: str, **context: object) -> list[tuple[str, str, str, bool, bool]]:
    folded = fold(text, lower=False)
    out = []
    for found in extract_dates(folded.text, Context(**context)):  # type: ignore[arg-type]
        start, end = folded.span_to_original(found.start, found.end)
        f = found.fields
        out.append((text[start:end], f["value"], f["precision"], f["ambiguous"], f["relative"]))
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("於2025年9月24日舉行", ("2025年9月24日", "2025-09-24", "day", False, False)),
        ("美國在2025年1月明顯轉折", ("2025年1月", "2025-01", "month", False, False)),
        ("在 2018 年", ("2018 年", "2018", "year", False, False)),
        ("发布于2025年7月14日", ("2025年7月14日", "2025-07-14", "day", False, False)),
        ("二〇二四年", ("二〇二四年", "2024", "year", False, False)),
        ("民國114年3月1日公布", ("民國114年3月1日", "2025-03-01", "day", False, False)),
        ("民国113年", ("民国113年", "2024", "year", False, False)),
        ("114年5月", ("114年5月", "2025-05", "month", False, False)),
        ("published 2025-07-14", ("2025-07-14", "2025-07-14", "day", False, False)),
        ("signed on July 23, 2025", ("July 23, 2025", "2025-07-23", "day", False, False)),
        ("on 23 July 2025", ("23 July 2025", "2025-07-23", "day", False, False)),
        ("since Jan. 2025", ("Jan. 2025", "2025-01", "month", False, False)),
        ("in fiscal year 2025", ("2025", "2025", "year", False, False)),
        ("Date: 06/09/2025", ("06/09/2025", "2025-06-09", "day", True, False)),
        ("Date: 25/09/2025", ("25/09/2025", "2025-09-25", "day", False, False)),
    ],
)
def test_absolute_dates(text: str, expected: tuple[str, str, str, bool, bool]) -> None:
    assert dates(text) == [expected]


def test_relative_years_resolve_against_the_document_date() -> None:
    found = dates("今年投資大增，明年可能更多，去年則持平。Next year too.", doc_date="2025-09-24")
    assert [(f[0], f[1], f[4]) for f in found] == [
        ("今年", "2025", True),
        ("明年", "2026", True),
        ("去年", "2024", True),
        ("Next year", "2026", True),
    ]
    assert dates("今年投資大增") == []  # no document date, nothing to resolve against


def test_ambiguous_dates_follow_the_documents_convention() -> None:
    assert dates("06/09/2025", month_first=False) == [
        ("06/09/2025", "2025-09-06", "day", True, False)
    ]
    assert document_month_first("on 25/12/2024 and 06/09/2025") is False
    assert document_month_first("on 12/25/2024 and 06/09/2025") is True
    assert document_month_first("no numeric dates") is True


@pytest.mark.parametrize(
    "text", ["10 年內", "80 年代", "三十年的高速工業化", "第 2025 號", "價格 2,025 元"]
)
def test_not_dates(text: str) -> None:
    assert dates(text) == []


@pytest.mark.parametrize(
    ("text", "doc_date", "expected"),
    [
        # months and days against the document's date, across a year's end
        ("上個月出口下滑", "2025-01-15", ("上個月", "2024-12", "month")),
        ("下月將法拍", "2018-07-31", ("下月", "2018-08", "month")),
        ("Exports fell last month.", "2025-03-02", ("last month", "2025-02", "month")),
        ("桃園一家工廠今天清晨發生大火", "2016-03-19", ("今天", "2016-03-19", "day")),
        (
            "and yesterday, consumer confidence rose",
            "2025-03-01",
            ("yesterday", "2025-02-28", "day"),
        ),
        ("今年上半年月活最大的小程序", "2024-08-02", ("今年上半年", "2024", "year")),
        ("上半年营收增长", "2024-08-02", ("上半年", "2024", "year")),
        # a month named without its year: the document's year, or the one before
        ("In June, retail sales beat expectations.", "2025-07-21", ("June", "2025-06", "month")),
        ("Sales rose in December.", "2025-07-21", ("December", "2024-12", "month")),
        ("The rule will take effect in December.", "2025-07-21", ("December", "2025-12", "month")),
        ("行動計畫於7月正式公布", "2025-11-07", ("7月", "2025-07", "month")),
        ("部長於十月三日宣布", "2025-11-07", ("十月三日", "2025-10-03", "day")),
    ],
)
def test_relative_dates_resolve_against_the_document_date(
    text: str, doc_date: str, expected: tuple[str, str, str]
) -> None:
    found = dates(text, doc_date=doc_date)
    assert [(f[0], f[1], f[2]) for f in found] == [expected]
    assert found[0][4] is True  # marked relative


@pytest.mark.parametrize(
    "text",
    [
        "inflation expectations for the next year dropped",  # a span of twelve months
        "today's economy",  # nowadays
        "今天的中國",
        "每年6月申報",  # recurring
        "應於3月31日前申報",  # a recurring deadline
        "three months",
        "may 2",
    ],
)
def test_not_relative_dates(text: str) -> None:
    assert dates(text, doc_date="2025-07-21") == []


def test_an_roc_date_in_chinese_numerals_is_absolute() -> None:
    # Its month is not "this year's December": the grammar reads the whole date.
    assert dates("民國一百零五年十二月六日修正", doc_date="2025-07-21") == [
        ("民國一百零五年十二月六日", "2016-12-06", "day", False, False)
    ]


def test_a_relative_date_without_a_document_date_is_no_claim() -> None:
    assert dates("今年投資大增，上個月出口下滑。In June, sales rose.") == []


def claims(text: str, lang: str = "zh-Hant", date: str | None = "2025-09-01") -> list[DateClaim]:
    doc = Document(doc_id="d", path="d.txt", sha256="0", date=date, lang=lang)
    source = Source(doc=doc, text=text)
    found = extract_claims(source, segment(source))
    for claim in found:  # provenance: spans quote the original exactly
        if isinstance(claim, DateClaim) and claim.event is not None:
            assert text[claim.event.start : claim.event.end] == claim.event.text
    return [c for c in found if isinstance(c, DateClaim)]


def roles(text: str, lang: str = "zh-Hant") -> dict[str, str]:
    return {c.value: c.role for c in claims(text, lang)}


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # a statistic's comparison point
        ("Auto output rose 35.5% — the biggest increase since 2020.", "en", {"2020": "comparison"}),
        ("Prices are at their lowest level since March 2019.", "en", {"2019-03": "comparison"}),
        ("Exports rose 8% compared with 5% in 2019.", "en", {"2019": "comparison"}),
        (
            "Emissions fell 40% relative to a fiscal year 2008 baseline.",
            "en",
            {"2008": "comparison"},
        ),
        ("Spending fell back to its fiscal year 2019 levels.", "en", {"2019": "comparison"}),
        ("出口比去年同期增加了百分之十五。", "zh-Hant", {"2024": "comparison"}),
        ("失业率创2010年以来新高。", "zh-Hans", {"2010": "comparison"}),
        ("與2019年相比，產值成長兩成。", "zh-Hant", {"2019": "comparison"}),
        (
            "2018 年的 60% 的工作在 1940 年根本不存在。",
            "zh-Hant",
            {"2018": "event", "1940": "comparison"},
        ),
        ("所以如果你回到 1940 年，會看到什麼？", "zh-Hant", {"1940": "reference"}),
        # bounds of a span
        ("從 1980 年到 2015 年之間，工作消失了。", "zh-Hant", {"1980": "period", "2015": "period"}),
        ("From 2016 to 2017, output doubled.", "en", {"2016": "period"}),
        ("4月至今已有6例。", "zh-Hant", {"2025-04": "period"}),
        # dates that name or cite
        ("See https://example.com/2025/07/16/report for details.", "en", {}),
        ("【綜合報導，Foreign Affairs，2025年6月10日】", "zh-Hant", {"2025-06-10": "reference"}),
        ("依《2020年度施政計畫》辦理。", "zh-Hant", {"2020": "reference"}),
        (
            "as defined in Presidential Policy Directive 21 of February 12, 2013",
            "en",
            {"2013-02-12": "reference"},
        ),
        ("date 2025-11-07 關稅仍充滿不確定性", "zh-Hant", {"2025-11-07": "reference"}),
        # deadlines and dates in force
        ("政府計畫在 2030 年前新增 20 GW 的離岸風電。", "zh-Hant", {"2030": "deadline"}),
        ("Agencies shall install meters by fiscal year 2018.", "en", {"2018": "deadline"}),
        ("本法自2024年12月1日起施行。", "zh-Hans", {"2024-12-01": "effective"}),
        ("This order is effective on January 1, 2026.", "en", {"2026-01-01": "effective"}),
        ("The rule takes effect on March 1, 2026.", "en", {"2026-03-01": "effective"}),
        # events
        ("國務院於2024年3月發布了新的補貼政策。", "zh-Hant", {"2024-03": "event"}),
        (
            "On April 2, 2025, President Trump announced reciprocal tariffs.",
            "en",
            {"2025-04-02": "event"},
        ),
        ("Since 2021, the agency has treated AI as a national priority.", "en", {"2021": "event"}),
    ],
)
def test_a_date_has_a_role(text: str, lang: str, expected: dict[str, str]) -> None:
    assert roles(text, lang) == expected


def test_a_copyright_year_is_a_reference() -> None:
    # Read on a bare line: segmenting drops a copyright footer as boilerplate.
    text = fold("中華科技研究院版權所有 2020年", lower=False).text
    (found,) = extract_dates(text, Context())
    assert date_role(text, found, [found]) == "reference"


@pytest.mark.parametrize(
    ("text", "lang", "date", "verb", "actor", "lever"),
    [
        (
            "川普總統於2025年1月23日簽署行政命令，提高鋼鐵關稅。",
            "zh-Hant",
            "2025-01-23",
            "簽署",
            "Donald Trump",
            None,
        ),
        ("国务院于2024年3月发布了新的补贴政策。", "zh-Hans", "2024-03", "发布", None, "subsidy"),
        (
            "On April 2, 2025, President Trump announced reciprocal tariffs.",
            "en",
            "2025-04-02",
            "announced",
            "Donald Trump",
            "tariff",
        ),
    ],
)
def test_a_date_is_tied_to_the_event_it_dates(
    text: str, lang: str, date: str, verb: str, actor: str | None, lever: str | None
) -> None:
    (found,) = [c for c in claims(text, lang) if isinstance(c, DateClaim) and c.value == date]
    assert found.event is not None
    assert found.event.verb == verb
    assert actor is None or actor in found.event.actors
    assert found.event.lever == lever


def test_a_bare_date_dates_no_event() -> None:
    (found,) = [c for c in claims("日期：2025年1月23日") if isinstance(c, DateClaim)]
    assert found.event is None


def test_a_date_alone_in_its_clause_dates_the_next_event_not_another_dates() -> None:
    text = "2025年7月23日，白宮根據總統於2025年1月23日簽署的命令，正式公布行動計畫。"
    by_value = {c.value: c for c in claims(text) if isinstance(c, DateClaim)}
    assert by_value["2025-07-23"].event is not None
    assert by_value["2025-07-23"].event.verb == "公布"
    assert by_value["2025-01-23"].event is not None
    assert by_value["2025-01-23"].event.verb == "簽署"


def test_an_adverbial_date_clause_dates_the_clause_after_it() -> None:
    (found,) = claims("美國自2021年拜登政府時期開始，就將AI視為國家戰略，強調創新。")
    assert found.event is not None and found.event.text.endswith("國家戰略")


def test_a_date_alone_dates_the_next_clause_even_without_an_event_verb() -> None:
    (found,) = claims("於2024 年，中國新增 280 GW太陽能發電量，超過美國。")
    assert found.event is not None and found.event.text.endswith("太陽能發電量")
    (found,) = claims(
        "Today, GDP growth came in above expectations, and yesterday,\nconsumer confidence rose.",
        "en",
    )[1:]
    assert found.event is not None and found.event.text.endswith("consumer confidence rose")


def test_markup_breaks_no_clause() -> None:
    text = (
        '<span style="letter-spacing: 0.2px">In June, </span><a\n href="https://x.com/a">'
        "consumer spending</a> beat expectations.</span>"
    )
    (found,) = claims(text, "en", "2025-07-21")
    assert found.event is not None and found.event.text.endswith("beat expectations")
    assert found.value == "2025-06" and found.relative and found.resolved_from == "2025-07-21"
