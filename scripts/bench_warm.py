"""Warm-question benchmark: one process answers a question set over and over, as `rkb eval`,
`rkb export` or a server would; the medians of several rounds, and the page faults a question.

    python scripts/bench_warm.py --index-dir DIR --questions FILE [--rounds 3] [--limit 50]

FILE is JSONL with a "question" field (tests/data/dev_questions.jsonl) or a JSON list of
strings. Each question is asked once before the rounds, so the embedder's memo, the page cache
and the query dictionary are warm and the rounds time retrieval alone. Run it with another
checkout's code first on the path (`PYTHONPATH=../other/src python scripts/bench_warm.py ...`)
to compare two versions over the same index.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from pathlib import Path

from reindustry_kb.ask.questions import ask
from reindustry_kb.ask.session import Session
from reindustry_kb.settings import Settings


def load(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return [str(question) for question in json.loads(text)]
    return [json.loads(line)["question"] for line in text.splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit", type=int, default=50, help="questions used, at most")
    parser.add_argument("-k", type=int, default=5)
    args = parser.parse_args()
    questions = load(args.questions)[: args.limit]
    session = Session.open(Settings.from_env(index_dir=args.index_dir))
    for question in questions:
        ask(session, question, args.k)
    medians = []
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(args.rounds):
        times = []
        for question in questions:
            started = time.perf_counter()
            ask(session, question, args.k)
            times.append(time.perf_counter() - started)
        medians.append(round(statistics.median(times) * 1000, 2))
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    print(
        json.dumps(
            {
                "questions": len(questions),
                "median_ms_per_round": medians,
                "median_ms": statistics.median(medians),
                "page_faults_per_question": round(faults / (len(questions) * args.rounds)),
            }
        )
    )


if __name__ == "__main__":
    main()
