"""Typed records shared by the pipeline stages and the JSON contracts (DESIGN.md section 6)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter


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


class ClaimBase(BaseModel):
    id: str
    doc_id: str
    passage_id: str
    text: str  # exactly original[char_start:char_end]
    char_start: int
    char_end: int
    line: int


class StatisticClaim(ClaimBase):
    kind: Literal["statistic"] = "statistic"
    value: float  # in base units: 3000 億美元 -> 3e11
    value_max: float | None = None  # the upper end of a range
    unit: str  # USD TWD CNY EUR JPY % GW MW GWh x count ...
    quantity: str | None = None  # what is counted or measured, as written
    approx: bool = False


class DateClaim(ClaimBase):
    kind: Literal["date"] = "date"
    value: str  # YYYY-MM-DD, YYYY-MM or YYYY
    precision: Literal["day", "month", "year"]
    ambiguous: bool = False
    relative: bool = False


class ActorClaim(ClaimBase):
    kind: Literal["actor"] = "actor"
    name: str
    canonical: str
    actor_type: Literal["person", "government", "company", "organization", "country", "media"]


class LeverClaim(ClaimBase):
    kind: Literal["policy_lever"] = "policy_lever"
    lever: str


Claim = Annotated[StatisticClaim | DateClaim | ActorClaim | LeverClaim, Field(discriminator="kind")]


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
    claims: list[Claim] = Field(default_factory=list)


class AskResult(BaseModel):
    query: str
    hits: list[Hit]


class IndexStats(BaseModel):
    index_dir: str
    n_documents: int
    n_passages: int
    n_claims: int = 0
    embedder: str
    model: str
    # Against the previous index: documents by content hash, and the passages embedded now.
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    passages_embedded: int = 0
    config_changes: list[str] = Field(default_factory=list)
    seconds: float
    passages_per_s: float | None = None  # embedding throughput, when anything was embedded
    stage_seconds: dict[str, float] = Field(default_factory=dict)  # read, segment, claims, ...


CLAIM: TypeAdapter[Claim] = TypeAdapter(Claim)


def citation_of(doc_id: str, line_start: int, line_end: int) -> str:
    return f"{doc_id}:L{line_start}-L{line_end}"
