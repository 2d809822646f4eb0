"""The local index on disk: a folder per build (a generation), and `CURRENT` naming the live one.

    indexes/
      CURRENT                 name of the live build, replaced atomically (os.replace)
      manifest.json           what the live build holds, without timestamps (committed)
      claims.jsonl            its claims, one JSON object a line (committed)
      .lock                   held by a running `rkb index`
      build-<time>-<id>/
        kb.sqlite             documents (with their decoded text), passages (with their BM25
                              tokens, so unchanged documents are never re-tokenised), claims
        dense.json, *.npy,    passage and sentence-window vectors, memory-mapped, and FAISS
        *.faiss               indexes by language group (dense.py)
        postings.sqlite,      BM25: a term table (where each term's postings run starts, its
        posting_*.npy,        document frequency per language group), the postings' rows and
        lexical.json,         impacts as flat arrays, the corpus statistics, and the query-time
        vocab.txt             jieba dictionary (lexical.py)
        manifest.json         versions, embedder, model, settings, per-document sha256, file sizes

A build is written beside the live one and swapped in only when complete, so an interrupted
`rkb index` leaves the previous index working and a reader sees the old build or the new one.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel, ValidationError

from reindustry_kb.errors import IndexBusyError, IndexCorruptError, IndexMissingError
from reindustry_kb.index.manifest import FORMAT_VERSION, Manifest, Summary

POINTER = "CURRENT"
LOCK = ".lock"
# Readable files beside the builds, meant to be committed: a timestamp-free summary that
# `rkb index --check` compares with seeds/, and every claim as one JSON line.
SUMMARY = "manifest.json"
CLAIMS_EXPORT = "claims.jsonl"


def missing(index_dir: Path) -> IndexMissingError:
    return IndexMissingError(f"no index in {index_dir}; build one first with `rkb index`")


def corrupt(index_dir: Path, what: str) -> IndexCorruptError:
    return IndexCorruptError(
        f"the index in {index_dir} is damaged ({what}); rebuild it with `rkb index`"
    )


def to_json(model: BaseModel) -> str:
    return json.dumps(model.model_dump(), ensure_ascii=False, indent=2) + "\n"


def write_summary(index_dir: Path, manifest: Manifest, database: Path) -> None:
    summary = Summary.model_validate(manifest.model_dump(include=set(Summary.model_fields)))
    replace_text(index_dir / SUMMARY, to_json(summary))
    # Streamed: a large library has millions of claims.
    temporary = index_dir / f".{CLAIMS_EXPORT}.{uuid.uuid4().hex[:8]}"
    with (
        sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db,
        temporary.open("w", encoding="utf-8") as out,
    ):
        for (data,) in db.execute("SELECT data FROM claims ORDER BY rowid"):
            out.write(data + "\n")
    db.close()
    os.replace(temporary, index_dir / CLAIMS_EXPORT)


def replace_text(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One `rkb index` at a time per index folder; the lock dies with its process.

    `filelock` rather than `fcntl`: the same OS lock on POSIX, and one that works on Windows."""
    from filelock import FileLock, Timeout

    index_dir.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(index_dir / LOCK, timeout=0):
            yield
    except Timeout:
        raise IndexBusyError(
            f"another `rkb index` is writing {index_dir}; wait for it to finish, then run again"
        ) from None


def point_to(index_dir: Path, name: str) -> None:
    replace_text(index_dir / POINTER, name + "\n")


def remove_stale_builds(index_dir: Path, keep: str) -> None:
    """Drop unfinished builds and all but the newest previous one, which a reader that opened
    it before the swap may still be reading."""
    builds = sorted(
        c.name for c in index_dir.iterdir() if c.is_dir() and c.name.startswith("build-")
    )
    previous = [name for name in builds if name != keep][-1:]
    for child in index_dir.iterdir():
        unfinished = child.is_dir() and child.name.startswith(".tmp-build-")
        stale = child.name in builds and child.name not in (keep, *previous)
        if unfinished or stale:
            shutil.rmtree(child, ignore_errors=True)


def current_build(index_dir: Path) -> Path:
    """The live build's folder, named by CURRENT."""
    pointer = index_dir / POINTER
    if not pointer.is_file():
        raise missing(index_dir)
    build = index_dir / pointer.read_text(encoding="utf-8").strip()
    if not build.is_dir():
        raise corrupt(index_dir, f"{POINTER} names a missing build")
    return build


def read_manifest(index_dir: Path) -> Manifest:
    """The live build's manifest, validated, or a one-line rebuild error."""
    build = current_build(index_dir)
    try:
        data = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise corrupt(index_dir, "manifest.json unreadable") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
        found = data.get("format") if isinstance(data, dict) else None
        raise corrupt(index_dir, f"format {found}, expected {FORMAT_VERSION}")
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        raise corrupt(index_dir, "manifest.json does not validate") from exc


def read_summary(index_dir: Path) -> Summary | None:
    """The committed summary (indexes/manifest.json), or None when there is none yet."""
    path = index_dir / SUMMARY
    if not path.is_file():
        return None
    try:
        return Summary.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValueError, ValidationError) as exc:
        raise IndexCorruptError(
            f"{path} is not a valid index summary; rebuild the index with `rkb index`"
        ) from exc


def new_build_name() -> str:
    """A new build's folder name; names sort in build order (to the microsecond), so "the
    previous build" is well defined."""
    now = time.time()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now))
    return f"build-{stamp}{int(now * 1e6) % 1_000_000:06d}-{uuid.uuid4().hex[:6]}"
