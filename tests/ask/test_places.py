"""Whose law a question asks about, against whose a document is (ask/places.py)."""

from collections import Counter
from pathlib import Path
from typing import Any

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
from reindustry_kb.models import ClaimFilters
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
    documents = session.reader.documents_by_id({"roc", "prc", "plain"})
    named = document_places(session.reader, documents)
    # The Republic of China is Taiwan; the People's Republic is China.
    assert {doc: set(places) for doc, places in named.items()} == {
        "roc": {"Taiwan"},
        "prc": {"China"},
        "plain": set(),
    }
    assert document_places(session.reader, {}) == {}


def test_a_government_body_names_its_state(tmp_path: Path) -> None:
    from reindustry_kb.claims.lexicon import government_states

    seeds = tmp_path / "laws"
    seeds.mkdir()
    (seeds / "tw_en.txt").write_text(
        "Article 2 The competent authority is the Ministry of Economic Affairs. The Executive "
        "Yuan approves the regulations.\n",
        "utf-8",
    )
    (seeds / "us.txt").write_text("The White House and the Federal Reserve met today.\n", "utf-8")
    settings = Settings(seeds_dir=seeds, index_dir=tmp_path / "indexes", embedder="fake")
    build_index(settings)
    reader = Session.open(settings).reader
    named = document_places(reader, reader.documents_by_id({"tw_en", "us"}))
    # A translation of Taiwan's law that never writes Taiwan is Taiwan's by the bodies it names.
    assert named == {"tw_en": Counter({"Taiwan": 2}), "us": Counter({"United States": 2})}
    assert elsewhere({"China"}, named["tw_en"])
    # Only a government body says whose it is: an ambiguous one (the US's and Taiwan's
    # International Trade Administration) has no state.
    assert government_states()["Executive Yuan"] == "Taiwan"
    assert "International Trade Administration" not in government_states()


def test_a_long_chinese_document_naming_no_place_is_its_scripts_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reindustry_kb.ask import places

    seeds = tmp_path / "laws"
    seeds.mkdir()
    texts = {"hant": "第 9 條 本法自公布日施行。", "hans": "第九条 本法自公布之日起施行。"}
    for name, text in texts.items():
        (seeds / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    settings = Settings(seeds_dir=seeds, index_dir=tmp_path / "indexes", embedder="fake")
    build_index(settings)
    reader = Session.open(settings).reader
    documents = reader.documents_by_id(set(texts))
    # Short (one passage each): the script says nothing.
    assert document_places(reader, documents) == {"hant": Counter(), "hans": Counter()}
    monkeypatch.setattr(places, "LONG_DOCUMENT", 1)
    assert document_places(reader, documents) == {
        "hant": Counter({"Taiwan": MENTIONS}),
        "hans": Counter({"China": MENTIONS}),
    }


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


def test_a_sessions_memo_reads_each_documents_places_once(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = session.reader
    reads: list[tuple[str, ...]] = []
    find_claims = reader.find_claims

    def counted(filters: ClaimFilters) -> Any:
        reads.append(tuple(filters.docs or ()))
        return find_claims(filters)

    monkeypatch.setattr(reader, "find_claims", counted)
    documents = reader.documents_by_id({"roc", "prc", "plain"})
    memo: dict[str, Counter[str]] = {}
    first = document_places(reader, documents, memo)
    assert reads == [tuple(documents)] and set(memo) == set(documents)
    # The hits' documents, a part of the candidates': nothing more is read, the same answer.
    again = document_places(reader, {"prc": documents["prc"]}, memo)
    assert len(reads) == 1 and again == {"prc": first["prc"]}
