"""`rkb show`: the lines a citation names, with context, from the index's copy of the text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reindustry_kb.errors import RkbError
from reindustry_kb.index.backend import IndexReader
from reindustry_kb.models import Document, citation_of

_CITATION = re.compile(r"^(?P<doc>.+?):(?:p(?P<page>\d+):)?L(?P<start>\d+)(?:-L?(?P<end>\d+))?$")


@dataclass
class Excerpt:
    document: Document
    citation: str
    line_start: int
    line_end: int
    lines: list[tuple[int, str]]  # (1-based line number, text) including context


def show(reader: IndexReader, citation: str, context: int = 2) -> Excerpt:
    """The lines a citation names, with context."""
    match = _CITATION.match(citation.strip())
    if not match:
        raise RkbError(
            f"{citation!r} is not a citation; expected DOC_ID:L<start>-L<end>, e.g. 001_x:L3-L5"
        )
    doc_id = match["doc"]
    document = reader.documents_by_id([doc_id]).get(doc_id)
    text = reader.document_text(doc_id)
    if text is None or document is None:
        raise RkbError(f"no document {doc_id!r} in the index; list them with `rkb docs`")
    all_lines = text.split("\n")
    start = int(match["start"])
    end = int(match["end"] or start)
    if start > end:
        raise RkbError(f"{citation} starts after it ends; write the lines as L<start>-L<end>")
    if not 1 <= start <= end <= len(all_lines):
        raise RkbError(f"{doc_id} has lines 1-{len(all_lines)}; {citation} is outside them")
    page = int(match["page"]) if match["page"] else None
    if page is not None and not 1 <= page <= (document.pages or 0):
        pages = f"pages 1-{document.pages}" if document.pages else "no pages"
        raise RkbError(f"{doc_id} has {pages}; {citation} names page {page}")
    first, last = max(1, start - context), min(len(all_lines), end + context)
    lines = [(n, all_lines[n - 1]) for n in range(first, last + 1)]
    return Excerpt(document, citation_of(doc_id, start, end, page), start, end, lines)
