"""The local backend: an index as files in a folder (`indexes/` by default), zero set-up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reindustry_kb.errors import SourceError
from reindustry_kb.index.backend import IndexReader
from reindustry_kb.index.local import layout
from reindustry_kb.index.local.reader import LocalReader
from reindustry_kb.index.local.writer import LocalWriter
from reindustry_kb.index.manifest import Summary
from reindustry_kb.settings import Settings


class LocalBackend:
    """SQLite for records, FAISS and flat vector files for the dense side, flat postings arrays
    for BM25; a generation is a build folder, published by renaming it and pointing CURRENT
    at it (layout.py)."""

    name = "local"

    def __init__(self, settings: Settings) -> None:
        self.index_dir: Path = settings.index_dir
        if self.index_dir.exists() and not self.index_dir.is_dir():
            raise SourceError(
                f"--index-dir {self.index_dir} is a file, not a folder; give a folder for the index"
            )

    def where(self) -> str:
        return str(self.index_dir)

    def open(self) -> LocalReader:
        return LocalReader.open(self.index_dir)

    def summary(self) -> Summary | None:
        return layout.read_summary(self.index_dir)

    @contextmanager
    def lock(self) -> Iterator[None]:
        with layout.build_lock(self.index_dir):
            yield

    def writer(self, dim: int, live: IndexReader | None) -> LocalWriter:
        if live is not None and not isinstance(live, LocalReader):
            raise TypeError("a local build carries documents from a local build only")
        return LocalWriter(self.index_dir, dim, live)
