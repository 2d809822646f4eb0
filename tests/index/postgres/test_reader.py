"""Reading a PostgreSQL library: one snapshot a reader, hostile text kept as data, errors as
one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from reindustry_kb.ask.questions import ask
from reindustry_kb.ask.session import Session
from reindustry_kb.errors import DatabaseError
from reindustry_kb.index.postgres import schema
from reindustry_kb.index.registry import get_backend
from reindustry_kb.models import ClaimFilters, Filters
from tests.index.postgres.library import build, query, settings_for, write_library

HOSTILE = {
    "x'; DROP TABLE documents; --.md": '---\ntitle: "Robert\'); DROP TABLE passages;--"\n---\n'
    "Solar tariffs rose 15% (a '%s' and a ? and a \\\\ in the text).\n",
    "100%_?.md": "# $1 ? %(name)s\n\nWind capacity grew 20% in Taiwan.\n",
}


def test_a_reader_keeps_its_snapshot_while_a_writer_publishes(
    tmp_path: Path, database_url: str
) -> None:
    seeds = write_library(tmp_path / "library")
    build(seeds, database_url)
    backend = get_backend(settings_for(seeds, database_url))
    old = backend.open()
    before = [d.doc_id for d in old.documents()]
    wind = [p.passage_id for p in old.iter_passages() if p.doc_id == "wind"]
    (seeds / "wind.md").unlink()
    (seeds / "new.md").write_text("# New\n\nSolar grew.\n")
    build(seeds, database_url)  # in place, committed while `old` is open
    assert [d.doc_id for d in old.documents()] == before
    assert old.passages(wind).keys() == set(wind)  # a removed document's, in its snapshot
    assert [d.doc_id for d in backend.open().documents()] == ["battery", "grid", "new", "solar"]


def test_hostile_titles_file_names_and_questions_are_only_data(
    tmp_path: Path, database_url: str
) -> None:
    seeds = write_library(tmp_path / "library", HOSTILE)
    build(seeds, database_url)
    settings = settings_for(seeds, database_url)
    session = Session.open(settings)
    titles = {d.title for d in session.reader.documents()}
    assert "Robert'); DROP TABLE passages;--" in titles
    for question in ("'; DROP TABLE terms; --", "100% ? %s $1 solar", "\\ ' \" ;"):
        ask(session, question, 5)
    ask(session, "solar", 5, Filters(docs=("x'; DROP TABLE documents; --",)))
    ask(session, "wind", 5, Filters(docs=("100%_?*",)))
    reader = get_backend(settings).open()
    assert reader.find_claims(ClaimFilters(docs=("100%_?",), mentions=("capacity",)))
    live = "(SELECT generation FROM rkb.library)"
    tables = f"SELECT count(*) FROM pg_tables WHERE schemaname = {live}"
    assert query(database_url, tables) == [(len(schema.TABLE_NAMES),)]


def test_a_lost_connection_is_one_line(
    tmp_path: Path, database_url: str, postgres_server: str
) -> None:
    seeds = write_library(tmp_path / "library")
    build(seeds, database_url)
    reader = get_backend(settings_for(seeds, database_url)).open()
    query(
        postgres_server,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()",
        (database_url.split("/")[3].split("?")[0],),
    )
    with pytest.raises(DatabaseError, match=r"lost the connection .* run the command again"):
        reader.documents()


def test_common_terms_propose_their_best_postings_and_candidates_score_in_full(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reindustry_kb.index.postgres import reader as postgres_reader
    from reindustry_kb.models import NO_FILTERS

    files = {f"doc{n}.md": f"# Doc {n}\n\nsolar {'grid ' * n}storage in Texas.\n" for n in range(6)}
    seeds = write_library(tmp_path / "library", files)
    build(seeds, database_url)
    reader = get_backend(settings_for(seeds, database_url)).open()
    terms = [("solar", 1.0), ("grid", 1.0), ("texas", 0.5)]
    exact = reader.lexical_scores(terms, NO_FILTERS)
    monkeypatch.setattr(postgres_reader, "TOP_POSTINGS", 2)  # every term is "common" now
    last = min(exact, key=exact.__getitem__)
    limited = reader.lexical_scores(terms, NO_FILTERS, limit=2, include=[last, "no#p1"])
    assert last in limited and len(limited) == 3
    assert max(exact, key=exact.__getitem__) in limited  # the best by impact comes first
    for key, score in limited.items():
        assert score == pytest.approx(exact[key])  # candidates are scored over all terms


def test_each_language_group_is_searched_through_a_graph_of_its_own(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    from reindustry_kb.index.postgres import reader as postgres_reader
    from reindustry_kb.models import NO_FILTERS

    files = {f"zh{n}.md": f"# 文件{n}\n\n锂电池产量增长了{n}成，出口增加。\n" for n in range(8)}
    files |= {f"en{n}.md": f"# Doc {n}\n\nSolar output grew {n} percent.\n" for n in range(4)}
    seeds = write_library(tmp_path / "library", files)
    build(seeds, database_url)
    # 12 passages in all: every list through its graphs, the group of 4 English ones too
    monkeypatch.setattr(postgres_reader, "EXACT_VECTORS", 10)
    reader = get_backend(settings_for(seeds, database_url)).open()
    statements: list[str] = []
    real = reader._rows
    monkeypatch.setattr(
        reader, "_rows", lambda sql, *a, **k: statements.append(sql) or real(sql, *a, **k)
    )
    graphs = query(
        database_url, "SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%graph%%'"
    )
    assert len(graphs) == 2 * len(reader.dense_stats().groups)
    chinese = reader.dense_stats().centroids[reader.dense_stats().groups.index("zh"), 0]
    found = reader.dense_candidates(np.asarray(chinese, np.float32), 3, NO_FILTERS)
    english = {key for key in found.keys if key.startswith("en")}
    assert len(english) >= 3  # a Chinese question still gets the English group's best 3
    assert ("passages", "en") in found.lasts
    searches = [sql for sql in statements if "ORDER BY" in sql and "<#>" in sql]
    assert len(searches) == 4 and not any("+ 0" in sql for sql in searches)  # no exact scan


def test_passages_can_be_iterated_again_after_stopping_early(
    tmp_path: Path, database_url: str
) -> None:
    import itertools

    seeds = write_library(tmp_path / "library")
    build(seeds, database_url)
    reader = get_backend(settings_for(seeds, database_url)).open()
    first = next(iter(reader.iter_passages()))
    assert list(itertools.islice(reader.iter_passages(), 1)) == [first]
    assert len(list(reader.iter_passages())) == sum(d.n_passages for d in reader.documents())


def test_a_filtered_search_through_the_graphs_keeps_to_the_filter_across_shared_windows(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    from reindustry_kb.ask.dense import dense_search
    from reindustry_kb.index.postgres import reader as postgres_reader

    shared = "The authority collects the fines within thirty days of notice. " * 4
    files = {
        f"act{n}.md": f"# Act {n}\n\n"
        + " ".join(f"Section {n}.{k} sets a quota of {n * k} GW." for k in range(10))
        + f" {shared}\n"
        for n in range(6)
    }
    seeds = write_library(tmp_path / "library", files)
    build(seeds, database_url)
    windows = "SELECT count(*) > count(DISTINCT eid) FROM {g}.window_vectors"
    assert query(database_url, windows) == [(True,)]  # the acts share window vectors
    reader = get_backend(settings_for(seeds, database_url)).open()
    question = np.asarray(reader.passage_vectors(["act0#p001"]).windows[-1], np.float32)
    only = Filters(docs=("act2", "act4"))
    exact = dense_search(reader, reader.dense_stats(), question, only)
    monkeypatch.setattr(postgres_reader, "EXACT_VECTORS", 0)
    monkeypatch.setattr(postgres_reader, "EXACT_FILTER_LIMIT", 0)
    graphed = dense_search(reader, reader.dense_stats(), question, only)
    docs = {p.doc_id for p in reader.passages(list(graphed)).values()}
    assert docs == {"act2", "act4"}  # not the other acts that share the windows' texts
    assert graphed.keys() == exact.keys()
    for key, score in exact.items():
        assert graphed[key] == pytest.approx(score)
