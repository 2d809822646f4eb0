"""Time `rkb compare` over a built index, in one session as `rkb serve` keeps it.

    python scripts/bench_compare.py INDEX_DIR [--runs 3] [QUERY ...]

The first comparison loads the model and the tokenisers and is reported apart; then each query
is compared once (its measured objects new to the session) and `--runs` times more (repeated):
medians over the queries of wall and CPU seconds (CPU: this process's threads, steadier than
wall on a shared machine).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from reindustry_kb.ask.compare import compare
from reindustry_kb.ask.session import Session
from reindustry_kb.settings import Settings

QUERIES = [
    "tariff revenue",
    "關稅收入",
    "trade deficit",
    "second quarter GDP growth",
    "jobs added in March",
    "鋼鐵進口關稅",
]


def timed(session: Session, query: str) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    compare(session, query)
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description="Time rkb compare over a built index.")
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("queries", nargs="*", default=QUERIES)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    session = Session.open(Settings(index_dir=args.index_dir))
    wall, cpu = timed(session, "investment")
    print(f"first comparison (loading): wall {wall:.2f} s, CPU {cpu:.2f} s")
    first, repeated = [], []
    for query in args.queries:
        first.append(timed(session, query))
        runs = [timed(session, query) for _ in range(args.runs)]
        repeated.append(tuple(statistics.median(r[i] for r in runs) for i in (0, 1)))
    for name, rows in (("first time", first), ("repeated", repeated)):
        wall = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[1] for r in rows)
        print(f"{name}: median wall {wall:.3f} s, CPU {cpu:.3f} s ({len(rows)} queries)")


if __name__ == "__main__":
    main()
