import json
import shutil
from pathlib import Path
from typing import ClassVar

import pytest

from reindustry_kb.ask.questions import ask
from reindustry_kb.ask.session import Session, open_reader
from reindustry_kb.embed import embedder as embed
from reindustry_kb.index.local.layout import CLAIMS_EXPORT, SUMMARY
from reindustry_kb.indexing.freshness import check_index
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.settings import Settings
from tests.conftest import FakeEmbedder


def _listing(folder: Path) -> list[tuple[str, int]]:
    return sorted((str(p.relative_to(folder)), p.stat().st_mtime_ns) for p in folder.rglob("*"))


def test_check_after_index_is_up_to_date_and_writes_nothing(fake_index: Settings) -> None:
    before = _listing(fake_index.index_dir)
    result = check_index(fake_index)
    assert result.up_to_date
    assert result.unchanged == ["brief_en", "interview_hant", "policy_hans"]
    assert _listing(fake_index.index_dir) == before


def test_check_lists_added_changed_and_removed(fake_index: Settings) -> None:
    seeds = fake_index.seeds_dir
    (seeds / "new.txt").write_text("新的文件談到半導體補貼。", encoding="utf-8")
    with (seeds / "brief_en.md").open("a", encoding="utf-8") as handle:
        handle.write("\nOne more sentence.\n")
    (seeds / "policy_hans.txt").unlink()
    result = check_index(fake_index)
    assert not result.up_to_date
    assert (result.added, result.changed, result.removed) == (
        ["new"],
        ["brief_en"],
        ["policy_hans"],
    )


def test_check_notices_a_configuration_change(fake_index: Settings) -> None:
    result = check_index(fake_index.model_copy(update={"passage_target": 99}))
    assert not result.up_to_date and any("settings" in change for change in result.config_changes)


def test_check_needs_only_the_committed_summary(fake_index: Settings) -> None:
    # A fresh clone has indexes/manifest.json and claims.jsonl but no binary build.
    for child in fake_index.index_dir.iterdir():
        if child.name not in (SUMMARY, CLAIMS_EXPORT):
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    assert check_index(fake_index).up_to_date
    assert not check_index(
        fake_index.model_copy(update={"index_dir": fake_index.index_dir / "x"})
    ).up_to_date


def test_committed_files_are_deterministic(fake_index: Settings) -> None:
    first = [(fake_index.index_dir / name).read_bytes() for name in (SUMMARY, CLAIMS_EXPORT)]
    build_index(fake_index)
    assert [
        (fake_index.index_dir / name).read_bytes() for name in (SUMMARY, CLAIMS_EXPORT)
    ] == first
    summary = json.loads(first[0])
    assert "built_at" not in summary and summary["documents"]["brief_en"]["n_claims"] > 0


class CountingEmbedder(FakeEmbedder):
    embedded: ClassVar[list[str]] = []

    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        CountingEmbedder.embedded.extend(texts)
        return super().embed_passages(texts)


def test_rebuild_embeds_only_what_changed(
    fake_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(embed.EMBEDDERS, "fake", CountingEmbedder)
    first = build_index(fake_settings)
    assert first.passages_embedded == first.n_passages and first.added == 3
    CountingEmbedder.embedded.clear()
    same = build_index(fake_settings)
    assert (same.passages_embedded, same.unchanged, CountingEmbedder.embedded) == (0, 3, [])
    with (fake_settings.seeds_dir / "brief_en.md").open("a", encoding="utf-8") as handle:
        handle.write("\nA new paragraph about export controls on chips.\n")
    edited = build_index(fake_settings)
    assert (edited.changed, edited.unchanged) == (1, 2)
    # Only the edited English document was embedded: its passage and its sentence windows.
    assert CountingEmbedder.embedded and all(t.isascii() for t in CountingEmbedder.embedded)
    assert any("export controls on chips" in t for t in CountingEmbedder.embedded)
    # Of it, only the new texts: its unchanged sentence windows kept their vectors.
    brief = next(d for d in open_reader(fake_settings).documents() if d.doc_id == "brief_en")
    assert 0 < edited.passages_embedded <= brief.n_passages and edited.texts_reused > 0
    assert edited.texts_embedded == len(CountingEmbedder.embedded)
    # The incremental index answers exactly like a full rebuild of the same seeds.
    incremental = ask(Session.open(fake_settings), "export controls on chips", 5).model_dump()
    full = fake_settings.model_copy(update={"index_dir": fake_settings.index_dir.parent / "full"})
    build_index(full)
    assert ask(Session.open(full), "export controls on chips", 5).model_dump() == incremental


def test_a_configuration_change_cuts_everything_again(fake_index: Settings) -> None:
    recut = fake_index.model_copy(update={"passage_target": 120})
    stats = build_index(recut)
    assert stats.config_changes and stats.unchanged == stats.n_documents
    # Every document is cut again; texts the old cut shared keep their vectors, and the
    # index answers as one built from nothing with the new settings.
    assert stats.texts_embedded > 0 and stats.texts_reused > 0
    scratch = recut.model_copy(update={"index_dir": recut.index_dir.parent / "scratch"})
    assert build_index(scratch).n_passages == stats.n_passages
    question = "export controls on chips"
    assert (
        ask(Session.open(recut), question, 5).model_dump()
        == ask(Session.open(scratch), question, 5).model_dump()
    )


def test_another_embedder_embeds_everything(fake_index: Settings) -> None:
    stats = build_index(fake_index.model_copy(update={"embedder": "hashing"}))
    assert stats.config_changes and stats.texts_reused == 0
    assert stats.passages_embedded == stats.n_passages


def test_an_added_empty_file_is_no_document_the_index_lacks(fake_index: Settings) -> None:
    (fake_index.seeds_dir / "empty.txt").write_bytes(b"")
    (fake_index.seeds_dir / "blank.md").write_text(" \n\t\n", encoding="utf-8")
    result = check_index(fake_index)
    assert result.up_to_date and result.added == []
    assert sorted(s.path for s in result.unreadable) == ["blank.md", "empty.txt"]
    assert all("is empty" in s.reason for s in result.unreadable)
    (fake_index.seeds_dir / "new.md").write_text("Tariff revenue rose.\n", encoding="utf-8")
    assert check_index(fake_index).added == ["new"]  # a file with text still is
