"""The on-disk index: a folder per build, and a `CURRENT` file naming the one in use.

    indexes/
      CURRENT                 name of the live build, replaced atomically (os.replace)
      manifest.json           what the live build holds, without timestamps (committed)
      claims.jsonl            its claims, one JSON object a line (committed)
      .lock                   held by a running `rkb index`
      build-<time>-<id>/
        kb.sqlite             documents (with their decoded text), passages, typed claims
        vectors.faiss         inner-product index over L2-normalised vectors, ids = passage rows
        groups.npz            each passage's language group and each group's centroid vector
        windows.npz           sentence-window vectors, the passage row of each, their centroids
        lexical.json          BM25 postings over jieba tokens; vocab.txt: its jieba dictionary
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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from reindustry_kb import __version__
from reindustry_kb.embed import Vectors
from reindustry_kb.errors import IndexBusyError, IndexCorruptError, IndexMissingError
from reindustry_kb.lexical import LexicalIndex
from reindustry_kb.models import CLAIM, Claim, Document, Passage

FORMAT_VERSION = 3
POINTER = "CURRENT"
LOCK = ".lock"
# Readable files beside the builds, meant to be committed: a timestamp-free summary that
# `rkb index --check` compares with seeds/, and every claim as one JSON line.
SUMMARY = "manifest.json"
CLAIMS_EXPORT = "claims.jsonl"
FILES = ("kb.sqlite", "vectors.faiss", "groups.npz", "windows.npz", "lexical.json", "vocab.txt")

_SCHEMA = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY, path TEXT, sha256 TEXT, title TEXT, date TEXT, lang TEXT,
    source TEXT, authors TEXT, n_passages INTEGER, n_claims INTEGER, text TEXT
);
CREATE TABLE passages (
    row INTEGER PRIMARY KEY, passage_id TEXT UNIQUE, doc_id TEXT REFERENCES documents,
    ordinal INTEGER, text TEXT, char_start INTEGER, char_end INTEGER, line_start INTEGER,
    line_end INTEGER, speaker TEXT, section TEXT, lang TEXT
);
CREATE INDEX passages_doc ON passages(doc_id);
CREATE TABLE claims (
    id TEXT PRIMARY KEY, kind TEXT, doc_id TEXT REFERENCES documents, passage_id TEXT,
    char_start INTEGER, char_end INTEGER, line INTEGER, text TEXT,
    value_num REAL, value_text TEXT, unit TEXT, lever TEXT, canonical TEXT, data TEXT
);
CREATE INDEX claims_passage ON claims(passage_id);
CREATE INDEX claims_kind ON claims(kind);
"""

_PASSAGE_COLUMNS = (
    "passage_id, doc_id, ordinal, text, char_start, char_end, line_start, line_end, speaker, "
    "section, lang"
)


def _missing(index_dir: Path) -> IndexMissingError:
    return IndexMissingError(f"no index in {index_dir}; build one first with `rkb index`")


def _corrupt(index_dir: Path, what: str) -> IndexCorruptError:
    return IndexCorruptError(
        f"the index in {index_dir} is damaged ({what}); rebuild it with `rkb index`"
    )


def write_index(
    index_dir: Path,
    documents: Sequence[Document],
    texts: dict[str, str],
    passages: Sequence[Passage],
    claims: Sequence[Claim],
    vectors: Vectors,
    windows: Windows,
    lexical: LexicalIndex,
    manifest: dict[str, Any],
) -> Path:
    """Write a complete build beside the live one, then make it live. Returns its folder."""
    import faiss
    import numpy as np

    index_dir.mkdir(parents=True, exist_ok=True)
    # Names sort in build order (microseconds), so "the previous build" is well defined.
    now = time.time()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f"{int(now * 1e6) % 1_000_000:06d}"
    name = f"build-{stamp}-{uuid.uuid4().hex[:6]}"
    staging = index_dir / f".tmp-{name}"
    staging.mkdir()
    try:
        with sqlite3.connect(staging / "kb.sqlite") as db:
            db.executescript(_SCHEMA)
            db.executemany(
                "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        d.doc_id,
                        d.path,
                        d.sha256,
                        d.title,
                        d.date,
                        d.lang,
                        d.source,
                        json.dumps(d.authors, ensure_ascii=False),
                        d.n_passages,
                        d.n_claims,
                        texts[d.doc_id],
                    )
                    for d in documents
                ],
            )
            db.executemany(
                f"INSERT INTO passages (row, {_PASSAGE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        row,
                        p.passage_id,
                        p.doc_id,
                        p.ordinal,
                        p.text,
                        p.char_start,
                        p.char_end,
                        p.line_start,
                        p.line_end,
                        p.speaker,
                        p.section,
                        p.lang,
                    )
                    for row, p in enumerate(passages)
                ],
            )
            db.executemany(
                "INSERT INTO claims VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [_claim_row(claim) for claim in claims],
            )
        db.close()
        dim = int(manifest["dim"])
        flat = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        if len(passages):
            flat.add_with_ids(
                np.ascontiguousarray(vectors, dtype=np.float32),
                np.arange(len(passages), dtype=np.int64),
            )
        faiss.write_index(flat, str(staging / "vectors.faiss"))
        names = _write_groups(staging / "groups.npz", passages, vectors, dim)
        _write_windows(staging / "windows.npz", passages, windows, names, dim)
        lexical.save(staging)
        manifest = {
            **manifest,
            "format": FORMAT_VERSION,
            "package_version": __version__,
            "build": name,
            "files": {file: (staging / file).stat().st_size for file in FILES},
        }
        (staging / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        final = index_dir / name
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _point_to(index_dir, name)
    _write_summary(index_dir, manifest, claims)
    _remove_stale_builds(index_dir, keep=name)
    return final


SUMMARY_KEYS = (
    "format",
    "package_version",
    "embedder",
    "model",
    "dim",
    "settings",
    "documents",
    "counts",
)


def _write_summary(index_dir: Path, manifest: dict[str, Any], claims: Sequence[Claim]) -> None:
    summary = {key: manifest[key] for key in SUMMARY_KEYS if key in manifest}
    _replace_text(index_dir / SUMMARY, json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    lines = [claim.model_dump_json() + "\n" for claim in claims]
    _replace_text(index_dir / CLAIMS_EXPORT, "".join(lines))


def _replace_text(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One `rkb index` at a time per index folder; the lock dies with its process."""
    import fcntl

    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / LOCK).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusyError(
                f"another `rkb index` is writing {index_dir}; wait for it to finish, then run again"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _claim_row(claim: Claim) -> tuple[Any, ...]:
    """Columns to filter on, and the whole claim as JSON."""
    value = getattr(claim, "value", None)
    return (
        claim.id,
        claim.kind,
        claim.doc_id,
        claim.passage_id,
        claim.char_start,
        claim.char_end,
        claim.line,
        claim.text,
        value if isinstance(value, float) else None,
        value if isinstance(value, str) else None,
        getattr(claim, "unit", None),
        getattr(claim, "lever", None),
        getattr(claim, "canonical", None),
        claim.model_dump_json(),
    )


def language_group(lang: str) -> str:
    """zh-Hant and zh-Hans share a group: one language, two scripts."""
    return "zh" if lang.startswith("zh") else lang


@dataclass
class Windows:
    """Sentence-window vectors and, for each, the row of the passage it belongs to."""

    vectors: Any
    passage_row: Any


def _write_windows(
    path: Path, passages: Sequence[Passage], windows: Windows, names: list[str], dim: int
) -> None:
    import numpy as np

    group = np.array(
        [names.index(language_group(passages[int(r)].lang)) for r in windows.passage_row],
        dtype=np.int32,
    )
    centroids = np.zeros((len(names), dim), dtype=np.float32)
    for number in range(len(names)):
        if (group == number).any():
            centroids[number] = windows.vectors[group == number].mean(axis=0)
    with path.open("wb") as handle:
        np.savez(
            handle,
            vectors=np.asarray(windows.vectors, dtype=np.float32),
            passage_row=np.asarray(windows.passage_row, dtype=np.int32),
            group=group,
            centroids=centroids,
        )


def _write_groups(path: Path, passages: Sequence[Passage], vectors: Vectors, dim: int) -> list[str]:
    import numpy as np

    names = sorted({language_group(p.lang) for p in passages})
    row_group = np.array([names.index(language_group(p.lang)) for p in passages], dtype=np.int32)
    centroids = np.zeros((len(names), dim), dtype=np.float32)
    for number in range(len(names)):
        centroids[number] = vectors[row_group == number].mean(axis=0)
    with path.open("wb") as handle:
        np.savez(handle, names=np.array(names), row_group=row_group, centroids=centroids)
    return names


def _point_to(index_dir: Path, name: str) -> None:
    _replace_text(index_dir / POINTER, name + "\n")


def _remove_stale_builds(index_dir: Path, keep: str) -> None:
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
    pointer = index_dir / POINTER
    if not pointer.is_file():
        raise _missing(index_dir)
    build = index_dir / pointer.read_text(encoding="utf-8").strip()
    if not build.is_dir():
        raise _corrupt(index_dir, f"{POINTER} names a missing build")
    return build


def read_manifest(index_dir: Path) -> dict[str, Any]:
    build = current_build(index_dir)
    try:
        manifest: dict[str, Any] = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _corrupt(index_dir, "manifest.json unreadable") from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise _corrupt(index_dir, f"format {manifest.get('format')}, expected {FORMAT_VERSION}")
    return manifest


@dataclass
class LanguageGroups:
    """Passages by language: `row_group[row]` indexes `names` and `centroids`."""

    names: list[str]
    row_group: Any
    centroids: Any

    def rows(self, group: int) -> Any:
        import numpy as np

        return np.flatnonzero(self.row_group == group)


@dataclass
class IndexReader:
    """Read access to the live build; each part is loaded on first use."""

    index_dir: Path
    build: Path
    manifest: dict[str, Any]

    @classmethod
    def open(cls, index_dir: Path) -> IndexReader:
        build = current_build(index_dir)
        manifest = read_manifest(index_dir)
        for file, size in manifest.get("files", {}).items():
            path = build / file
            if not path.is_file() or path.stat().st_size != size:
                raise _corrupt(index_dir, f"{file} is missing or truncated")
        return cls(index_dir, build, manifest)

    @cached_property
    def db(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(f"file:{self.build / 'kb.sqlite'}?mode=ro", uri=True)
            db.execute("SELECT count(*) FROM passages").fetchone()
        except sqlite3.DatabaseError as exc:
            raise _corrupt(self.index_dir, "kb.sqlite unreadable") from exc
        db.row_factory = sqlite3.Row
        return db

    @cached_property
    def vectors(self) -> Any:
        import faiss

        try:
            return faiss.read_index(str(self.build / "vectors.faiss"))
        except RuntimeError as exc:
            raise _corrupt(self.index_dir, "vectors.faiss unreadable") from exc

    @cached_property
    def groups(self) -> LanguageGroups:
        import numpy as np

        try:
            with np.load(self.build / "groups.npz") as data:
                return LanguageGroups(
                    [str(name) for name in data["names"]], data["row_group"], data["centroids"]
                )
        except (OSError, ValueError, KeyError) as exc:
            raise _corrupt(self.index_dir, "groups.npz unreadable") from exc

    @cached_property
    def windows(self) -> dict[str, Any]:
        """vectors, passage_row, group and centroids of the sentence windows."""
        import numpy as np

        try:
            with np.load(self.build / "windows.npz") as data:
                return {key: data[key] for key in ("vectors", "passage_row", "group", "centroids")}
        except (OSError, ValueError, KeyError) as exc:
            raise _corrupt(self.index_dir, "windows.npz unreadable") from exc

    @cached_property
    def lexical(self) -> LexicalIndex:
        try:
            return LexicalIndex.load(self.build)
        except (OSError, ValueError, KeyError) as exc:
            raise _corrupt(self.index_dir, "lexical.json unreadable") from exc

    def documents(self) -> list[Document]:
        rows = self._query("SELECT * FROM documents ORDER BY doc_id")
        return [_document(row) for row in rows]

    def document_text(self, doc_id: str) -> str | None:
        rows = self._query("SELECT text FROM documents WHERE doc_id = ?", (doc_id,))
        return str(rows[0]["text"]) if rows else None

    def passages(self, rows: Sequence[int] | None = None) -> dict[int, Passage]:
        if rows is None:
            found = self._query(f"SELECT row, {_PASSAGE_COLUMNS} FROM passages")
        else:
            marks = ",".join("?" * len(rows))
            found = self._query(
                f"SELECT row, {_PASSAGE_COLUMNS} FROM passages WHERE row IN ({marks})", tuple(rows)
            )
        return {
            int(row["row"]): Passage(**{k: row[k] for k in row.keys() if k != "row"})  # noqa: SIM118
            for row in found
        }

    def claims(self, where: str = "1", params: Sequence[Any] = ()) -> list[Claim]:
        """Claims matching a SQL condition over claims (c) joined to documents (d)."""
        rows = self._query(
            f"SELECT c.data FROM claims c JOIN documents d USING (doc_id) WHERE {where} "
            "ORDER BY c.doc_id, c.char_start, c.kind",
            tuple(params),
        )
        return [CLAIM.validate_json(row["data"]) for row in rows]

    def claims_by_passage(self, passage_ids: Sequence[str]) -> dict[str, list[Claim]]:
        marks = ",".join("?" * len(passage_ids))
        result: dict[str, list[Claim]] = {pid: [] for pid in passage_ids}
        for claim in self.claims(f"c.passage_id IN ({marks})", passage_ids):
            result[claim.passage_id].append(claim)
        return result

    def passage_filter_rows(self, where: str, params: Sequence[Any]) -> set[int]:
        """Rows of passages matching a SQL condition over passages (p) joined to documents (d)."""
        rows = self._query(
            f"SELECT p.row FROM passages p JOIN documents d USING (doc_id) WHERE {where}",
            tuple(params),
        )
        return {int(row["row"]) for row in rows}

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        try:
            return list(self.db.execute(sql, params))
        except sqlite3.DatabaseError as exc:
            raise _corrupt(self.index_dir, "kb.sqlite unreadable") from exc


def _document(row: sqlite3.Row) -> Document:
    values = {key: row[key] for key in row.keys() if key != "text"}  # noqa: SIM118
    values["authors"] = json.loads(values["authors"] or "[]")
    return Document(**values)
