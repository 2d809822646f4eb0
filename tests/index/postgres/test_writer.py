"""A PostgreSQL generation: an update in place ends where a rebuild would, touches only what
changed, and nothing of an unfinished one is ever seen."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reindustry_kb.ask.dense import dense_search
from reindustry_kb.index.backend import IndexReader
from reindustry_kb.index.registry import get_backend
from reindustry_kb.models import NO_FILTERS
from tests.conftest import new_database
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
