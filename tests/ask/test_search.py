import math
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace

import pytest

from reindustry_kb.ask import search, second_stage
from reindustry_kb.ask.query import analyse
from reindustry_kb.ask.questions import ask
from reindustry_kb.ask.search import dense_scores, fuse
from reindustry_kb.ask.second_stage import Scored
from reindustry_kb.ask.session import Session
from reindustry_kb.models import NO_FILTERS
from reindustry_kb.settings import Settings
from tests.ask.folders import lexical_terms


def _key(number: int) -> str:
    return f"d#p{number:03d}"


def test_fuse_is_a_convex_combination_of_normalised_scores() -> None:
    one, two, three, four = map(_key, (1, 2, 3, 4))
    dense = {one: 0.9, two: 0.8, three: 0.5}
    lexical = {three: 12.0, four: 6.0}
    assert [s.key for s in fuse(dense, lexical, 0.0)][:3] == [one, two, three]
    assert [s.key for s in fuse(dense, lexical, 1.0)][:2] == [three, four]
    mixed = {s.key: s.score for s in fuse(dense, lexical, 0.5)}
    assert mixed[one] == pytest.approx(0.5)  # top dense, absent from BM25
    assert mixed[three] == pytest.approx(0.5)  # bottom dense, top BM25
    assert mixed[four] == pytest.approx(0.25)


def test_fuse_breaks_ties_in_library_order() -> None:
    # By document, then by the passage's number in it (p10 after p9), whatever the dicts' order.
    keys = ["b#p1", "a#p10", "a#p9", "a#p2"]
    tied = fuse(dict.fromkeys(keys, 0.5), {}, 0.0)
    assert [s.key for s in tied] == ["a#p2", "a#p9", "a#p10", "b#p1"]
    assert [s.key for s in fuse(dict.fromkeys(keys, 0.5), {}, 0.0, limit=2)] == ["a#p2", "a#p9"]


def test_lexical_weight_follows_coverage(
    fake_index: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    weights: list[dict[int, float]] = []

    def spy(
        dense: dict[str, float],
        lexical: dict[str, float],
        weight: dict[int, float],
        groups: dict[str, int],
        limit: int | None = None,
    ) -> list[Scored]:
        weights.append(weight)
        return fuse(dense, lexical, weight, groups, limit)

    monkeypatch.setattr(search, "fuse", spy)
    session = Session.open(fake_index)
    zh = session.dense.groups.index("zh")
    # In the documents' own words BM25 sees every term; in words the index never saw, none.
    hits = ask(session, "八個國家級數據中心集群", 3).hits
    ask(session, "zyxwv qwertz", 3)
    assert weights[0][zh] > 0.4 and set(weights[1].values()) == {0.0}
    assert max(weights[0].values()) <= search.LEXICAL_WEIGHT
    assert "数据中心集群" in hits[0].text  # and the exact passage comes first
    # Chinese words are seen in the Chinese passages only: the English ones get no weight.
    assert weights[0][1 - zh] < 0.1


def test_lexical_scores_are_scaled_within_each_language_group() -> None:
    # Passage 1 (English) holds the English question's words; passage 2 (Chinese) the one
    # equivalent the glossary gave. Scaled together, 2's BM25 would count a third of 1's.
    one, two, three, four = map(_key, (1, 2, 3, 4))
    dense = {one: 0.6, two: 0.6, three: 0.2, four: 0.4}
    lexical = {one: 9.0, two: 3.0}
    groups = {one: 0, two: 1, three: 1, four: 1}
    fused = {s.key: s.score for s in fuse(dense, lexical, {0: 0.5, 1: 0.5}, groups)}
    assert fused[one] == pytest.approx(fused[two]) == pytest.approx(1.0)
    assert fused[four] == pytest.approx(0.25)
    # A group whose words the question does not share gets its dense score alone.
    fused = {s.key: s.score for s in fuse(dense, lexical, {0: 0.5, 1: 0.0}, groups)}
    assert fused[four] == pytest.approx(0.5) and fused[three] == 0.0


def test_dense_scores_cover_every_passage_of_a_small_index(fake_index: Settings) -> None:
    session = Session.open(fake_index)
    scores = dense_scores(session, "offshore wind 離岸風電", NO_FILTERS)
    keys = {p.passage_id for p in session.reader.iter_passages()}
    assert set(scores) == keys and len(keys) == session.dense.n


def test_the_document_the_question_names_moves_up(fake_index: Settings) -> None:
    session = Session.open(fake_index)
    passages = {p.passage_id: p for p in session.reader.iter_passages()}
    brief = next(key for key, p in passages.items() if p.doc_id == "brief_en")
    other = next(key for key, p in passages.items() if p.doc_id == "policy_hans")
    documents = session.reader.documents_by_id([passages[brief].doc_id, passages[other].doc_id])
    assert {doc_id: document.title for doc_id, document in documents.items()} == {
        "brief_en": "Tariff Revenue and the Federal Deficit",
        "policy_hans": "国家数据中心建设规划",
    }
    tied = [Scored(key=other, score=0.5, dense=None, lexical=None)]
    tied.append(Scored(key=brief, score=0.5, dense=None, lexical=None))
    named = analyse("What does the federal deficit brief say?", session.terms)
    ranked = search.by_title(session, named, tied, passages)
    assert [s.key for s in ranked] == [brief, other]
    assert 0.5 < ranked[0].score < 0.5 + search.TITLE_WEIGHT  # part of the title is named
    assert ranked[1].score == 0.5
    # Named in the other language, through the glossary: 关税 is tariff.
    chinese = search.by_title(session, analyse("关税收入", session.terms), tied, passages)
    assert chinese[0].key == brief
    unnamed = search.by_title(session, analyse("zzzz", session.terms), tied, passages)
    assert {(s.key, s.score) for s in unnamed} == {(s.key, s.score) for s in tied}


def test_title_share_weighs_terms_by_idf_in_either_language(fake_index: Settings) -> None:
    session = Session.open(fake_index)
    lexical = session.terms
    title = "Tariff Revenue and the Federal Deficit"
    terms = {t for t in lexical.query_terms(title) if t in lexical}
    assert search.title_share(lexical, title, terms) == pytest.approx(1.0)
    part = search.title_share(lexical, title, {"tariff", "revenue"})
    assert 0.0 < part < 1.0
    assert search.title_share(lexical, title, set()) == 0.0
    assert search.title_share(lexical, "", terms) == 0.0
    # Named through the glossary (关税 is tariff, 收入 revenue), the title is named as much as
    # in its own words.
    chinese = {t for t, _ in analyse("关税收入", lexical).weighted_terms()}
    assert search.title_share(lexical, title, chinese) == pytest.approx(part)


def test_a_chinese_question_names_an_english_title_by_the_written_vocabulary(
    tmp_path: Path,
) -> None:
    title = "Ocean Policy To Advance the Economic Interests"
    terms = lexical_terms(tmp_path, [title, "美國海洋政策"])
    analysed = analyse("美国海洋政策行政命令", terms)
    asked = {term for term, _ in analysed.weighted_terms()}
    assert "ocean" not in asked  # no query term: backwards, Chinese questions lost
    named = search.titled_in_english(SimpleNamespace(terms=terms), analysed)  # type: ignore[arg-type]
    assert "ocean" in named
    assert search.title_share(terms, title, asked | named) > search.title_share(terms, title, asked)


class PrefersOne:
    """A reranker sure of one passage (logit 3) and against the rest (-3)."""

    name = "prefers-one"

    def __init__(self, ending: str) -> None:
        self.ending = ending
        self.calls: list[tuple[str, list[str]]] = []

    def score(self, question: str, texts: Sequence[str]) -> list[float]:
        self.calls.append((question, list(texts)))
        return [3.0 if text.endswith(self.ending) else -3.0 for text in texts]


def test_a_reranker_scores_the_best_candidates_last(fake_index: Settings) -> None:
    session = Session.open(fake_index)
    plain = ask(session, "tariff revenue", 10)
    assert session.reranker is None and len(plain.hits) >= 3  # every passage of the library
    last = plain.hits[-1]
    reranker = PrefersOne(last.clean_text)
    session.__dict__["reranker"] = reranker  # what --reranker loads, at the first question
    reranked = ask(session, "tariff revenue", 10)
    assert reranked.hits[0].passage_id == last.passage_id  # last before, first now
    sure, against = 1 / (1 + math.exp(-3)), 1 / (1 + math.exp(3))
    assert reranked.hits[0].score == pytest.approx(sure, abs=1e-4)
    assert all(hit.score == pytest.approx(against, abs=1e-4) for hit in reranked.hits[1:])
    # It read every candidate (fewer than second_stage.DEPTH here) once, each after its title.
    ((question, texts),) = reranker.calls
    assert question == "tariff revenue" and len(texts) == len(plain.hits) < second_stage.DEPTH
    shown = {f"{hit.title}\n{hit.clean_text}" for hit in plain.hits}
    assert set(texts) == shown
