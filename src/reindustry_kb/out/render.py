"""Terminal rendering with rich. JSON output does not pass through here."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len, chop_cells
from rich.console import Console, Group
from rich.containers import Lines
from rich.measure import Measurement
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from reindustry_kb.ask.show import Excerpt
from reindustry_kb.ingest.segment import shown_text
from reindustry_kb.models import AskResult, Claim, Document, Hit, as_shown
from reindustry_kb.out import charts
from reindustry_kb.text.normalize import fold, is_han

if TYPE_CHECKING:
    from rich.console import ConsoleOptions, JustifyMethod, OverflowMethod

    from reindustry_kb.ask.compare import Comparison, StatisticGroup
    from reindustry_kb.ask.timeline import TimelineEntry

# Characters two cells wide (CJK, kana, hangul, full-width forms): a line may break between any two.
_WIDE = (
    "\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd"
)
# A piece of text that stays on one line: a word, or one wide character; with its spaces.
_PIECE = re.compile(rf"\s*(?:[{_WIDE}]|[^\s{_WIDE}]+)\s*")
# Punctuation that must not end a line (opening) or start one (closing).
_OPENING = set("([{「『（《〈【〔“‘")
_CLOSING = set(")]}」』）》〉】〕”’，。、；：！？,.;:!?…·")


def pieces(text: str, keep: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """The (start, end) of the parts of `text` a line may not break inside: words, single CJK
    characters with the punctuation bound to them, and the `keep` spans (citations) whole."""
    found: list[tuple[int, int]] = []
    for match in _PIECE.finditer(text):
        start, end = match.span()
        body = match.group().strip()
        bound = not text[start - 1].isspace() and (
            body[:1] in _CLOSING or text[start - 1] in _OPENING
        )
        if found and (bound or any(a < start < b for a, b in keep)):
            found[-1] = (found[-1][0], end)
        else:
            found.append((start, end))
    return found


def break_offsets(text: str, width: int, keep: Sequence[tuple[int, int]] = ()) -> list[int]:
    """Where to break one line of `text` to fit `width` cells: between words and CJK characters,
    inside a piece only when it is wider than a whole line."""
    breaks: list[int] = []
    used = 0
    for start, end in pieces(text, keep):
        piece = text[start:end]
        size = cell_len(piece.rstrip())
        if used and used + size > width:
            breaks.append(start)
            used = 0
        if size > width:  # fold it: nothing else can keep it in the table
            *whole, last = chop_cells(piece, width)
            for part in whole:
                start += len(part)
                breaks.append(start)
            used = cell_len(last)
        else:
            used += cell_len(piece)
    return [offset for offset in breaks if offset > 0]


class Prose(Text):
    """Text that wraps between words and between CJK characters, so that a Latin word inside
    Chinese text ("「Battery Belt」") is never split; `keep` spans (citations) stay whole."""

    keep: tuple[tuple[int, int], ...] = ()

    def wrap(
        self,
        console: Console,
        width: int,
        *,
        justify: JustifyMethod | None = None,
        overflow: OverflowMethod | None = None,
        tab_size: int = 8,
        no_wrap: bool | None = None,
    ) -> Lines:
        if no_wrap or (no_wrap is None and self.no_wrap) or overflow == "ignore":
            return super().wrap(
                console,
                width,
                justify=justify,
                overflow=overflow,
                tab_size=tab_size,
                no_wrap=no_wrap,
            )
        lines = Lines()
        offset = 0
        for line in self.split(allow_blank=True):
            keep = [(a - offset, b - offset) for a, b in self.keep]
            for part in line.divide(break_offsets(line.plain, width, keep)):
                lines.extend(
                    part.wrap(console, width, justify=justify, overflow=overflow, tab_size=tab_size)
                )
            offset += len(line) + 1
        return lines

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = super().__rich_measure__(console, options).maximum
        sizes = [cell_len(self.plain[a:b].strip()) for a, b in pieces(self.plain, self.keep)]
        return Measurement(max(sizes, default=widest), widest)


def prose(*parts: str | Text | tuple[str, str], keep: Sequence[int] = ()) -> Prose:
    """Prose assembled from `parts`; the parts numbered in `keep` never break."""
    text = Prose()
    spans = []
    for number, part in enumerate(parts):
        start = len(text)
        if isinstance(part, tuple):
            text.append(*part)
        else:
            text.append(part)
        if number in keep:  # from its first letter: leading spaces are where a line may break
            added = text.plain[start:]
            spans.append((start + len(added) - len(added.lstrip()), len(text)))
    text.keep = tuple(spans)
    return text


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
    if result.no_good_match:
        console.print(
            Text.assemble(
                "No good match for “",
                (result.query, "bold"),
                "” in this library: the nearest passages follow, marked weak.",
            )
        )
    for hit in result.hits:
        text, answer = as_shown(hit)
        body = Prose(text)
        if answer != slice(0, len(text)):  # the whole passage needs no marking
            body.stylize("underline", answer.start, answer.stop)
        for start, end in highlight_spans(text, terms):
            body.stylize("bold yellow", start, end)
        meta = prose(
            (hit.citation, "cyan"),
            "  ",
            (hit.title or hit.doc_id, "bold"),
            f"  {hit.date}" if hit.date else "",
            (f"  speaker: {hit.speaker}", "magenta") if hit.speaker else "",
            keep=(0, 3),
        )
        parts: list[Text] = [meta]
        if hit.copies:  # the same file indexed under other names
            cited: list[str | tuple[str, str]] = ["also in "]
            for number, citation in enumerate(hit.copies):
                cited += [", "] * bool(number) + [(citation, "cyan")]
            whole = [number for number, part in enumerate(cited) if isinstance(part, tuple)]
            parts.append(prose(*cited, keep=whole))
        parts += [Text(""), body]
        if hit.claims:
            parts += [Text(""), claims_line(hit.claims)]
        console.print(
            Panel(
                Group(*parts),
                title=f"#{hit.rank}  score {hit.score:.3f}{_likelihood(hit)}",
                title_align="left",
                border_style="yellow" if hit.weak else "blue",
            )
        )


def _likelihood(hit: Hit) -> str:
    """How likely the hit is to answer, where the embedder is calibrated: "  p 0.87", and
    "  weak" below the threshold."""
    if hit.probability is None:
        return ""
    return f"  p {hit.probability:.2f}" + ("  weak" if hit.weak else "")


def describe(claim: Claim) -> str:
    """One short reading of a claim: 3000 億美元 = 3e+11 USD, 今年 -> 2025, ..."""
    if claim.kind == "statistic":
        about = shown(claim.measure or claim.quantity or "")
        reading = value_text(claim.value, claim.value_max, claim.unit, claim.approx)
        return reading + (f" ({about})" if about else "")
    if claim.kind == "date":
        return dated(claim.value, claim.relative, claim.ambiguous)
    if claim.kind == "actor":
        return f"{claim.shown} [{claim.actor_type}]"
    return claim.lever


def dated(value: str, relative: bool, ambiguous: bool) -> str:
    """A date as written, with what the reader should know: 2025 (relative)."""
    flags = [flag for flag, on in (("relative", relative), ("ambiguous", ambiguous)) if on]
    return value + (f" ({', '.join(flags)})" if flags else "")


def shown(surface: str) -> str:
    """A claim's surface text as a reader sees it: `$<span>52.7</span> billion` as $52.7
    billion (its JSON keeps the exact source text)."""
    return shown_text(surface)[0]


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
            label = describe(claim) if once else f"{shown(claim.text)} = {describe(claim)}"
            parts.append(Text(label, style[claim.kind]))
    line = prose(("claims: ", "dim"))
    line.append_text(Text(" · ", "dim").join(parts))
    return line


@dataclass(frozen=True)
class Column:
    """A column of a terminal table. A `keep` column (citation, id, date, figure) is as wide as
    its longest value and never wraps; a text column wraps at words and CJK characters, and
    would like `floor` cells before a column with a `drop` rank is shown beside it (the highest
    rank goes first). `short` rewrites the values of a column when the terminal is narrow."""

    header: str
    keep: bool = False
    floor: int = 16
    drop: int = 0
    justify: JustifyMethod = "left"
    short: Callable[[str], str] | None = None


def _plain(cell: str | Text) -> str:
    return cell.plain if isinstance(cell, Text) else cell


def _widest(cells: Sequence[str], header: str) -> int:
    return max([len(header)] + [cell_len(line) for cell in cells for line in cell.splitlines()])


def _wants(column: Column, cells: Sequence[str]) -> tuple[int, int]:
    """The least width a column takes (a keep column: all of it) and the most it can use."""
    widest = _widest(cells, column.header)
    if column.keep:
        return widest, widest
    piece = max((cell_len(c[a:b].strip()) for c in cells for a, b in pieces(c)), default=0)
    return max(len(column.header), piece, min(widest, column.floor)), widest


def _share(room: int, headers: list[int], least: list[int], most: list[int]) -> list[int]:
    """`room` cells shared by text columns: each its least, then the spare evenly, none past its
    most; with too little room, each its header, then its least in turn, the nearest first (the
    others fold)."""
    if room < sum(least):  # headers whole; then the columns nearest their least get it
        widths = list(headers)
        spare = room - sum(widths)
        for i in sorted(range(len(widths)), key=lambda i: least[i] - headers[i]):
            step = max(min(spare, least[i] - widths[i]), 0)
            widths[i] += step
            spare -= step
        return widths
    start, goal = least, most
    widths = list(start)
    spare = room - sum(widths)
    while spare > 0 and any(w < high for w, high in zip(widths, goal, strict=True)):
        growing = [i for i, (w, high) in enumerate(zip(widths, goal, strict=True)) if w < high]
        for i in growing[:spare]:
            step = min(max(spare // len(growing), 1), goal[i] - widths[i])
            widths[i] += step
            spare -= step
    return widths


def fitted_table(
    width: int, columns: Sequence[Column], rows: Sequence[Sequence[str | Text]]
) -> tuple[Table, list[str]]:
    """A table of `rows` that fits `width` cells: keep columns whole, headers whole, text
    wrapped between words, the columns of highest `drop` left out (named in the list returned)
    until the text columns have room; the text folds only when nothing else is left to drop."""
    texts = [[_plain(row[i]) for row in rows] for i in range(len(columns))]
    shown = list(range(len(columns)))

    def wants(i: int) -> tuple[int, int]:
        return _wants(columns[i], texts[i])

    def overflows() -> bool:
        return 3 * len(shown) + 1 + sum(wants(i)[0] for i in shown) > width

    for i, column in enumerate(columns):
        if overflows() and column.short is not None:
            texts[i] = [column.short(cell) for cell in texts[i]]
    while overflows() and any(columns[i].drop for i in shown):
        shown.remove(max(shown, key=lambda i: columns[i].drop))
    flexible = [i for i in shown if not columns[i].keep]
    widths = {i: wants(i)[0] for i in shown}
    room = width - 3 * len(shown) - 1 - sum(widths[i] for i in shown if columns[i].keep)
    headers = [len(columns[i].header) for i in flexible]
    least, most = [wants(i)[0] for i in flexible], [wants(i)[1] for i in flexible]
    widths.update(zip(flexible, _share(room, headers, least, most), strict=True))
    folded = None
    if room < sum(headers):  # not even the headers fit beside the kept columns: fold the widest
        folded = max((i for i in shown if columns[i].keep), key=widths.__getitem__)
        widths[folded] = max(widths[folded] - (sum(headers) - room), len(columns[folded].header))
    table = Table(show_lines=False)
    for i in shown:
        column = columns[i]
        table.add_column(
            column.header,
            justify=column.justify,
            no_wrap=column.keep and i != folded,
            overflow="fold",
            width=widths[i],
        )
    for number, row in enumerate(rows):
        cells = []
        for i in shown:
            cell = row[i]
            if columns[i].keep:
                cells.append(Text(texts[i][number]) if not isinstance(cell, Text) else cell)
            else:
                cells.append(cell if isinstance(cell, Prose) else Prose(texts[i][number]))
        table.add_row(*cells)
    return table, [columns[i].header for i in range(len(columns)) if i not in shown]


def with_copies(citation: str, copies: Sequence[str]) -> str:
    """A citation, and how many copies of its file say the same (ask/copies.py; `--json`
    names them): `wage:L1-L1 +1 copy`."""
    if not copies:
        return citation
    return f"{citation} +{len(copies)} {'copy' if len(copies) == 1 else 'copies'}"


def counted(n: int, noun: str) -> str:
    """ "1 figure", "2 figures": English nouns of this tool's, which take an s."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _print_table(
    console: Console,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str | Text]],
    count: str | None = None,
) -> None:
    """The table fitted to the console, how many rows it has (`count` names them), and which
    columns the terminal was too narrow for."""
    table, left_out = fitted_table(console.width, columns, rows)
    console.print(table)
    notes = [counted(len(rows), count)] if count else []
    if left_out:
        notes.append(f"not shown at this width: {', '.join(left_out)} (see --json)")
    if notes:
        console.print("; ".join(notes), style="dim")


def render_claims(
    console: Console, claims: Sequence[Claim], copies: Sequence[Sequence[str]] = ()
) -> None:
    """Claims as a table: kind, citation (and how many copies of its file say the same),
    surface text, normalised reading."""
    if not claims:
        console.print("No claims match these filters.")
        return
    columns = (
        Column("kind", keep=True, drop=1, short=lambda kind: _SHORT_KINDS.get(kind, kind)),
        Column("citation", keep=True),
        Column("text", floor=12),
        Column("reading", floor=12),
    )
    copied = list(copies) or [()] * len(claims)
    rows = [
        (
            claim.kind,
            with_copies(claim.citation, cited),
            shown(claim.text),
            describe(claim),
        )
        for claim, cited in zip(claims, copied, strict=True)
    ]
    _print_table(console, columns, rows, "claim")


# The kinds of claim as the claims table names them when the terminal is narrow.
_SHORT_KINDS = {"statistic": "stat", "policy_lever": "lever"}


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
    "role",  # added in 0.11, so at the end: what a date is to its sentence
    "resolved_from",
    "copies",  # added in 0.12.4: the claim's citations in copies of its file, "; "-joined
)


def claims_csv(claims: Sequence[Claim], copies: Sequence[Sequence[str]] = ()) -> str:
    """Claims as CSV with one column per field of any kind, and last the citations of each
    in copies of its file ("; "-joined)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    copied = list(copies) or [()] * len(claims)
    for claim, cited in zip(claims, copied, strict=True):
        writer.writerow({**claim.model_dump(), "copies": "; ".join(cited)})
    return buffer.getvalue()


def render_documents(console: Console, documents: Sequence[Document]) -> None:
    """Documents as a table with their metadata and counts."""
    columns = (
        Column("doc_id", keep=True),
        Column("title", floor=24),
        Column("date", keep=True),
        Column("lang", keep=True, drop=1),
        Column("format", drop=3, floor=6),
        Column("source", drop=5),
        Column("authors", drop=4),
        Column("passages", keep=True, drop=2, justify="right"),
    )
    rows = [
        (
            doc.doc_id,
            doc.title or "",
            doc.date or "",
            doc.lang,
            doc.format + (f", {doc.pages} pp." if doc.pages is not None else ""),
            doc.source or "",
            ", ".join(doc.authors),
            str(doc.n_passages),
        )
        for doc in documents
    ]
    _print_table(console, columns, rows)


def render_excerpt(console: Console, excerpt: Excerpt) -> None:
    """Cited lines with their context, the cited ones marked."""
    doc = excerpt.document
    console.print(
        prose(
            (excerpt.citation, "cyan"),
            "  ",
            (doc.title or doc.doc_id, "bold"),
            f"  {doc.date}" if doc.date else "",
            "  ",
            f"({doc.path})",
            keep=(0, 5),
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
            Prose(line, style),
        )
    console.print(grid)


def value_text(value: float, value_max: float | None, unit: str, approx: bool) -> str:
    """300bn USD, ~10bn–100bn USD, 228,000 count, 4.59 %: the normalised value, read at a
    glance and short enough for a narrow column (its exact form is in --json)."""
    span = number_text(value) + (f"–{number_text(value_max)}" if value_max is not None else "")
    return f"{'~' if approx else ''}{span} {unit}"


def number_text(value: float) -> str:
    """A number as the financial press writes it: 1.2tn, 300bn, 2.5mn, 228,000, 4.59."""
    for scale, word in ((1e12, "tn"), (1e9, "bn"), (1e6, "mn")):
        if abs(value) >= scale:
            return f"{value / scale:.4g}{word}"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:.4g}"


def group_title(group: StatisticGroup) -> str:
    """measure · unit · scope · period, how many figures, and whether values of one period
    disagree, or agree where two sources state one."""
    periods = {row.period for row in group.statistics}
    period = group.period or (f"{len(periods)} periods" if len(periods) > 1 else "any period")
    parts = [group.measure or "unnamed measure", group.unit, group.scope or "any scope", period]
    verdict = ""
    if group.disagree:
        where = "".join(f"{d.period}; " for d in group.disagreements)
        verdict = f", values disagree ({where}spread {group.spread:.0%})"
    elif group.cross_checked():  # figures of different periods or of one source agree on nothing
        verdict = ", consistent"
    return " · ".join(parts) + f" — {counted(len(group.statistics), 'figure')}{verdict}"


def render_comparison(console: Console, comparison: Comparison) -> None:
    """Each group as a table of figures in date order, disagreements flagged; in a terminal,
    bars under it, scaled within the group."""
    if not comparison.groups:
        console.print(f"No statistic measures {comparison.query!r}.")
        return
    for group in comparison.groups:
        style = "bold red" if group.disagree else "bold"
        console.print(Text(group_title(group), style))
        periods = group.several_periods()
        rows = [
            (
                row.date or "undated",
                *([row.period or "any"] if periods else []),
                value_text(row.value, row.value_max, row.unit, row.approx),
                shown(row.measure or ""),
                shown(row.text),
                with_copies(row.citation, row.copies),
            )
            for row in group.statistics
        ]
        view = (_COMPARE_VIEW[0], Column("period", keep=True), *_COMPARE_VIEW[1:])
        _print_table(console, view if periods else _COMPARE_VIEW, rows)
        if console.is_terminal:
            bars = [
                (
                    f"{row.date or 'undated'} {row.citation}",
                    *charts.span(row),
                    value_text(row.value, row.value_max, row.unit, row.approx),
                )
                for row in charts.charted(group)
            ]
            _print_picture(console, charts.bars(bars, console.width))


def _print_picture(console: Console, lines: Sequence[str]) -> None:
    """Lines of a chart as they are: no markup, no wrapping (`lines` fit the console)."""
    for line in lines:
        console.print(Text(line, "cyan"), no_wrap=True, overflow="crop")


# "published": the source's date, not the figure's period (the group's title, or a column of its
# own): an undated note's figure "from 2025" is "undated" here, under a 2025 group.
_COMPARE_VIEW = (
    Column("published", keep=True),
    Column("value", floor=8),
    Column("measure", drop=1, floor=10),
    Column("text", floor=16),
    Column("citation", keep=True),
)


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
    "object",  # added after 0.9.0, so at the end: what is measured, and whether a bound
    "bound",
    "copies",  # added in 0.12.3: the citations of the figure in copies of its file, "; "-joined
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
            copies = "; ".join(row.copies)
            writer.writerow({**row.model_dump(), **verdict, "copies": copies})
    return buffer.getvalue()


def render_timeline(console: Console, entries: Sequence[TimelineEntry]) -> None:
    """Events in date order: date (as precise as written), event, who, citation; in a
    terminal, a time axis under them that shows where they fall."""
    if not entries:
        console.print("No dated event matches these filters.")
        return
    columns = (
        Column("date", floor=10),
        Column("event", floor=20),
        Column("actors", drop=1, floor=12),
        Column("citation", keep=True),
    )
    rows: list[tuple[str, Text, str, str]] = []
    for entry in entries:
        event = Prose(entry.text or shown_text(entry.event.text)[0])
        verbs = [e.verb for e in entry.events or [entry.event] if e.verb]
        if verbs:
            event.highlight_words(verbs, "bold")
        lever = f"[{entry.event.lever}]" if entry.event.lever else ""
        actors = dict.fromkeys(a for e in entry.events or [entry.event] for a in e.actors)
        cited = with_copies(entry.citation, entry.copies)
        rows.append((entry.when, event, " ".join(filter(None, [", ".join(actors), lever])), cited))
    _print_table(console, columns, rows, "event")
    if console.is_terminal:
        _print_picture(console, charts.time_axis([entry.date for entry in entries], console.width))
