"""Break an `rkb eval --json` report down by split, language, look-alike and question range;
with --against, count the paired wins and losses against another report of the same questions.

    rkb eval tests/data/dev_questions.jsonl ... --compare --json > after.json
    python scripts/eval_breakdown.py tests/data/dev_questions.jsonl after.json \\
        [--new-from d105] [--against before.json] [--retriever hybrid]

A question's rank is read from the report's misses (every question not first is listed there,
its rank null beyond 10); R@k and MRR@10 are computed per group as `rkb eval` computes them.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path

from reindustry_kb.models import language_group
from reindustry_kb.text.language import detect_lang

CUTOFFS = (1, 5, 10)
ORDER = [  # the groups, in the order they are printed
    "all",
    "old",
    "new",
    "split",
    "cross-language",
    "cross-script",
    "same language and script",
    "beside a look-alike",
    "no look-alike named",
]


def ranks_of(report: dict, retriever: str) -> dict[str, int | None]:
    """Question id -> rank (1 for the questions absent from the misses)."""
    return {miss["id"]: miss["rank"] for miss in report[retriever]["misses"]}


def groups_of(question: dict, new_from: str | None) -> list[str]:
    lang = question.get("lang") or detect_lang(question["question"])
    names = ["all", f"split={question.get('split', '-')}"]
    if question.get("answers"):
        target = detect_lang(question["answers"][0])  # the passage's language, as rkb eval says
        if language_group(lang) != language_group(target):
            names.append("cross-language")
        else:
            names.append("cross-script" if lang != target else "same language and script")
    names.append("beside a look-alike" if question.get("lookalike") else "no look-alike named")
    if new_from:
        names.append("new" if question["id"] >= new_from else "old")
    return names


def within(rank: int | None, k: int) -> bool:
    return rank is not None and rank <= k


def scores(ranks: Iterable[int | None]) -> str:
    values = list(ranks)
    recall = [sum(within(r, k) for r in values) / len(values) for k in CUTOFFS]
    mrr = sum(1 / r for r in values if r is not None and within(r, 10)) / len(values)
    cells = " ".join(f"{value:.3f}" for value in recall)
    return f"{len(values):>4}  {cells}  {mrr:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("report", type=Path, help="rkb eval --json output")
    parser.add_argument("--against", type=Path, help="another report: paired wins and losses")
    parser.add_argument("--retriever", default="hybrid")
    parser.add_argument("--new-from", help="ids from this one on count as new (e.g. d105)")
    args = parser.parse_args()
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line) for line in lines if line.strip()]
    report = json.loads(args.report.read_text(encoding="utf-8"))
    missed = ranks_of(report, args.retriever)
    if len(questions) != report[args.retriever]["overall"]["n"]:
        raise SystemExit("the report is not over this question file (another count)")
    rank = {q["id"]: missed.get(q["id"], 1) for q in questions}
    grouped: dict[str, list[int | None]] = {}
    for question in questions:
        for name in groups_of(question, args.new_from):
            grouped.setdefault(name, []).append(rank[question["id"]])
    print(f"{'group':<28} {'n':>4}  R@1   R@5   R@10  MRR@10")
    for name in sorted(grouped, key=lambda name: (ORDER.index(name.split("=")[0]), name)):
        print(f"{name:<28} {scores(grouped[name])}")
    if args.against:
        before = ranks_of(json.loads(args.against.read_text(encoding="utf-8")), args.retriever)
        for k in (1, 5):
            wins = sorted(q for q in rank if within(rank[q], k) > within(before.get(q, 1), k))
            losses = sorted(q for q in rank if within(rank[q], k) < within(before.get(q, 1), k))
            print(f"R@{k}: {len(wins)} won {wins}, {len(losses)} lost {losses}")


if __name__ == "__main__":
    main()
