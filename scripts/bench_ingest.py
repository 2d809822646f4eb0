"""Ingest throughput: index a folder with the default embedder into a temporary index.

    python scripts/bench_ingest.py DIR [--embedder NAME] [--runs N] [--json]

Reports documents, passages, seconds, passages/s (whole build, and embedding alone) and the
time by stage (read, segment, claims, tokenize, embed, write), medians over the runs. Each
run builds from scratch in a fresh process, as a new user's first `rkb index` would.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def one_run(folder: Path, embedder: str | None) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as index_dir:
        command = [
            sys.executable,
            "-m",
            "reindustry_kb",
            "index",
            "--seeds",
            str(folder),
            "--index-dir",
            index_dir,
            "--json",
        ]
        if embedder:
            command += ["--embedder", embedder]
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        result: dict[str, object] = json.loads(done.stdout)
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--embedder", default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    runs = [one_run(args.folder, args.embedder) for _ in range(args.runs)]
    stages = sorted({stage for run in runs for stage in run["stage_seconds"]})  # type: ignore[attr-defined]
    seconds = statistics.median(float(run["seconds"]) for run in runs)  # type: ignore[arg-type]
    passages = int(runs[0]["n_passages"])  # type: ignore[call-overload]
    embed_seconds = [float(run["stage_seconds"]["embed"]) for run in runs]  # type: ignore[index]
    report = {
        "documents": runs[0]["n_documents"],
        "passages": passages,
        "runs": len(runs),
        "seconds": round(seconds, 2),
        "passages_per_s": round(passages / seconds, 2),
        "embed_passages_per_s": round(passages / statistics.median(embed_seconds), 2),
        "stage_seconds": {
            stage: round(statistics.median(r["stage_seconds"].get(stage, 0.0) for r in runs), 2)  # type: ignore[attr-defined]
            for stage in stages
        },
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"{report['documents']} documents, {passages} passages: {report['seconds']} s, "
        f"{report['passages_per_s']} passages/s (median of {len(runs)} runs)"
    )
    for stage, value in report["stage_seconds"].items():  # type: ignore[attr-defined]
        print(f"  {stage:<20} {value:>8.2f} s")


if __name__ == "__main__":
    main()
