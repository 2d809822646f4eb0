"""Passage retrieval on DRCD (zh-Hant Wikipedia): paragraphs as documents.

    python scripts/eval_drcd.py ../shared/external/drcd/DRCD_dev.json [--paragraphs N] [--answers]
        [--db postgresql://... | --index-dir DIR]

Writes the paragraphs to a temporary seeds folder, builds an index with the real pipeline
(default embedder unless RKB_EMBEDDER is set) and reports recall@1/5/10 and MRR@10 of the
right paragraph for BM25, dense, naive RRF and rkb's hybrid; with --answers the hit must also
quote the answer, and the share of questions whose answering sentences quote it is reported.
The data is read in place, never copied into the project. With --db the index is built into
that database (its library replaced) instead of a temporary folder: the two backends compared.
With --index-dir the local index is built into that folder and kept (its library replaced), so
that scripts/compare_backends.py can then put the same questions to it and to the database.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from reindustry_kb.ask.evaluate import Question, compare_retrievers, evaluate, format_table
from reindustry_kb.ask.session import Session
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description="DRCD passage-retrieval benchmark.")
    parser.add_argument("path", type=Path, help="DRCD_dev.json (or test)")
    parser.add_argument("--paragraphs", type=int, default=1000, help="index the first N paragraphs")
    parser.add_argument("--questions", type=int, default=0, help="sample N questions (0 = all)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--answers",
        action="store_true",
        help="a hit must also quote the answer; reports how often the answering sentences do",
    )
    parser.add_argument("--db", help="build and query the index in this PostgreSQL database")
    parser.add_argument("--index-dir", type=Path, help="build the local index here and keep it")
    args = parser.parse_args()
    if args.db and args.index_dir:
        parser.error("--db or --index-dir, not both")

    data = json.loads(args.path.read_text(encoding="utf-8"))["data"]
    paragraphs = [p for article in data for p in article["paragraphs"]][: args.paragraphs]
    questions = [
        Question(
            id=qa["id"],
            question=qa["question"],
            answers=[a["text"] for a in qa["answers"]] if args.answers else [],
            doc=p["id"],
            lang="zh-Hant",
        )
        for p in paragraphs
        for qa in p["qas"]
    ]
    if args.questions and args.questions < len(questions):
        questions = random.Random(args.seed).sample(questions, args.questions)

    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp) / "seeds"
        seeds.mkdir()
        for paragraph in paragraphs:
            (seeds / f"{paragraph['id']}.txt").write_text(paragraph["context"], encoding="utf-8")
        index_dir = args.index_dir or Path(tmp) / "index"
        where = {"database_url": args.db} if args.db else {"index_dir": index_dir}
        settings = Settings.from_env(seeds_dir=seeds, **where)
        started = time.perf_counter()
        stats = build_index(settings, replace=True)  # a database's library is this one now
        print(
            f"indexed {stats.n_documents} paragraphs as {stats.n_passages} passages "
            f"in {time.perf_counter() - started:.0f}s; {len(questions)} questions"
        )
        session = Session.open(settings)
        reports = {
            name: evaluate(questions, _dedupe_docs(run))
            for name, run in compare_retrievers(session, depth=50).items()
        }
    print(format_table(reports))


def _dedupe_docs(run):  # type: ignore[no-untyped-def]
    """A paragraph split into several passages counts once, at its best rank."""

    def ranked(question: str) -> list[tuple[str, ...]]:
        seen: set[str] = set()
        result = []
        for found in run(question):  # (doc_id, text, answer[, copies' documents])
            if found[0] not in seen:
                seen.add(found[0])
                result.append(found)
        return result

    return ranked


if __name__ == "__main__":
    main()
