"""A PostgreSQL generation: an update in place ends where a rebuild would, touches only what
changed, and nothing of an unfinished one is ever seen."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reindustry_kb.ask.dense import dense_search
from reindustry_kb.errors import DatabaseError
from reindustry_kb.index.backend import IndexReader
from reindustry_kb.index.registry import get_backend
from reindustry_kb.models import NO_FILTERS
from tests.conftest import FakeEmbedder, new_database
from tests.index.postgres.library import build, query, settings_for, write_library

TERMS = ["solar", "grid", "锂电池", "风电", "storage", "texas"]


def _open(seeds: Path, url: str) -> IndexReader:
    return get_backend(settings_for(seeds, url)).open()


def _by_group(reader: IndexReader) -> dict[str, Any]:
    """What ranking reads, keyed by group name (a group's number may differ between two
    libraries holding the same documents)."""
    stats, terms = reader.dense_stats(), reader.term_stats()
    frequencies = reader.document_frequencies(TERMS)
    return {
        "n": terms.n,
        "sizes": dict(zip(terms.groups, terms.group_sizes, strict=True)),
        "df": {
            term: dict(zip(terms.groups, counts, strict=True))
            for term, counts in frequencies.items()
        },
        "centroids": dict(zip(stats.groups, stats.centroids, strict=True)),
        "spreads": dict(zip(stats.groups, stats.spreads, strict=True)),
        "lexical": reader.lexical_scores([(t, 1.0) for t in TERMS], NO_FILTERS),
    }


def test_an_update_in_place_ends_where_a_rebuild_would(
    tmp_path: Path, database_url: str, postgres_server: str
) -> None:
    seeds = write_library(tmp_path / "library")
    build(seeds, database_url)
    (seeds / "grid.md").write_text("# Grid\n\nThe grid added 5 GW of storage in Texas.\n")
    (seeds / "wind.md").unlink()
    (seeds / "new.md").write_text("# New\n\nSolar and storage grew in Texas. 储能电站扩建。\n")
    stats = build(seeds, database_url)
    assert (stats.added, stats.changed, stats.removed, stats.unchanged) == (1, 1, 1, 2)
    other = new_database(postgres_server)
    build(seeds, other)
    updated, fresh = _by_group(_open(seeds, database_url)), _by_group(_open(seeds, other))
    assert updated["n"] == fresh["n"] and updated["df"] == fresh["df"]
    assert {g: s for g, s in updated["sizes"].items() if s} == fresh["sizes"]
    for name in ("centroids", "spreads"):
        for group, value in fresh[name].items():
            np.testing.assert_allclose(updated[name][group], value, atol=1e-5)
    assert updated["lexical"].keys() == fresh["lexical"].keys()
    for key, score in fresh["lexical"].items():
        assert updated["lexical"][key] == pytest.approx(score)
    readers = _open(seeds, database_url), _open(seeds, other)
    question = "储能电站与风电的扩建"  # a new document's words, and a removed one's
    assert readers[0].query_terms(question) == readers[1].query_terms(question)
    vector = np.ones(readers[0].dense_stats().dim, dtype=np.float32) / 8
    ranked = [dense_search(r, r.dense_stats(), vector, NO_FILTERS) for r in readers]
    assert ranked[0] == pytest.approx(ranked[1])


def test_an_update_leaves_unchanged_documents_rows_where_they_are(
    tmp_path: Path, database_url: str
) -> None:
    seeds = write_library(tmp_path / "library")
    build(seeds, database_url)
    rows = "SELECT passage_id, pid, xmin::text FROM {g}.passages WHERE doc_id = %s ORDER BY pid"
    vectors = "SELECT pid, xmin::text FROM {g}.window_vectors ORDER BY wid"
    solar, windows = query(database_url, rows, ("solar",)), set(query(database_url, vectors))
    grid = {pid for _, pid, _ in query(database_url, rows, ("grid",))}
    generation = query(database_url, "SELECT generation FROM rkb.library")
    (seeds / "grid.md").write_text("# Grid\n\nThe grid added 5 GW of storage.\n")
    build(seeds, database_url)
    assert query(database_url, "SELECT generation FROM rkb.library") == generation  # in place
    # The same rows in the same versions (xmin): not rewritten, their HNSW entries untouched;
    # the changed document's went.
    assert query(database_url, rows, ("solar",)) == solar
    after = set(query(database_url, vectors))
    assert {row for row in windows if row[0] not in grid} <= after
    assert not {pid for pid, _ in after} & grid


def test_a_new_configuration_is_a_new_generation_and_the_old_ones_go(
    tmp_path: Path, database_url: str
) -> None:
    seeds = write_library(tmp_path / "library")
    build(seeds, database_url)
    build(seeds, database_url, model="other-1")
    build(seeds, database_url, model="other-2")
    live, previous = query(database_url, "SELECT generation, previous FROM rkb.library")[0]
    schemas = query(database_url, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rkb_g%%'")
    assert sorted(name for (name,) in schemas) == sorted([live, previous])
    assert _open(seeds, database_url).manifest.model == "other-2"


# Long enough to be windows of its own after each act's first window (about 70 tokens).
SHARED = (
    "This Act takes effect on the date of promulgation. The competent authority is the "
    "Ministry of Economic Affairs, which may delegate inspections to the local governments. "
    "Fines under this Act are collected by the same authority within thirty days of notice."
)
ORPHANS = (
    "SELECT count(*) FROM {g}.window_embeddings e WHERE NOT EXISTS "
    "(SELECT 1 FROM {g}.window_vectors w WHERE w.eid = e.eid)"
)


def _shared_library(folder: Path) -> Path:
    """Three acts, each with a first window of its own and the same closing sentences."""
    files = {}
    for n in (1, 2, 3):
        own = " ".join(
            f"Section {n}.{k} sets a quota of {n * k} GW for solar farms." for k in range(8)
        )
        files[f"act{n}.md"] = f"# Act {n}\n\n{own} {SHARED}\n"
    return write_library(folder, files)


def _distinct(url: str) -> tuple[int, int]:
    """Window rows, and the vectors they share."""
    rows = query(url, "SELECT count(*), count(DISTINCT eid) FROM {g}.window_vectors")[0]
    assert query(url, "SELECT count(*) FROM {g}.window_embeddings")[0][0] == rows[1]
    # The readers' count of window vectors per group (stats 'windows', the moments' count).
    stat = query(url, "SELECT value FROM {g}.stats WHERE name = 'windows'")[0][0]
    assert sum(json.loads(bytes(stat))) == rows[1]
    return int(rows[0]), int(rows[1])


def test_a_window_text_shared_by_documents_is_stored_once_and_finds_each(
    tmp_path: Path, database_url: str
) -> None:
    seeds = _shared_library(tmp_path / "library")
    build(seeds, database_url)
    windows, vectors = _distinct(database_url)
    assert vectors < windows  # the three acts' shared windows: one vector each
    reader = _open(seeds, database_url)
    stored = query(database_url, "SELECT value FROM {g}.stats WHERE name = 'windows'")[0][0]
    assert sum(json.loads(bytes(stored))) == vectors
    question = FakeEmbedder().embed_query(SHARED)
    found = dense_search(reader, reader.dense_stats(), question, NO_FILTERS)
    passages = reader.passages(list(found))
    shared = [key for key in found if SHARED in passages[key].text]
    assert {passages[key].doc_id for key in shared} == {"act1", "act2", "act3"}
    assert list(found)[:3] == sorted(shared, key=lambda key: -found[key])


def test_an_update_keeps_a_shared_window_vector_while_a_window_uses_it(
    tmp_path: Path, database_url: str, postgres_server: str
) -> None:
    seeds = _shared_library(tmp_path / "library")
    build(seeds, database_url)
    before = query(database_url, "SELECT eid, xmin::text FROM {g}.window_embeddings")
    (seeds / "act1.md").unlink()
    (seeds / "act2.md").write_text("# Act 2\n\nSection 2 sets no quota.\n")
    build(seeds, database_url)
    # act3 still holds the shared text: its vectors stay as they were
    assert set(before) & set(
        query(database_url, "SELECT eid, xmin::text FROM {g}.window_embeddings")
    )
    assert query(database_url, ORPHANS) == [(0,)]
    (seeds / "act3.md").write_text("# Act 3\n\nRepealed.\n")
    build(seeds, database_url)
    assert query(database_url, ORPHANS) == [(0,)]
    texts = query(
        database_url, "SELECT count(*) FROM {g}.passages WHERE text LIKE %s", ("%promulgation%",)
    )
    assert texts == [(0,)]
    fresh = new_database(postgres_server)
    build(seeds, fresh)
    assert _distinct(database_url) == _distinct(fresh)


def test_a_generation_of_an_older_layout_is_refused_by_readers_and_rebuilt_by_the_writer(
    tmp_path: Path, database_url: str
) -> None:
    seeds = write_library(tmp_path / "library")
    build(seeds, database_url)
    old = query(database_url, "SELECT generation FROM rkb.library")
    query(database_url, "DELETE FROM {g}.stats WHERE name = 'layout'")  # as 0.9.0 wrote it
    with pytest.raises(DatabaseError, match=r"built by an older rkb; run `rkb index --db URL`"):
        _open(seeds, database_url)
    build(seeds, database_url)
    assert query(database_url, "SELECT generation FROM rkb.library") != old
    assert _open(seeds, database_url).documents()


KILLED = """
import os, signal, sys
from pathlib import Path
from reindustry_kb.embed import embedder
from reindustry_kb.index.registry import get_backend
from reindustry_kb.indexing import pipeline
from reindustry_kb.settings import Settings
from tests.conftest import FakeEmbedder
embedder.EMBEDDERS["fake"] = FakeEmbedder
settings = Settings(seeds_dir=Path(sys.argv[1]), database_url=sys.argv[2], embedder="fake")
real = pipeline._write_fresh
def write_then_die(writer, *args):
    real(writer, *args)
    os.kill(os.getpid(), signal.SIGKILL)  # mid-upload: one document written, none published
pipeline._write_fresh = write_then_die
pipeline.build_index(settings)
"""


def test_a_writer_killed_mid_upload_leaves_the_live_generation(
    tmp_path: Path, database_url: str
) -> None:
    seeds = write_library(tmp_path / "library")
    build(seeds, database_url)
    before = [d.model_dump() for d in _open(seeds, database_url).documents()]
    (seeds / "grid.md").write_text("# Grid\n\nThe grid added 5 GW of storage.\n")
    (seeds / "more.md").write_text("# More\n\nWind capacity grew 20% in Taiwan.\n")
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLED), str(seeds), database_url],
        cwd=Path(__file__).parents[3],
        capture_output=True,
        check=False,
    )
    assert done.returncode == -9, done.stderr
    assert [d.model_dump() for d in _open(seeds, database_url).documents()] == before
    stats = build(seeds, database_url)  # the lock died with the writer's connection
    assert (stats.added, stats.changed) == (1, 1)
