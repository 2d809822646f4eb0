from reindustry_kb.ask.answer import _holds, _term_share
from reindustry_kb.models import Passage


def test_latin_terms_match_whole_words_and_chinese_terms_substrings() -> None:
    assert _holds("the tariff rate rose", "rate")
    assert not _holds("to generate revenue", "rate")
    assert _holds("tariffs rose", "tariff")  # index terms are stems
    assert _holds("美国今年的关税收入", "关税")


def test_term_share_is_the_idf_weighted_part_of_the_question_in_the_window() -> None:
    text = "美國今年有望帶來 3000 億美元。中國新增 280 GW 太陽能。"
    passage = Passage(
        passage_id="d#p001",
        doc_id="d",
        ordinal=1,
        text=text,
        char_start=100,
        char_end=100 + len(text),
        line_start=1,
        line_end=1,
    )
    weights = {"美国": 1.0, "太阳能": 3.0}  # index terms are folded to Simplified
    first = (100, 100 + text.index("中國"))
    second = (100 + text.index("中國"), 100 + len(text))
    assert _term_share(passage, first, weights, 4.0) == 0.25
    assert _term_share(passage, second, weights, 4.0) == 0.75
    assert _term_share(passage, first, {}, 0.0) == 0.0
