"""Typed claims (statistics, dates, actors, policy levers) from passages.

Extractors read each passage in folded form (NFKC, Simplified, case kept) so one set of rules
serves both Chinese scripts; every span they find is mapped back through the offset map, so a
claim quotes the original text exactly, like a passage does.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reindustry_kb.claims.actors import extract_actors, fold_people, home_country
from reindustry_kb.claims.base import Context, Found
from reindustry_kb.claims.context import describe
from reindustry_kb.claims.levers import extract_levers
from reindustry_kb.claims.statistics import extract_statistics
from reindustry_kb.claims.temporal import describe_dates, extract_dates
from reindustry_kb.ingest.segment import prose_text
from reindustry_kb.ingest.sources import Source
from reindustry_kb.models import CLAIM, KINDS, Claim, Passage
from reindustry_kb.text.dates import document_month_first
from reindustry_kb.text.normalize import Folded, fold, fold_text, is_han, to_traditional

_ID_PREFIX = {"statistic": "s", "date": "d", "actor": "a", "policy_lever": "l"}
SpanMap = Callable[[int, int], tuple[int, int]]


@dataclass(frozen=True)
class DocumentContext:
    """What reading any passage needs from the whole document: the people it names as
    authors and speakers, how it writes numeric dates, and the country it is about (whose
    ministry a bare 国防部 is)."""

    people: Any
    month_first: bool
    country: str | None = None


def document_context(source: Source, passages: Sequence[Passage]) -> DocumentContext:
    speakers = [p.speaker for p in passages if p.speaker]
    return DocumentContext(
        fold_people([*source.doc.authors, *speakers]),
        document_month_first(source.text),
        home_country(fold_text(source.text, lower=False), source.doc.lang),
    )


def extract_claims(
    source: Source, passages: Sequence[Passage], within: DocumentContext | None = None
) -> list[Claim]:
    """Typed claims of a document's passages (all of them, or some of them `within` the
    context of the whole document), each mapped back to the original."""
    doc = source.doc
    within = within or document_context(source, passages)
    claims: list[Claim] = []
    for passage in passages:
        # Read without the markup in its prose, mapped back through both views.
        prose = prose_text(passage.text)
        folded = fold(prose.text, lower=False)
        to_original = _through(prose, folded)
        context = Context(
            doc_date=doc.date,
            lang=passage.lang if passage.lang != "mixed" else doc.lang,
            month_first=within.month_first,
        )
        actors = list(extract_actors(folded.text, within.people, within.country))
        for actor in actors:
            actor.fields.update(_shown(passage.text, actor, to_original))
        found: list[Found] = [
            *extract_statistics(folded.text, context),
            *extract_dates(folded.text, context),
            *actors,
            *extract_levers(folded.text),
        ]
        describe(folded.text, found)
        describe_dates(folded.text, found)
        for item in found:
            start, end = to_original(item.start, item.end)
            claims.append(_claim(source, passage, item, start, end, to_original))
    claims.sort(key=lambda c: (c.char_start, KINDS.index(c.kind), c.char_end))
    return claims


def _through(first: Folded, second: Folded) -> SpanMap:
    """Spans of `second` (a view of `first.text`) in the text `first` views."""

    def to_original(start: int, end: int) -> tuple[int, int]:
        return first.span_to_original(*second.span_to_original(start, end))

    return to_original


def _claim(
    source: Source, passage: Passage, item: Found, start: int, end: int, to_original: SpanMap
) -> Claim:
    char_start, char_end = passage.char_start + start, passage.char_start + end
    fields = dict(item.fields)
    if item.kind == "statistic" and fields.get("quantity"):
        q_start, q_end = to_original(*fields["quantity"])
        fields["quantity"] = passage.text[q_start:q_end]
    if item.kind == "statistic":
        fields.update(_measure_fields(passage, fields, to_original))
    if item.kind == "date" and fields.get("event"):
        fields["event"] = _event_fields(passage, fields["event"], to_original)
    if item.kind == "actor":
        # As written; the canonical name is the table's, or for rule-found actors the folded
        # form, so 許毓仁 and 许毓仁 share one.
        fields["name"] = passage.text[start:end]
    return CLAIM.validate_python(
        {
            "kind": item.kind,
            "id": f"{source.doc.doc_id}#{_ID_PREFIX[item.kind]}{char_start}-{char_end}",
            "doc_id": source.doc.doc_id,
            "passage_id": passage.passage_id,
            "text": source.text[char_start:char_end],
            "char_start": char_start,
            "char_end": char_end,
            # Counted within the passage: counting from the file's start is quadratic in a
            # long document.
            "line": passage.line_start + passage.text.count("\n", 0, start),
            **fields,
        }
    )


def _shown(text: str, actor: Found, to_original: SpanMap) -> dict[str, Any]:
    """How an actor is shown: the table's name, or a name the rules found as the document
    writes it (許毓仁 in a Traditional-Chinese document, though its canonical key is the folded
    许毓仁); `aliases` keep the name in the other Chinese script."""
    start, end = to_original(actor.start, actor.end)
    canonical = actor.fields["canonical"]
    written = " ".join(unicodedata.normalize("NFKC", text[start:end]).split())
    display = written if canonical == " ".join(actor.fields["name"].split()) else canonical
    aliases = []
    if any(is_han(char) for char in display):
        simplified = fold_text(display, lower=False)
        other = to_traditional(display) if simplified == display else simplified
        aliases = [other] if other != display else []
    return {"display": display, "aliases": aliases}


def _measure_fields(
    passage: Passage, fields: dict[str, Any], to_original: SpanMap
) -> dict[str, Any]:
    """The measure quoted from the original with document offsets; a duration period too."""
    from reindustry_kb.text.tokenize import tokenize

    found: dict[str, Any] = dict.fromkeys(
        ("measure", "measure_start", "measure_end", "measure_key")
    )
    if fields.get("measure"):
        start, end = to_original(*fields["measure"])
        found["measure"] = passage.text[start:end]
        found["measure_start"] = passage.char_start + start
        found["measure_end"] = passage.char_start + end
        found["measure_key"] = " ".join(tokenize(found["measure"])) or None
    if isinstance(fields.get("period"), tuple):
        start, end = to_original(*fields["period"])
        found["period"] = passage.text[start:end]
    return found


def _event_fields(passage: Passage, event: dict[str, Any], to_original: SpanMap) -> dict[str, Any]:
    start, end = to_original(*event["span"])
    verb = None
    if event["verb"]:
        verb_start, verb_end = to_original(*event["verb"])
        verb = passage.text[verb_start:verb_end]
    return {
        "text": passage.text[start:end],
        "start": passage.char_start + start,
        "end": passage.char_start + end,
        "verb": verb,
        "actors": event["actors"],
        "lever": event["lever"],
    }
