"""A new local build: SQLite rows, vector files and postings, written beside the live build."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from reindustry_kb.errors import IndexCorruptError
from reindustry_kb.index import records
from reindustry_kb.index.backend import DenseVectors, Part
from reindustry_kb.index.local import layout, sql
from reindustry_kb.index.local.dense import DenseWriter
from reindustry_kb.index.local.lexical import FILES as LEXICAL_FILES
from reindustry_kb.index.local.lexical import PostingsBuilder
from reindustry_kb.index.manifest import Manifest
from reindustry_kb.models import Document, language_group

if TYPE_CHECKING:
    from reindustry_kb.index.local.reader import LocalReader


@dataclass
class CarriedDocument:
    """A document of the live build: where its passages are and their languages."""

    first_row: int
    langs: list[str] = field(default_factory=list)


class LocalWriter:
    """A new build, written a document at a time beside the live one and made live by
    `publish`, so an interrupted `rkb index` leaves the previous index working and a reader
    sees the old build or the new one. Rows go to SQLite and vectors to their files as each
    document is added; a build never holds the library in memory.

    Use as a context manager: leaving it without `publish` (an error, Ctrl-C) removes the
    unfinished build."""

    def __init__(self, index_dir: Path, dim: int, live: LocalReader | None = None) -> None:
        index_dir.mkdir(parents=True, exist_ok=True)
        self.name = layout.new_build_name()
        self.index_dir = index_dir
        self.staging = index_dir / f".tmp-{self.name}"
        self.staging.mkdir()
        self.live = live
        self.row = 0  # the next passage's row
        self.db = sqlite3.connect(self.staging / "kb.sqlite")
        # An unfinished build is thrown away whole, so SQLite need not journal it.
        self.db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + sql.SCHEMA)
        if live is not None:
            old = live.build / "kb.sqlite"
            self.db.execute("ATTACH DATABASE ? AS old", (f"file:{old}?mode=ro",))
        self.dense = DenseWriter(self.staging, dim, live.build if live is not None else None)
        self.postings = PostingsBuilder(self.staging)

    def __enter__(self) -> LocalWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.staging.exists():  # not published
            self.db.close()
            shutil.rmtree(self.staging, ignore_errors=True)

    def add_document(self, doc: Document, text: str, part: Part) -> None:
        self.db.execute(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            records.document_row(doc, text),
        )
        self.add_part(part)

    def add_part(self, part: Part) -> None:
        self.db.executemany(
            f"INSERT INTO passages (row, {records.PASSAGE_COLUMNS}, tokens) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                (self.row + n, *records.passage_row(p), " ".join(part.tokens[n]))
                for n, p in enumerate(part.passages)
            ),
        )
        self.db.executemany(
            "INSERT INTO claims VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (records.claim_row(claim) for claim in part.claims),
        )
        self._add_rows([p.lang for p in part.passages], part.tokens, part.vectors)

    def set_counts(self, doc_id: str, n_passages: int, n_claims: int) -> None:
        self.db.execute(
            "UPDATE documents SET n_passages = ?, n_claims = ? WHERE doc_id = ?",
            (n_passages, n_claims, doc_id),
        )

    @cached_property
    def _carried(self) -> dict[str, CarriedDocument]:
        """Per document of the live build, where its passages are."""
        parts: dict[str, CarriedDocument] = {}
        for doc_id, row, lang in self.db.execute(
            "SELECT doc_id, row, lang FROM old.passages ORDER BY row"
        ):
            part = parts.get(doc_id)
            if part is None:
                part = parts[doc_id] = CarriedDocument(row)
            part.langs.append(lang)
        return parts

    def carry(self, doc: Document) -> None:
        """An unchanged document: its row (with its text, under its path now), passages
        (renumbered) and claims copied from the live build by SQL, its stored BM25 tokens
        counted again (never re-tokenised), its vectors copied: its file is not read again."""
        held = self._carried.get(doc.doc_id) if self.live is not None else None
        if held is None or self.live is None:
            raise IndexCorruptError(
                f"the index in {self.index_dir} lists {doc.doc_id} without its passages; "
                "remove that folder and run `rkb index` to rebuild it"
            )
        self.db.execute(
            "INSERT INTO documents SELECT * FROM old.documents WHERE doc_id = ?", (doc.doc_id,)
        )
        self.db.execute("UPDATE documents SET path = ? WHERE doc_id = ?", (doc.path, doc.doc_id))
        self.db.execute(
            f"INSERT INTO passages SELECT row - ? + ?, {records.PASSAGE_COLUMNS}, tokens "
            "FROM old.passages WHERE row >= ? AND row < ? ORDER BY row",
            (held.first_row, self.row, held.first_row, held.first_row + len(held.langs)),
        )
        self.db.execute(
            "INSERT INTO claims SELECT * FROM old.claims WHERE doc_id = ? ORDER BY rowid",
            (doc.doc_id,),
        )
        stored = self.db.execute(
            "SELECT tokens FROM passages WHERE row >= ? ORDER BY row", (self.row,)
        )
        tokens = [str(t).split(" ") if t else [] for (t,) in stored]
        vectors = self.live.dense.run(held.first_row, len(held.langs))
        self._add_rows(held.langs, tokens, vectors)

    def _add_rows(self, langs: list[str], tokens: list[list[str]], vectors: DenseVectors) -> None:
        self.dense.add(vectors, langs)
        self.postings.add(tokens, [language_group(lang) for lang in langs])
        self.row += len(langs)

    def publish(self, manifest: Manifest) -> None:
        """Complete the build and make it live: renamed into place, then named by CURRENT."""
        self.db.executescript(sql.INDEXES)
        self.db.commit()
        self.db.close()
        # The postings first: their working arrays are gone before FAISS builds its indexes.
        self.postings.build().save(self.staging)
        files = ["kb.sqlite", *self.dense.finish(), *LEXICAL_FILES]
        sizes = {file: (self.staging / file).stat().st_size for file in files}
        manifest = manifest.model_copy(update={"build": self.name, "files": sizes})
        (self.staging / "manifest.json").write_text(layout.to_json(manifest), encoding="utf-8")
        final = self.index_dir / self.name
        self.staging.rename(final)
        layout.point_to(self.index_dir, self.name)
        layout.write_summary(self.index_dir, manifest, final / "kb.sqlite")
        layout.remove_stale_builds(self.index_dir, keep=self.name)
