"""Query cost at scale: build an index of N passages with the hashing embedder, then measure.

    python scripts/bench_scale.py --passages 100000 [--json] [--keep DIR] [--update]

The corpus is made from text the project ships (seeds/ and tests/data/docs): documents of
about 20 passages, each paragraph a random run of real sentences of one language (zh-Hant,
zh-Hans through OpenCC, English), each document with its own date. Nothing is downloaded.

Measured in fresh processes: build time, index size on disk, cold `rkb ask` (a new process
per question, median of 7), warm questions (one process, median over 50), peak RSS of that
process. `--update` also times re-indexing after one document changes (not in the JSON).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]|[^.!?\n]+[.!?](?=\s|$)")
PASSAGES_PER_DOC = 20

WARM = """
import json, resource, statistics, sys, time
from reindustry_kb.ask.questions import ask
from reindustry_kb.ask.session import Session
from reindustry_kb.settings import Settings
questions = json.loads(sys.argv[1])
session = Session.open(Settings.from_env())
ask(session, questions[0], 5)
times = []
for question in questions:
    started = time.perf_counter()
    ask(session, question, 5)
    times.append(time.perf_counter() - started)
print(json.dumps({"warm": statistics.median(times),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def sentences() -> dict[str, list[str]]:
    """Real sentences by language, from the shipped documents."""
    import opencc

    to_simplified = opencc.OpenCC("t2s")
    pools: dict[str, list[str]] = {"zh-Hant": [], "zh-Hans": [], "en": []}
    files = [*ROOT.joinpath("seeds").glob("*.txt"), *ROOT.joinpath("tests/data/docs").glob("*")]
    for path in files:
        for match in SENTENCE.finditer(path.read_text(encoding="utf-8")):
            sentence = match.group().strip(" *#>-")
            if len(sentence) < 12:
                continue
            if re.search(r"[\u4e00-\u9fff]", sentence):
                pools["zh-Hant"].append(sentence)
                pools["zh-Hans"].append(to_simplified.convert(sentence))
            elif sentence.isascii():
                pools["en"].append(sentence)
    return pools


def write_corpus(folder: Path, passages: int, seed: int = 0) -> list[str]:
    """Documents of ~20 paragraph-sized passages; returns sample questions."""
    rng = random.Random(seed)
    pools = sentences()
    languages = list(pools)
    questions: list[str] = []
    for number in range(max(1, passages // PASSAGES_PER_DOC)):
        lang = languages[number % 3]
        paragraphs = []
        for _ in range(PASSAGES_PER_DOC):
            run = rng.choices(pools[lang], k=rng.randint(5, 7))
            paragraphs.append((" " if lang == "en" else "").join(run))
        date = f"20{rng.randint(15, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        header = f"---\ntitle: Document {number}\ndate: {date}\nlang: {lang}\n---\n\n"
        (folder / f"doc{number:07d}.txt").write_text(header + "\n\n".join(paragraphs) + "\n")
        if len(questions) < 60 and rng.random() < 0.3:
            questions.append(rng.choice(pools[lang])[:40])
    return questions


def rkb(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "reindustry_kb", *args]
    return subprocess.run(command, check=True, capture_output=True, text=True, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, required=True)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: a temp dir)")
    parser.add_argument("--update", action="store_true", help="also time a one-document update")
    args = parser.parse_args()
    import os

    work = args.keep or Path(tempfile.mkdtemp(prefix="rkb-scale-"))
    seeds, index = work / "seeds", work / "indexes"
    seeds.mkdir(parents=True, exist_ok=True)
    questions = write_corpus(seeds, args.passages)
    env = {**os.environ, "RKB_SEEDS_DIR": str(seeds), "RKB_INDEX_DIR": str(index)}
    started = time.perf_counter()
    stats = json.loads(rkb("index", "--embedder", "hashing", "--json", env=env).stdout)
    build_s = time.perf_counter() - started
    index_mb = sum(p.stat().st_size for p in index.rglob("*") if p.is_file()) / 2**20
    cold = []
    for question in questions[:7]:
        started = time.perf_counter()
        rkb("ask", question, "--json", env=env)
        cold.append(time.perf_counter() - started)
    warm = json.loads(
        subprocess.run(
            [sys.executable, "-c", WARM, json.dumps(questions[:50], ensure_ascii=False)],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        ).stdout
    )
    report = {
        "passages": stats["n_passages"],
        "build_s": round(build_s, 1),
        "index_mb": round(index_mb, 1),
        "cold_ask_median_s": round(statistics.median(cold), 3),
        "warm_ask_median_s": round(warm["warm"], 4),
        "rss_mb": round(warm["rss_mb"], 1),
    }
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:<20} {value}")
    if args.update:
        victim = sorted(seeds.iterdir())[len(questions) % 7]
        victim.write_text(victim.read_text() + "\n\nOne more paragraph about tariffs.\n")
        started = time.perf_counter()
        update = json.loads(rkb("index", "--embedder", "hashing", "--json", env=env).stdout)
        print(
            f"one-document update: {time.perf_counter() - started:.1f} s "
            f"({update['changed']} changed, {update['passages_embedded']} passages embedded)",
            file=sys.stderr,
        )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
