"""Cold-start benchmark for `rkb ask`: each run is a new process, as an analyst would start it.

    python scripts/bench_cold.py [--index-dir indexes] [--runs 7]

Prints the median, min and max wall time of `rkb ask QUESTION --json` over the runs (the
index must exist: `rkb index` first), then a one-process breakdown of where the time goes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUESTIONS = [
    "美國今年的關稅收入有多少？",
    "How much solar capacity did China add?",
    "高盛估计的AI债券规模",
]

# Run in a fresh interpreter: timings of each stage of one cold `ask`.
BREAKDOWN = r"""
import time, json, sys
t0 = time.perf_counter(); marks = {}
def mark(name):
    global t0
    now = time.perf_counter(); marks[name] = round((now - t0) * 1000, 1); t0 = now
import typer, rich; mark("import typer+rich")
from reindustry_kb.cli import app; mark("import reindustry_kb.cli")
from reindustry_kb.ask.questions import ask
from reindustry_kb.ask.session import Session
from reindustry_kb.settings import Settings
mark("import pipeline (pydantic, numpy)")
session = Session.open(Settings.from_env(index_dir=sys.argv[1])); mark("open index + load embedder")
dense = session.reader.dense  # the local backend's dense index
[dense.faiss(kind, g) for kind in ("passages", "windows") for g in dense.groups]
session.dense; mark("open dense index (memory-mapped FAISS, group statistics)")
session.terms.query_terms("暖身"); mark("load BM25 + query dictionary")
session.embedder.embed_query("美國關稅"); mark("embed one query")
ask(session, sys.argv[2], 5); mark("search + fuse + read passages")
print(json.dumps(marks, ensure_ascii=False))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description="Cold-start benchmark for `rkb ask`.")
    parser.add_argument("--index-dir", default=os.environ.get("RKB_INDEX_DIR", "indexes"))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    rkb = Path(sys.executable).with_name("rkb")
    if not Path(args.index_dir, "CURRENT").exists():
        sys.exit(f"no index in {args.index_dir}; run `rkb index` first")
    times = []
    for run in range(args.runs):
        question = QUESTIONS[run % len(QUESTIONS)]
        started = time.perf_counter()
        done = subprocess.run(
            [str(rkb), "ask", question, "--json", "--index-dir", args.index_dir],
            capture_output=True,
            text=True,
            check=False,
        )
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            sys.exit(f"rkb ask failed: {done.stderr.strip()}")
        json.loads(done.stdout)
    print(
        f"cold `rkb ask --json` over {args.runs} runs: median {statistics.median(times):.3f}s "
        f"(min {min(times):.3f}s, max {max(times):.3f}s)"
    )
    marks = subprocess.run(
        [sys.executable, "-c", BREAKDOWN, args.index_dir, QUESTIONS[0]],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    print("one cold run, milliseconds per stage:")
    for stage, ms in json.loads(marks).items():
        print(f"  {ms:>7.1f}  {stage}")


if __name__ == "__main__":
    main()
