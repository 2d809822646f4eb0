from pathlib import Path

import pytest

from reindustry_kb.index.local.lexical import LexicalIndex, PostingsBuilder
from reindustry_kb.text.tokenize import tokenize

DOCS = [
    "美國今年的關稅收入達到三千億美元。",
    "中国新增太阳能装机容量二百八十吉瓦。",
    "Customs duties and tariffs brought in record revenue.",
    "政府決定直接入股英特爾。",
]


def test_bm25_ranks_the_matching_passage_first() -> None:
    index = LexicalIndex.build([tokenize(d) for d in DOCS])
    for query, expected in [("关税收入", 0), ("太陽能", 1), ("tariff revenue", 2), ("英特爾", 3)]:
        scores = index.scores(tokenize(query))
        assert max(scores, key=scores.__getitem__) == expected


def test_saved_index_segments_queries_with_its_own_vocabulary(tmp_path: Path) -> None:
    index = LexicalIndex.build([tokenize(d) for d in DOCS])
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert (loaded.n, loaded.avgdl) == (index.n, index.avgdl)
    for query in ("美国关税收入", "政府入股英特爾", "tariff revenue"):
        assert loaded.scores(loaded.query_terms(query)) == index.scores(tokenize(query))


def test_postings_gathered_a_document_at_a_time_equal_one_build() -> None:
    tokens = [tokenize(d) for d in DOCS * 3]
    whole = LexicalIndex.build(tokens)
    builder = PostingsBuilder()
    for start in (0, 1, 5, 9):  # uneven runs, as documents come
        builder.add(tokens[start : {0: 1, 1: 5, 5: 9, 9: 12}[start]])
    parts = builder.build()
    assert (parts.n, parts.avgdl) == (whole.n, whole.avgdl)
    for query in ("关税收入", "tariff revenue", "英特爾 太陽能"):
        assert parts.scores(tokenize(query)) == whole.scores(tokenize(query))


def test_spilled_postings_grouped_in_parts_equal_one_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = [tokenize(d) for d in DOCS * 5]
    groups = ["zh" if i % 3 else "en" for i in range(len(tokens))]
    whole = LexicalIndex.build(tokens, groups)
    # A few postings a part and a few records a read: many parts, each from many reads.
    monkeypatch.setattr(PostingsBuilder, "PART", 7)
    monkeypatch.setattr(PostingsBuilder, "CHUNK", 5)
    builder = PostingsBuilder(tmp_path)
    for start in range(0, len(tokens), 4):
        builder.add(tokens[start : start + 4], groups[start : start + 4])
    spilled = builder.build()
    assert not list(tmp_path.glob(".postings.spill"))
    assert (spilled.n, spilled.avgdl, spilled.groups) == (whole.n, whole.avgdl, whole.groups)
    for query in ("关税收入", "tariff revenue", "英特爾 太陽能"):
        assert spilled.scores(tokenize(query)) == whole.scores(tokenize(query))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    spilled.save(tmp_path / "a")
    whole.save(tmp_path / "b")
    for name in ("posting_rows.npy", "posting_impacts.npy", "vocab.txt", "lexical.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_scores_equal_the_textbook_formula_for_rare_and_common_terms() -> None:
    import math
    import random

    rng = random.Random(3)
    words = ["tariff", "chip", "subsidy", "grid", "export", "quota"]
    passages = [[rng.choice(words) for _ in range(rng.randint(3, 12))] for _ in range(400)]
    passages[17] += ["zirconium"]  # one rare term: scored from its few postings
    index = LexicalIndex.build(passages)
    avgdl = sum(map(len, passages)) / len(passages)
    for query in (["zirconium"], ["zirconium", "tariff"], ["chip", "grid", "quota"]):
        expected: dict[int, float] = {}
        for row, tokens in enumerate(passages):
            for term in set(query) & set(tokens):
                df = sum(term in p for p in passages)
                idf = math.log(1 + (len(passages) - df + 0.5) / (df + 0.5))
                tf = tokens.count(term)
                norm = 1.2 * (1 - 0.75 + 0.75 * len(tokens) / avgdl)
                expected[row] = expected.get(row, 0.0) + idf * tf * 2.2 / (tf + norm)
        found = index.scores(query)
        assert found.keys() == expected.keys()
        # Impacts are stored in float32: equal to its precision.
        assert all(abs(found[row] - expected[row]) < 1e-6 * expected[row] for row in expected)


def test_the_head_of_common_terms_holds_the_best_rows_and_the_included_ones() -> None:
    import random

    rng = random.Random(5)
    words = ["tariff", "chip", "subsidy", "grid"]
    passages = [[rng.choice(words) for _ in range(rng.randint(3, 12))] for _ in range(300)]
    index = LexicalIndex.build(passages)
    query = [("tariff", 1.0), ("chip", 0.6)]
    full = index.weighted_scores(query)
    assert len(full) > 300 // 8  # the common-terms path
    head = index.weighted_scores(query, limit=10, include=[0, 1, 2])
    best = sorted(full.values(), reverse=True)[:10]
    assert sorted(head.values(), reverse=True)[:10] == best
    assert {r for r in (0, 1, 2) if r in full} <= head.keys()
    assert all(head[row] == full[row] for row in head)
