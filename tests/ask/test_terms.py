from pathlib import Path

import pytest

from reindustry_kb.ask.query import EXPANSION_WEIGHT, analyse
from reindustry_kb.index.bm25 import idf
from reindustry_kb.index.local.lexical import LexicalIndex
from reindustry_kb.text.tokenize import tokenize
from tests.ask.folders import lexical_terms

DOCS = [
    "美國今年的關稅收入達到三千億美元。",
    "中国新增太阳能装机容量二百八十吉瓦。",
    "Customs duties and tariffs brought in record revenue.",
    "政府決定直接入股英特爾。",
]


def test_coverage_tells_what_bm25_can_see(tmp_path: Path) -> None:
    terms = lexical_terms(tmp_path, DOCS[:2] + DOCS[3:])  # Chinese only
    assert terms.coverage(tokenize("關稅收入")) > 0.9
    assert terms.coverage(tokenize("tariff revenue")) == 0.0
    assert 0.0 < terms.coverage(tokenize("關稅 semiconductor subsidies")) < 0.6
    assert terms.coverage([]) == 0.0


def test_coverage_is_counted_among_a_language_groups_passages(tmp_path: Path) -> None:
    texts = ["關稅收入創新高", "半導體補貼", "tariff revenue hit a record", "chip subsidies"]
    terms = lexical_terms(tmp_path, texts, ["zh", "zh", "en", "en"])
    question = tokenize("tariff revenue")
    assert terms.coverage(question, group="en") == 1.0
    assert terms.coverage(question, group="zh") == 0.0
    # Through an equivalent phrase, BM25 sees part of the question in Chinese too.
    assert 0.0 < terms.coverage(question, [tokenize("關稅")], 0.6, group="zh") < 1.0
    assert terms.coverage(question) == 1.0


def test_equivalents_raise_what_bm25_can_see(tmp_path: Path) -> None:
    terms = lexical_terms(tmp_path, [DOCS[0], DOCS[3], "Customs duties rose sharply."])
    query = analyse("How much tariff revenue did the government collect?", terms)
    plain = terms.coverage(query.terms)
    expanded = terms.coverage(query.terms, query.expansions, EXPANSION_WEIGHT)
    assert plain < expanded < 1.0


def test_terms_hold_the_indexs_frequencies_and_idf(tmp_path: Path) -> None:
    texts = ["關稅收入創新高", "關稅上調", "tariff revenue hit a record", "chip subsidies"]
    terms = lexical_terms(tmp_path, texts, ["zh", "zh", "en", "en"])
    index = LexicalIndex.load(tmp_path)
    assert (terms.n, terms.groups) == (4, index.groups)
    assert dict(zip(terms.groups, terms.stats.group_sizes, strict=True)) == {"en": 2, "zh": 2}
    by_group = dict(zip(terms.groups, terms.by_group("关税") or (), strict=True))
    assert by_group == {"en": 0, "zh": 2}
    assert "关税" in terms and "tariff" in terms
    assert "zyxwv" not in terms and terms.by_group("zyxwv") is None
    for term in ("关税", "tariff", "chip", "zyxwv"):
        assert terms.idf(term) == pytest.approx(index.idf(term))
    assert terms.idf("zyxwv") == pytest.approx(idf(4, 0))
    assert terms.idf("zyxwv") > terms.idf("关税")
    assert terms.query_terms("美國關稅") == index.query_terms("美國關稅")
