"""Typed records shared by the pipeline stages and the JSON contracts (DESIGN.md section 6)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Document(BaseModel):
    doc_id: str
    path: str
    sha256: str
    title: str | None = None
    date: str | None = None  # ISO YYYY-MM-DD, YYYY-MM or YYYY
    lang: str = "zh-Hant"  # zh-Hant | zh-Hans | en | mixed
    source: str | None = None
    authors: list[str] = Field(default_factory=list)
    n_passages: int = 0
    n_claims: int = 0


class Passage(BaseModel):
    passage_id: str
    doc_id: str
    ordinal: int
    text: str  # exactly original[char_start:char_end]
    char_start: int
    char_end: int
    line_start: int
    line_end: int
    speaker: str | None = None
    section: str | None = None
    lang: str = "zh-Hant"

    @property
    def citation(self) -> str:
        return citation_of(self.doc_id, self.line_start, self.line_end)


class Hit(BaseModel):
    rank: int
    score: float
    doc_id: str
    title: str | None
    date: str | None
    passage_id: str
    text: str
    char_start: int
    char_end: int
    line_start: int
    line_end: int
    citation: str
    speaker: str | None = None
    claims: list[dict[str, Any]] = Field(default_factory=list)


class AskResult(BaseModel):
    query: str
    hits: list[Hit]


class IndexStats(BaseModel):
    index_dir: str
    n_documents: int
    n_passages: int
    embedder: str
    model: str
    seconds: float


def citation_of(doc_id: str, line_start: int, line_end: int) -> str:
    return f"{doc_id}:L{line_start}-L{line_end}"
