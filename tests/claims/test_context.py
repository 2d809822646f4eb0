"""What statistics measure, in zh-Hant, zh-Hans and English, through the whole extraction
(fold, extract, describe, map back), with the negatives (what dates date: test_temporal.py)."""

import pytest

from reindustry_kb.claims.extract import extract_claims
from reindustry_kb.ingest.segment import segment
from reindustry_kb.ingest.sources import Source
from reindustry_kb.models import DateClaim, Document, StatisticClaim


def claims(text: str, lang: str = "zh-Hant") -> list[StatisticClaim | DateClaim]:
    doc = Document(doc_id="d", path="d.txt", sha256="0", date="2025-09-01", lang=lang)
    source = Source(doc=doc, text=text)
    found = extract_claims(source, segment(source))
    for claim in found:  # provenance: spans quote the original exactly
        if isinstance(claim, StatisticClaim) and claim.measure is not None:
            assert text[claim.measure_start : claim.measure_end] == claim.measure
        if isinstance(claim, DateClaim) and claim.event is not None:
            assert text[claim.event.start : claim.event.end] == claim.event.text
    return [c for c in found if isinstance(c, StatisticClaim | DateClaim)]


def statistic(text: str, lang: str = "zh-Hant") -> StatisticClaim:
    (found,) = [c for c in claims(text, lang) if isinstance(c, StatisticClaim)]
    return found


@pytest.mark.parametrize(
    ("text", "lang", "key_phrase", "scope", "period"),
    [
        # zh-Hant
        ("美國今年有望為國庫帶來 3000 億美元。", "zh-Hant", "國庫", "United States", "2025"),
        ("全球鋰電池產能有75% 在中國。", "zh-Hant", "鋰電池產能", "global", None),
        ("這將導致 350 萬個工作的消失。", "zh-Hant", "工作的消失", None, None),
        (
            "美國企業的AI相關債券發債規模已超過2千億美元。",
            "zh-Hant",
            "發債規模",
            "United States",
            None,
        ),
        ("台灣半導體產值在 10 年內將成長 30%。", "zh-Hant", "半導體產值", "Taiwan", "10 年內"),
        (
            "我們看到重工業領域有超過一兆美元的投資。",
            "zh-Hant",
            "重工業領域有超過一兆美元的投資",
            None,
            None,
        ),
        ("2018 年的 60% 的工作在 1940 年根本不存在。", "zh-Hant", "工作", None, "2018"),
        # zh-Hans
        ("2024年中国新增太阳能装机容量280吉瓦。", "zh-Hans", "装机容量", "China", "2024"),
        ("去年中国新增 280 GW 太阳能发电量。", "zh-Hans", "太阳能发电量", "China", "2024"),
        ("都参与百亿至千亿美元规模的基础建设投资。", "zh-Hans", "基础建设投资", None, None),
        ("欧盟对电动车加征的关税税率为 35%。", "zh-Hans", "关税税率", None, None),
        ("这项计划将投入 500 亿元人民币的研发经费。", "zh-Hans", "研发经费", None, None),
        # English
        ("Tariffs brought in $300 billion in revenue last year.", "en", "revenue", None, "2024"),
        (
            "Customs revenue reached $30 billion in July 2025.",
            "en",
            "Customs revenue",
            None,
            "2025-07",
        ),
        (
            "China holds 75% of global lithium-battery capacity.",
            "en",
            "lithium-battery capacity",
            "global",
            None,
        ),
        (
            "The plan imposes a 25% tariff on steel from Japan.",
            "en",
            "tariff on steel",
            "Japan",
            None,
        ),
        (
            "The program created 19 million jobs over the next decade.",
            "en",
            "jobs",
            None,
            "over the next decade",
        ),
    ],
)
def test_a_statistic_knows_what_it_measures(
    text: str, lang: str, key_phrase: str, scope: str | None, period: str | None
) -> None:
    found = statistic(text, lang)
    assert found.measure is not None and key_phrase in found.measure
    assert found.measure_key  # folded tokens, for matching across scripts
    assert (found.scope, found.period) == (scope, period)


def test_a_clause_that_leaves_its_subject_out_takes_the_one_before() -> None:
    found = [
        c
        for c in claims("經濟增長今年達到了 3.3%，根據部長的說法，明年可能達到 4%。")
        if isinstance(c, StatisticClaim)
    ]
    assert [(c.text, c.measure, c.period) for c in found] == [
        ("3.3%", "經濟增長", "2025"),
        ("4%", "經濟增長", "2026"),
    ]
    # Never from another sentence.
    (second,) = [c for c in claims("經濟增長達到了 3.3%。明年可能達到 4%。") if c.text == "4%"]
    assert isinstance(second, StatisticClaim) and second.measure is None


def test_the_measure_key_is_the_same_in_both_scripts() -> None:
    hant = statistic("全球鋰電池產能有75% 在中國。")
    hans = statistic("全球锂电池产能有75% 在中国。", "zh-Hans")
    assert hant.measure_key == hans.measure_key


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("快到 12 個了。", "zh-Hant"),  # what is counted was named elsewhere
        ("他們說大約 4%。", "zh-Hant"),  # no noun before or after the figure
        ("它们都参与其中，约 5%。", "zh-Hans"),
        ("It rose 5% last year.", "en"),
    ],
)
def test_a_figure_with_nothing_nameable_gets_no_measure(text: str, lang: str) -> None:
    assert statistic(text, lang).measure is None


def test_a_measure_never_reaches_into_another_sentence_or_figure() -> None:
    text = "關稅收入創下新高。增長區間從 1% 到 3% 轉變為 4%。"
    figures = [found for found in claims(text) if isinstance(found, StatisticClaim)]
    measures = {found.text: found.measure for found in figures}
    # The range's measure stays in its own sentence; the 4% after it takes none of it.
    assert measures == {"1% 到 3%": "增長區間從", "4%": None}


@pytest.mark.parametrize(
    ("text", "lang", "figure", "measure", "scope", "period"),
    [
        # A clause opening with a verb of share has its subject in the clause before.
        (
            "產業用地所占面積，不得低於全區土地總面積百分之六十。",
            "zh-Hant",
            "百分之六十",
            "產業用地所占面積，不得低於全區土地總面積",
            None,
            None,
        ),
        # A clause holding one has a subject and a base, longer than the nearest noun phrase.
        (
            "向中小企业预留的采购份额应当占本部门年度政府采购项目预算总额的百分之三十以上。",
            "zh-Hans",
            "百分之三十",
            "向中小企业预留的采购份额应当占本部门年度政府采购项目预算总额",
            None,
            None,
        ),
        # A relative clause: its subject ends the clause before.
        (
            "Imports grew, and the trade deficit in goods, which soared to $1.2 trillion in 2024, "
            "kept growing.",
            "en",
            "$1.2 trillion",
            "trade deficit in goods",
            None,
            "2024",
        ),
        # Two figures joined by a conjunction share one measure; a year between them is the
        # first one's.
        (
            "The deficit with China rose from $83.8 billion in 2000 to $295.4 billion in 2024.",
            "en",
            "$295.4 billion",
            "deficit with China",
            "China",
            "2024",
        ),
        (
            "Capacity utilization fell to 77.3% and 75.3%.",
            "en",
            "75.3%",
            "Capacity utilization",
            None,
            None,
        ),
        # A period between a subject and its verb; dotted initials end no sentence.
        (
            "U.S. tariff revenue for fiscal year 2025 totaled $195 billion.",
            "en",
            "$195 billion",
            "tariff revenue",
            "United States",
            "2025",
        ),
        (
            "Tariff revenue in fiscal year 2025 came to $215 billion.",
            "en",
            "$215 billion",
            "Tariff revenue",
            None,
            "2025",
        ),
        # A year after `for`: the period (not a count: tests/text/test_dates.py).
        (
            "Lawmakers cut chip subsidies to US$2.9 billion for 2026.",
            "en",
            "US$2.9 billion",
            "chip subsidies",
            None,
            "2026",
        ),
        # A fiscal year no date claim holds.
        (
            "美國 2025 財政年度的關稅收入達 2,150 億美元。",
            "zh-Hant",
            "2,150 億美元",
            "美國 2025 財政年度的關稅收入",
            "United States",
            "2025",
        ),
        # A change to a level: the figure is the object's new level.
        (
            "Lawmakers cut chip subsidies to US$2.9 billion, a review found.",
            "en",
            "US$2.9 billion",
            "chip subsidies",
            None,
            None,
        ),
        (
            "The council capped rent increases at 3 percent.",
            "en",
            "3 percent",
            "rent increases",
            None,
            None,
        ),
        # The place before the figure is its scope, not one after a contrast.
        (
            "Japan's average tariff was 8% while the U.S. average applied tariff was 3.3%.",
            "en",
            "8%",
            "Japan's average tariff",
            "Japan",
            None,
        ),
    ],
)
def test_a_measure_and_its_scope_and_period_across_clauses(
    text: str, lang: str, figure: str, measure: str, scope: str | None, period: str | None
) -> None:
    (found,) = [c for c in claims(text, lang) if isinstance(c, StatisticClaim) and c.text == figure]
    assert (found.measure, found.scope, found.period) == (measure, scope, period)


def test_a_past_participle_after_a_figure_is_not_what_it_counts() -> None:
    assert (
        statistic("Japan will invest $550 billion directed by the government.", "en").measure
        is None
    )


def test_the_same_year_is_the_year_of_the_date_before() -> None:
    text = "2024 年中國新增太陽能裝機容量 277 GW。\n\n同年美國新增太陽能裝機容量約 50 GW。"
    periods = {c.text: c.period for c in claims(text) if isinstance(c, StatisticClaim)}
    assert periods == {"277 GW": "2024", "約 50 GW": "2024"}
    # Nothing dated before it: no period.
    assert statistic("同年美國新增太陽能裝機容量約 50 GW。").period is None
    english = "Exports rose in 2023. The same year, imports fell by $20 billion."
    assert statistic(english.split(". ")[1], "en").period is None
    (imports,) = [c for c in claims(english, "en") if isinstance(c, StatisticClaim)]
    assert imports.period == "2023"


def test_a_short_opening_clause_dates_the_sentence() -> None:
    assert statistic("於 2024 年，中國新增 280 GW 太陽能發電量。").period == "2024"
    assert statistic("In 2024, China added 230 GW of solar capacity.", "en").period == "2024"
    # A long opening clause is a sentence of its own: it dates nothing after it.
    long = "根據國際能源總署在 2024 年發布的一份長篇年度統計報告與多國官方資料，中國新增 280 GW。"
    assert statistic(long).period is None


def test_a_change_made_by_a_figure_is_measured_with_its_verb() -> None:
    found = statistic("Taiwan raised its minimum wage by 3.2% in 2025.", "en")
    assert (found.measure, found.period) == ("raised its minimum wage", "2025")
    # A level is not a change: the tariff's rate keeps its own measure.
    assert statistic("A tariff of 25% applies to steel.", "en").measure != found.measure


_TABLES = """Budget

| Item | 2025 | FY2026 |
|---|---|---|
| Chip subsidies | US$3.2 billion | US$4.1 billion |

| Year | Tariff revenue | Chip exports |
|---|---|---|
| 2024 | $77 billion | $120 billion |

| Item | Budget | Spent |
|---|---|---|
| Chips | $3 billion | $2 billion |

| 項目 | 金額 |
|---|---|
| 半導體補助 | 新臺幣 120億元 |

| 排名 | 品牌 | 銷量（萬輛） | 市佔率 |
|---|---|---|---|
| 1 | 比亞迪 | 427.2 | 41.9% |

| Program | 2025 | 2026 |

|---|---|---|

| Training grants | NT$1.2 billion | NT$1.5 billion |

<table>
<tr><th>年度</th><th>預算</th></tr>
  <tr><td>2026</td><td>新臺幣 500億元</td></tr>
</table>
"""


@pytest.mark.parametrize(
    ("figure", "measure", "period"),
    [
        ("US$3.2 billion", "Chip subsidies", "2025"),  # under a year's column: the row's label
        ("US$4.1 billion", "Chip subsidies", "2026"),
        ("$77 billion", "Tariff revenue", "2024"),  # in a year's row: the column's heading
        ("$120 billion", "Chip exports", "2024"),
        ("$3 billion", None, None),  # Budget and Spent: the row's label is not the measure
        ("新臺幣 120億元", "半導體補助", None),  # one figure column
        ("41.9%", None, None),  # a ranking: its other cells are no measure
        ("新臺幣 500億元", "預算", "2026"),  # an HTML table, its rows on lines apart
        ("NT$1.5 billion", "Training grants", "2026"),  # rows apart, as a web page's extract
    ],
)
def test_a_figure_in_a_table_is_measured_by_its_row_and_column(
    figure: str, measure: str | None, period: str | None
) -> None:
    (found,) = [
        c for c in claims(_TABLES, "mixed") if isinstance(c, StatisticClaim) and c.text == figure
    ]
    assert (found.measure, found.period) == (measure, period)
