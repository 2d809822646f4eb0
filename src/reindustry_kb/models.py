"""Typed records shared by the stages, and the JSON that `--json` prints: a stable contract
(fields are added, never removed or renamed)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter

from reindustry_kb.errors import RkbError


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
    format: str = "text"  # text | pdf | html | docx
    pages: int | None = None  # PDF
    text_sha256: str | None = None  # of the extracted text, for a non-text source


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
    page_start: int | None = None  # PDF: the pages the span covers, 1-based
    page_end: int | None = None

    @property
    def citation(self) -> str:
        """This passage's citation."""
        return citation_of(self.doc_id, self.line_start, self.line_end, self.page_start)


class ClaimBase(BaseModel):
    id: str
    doc_id: str
    passage_id: str
    text: str  # exactly original[char_start:char_end]
    char_start: int
    char_end: int
    line: int
    page: int | None = None  # PDF sources: the page the claim's text begins on

    @property
    def citation(self) -> str:
        """This claim's citation: its line (and page), as a passage's is written."""
        return citation_of(self.doc_id, self.line, self.line, self.page)


class StatisticClaim(ClaimBase):
    kind: Literal["statistic"] = "statistic"
    value: float  # in base units: 3000 億美元 -> 3e11
    value_max: float | None = None  # the upper end of a range
    unit: str  # USD TWD CNY EUR JPY % GW MW GWh x count ...
    quantity: str | None = None  # what is counted or measured, as written
    approx: bool = False
    # What the number measures (claims/context.py): a span of the same sentence, its folded
    # BM25 tokens for matching across scripts, and the place and period it applies to.
    measure: str | None = None
    measure_start: int | None = None
    measure_end: int | None = None
    measure_key: str | None = None
    scope: str | None = None  # a country's canonical name, or "global"
    period: str | None = None  # ISO date/year (relative ones resolved), or a duration as written


class Event(BaseModel):
    """What a date dates: the clause, its verb, the actors and the lever it names."""

    text: str  # exactly original[start:end]
    start: int
    end: int
    verb: str | None = None
    actors: list[str] = Field(default_factory=list)  # as shown (ActorClaim.display)
    lever: str | None = None


class DateClaim(ClaimBase):
    kind: Literal["date"] = "date"
    value: str  # YYYY-MM-DD, YYYY-MM or YYYY
    precision: Literal["day", "month", "year"]
    ambiguous: bool = False
    relative: bool = False
    event: Event | None = None
    # What the date is to its sentence (claims/temporal.py): a timeline shows event, deadline
    # and effective dates; an index built before 0.11 calls every date an event.
    role: Literal["event", "deadline", "effective", "comparison", "period", "reference"] = "event"
    resolved_from: str | None = None  # the document date a relative date was resolved against


class ActorClaim(ClaimBase):
    kind: Literal["actor"] = "actor"
    name: str
    canonical: str  # one key for every alias and script: the table's name, or the folded name
    actor_type: Literal["person", "government", "company", "organization", "country", "media"]
    # As shown: the table's name, or the name in the script of its document (許毓仁); None in
    # an index built before 0.10. `aliases` hold the name in the other Chinese script.
    display: str | None = None
    aliases: list[str] = Field(default_factory=list)

    @property
    def shown(self) -> str:
        return self.display or self.canonical


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
    page_start: int | None = None  # PDF sources
    page_end: int | None = None
    # The sentences of the passage that best answer (its nearest sentence window), in source
    # offsets within char_start..char_end.
    answer_start: int | None = None
    answer_end: int | None = None
    # The calibrated probability that the hit answers (ask/confidence.py), the same scale for
    # every question; None when the index's embedder has no calibration. Weak: below the
    # calibration's threshold.
    probability: float | None = None
    weak: bool = False
    # What a reader is shown of `text` (which stays the exact source slice): markup removed
    # (HTML tags and comments, image and link URLs, emphasis, table pipes), entities decoded,
    # line breaks kept; and where the answering sentences stand in it (offsets in clean_text).
    clean_text: str | None = None
    clean_answer_start: int | None = None
    clean_answer_end: int | None = None
    # Citations of the same passage in copies of its file (the same bytes indexed under other
    # names), which are not hits of their own (ask/copies.py).
    copies: list[str] = Field(default_factory=list)


def answer_slice(hit: Hit) -> slice:
    """Where a hit's answering sentences stand in its text."""
    if hit.answer_start is None or hit.answer_end is None:
        return slice(0, len(hit.text))
    return slice(hit.answer_start - hit.char_start, hit.answer_end - hit.char_start)


def as_shown(hit: Hit) -> tuple[str, slice]:
    """What a reader is shown of a hit, and where its answering sentences stand in that: the
    clean text where the hit has one, else the source text."""
    if hit.clean_text is None:
        return hit.text, answer_slice(hit)
    if hit.clean_answer_start is None or hit.clean_answer_end is None:
        return hit.clean_text, slice(0, len(hit.clean_text))
    return hit.clean_text, slice(hit.clean_answer_start, hit.clean_answer_end)


class AskResult(BaseModel):
    query: str
    hits: list[Hit]
    # Every hit weak: the library holds nothing that answers (the hits are the nearest).
    no_good_match: bool = False
    threshold: float | None = None  # the probability below which a hit is weak
    # What the probabilities are: "calibration KEY" (fitted), or a reranker's own sigmoid.
    probability_from: str | None = None


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
    # Passage and window texts embedded now, and those whose vectors the live build lent.
    texts_embedded: int = 0
    texts_reused: int = 0
    config_changes: list[str] = Field(default_factory=list)
    seconds: float
    passages_per_s: float | None = None  # passages embedded / the whole build's seconds
    stage_seconds: dict[str, float] = Field(default_factory=dict)  # read, segment, claims, ...
    skipped: list[Skipped] = Field(default_factory=list)  # files found but not indexed


class Skipped(BaseModel):
    """A file under the seeds folder that was not indexed, and why."""

    path: str
    reason: str
    # A document that could not be indexed (empty, damaged, undecodable, no text, too large),
    # which `rkb index --strict` fails on; hidden files and other types are not.
    unreadable: bool = False


CLAIM: TypeAdapter[Claim] = TypeAdapter(Claim)

_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
LANGS = ("zh", "zh-hant", "zh-hans", "en")


def _check_dates(since: str | None, until: str | None) -> None:
    for name, value in (("--since", since), ("--until", until)):
        if value and not _real_date(value):
            raise RkbError(
                f"{name} {value!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD (a real one)"
            )
    if since and until and since[: len(until)] > until[: len(since)]:
        raise RkbError(f"--since {since} is after --until {until}; swap them")


def _real_date(value: str) -> bool:
    """YYYY, YYYY-MM or YYYY-MM-DD naming a day, month or year that exists."""
    if _DATE.fullmatch(value) is None:
        return False
    year, month, day = [*value.split("-"), "01", "01"][:3]
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Filters:
    """Which passages a question may return; checks itself; the index backend applies it."""

    docs: tuple[str, ...] = ()  # ids or file names; a trailing * matches a prefix
    since: str | None = None  # YYYY[-MM[-DD]], compared at that precision with the doc date
    until: str | None = None
    lang: str | None = None  # zh, zh-Hant, zh-Hans or en: each passage's own language

    def __post_init__(self) -> None:
        _check_dates(self.since, self.until)
        if self.lang and self.lang.lower() not in LANGS:
            raise RkbError(f"--lang {self.lang!r} is not supported; use zh, zh-Hant, zh-Hans or en")

    def is_empty(self) -> bool:
        """True when no filter is set."""
        return not (self.docs or self.since or self.until or self.lang)


NO_FILTERS = Filters()

# The kinds of claim, and the policy levers a claim may use (claims/lexicon.py finds them).
KINDS = ("statistic", "date", "actor", "policy_lever")
LEVERS = (
    "tariff",
    "trade_agreement",
    "tax_incentive",
    "permitting_reform",
    "deregulation",
    "energy_supply",
    "equity_stake",
    "public_finance",
    "subsidy",
    "export_control",
    "export_promotion",
    "industrial_cluster",
    "workforce",
    "rd_commercialization",
    "procurement",
)


@dataclass(frozen=True)
class ClaimFilters:
    """Which claims `rkb claims` lists; the index backend applies it."""

    kind: str | None = None
    docs: tuple[str, ...] = ()
    actor: str | None = None  # claims in passages naming this actor (any alias, any script)
    lever: str | None = None  # claims in passages using this policy lever
    unit: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    since: str | None = None  # a date claim's own value, otherwise the document's date
    until: str | None = None
    mentions: tuple[str, ...] = ()  # claims in passages holding any of these BM25 tokens

    def __post_init__(self) -> None:
        if self.kind and self.kind not in KINDS:
            raise RkbError(
                f"--kind {self.kind!r} is not a claim kind; use one of: {', '.join(KINDS)}"
            )
        if self.lever and self.lever not in LEVERS:
            raise RkbError(
                f"--lever {self.lever!r} is not a policy lever; use one of: {', '.join(LEVERS)}"
            )
        _check_dates(self.since, self.until)


def language_group(lang: str) -> str:
    """zh-Hant and zh-Hans share a group: one language, two scripts."""
    return "zh" if lang.startswith("zh") else lang


def citation_of(doc_id: str, line_start: int, line_end: int, page: int | None = None) -> str:
    """A citation: `<doc_id>:L<start>-L<end>`, or `<doc_id>:p<page>:L<start>-L<end>` in a PDF
    (the page where the cited lines begin; the lines, of the extracted text, stay exact)."""
    where = f"p{page}:" if page is not None else ""
    return f"{doc_id}:{where}L{line_start}-L{line_end}"


def passage_key(doc_id: str, ordinal: int) -> str:
    """A passage's stable key: its document and its number there, from 1 ("<doc>#p012")."""
    return f"{doc_id}#p{ordinal:03d}"


def passage_order(passage_id: str) -> tuple[str, int]:
    """A passage's place in its library: by document, then by its number there ("<doc>#p012").
    Ties in ranking break by it, so every backend lists equal scores alike."""
    doc_id, _, ordinal = passage_id.rpartition("#p")
    return (doc_id, int(ordinal)) if doc_id and ordinal.isdigit() else (passage_id, 0)
