"""Readers during writes, and a writer killed mid-upload, on a PostgreSQL library.

    python scripts/stress_server.py [--db URL] [--readers 8] [--rounds 6] [--documents 40]

Starts an embedded PostgreSQL (or uses --db; its library is replaced), then for each round
rewrites every document of a library folder to carry that round's marker word (g0, g1, ...)
and runs `rkb index` while READERS processes run `rkb ask` over and over. Every round
alternates the kind of write: an update in place (the same build configuration), or a
rebuild into a new generation (another embedder). Checked:
- every `rkb ask` exits 0 and all its hits carry one round's marker: each answer comes from
  one complete generation, never a mix;
- `kill -9` of `rkb index` part-way through a round leaves the previous round's library live
  (the readers still see one marker) and the rerun completes.
Prints a summary line per round; exits 1 on any failure. The hashing embedder keeps a round to
seconds; `--embedder` sets the other one (default e5-onnx).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SENTENCES = [
    "Solar tariffs rose to {p}% under the new schedule.",
    "The grid operator added {p} GW of battery storage.",
    "台灣離岸風電裝置容量達到 {p} GW。",
    "锂电池出口增长了 {p}%。",
    "The subsidy covered {p}% of the cost of new fabs.",
]


def rkb(*args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reindustry_kb", *args], capture_output=True, text=True, check=check
    )


def index_args(seeds: Path, url: str, embedder: str) -> list[str]:
    """`rkb index` of the library folder into the database, with this embedder."""
    return ["index", "--seeds", str(seeds), "--db", url, "--embedder", embedder]


def write_round(folder: Path, documents: int, marker: str) -> None:
    """Every document rewritten with this round's marker in each paragraph."""
    rng = random.Random(marker)
    for number in range(documents):
        lines = [
            f"{rng.choice(SENTENCES).format(p=rng.randint(1, 90))} Marker {marker}."
            for _ in range(6)
        ]
        text = f"# Document {number} {marker}\n\n" + "\n\n".join(lines) + "\n"
        (folder / f"doc{number:03d}.md").write_text(text, encoding="utf-8")


class Readers:
    """READERS processes asking in a loop; each answer's markers recorded."""

    def __init__(self, url: str, count: int) -> None:
        self.url, self.count = url, count
        self.answers: list[set[str]] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._loop) for _ in range(count)]

    def __enter__(self) -> Readers:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            done = rkb("ask", "solar grid storage marker", "--db", self.url, "--json", "-k", "10")
            if done.returncode != 0:
                self.failures.append(done.stderr.strip())
                continue
            hits = json.loads(done.stdout)["hits"]
            words = (word.rstrip(".。") for hit in hits for word in hit["text"].split())
            self.answers.append({word for word in words if _mark(word)})


def _mark(word: str) -> bool:
    return word.startswith("g") and word[1:].isdigit()


def kill_mid_upload(seeds: Path, url: str, embedder: str) -> tuple[int, float]:
    """Start `rkb index` and kill -9 it once it is writing; (its exit code, seconds run)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "reindustry_kb", *index_args(seeds, url, embedder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(random.Random(0).uniform(1.0, 2.0))
    os.kill(process.pid, signal.SIGKILL)
    return process.wait(), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="a database to use (its library is replaced)")
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--embedder", default="e5-onnx", help="the rebuilds' other embedder")
    args = parser.parse_args()
    from reindustry_kb.index.postgres import server

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "pg"
        url = args.db or server.start(data)
        seeds = Path(tmp) / "library"
        seeds.mkdir()
        write_round(seeds, args.documents, "g0")
        rkb(*index_args(seeds, url, "hashing"), "--replace", check=True)
        failed = False
        with Readers(url, args.readers) as readers:
            for number in range(1, args.rounds + 1):
                embedder = "hashing" if number % 2 else args.embedder
                write_round(seeds, args.documents, f"g{number}")
                if number == 2:
                    code, seconds = kill_mid_upload(seeds, url, embedder)
                    print(f"round {number}: rkb index killed after {seconds:.1f}s (exit {code})")
                started = time.perf_counter()
                built = rkb(*index_args(seeds, url, embedder))
                seen = len(readers.answers)
                time.sleep(1.0)  # answers after the publish
                mixed = [a for a in readers.answers if len(a) != 1]
                print(
                    f"round {number} ({'update' if embedder == 'hashing' else 'rebuild'}, "
                    f"{embedder}): index exit {built.returncode} in "
                    f"{time.perf_counter() - started:.1f}s; {seen} answers so far, "
                    f"{len(mixed)} mixed, {len(readers.failures)} failed"
                )
                failed |= built.returncode != 0 or bool(mixed) or bool(readers.failures)
        markers = sorted({m for a in readers.answers for m in a}, key=lambda m: int(m[1:]))
        print(f"{len(readers.answers)} answers in all; markers seen: {', '.join(markers)}")
        for failure in readers.failures[:3]:
            print(f"  a reader failed: {failure}")
        if not args.db:
            server.stop(data)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
