import re

import pytest

from reindustry_kb.ask import search
from reindustry_kb.ask.query import analyse
from reindustry_kb.ask.search import Scored, fuse
from reindustry_kb.ask.session import Session, ask
from reindustry_kb.errors import UnknownDocumentError
from reindustry_kb.models import Filters
from reindustry_kb.settings import Settings


def _docs(settings: Settings, filters: Filters, question: str = "關稅") -> set[str]:
    return {hit.doc_id for hit in ask(settings, question, 50, filters).hits}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(), {"brief_en", "interview_hant", "policy_hans"}),
        (Filters(docs=("brief_en",)), {"brief_en"}),
        (Filters(docs=("policy_hans.txt", "interview*")), {"policy_hans", "interview_hant"}),
        (Filters(since="2025-08"), {"brief_en", "interview_hant"}),
        (Filters(since="2025-08-13"), {"brief_en"}),
        (Filters(until="2025-08"), {"interview_hant", "policy_hans"}),
        (Filters(since="2025", until="2025-03"), {"policy_hans"}),
        (Filters(lang="en"), {"brief_en"}),
        (Filters(lang="zh"), {"interview_hant", "policy_hans"}),
        (Filters(lang="zh-Hans"), {"policy_hans"}),
        (Filters(since="2030"), set()),
        (Filters(docs=("brief_*",)), {"brief_en"}),
    ],
)
def test_filters(fake_index: Settings, filters: Filters, expected: set[str]) -> None:
    assert _docs(fake_index, filters) == expected


@pytest.mark.parametrize("doc", ["briefXen", "nosuchdoc", "nosuch*"])
def test_a_doc_filter_that_names_no_document_is_an_error(fake_index: Settings, doc: str) -> None:
    # briefXen: _ in an id is a character, not a wildcard.
    with pytest.raises(UnknownDocumentError, match=f"--doc '{re.escape(doc)}' matches no"):
        _docs(fake_index, Filters(docs=(doc,)))


def test_fuse_is_a_convex_combination_of_normalised_scores() -> None:
    dense = {1: 0.9, 2: 0.8, 3: 0.5}
    lexical = {3: 12.0, 4: 6.0}
    assert [s.row for s in fuse(dense, lexical, 0.0)][:3] == [1, 2, 3]
    assert [s.row for s in fuse(dense, lexical, 1.0)][:2] == [3, 4]
    mixed = {s.row: s.score for s in fuse(dense, lexical, 0.5)}
    assert mixed[1] == pytest.approx(0.5)  # top dense, absent from BM25
    assert mixed[3] == pytest.approx(0.5)  # bottom dense, top BM25
    assert mixed[4] == pytest.approx(0.25)


def test_lexical_weight_follows_coverage(
    fake_index: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    weights: list[dict[int, float]] = []

    def spy(
        dense: dict[int, float],
        lexical: dict[int, float],
        weight: dict[int, float],
        groups: dict[int, int],
        limit: int | None = None,
    ) -> list[Scored]:
        weights.append(weight)
        return fuse(dense, lexical, weight, groups, limit)

    monkeypatch.setattr(search, "fuse", spy)
    zh = Session.open(fake_index).reader.dense.groups.index("zh")
    # In the documents' own words BM25 sees every term; in words the index never saw, none.
    hits = ask(fake_index, "八個國家級數據中心集群", 3).hits
    ask(fake_index, "zyxwv qwertz", 3)
    assert weights[0][zh] > 0.4 and set(weights[1].values()) == {0.0}
    assert max(weights[0].values()) <= search.LEXICAL_WEIGHT
    assert "数据中心集群" in hits[0].text  # and the exact passage comes first
    # Chinese words are seen in the Chinese passages only: the English ones get no weight.
    assert weights[0][1 - zh] < 0.1


def test_lexical_scores_are_scaled_within_each_language_group() -> None:
    # Row 1 (English) holds the English question's words; row 2 (Chinese) the one equivalent
    # the glossary gave. Scaled together, row 2's BM25 would count a third of row 1's.
    dense = {1: 0.6, 2: 0.6, 3: 0.2, 4: 0.4}
    lexical = {1: 9.0, 2: 3.0}
    groups = {1: 0, 2: 1, 3: 1, 4: 1}
    fused = {s.row: s.score for s in fuse(dense, lexical, {0: 0.5, 1: 0.5}, groups)}
    assert fused[1] == pytest.approx(fused[2]) == pytest.approx(1.0)
    assert fused[4] == pytest.approx(0.25)
    # A group whose words the question does not share gets its dense score alone.
    fused = {s.row: s.score for s in fuse(dense, lexical, {0: 0.5, 1: 0.0}, groups)}
    assert fused[4] == pytest.approx(0.5) and fused[3] == 0.0


def test_coverage_is_counted_among_a_language_groups_passages() -> None:
    from reindustry_kb.index.local.lexical import LexicalIndex, tokenize

    texts = ["關稅收入創新高", "半導體補貼", "tariff revenue hit a record", "chip subsidies"]
    index = LexicalIndex.build([tokenize(t) for t in texts], ["zh", "zh", "en", "en"])
    question = tokenize("tariff revenue")
    assert index.coverage(question, group="en") == 1.0
    assert index.coverage(question, group="zh") == 0.0
    # Through an equivalent phrase, BM25 sees part of the question in Chinese too.
    assert 0.0 < index.coverage(question, [tokenize("關稅")], 0.6, group="zh") < 1.0
    assert index.coverage(question) == 1.0


def test_the_passage_holding_the_question_in_one_window_moves_up(fake_index: Settings) -> None:
    reader = Session.open(fake_index).reader
    passages = reader.passages()
    english = [row for row, p in passages.items() if p.lang == "en"]
    holder, other = english[0], next(r for r in passages if r != english[0])
    words = [w for w in reader.lexical.query_terms(passages[holder].text) if w.isalpha()][:3]
    analysed = analyse(" ".join(words), reader.lexical)
    tied = [Scored(row=other, score=0.5, dense=None, lexical=None)]
    tied.append(Scored(row=holder, score=0.5, dense=None, lexical=None))
    ranked = search.by_proximity(reader, analysed, tied)
    assert [s.row for s in ranked] == [holder, other]
    assert 0.5 < ranked[0].score <= 0.5 + search.PROXIMITY_WEIGHT
    # A question the index has no word of leaves the order alone.
    assert search.by_proximity(reader, analyse("zzzz", reader.lexical), tied) == tied


def test_the_document_the_question_names_moves_up(fake_index: Settings) -> None:
    reader = Session.open(fake_index).reader
    passages = reader.passages()
    brief = next(row for row, p in passages.items() if p.doc_id == "brief_en")
    other = next(row for row, p in passages.items() if p.doc_id == "policy_hans")
    assert reader.titles([brief, other]) == {
        brief: ("brief_en", "Tariff Revenue and the Federal Deficit"),
        other: ("policy_hans", "国家数据中心建设规划"),
    }
    tied = [Scored(row=other, score=0.5, dense=None, lexical=None)]
    tied.append(Scored(row=brief, score=0.5, dense=None, lexical=None))
    ranked = search.by_title(
        reader, analyse("What does the federal deficit brief say?", reader.lexical), tied
    )
    assert [s.row for s in ranked] == [brief, other]
    assert 0.5 < ranked[0].score < 0.5 + search.TITLE_WEIGHT  # part of the title is named
    assert ranked[1].score == 0.5
    # Named in the other language, through the glossary: 关税 is tariff.
    chinese = search.by_title(reader, analyse("关税收入", reader.lexical), tied)
    assert chinese[0].row == brief
    unnamed = search.by_title(reader, analyse("zzzz", reader.lexical), tied)
    assert {(s.row, s.score) for s in unnamed} == {(s.row, s.score) for s in tied}


def test_title_share_weighs_terms_by_idf_and_by_how_they_are_asked(fake_index: Settings) -> None:
    lexical = Session.open(fake_index).reader.lexical
    title = "Tariff Revenue and the Federal Deficit"
    terms = {t for t in lexical.query_terms(title) if t in lexical}
    assert search.title_share(lexical, title, dict.fromkeys(terms, 1.0)) == pytest.approx(1.0)
    assert search.title_share(lexical, title, dict.fromkeys(terms, 0.6)) == pytest.approx(0.6)
    assert search.title_share(lexical, title, {}) == 0.0
    assert search.title_share(lexical, "", dict.fromkeys(terms, 1.0)) == 0.0
