import numpy as np
import pytest

from reindustry_kb.pipeline import Session, ask
from reindustry_kb.search import Filters, dense_scores, fuse, passage_scores
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
        (Filters(docs=("briefXen",)), set()),  # _ in an id is a character, not a wildcard
        (Filters(docs=("brief_*",)), {"brief_en"}),
    ],
)
def test_filters(fake_index: Settings, filters: Filters, expected: set[str]) -> None:
    assert _docs(fake_index, filters) == expected


def test_fuse_is_a_convex_combination_of_normalised_scores() -> None:
    dense = {1: 0.9, 2: 0.8, 3: 0.5}
    lexical = {3: 12.0, 4: 6.0}
    assert [s.row for s in fuse(dense, lexical, 0.0)][:3] == [1, 2, 3]
    assert [s.row for s in fuse(dense, lexical, 1.0)][:2] == [3, 4]
    mixed = {s.row: s.score for s in fuse(dense, lexical, 0.5)}
    assert mixed[1] == pytest.approx(0.5)  # top dense, absent from BM25
    assert mixed[3] == pytest.approx(0.5)  # bottom dense, top BM25
    assert mixed[4] == pytest.approx(0.25)


def test_passage_scores_are_centred_on_each_language(fake_index: Settings) -> None:
    session = Session.open(fake_index)
    reader = session.reader
    vectors = np.vstack([reader.vectors.reconstruct(i) for i in range(reader.vectors.ntotal)])
    query = session.embedder.embed_query("tariff revenue 關稅")
    groups = reader.groups
    assert sorted(groups.names) == ["en", "zh"]
    scores = passage_scores(reader, query.reshape(1, -1), None)
    assert set(scores) == set(range(len(vectors)))
    for row, score in scores.items():
        centroid = groups.centroids[groups.row_group[row]]
        assert score == pytest.approx(float(vectors[row] @ query - centroid @ query), abs=1e-5)
    for number in range(len(groups.names)):
        members = vectors[groups.rows(number)]
        assert np.allclose(groups.centroids[number], members.mean(axis=0), atol=1e-6)


def test_dense_score_is_the_mean_of_passage_and_best_window(fake_index: Settings) -> None:
    session = Session.open(fake_index)
    reader = session.reader
    question = "offshore wind 離岸風電"
    query = session.embedder.embed_query(question)
    windows = reader.windows
    assert len(windows["vectors"]) >= reader.vectors.ntotal  # at least one window a passage
    window = windows["vectors"] @ query - windows["centroids"][windows["group"]] @ query
    own = passage_scores(reader, query.reshape(1, -1), None)
    for row, score in dense_scores(reader, session.embedder, question, None).items():
        best = max(window[windows["passage_row"] == row])
        assert score == pytest.approx((own[row] + best) / 2, abs=1e-5)


def test_lexical_weight_follows_coverage(fake_index: Settings) -> None:
    # A question in the documents' own words puts the exact passage first.
    hits = ask(fake_index, "八個國家級數據中心集群", 3).hits
    assert "数据中心集群" in hits[0].text
