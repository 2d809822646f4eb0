"""The backend contract: what every index backend must do alike, through the seam's public
methods only (index/backend.py). One set of tests, run against each backend in BACKENDS.

The library is small and built to tell filter semantics apart: dates of three precisions and
none, a document of mixed language, ids holding `_` and `%`, a Han term inside a longer word and
a Latin word inside a longer one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reindustry_kb.errors import IndexBusyError, IndexMissingError, UnknownDocumentError
from reindustry_kb.index.backend import Backend, IndexReader
from reindustry_kb.index.registry import get_backend
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.models import NO_FILTERS, ClaimFilters, Filters, passage_key, passage_order
from reindustry_kb.settings import Settings

# Every backend the registry offers is run through the same tests.
BACKENDS = ["local", "postgres"]

LIBRARY = {
    "solar_2025.md": "---\ntitle: Solar tariffs\ndate: 2025-07-14\n---\n"
    "The tariff rate on solar panels rose to 15% in 2025.\n",
    "battery_2024.txt": "---\ntitle: 锂电池\ndate: 2024-12-01\n---\n"
    "锂电池产量增长了 35%，出口增加。\n",
    "grid_2025.md": "---\ntitle: Grid\ndate: 2025\n---\n"
    "Solar generation rose 12% in 2025 across the grid.\n",
    "undated.md": "# Undated note\n\nThe grid operator added 3 GW of storage.\n",
    "mixed.md": "# Mixed\n\n美國關稅收入創下新高，出口也增加了。\n"
    "Tariff revenue hit a record high this year, said the Treasury.\n",
    "under_score.md": "# Under score\n\nWind capacity grew 20% in Taiwan.\n",
    "underXscore.md": "# Under X score\n\nWind capacity grew 30% in Japan.\n",
    "100%_sure.md": "# Percent\n\nThe subsidy covered 40% of the cost.\n",
}


@pytest.fixture(params=BACKENDS)
def backend_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings naming an empty index of the backend under test, and a library folder."""
    seeds = tmp_path / "library"
    seeds.mkdir()
    for name, text in LIBRARY.items():
        (seeds / name).write_text(text, encoding="utf-8")
    if request.param == "postgres":
        url = request.getfixturevalue("database_url")
        return Settings(seeds_dir=seeds, database_url=url, embedder="fake")
    assert request.param == "local"  # a new backend adds its settings here
    return Settings(seeds_dir=seeds, index_dir=tmp_path / "index", embedder="fake")


@pytest.fixture
def backend(backend_settings: Settings) -> Backend:
    return get_backend(backend_settings)


@pytest.fixture
def reader(backend_settings: Settings, backend: Backend) -> IndexReader:
    build_index(backend_settings)
    return backend.open()


def allowed_documents(reader: IndexReader, filters: Filters) -> set[str]:
    """The documents whose passages the filters let through, seen by both retrievers: every
    dense candidate (the library is smaller than a pool) and every passage BM25 scores for a
    term each of them holds."""
    vector = np.ones(reader.dense_stats().dim, dtype=np.float32)
    dense = {key.rpartition("#p")[0] for key in reader.dense_candidates(vector, 1000, filters).keys}
    words = [(term, 1.0) for term in ("solar", "grid", "wind", "锂", "subsidy", "关税")]
    lexical = {key.rpartition("#p")[0] for key in reader.lexical_scores(words, filters)}
    assert lexical <= dense
    return dense


def test_a_missing_index_is_a_one_line_error(backend: Backend) -> None:
    with pytest.raises(IndexMissingError):
        backend.open()
    assert backend.summary() is None


def test_records_by_key(reader: IndexReader) -> None:
    documents = reader.documents()
    assert [d.doc_id for d in documents] == sorted(Path(n).stem for n in LIBRARY)
    passages = list(reader.iter_passages())
    assert sum(d.n_passages for d in documents) == len(passages) == reader.dense_stats().n
    keys = [p.passage_id for p in passages]
    assert keys == sorted(keys, key=passage_order)  # document order
    fetched = reader.passages(keys[::-1])
    assert set(fetched) == set(keys) and all(fetched[p.passage_id] == p for p in passages)
    battery = reader.documents_by_id(["battery_2024", "nothing"])
    assert list(battery) == ["battery_2024"] and battery["battery_2024"].date == "2024-12-01"
    # Its passages' keys follow from its count (ask/provisions.py reads a law's head so).
    counted = [
        passage_key("battery_2024", n) for n in range(1, battery["battery_2024"].n_passages + 1)
    ]
    assert counted == [key for key in keys if key.startswith("battery_2024#")]
    text = reader.document_text("battery_2024")
    assert text is not None and "锂电池产量增长了 35%" in text
    assert reader.document_text("nothing") is None
    claims = reader.claims_by_passage(keys)
    assert set(claims) == set(keys)
    found = [claim for listed in claims.values() for claim in listed]
    assert len(found) == sum(d.n_claims for d in documents) > 0
    assert reader.claims_by_id([c.id for c in found[:3]]) == {c.id: c for c in found[:3]}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(since="2025"), {"solar_2025", "grid_2025"}),
        # A date of a year alone stands at the year's start: before 2025-07, not after it.
        (Filters(since="2025-07"), {"solar_2025"}),
        (Filters(since="2025-07-15"), set()),
        (Filters(until="2025-07"), {"solar_2025", "battery_2024", "grid_2025"}),
        (Filters(until="2024"), {"battery_2024"}),
        (Filters(since="2024-12", until="2024-12"), {"battery_2024"}),
    ],
)
def test_dates_compare_at_the_precision_given_and_undated_documents_drop(
    reader: IndexReader, filters: Filters, expected: set[str]
) -> None:
    assert allowed_documents(reader, filters) == expected


def allowed_passages(reader: IndexReader, filters: Filters) -> set[str]:
    vector = np.ones(reader.dense_stats().dim, dtype=np.float32)
    return set(reader.dense_candidates(vector, 1000, filters).keys)


def test_a_language_filter_takes_each_passage_of_a_mixed_document_by_its_own(
    reader: IndexReader,
) -> None:
    assert reader.documents_by_id(["mixed"])["mixed"].lang == "mixed"
    langs = {p.passage_id: p.lang for p in reader.iter_passages()}
    assert langs["mixed#p001"] == "zh-Hant" and langs["mixed#p002"] == "en"
    assert allowed_passages(reader, Filters(lang="zh")) == {"battery_2024#p001", "mixed#p001"}
    assert allowed_passages(reader, Filters(lang="zh-Hans")) == {"battery_2024#p001"}
    assert allowed_passages(reader, Filters(lang="zh-hant")) == {"mixed#p001"}
    english = allowed_passages(reader, Filters(lang="en"))
    assert english == {key for key, lang in langs.items() if lang == "en"}
    assert "mixed#p002" in english and len(english) == 7


@pytest.mark.parametrize(
    ("docs", "expected"),
    [
        (("under_score",), {"under_score"}),  # _ is literal: underXscore does not match
        (("under_*",), {"under_score"}),
        (("under*",), {"under_score", "underXscore"}),
        (("100%_sure",), {"100%_sure"}),
        (("100*",), {"100%_sure"}),
        (("1*",), {"100%_sure"}),
        (("mixed.md",), {"mixed"}),  # a file name
        (("grid_2025", "battery_2024"), {"grid_2025", "battery_2024"}),
    ],
)
def test_documents_by_id_name_or_prefix(
    reader: IndexReader, docs: tuple[str, ...], expected: set[str]
) -> None:
    reader.check_documents(docs)
    assert allowed_documents(reader, Filters(docs=docs)) == expected


@pytest.mark.parametrize("docs", [("%*",), ("under%",), ("under_",), ("nothing",)])
def test_a_doc_that_names_nothing_is_an_error(reader: IndexReader, docs: tuple[str, ...]) -> None:
    # % and _ are literal, not SQL wildcards.
    with pytest.raises(UnknownDocumentError):
        reader.check_documents(docs)


def test_mentions_match_han_inside_words_and_latin_words_whole(reader: IndexReader) -> None:
    han = reader.find_claims(ClaimFilters(mentions=("锂",)))  # stands inside 锂电池
    assert han and {c.doc_id for c in han} == {"battery_2024"}
    rate = reader.find_claims(ClaimFilters(mentions=("rate",)))  # not in "generation"
    assert rate and {c.doc_id for c in rate} == {"solar_2025"}
    assert not reader.find_claims(ClaimFilters(mentions=("ate",)))


def test_claim_filters(reader: IndexReader) -> None:
    percents = reader.find_claims(ClaimFilters(unit="%", min_value=30))
    assert percents and all(c.kind == "statistic" for c in percents)
    assert {c.doc_id for c in percents} == {"battery_2024", "underXscore", "100%_sure"}
    dated = reader.find_claims(ClaimFilters(kind="statistic", since="2025"))
    assert {c.doc_id for c in dated} == {"solar_2025", "grid_2025"}
    with pytest.raises(UnknownDocumentError):
        reader.find_claims(ClaimFilters(docs=("nothing*",)))


def test_dense_candidates_vectors_and_standardisers(reader: IndexReader) -> None:
    stats = reader.dense_stats()
    assert stats.centroids.shape == (len(stats.groups), 2, stats.dim)
    assert stats.spreads.shape == (len(stats.groups), stats.dim, stats.dim)
    query = np.random.default_rng(1).standard_normal(stats.dim).astype(np.float32)
    found = reader.dense_candidates(query, 2, NO_FILTERS)
    assert 2 <= len(found.keys) <= 2 * 4 * len(stats.groups)  # two a list, windows 3 x 2
    assert set(found.lasts) <= {(kind, g) for kind in ("passages", "windows") for g in stats.groups}
    keys = [p.passage_id for p in reader.iter_passages()]
    vectors = reader.passage_vectors(keys[::-1])
    assert sorted(vectors.keys) == sorted(keys)
    assert vectors.own.shape == (len(keys), stats.dim)
    assert vectors.offsets[-1] == len(vectors.windows) and vectors.offsets[0] == 0
    groups = reader.passage_groups(keys)
    assert [groups[key] for key in vectors.keys] == vectors.groups.tolist()
    # Where the similarities are computed (a server, from its vectors) changes nothing.
    here = vectors.similarities(query)
    there = reader.dense_similarities(keys[::-1], query)
    assert there.keys == here.keys and there.groups.tolist() == here.groups.tolist()
    assert np.allclose(there.own, here.own, atol=1e-5)
    assert np.array_equal(np.isinf(there.best), np.isinf(here.best))
    assert np.allclose(
        there.best[np.isfinite(here.best)], here.best[np.isfinite(here.best)], atol=1e-5
    )
    # Every list's last similarity bounds what it did not return.
    everything = reader.dense_candidates(query, 1000, NO_FILTERS)
    assert sorted(everything.keys) == sorted(keys) and everything.lasts == {}


def test_lexical_scores_limit_include_and_frequencies(
    reader: IndexReader, backend_settings: Settings
) -> None:
    stats = reader.term_stats()
    assert stats.n == len(list(reader.iter_passages())) == sum(stats.group_sizes)
    terms = reader.query_terms("Solar tariff rate in 2025")
    assert "solar" in terms and "tariff" in terms and "in" not in terms
    frequencies = reader.document_frequencies(["solar", "grid", "nothing"])
    assert set(frequencies) == {"solar", "grid"}
    assert sum(frequencies["solar"]) == 2 and len(frequencies["solar"]) == len(stats.groups)
    weighted = [("solar", 1.0), ("grid", 0.5)]
    fresh = get_backend(backend_settings).open()  # no key seen yet: `include` is looked up
    every = reader.lexical_scores(weighted, NO_FILTERS)
    assert {key.rpartition("#p")[0] for key in every} == {"solar_2025", "grid_2025", "undated"}
    best = max(every, key=every.__getitem__)
    low = min(every, key=every.__getitem__)
    limited = fresh.lexical_scores(weighted, NO_FILTERS, limit=1, include=[low, "nothing#p001"])
    assert limited == {best: every[best], low: every[low]}
    dated = reader.lexical_scores(weighted, Filters(since="2025"), limit=1)
    assert len(dated) == 1 and next(iter(dated)).startswith(("solar_2025", "grid_2025"))


def test_vectors_are_lent_by_text_digest(reader: IndexReader) -> None:
    from reindustry_kb.embed.embedder import text_key
    from reindustry_kb.ingest.segment import embedding_text

    passages = list(reader.iter_passages())[:5]
    documents = reader.documents_by_id({p.doc_id for p in passages})
    digests = {text_key(embedding_text(p, documents[p.doc_id])): p.passage_id for p in passages}
    handles = reader.embedded_texts([*digests, bytes(16), b"never embedded..."])
    assert handles.keys() == digests.keys()  # the unknown ones are passed over
    vectors = reader.embedded_vectors(np.array([handles[d] for d in digests]))
    own = reader.passage_vectors(list(digests.values()))
    expected = dict(zip(own.keys, own.own, strict=True))
    assert vectors.dtype == np.float16
    np.testing.assert_array_equal(vectors, np.stack([expected[k] for k in digests.values()]))


def test_a_new_generation_carries_unchanged_documents_and_deletes_removed_ones(
    backend_settings: Settings, backend: Backend
) -> None:
    build_index(backend_settings)
    before = backend.open()
    kept_keys = [p.passage_id for p in before.iter_passages() if p.doc_id == "grid_2025"]
    kept = before.passage_vectors(kept_keys)
    seeds = backend_settings.seeds_dir
    (seeds / "undated.md").unlink()
    (seeds / "solar_2025.md").write_text(
        "---\ntitle: Solar tariffs\ndate: 2025-07-14\n---\nThe tariff on solar panels fell.\n",
        encoding="utf-8",
    )
    stats = build_index(backend_settings)
    assert (stats.added, stats.changed, stats.removed, stats.unchanged) == (0, 1, 1, 6)
    after = backend.open()
    assert "undated" not in after.documents_by_id(["undated", "grid_2025"])
    assert not any(p.doc_id == "undated" for p in after.iter_passages())
    assert allowed_documents(after, NO_FILTERS) == {Path(n).stem for n in LIBRARY} - {"undated"}
    assert not after.lexical_scores([("storage", 1.0)], NO_FILTERS)  # only undated said it
    assert after.find_claims(ClaimFilters(docs=("solar_2025",), unit="%")) == []
    carried = after.passage_vectors(kept_keys)
    assert carried.keys == kept.keys
    assert np.array_equal(carried.own, kept.own) and np.array_equal(carried.windows, kept.windows)
    assert after.passages(kept_keys) == before.passages(kept_keys)


def test_a_text_repeated_counts_once_in_the_dense_statistics(
    backend_settings: Settings, backend: Backend, reader: IndexReader
) -> None:
    # Copies of one file (same title, same text: the same embedded texts) leave every group's
    # centroids and spread as they were, added (an update, where a backend keeps running
    # sums) and removed again; the passages are counted all the same.
    def statistics(reader: IndexReader) -> tuple[list[str], object, object]:
        stats = reader.dense_stats()
        return stats.groups, stats.centroids, stats.spreads

    groups, centroids, spreads = statistics(reader)
    seeds = backend_settings.seeds_dir
    for copy in range(4):
        (seeds / f"copy{copy}.md").write_bytes((seeds / "solar_2025.md").read_bytes())
    assert build_index(backend_settings).added == 4
    copied = backend.open()
    assert copied.term_stats().n == copied.dense_stats().n == reader.term_stats().n + 4
    assert statistics(copied)[0] == groups
    np.testing.assert_allclose(statistics(copied)[1], centroids, atol=1e-6)
    np.testing.assert_allclose(statistics(copied)[2], spreads, atol=1e-6)
    for copy in range(3):
        (seeds / f"copy{copy}.md").unlink()
    (seeds / "solar_2025.md").unlink()  # the first of them: one copy still holds the text
    assert build_index(backend_settings).removed == 4
    np.testing.assert_allclose(statistics(backend.open())[1], centroids, atol=1e-6)
    np.testing.assert_allclose(statistics(backend.open())[2], spreads, atol=1e-6)
    (seeds / "copy3.md").unlink()  # the text's last copy: its vectors leave the statistics
    build_index(backend_settings)
    assert not np.allclose(statistics(backend.open())[1], centroids, atol=1e-6)


def test_an_unpublished_generation_leaves_the_live_one(
    backend_settings: Settings, backend: Backend, reader: IndexReader
) -> None:
    before = [d.doc_id for d in reader.documents()]
    with pytest.raises(RuntimeError), backend.writer(reader.dense_stats().dim, reader):
        raise RuntimeError("interrupted")
    assert [d.doc_id for d in backend.open().documents()] == before


def test_one_writer_at_a_time(backend: Backend) -> None:
    with backend.lock(), pytest.raises(IndexBusyError), backend.lock():
        pass


def test_a_library_remembers_its_folder_and_knows_when_it_is_stale(
    backend_settings: Settings, tmp_path: Path
) -> None:
    import shutil

    from reindustry_kb.errors import WrongFolderError
    from reindustry_kb.indexing.freshness import check_index

    build_index(backend_settings)
    assert check_index(backend_settings).up_to_date
    (backend_settings.seeds_dir / "undated.md").write_text("# Undated\n\nNow 4 GW.\n")
    assert check_index(backend_settings).changed == ["undated"]
    other = backend_settings.model_copy(update={"seeds_dir": tmp_path / "other"})
    shutil.copytree(backend_settings.seeds_dir, other.seeds_dir)
    with pytest.raises(WrongFolderError, match="--replace"):
        build_index(other)
    assert build_index(other, replace=True).n_documents == len(LIBRARY)
