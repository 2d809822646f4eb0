import random

import pytest

from reindustry_kb.ask.query import glossary
from reindustry_kb.claims import lexicon as module
from reindustry_kb.claims.lexicon import (
    actor_lexicon,
    actor_names,
    build_lexicon,
    common_noun_terms,
    fold_term,
    home_ministries,
    load_json,
    names_one_of,
    table_lines,
)


@pytest.mark.parametrize("make", [actor_lexicon, glossary])
def test_a_question_is_matched_as_a_document_is(make, monkeypatch: pytest.MonkeyPatch) -> None:
    """A question's text is looked up position by position, a build's by the compiled regex:
    the same leftmost-longest, non-overlapping spans either way."""
    lexicon = make()
    vars(lexicon).pop("han", None)  # the cached lexicon may have compiled in an earlier test
    terms = list(lexicon.han_terms)
    rng = random.Random(7)
    texts = [
        "".join(rng.choice([*terms, "的", "，", "US ", "美國"]) for _ in range(rng.randint(1, 30)))
        for _ in range(200)
    ]
    monkeypatch.setattr(module, "COMPILE_AFTER", 10**9)  # every text read position by position
    scanned = [list(lexicon.find(text)) for text in texts]
    assert "han" not in vars(lexicon)  # nothing compiled
    monkeypatch.setattr(module, "COMPILE_AFTER", 0)  # every text through the regex
    assert [list(lexicon.find(text)) for text in texts] == scanned


def test_a_lexicon_compiles_its_regex_only_after_reading_enough_text() -> None:
    lexicon = build_lexicon({"關稅": "a", "收入": "b"})
    list(lexicon.find("美國今年的关税收入"))
    assert "han" not in vars(lexicon)  # a question: no compile
    list(lexicon.find("关税" * module.COMPILE_AFTER))
    assert "han" in vars(lexicon)  # a build's worth of text: compiled, and used from then on


def test_the_longest_entry_at_the_leftmost_position_wins() -> None:
    lexicon = build_lexicon({"關稅": "a", "關稅收入": "b", "收入": "c", "入境": "d"})
    assert [(start, stop, value) for start, stop, value in lexicon.find("关税收入境")] == [
        (0, 4, "b")
    ]


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("the Central Bank of the Republic of China", "Taiwan"),
        ("the People's Republic of China", "China"),
        ("中華民國憲法", "Taiwan"),
        ("中华人民共和国宪法", "China"),
    ],
)
def test_the_republic_of_china_is_taiwan_and_the_peoples_republic_china(
    text: str, country: str
) -> None:
    folded = fold_term(text)
    found = [value for _start, _end, value in actor_lexicon().find(folded)]
    assert found == [(country, "country")]


def test_a_bare_ministry_belongs_to_each_country_that_has_one() -> None:
    ministries = home_ministries()
    assert ministries["国防部"] == {
        "United States": ("U.S. Department of Defense", "government"),
        "Taiwan": ("Ministry of National Defense (Taiwan)", "government"),
        "China": ("Ministry of National Defense of the PRC", "government"),
    }
    assert ministries["国务院"]["China"][0] == "State Council of the PRC"
    assert "Taiwan" not in ministries["国务院"]  # Taiwan's 國務院 is the U.S. one: the table's


def test_the_glossarys_terms_are_common_nouns() -> None:
    assert {"sovereign wealth fund", "data center"} <= common_noun_terms()
    assert "hudson institute" not in common_noun_terms()


def test_no_alias_has_a_title_or_a_function_word_glued_on() -> None:
    """川普總統 is 川普 and a title: the table lists names only, or its matches would glue
    titles on for the rules to cut off again."""
    from reindustry_kb.claims.actors import TITLES_ZH
    from reindustry_kb.claims.names import CUT_WORDS

    titles = tuple(TITLES_ZH.split("|"))
    glued = [
        alias
        for entry in load_json("actors.json")
        for alias in map(fold_term, entry["aliases"])
        if alias.endswith(titles)
        or (alias[:1] in CUT_WORDS and alias[1:] in actor_lexicon().entries)
    ]
    assert glued == []


@pytest.mark.parametrize(
    ("actor", "shown", "named"),
    [
        ("许毓仁", ["許毓仁"], True),  # a filter in either script finds a name shown in the other
        ("許毓仁", ["許毓仁", "Taiwan"], True),
        ("川普", ["Donald Trump"], True),  # an alias finds the table's name
        ("許毓仁", ["朱宸佐"], False),
    ],
)
def test_a_filter_finds_actors_as_shown(actor: str, shown: list[str], named: bool) -> None:
    assert names_one_of(actor_names(actor), shown) is named


def test_plurals_are_found_only_where_asked() -> None:
    terms = {"penalty": "P", "shareholder meeting": "M", "fines": "F-own", "fine": "F"}
    lexicon = build_lexicon(terms, plurals=True)
    text = "penalties and shareholder meetings, fines"
    found = [(text[a:b], payload) for a, b, payload in lexicon.find(text)]
    # The whole plural word is the match; an entry of its own wins over its singular's.
    assert found == [("penalties", "P"), ("shareholder meetings", "M"), ("fines", "F-own")]
    # Off by default: an actor table's names are matched as written.
    assert list(build_lexicon(terms).find("penalties")) == []


def test_table_lines_read_each_english_term_with_its_chinese_words() -> None:
    lines = table_lines("glossary.tsv")
    assert ("tariff", ["關稅"]) in lines
    assert all(english and chinese and all(chinese) for english, chinese in lines)
    assert not any(english.startswith("#") for english, _chinese in lines)
    # a written table's line: several words, | separated
    assert ("employers", ["用人单位", "雇主"]) in table_lines("legal_vocabulary.tsv")
