"""The PostgreSQL + pgvector backend against the local one, on a synthetic corpus.

    python scripts/bench_server.py --passages N [--json] [--keep DIR] [--db URL]
        [--clients 8] [--questions 50] [--backends both|postgres]

Writes N passages with bench_scale.write_corpus (in a temp dir, or DIR: a corpus, index,
database and build figures already there are reused), starts an embedded PostgreSQL in it
(server.start; stopped at the end unless --keep) or uses --db URL, builds both backends with
the hashing embedder (`rkb index` subprocesses), then measures. Questions are sentences of
random passages, lightly perturbed (a few words or characters dropped), from a fixed seed.

Figures (top level: the PostgreSQL library; `local`: the same where measured):
  recall_at_10   mean share of the exact dense top 10 that dense_search returns, end to end
                 (exact: every passage scored by ask.dense.score from the local reader's
                 vectors; a returned passage counts when it scores at least the exact 10th)
  p50_ms_1, p95_ms_1   `ask(session, q, 5)` in one warm process (each question asked once
                 before timing, so term statistics are already remembered)
  p50_ms_8, p95_ms_8, qps_8   --clients processes, each with its own Session, each asking
                 every question (warmed alike); qps = questions answered / wall time
  cold_s         median of 5 whole `rkb ask ... --json` processes
  load_s         build wall time minus index_build_s
  index_build_s  REINDEX of the indexes a build makes at publish (HNSW graphs and the
                 B-trees; not the primary keys, which COPY fills as it loads), at the
                 build's maintenance_work_mem (null with --no-reindex: then the build's
                 "write" stage, which builds them at publish, bounds it)
  disk_mb        pg_total_relation_size of the live generation's tables (local: the folder)
  build_s        per backend: wall seconds, the build JSON's seconds and stage_seconds, and
                 (postgres) each index's REINDEX seconds
  hnsw           graph and search parameters of index/postgres
  machine        CPU count, load averages at start and end (other work shares the machine)
Diagnostics go to stderr: per-question milliseconds of the dense and the lexical side.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import queue
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_scale import SENTENCE, write_corpus

from reindustry_kb.ask.dense import dense_search, score
from reindustry_kb.embed.embedder import get_embedder
from reindustry_kb.index.registry import get_backend
from reindustry_kb.models import NO_FILTERS
from reindustry_kb.settings import Settings

TOP = 10
CHUNK = 20_000  # passages scored exactly at a time
COLD_RUNS = 5
SEED = 11


# --- corpus, builds, database -------------------------------------------------------------


def prepare_corpus(seeds: Path, passages: int) -> None:
    """The corpus, unless the folder already holds one."""
    if seeds.is_dir() and any(seeds.iterdir()):
        return
    seeds.mkdir(parents=True, exist_ok=True)
    write_corpus(seeds, passages)


def start_database(args: argparse.Namespace, work: Path) -> tuple[str, Path | None]:
    """--db, or an embedded server in work/pgdata (its folder returned to stop it)."""
    if args.db:
        return args.db, None
    from reindustry_kb.index.postgres import server

    data_dir = work / "pgdata"
    return server.start(data_dir), data_dir


def subprocess_env() -> dict[str, str]:
    """This environment without RKB_* variables: the flags alone choose the index."""
    return {k: v for k, v in os.environ.items() if not k.startswith("RKB_")}


def rkb(*args: str, scratch: Path | None = None) -> tuple[float, str]:
    """Run `python -m reindustry_kb ARGS`: its wall seconds and stdout. A build with --db
    spills its vectors into the index folder setting (default indexes/ in the working
    directory, which may not exist): `scratch` names one that does."""
    command = [sys.executable, "-m", "reindustry_kb", *args]
    env = subprocess_env() | ({"RKB_INDEX_DIR": str(scratch)} if scratch else {})
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"{' '.join(command[:5])} ... failed:\n{done.stderr[-3000:]}")
    return seconds, done.stdout


def build(seeds: Path, target: list[str], scratch: Path | None = None) -> dict[str, Any]:
    """One `rkb index` with the hashing embedder: wall seconds and the JSON's timings."""
    flags = ["--seeds", str(seeds), *target, "--embedder", "hashing", "--json"]
    wall, out = rkb("index", *flags, scratch=scratch)
    stats = json.loads(out)
    return {
        "wall_s": round(wall, 2),
        "seconds": stats["seconds"],
        "stage_seconds": stats["stage_seconds"],
        "n_passages": stats["n_passages"],
    }


def build_all(
    work: Path, seeds: Path, local_dir: Path, url: str, with_local: bool, reindexed: bool
) -> dict[str, Any]:
    """The builds and the REINDEX timing, or the figures a kept folder recorded."""
    saved = work / "builds.json"
    builds = dict(json.loads(saved.read_text())) if saved.is_file() else {}
    if with_local and "local" not in builds:
        builds["local"] = build(seeds, ["--index-dir", str(local_dir), "--replace"])
    if "postgres" not in builds:
        builds["postgres"] = build(seeds, ["--db", url, "--replace"], scratch=work)
        builds["postgres"]["reindex_s"] = reindex(url) if reindexed else None
    saved.write_text(json.dumps(builds, indent=1))
    return builds


def connect(url: str) -> Any:
    import psycopg

    return psycopg.connect(url, autocommit=True)


def live_schema(conn: Any) -> str:
    return str(conn.execute("SELECT generation FROM rkb.library").fetchone()[0])


def reindex(url: str) -> dict[str, float]:
    """Seconds to rebuild each index of the live generation, one at a time (what REINDEX
    SCHEMA does), at the maintenance_work_mem the build's publish sets."""
    from reindustry_kb.index.postgres.schema import MAINTENANCE_WORK_MEM

    with closing(connect(url)) as conn:
        schema = live_schema(conn)
        conn.execute(
            "SELECT set_config('maintenance_work_mem', %s, false)", (MAINTENANCE_WORK_MEM,)
        )
        indexes = conn.execute(
            "SELECT c.relname, i.indisprimary FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s ORDER BY 1",
            (schema,),
        ).fetchall()
        seconds = {}
        for name, primary in indexes:
            started = time.perf_counter()
            conn.execute(f'REINDEX INDEX "{schema}"."{name}"')
            seconds[("pkey:" if primary else "") + name] = round(time.perf_counter() - started, 2)
    return seconds


def postgres_disk_mb(url: str) -> float:
    with closing(connect(url)) as conn:
        found = conn.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r'",
            (live_schema(conn),),
        ).fetchone()[0]
    return round(int(found) / 2**20, 1)


def folder_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)


# --- questions and recall -----------------------------------------------------------------


def make_questions(seeds: Path, count: int) -> list[str]:
    """A sentence of each of `count` random passages, lightly perturbed."""
    rng = random.Random(SEED)
    files = sorted(seeds.iterdir())
    questions: list[str] = []
    while len(questions) < count:
        body = rng.choice(files).read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        paragraph = rng.choice([p for p in body.split("\n\n") if p.strip()])
        found = [m.group().strip() for m in SENTENCE.finditer(paragraph)]
        if found:
            questions.append(perturb(rng.choice(found), rng))
    return questions


def perturb(sentence: str, rng: random.Random) -> str:
    """A query-sized piece of the sentence with a few words (English) or characters dropped."""
    sentence = sentence.rstrip("。！？!?.")
    if sentence.isascii():
        words = sentence.split()[:16]
        kept = [w for w in words if rng.random() > 0.15] or words
        return " ".join(kept)
    chars = list(re.sub(r"\s+", "", sentence)[:40])
    kept = [c for c in chars if rng.random() > 0.1] or chars
    return "".join(kept)


def exact_tenths(reader: Any, queries: list[Any]) -> list[float]:
    """Per query, the exact score of its 10th best passage over every passage of `reader`."""
    stats = reader.dense_stats()
    best = [np.full(0, -np.inf) for _ in queries]
    keys = [p.passage_id for p in reader.iter_passages()]
    for start in range(0, len(keys), CHUNK):
        vectors = reader.passage_vectors(keys[start : start + CHUNK])
        for number, query in enumerate(queries):
            scores = np.fromiter(score(stats, vectors, query).values(), dtype=np.float64)
            best[number] = np.sort(np.concatenate([best[number], scores]))[-TOP:]
    return [float(b[0]) for b in best]


def cached_tenths(
    folder: Path, questions: list[str], reader: Any, queries: list[Any]
) -> list[float]:
    """exact_tenths, kept beside the library (a kept folder's rerun skips the full scan)."""
    key = hashlib.sha256(json.dumps([reader.manifest.build, questions]).encode()).hexdigest()
    saved = folder / f"exact-{key[:16]}.json"
    if saved.is_file():
        return [float(x) for x in json.loads(saved.read_text())]
    tenths = exact_tenths(reader, queries)
    saved.write_text(json.dumps(tenths))
    return tenths


def recall(reader: Any, exact: Any, queries: list[Any], tenths: list[float]) -> float:
    """Mean share of dense_search's top 10 (on `reader`) scoring at least the exact 10th,
    scored from the reference reader `exact`'s vectors."""
    stats, reference = reader.dense_stats(), exact.dense_stats()
    shares = []
    for query, tenth in zip(queries, tenths, strict=True):
        found = list(dense_search(reader, stats, query, NO_FILTERS))[:TOP]
        scores = score(reference, exact.passage_vectors(found), query)
        shares.append(sum(s >= tenth - 1e-5 for s in scores.values()) / TOP)
    return round(statistics.mean(shares), 4)


def recalls(work: Path, local_dir: Path | None, url: str, questions: list[str]) -> dict[str, float]:
    """recall@10 of each backend against the exact top 10 (scored from the local build's
    vectors, or without one from the database's: the same float16 values)."""
    embedder = get_embedder("hashing", None)
    queries = [embedder.embed_query(question) for question in questions]
    remote = get_backend(Settings(database_url=url)).open()
    local = None if local_dir is None else get_backend(Settings(index_dir=local_dir)).open()
    reference = remote if local is None else local
    tenths = cached_tenths(work, questions, reference, queries)
    found = {"postgres": recall(remote, reference, queries, tenths)}
    if local is not None:
        found["local"] = recall(local, local, queries, tenths)
    return found


# --- query time ---------------------------------------------------------------------------


def open_session(settings: Settings) -> Any:
    from reindustry_kb.ask.session import Session

    return Session.open(settings)


def timed_asks(settings: Settings, questions: list[str]) -> list[float]:
    """Milliseconds of each `ask(session, q, 5)`, after one warming pass."""
    from reindustry_kb.ask.questions import ask

    session = open_session(settings)
    for question in questions:
        ask(session, question, 5)
    times = []
    for question in questions:
        started = time.perf_counter()
        ask(session, question, 5)
        times.append(1000 * (time.perf_counter() - started))
    return times


def percentile(values: list[float], share: float) -> float:
    return round(float(np.percentile(values, share)), 1)


def client(settings: Settings, questions: list[str], barrier: Any, out: Any) -> None:
    """One of the concurrent clients: warm, wait for the others, then ask every question."""
    from reindustry_kb.ask.questions import ask

    session = open_session(settings)
    for question in questions:
        ask(session, question, 5)
    barrier.wait()
    started, times = time.perf_counter(), []
    for question in questions:
        asked = time.perf_counter()
        ask(session, question, 5)
        times.append(1000 * (time.perf_counter() - asked))
    out.put((started, time.perf_counter(), times))


def concurrent(settings: Settings, questions: list[str], clients: int) -> dict[str, float]:
    """p50/p95 over every client's questions, and questions per second of wall time."""
    context = multiprocessing.get_context("spawn")
    barrier, out = context.Barrier(clients), context.Queue()
    workers = [
        context.Process(target=client, args=(settings, questions, barrier, out))
        for _ in range(clients)
    ]
    for worker in workers:
        worker.start()
    results = []
    while len(results) < clients:
        try:
            results.append(out.get(timeout=5))
        except queue.Empty:
            if any(worker.exitcode for worker in workers):
                sys.exit("a client failed (see its traceback above)")
    for worker in workers:
        worker.join()
    times = [t for _, _, ts in results for t in ts]
    wall = max(end for _, end, _ in results) - min(start for start, _, _ in results)
    return {
        "p50_ms_8": percentile(times, 50),
        "p95_ms_8": percentile(times, 95),
        "qps_8": round(len(times) / wall, 2),
    }


def cold(target: list[str], questions: list[str]) -> float:
    """Median wall seconds of a whole `rkb ask` process."""
    runs = [rkb("ask", *target, "--json", "--", q)[0] for q in questions[:COLD_RUNS]]
    return round(statistics.median(runs), 3)


def sides(settings: Settings, questions: list[str]) -> dict[str, float]:
    """Median milliseconds of the dense and the lexical side of a warm question."""
    from reindustry_kb.ask.query import analyse
    from reindustry_kb.ask.search import LEXICAL_POOL, dense_scores

    session = open_session(settings)
    for _ in range(2):  # the first pass warms
        dense_ms, lexical_ms = [], []
        for question in questions:
            started = time.perf_counter()
            dense = dense_scores(session, question, NO_FILTERS)
            middle = time.perf_counter()
            terms = analyse(question, session.terms).weighted_terms()
            session.reader.lexical_scores(terms, NO_FILTERS, LEXICAL_POOL, dense.keys())
            dense_ms.append(1000 * (middle - started))
            lexical_ms.append(1000 * (time.perf_counter() - middle))
    return {
        "dense_p50_ms": percentile(dense_ms, 50),
        "lexical_p50_ms": percentile(lexical_ms, 50),
        "lexical_p95_ms": percentile(lexical_ms, 95),
    }


# --- the report ---------------------------------------------------------------------------


def hnsw_parameters() -> dict[str, Any]:
    from reindustry_kb.index.postgres import reader, schema

    return {
        "m": schema.HNSW_M,
        "ef_construction": schema.HNSW_EF_CONSTRUCTION,
        "maintenance_work_mem": schema.MAINTENANCE_WORK_MEM,
        "ef_search": f"{reader.EF_PER_CANDIDATE} x pool (x 3 for windows), clamped to "
        f"[{reader.EF_SEARCH_MIN}, {reader.EF_SEARCH_MAX}]",
        "exact_scan_up_to": reader.EXACT_VECTORS,
    }


def one_client(settings: Settings, questions: list[str]) -> dict[str, float]:
    times = timed_asks(settings, questions)
    return {"p50_ms_1": percentile(times, 50), "p95_ms_1": percentile(times, 95)}


def load() -> list[float]:
    """The load average over 1, 5 and 15 minutes: how busy the machine is besides."""
    return [round(x, 2) for x in os.getloadavg()]


def measure(args: argparse.Namespace, work: Path, url: str) -> dict[str, Any]:
    """Every figure, for both backends."""
    seeds, local_dir = work / "seeds", work / "local"
    with_local = args.backends == "both"
    builds = build_all(work, seeds, local_dir, url, with_local, not args.no_reindex)
    if args.build_only:
        return {"build_s": builds}
    questions = make_questions(seeds, args.questions)
    found = recalls(work, local_dir if with_local else None, url, questions)
    pg = Settings(database_url=url, embedder="hashing")
    local = Settings(index_dir=local_dir, embedder="hashing")
    for name, settings in (("postgres", pg), ("local", local))[: 2 if with_local else 1]:
        print(f"{name} sides: {json.dumps(sides(settings, questions))}", file=sys.stderr)
    pg_build = builds["postgres"]
    reindexed = pg_build["reindex_s"]
    index_build_s = (
        None if reindexed is None else sum(s for name, s in reindexed.items() if ":" not in name)
    )
    report = {
        "passages": pg_build["n_passages"],
        "recall_at_10": found["postgres"],
        **one_client(pg, questions),
        **concurrent(pg, questions, args.clients),
        "cold_s": cold(["--db", url], questions),
        "load_s": None if index_build_s is None else round(pg_build["wall_s"] - index_build_s, 2),
        "index_build_s": None if index_build_s is None else round(index_build_s, 2),
        "disk_mb": postgres_disk_mb(url),
        "hnsw": hnsw_parameters(),
        "build_s": builds,
    }
    if with_local:
        report["local"] = {
            "passages": builds["local"]["n_passages"],
            "recall_at_10": found["local"],
            **one_client(local, questions),
            "cold_s": cold(["--index-dir", str(local_dir)], questions),
            "disk_mb": folder_mb(local_dir),
        }
    report["machine"] = {
        "cpus": os.cpu_count(),
        "loadavg_start": args.loadavg,
        "loadavg_end": load(),
    }
    return report


def print_table(report: dict[str, Any]) -> None:
    """The headline figures, PostgreSQL beside local."""
    local = report.get("local", {})
    print(f"{report['passages']} passages; {report['machine']}")
    print(f"{'':<16}{'postgres':>12}{'local':>12}")
    for key in ("recall_at_10", "p50_ms_1", "p95_ms_1", "p50_ms_8", "p95_ms_8", "qps_8"):
        print(f"{key:<16}{report[key]:>12}{local.get(key, '-'):>12}")
    print(f"{'cold_s':<16}{report['cold_s']:>12}{local.get('cold_s', '-'):>12}")
    print(f"{'disk_mb':<16}{report['disk_mb']:>12}{local.get('disk_mb', '-'):>12}")
    builds = report["build_s"]
    local_wall = builds.get("local", {}).get("wall_s", "-")
    print(f"{'build wall_s':<16}{builds['postgres']['wall_s']:>12}{local_wall:>12}")
    print(f"postgres load_s {report['load_s']}, index_build_s {report['index_build_s']}")
    print(f"hnsw {report['hnsw']}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--passages", type=int, required=True)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", type=Path, help="work here and keep it (default: a temp dir)")
    parser.add_argument("--db", help="a PostgreSQL URL to use instead of an embedded server")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument(
        "--backends",
        choices=["both", "postgres"],
        default="both",
        help="postgres: build and measure the database alone (recall against exact search "
        "over its own vectors), e.g. for the 1,000,000-passage run",
    )
    parser.add_argument(
        "--no-reindex",
        action="store_true",
        help="skip timing each index's rebuild (hours at 1,000,000 passages): index_build_s null",
    )
    parser.add_argument(
        "--build-only",
        action="store_true",
        help="build (into --keep DIR) and stop; a later run with the same --keep measures",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    args.loadavg = load()
    work = (args.keep or Path(tempfile.mkdtemp(prefix="rkb-server-"))).resolve()
    prepare_corpus(work / "seeds", args.passages)
    url, data_dir = start_database(args, work)
    try:
        report = measure(args, work, url)
    finally:
        if data_dir is not None and not args.keep:
            from reindustry_kb.index.postgres import server

            server.stop(data_dir)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    if args.json or args.build_only:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print_table(report)


if __name__ == "__main__":
    main()
