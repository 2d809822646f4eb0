"""Terminal rendering with rich. JSON output does not pass through here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from reindustry_kb.ask.show import Excerpt
from reindustry_kb.models import AskResult, Claim, Document, answer_slice
from reindustry_kb.text.normalize import fold, is_han

if TYPE_CHECKING:
    from reindustry_kb.ask.compare import Comparison, StatisticGroup, TimelineEntry


def highlight_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Original-text spans where folded query terms occur (so 关税 lights up 關稅)."""
    folded = fold(text)
    spans = []
    for term in sorted(set(terms), key=len, reverse=True):
        if len(term) < 2 and not is_han(term):
            continue
        start = folded.text.find(term)
        while start >= 0:
            spans.append(folded.span_to_original(start, start + len(term)))
            start = folded.text.find(term, start + len(term))
    return spans


def render_hits(console: Console, result: AskResult, terms: Sequence[str]) -> None:
    """Hits as panels: citation, title, date, speaker, passage with the answering sentences
    underlined and query terms marked, claims."""
    if not result.hits:
        console.print(f"No passage matches [bold]{result.query}[/] with these filters.")
        return
    for hit in result.hits:
        body = Text(hit.text)
        answer = answer_slice(hit)
        if answer != slice(0, len(hit.text)):  # the whole passage needs no marking
            body.stylize("underline", answer.start, answer.stop)
        for start, end in highlight_spans(hit.text, terms):
            body.stylize("bold yellow", start, end)
        meta = Text.assemble(
            (f"{hit.citation}", "cyan"),
            "  ",
            (hit.title or hit.doc_id, "bold"),
            f"  {hit.date}" if hit.date else "",
            (f"  speaker: {hit.speaker}", "magenta") if hit.speaker else "",
        )
        parts = [meta, Text(""), body]
        if hit.claims:
            parts += [Text(""), claims_line(hit.claims)]
        console.print(
            Panel(
                Group(*parts),
                title=f"#{hit.rank}  score {hit.score:.3f}",
                title_align="left",
                border_style="blue",
            )
        )


def describe(claim: Claim) -> str:
    """One short reading of a claim: 3000 億美元 = 3e+11 USD, 今年 -> 2025, ..."""
    if claim.kind == "statistic":
        about = claim.measure or claim.quantity
        reading = value_text(claim.value, claim.value_max, claim.unit, claim.approx)
        return reading + (f" ({about})" if about else "")
    if claim.kind == "date":
        return dated(claim.value, claim.relative, claim.ambiguous)
    if claim.kind == "actor":
        return f"{claim.canonical} [{claim.actor_type}]"
    return claim.lever


def dated(value: str, relative: bool, ambiguous: bool) -> str:
    """A date as written, with what the reader should know: 2025 (relative)."""
    flags = [flag for flag, on in (("relative", relative), ("ambiguous", ambiguous)) if on]
    return value + (f" ({', '.join(flags)})" if flags else "")


def claims_line(claims: Sequence[Claim]) -> Text:
    """The claims of a hit in one line: figures and dates in full, actors and levers once each."""
    style = {"statistic": "green", "date": "cyan", "actor": "magenta", "policy_lever": "yellow"}
    parts: list[Text] = []
    seen: set[str] = set()
    for claim in claims:
        once = claim.kind in ("actor", "policy_lever")
        key = describe(claim) if once else claim.id
        if key not in seen:
            seen.add(key)
            label = describe(claim) if once else f"{claim.text} = {describe(claim)}"
            parts.append(Text(label, style[claim.kind]))
    return Text("claims: ", "dim") + Text(" · ", "dim").join(parts)


def _table(columns: Sequence[str], no_wrap: str) -> Table:
    """A table of these columns, long cells folded; the `no_wrap` column kept on one line."""
    table = Table(show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column == no_wrap)
    return table


def _print_table(console: Console, table: Table, rows: str, empty: str) -> None:
    """The table and how many rows it has, or the `empty` message when it has none."""
    if not table.row_count:
        console.print(empty)
        return
    console.print(table)
    console.print(f"{table.row_count} {rows}", style="dim")


def render_claims(console: Console, claims: Sequence[Claim]) -> None:
    """Claims as a table: kind, citation, surface text, normalised reading."""
    table = _table(("kind", "citation", "text", "reading"), no_wrap="kind")
    for claim in claims:
        table.add_row(claim.kind, f"{claim.doc_id}:L{claim.line}", claim.text, describe(claim))
    _print_table(console, table, "claims", "No claims match these filters.")


CSV_COLUMNS = (
    "id",
    "kind",
    "doc_id",
    "line",
    "text",
    "value",
    "value_max",
    "unit",
    "quantity",
    "measure",
    "scope",
    "period",
    "approx",
    "precision",
    "ambiguous",
    "relative",
    "name",
    "canonical",
    "actor_type",
    "lever",
    "char_start",
    "char_end",
    "passage_id",
)


def claims_csv(claims: Sequence[Claim]) -> str:
    """Claims as CSV with one column per field of any kind."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for claim in claims:
        writer.writerow(claim.model_dump())
    return buffer.getvalue()


def render_documents(console: Console, documents: Sequence[Document]) -> None:
    """Documents as a table with their metadata and counts."""
    table = Table(show_lines=False)
    for column in ("doc_id", "title", "date", "lang", "format", "source", "authors", "passages"):
        table.add_column(column, overflow="fold", no_wrap=column in ("doc_id", "date", "lang"))
    for doc in documents:
        table.add_row(
            doc.doc_id,
            doc.title or "",
            doc.date or "",
            doc.lang,
            doc.format + (f", {doc.pages} pp." if doc.pages is not None else ""),
            doc.source or "",
            ", ".join(doc.authors),
            str(doc.n_passages),
        )
    console.print(table)


def render_excerpt(console: Console, excerpt: Excerpt) -> None:
    """Cited lines with their context, the cited ones marked."""
    doc = excerpt.document
    console.print(
        Text.assemble(
            (excerpt.citation, "cyan"),
            "  ",
            (doc.title or doc.doc_id, "bold"),
            f"  {doc.date or ''}  ({doc.path})",
        )
    )
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    for number, line in excerpt.lines:
        cited = excerpt.line_start <= number <= excerpt.line_end
        style = "" if cited else "dim"
        grid.add_row(
            Text(f"{'>' if cited else ' '}{number} │", "cyan" if cited else "dim"),
            Text(line, style),
        )
    console.print(grid)


def value_text(value: float, value_max: float | None, unit: str, approx: bool) -> str:
    """3e+11 USD, ~1e+10–1e+11 USD."""
    span = f"{value:g}" + (f"–{value_max:g}" if value_max is not None else "")
    return f"{'~' if approx else ''}{span} {unit}"


def group_title(group: StatisticGroup) -> str:
    """unit · scope · period, and whether the values disagree."""
    parts = [group.unit, group.scope or "any scope", group.period or "any period"]
    verdict = f"values disagree (spread {group.spread:.0%})" if group.disagree else "consistent"
    return " · ".join(parts) + f" — {len(group.statistics)} figures, {verdict}"


def render_comparison(console: Console, comparison: Comparison) -> None:
    """Each group as a table of figures in date order, disagreements flagged."""
    if not comparison.groups:
        console.print(f"No statistic measures {comparison.query!r}.")
        return
    for group in comparison.groups:
        style = "bold red" if group.disagree else "bold"
        console.print(Text(group_title(group), style))
        table = Table(show_lines=False)
        for column in ("date", "value", "measure", "text", "citation"):
            table.add_column(column, overflow="fold", no_wrap=column == "date")
        for row in group.statistics:
            table.add_row(
                row.date or "undated",
                value_text(row.value, row.value_max, row.unit, row.approx),
                row.measure or "",
                row.text,
                row.citation,
            )
        console.print(table)


COMPARE_COLUMNS = (
    "unit",
    "scope",
    "period",
    "disagree",
    "spread",
    "value",
    "value_max",
    "approx",
    "text",
    "measure",
    "date",
    "doc_id",
    "title",
    "citation",
    "match",
    "closeness",
    "id",
)


def comparison_csv(comparison: Comparison) -> str:
    """One row per figure, with its group's unit, scope, period and verdict."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=COMPARE_COLUMNS, extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for group in comparison.groups:
        verdict = {"disagree": group.disagree, "spread": group.spread}
        for row in group.statistics:
            writer.writerow({**row.model_dump(), **verdict})
    return buffer.getvalue()


def render_timeline(console: Console, entries: Sequence[TimelineEntry]) -> None:
    """Events in date order: date (as precise as written), event, who, citation."""
    table = _table(("date", "event", "actors", "citation"), no_wrap="date")
    for entry in entries:
        date = dated(entry.date, entry.relative, entry.ambiguous)
        event = Text(entry.event.text)
        if entry.event.verb:
            event.highlight_words([entry.event.verb], "bold")
        lever = f" [{entry.event.lever}]" if entry.event.lever else ""
        table.add_row(date, event, ", ".join(entry.event.actors) + lever, entry.citation)
    _print_table(console, table, "events", "No dated event matches these filters.")
