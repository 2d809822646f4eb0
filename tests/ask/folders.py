"""Readers over index files written straight into a folder, for the query code's unit tests:
the local reader's BM25 and dense parts (term statistics, segmentation, candidates, vectors)
read those files alone, without a build's SQLite database or manifest."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import cast

from reindustry_kb.ask.terms import Terms
from reindustry_kb.index.local.lexical import LexicalIndex
from reindustry_kb.index.local.reader import LocalReader
from reindustry_kb.index.manifest import Manifest
from reindustry_kb.text.tokenize import tokenize


def folder_reader(folder: Path) -> LocalReader:
    """The local reader of the index files in `folder` (no kb.sqlite, no manifest)."""
    return LocalReader(folder, folder, cast(Manifest, None))


def lexical_terms(folder: Path, texts: Sequence[str], groups: Sequence[str] | None = None) -> Terms:
    """What BM25 knows of these passages (of these language groups), saved in `folder` and
    read back as a query reads a build's: questions segmented against its vocabulary."""
    LexicalIndex.build([tokenize(text) for text in texts], groups).save(folder)
    return Terms(folder_reader(folder))
