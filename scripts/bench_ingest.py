"""Ingest throughput: index a folder with the default embedder into a temporary index.

    python scripts/bench_ingest.py DIR [--embedder NAME] [--runs N] [--upgrade] [--json]

Reports documents, passages, seconds, passages/s (whole build, and embedding alone) and the
time by stage (read, segment, claims, tokenize, embed, write), medians over the runs. Each
run builds from scratch in a fresh process, as a new user's first `rkb index` would. With
`--upgrade`, the folder is indexed once, and each run indexes it again as the next version of
rkb would (another package version: every document cut and analysed again, every vector
whose text is unchanged taken from the live build).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

# `rkb index --json` in a process whose package version is argv[1] ("" for its own).
AS_VERSION = """
import sys
from reindustry_kb.indexing import freshness
from reindustry_kb.cli import app
if sys.argv[1]:
    freshness.__version__ = sys.argv[1]
app(sys.argv[2:])
"""


def one_run(
    folder: Path, embedder: str | None, index_dir: Path, version: str = ""
) -> dict[str, object]:
    command = [sys.executable, "-c", AS_VERSION, version, "index", "--seeds", str(folder)]
    command += ["--index-dir", str(index_dir), "--json"]
    if embedder:
        command += ["--embedder", embedder]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        sys.exit(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "rkb failed")
    result: dict[str, object] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--embedder", default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--upgrade", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        if args.upgrade:
            index_dir = Path(scratch)
            one_run(args.folder, args.embedder, index_dir)
            versions = [f"0.0.{n}" for n in range(1, args.runs + 1)]
            runs = [one_run(args.folder, args.embedder, index_dir, v) for v in versions]
        else:
            runs = []
            for n in range(args.runs):
                runs.append(one_run(args.folder, args.embedder, Path(scratch) / str(n)))
    stages = sorted({stage for run in runs for stage in run["stage_seconds"]})  # type: ignore[attr-defined]
    seconds = statistics.median(float(run["seconds"]) for run in runs)  # type: ignore[arg-type]
    passages = int(runs[0]["n_passages"])  # type: ignore[call-overload]
    embed_seconds = [float(run["stage_seconds"].get("embed", 0.0)) for run in runs]  # type: ignore[attr-defined]
    report = {
        "documents": runs[0]["n_documents"],
        "passages": passages,
        "runs": len(runs),
        "seconds": round(seconds, 2),
        "passages_per_s": round(passages / seconds, 2),
        "embed_passages_per_s": round(passages / max(statistics.median(embed_seconds), 1e-9), 2),
        "texts_embedded": int(statistics.median(int(r["texts_embedded"]) for r in runs)),  # type: ignore[call-overload]
        "texts_reused": int(statistics.median(int(r["texts_reused"]) for r in runs)),  # type: ignore[call-overload]
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
        f"{report['passages_per_s']} passages/s (median of {len(runs)} runs); texts "
        f"embedded {report['texts_embedded']}, taken from the live build {report['texts_reused']}"
    )
    for stage, value in report["stage_seconds"].items():  # type: ignore[attr-defined]
        print(f"  {stage:<20} {value:>8.2f} s")


if __name__ == "__main__":
    main()
