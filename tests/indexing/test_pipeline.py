import json
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from reindustry_kb.embed import embedder as embed
from reindustry_kb.embed.embedder import stream_passages
from reindustry_kb.indexing import pipeline as build
from reindustry_kb.indexing.pipeline import Analysed, Timer, build_index
from reindustry_kb.ingest.sources import Source
from reindustry_kb.settings import Settings
from tests.conftest import SEEDS, FakeEmbedder


class RecordingEmbedder(FakeEmbedder):
    texts: ClassVar[list[str]] = []

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        RecordingEmbedder.texts.extend(texts)
        return super().embed_passages(texts)


def test_a_long_run_without_spaces_is_embedded_cut_short(
    fake_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pasted base64 blob: quoted whole, embedded as its first LONG_RUN characters (each 510
    # tokens of a text is a pass of the model; the blob means nothing to it).
    blob = "QUJD" * 25_000
    text = f"# Attachment\n\nThe key: {blob} (base64).\n"
    (fake_settings.seeds_dir / "blob.md").write_text(text, "utf-8")
    monkeypatch.setitem(embed.EMBEDDERS, "fake", RecordingEmbedder)
    RecordingEmbedder.texts.clear()
    build_index(fake_settings)
    of_blob = [text for text in RecordingEmbedder.texts if "QUJDQUJD" in text]
    assert of_blob and all(len(text) < 200 for text in of_blob), [len(t) for t in of_blob]


def test_stats_report_the_rate_and_every_stage(fake_settings: Settings) -> None:
    stats = build_index(fake_settings)
    assert stats.passages_per_s is not None and stats.passages_per_s > 0
    for stage in ("read", "segment", "claims", "tokenize", "embed", "write"):
        assert stage in stats.stage_seconds, stage
    assert sum(stats.stage_seconds.values()) <= stats.seconds + 0.05


def test_progress_counts_passages_up_to_the_estimated_total(fake_settings: Settings) -> None:
    seen: list[tuple[str, int, int]] = []
    stats = build_index(fake_settings, lambda stage, done, total: seen.append((stage, done, total)))
    embedding = [(done, total) for stage, done, total in seen if stage.startswith("embedding")]
    # The total is estimated from the text still to analyse, and exact at the end.
    assert embedding and all(done <= total for done, total in embedding)
    assert [done for done, _ in embedding] == sorted(done for done, _ in embedding)
    assert embedding[-1] == (stats.n_passages, stats.n_passages)


def test_repeated_texts_are_embedded_once(
    fake_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two reposts of one article: different titles, so different passage texts, but the
    # same sentence windows, which are embedded once.
    body = "第一段講產業政策與補貼。經濟部將在三年內投入五百億元，扶植半導體與綠能產業。\n"
    for title in ("轉載一", "轉載二"):
        (fake_settings.seeds_dir / f"{title}.txt").write_text(f"# {title}\n\n{body}", "utf-8")
    monkeypatch.setitem(embed.EMBEDDERS, "fake", RecordingEmbedder)
    RecordingEmbedder.texts.clear()
    build_index(fake_settings)
    assert len(RecordingEmbedder.texts) == len(set(RecordingEmbedder.texts))
    with_body = [text for text in RecordingEmbedder.texts if "產業政策與補貼" in text]
    assert len(with_body) == 3, with_body  # two passages (one per title), one shared window


class StreamingEmbedder(FakeEmbedder):
    streamed: ClassVar[int] = 0

    def stream_passages(self, texts: Iterable[str]) -> Iterator[np.ndarray]:
        for text in texts:
            StreamingEmbedder.streamed += 1
            yield self.embed_passages([text])


def test_documents_are_analysed_while_earlier_ones_embed(
    fake_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []

    class Recording(StreamingEmbedder):
        def stream_passages(self, texts: Iterable[str]) -> Iterator[np.ndarray]:
            for vectors in super().stream_passages(texts):
                events.append("embedded")
                yield vectors

    analyse = build.analyse

    def recording_analyse(
        source: Source, target: int, most: int, timer: Timer
    ) -> Iterator[Analysed]:
        events.append("analysed")
        return analyse(source, target, most, timer)

    monkeypatch.setitem(embed.EMBEDDERS, "fake", Recording)
    monkeypatch.setattr(build, "analyse", recording_analyse)
    stats = build_index(fake_settings)
    assert events.count("analysed") == stats.n_documents > 1
    # Claims of later documents are extracted after earlier documents' texts were embedded.
    assert events.index("embedded") < len(events) - 1 - events[::-1].index("analysed")
    assert stats.n_claims > 0


def test_an_embedder_that_streams_is_streamed() -> None:
    texts = [f"text {n}" for n in range(10)]
    StreamingEmbedder.streamed = 0
    rows = np.vstack(list(stream_passages(StreamingEmbedder(), texts)))
    assert StreamingEmbedder.streamed == 10
    assert np.allclose(rows, FakeEmbedder().embed_passages(texts))
    batches = list(stream_passages(FakeEmbedder(), [f"t{n}" for n in range(130)]))
    assert [len(b) for b in batches] == [64, 64, 2]


def test_a_large_library_analysed_in_workers_gives_the_same_index(
    fake_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = build_index(fake_settings)
    claims_here = (fake_settings.index_dir / "claims.jsonl").read_text(encoding="utf-8")
    monkeypatch.setattr(build, "POOL_MIN_DOCUMENTS", 2)
    monkeypatch.setattr(build, "POOL_BATCH", 1)
    pooled_settings = fake_settings.model_copy(update={"index_dir": tmp_path / "pooled"})
    pooled = build_index(pooled_settings)
    assert (pooled.n_passages, pooled.n_claims) == (here.n_passages, here.n_claims)
    assert (pooled_settings.index_dir / "claims.jsonl").read_text(encoding="utf-8") == claims_here
    assert any(stage.endswith("(workers)") for stage in pooled.stage_seconds)


def test_documents_written_in_parts_give_the_same_index(
    fake_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reindustry_kb.ask.questions import ask
    from reindustry_kb.ask.session import Session, open_reader

    shutil.copy(SEEDS / "000_21b4db651bf1e798.txt", fake_settings.seeds_dir)  # 27 passages
    whole = build_index(fake_settings)
    claims_whole = (fake_settings.index_dir / "claims.jsonl").read_text(encoding="utf-8")
    monkeypatch.setattr(build, "PART_PASSAGES", 4)
    # And with workers, where a "large" file (the seed, the interview) is analysed here, part
    # by part, once the documents before it are in.
    monkeypatch.setattr(build, "POOL_MIN_DOCUMENTS", 2)
    monkeypatch.setattr(build, "POOL_BATCH", 1)
    monkeypatch.setattr(build, "LARGE_FILE", 700)
    parts_settings = fake_settings.model_copy(update={"index_dir": tmp_path / "parts"})
    parts = build_index(parts_settings)
    assert (parts.n_passages, parts.n_claims) == (whole.n_passages, whole.n_claims)
    claims_parts = (parts_settings.index_dir / "claims.jsonl").read_text(encoding="utf-8")
    assert claims_parts == claims_whole
    documents = open_reader(parts_settings).documents()
    assert [d.model_dump() for d in documents] == [
        d.model_dump() for d in open_reader(fake_settings).documents()
    ]
    assert max(d.n_passages for d in documents) > 8  # several parts
    for question in ("關稅", "data centers"):
        assert ask(Session.open(parts_settings), question, 5) == ask(
            Session.open(fake_settings), question, 5
        )


def test_spilled_vectors_read_back_by_any_rows(tmp_path: Path) -> None:
    vectors = np.random.default_rng(5).standard_normal((300, 8)).astype(np.float32)
    with (tmp_path / "spill").open("w+b") as file:
        spill = build._VectorSpill(file, 8)
        spill.append(vectors[:200])
        spill.append(vectors[200:])
        # Passage rows in order, window rows repeating, far apart and out of order.
        plan = [(250, [3, 251, 3]), (252, []), (5, [299, 0])]
        keys = [[bytes([n]) * 16 for n in range(1 + len(windows))] for _, windows in plan]
        got = spill.gather(plan, keys)
    stored = vectors.astype(np.float16)
    assert np.array_equal(got.passages, stored[[250, 252, 5]])
    assert np.array_equal(got.windows, stored[[3, 251, 3, 299, 0]])
    assert got.offsets.tolist() == [0, 3, 3, 5]
    assert got.passage_keys.tolist() == [[0] * 16] * 3
    assert got.window_keys[:, 0].tolist() == [1, 2, 3, 1, 2]


def _vectors(settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    from reindustry_kb.index.local.reader import LocalReader

    dense = LocalReader.open(settings.index_dir).dense
    return dense.passages.rows([0], [dense.n]), dense.windows.rows([0], [len(dense.windows)])


def test_a_new_version_takes_every_vector_from_the_live_build(
    fake_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(embed.EMBEDDERS, "fake", RecordingEmbedder)
    RecordingEmbedder.texts.clear()
    first = build_index(fake_settings)
    assert first.texts_reused == 0 and first.texts_embedded == len(RecordingEmbedder.texts) > 0
    before = _vectors(fake_settings)
    # Another package version: every document is cut and analysed again, nothing embedded.
    from reindustry_kb.indexing import freshness

    monkeypatch.setattr(freshness, "__version__", "99.0.0")
    RecordingEmbedder.texts.clear()
    second = build_index(fake_settings)
    assert second.config_changes and second.unchanged == first.n_documents
    assert RecordingEmbedder.texts == []
    assert (second.texts_embedded, second.passages_embedded) == (0, 0)
    assert second.texts_reused == first.texts_embedded + first.texts_reused
    after = _vectors(fake_settings)
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))


def test_an_edited_document_embeds_only_its_new_texts(
    fake_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(embed.EMBEDDERS, "fake", RecordingEmbedder)
    monkeypatch.setattr(build, "AHEAD_PASSAGES", 1)  # a new embedding stream per document
    build_index(fake_settings)
    edited = sorted(fake_settings.seeds_dir.glob("*.txt"))[0]
    added = "\n\n補充說明：本段為新增內容，說明新的補助申請期限延至明年六月。\n"
    edited.write_text(edited.read_text("utf-8") + added, "utf-8")
    RecordingEmbedder.texts.clear()
    stats = build_index(fake_settings)
    assert stats.changed == 1 and stats.texts_reused > 0
    assert 0 < len(RecordingEmbedder.texts) == stats.texts_embedded <= 3
    assert all("補助申請期限" in text for text in RecordingEmbedder.texts)
    # The same vectors, in the same places, as a build from nothing.
    reused = _vectors(fake_settings)
    scratch = fake_settings.model_copy(update={"index_dir": fake_settings.index_dir.parent / "new"})
    build_index(scratch)
    assert all(np.array_equal(a, b) for a, b in zip(reused, _vectors(scratch), strict=True))


def test_a_build_without_text_digests_lends_no_vectors(
    fake_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reindustry_kb.index.local.dense import KEY_FILES
    from reindustry_kb.index.local.layout import current_build
    from reindustry_kb.indexing import freshness

    build_index(fake_settings)
    live = current_build(fake_settings.index_dir)
    manifest = json.loads((live / "manifest.json").read_text("utf-8"))
    for name in KEY_FILES:  # as a build of 0.5 left it
        (live / name).unlink()
        del manifest["files"][name]
    (live / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    monkeypatch.setattr(freshness, "__version__", "99.0.0")
    stats = build_index(fake_settings)
    assert stats.texts_reused == 0 and stats.passages_embedded == stats.n_passages
