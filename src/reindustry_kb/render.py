"""Terminal rendering with rich. JSON output does not pass through here."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from reindustry_kb.models import AskResult, Document
from reindustry_kb.normalize import fold
from reindustry_kb.pipeline import Excerpt


def highlight_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Original-text spans where folded query terms occur (so 关税 lights up 關稅)."""
    folded = fold(text)
    spans = []
    for term in sorted(set(terms), key=len, reverse=True):
        if len(term) < 2 and not ("\u4e00" <= term <= "\u9fff"):
            continue
        start = folded.text.find(term)
        while start >= 0:
            spans.append(folded.span_to_original(start, start + len(term)))
            start = folded.text.find(term, start + len(term))
    return spans


def render_hits(console: Console, result: AskResult, terms: Sequence[str]) -> None:
    if not result.hits:
        console.print(f"No passage matches [bold]{result.query}[/] with these filters.")
        return
    for hit in result.hits:
        body = Text(hit.text)
        for start, end in highlight_spans(hit.text, terms):
            body.stylize("bold yellow", start, end)
        meta = Text.assemble(
            (f"{hit.citation}", "cyan"),
            "  ",
            (hit.title or hit.doc_id, "bold"),
            f"  {hit.date}" if hit.date else "",
            (f"  speaker: {hit.speaker}", "magenta") if hit.speaker else "",
        )
        console.print(
            Panel(
                Group(meta, Text(""), body),
                title=f"#{hit.rank}  score {hit.score:.3f}",
                title_align="left",
                border_style="blue",
            )
        )


def render_documents(console: Console, documents: Sequence[Document]) -> None:
    table = Table(show_lines=False)
    for column in ("doc_id", "title", "date", "lang", "source", "authors", "passages"):
        table.add_column(column, overflow="fold", no_wrap=column in ("doc_id", "date", "lang"))
    for doc in documents:
        table.add_row(
            doc.doc_id,
            doc.title or "",
            doc.date or "",
            doc.lang,
            doc.source or "",
            ", ".join(doc.authors),
            str(doc.n_passages),
        )
    console.print(table)


def render_excerpt(console: Console, excerpt: Excerpt) -> None:
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
