"""Whose law a question asks about, against whose a document is (ask/places.py)."""

from collections import Counter
from pathlib import Path

import pytest

from reindustry_kb.ask.places import (
    MENTIONS,
    asked_places,
    document_places,
    elsewhere,
    implied_place,
)
from reindustry_kb.ask.session import Session
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.settings import Settings


@pytest.fixture
def session(tmp_path: Path) -> Session:
    seeds = tmp_path / "laws"
    seeds.mkdir()
    (seeds / "roc.txt").write_text(
        "The Central Bank of the Republic of China (Taiwan) approves the trust.\n", "utf-8"
    )
    (seeds / "prc.txt").write_text("中华人民共和国出口管制法自2020年12月1日起施行。\n", "utf-8")
    (seeds / "plain.txt").write_text(
        "This Act takes effect on the date of promulgation.\n", "utf-8"
    )
    settings = Settings(seeds_dir=seeds, index_dir=tmp_path / "indexes", embedder="fake")
    build_index(settings)
    return Session.open(settings)


@pytest.mark.parametrize(
    ("question", "places"),
    [
        ("When did China's Export Control Law come into effect?", {"China"}),
        ("What does a Chinese employer owe a worker on probation?", {"China"}),
        ("依中國關稅法，誰要繳納關稅？", {"China"}),
        ("在台湾，原产地声明违规要罚多少？", {"Taiwan"}),
        ("Which American agency reviews Taiwanese investments?", {"United States", "Taiwan"}),
        ("What penalty does the European Union set for dual-use exports?", {"European Union"}),
        ("欧盟中小企业的认定标准是什么？", {"European Union"}),
        ("When does the act take effect?", set()),
    ],
)
def test_a_question_names_its_places_as_nouns_or_adjectives(
    session: Session, question: str, places: set[str]
) -> None:
    assert asked_places(question) == places


def test_a_document_names_its_own_place(session: Session) -> None:
    named = document_places(session.reader, ["roc", "prc", "plain"])
    # The Republic of China is Taiwan; the People's Republic is China.
    assert {doc: set(places) for doc, places in named.items()} == {
        "roc": {"Taiwan"},
        "prc": {"China"},
        "plain": set(),
    }
    assert document_places(session.reader, []) == {}


def test_a_document_naming_only_other_places_is_elsewhere() -> None:
    assert elsewhere({"China"}, Counter({"Taiwan": 2}))
    assert not elsewhere({"China"}, Counter({"China": 1, "United States": 9}))
    assert not elsewhere({"China"}, Counter())  # names no place: nothing says it is another's
    assert not elsewhere({"China"}, Counter({"Taiwan": 1}))  # a passing mention: nor does this
    assert not elsewhere(set(), Counter({"Taiwan": 2}))  # the question names none


def test_a_chinese_script_implies_its_place_and_english_none() -> None:
    assert implied_place("zh-Hans") == Counter({"China": MENTIONS})
    assert implied_place("zh-Hant") == Counter({"Taiwan": MENTIONS})
    assert elsewhere({"China"}, implied_place("zh-Hant"))
    assert implied_place("en") == Counter() == implied_place("mixed")
