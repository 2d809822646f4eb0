"""The same questions asked of a library on local files and of the same library in PostgreSQL:
are the cited hits the same, position by position?

    python scripts/compare_backends.py tests/data/dev_questions.jsonl \
        --index-dir /tmp/dev-idx --db postgresql://... [-k 5] [--split heldout] [--json]

    # DRCD: the first 1,000 paragraphs as eval_drcd.py indexes them, a sample of its questions;
    # build both libraries with eval_drcd.py (--index-dir keeps the local one, --db the other)
    python scripts/eval_drcd.py ../shared/external/drcd/DRCD_dev.json --index-dir /tmp/drcd-idx
    python scripts/eval_drcd.py ../shared/external/drcd/DRCD_dev.json --db postgresql://...
    python scripts/compare_backends.py ../shared/external/drcd/DRCD_dev.json \
        --index-dir /tmp/drcd-idx --db postgresql://... --sample 200
    # or write its paragraphs to a folder and `rkb index --seeds` it into each backend
    python scripts/compare_backends.py ../shared/external/drcd/DRCD_dev.json \
        --write-paragraphs /tmp/drcd-seeds

Both libraries must be built from the same folder with the same embedder. Every question goes
through `reindustry_kb.ask.questions.ask` (what `rkb ask --json` prints) on each backend. A hit
is the same when its document, passage id, char_start/char_end and answer span
(answer_start/answer_end) are; the report counts, for each rank 1..k, the questions whose hit at
that rank is the same, the questions whose k hits are all the same (and whose k hits are the same
set, in any order), and lists every difference with both backends' hits and scores: the score
gap is how far apart, on the local side, the two hits that changed places are (a near tie when
small). Scores are compared as `rkb ask` prints them, to 4 decimals: a largest score gap of 0.0
for a hit both return at one rank means equal to 4 decimals. With --json the whole comparison is
printed as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

from reindustry_kb.ask.evaluate import Question, load_questions
from reindustry_kb.ask.questions import ask, clean_question
from reindustry_kb.ask.session import Session
from reindustry_kb.models import Hit
from reindustry_kb.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description="Compare the local and PostgreSQL backends' hits.")
    parser.add_argument("questions", type=Path, help="a question file (JSONL/TSV) or DRCD json")
    parser.add_argument("--index-dir", type=Path, help="the library on local files")
    parser.add_argument("--db", help="the same library in PostgreSQL (postgresql://...)")
    parser.add_argument("-k", type=int, default=5, help="hits compared per question")
    parser.add_argument("--split", help="only the questions of this split (tune, heldout)")
    parser.add_argument("--paragraphs", type=int, default=1000, help="DRCD: the first N paragraphs")
    parser.add_argument("--sample", type=int, default=0, help="sample N questions (0 = all)")
    parser.add_argument("--seed", type=int, default=13, help="the sample's seed (eval_drcd's)")
    parser.add_argument("--write-paragraphs", type=Path, help="DRCD: write the paragraphs and stop")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    args = parser.parse_args()

    drcd = _is_drcd(args.questions)
    if args.write_paragraphs:
        if not drcd:
            sys.exit("--write-paragraphs needs a DRCD json file")
        _write_paragraphs(args.questions, args.paragraphs, args.write_paragraphs)
        return
    if args.index_dir is None or args.db is None:
        sys.exit("give both --index-dir DIR and --db URL: the two libraries to compare")
    questions = (
        _drcd_questions(args.questions, args.paragraphs) if drcd else load_questions(args.questions)
    )
    if args.split:
        questions = [q for q in questions if getattr(q, "split", None) == args.split]
    if args.sample and args.sample < len(questions):
        questions = random.Random(args.seed).sample(questions, args.sample)

    local = Session.open(Settings(index_dir=args.index_dir))
    server = Session.open(Settings(database_url=args.db))
    report = compare(local, server, questions, args.k)
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else _text(report))


def compare(local: Session, server: Session, questions: list[Question], k: int) -> dict[str, Any]:
    """Position by position, how many questions have the same hit on both backends."""
    same_at = [0] * k
    all_same = same_set = 0
    largest_score_gap = 0.0  # between the two backends' scores of the same hit
    differences = []
    for question in questions:
        text = clean_question(question.question)
        ours = ask(local, text, k).hits
        theirs = ask(server, text, k).hits
        keys_l, keys_s = [_key(h) for h in ours], [_key(h) for h in theirs]
        for rank in range(k):
            if rank < len(keys_l) and rank < len(keys_s) and keys_l[rank] == keys_s[rank]:
                same_at[rank] += 1
                gap = abs(ours[rank].score - theirs[rank].score)
                largest_score_gap = max(largest_score_gap, gap)
        if keys_l == keys_s and len(keys_l) == k:
            all_same += 1
        if sorted(keys_l) == sorted(keys_s):
            same_set += 1
        if keys_l != keys_s:
            differences.append(_difference(question, ours, theirs))
    return {
        "questions": len(questions),
        "k": k,
        "same_at_rank": {str(rank + 1): n for rank, n in enumerate(same_at)},
        "all_k_same": all_same,
        "same_set_any_order": same_set,
        "largest_score_gap_same_hit": round(largest_score_gap, 4),
        "differences": differences,
    }


def _key(hit: Hit) -> tuple[str, str, int, int, int | None, int | None]:
    return (
        hit.doc_id,
        hit.passage_id,
        hit.char_start,
        hit.char_end,
        hit.answer_start,
        hit.answer_end,
    )


def _brief(hit: Hit) -> dict[str, Any]:
    return {
        "passage_id": hit.passage_id,
        "span": [hit.char_start, hit.char_end],
        "answer": [hit.answer_start, hit.answer_end],
        "score": hit.score,
    }


def _difference(question: Question, ours: list[Hit], theirs: list[Hit]) -> dict[str, Any]:
    ranks = []
    local_score = {_key(h): h.score for h in ours}
    for rank in range(max(len(ours), len(theirs))):
        a = ours[rank] if rank < len(ours) else None
        b = theirs[rank] if rank < len(theirs) else None
        if a is not None and b is not None and _key(a) == _key(b):
            continue
        row: dict[str, Any] = {
            "rank": rank + 1,
            "local": _brief(a) if a else None,
            "postgres": _brief(b) if b else None,
        }
        if a is not None and b is not None:
            row["same_passage"] = a.passage_id == b.passage_id  # then the answer span moved
            row["score_difference"] = round(b.score - a.score, 4)
            if _key(b) in local_score:  # the two hits that changed places, on the local side
                row["local_gap"] = round(a.score - local_score[_key(b)], 4)
        ranks.append(row)
    return {"id": question.id, "question": question.question, "ranks": ranks}


def _text(report: dict[str, Any]) -> str:
    n = report["questions"]
    lines = [
        f"{n} questions, top {report['k']}: all {report['k']} hits the same for "
        f"{report['all_k_same']}, the same set (any order) for {report['same_set_any_order']}; "
        f"largest score gap of a hit both return at one rank: "
        f"{report['largest_score_gap_same_hit']}",
        "same hit at rank: "
        + ", ".join(f"{r}: {same}/{n}" for r, same in report["same_at_rank"].items()),
    ]
    for diff in report["differences"]:
        lines.append(f"- {diff['id']}: {diff['question']}")
        for row in diff["ranks"]:
            a, b = row["local"], row["postgres"]
            score_diff = row.get("score_difference")
            gap = row.get("local_gap")
            lines.append(
                f"    rank {row['rank']}: local {_line(a)} | postgres {_line(b)}"
                + (f", score diff {score_diff}" if score_diff is not None else "")
                + (f", local gap {gap}" if gap is not None else "")
            )
    return "\n".join(lines)


def _line(hit: dict[str, Any] | None) -> str:
    if hit is None:
        return "-"
    return f"{hit['passage_id']} {hit['span']} answer {hit['answer']} score {hit['score']}"


def _is_drcd(path: Path) -> bool:
    if path.suffix != ".json":
        return False
    return "data" in json.loads(path.read_text(encoding="utf-8"))


def _paragraphs(path: Path, n: int) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    return [p for article in data for p in article["paragraphs"]][:n]


def _write_paragraphs(path: Path, n: int, folder: Path) -> None:
    """The folder eval_drcd.py indexes: each paragraph a document named by its id."""
    folder.mkdir(parents=True, exist_ok=True)
    paragraphs = _paragraphs(path, n)
    for paragraph in paragraphs:
        (folder / f"{paragraph['id']}.txt").write_text(paragraph["context"], encoding="utf-8")
    print(f"wrote {len(paragraphs)} paragraphs to {folder}")


def _drcd_questions(path: Path, n: int) -> list[Question]:
    """eval_drcd.py's questions, in its order (so that --sample N --seed S draws its sample)."""
    return [
        Question(id=qa["id"], question=qa["question"], doc=p["id"], lang="zh-Hant")
        for p in _paragraphs(path, n)
        for qa in p["qas"]
    ]


if __name__ == "__main__":
    main()
