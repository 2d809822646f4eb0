"""A hit made by hand, for the tests of what reads or shows hits."""

from __future__ import annotations

from typing import Any

from reindustry_kb.models import Hit


def a_hit(doc_id: str = "d", text: str = "美國的關稅收入", line: int = 3, **fields: Any) -> Hit:
    """A first hit of `doc_id` holding `text` on one line; `fields` set the rest."""
    made: dict[str, Any] = {
        "rank": 1,
        "score": 0.9,
        "doc_id": doc_id,
        "title": None,
        "date": None,
        "passage_id": f"{doc_id}#p001",
        "text": text,
        "char_start": 0,
        "char_end": len(text),
        "line_start": line,
        "line_end": line,
        "citation": f"{doc_id}:L{line}-L{line}",
    }
    return Hit(**(made | fields))
