import json
from pathlib import Path

import pytest

from reindustry_kb.ask.evaluate import Question, evaluate, format_table, is_relevant, load_questions
from reindustry_kb.errors import RkbError


def test_load_jsonl_and_tsv(tmp_path: Path) -> None:
    jsonl = tmp_path / "q.jsonl"
    jsonl.write_text(
        json.dumps({"question": "關稅?", "answers": ["3000"]}, ensure_ascii=False) + "\n\n"
    )
    tsv = tmp_path / "q.tsv"
    tsv.write_text("# comment\ntariff revenue?\t3000|三千\tdoc_a\n", encoding="utf-8")
    assert load_questions(jsonl)[0].answers == ["3000"]
    question = load_questions(tsv)[0]
    assert (question.answers, question.doc) == (["3000", "三千"], "doc_a")


def test_questions_judged_by_document_alone(tmp_path: Path) -> None:
    jsonl = tmp_path / "q.jsonl"
    lines = [{"question": "tariffs?", "doc": "d1"}, {"question": "GDP?", "answer": "2%"}]
    jsonl.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    by_doc, one_answer = load_questions(jsonl)
    assert (by_doc.answers, by_doc.doc) == ([], "d1")
    assert one_answer.answers == ["2%"]
    tsv = tmp_path / "q.tsv"
    tsv.write_text("tariff revenue?\t\tdoc_a\n", encoding="utf-8")
    assert load_questions(tsv)[0].answers == []
    report = evaluate([by_doc], lambda q: [("d2", "tariffs", None), ("d1", "other", None)])
    assert report.overall.recall["@1"] == 0.0 and report.overall.recall["@5"] == 1.0
    assert "cross-language" not in report.by_group  # no answer: the passage language is unknown


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{bad json",
        "only-a-question-no-tab",
        '{"question": "neither a doc nor answers"}',
        '{"question": "  ", "doc": "d1"}',
    ],
)
def test_bad_question_files(tmp_path: Path, content: str) -> None:
    path = tmp_path / ("q.tsv" if "tab" in content else "q.jsonl")
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RkbError) as caught:
        load_questions(path)
    assert "\n" not in str(caught.value)  # one line, not pydantic's report


def test_relevance_needs_the_document_and_an_answer() -> None:
    question = Question(id="1", question="?", answers=["280 GW"], doc="d1")
    assert is_relevant(question, "d1", "新增 280 GW 太陽能")
    assert not is_relevant(question, "d2", "新增 280 GW 太陽能")
    assert not is_relevant(question, "d1", "太陽能")
    assert is_relevant(Question(id="2", question="?", answers=[], doc="d1"), "d1", "anything")


def test_relevance_reads_through_markup() -> None:
    # The answer as a reader is shown it counts, though markup splits it in the source.
    question = Question(id="1", question="?", answers=["Sec. 2", "2024 年一月"], doc="d1")
    assert is_relevant(question, "d1", '<span style="u">Sec</span>. <span>2</span> applies')
    assert is_relevant(question, "d1", "生效日為 **2024** 年一月一日")
    assert not is_relevant(question, "d1", "<b>Sec</b>. 3 applies")


def test_recall_mrr_and_groups() -> None:
    questions = [
        Question(id="a", question="美國關稅", answers=["甲"], lang="zh-Hant"),
        Question(id="b", question="tariff revenue", answers=["關稅 B"], lang="en"),
        Question(id="c", question="nothing", answers=["Z"], lang="en"),
    ]
    ranked = {"美國關稅": ["甲", "x"], "tariff revenue": ["x", "y", "關稅 B"], "nothing": ["x"]}
    report = evaluate(questions, lambda q: [("d", text, None) for text in ranked[q]])
    assert report.overall.recall == {
        "@1": round(1 / 3, 4),
        "@5": round(2 / 3, 4),
        "@10": round(2 / 3, 4),
    }
    assert report.overall.mrr10 == round((1 + 1 / 3) / 3, 4)
    assert report.by_group["cross-language"].n == 1  # English question, Chinese answer
    # ... and which way: English on Chinese found at 3, English on English not at all
    assert report.by_group["en -> zh"].n == 1 and report.by_group["en -> zh"].recall["@5"] == 1.0
    assert report.by_group["en -> en"].recall["@10"] == 0.0
    assert report.by_group["zh -> zh"].recall["@1"] == 1.0
    assert [miss["id"] for miss in report.misses] == ["b", "c"]
    assert report.answer_accuracy is None  # this retriever names no answering sentences


def test_the_table_gives_a_row_to_each_group_and_fits_80_columns() -> None:
    questions = [
        Question(id="a", question="美國關稅", answers=["甲"], lang="zh-Hant"),
        Question(id="b", question="tariff revenue", answers=["關稅 B"], lang="en"),
    ]
    ranked = {"美國關稅": ["甲"], "tariff revenue": ["x", "關稅 B"]}
    report = evaluate(questions, lambda q: [("d", text, None) for text in ranked[q]])
    names = ("dense", "bm25", "rrf", "hybrid")
    table = format_table(dict.fromkeys(names, report))
    assert max(len(line) for line in table.splitlines()) <= 80
    rows = {line.split()[0]: line.split() for line in table.splitlines() if line}
    assert rows["hybrid"][1:] == ["0.500", "1.000", "1.000", "0.750"]
    # a group's R@1/R@5 under each retriever, then its number of questions
    assert rows["en"] == ["en", "->", "zh", *["0.00/1.00"] * 4, "1"]
    assert rows["same-language"][1:] == [*["1.00/1.00"] * 4, "1"]


def test_answer_accuracy_counts_questions_answered_in_the_top_5() -> None:
    questions = [
        Question(id="a", question="q1", answers=["280 GW"]),
        Question(id="b", question="q2", answers=["3000 億"]),
        Question(id="c", question="q3", answers=["none"]),
    ]
    ranked = {
        "q1": [("d", "中國新增 280 GW。另一句。", "中國新增 280 GW。")],
        "q2": [("d", "關稅收入 3000 億。另一句。", "另一句。")],
        "q3": [("d", "nothing here", "nothing here")],
    }
    report = evaluate(questions, lambda q: ranked[q])
    assert report.answer_accuracy == 0.5  # q3 has no answer passage in the top 5


def test_a_hit_counts_for_the_document_of_its_copy() -> None:
    from reindustry_kb.ask.evaluate import copied_documents
    from tests.hits import a_hit

    hit = a_hit(
        "_distractors/repost",
        "甲",
        citation="_distractors/repost:p2:L3-L4",
        copies=["policy:p2:L3-L4", "old/policy (1):p2:L3-L4"],
    )
    assert copied_documents(hit) == ("policy", "old/policy (1)")
    question = Question(id="a", question="q", answers=["甲"], doc="policy")
    found = [("_distractors/repost", "甲", None, copied_documents(hit))]
    assert evaluate([question], lambda q: found).overall.recall["@1"] == 1.0
    assert evaluate([question], lambda q: [found[0][:3]]).overall.recall["@1"] == 0.0


def test_documents_only_sets_answers_aside_and_needs_every_document(tmp_path: Path) -> None:
    from reindustry_kb.ask.evaluate import documents_only

    questions = [Question(id="a", question="?", answers=["x"], doc="d1")]
    assert documents_only(questions, tmp_path)[0].answers == []
    assert questions[0].answers == ["x"]  # the originals are left alone
    with pytest.raises(RkbError, match="1 have none"):
        documents_only([*questions, Question(id="b", question="?", answers=["y"])], tmp_path)


def test_a_question_is_scored_as_rkb_ask_asks_it_stripped(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"question": "  tariff revenue?\\n", "doc": "d1"}\n', encoding="utf-8")
    assert load_questions(path)[0].question == "tariff revenue?"


def test_only_split_keeps_one_part_and_names_the_others(tmp_path: Path) -> None:
    from reindustry_kb.ask.evaluate import only_split

    path = tmp_path / "q.jsonl"
    lines = [
        {"question": "a?", "doc": "d1", "split": "tune"},
        {"question": "b?", "doc": "d2", "split": "heldout"},
        {"question": "c?", "doc": "d3"},  # a file may mix lines with and without the field
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    questions = load_questions(path)
    assert [q.question for q in only_split(questions, "heldout", path)] == ["b?"]
    with pytest.raises(
        RkbError, match=r"no question in split 'test' \(its splits: heldout, tune\)"
    ):
        only_split(questions, "test", path)
    plain = [Question(id="x", question="?", doc="d1")]
    with pytest.raises(RkbError, match='no question has a "split" field'):
        only_split(plain, "heldout", path)


def test_the_dev_set_loads_with_a_split_on_every_question() -> None:
    path = Path(__file__).parents[1] / "data" / "dev_questions.jsonl"
    questions = load_questions(path)
    assert len({q.id for q in questions}) == len(questions) >= 300
    assert {q.split for q in questions} == {"tune", "heldout"}
    by_doc: dict[str | None, set[str | None]] = {}
    for question in questions:
        by_doc.setdefault(question.doc, set()).add(question.split)
    assert all(len(splits) == 1 for splits in by_doc.values())  # a document is on one side


@pytest.mark.parametrize(
    ("questions", "library"),
    [
        ("blind_questions.jsonl", "blind_library.txt"),
        ("blind2_questions.jsonl", "blind2_library.txt"),
    ],
)
def test_a_blind_set_loads_held_out_on_its_own_documents(questions: str, library: str) -> None:
    data = Path(__file__).parents[1] / "data"
    loaded = load_questions(data / questions)
    documents = set((data / library).read_text("utf-8").split())
    assert len({q.id for q in loaded}) == len(loaded) == 60
    assert {q.split for q in loaded} == {"heldout"}
    assert {q.doc for q in loaded} == documents  # five questions on each
    for other in data.glob("*_library.txt"):  # no document of another set or library
        if other.name != library:
            assert not documents & set(other.read_text("utf-8").split()), other.name
