"""Recall of the dense candidates: how much of the exact top 10 the index's search returns.

    python scripts/bench_recall.py INDEX_DIR [--questions 30] [--json]

Every passage of the index is scored exhaustively (the definition in ask/dense.py: the mean
of the passage's and its best window's standardised similarity), the same questions are then
asked of `dense_search` over the local reader's candidates, and recall@10 counts the returned
top 10 that score at least the exact 10th (so ties count once). Questions are sentence
openings from the shipped documents, as `bench_scale.py` asks them, embedded with the hashing
embedder: use it on an index that `bench_scale.py --keep DIR` built (INDEX_DIR is
DIR/indexes). Reports the mean and the worst question's recall, and the median milliseconds
of one search.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
from bench_scale import sentences

from reindustry_kb.ask.dense import dense_search, score, standardisers
from reindustry_kb.embed.embedder import HashingEmbedder
from reindustry_kb.index.backend import DenseStats
from reindustry_kb.index.local.reader import LocalReader
from reindustry_kb.models import NO_FILTERS

TOP = 10
CHUNK = 50_000


def exact_tenth(reader: LocalReader, stats: DenseStats, queries: Any) -> Any:
    """Per question, the exact score of its 10th best passage: all questions a chunk at a time,
    so the vectors are read once."""
    dense = reader.dense
    scalings = [standardisers(stats, query) for query in queries]
    best = [np.full(0, -np.inf) for _ in queries]
    for start in range(0, dense.n, CHUNK):
        rows = np.arange(start, min(dense.n, start + CHUNK))
        groups = np.asarray(dense.row_group[rows], dtype=np.int64)
        starts, ends = dense.offsets[rows], dense.offsets[rows + 1]
        counts = np.asarray(ends - starts)
        owner = np.repeat(np.arange(len(rows)), counts)
        own_all = dense.passages.rows(rows, rows + 1) @ queries.T
        window_all = dense.windows.rows([int(starts[0])], [int(ends[-1])]) @ queries.T
        for number, (offsets, scales) in enumerate(scalings):
            own = own_all[:, number] - offsets[groups, 0]
            windows = window_all[:, number] - np.repeat(offsets[groups, 1], counts)
            window = np.full(len(rows), -np.inf, dtype=np.float32)
            np.maximum.at(window, owner, windows)
            scores = np.where(np.isfinite(window), (own + window) / 2, own) / scales[groups]
            if start == 0 and number == 0:  # the same definition as the query code's scoring
                first = [p.passage_id for p in itertools.islice(reader.iter_passages(), 100)]
                check = score(stats, reader.passage_vectors(first), queries[0])
                assert np.allclose([check[key] for key in first], scores[:100], atol=1e-4)
            best[number] = np.sort(np.concatenate([best[number], np.sort(scores)[-TOP:]]))[-TOP:]
    return np.array([b[0] for b in best])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    reader = LocalReader.open(args.index_dir)
    stats = reader.dense_stats()
    rng = random.Random(5)
    pools = sentences()
    asked = [rng.choice(pools[lang])[:40] for lang in rng.choices(list(pools), k=args.questions)]
    embedder = HashingEmbedder()
    queries = np.vstack([embedder.embed_query(question) for question in asked])
    tenth = exact_tenth(reader, stats, queries)
    dense_search(reader, stats, queries[0], NO_FILTERS)  # opens the FAISS indexes
    recalls, times = [], []
    for query, threshold in zip(queries, tenth, strict=True):
        started = time.perf_counter()
        found = dense_search(reader, stats, query, NO_FILTERS)
        times.append(time.perf_counter() - started)
        top = sorted(found.values(), reverse=True)[:TOP]
        recalls.append(sum(score >= threshold - 1e-5 for score in top) / TOP)
    report = {
        "passages": stats.n,
        "recall_at_10": round(statistics.mean(recalls), 4),
        "worst": min(recalls),
        "search_median_ms": round(1000 * statistics.median(times), 1),
    }
    print(json.dumps(report) if args.json else "\n".join(f"{k:<18} {v}" for k, v in report.items()))


if __name__ == "__main__":
    main()
