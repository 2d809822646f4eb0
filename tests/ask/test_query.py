from importlib import resources
from pathlib import Path

from reindustry_kb.ask.query import (
    EXPANSION_WEIGHT,
    SPREAD,
    TABLES,
    analyse,
    concepts,
    crossed,
    glossary,
    title_words,
)
from reindustry_kb.ask.terms import Terms
from reindustry_kb.text.normalize import fold_text
from tests.ask.folders import lexical_terms

DOCS = [
    "美國今年的關稅收入達到三千億美元。",
    "政府決定直接入股英特爾。",
    "Customs duties rose sharply.",
]


def _index(tmp_path: Path) -> Terms:
    return lexical_terms(tmp_path, DOCS)


def test_english_questions_reach_chinese_words(tmp_path: Path) -> None:
    query = analyse("How much tariff revenue?", _index(tmp_path))
    assert query.terms == ["much", "tariff", "revenue"]
    flat = {term for phrase in query.expansions for term in phrase}
    assert {"关税", "收入"} <= flat


def test_actor_aliases_cross_scripts_and_languages(tmp_path: Path) -> None:
    query = analyse("Which government took a stake in Intel?", _index(tmp_path))
    flat = {term for phrase in query.expansions for term in phrase}
    assert "英特尔" in flat and "入股" in flat


def test_chinese_questions_reach_english_words(tmp_path: Path) -> None:
    query = analyse("關稅收入", _index(tmp_path))
    assert {"tariff", "duty"} <= {term for phrase in query.expansions for term in phrase}


def test_equivalents_weigh_no_more_than_the_questions_own_words(tmp_path: Path) -> None:
    weighted = dict(analyse("tariff 關稅", _index(tmp_path)).weighted_terms())
    assert weighted["tariff"] == 1.0 and weighted["关税"] == 1.0  # own words stay at full weight
    weighted = dict(analyse("tariff", _index(tmp_path)).weighted_terms())
    [(_start, _end, others)] = list(glossary().find("tariff"))
    assert weighted["关税"] == EXPANSION_WEIGHT / len(others) ** SPREAD <= 1.0


def test_latin_words_are_whole_tokens_at_query_time(tmp_path: Path) -> None:
    index = _index(tmp_path)
    assert index.query_terms("R&D at the U.S. revenue office") == [
        "r&d",
        "u.s",
        "revenue",
        "office",
    ]


def test_glossary_is_well_formed_and_two_way() -> None:
    text = resources.files("reindustry_kb").joinpath("data/glossary.tsv").read_text("utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            english, chinese = line.split("\t")
            assert english.strip() and all(word.strip() for word in chinese.split("|")), line
    lexicon = glossary()
    assert "關稅" in lexicon.entries["tariff"] and "tariff" in lexicon.entries["关税"]


def test_crossed_puts_glossary_phrases_in_the_other_language() -> None:
    twin = crossed("How much tariff revenue did Nvidia report?")
    assert twin == "How much 關稅 收入 did 輝達 報告?"
    twin = crossed("關稅收入增加了多少？")
    assert twin is not None and twin.startswith("tariff revenue ")
    assert crossed("Nothing from the glossary here") is None
    # Only into a language the library holds: a Chinese library gains nothing from English.
    assert crossed("關稅收入增加了多少？", ["zh"]) is None
    assert crossed("How much tariff revenue?", ["en", "zh"]) is not None


def test_mined_law_terms_reach_across_but_not_between_their_guesses() -> None:
    # law_terms.tsv: life imprisonment -> 无期徒刑 | 无期 (not in the curated glossary)
    lexicon = glossary()
    [(_start, _end, others)] = list(lexicon.find("life imprisonment"))
    assert "无期徒刑" in others
    [(_start, _end, others)] = list(lexicon.find("无期"))
    assert others == ("life imprisonment",)  # 无期 -> life imprisonment, not 无期徒刑


def test_written_vocabulary_adds_mainland_usage_one_way() -> None:
    lexicon = glossary()
    # probation: 缓刑 (mined from Taiwan's criminal law) and 试用期 (written: employment law)
    [(_start, _end, others)] = list(lexicon.find("probation"))
    assert {"缓刑", "试用期"} <= set(others)
    # The written line reads English to Chinese only: 试用期 brings back no English word.
    assert list(lexicon.find("试用期")) == []


def test_title_words_read_the_written_vocabulary_backwards_for_words_of_few_senses() -> None:
    assert {"ocean", "sea"} <= set(title_words("海洋"))  # the mined table gives marine only
    assert "ocean" not in {o for _s, _e, others in glossary().find("海洋") for o in others}
    # 遵守 is comply, abide, adhere, conform, observe ...: too many senses to name a title.
    assert title_words("遵守") == ()
    assert title_words("没有这个词") == ()


def test_a_table_term_is_found_in_its_plural() -> None:
    # law_terms.tsv stands in singulars: life imprisonment -> 无期徒刑
    [(_start, _end, others)] = list(glossary().find("life imprisonments"))
    assert "无期徒刑" in others


def test_written_vocabulary_is_well_formed() -> None:
    [name] = [name for name, kind in TABLES.items() if kind == "written"]
    text = resources.files("reindustry_kb").joinpath(f"data/{name}").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    assert len(rows) > 3000
    for english, chinese in rows:
        assert english == english.lower().strip() and english, english
        for word in chinese.split("|"):
            # Simplified, as questions are looked up folded; never one character, which
            # would stand inside every word it begins.
            assert len(word) >= 2 and fold_text(word) == word == word.strip(), (english, word)


def test_equivalents_share_their_phrase_weight(tmp_path: Path) -> None:
    query = analyse("What does the order say of probation?", _index(tmp_path))
    weights = {tuple(p): w for p, w in zip(query.expansions, query.expansion_weights, strict=True)}
    found = [p for p in weights if p[0] in ("缓刑", "试用期")]
    assert len(found) >= 2
    [(_start, _end, others)] = list(glossary().find("probation"))
    share = len(others)  # each equivalent brings tokens here, so each shares the weight
    for phrase in found:
        assert weights[phrase] == EXPANSION_WEIGHT / share**SPREAD
    weighted = dict(query.weighted_terms())
    assert weighted["试用期"] == EXPANSION_WEIGHT / share**SPREAD < EXPANSION_WEIGHT


def test_place_names_cross_languages_and_scripts(tmp_path: Path) -> None:
    index = _index(tmp_path)
    query = analyse("What does the order require of Puerto Rico and North Korea?", index)
    flat = {term for phrase in query.expansions for term in phrase}
    assert {"朝鲜", "北韩"} <= flat and any(term.startswith("波多黎") for term in flat)
    # The Korea inside North Korea is not South Korea's alias.
    assert "韩国" not in flat and "南韩" not in flat
    twin = crossed("波多黎各地位問題工作小組何時報告？")
    assert twin is not None and twin.startswith("Puerto Rico")
    assert crossed("北韓的制裁") == "North Korea 的 sanctions"
    twin = crossed("Who oversees Hong Kong?")
    assert twin is not None and twin.startswith("Who ") and twin.endswith(" 香港?")


def test_places_table_is_well_formed() -> None:
    text = resources.files("reindustry_kb").joinpath("data/places.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    assert len(rows) > 240
    for english, names in rows:
        assert english.strip() and all(word.strip() for word in names.split("|")), english
    # Names that mostly mean something else in a policy text stay out.
    assert not {"Georgia", "Turkey", "Chad", "Jersey"} & {english for english, _ in rows}


def test_a_possessive_is_its_words_idea(tmp_path: Path) -> None:
    terms = _index(tmp_path)
    ideas = {
        tuple(c.tokens): c
        for c in concepts("What did China's customs and a zookeeper’s union say?", terms)
    }
    # China's is the actor China's idea, not an idea of its own the library never knows.
    assert ("china",) in ideas and ("china's",) not in ideas
    # A possessive no other idea covers is found as its word too.
    assert ideas[("zookeeper’s",)].equivalents == [["zookeeper"]]
