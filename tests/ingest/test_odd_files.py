"""No single file stops or loses a build: odd files (tests/odd_files.py) beside real documents,
one by one, in random mixtures, changed or deleted mid-build, and a build killed halfway."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from reindustry_kb.ask.questions import ask
from reindustry_kb.ask.session import Session, open_reader
from reindustry_kb.cli import app
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.ingest import sources
from reindustry_kb.settings import Settings
from tests.ingest.odd_files import (
    INDEXED,
    KINDS,
    LARGE,
    PASSED_OVER,
    SKIPPED,
    SUITE_MAX_FILE_MB,
    write_odd_files,
)

DOCS = Path(__file__).parents[1] / "data" / "docs"
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"RKB_EMBEDDER": "hashing", "COLUMNS": "80"})
    return result.exit_code, result.stdout, result.stderr


def _library(folder: Path, kinds: list[str] | None = None) -> dict[str, str]:
    """Real documents and odd files side by side; the expected outcome of each odd one."""
    shutil.copytree(DOCS, folder, dirs_exist_ok=True)
    return write_odd_files(folder, kinds)


def _check_outcomes(expected: dict[str, str], indexed: set[str], skipped: dict[str, dict]) -> None:
    for path, outcome in expected.items():
        if outcome == INDEXED:
            assert path in indexed, (path, skipped.get(path))
        elif outcome == SKIPPED:
            assert skipped[path]["unreadable"] and skipped[path]["reason"], path
        elif outcome == PASSED_OVER:
            assert not skipped[path]["unreadable"] and skipped[path]["reason"], path
        else:  # either, but one of them, with a reason when skipped
            assert (path in indexed) != (path in skipped), path
    assert not indexed & set(skipped)


def test_every_odd_file_is_indexed_or_skipped_with_its_reason(tmp_path: Path) -> None:
    folder, index = tmp_path / "library", tmp_path / "index"
    expected = _library(folder)
    assert len(KINDS) >= 30
    code, out, err = run(
        "index", "--seeds", str(folder), "--index-dir", str(index),
        "--max-file-mb", str(SUITE_MAX_FILE_MB), "--json",
    )  # fmt: skip
    assert code == 0, err
    stats = json.loads(out)
    skipped = {s["path"]: s for s in stats["skipped"]}
    settings = Settings(index_dir=index)
    documents = {d.path: d for d in open_reader(settings).documents()}
    _check_outcomes(expected, set(documents), skipped)
    assert set(documents) | set(skipped) >= {*expected, "brief_en.md", "policy_hans.txt"}
    # Honest counts: a skipped file is never added.
    assert stats["added"] == stats["n_documents"] == len(documents)
    assert "too large" in skipped["huge.txt"]["reason"]
    assert "disappeared" not in err and "Traceback" not in err

    # The short documents answer, each as itself.
    for question, path in [("secret", "secret.txt"), ("美國 tariffs", "mixed.txt")]:
        top = ask(Session.open(settings), question, 1).hits[0]
        assert top.doc_id == Path(path).stem and top.text.strip(), question
    farewell = documents["farewell.md"]
    assert farewell.title == "America\u2019s farewell page" and farewell.date == "2025-01-02"
    assert farewell.authors == ["Jane Doe"] and farewell.n_passages == 1
    assert documents["undated.docx"].date is None  # not python-docx's template stamp
    assert documents["long_line.txt"].n_passages > 100  # a 5 MB line is cut, not one passage

    # The Big5 news page answers from its article, with no navigation or comment form.
    news = ask(Session.open(settings), "經濟部補助半導體設備業者多少錢", 5)
    from_news = [hit for hit in news.hits if hit.doc_id == "news_big5"]
    assert from_news and "三百億元" in from_news[0].text
    for hit in from_news:
        assert not any(word in hit.text for word in ("首頁", "即時新聞", "留言", "版權所有"))


def test_strict_fails_on_the_same_folder_and_makes_nothing_new_live(tmp_path: Path) -> None:
    folder, index = tmp_path / "library", tmp_path / "index"
    _library(folder, ["empty", "one_word", "unsupported", "hidden"])
    args = ("--seeds", str(folder), "--index-dir", str(index))
    assert run("index", *args)[0] == 0
    live = (index / "CURRENT").read_text()
    assert run("index", "--check", *args)[0] == 0
    code, out, _ = run("index", "--check", "--strict", *args)
    assert code == 1 and "empty.txt" in out and "tool.exe" not in out
    (folder / "policy_hans.txt").write_text("新的內容。\n", encoding="utf-8")
    code, _, err = run("index", "--strict", *args)
    assert code == 1 and err.count("\n") == 1 and "--strict: empty.txt: is empty;" in err
    assert (index / "CURRENT").read_text() == live
    assert not [p for p in index.iterdir() if p.name.startswith(".tmp-")]
    (folder / "empty.txt").unlink()
    (folder / b"caf\xe9.txt".decode("utf-8", "surrogateescape")).write_text("x")
    code, _, err = run("index", "--strict", *args)
    assert code == 1 and "--strict: caf\\xe9.txt: file name is not valid UTF-8" in err
    (folder / b"caf\xe9.txt".decode("utf-8", "surrogateescape")).unlink()
    code, out, err = run("index", "--strict", *args)
    assert code == 0, err  # other types and hidden files do not fail it
    assert run("index", "--check", "--strict", *args)[0] == 0


def test_a_file_that_cannot_be_read_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "library"
    _library(folder, ["one_word"])
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:  # tests run as root: permissions do not stop reads
        if self.name == "brief_en.md":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    stats = build_index(Settings(seeds_dir=folder, index_dir=tmp_path / "i", embedder="hashing"))
    reasons = {s.path: s.reason for s in stats.skipped}
    assert "cannot be read (Permission denied)" in reasons["brief_en.md"]
    assert stats.n_documents == 3


def test_a_reader_s_own_fault_loses_that_file_not_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reindustry_kb.ingest import extract

    folder = tmp_path / "library"
    _library(folder, ["big5_news_page"])

    def broken(data: bytes, name: str) -> extract.Extracted:
        raise AttributeError("'_Comment' object has no attribute 'rsplit'")

    monkeypatch.setattr(extract, "extract_html", broken)
    stats = build_index(Settings(seeds_dir=folder, index_dir=tmp_path / "i", embedder="hashing"))
    reason = {s.path: s.reason for s in stats.skipped}["news_big5.html"]
    assert reason.startswith("news_big5.html could not be read (AttributeError: ")
    assert stats.n_documents == 3


def test_files_changed_or_deleted_while_the_build_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "library"
    _library(folder, ["one_word"])
    real = sources.read_source

    def read_source(path: Path, seeds_dir: Path, max_bytes: int | None = None) -> sources.Source:
        if path.name == "brief_en.md":  # while the first file is read, others change
            (seeds_dir / "secret.txt").unlink(missing_ok=True)
            (seeds_dir / "policy_hans.txt").write_text("国务院发布新的通知。\n", "utf-8")
        return real(path, seeds_dir, max_bytes)

    monkeypatch.setattr(sources, "read_source", read_source)
    settings = Settings(seeds_dir=folder, index_dir=tmp_path / "i", embedder="hashing")
    stats = build_index(settings)
    assert "disappeared" in {s.path: s.reason for s in stats.skipped}["secret.txt"]
    policy = {d.doc_id: d for d in open_reader(settings).documents()}["policy_hans"]
    assert policy.n_passages == 1  # what was read is what was indexed, hash and all
    monkeypatch.setattr(sources, "read_source", real)
    (folder / "policy_hans.txt").write_text("国务院再次修改通知。\n", "utf-8")
    stats = build_index(settings)
    assert stats.changed == 1 and stats.n_documents == 3


@settings(
    max_examples=8,
    deadline=timedelta(seconds=60),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(kinds=st.lists(st.sampled_from(sorted(set(KINDS) - LARGE)), unique=True, max_size=12))
def test_any_mixture_builds_and_accounts_for_every_file(kinds: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder, index = Path(tmp) / "library", Path(tmp) / "index"
        expected = _library(folder, kinds)
        stats = build_index(Settings(seeds_dir=folder, index_dir=index, embedder="hashing"))
        skipped = {s.path: s.model_dump() for s in stats.skipped}
        documents = {d.path for d in open_reader(Settings(index_dir=index)).documents()}
        _check_outcomes(expected, documents, skipped)
        assert stats.n_documents == len(documents) >= 3
        assert ask(Session.open(Settings(index_dir=index)), "關稅", 3).hits


def test_a_killed_build_leaves_the_previous_index_answering(tmp_path: Path) -> None:
    folder, index = tmp_path / "library", tmp_path / "index"
    shutil.copytree(DOCS, folder)
    settings = Settings(seeds_dir=folder, index_dir=index, embedder="hashing")
    build_index(settings)
    live = (index / "CURRENT").read_text()
    seeds = Path(__file__).parents[2] / "seeds"
    for copy in range(40):  # enough work that the kill lands mid-build
        shutil.copytree(seeds, folder / f"copy{copy:02d}")
    command = [sys.executable, "-m", "reindustry_kb", "index", "--seeds", str(folder)]
    env = os.environ | {"RKB_INDEX_DIR": str(index), "RKB_EMBEDDER": "hashing"}
    process = subprocess.Popen(command, env=env, start_new_session=True)
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".tmp-build-") for p in index.iterdir()):
        assert process.poll() is None, "the build ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert (index / "CURRENT").read_text() == live
    assert ask(Session.open(settings), "關稅", 3).hits  # the previous build answers
    shutil.rmtree(folder / "copy00")
    stats = build_index(settings)  # the lock died with the process; the next build runs
    assert stats.n_documents == 3 + 39 * 5
    assert not [p for p in index.iterdir() if p.name.startswith(".tmp-")]
