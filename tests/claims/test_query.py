"""`rkb claims` through the CLI, one test per filter, over the tiny fixtures."""

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reindustry_kb.cli import app

runner = CliRunner()


def claims(*args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["claims", "--json", *args], env={"RKB_EMBEDDER": "fake"})
    assert result.exit_code == 0, result.stderr
    payload: list[dict[str, object]] = json.loads(result.stdout)
    return payload


@pytest.fixture(autouse=True)
def indexed(docs_dir: Path) -> None:
    result = runner.invoke(app, ["index", "--seeds", str(docs_dir)], env={"RKB_EMBEDDER": "fake"})
    assert result.exit_code == 0, result.stderr


def test_every_claim_has_the_common_fields_and_exact_text(docs_dir: Path) -> None:
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
        original = next(docs_dir.glob(f"{claim['doc_id']}.*")).read_text(encoding="utf-8")
        assert original[claim["char_start"] : claim["char_end"]] == claim["text"]  # type: ignore[misc]
        assert original.count("\n", 0, claim["char_start"]) + 1 == claim["line"]  # type: ignore[arg-type]


def test_kind() -> None:
    statistics = claims("--kind", "statistic")
    assert statistics and all(c["kind"] == "statistic" for c in statistics)
    assert {(c["text"], c["value"], c["unit"]) for c in statistics} >= {
        ("約為 1,200 億美元", 1.2e11, "USD"),
        ("约为四千亿元人民币", 4e11, "CNY"),
        ("$195 billion", 1.95e11, "USD"),
        ("20 GW", 20, "GW"),
        ("$4 trillion", 4e12, "USD"),
    }


def test_unit_and_value_range() -> None:
    usd = claims("--unit", "usd")
    assert {c["text"] for c in usd} == {"約為 1,200 億美元", "$195 billion", "$4 trillion"}
    big = claims("--unit", "USD", "--min-value", "1e12")
    assert [c["text"] for c in big] == ["$4 trillion"]
    small = claims("--max-value", "25")
    assert all(c["kind"] == "statistic" and c["value"] <= 25 for c in small)  # type: ignore[operator]


def test_doc() -> None:
    assert {c["doc_id"] for c in claims("--doc", "policy_hans")} == {"policy_hans"}


@pytest.mark.parametrize(
    "alias", ["Congressional Budget Office", "CBO", "國會預算辦公室", "国会预算办公室"]
)
def test_actor_accepts_any_alias_in_any_script(alias: str) -> None:
    # the statistics of the passages that mention the CBO, and only those
    found = claims("--actor", alias, "--kind", "statistic")
    assert {c["text"] for c in found} == {"$195 billion", "$4 trillion"}


def test_actor_found_by_rules_and_speakers() -> None:
    assert any(c["name"] == "王大明" for c in claims("--actor", "王大明", "--kind", "actor"))


def test_lever_selects_passages() -> None:
    levers = claims("--lever", "tariff", "--kind", "policy_lever")
    assert levers and all(c["lever"] == "tariff" for c in levers)
    figures = claims("--lever", "tariff", "--kind", "statistic")
    assert {"約為 1,200 億美元", "$195 billion"} <= {c["text"] for c in figures}  # type: ignore[misc]
    assert "约为四千亿元人民币" not in {c["text"] for c in figures}


def test_since_and_until() -> None:
    dates = claims("--kind", "date", "--since", "2025")
    assert dates and all(str(c["value"]) >= "2025" for c in dates)
    assert "2030 年" in {c["text"] for c in dates}
    early = claims("--kind", "date", "--until", "2024")
    assert {c["value"] for c in early} == {"2024"}
    # other kinds follow the document's date
    assert {c["doc_id"] for c in claims("--kind", "statistic", "--since", "2025-10")} == {
        "brief_en"
    }


def test_csv_and_table_output() -> None:
    result = runner.invoke(app, ["claims", "--csv", "--kind", "statistic"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.exit_code == 0 and rows and rows[0]["kind"] == "statistic" and rows[0]["unit"]
    table = runner.invoke(app, ["claims", "--kind", "actor"], env={"COLUMNS": "150"})
    assert (
        table.exit_code == 0
        and "Congressional Budget Office" in table.stdout
        and "claims" in table.stdout
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "opinion"], "is not a claim kind"),
        (["--lever", "magic"], "is not a policy lever"),
        (["--since", "soon"], "is not a date"),
        (["--json", "--csv"], "choose one of"),
    ],
)
def test_bad_filters(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["claims", *args])
    assert result.exit_code == 1 and message in result.stderr and result.stdout == ""
