"""End to end with the real default embedder (e5-onnx) over the real seeds."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reindustry_kb.ask.evaluate import compare_retrievers, evaluate, load_questions
from reindustry_kb.ask.session import Session
from reindustry_kb.cli import app
from reindustry_kb.settings import Settings
from tests.conftest import DATA, SEEDS

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("e2e") / "indexes"
    result = runner.invoke(
        app, ["index", "--seeds", str(SEEDS), "--index-dir", str(index_dir)], env={}
    )
    assert result.exit_code == 0, result.stderr
    return index_dir


def _ask(index_dir: Path, question: str, k: int = 5) -> list[dict[str, object]]:
    result = runner.invoke(
        app, ["ask", question, "--json", "-k", str(k), "--index-dir", str(index_dir)]
    )
    assert result.exit_code == 0, result.stderr
    hits: list[dict[str, object]] = json.loads(result.stdout)["hits"]
    return hits


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("美國今年的關稅收入預計有多少？", "3000 億美元"),  # zh-Hant
        ("高盛估计美国企业发行了多少AI相关债券？", "2千億美元"),  # zh-Hans over zh-Hant text
        ("How much solar capacity did China add in 2024?", "280 GW"),  # English over Chinese text
        ("Which government took a stake in Intel?", "入股英特爾"),
        ("美國應如何擴大使用DFC等戰略投資工具？", "DFC"),
        ("Should the US emulate China's state-backed model?", "emulate"),  # English over English
    ],
)
def test_questions_find_their_answer(seed_index: Path, question: str, answer: str) -> None:
    hits = _ask(seed_index, question)
    assert any(answer in str(hit["text"]) for hit in hits), [hit["citation"] for hit in hits]


def test_every_hit_is_the_source_at_its_span_and_lines(seed_index: Path) -> None:
    for question in ("再工業化", "tariffs and the deficit", "稀土永磁", "AI 出口"):
        for hit in _ask(seed_index, question, k=10):
            original = (SEEDS / f"{hit['doc_id']}.txt").read_text(encoding="utf-8")
            assert original[hit["char_start"] : hit["char_end"]] == hit["text"]  # type: ignore[misc]
            lines = original.split("\n")[int(hit["line_start"]) - 1 : int(hit["line_end"])]  # type: ignore[call-overload]
            assert hit["text"] in "\n".join(lines)


def test_development_set_recall(seed_index: Path) -> None:
    """The shipped bilingual development set: the hybrid must beat each retriever alone."""
    session = Session.open(Settings(index_dir=seed_index))
    questions = load_questions(DATA / "seeds_questions.jsonl")
    reports = {name: evaluate(questions, run) for name, run in compare_retrievers(session).items()}
    hybrid = reports["hybrid"]
    assert hybrid.overall.recall["@5"] >= 0.9
    assert hybrid.by_group["cross-language"].recall["@5"] >= 0.85
    for alone in ("dense", "bm25", "rrf"):
        assert hybrid.overall.mrr10 >= reports[alone].overall.mrr10


def test_a_question_the_library_cannot_answer_has_no_good_match(seed_index: Path) -> None:
    """The shipped calibration of the default embedder: off-topic is weak, an answer is not."""
    for question in ("What is the best pizza recipe in Naples?", "紅燒肉要怎麼做才會軟嫩入味？"):
        result = runner.invoke(app, ["ask", question, "--json", "--index-dir", str(seed_index)])
        payload = json.loads(result.stdout)
        assert payload["no_good_match"] is True
        assert all(hit["weak"] and hit["probability"] < 0.05 for hit in payload["hits"])
    first = _ask(seed_index, "美國今年的關稅收入預計有多少？")[0]
    assert "3000 億美元" in str(first["text"]) and first["weak"] is False
