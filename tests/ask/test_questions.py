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


def test_a_hit_shows_clean_text_with_its_answer_and_cites_the_source(
    fake_settings: Settings,
) -> None:
    import shutil

    from tests.conftest import DATA

    shutil.copy(DATA / "web" / "steel_archive.md", fake_settings.seeds_dir)
    build_index(fake_settings)
    question = "When does the 25 percent duty on steel articles from Canada take effect?"
    top = ask(Session.open(fake_settings), question, 3).hits[0]
    source = (fake_settings.seeds_dir / "steel_archive.md").read_text(encoding="utf-8")
    assert top.doc_id == "steel_archive" and source[top.char_start : top.char_end] == top.text
    first = source.count("\n", 0, top.char_start) + 1
    assert (top.line_start, top.line_end) == (first, first + top.text.count("\n"))
    assert "<span" in top.text and top.clean_text is not None  # exact slice, clean beside it
    for noise in ("<span", "<!--", "web.archive.org", "**", "|", "&amp;", "&nbsp;"):
        assert noise not in top.clean_text
    assert top.clean_answer_start is not None and top.clean_answer_end is not None
    answer = top.clean_text[top.clean_answer_start : top.clean_answer_end]
    source_answer = top.text[top.answer_start - top.char_start : top.answer_end - top.char_start]
    assert "takes effect on March&nbsp;12, 2025" in source_answer
    assert "The duty takes effect on March 12, 2025" in answer
    assert "Adjusting Imports" not in answer and answer != top.clean_text


def test_a_copy_of_a_file_is_no_hit_of_its_own(fake_settings: Settings) -> None:
    import shutil

    without = ask(Session.open(_built(fake_settings)), "關稅收入", 5)
    original = next(fake_settings.seeds_dir.glob(without.hits[0].doc_id + ".*"))
    shutil.copy(original, fake_settings.seeds_dir / f"copy of {original.name}")
    result = ask(Session.open(_built(fake_settings)), "關稅收入", 5)
    # The same passages in the same order, each of the copied file's once, under one of the
    # two names (the first in library order) and naming the other.
    plain = [hit.citation.removeprefix("copy of ") for hit in result.hits]
    assert plain == [hit.citation for hit in without.hits]
    copied = [hit for hit in result.hits if hit.doc_id.endswith(without.hits[0].doc_id)]
    assert copied and all(
        {hit.citation, *hit.copies} == {f"copy of {name}", name}
        for hit in copied
        for name in [hit.citation.removeprefix("copy of ")]
    )
    assert all(hit.copies == [] for hit in result.hits if hit not in copied)
    # A passage that only reads like another document's is no copy.
    (fake_settings.seeds_dir / "twin.txt").write_text(without.hits[0].text + "\n", "utf-8")
    twin = ask(Session.open(_built(fake_settings)), without.hits[0].text, 5)
    found = [hit.doc_id for hit in twin.hits]
    assert "twin" in found and any(d.endswith(without.hits[0].doc_id) for d in found)


def _built(settings: Settings) -> Settings:
    build_index(settings)
    return settings
