import re

import pytest

from reindustry_kb.ask.questions import ask, clean_question
from reindustry_kb.ask.session import Session
from reindustry_kb.errors import RkbError, UnknownDocumentError
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.models import Filters
from reindustry_kb.settings import Settings


def test_hits_carry_exact_provenance(fake_index: Settings) -> None:
    result = ask(Session.open(fake_index), "關稅收入", 5)
    assert result.query == "關稅收入"
    assert [hit.rank for hit in result.hits] == list(range(1, len(result.hits) + 1))
    scores = [hit.score for hit in result.hits]
    assert scores == sorted(scores, reverse=True)
    for hit in result.hits:
        doc = next(fake_index.seeds_dir.glob(hit.doc_id + ".*"))
        original = doc.read_text(encoding="utf-8")
        assert original[hit.char_start : hit.char_end] == hit.text
        assert hit.citation == f"{hit.doc_id}:L{hit.line_start}-L{hit.line_end}"
        for claim in hit.claims:
            assert hit.char_start <= claim.char_start < claim.char_end <= hit.char_end
            assert original[claim.char_start : claim.char_end] == claim.text
            assert claim.passage_id == hit.passage_id


def test_a_question_is_stripped_and_must_not_be_empty(fake_index: Settings) -> None:
    # The caller cleans a question once (the CLI before it opens the index), then asks.
    assert clean_question("  關稅收入\n") == "關稅收入"
    assert ask(Session.open(fake_index), clean_question(" 關稅收入 "), 1).query == "關稅收入"
    with pytest.raises(RkbError, match="the question is empty"):
        clean_question(" \n")


def test_each_hit_names_the_sentences_that_answer(fake_settings: Settings) -> None:
    sentences = [
        "經濟部宣布明年編列一百二十億元預算補助太陽能設備，協助中小企業轉型。",
        "行政院表示將修正產業創新條例，提供研發投資抵減，鼓勵企業設立先進封裝產線。",
        "勞動部指出將在三年內培訓五萬名半導體與綠能技術人才，並補助在職訓練費用。",
        "交通部計畫興建三條高速鐵路延伸線，預計二〇三〇年完工通車，總經費兩千億元。",
    ]
    (fake_settings.seeds_dir / "plan.txt").write_text("".join(sentences) + "\n", "utf-8")
    build_index(fake_settings)
    result = ask(Session.open(fake_settings), "勞動部培訓多少半導體與綠能技術人才", k=3)
    top = result.hits[0]
    assert top.doc_id == "plan"
    assert top.char_start <= top.answer_start < top.answer_end <= top.char_end
    answer = top.text[top.answer_start - top.char_start : top.answer_end - top.char_start]
    assert sentences[2] in answer and sentences[0] not in answer
    for hit in result.hits:
        assert hit.answer_start is not None and hit.answer_end is not None
        assert hit.char_start <= hit.answer_start < hit.answer_end <= hit.char_end


def _docs(settings: Settings, filters: Filters, question: str = "關稅") -> set[str]:
    return {hit.doc_id for hit in ask(Session.open(settings), question, 50, filters).hits}


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
