"""`rkb timeline`: dated events in date order, each what happens at its date, with its citation.

A date claim is an event when its `role` (claims/temporal.py) is event, deadline or effective
and it dates a clause: the reference point of a statistic (since 1940, 比去年同期), the bounds
of a span, and dates that name or cite (a URL, a source list, a date line) stay off unless asked
for (`roles`). A relative date (今年, last month) was resolved against its document's date and
says so (`resolved_from`); a document without a date has none. The clauses of one date in one
document are one entry; a month-only date sorts and prints as a month.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from pydantic import BaseModel, Field

from reindustry_kb.ask.copies import without_copies
from reindustry_kb.claims.lexicon import actor_names, names_one_of
from reindustry_kb.claims.temporal import ROLES, TIMELINE_ROLES
from reindustry_kb.index.backend import IndexReader
from reindustry_kb.ingest.segment import shown_text
from reindustry_kb.models import ClaimFilters, DateClaim, Event, citation_of

# What an entry shows of each clause, in characters: the clause, not its whole passage.
SHOWN_CHARS = 160
ROLE_NOTES = {"effective": "takes effect"}
_LEFT_MARKUP = re.compile(r"</?[A-Za-z][^<>]*>|^\s*>\s?", re.M)


class TimelineEntry(BaseModel):
    date: str
    precision: str
    relative: bool
    ambiguous: bool
    event: Event  # the first clause of the entry
    doc_id: str
    title: str | None
    citation: str
    line_start: int  # the lines the entry's clauses cover
    line_end: int
    claim_id: str
    # Added in 0.11: the role of the date (event, deadline, effective; others when asked for),
    # the document date a relative date was resolved against, the clean text shown (the
    # entry's clauses, joined), and every clause and claim merged into the entry.
    role: str = "event"
    resolved_from: str | None = None
    text: str = ""
    events: list[Event] = Field(default_factory=list)
    claim_ids: list[str] = Field(default_factory=list)
    written: str | None = None  # a relative date as written (明年, last month)
    copies: list[str] = Field(default_factory=list)  # its citations in copies of its file

    @property
    def when(self) -> str:
        """The date with what a reader should know: 2026 (明年, doc of 2025-09-24), 2024-12-01
        (takes effect), 2030 (deadline), 06/09/2025 read as 2025-06-09 (ambiguous)."""
        notes = [f"{self.written}, doc of {self.resolved_from}"] if self.resolved_from else []
        notes += [ROLE_NOTES.get(self.role, self.role)] if self.role != "event" else []
        notes += ["ambiguous"] if self.ambiguous else []
        return self.date + (f" ({'; '.join(notes)})" if notes else "")


def timeline(
    reader: IndexReader, filters: ClaimFilters, roles: Sequence[str] = TIMELINE_ROLES
) -> list[TimelineEntry]:
    """Dated events in date order, one entry per date and document; `filters`' actor and
    lever must be named in the event, and its role be one of `roles`."""
    names = actor_names(filters.actor)
    # The index selects dates (and passages using the lever); the actor is the event's own,
    # and a statistic's unit has no say.
    selected = replace(filters, kind="date", actor=None, unit=None)
    found = [
        c
        for c in reader.find_claims(selected)
        if isinstance(c, DateClaim) and c.event and c.role in roles
    ]
    found = [c for c in found if not names or names_one_of(names, _event(c).actors)]
    found = [c for c in found if not filters.lever or _event(c).lever == filters.lever]
    found.sort(key=lambda c: (c.value, c.doc_id, _event(c).start))
    documents = reader.documents_by_id({c.doc_id for c in found})
    # An event and its copy's (the same file twice) are one event.
    found, copies = without_copies(found, lambda c: (c.doc_id, c.char_start, c.char_end), documents)
    copied = {c.id: [copy.doc_id for copy in other] for c, other in zip(found, copies, strict=True)}
    groups: dict[tuple[str, str], list[DateClaim]] = {}
    for claim in found:
        groups.setdefault((claim.doc_id, claim.value), []).append(claim)
    entries = [
        _entry(claims, documents[claims[0].doc_id].title, copied[claims[0].id])
        for claims in groups.values()
    ]
    entries.sort(key=lambda e: (e.date, e.doc_id, e.event.start))
    return entries


def _event(claim: DateClaim) -> Event:
    assert claim.event is not None
    return claim.event


def _entry(claims: list[DateClaim], title: str | None, copies: list[str]) -> TimelineEntry:
    """One entry for the claims of one date in one document: each clause once, in the order
    of the text; the strongest role among them (a deadline or an effective date over a plain
    event); relative only when every date of it was; cited in the copies of its file too
    (`copies`: their documents)."""
    events = list({_event(c).start: _event(c) for c in claims}.values())
    events.sort(key=lambda e: e.start)
    lines = [_lines(c) for c in claims]
    first = claims[0]
    role = min((c.role for c in claims), key=lambda r: (ROLES.index(r) == 0, ROLES.index(r)))
    relative = all(c.relative for c in claims)
    start, end = min(a for a, _ in lines), max(b for _, b in lines)
    return TimelineEntry(
        date=first.value,
        precision=first.precision,
        relative=relative,
        ambiguous=any(c.ambiguous for c in claims),
        event=events[0],
        doc_id=first.doc_id,
        title=title,
        citation=citation_of(first.doc_id, start, end, first.page),
        copies=[citation_of(doc_id, start, end, first.page) for doc_id in copies],
        line_start=start,
        line_end=end,
        claim_id=first.id,
        role=role,
        resolved_from=first.resolved_from if relative else None,
        written=first.text if relative else None,
        text=" … ".join(dict.fromkeys(_shown(e) for e in events)),
        events=events,
        claim_ids=[c.id for c in claims],
    )


def _lines(claim: DateClaim) -> tuple[int, int]:
    """The lines a date's clause covers."""
    event = _event(claim)
    line_start = claim.line - event.text[: claim.char_start - event.start].count("\n")
    return line_start, line_start + event.text.count("\n")


def _shown(event: Event) -> str:
    """A clause as a reader sees it: markup removed (a tag broken across lines too, which
    a passage's clean text keeps), spaces folded, kept short."""
    text = " ".join(_LEFT_MARKUP.sub(" ", shown_text(event.text)[0]).split())
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1].rstrip() + "…"
