import time
from pathlib import Path

import numpy as np
import pytest

from reindustry_kb.ask.dense import dense_search
from reindustry_kb.ask.questions import ask
from reindustry_kb.ask.session import Session
from reindustry_kb.errors import IndexCorruptError, IndexMissingError
from reindustry_kb.index.backend import Part
from reindustry_kb.index.local import dense, reader
from reindustry_kb.index.local.layout import POINTER, current_build
from reindustry_kb.index.local.reader import LocalReader, _Layout, _Lookup
from reindustry_kb.index.local.writer import LocalWriter
from reindustry_kb.index.manifest import FORMAT_VERSION, ChunkSettings, Counts, Manifest
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.models import Document, Filters, Passage, language_group
from reindustry_kb.settings import Settings
from tests.index.local.test_dense import library, stack, unit


def key(row: int) -> str:
    """The key of the passage in a row of `vector_index`: each is its own document's."""
    return f"{doc(row)}#p001"


def doc(row: int) -> str:
    return f"r{row:05d}"


def vector_index(folder: Path, parts: list, langs: list[str]) -> LocalReader:
    """A local index of these vectors (a passage per document, in row order), opened."""
    dim = len(parts[0][0])
    with LocalWriter(folder, dim) as writer:
        for row, (vectors, lang) in enumerate(zip(parts, langs, strict=True)):
            text = f"passage {row}"
            passage = Passage(
                passage_id=key(row),
                doc_id=doc(row),
                ordinal=1,
                text=text,
                char_start=0,
                char_end=len(text),
                line_start=1,
                line_end=1,
                lang=lang,
            )
            document = Document(doc_id=doc(row), path=f"{doc(row)}.txt", sha256="0" * 64, lang=lang)
            writer.add_document(
                document, text, Part([passage], [], [["passage"]], stack(dim, [vectors]))
            )
        writer.publish(
            Manifest(
                format=FORMAT_VERSION,
                package_version="test",
                embedder="test",
                model="test",
                settings=ChunkSettings(passage_target=1, passage_max=1, window_size=1),
                dim=dim,
                documents={},
                counts=Counts(documents=len(parts), passages=len(parts), claims=0),
                built_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            )
        )
    return LocalReader.open(folder)


def test_a_reader_opened_before_a_rebuild_reads_the_old_build(fake_index: Settings) -> None:
    reader = LocalReader.open(fake_index.index_dir)
    (fake_index.seeds_dir / "brief_en.md").unlink()
    build_index(fake_index)
    # Everything loads lazily from the old build, which is still whole.
    assert reader.dense.n == reader.manifest.counts.passages
    assert "brief_en" in {d.doc_id for d in reader.documents()}
    assert reader.lexical.n == reader.manifest.counts.passages
    assert "brief_en" not in {d.doc_id for d in LocalReader.open(fake_index.index_dir).documents()}


def test_no_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="rkb index"):
        LocalReader.open(tmp_path / "nothing")


FILES = [
    "kb.sqlite",
    "passages.npy",
    "windows-zh.faiss",
    "postings.sqlite",
    "posting_rows.npy",
    "posting_impacts.npy",
]


@pytest.mark.parametrize("name", FILES)
def test_a_truncated_file_is_reported(fake_index: Settings, name: str) -> None:
    path = current_build(fake_index.index_dir) / name
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(IndexCorruptError, match=f"{name}.*rebuild it with `rkb index`"):
        LocalReader.open(fake_index.index_dir)


@pytest.mark.parametrize("name", FILES)
def test_a_garbled_file_of_the_right_size_is_reported(fake_index: Settings, name: str) -> None:
    path = current_build(fake_index.index_dir) / name
    path.write_bytes(
        b"\x00garbage" * (path.stat().st_size // 8) + b"\x00" * (path.stat().st_size % 8)
    )
    with pytest.raises(IndexCorruptError, match=name):
        ask(Session.open(fake_index), "關稅", 1)


def test_a_damaged_manifest_or_pointer_is_reported(fake_index: Settings) -> None:
    build = current_build(fake_index.index_dir)
    (build / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="manifest"):
        LocalReader.open(fake_index.index_dir)
    (fake_index.index_dir / POINTER).write_text("build-gone\n", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="missing build"):
        LocalReader.open(fake_index.index_dir)


def test_keys_name_the_rows_the_filters_allow(fake_index: Settings) -> None:
    reader = LocalReader.open(fake_index.index_dir)
    passages = list(reader.iter_passages())
    every = reader._allowed_rows(Filters(docs=("brief_en", "interview_hant", "policy_hans")))
    assert every.tolist() == list(range(len(passages)))  # rows are the passages' order
    english = reader._allowed_rows(Filters(lang="en"))
    assert reader._keys(english.tolist()) == [
        p.passage_id for p in passages if p.lang in ("en", "mixed")
    ]
    keys = [p.passage_id for p in passages][::-1]
    assert reader._keys(reader._rows(keys).tolist()) == keys
    assert reader._allowed_rows(Filters()) is None  # no filter: every row


def test_keys_are_computed_from_where_documents_start_and_agree_with_sql(
    fake_index: Settings,
) -> None:
    reader = LocalReader.open(fake_index.index_dir)
    stored = reader._query("SELECT row, passage_id FROM passages ORDER BY row", plain=True)
    assert isinstance(reader._passage_keys, _Layout)
    rows = [row for row, _ in stored]
    assert reader._keys(rows) == [key for _, key in stored]
    assert reader._passage_keys.rows(["brief_en#p999", "nothing#p001", "brief_en#x"]) == [
        None,
        None,
        None,
    ]
    # A build whose documents do not account for its passages is read by lookup instead.
    odd = LocalReader.open(fake_index.index_dir)
    odd.manifest = odd.manifest.model_copy(
        update={"counts": odd.manifest.counts.model_copy(update={"passages": len(rows) + 1})}
    )
    assert isinstance(odd._passage_keys, _Lookup)
    assert odd._keys(rows[::-1]) == [key for _, key in stored][::-1]
    assert odd._rows([key for _, key in stored]).tolist() == rows


def test_dense_candidates_keep_to_the_filters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dense, "FLAT_LIMIT", 100)  # PQ codes and IVF lists
    parts, langs = library(3000)
    index = vector_index(tmp_path / "index", parts, langs)
    assert [p.passage_id for p in index.iter_passages()] == [key(row) for row in range(3000)]
    query = unit(np.random.default_rng(3), 1, 16)[0]
    # Few enough to score every one: every passage the filters allow, the lists complete.
    few = Filters(docs=tuple(doc(row) for row in (3, 10, 11, 42)))
    found = index.dense_candidates(query, 100, few)
    assert found.keys == [key(row) for row in (3, 10, 11, 42)] and found.lasts == {}
    # Too many to score exhaustively: the codes are filtered after the scan.
    monkeypatch.setattr(reader, "EXACT_FILTER_LIMIT", 10)
    every_seventh = Filters(docs=tuple(doc(row) for row in range(0, 3000, 7)))
    english = Filters(lang="en")  # rows 0, 3, 6, ...: one language group
    for filters, rows in ((every_seventh, range(0, 3000, 7)), (english, range(0, 3000, 3))):
        allowed = {key(row) for row in rows}
        assert set(index._keys(index._allowed_rows(filters).tolist())) == allowed
        found = index.dense_candidates(query, 100, filters)
        assert found.keys and set(found.keys) <= allowed and found.lasts
        assert set(dense_search(index, index.dense_stats(), query, filters)) <= allowed
    # The vectors handed out for keys are the rows' own, in row order, with their groups.
    vectors = index.passage_vectors([key(row) for row in (9, 2, 5)])
    assert vectors.keys == [key(row) for row in (2, 5, 9)]
    groups = [language_group(langs[row]) for row in (2, 5, 9)]
    assert [index.dense.groups[g] for g in vectors.groups.tolist()] == groups
    assert np.allclose(vectors.own, [parts[row][0] for row in (2, 5, 9)], atol=1e-3)
    en, zh = index.dense.groups.index("en"), index.dense.groups.index("zh")
    assert index.passage_groups([key(9), key(2)]) == {key(9): en, key(2): zh}


@pytest.mark.parametrize("name", FILES)
def test_a_damaged_live_build_is_rebuilt_not_fatal(fake_index: Settings, name: str) -> None:
    path = current_build(fake_index.index_dir) / name
    path.write_bytes(
        b"\x00garbage" * (path.stat().st_size // 8) + b"\x00" * (path.stat().st_size % 8)
    )
    # What it can lend (rows, vectors) is checked before it lends them; the indexes made from
    # them (FAISS, postings) are made again anyway.
    assert build_index(fake_index).n_documents == 3
    assert ask(Session.open(fake_index), "關稅", 1).hits
