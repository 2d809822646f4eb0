"""Score `rkb compare` on a gold set: the measure asked for first, no false disagreement, the
real disagreements flagged.

    python scripts/eval_compare.py tests/data/compare_queries.jsonl \\
        --library seeds=seeds --library briefings=/tmp/whlib --library devlib=/tmp/devlib \\
        --library mixed=seeds,tests/data/compare_docs --index-root /tmp/compare-indexes \\
        [--split heldout] [--embedder hashing] [--misses] [--json]

Each query (JSONL) names its library, its language, the figure the first group must hold
(`first`: a figure's text, or {"figure", "doc"} with a document id prefix), pairs of figures
that must never be flagged as disagreeing (`apart`: different measures, different periods, or
values that agree) and pairs that must be (`disagree`: two sources giving different figures
for one measure). A figure matches a statistic whose text holds it (folded, without spaces).
A library of several folders is indexed from a copy holding all their files; indexes are built
under --index-root (incrementally, so a second run only queries).

Scores, by split and by query language: first@1 (the first group holds the figure), pure@1
(and no `apart` pair: a group of several measures that holds the figure does not count),
found@3,
false disagreements (queries where an `apart` pair is flagged), mixed groups (queries where an
`apart` pair shares a group, flagged or not), disagreements flagged (of the
expected pairs), and unexpected flags (flagged groups holding no expected pair: false
disagreements, or real ones the gold does not list; the strict reading counts them all).
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

from reindustry_kb.ask.compare import Comparison, StatisticGroup, compare
from reindustry_kb.ask.session import Session
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.settings import Settings
from reindustry_kb.text.normalize import fold_text

Figure = str | dict[str, str]


def figure_key(figure: Figure) -> tuple[str, str | None]:
    if isinstance(figure, str):
        return _norm(figure), None
    return _norm(figure["figure"]), figure.get("doc")


def _norm(text: str) -> str:
    return "".join(fold_text(text).split())


def matches(row: Any, figure: Figure) -> bool:
    text, doc = figure_key(figure)
    return text in _norm(row.text) and (doc is None or row.doc_id.startswith(doc))


def flagged(group: StatisticGroup) -> list[list[Any]]:
    """The sets of figures a group flags as disagreeing (each period's, where the comparison
    says which; else every figure of a flagged group)."""
    if not group.disagree:
        return []
    periods = getattr(group, "disagreements", None)
    if periods is None:
        return [group.statistics]
    by_id = {row.id: row for row in group.statistics}
    return [[by_id[i] for i in d.ids] for d in periods]


def both(rows: list[Any], pair: list[Figure]) -> bool:
    return all(any(matches(row, figure) for row in rows) for figure in pair)


def score(query: dict[str, Any], comparison: Comparison) -> dict[str, Any]:
    groups = comparison.groups
    holds = [any(matches(row, query["first"]) for row in g.statistics) for g in groups]
    sets = [rows for group in groups for rows in flagged(group)]
    expected = query.get("disagree", [])
    return {
        "first": bool(holds[:1] and holds[0]),
        "pure": bool(holds[:1] and holds[0])
        and not any(both(groups[0].statistics, pair) for pair in query.get("apart", [])),
        "found3": any(holds[:3]),
        "false": any(both(rows, pair) for rows in sets for pair in query.get("apart", [])),
        "mixed": any(
            both(group.statistics, pair) for group in groups for pair in query.get("apart", [])
        ),
        "flagged": sum(any(both(rows, pair) for rows in sets) for pair in expected),
        "expected": len(expected),
        "unexpected": sum(not any(both(rows, pair) for pair in expected) for rows in sets),
        "top": _describe(groups[0]) if groups else None,
    }


def _describe(group: StatisticGroup) -> str:
    texts = ", ".join(f"{row.text} ({row.doc_id[:16]})" for row in group.statistics[:4])
    return f"{getattr(group, 'measure', None) or group.unit}: {texts}"


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(rows)
    expected = sum(r["expected"] for r in rows)
    return {
        "n": n,
        "first@1": round(sum(r["first"] for r in rows) / n, 3) if n else None,
        "pure@1": round(sum(r["pure"] for r in rows) / n, 3) if n else None,
        "found@3": round(sum(r["found3"] for r in rows) / n, 3) if n else None,
        "false_disagreement": sum(r["false"] for r in rows),
        "mixed_groups": sum(r["mixed"] for r in rows),
        "disagreements_flagged": f"{sum(r['flagged'] for r in rows)}/{expected}",
        "unexpected_flags": sum(r["unexpected"] for r in rows),
    }


def library_index(name: str, folders: list[Path], root: Path, embedder: str | None) -> Session:
    """The library's index under `root`, built (incrementally) from its folders."""
    seeds = folders[0]
    if len(folders) > 1:
        seeds = root / f"{name}-docs"
        shutil.rmtree(seeds, ignore_errors=True)
        seeds.mkdir(parents=True)
        for folder in folders:
            for path in folder.iterdir():
                if path.is_file():
                    shutil.copy2(path, seeds / path.name)
    settings = Settings(seeds_dir=seeds, index_dir=root / name, embedder=embedder)
    build_index(settings)
    return Session.open(Settings(index_dir=root / name))


def main() -> None:
    parser = argparse.ArgumentParser(description="Score rkb compare on a gold set.")
    parser.add_argument("queries", type=Path)
    parser.add_argument("--library", action="append", default=[], help="NAME=DIR[,DIR...]")
    parser.add_argument("--index-root", type=Path, default=Path("/tmp/rkb-compare-indexes"))
    parser.add_argument("--split", choices=("tune", "heldout", "all"), default="all")
    parser.add_argument("--embedder", default=None, help="default: rkb's (e5-onnx)")
    parser.add_argument("--misses", action="store_true", help="list the queries missed first")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    queries = [json.loads(line) for line in args.queries.read_text("utf-8").splitlines() if line]
    if args.split != "all":
        queries = [q for q in queries if q["split"] == args.split]
    folders = {
        name: [Path(p) for p in paths.split(",")]
        for name, paths in (item.split("=", 1) for item in args.library)
    }
    missing = sorted({q["library"] for q in queries} - folders.keys())
    if missing:
        parser.error(f"no --library for {', '.join(missing)}")
    results = []
    for name in sorted({q["library"] for q in queries}):
        session = library_index(name, folders[name], args.index_root, args.embedder)
        for query in (q for q in queries if q["library"] == name):
            results.append({**query, **score(query, compare(session, query["query"]))})
    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for result in results:
        by["all"].append(result)
        by[result["lang"]].append(result)
        by[result["library"]].append(result)
    report = {key: summary(rows) for key, rows in by.items()}
    if args.json:
        print(json.dumps({"split": args.split, "scores": report, "queries": results}, indent=1))
        return
    print(f"split: {args.split}")
    for key, row in report.items():
        print(f"{key:>10}  " + "  ".join(f"{k} {v}" for k, v in row.items()))
    if args.misses:
        for r in results:
            if not r["first"] or r["false"] or r["mixed"] or r["flagged"] < r["expected"]:
                verdicts = " ".join(
                    f"{k}={r[k]}" for k in ("first", "false", "mixed", "unexpected")
                )
                flagged = f"flagged={r['flagged']}/{r['expected']}"
                print(f"  {r['id']} {r['query']!r}: {verdicts} {flagged}\n      top: {r['top']}")


if __name__ == "__main__":
    main()
