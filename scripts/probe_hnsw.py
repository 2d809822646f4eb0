"""How much of the exact top 10 one HNSW graph search returns, and how fast, by ef_search.

    python scripts/probe_hnsw.py --db URL --seeds DIR [--questions 16] [--ef 100 200 400 800]

On a library bench_server.py built (hashing embedder): for each question (bench_server's
questions from DIR) and language group, the exact top 10 passages by an exact scan, against
the first 100 of a graph search (iterative scans, relaxed order) at each ef_search; prints
the mean share found and the median milliseconds of a search.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_server import make_questions

from reindustry_kb.embed.embedder import get_embedder


def main() -> None:
    import psycopg
    from pgvector import HalfVector
    from pgvector.psycopg import register_vector

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--seeds", type=Path, required=True)
    parser.add_argument("--questions", type=int, default=16)
    parser.add_argument("--ef", type=int, nargs="+", default=[100, 200, 400, 800])
    args = parser.parse_args()
    conn = psycopg.connect(args.db, autocommit=True)
    register_vector(conn)
    generation = conn.execute("SELECT generation FROM rkb.library").fetchone()[0]
    conn.execute("SELECT set_config('search_path', %s || ', public', false)", (generation,))
    conn.execute("SET hnsw.iterative_scan = relaxed_order")
    groups = [g for (g,) in conn.execute("SELECT DISTINCT grp FROM passage_vectors ORDER BY 1")]
    embedder = get_embedder("hashing", None)
    shares: dict[int, list[float]] = {ef: [] for ef in args.ef}
    times: dict[int, list[float]] = {ef: [] for ef in args.ef}
    for question in make_questions(args.seeds, 50)[: args.questions]:
        vector = HalfVector(np.asarray(embedder.embed_query(question), np.float16))
        for group in groups:
            exact = {
                pid
                for (pid,) in conn.execute(
                    f"SELECT pid FROM passage_vectors WHERE grp = {int(group)} "
                    "ORDER BY (embedding <#> %s) + 0 LIMIT 10",
                    (vector,),
                )
            }
            for ef in args.ef:
                conn.execute("SELECT set_config('hnsw.ef_search', %s, false)", (str(ef),))
                started = time.perf_counter()
                found = {
                    pid
                    for (pid,) in conn.execute(
                        f"SELECT pid FROM passage_vectors WHERE grp = {int(group)} "
                        "ORDER BY embedding <#> %s LIMIT 100",
                        (vector,),
                    )
                }
                times[ef].append(time.perf_counter() - started)
                shares[ef].append(len(exact & found) / 10)
    for ef in args.ef:
        print(
            f"ef_search {ef}: top 10 found {np.mean(shares[ef]):.3f}, "
            f"median {1000 * np.median(times[ef]):.1f} ms a search"
        )


if __name__ == "__main__":
    main()
