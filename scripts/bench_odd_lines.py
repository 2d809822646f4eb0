"""Odd long lines: how long `rkb index` takes over files a real folder may hold by accident.

    python scripts/bench_odd_lines.py [--runs N] [--embedder NAME] [--scale F] [--json]

Writes each kind of file below into a folder of its own (a 2 MB line of unclosed markup, 60,000
numbers on one line, 300,000 Han characters without punctuation, 8,000 short articles, 6,000
dated figures, 100,000 nested parentheses, a wide pipe table, 40,000 Chinese amounts) and
indexes it from scratch in a fresh process, `--runs` times: the median seconds per kind. A
pattern that reads to the end of its line from every opener makes such a file quadratic (the
unclosed-markup line took over 10 minutes before 0.12.2). `--scale` multiplies every size.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

_HAN = "的一是在不了有和人這中大為上個國我以要他時來用們生到作地於出就分對成會可主發年動同工也能下"


def _han(n: int) -> str:
    rng = random.Random(1)
    return "".join(rng.choice(_HAN) for _ in range(n))


# name -> (file suffix, text for a scale of 1)
KINDS: dict[str, tuple[str, Callable[[float], str]]] = {
    "unclosed_markup": (".md", lambda s: "*a [b <!--c ](d " * int(130_000 * s)),
    "numbers": (".txt", lambda s: ",".join(str(i) for i in range(int(60_000 * s)))),
    "han_unpunctuated": (".txt", lambda s: _han(int(300_000 * s))),
    "articles": (
        ".txt",
        lambda s: "".join(f"第 {i} 條 本條例之主管機關為經濟部。\n" for i in range(int(8_000 * s))),
    ),
    "dated_figures": (
        ".txt",
        lambda s: " ".join(
            f"On March {i % 28 + 1}, 20{i % 30:02d} the rate rose {i % 90}% to ${i} billion."
            for i in range(int(6_000 * s))
        ),
    ),
    "parentheses": (".txt", lambda s: "(" * int(100_000 * s) + "x" + ")" * int(100_000 * s)),
    "pipe_table": (".md", lambda s: "\n".join("| a | b | c | " * 200 for _ in range(int(300 * s)))),
    "chinese_amounts": (
        ".txt",
        lambda s: "，".join(
            f"新臺幣{'一二三四五六七八九十百千萬億'[i % 14] * 5}元" for i in range(int(40_000 * s))
        ),
    ),
}


def one_run(folder: Path, index_dir: Path, embedder: str) -> float:
    command = [sys.executable, "-c", "from reindustry_kb.cli import main; main()"]
    command += ["index", "--seeds", str(folder)]
    command += ["--index-dir", str(index_dir), "--embedder", embedder]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--embedder", default="hashing", help="hashing: the text side alone")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (suffix, make) in KINDS.items():
            folder = Path(tmp) / name
            folder.mkdir()
            text = make(args.scale)
            (folder / f"{name}{suffix}").write_text(text + "\n", encoding="utf-8")
            times = [
                one_run(folder, Path(tmp) / f"index-{name}-{run}", args.embedder)
                for run in range(args.runs)
            ]
            results[name] = {"bytes": len(text.encode()), "median_s": statistics.median(times)}
            if not args.json:
                found = results[name]
                print(f"{name:<18} {found['bytes']:>10,} B  {found['median_s']:6.2f} s")
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
