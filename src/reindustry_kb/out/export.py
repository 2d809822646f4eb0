"""Cited Markdown for researchers, and the check that its quotes still stand in the sources.

Each quote is a blockquote of the source text as a reader is shown it (segment.shown_text:
its words verbatim, markup such as HTML tags, image URLs, emphasis and table pipes removed),
followed by a footnote with title, date, source, path, lines and the file's sha256. Before it
sits an HTML comment (hidden by GitHub and pandoc) naming the file, lines and full hash, which
`verify` reads back: the quote must stand in the clean text of those lines.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from reindustry_kb.ask.compare import Comparison
from reindustry_kb.ask.questions import ask, clean_question
from reindustry_kb.ask.session import Session
from reindustry_kb.errors import RkbError
from reindustry_kb.index.backend import IndexReader
from reindustry_kb.index.manifest import Manifest
from reindustry_kb.ingest.segment import shown_span, shown_text
from reindustry_kb.ingest.sources import source_text
from reindustry_kb.models import (
    NO_FILTERS,
    Claim,
    ClaimFilters,
    Document,
    Filters,
    Hit,
    as_shown,
)

if TYPE_CHECKING:
    from reindustry_kb.ask.grouping import ComparedStatistic
    from reindustry_kb.ask.timeline import TimelineEntry

_MARKER = re.compile(
    r'^<!-- rkb-quote n=(?P<n>\d+) path="(?P<path>[^"]+)" lines=(?P<start>\d+)-(?P<end>\d+) '
    r"sha256=(?P<sha>[0-9a-f]{64}) -->$"
)
_SENTENCE_END = "。！？!?\n"
QUOTE_CHARS = 400  # the longest span a timeline entry's merged clauses are quoted over


@dataclass
class Quote:
    document: Document
    text: str
    line_start: int
    line_end: int
    heading: str = ""  # what the quote is about: speaker, or a claim's reading
    pages: tuple[int, int] | None = None  # PDF: first and last page of the quote
    answer: str = ""  # the sentences of the quote that answer the question, shown first
    weak: bool = False  # a hit below the calibrated threshold: the nearest, not an answer
    answers_whole: bool = False  # all of the quote answers: said, not repeated
    copies: tuple[str, ...] = ()  # its citations in copies of its file (ask/copies.py)


@dataclass
class _Section:
    """A heading, then (for compare and timeline) a table of the quotes, a row each with its
    citation last, and a Mermaid chart under it; then the quotes."""

    title: str
    quotes: list[Quote]
    header: tuple[str, ...] = ()
    rows: list[tuple[str, ...]] = field(default_factory=list)
    chart: str = ""


@dataclass
class _Draft:
    title: str
    sections: list[_Section] = field(default_factory=list)


def export_questions(
    session: Session, questions: Sequence[str], k: int, filters: Filters | None = None
) -> str:
    """Cited Markdown answering each question with its top passages."""
    draft = _Draft("Cited excerpts")
    for question in questions:
        result = ask(session, clean_question(question), k, filters or NO_FILTERS)
        documents = session.reader.documents_by_id({hit.doc_id for hit in result.hits})
        quotes = [
            Quote(
                documents[hit.doc_id],
                _hit_quote(session.reader, hit),
                hit.line_start,
                hit.line_end,
                f"Speaker: {hit.speaker}" if hit.speaker else "",
                (hit.page_start, hit.page_end or hit.page_start) if hit.page_start else None,
                _answer(hit),
                hit.weak,
                _answers_whole(hit),
                tuple(hit.copies),
            )
            for hit in result.hits
        ]
        draft.sections.append(_Section(question, quotes))
    reranker = session.reranker.name if session.reranker else None
    return _render(draft, session.reader.manifest, reranker)


def export_claims(reader: IndexReader, filters: ClaimFilters) -> str:
    """Cited Markdown quoting each selected claim in its sentence."""
    from reindustry_kb.ask.copies import distinct_claims

    found = reader.find_claims(filters)
    documents = reader.documents_by_id({claim.doc_id for claim in found})
    claims, copies = distinct_claims(found, documents)
    quotes = [
        replace(
            _quote_around(reader, documents[claim.doc_id], claim, _reading(claim)),
            copies=tuple(cited),
        )
        for claim, cited in zip(claims, copies, strict=True)
    ]
    draft = _Draft("Cited claims", [_Section(_describe_filters(filters), quotes)])
    return _render(draft, reader.manifest)


def export_compare(reader: IndexReader, comparison: Comparison) -> str:
    """Cited Markdown of `rkb compare`: a section per group, its figures in a table with a
    chart under it (two figures at least), then each figure in its sentence."""
    from reindustry_kb.out.mermaid import group_chart, markdown
    from reindustry_kb.out.render import group_title, value_text

    query = comparison.query
    rows = [row for group in comparison.groups for row in group.statistics]
    documents = reader.documents_by_id({row.doc_id for row in rows})
    claims = reader.claims_by_id(
        [row.id for group in comparison.groups for row in group.statistics]
    )
    draft = _Draft(f"Figures cited for “{query}”")
    for group in comparison.groups:
        periods = group.several_periods()
        columns = ("published", *(["period"] * periods), "value", "measure", "source")
        section = _Section(group_title(group), [], columns)
        for row in group.statistics:
            value = value_text(row.value, row.value_max, row.unit, row.approx)
            about = f" — {row.measure}" if row.measure else ""
            quote = _quote_around(reader, documents[row.doc_id], claims[row.id], value + about)
            section.quotes.append(quote)
            period = [row.period or "any"] if periods else []
            section.rows.append(
                (row.date or "undated", *period, value, row.measure or "", _cited(row))
            )
        chart = group_chart(group)
        section.chart = markdown(chart) if chart else ""
        draft.sections.append(section)
    if not comparison.groups:
        draft.sections.append(_Section(f"No statistic measures “{query}”", []))
    return _render(draft, reader.manifest)


def export_timeline(reader: IndexReader, filters: ClaimFilters) -> str:
    """Cited Markdown of `rkb timeline`: the events in a table, in date order, a Mermaid
    timeline under it, then each event's clause."""
    from reindustry_kb.ask.timeline import timeline
    from reindustry_kb.out.mermaid import markdown, timeline_chart

    entries = timeline(reader, filters)
    documents = reader.documents_by_id({entry.doc_id for entry in entries})
    title = _describe_filters(filters).replace("Claims where", "Events where")
    title = title.replace("All claims", "All events")
    section = _Section(title, [], ("date", "event", "actors", "source"))
    for entry in entries:
        actors = ", ".join(dict.fromkeys(a for e in entry.events for a in e.actors))
        heading = entry.when + (f" — {actors}" if actors else "")
        document = documents[entry.doc_id]
        text = reader.document_text(entry.doc_id) or ""
        # The clauses merged into the entry, from the first to the last, unless they stand
        # far apart: then the first, whose lines the quote gives.
        start, end = entry.events[0].start, entry.events[-1].end
        end = end if end - start <= QUOTE_CHARS else entry.events[0].end
        quote = _shown(text, start, end) or entry.text
        line_start = text.count("\n", 0, start) + 1
        line_end = line_start + text.count("\n", start, end)
        section.quotes.append(Quote(document, quote, line_start, line_end, heading))
        section.rows.append((entry.when, entry.text, actors, _cited(entry)))
    chart = timeline_chart(title, entries)
    section.chart = markdown(chart) if chart else ""
    return _render(_Draft("Timeline", [section]), reader.manifest)


def _quote_around(reader: IndexReader, document: Document, claim: Claim, heading: str) -> Quote:
    """The sentence that holds a claim, as a quote."""
    text = reader.document_text(claim.doc_id) or ""
    start, end = _sentence_around(text, claim.char_start, claim.char_end)
    line_start = text.count("\n", 0, start) + 1
    return Quote(
        document,
        _shown(text, start, end),
        line_start,
        line_start + text.count("\n", start, end),
        heading,
    )


def _hit_quote(reader: IndexReader, hit: Hit) -> str:
    """What a quote of a hit shows: its clean text, read over the whole lines it stands on."""
    text = reader.document_text(hit.doc_id)
    if text is None or text[hit.char_start : hit.char_end] != hit.text:
        return as_shown(hit)[0]
    return _shown(text, hit.char_start, hit.char_end)


def _shown(text: str, start: int, end: int) -> str:
    """The clean text of text[start:end] (segment.shown_text), cleaned over the whole lines
    it stands on: what `verify` cleans, so the quote stands in it even where the span begins
    inside markup."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    lines = text[first : last if last >= 0 else len(text)]
    body, where = shown_text(lines)
    a, b = shown_span(body, where, start - first, end - first)
    return body[a:b]


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence that holds [start, end), without surrounding blanks."""
    left = max(text.rfind(mark, 0, start) for mark in _SENTENCE_END) + 1
    ends = [i for mark in _SENTENCE_END if (i := text.find(mark, end)) >= 0]
    right = min(ends) + 1 if ends else len(text)
    right = right - 1 if text[right - 1 : right] == "\n" else right
    while left < start and text[left].isspace():
        left += 1
    while right > end and text[right - 1].isspace():
        right -= 1
    return left, right


def _reading(claim: Claim) -> str:
    from reindustry_kb.out.render import describe, shown

    return f"{claim.kind}: {shown(claim.text)} → {describe(claim)}"


def _describe_filters(filters: ClaimFilters) -> str:
    parts = [f"{name}={value}" for name, value in vars(filters).items() if value not in (None, ())]
    return "Claims where " + ", ".join(parts) if parts else "All claims"


def _render(draft: _Draft, manifest: Manifest, reranker: str | None = None) -> str:
    lines = [f"# {draft.title}", ""]
    reranked = f", reranked by {reranker}" if reranker else ""
    lines.append(
        f"*Generated by reindustry-kb {manifest.package_version} from index "
        f"`{manifest.build}` built {manifest.built_at} "
        f"({manifest.embedder}, {manifest.model}{reranked}).*"
    )
    lines.append("")
    footnotes: list[str] = []
    cited: dict[str, Document] = {}
    for section in draft.sections:
        lines += [f"## {section.title}", ""]
        if not section.quotes:
            lines += ["No passage matched.", ""]
        if section.rows:
            lines += [*_table(section, len(footnotes) + 1), ""]
        if section.chart:
            lines += [section.chart, ""]
        for quote in section.quotes:
            number = len(footnotes) + 1
            doc = quote.document
            cited[doc.doc_id] = doc
            if quote.heading:
                lines += [f"*{quote.heading}*", ""]
            if quote.weak:
                lines += ["*No good match: the nearest passage, which does not answer.*", ""]
            elif quote.answer:
                lines += [f"**Answer:** “{quote.answer}” (in the passage below)", ""]
            elif quote.answers_whole:
                lines += ["**Answer:** the passage below.", ""]
            lines.append(
                f'<!-- rkb-quote n={number} path="{doc.path}" lines={quote.line_start}-'
                f"{quote.line_end} sha256={doc.sha256} -->"
            )
            lines += [f"> {line}" if line.strip() else ">" for line in quote.text.split("\n")]
            lines += ["", f"[^{number}]", ""]
            footnotes.append(
                f"[^{number}]: {_cite(doc)}, {_pages(quote)}lines "
                f"{quote.line_start}–{quote.line_end}{_extracted(doc)}{_also(quote.copies)}."
            )
    lines += ["## Sources", ""]
    for doc in sorted(cited.values(), key=lambda d: d.doc_id):
        lines.append(f"- {_cite(doc)}.")
    lines += ["", *footnotes, ""]
    return "\n".join(lines)


def _table(section: _Section, first: int) -> list[str]:
    """The section's rows as a Markdown table, each citation linked to its quote's footnote
    (numbered from `first`)."""
    lines = ["| " + " | ".join(section.header) + " |", "|" + " --- |" * len(section.header)]
    for number, (*cells, cited) in enumerate(section.rows, first):
        cells = [_cell(cell) for cell in cells] + [f"{cited} [^{number}]"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _cited(row: ComparedStatistic | TimelineEntry) -> str:
    """A table row's citation in code marks, and its copies' (the same file under other names,
    ask/copies.py)."""
    return f"`{row.citation}`" + _also(row.copies)


def _also(copies: Sequence[str]) -> str:
    """` (also `b:L1-L1`)`: where copies of the cited file say the same, or nothing."""
    return f" (also {', '.join(f'`{citation}`' for citation in copies)})" if copies else ""


def _cell(text: str) -> str:
    """Text in one table cell: on one line, its pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def _answer(hit: Hit) -> str:
    """The answering sentences (clean) on one line, when they are not the whole passage."""
    text, where = as_shown(hit)
    answer = text[where]
    return "" if answer == text else " ".join(answer.split())


def _answers_whole(hit: Hit) -> bool:
    """Whether the answering sentences are the whole passage (a short article)."""
    text, where = as_shown(hit)
    return bool(text.strip()) and text[where] == text


def _pages(quote: Quote) -> str:
    if quote.pages is None:
        return ""
    first, last = quote.pages
    return f"p. {first}, " if first == last else f"pp. {first}–{last}, "


def _extracted(doc: Document) -> str:
    return f" of the text extracted from the {doc.format.upper()}" if doc.format != "text" else ""


def _cite(doc: Document) -> str:
    parts = [f"*{doc.title or doc.doc_id}*"]
    if doc.authors:
        parts.append(", ".join(doc.authors))
    parts.append(doc.date or "undated")
    if doc.source:
        parts.append(doc.source)
    parts += [f"`{doc.path}`", f"sha256 `{doc.sha256[:12]}`"]
    return ", ".join(parts)


# --- verification -------------------------------------------------------------------------


@dataclass
class Verification:
    quotes: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: int = 0  # quotes whose source file is not in the seeds folder

    @property
    def wrong_folder(self) -> bool:
        """No quoted file is in the seeds folder: most likely not the folder exported from."""
        return self.quotes > 0 and self.missing == self.quotes


def verify(markdown_path: Path, seeds_dir: Path) -> Verification:
    """Every quote must still stand in its source at the cited lines, or (if the file changed)
    somewhere in it; a quote found nowhere is a problem."""
    try:
        lines = markdown_path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise RkbError(
            f"cannot read {markdown_path}; give the path of an `rkb export` file"
        ) from exc
    if not seeds_dir.is_dir():  # else every quote would read as a mismatch
        raise RkbError(
            f"no seeds folder {seeds_dir}; pass --seeds DIR, the folder the export quotes"
        )
    report = Verification()
    for index, line in enumerate(lines):
        marker = _MARKER.match(line.strip())
        if marker is None:
            continue
        quote_lines = []
        for following in lines[index + 1 :]:
            if not following.startswith(">"):
                break
            quote_lines.append(following[2:] if following.startswith("> ") else following[1:])
        report.quotes += 1
        _check_quote(marker, "\n".join(quote_lines), seeds_dir, report)
    if report.quotes == 0:
        raise RkbError(f"{markdown_path} holds no rkb quotes; verify files written by `rkb export`")
    return report


def _check_quote(marker: re.Match[str], quote: str, seeds_dir: Path, report: Verification) -> None:
    label = f"[^{marker['n']}] {marker['path']}:L{marker['start']}-L{marker['end']}"
    source = seeds_dir / marker["path"]
    try:
        data = source.read_bytes()
        text = _text_of(source, data)
    except (OSError, RkbError):
        report.problems.append(f"{label}: the source file is missing or unreadable")
        report.missing += 1
        return
    wanted = _plain(quote)
    cited = "\n".join(text.split("\n")[int(marker["start"]) - 1 : int(marker["end"])])
    same_file = hashlib.sha256(data).hexdigest() == marker["sha"]
    # A quote is the clean text of the cited lines; older exports quoted them verbatim.
    folded = _folded(quote)
    if folded and (wanted in _plain(cited) or folded in _folded(shown_text(cited)[0])):
        if not same_file:
            report.notes.append(
                f"{label}: the file changed, but the quote still stands at these lines"
            )
        return
    if folded and (at := _line_of(quote, text)):
        report.notes.append(f"{label}: the quote moved (now near L{at})")
        return
    report.problems.append(f"{label}: the quote no longer stands in the source")


def _line_of(quote: str, text: str) -> int | None:
    """The line where a quote begins in `text`: verbatim, or in its clean text."""
    if _plain(quote) in _plain(text):
        return text[: text.find(quote.split("\n")[0].rstrip())].count("\n") + 1
    body, where = shown_text(text)
    if _folded(quote) not in _folded(body):
        return None
    at = body.find(quote.split("\n")[0].strip())
    return text.count("\n", 0, where[at]) + 1 if at >= 0 else None


def _folded(text: str) -> str:
    """Compare with every run of blanks as one space: a line break of the clean text may
    stand where the source has spaces and markup, and Markdown may drop trailing blanks."""
    return " ".join(text.split())


@functools.lru_cache(maxsize=8)
def _text_of(source: Path, data: bytes) -> str:
    # A brief quotes one PDF many times: extract it once.
    return source_text(source, data)


def _plain(text: str) -> str:
    """Compare line by line without trailing blanks, which editors and Markdown may drop."""
    return "\n".join(line.rstrip() for line in text.split("\n"))
