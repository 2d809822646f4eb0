"""Peak memory of `rkb index` over its whole process tree (the build and its worker processes).

    python scripts/bench_memory.py --passages 200000        # bench_scale.py's corpus
    python scripts/bench_memory.py --file-mb 50             # one text file of 50 MB
    python scripts/bench_memory.py --seeds DIR [--keep DIR]

Builds with the `hashing` embedder (no model: what is measured is the pipeline) in a fresh
process, and samples every 0.2 s the resident memory of that process and all its descendants
from /proc: `peak_tree_rss_mb` is the largest sum seen (anonymous plus file-backed pages the
processes map), `peak_tree_anon_mb` its anonymous part. The page cache of the files a build
writes is not counted: it is the kernel's, and reclaimable. Linux only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))


def descendants(pid: int) -> list[int]:
    """pid and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    parent = int(stat.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def resident(pid: int) -> tuple[int, int]:
    """(VmRSS, RssAnon) of a process in kB; zeros once it is gone."""
    values = {"VmRSS": 0, "RssAnon": 0}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                key = line.split(":", 1)[0]
                if key in values:
                    values[key] = int(line.split()[1])
    except OSError:
        pass
    return values["VmRSS"], values["RssAnon"]


def measure(command: list[str], env: dict[str, str]) -> dict[str, object]:
    peak = {"rss": 0, "anon": 0, "processes": 0}
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            pids = descendants(process.pid)
            sums = [resident(pid) for pid in pids]
            peak["rss"] = max(peak["rss"], sum(rss for rss, _ in sums))
            peak["anon"] = max(peak["anon"], sum(anon for _, anon in sums))
            peak["processes"] = max(peak["processes"], len(pids))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"rkb index failed with exit code {process.returncode}")
    stats = json.loads(out)
    return {
        "peak_tree_rss_mb": round(peak["rss"] / 1024),
        "peak_tree_anon_mb": round(peak["anon"] / 1024),
        "processes": peak["processes"],
        "seconds": round(time.perf_counter() - started, 1),
        "passages": stats["n_passages"],
        "documents": stats["n_documents"],
        "stage_seconds": stats["stage_seconds"],
    }


def write_big_file(folder: Path, megabytes: int) -> None:
    """One text file of mixed Chinese and English prose: the shipped documents, repeated."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    block = "\n\n".join(texts).encode("utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "big.txt").open("wb") as out:
        written = 0
        while written < megabytes * 1_000_000:
            out.write(block)
            written += len(block)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--passages", type=int, help="bench_scale.py's corpus of N passages")
    source.add_argument("--file-mb", type=int, help="one text file of this many MB")
    source.add_argument("--seeds", type=Path, help="an existing folder")
    parser.add_argument("--keep", type=Path, help="write the corpus and index here")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="rkb-mem-"))
    seeds = args.seeds or work / "seeds"
    if args.passages:
        from bench_scale import write_corpus

        seeds.mkdir(parents=True, exist_ok=True)
        write_corpus(seeds, args.passages)
    elif args.file_mb:
        write_big_file(seeds, args.file_mb)
    index = work / "index"
    shutil.rmtree(index, ignore_errors=True)
    command = [sys.executable, "-m", "reindustry_kb", "index", "--json", "--embedder", "hashing"]
    command += ["--seeds", str(seeds), "--index-dir", str(index), "--max-file-mb", "100000"]
    env = os.environ | {"PYTHONPATH": str(ROOT / "src")}
    try:
        print(json.dumps(measure(command, env), indent=2))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
