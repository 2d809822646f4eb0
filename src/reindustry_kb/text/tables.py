"""A table's row in text: Markdown's `| a | b |`, as the readers write a Word file's and a PDF's
tables too (ingest/extract.py), so that segmenting and claims read every table alike."""

from __future__ import annotations


def is_table_row(line: str) -> bool:
    """Whether a line is a row of a table: it opens with a pipe and holds another."""
    line = line.strip()
    return line.startswith("|") and line.count("|") >= 2
