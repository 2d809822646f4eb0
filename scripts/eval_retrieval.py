"""Compare retrievers on a question set over a built index: dense, BM25, naive RRF, rkb's hybrid.

python scripts/eval_retrieval.py tests/data/seeds_questions.jsonl [--index-dir indexes] [--misses]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from reindustry_kb.ask.evaluate import compare_retrievers, evaluate, format_table, load_questions
from reindustry_kb.ask.session import Session
from reindustry_kb.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description="Compare retrievers on a question set.")
    parser.add_argument("questions", type=Path)
    parser.add_argument("--index-dir", type=Path, default=None)
    parser.add_argument("--misses", action="store_true", help="list the hybrid's misses at rank 1")
    args = parser.parse_args()
    session = Session.open(Settings.from_env(index_dir=args.index_dir))
    questions = load_questions(args.questions)
    reports = {name: evaluate(questions, run) for name, run in compare_retrievers(session).items()}
    print(format_table(reports))
    if args.misses:
        for miss in reports["hybrid"].misses:
            print("  miss:", miss)


if __name__ == "__main__":
    main()
