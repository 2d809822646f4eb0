import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from reindustry_kb.ask.compare import ComparedStatistic, Comparison, StatisticGroup, compare
from reindustry_kb.ask.questions import ask
from reindustry_kb.ask.session import Session, open_reader
from reindustry_kb.ask.show import show
from reindustry_kb.ask.timeline import timeline
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.models import AskResult, ClaimFilters, Filters, Hit
from reindustry_kb.out import render
from reindustry_kb.out.render import highlight_spans, render_hits
from reindustry_kb.settings import Settings

GOLDEN = Path(__file__).parents[1] / "golden" / "terminal"
WIDTHS = (80, 120)


def test_highlight_maps_folded_terms_to_original_text() -> None:
    text = "美國網際網路公司的關稅收入"
    spans = {text[a:b] for a, b in highlight_spans(text, ["互联网", "关税"])}
    assert spans == {"網際網路", "關稅"}


def test_render_hits_shows_rank_citation_and_highlight() -> None:
    hit = Hit(
        rank=1,
        score=0.9,
        doc_id="d",
        title="標題",
        date="2025-01-02",
        passage_id="d#p001",
        text="美國的關稅收入",
        char_start=0,
        char_end=7,
        line_start=3,
        line_end=3,
        citation="d:L3-L3",
        speaker="王大明",
    )
    console = Console(record=True, width=100)
    render_hits(console, AskResult(query="关税", hits=[hit]), ["关税"])
    out = console.export_text()
    assert "#1" in out and "d:L3-L3" in out and "標題" in out and "speaker: 王大明" in out
    assert "2025-01-02" in out
    assert "also in" not in out
    empty = Console(record=True)
    render_hits(empty, AskResult(query="x", hits=[]), [])
    assert "No passage matches" in empty.export_text()


def test_render_hits_names_the_copies_of_a_passage_unbroken() -> None:
    from tests.hits import a_hit

    hit = a_hit("report", copies=["copies/report (1):L3-L3", "old/report-final-final:L3-L3"])
    console = Console(record=True, width=40)
    render_hits(console, AskResult(query="关税", hits=[hit]), ["关税"])
    lines = console.export_text().splitlines()
    assert any("also in copies/report (1):L3-L3" in line for line in lines)
    assert any("old/report-final-final:L3-L3" in line for line in lines)  # not cut at 40


def test_render_hits_underlines_the_answer_in_the_clean_text() -> None:
    import html

    from reindustry_kb.ingest.segment import shown_span, shown_text

    text = (
        '<span style="text-decoration: underline">Sec</span>. 2. **Tariff.** A duty of 25 '
        "percent applies. The duty takes effect on March&nbsp;12, 2025.\n\n| 2024 | 28 |"
    )
    answer = (text.index("The duty"), text.index("2025.") + 5)
    clean, where = shown_text(text)
    start, end = shown_span(clean, where, *answer)
    hit = Hit(
        rank=1,
        score=0.9,
        doc_id="d",
        title="t",
        date=None,
        passage_id="d#p001",
        text=text,
        char_start=0,
        char_end=len(text),
        line_start=1,
        line_end=3,
        citation="d:L1-L3",
        answer_start=answer[0],
        answer_end=answer[1],
        clean_text=clean,
        clean_answer_start=start,
        clean_answer_end=end,
    )
    console = Console(record=True, width=200)
    render_hits(console, AskResult(query="duty", hits=[hit]), ["duty"])
    page = console.export_html(inline_styles=True, clear=False)
    underlined = re.findall(r'<span style="[^"]*underline[^"]*">([^<]*)</span>', page)
    assert html.unescape("".join(underlined)) == "The duty takes effect on March 12, 2025."
    shown = console.export_text()
    assert "Sec. 2. Tariff. A duty of 25 percent applies." in shown and "2024 28" in shown
    assert not any(noise in shown for noise in ("<span", "**", "|", "&nbsp;"))


def test_claims_line_lists_each_claim_whole() -> None:
    from reindustry_kb.models import ActorClaim, StatisticClaim
    from reindustry_kb.out.render import claims_line

    common = {"doc_id": "d", "passage_id": "d#p001", "line": 1}
    claims = [
        StatisticClaim(id="s", text="75%", char_start=0, char_end=3, value=75, unit="%", **common),
        ActorClaim(
            id="a1",
            text="MP Materials",
            char_start=5,
            char_end=17,
            name="MP Materials",
            canonical="MP Materials",
            actor_type="company",
            **common,
        ),
        ActorClaim(
            id="a2",
            text="MP Materials",
            char_start=20,
            char_end=32,
            name="MP Materials",
            canonical="MP Materials",
            actor_type="company",
            **common,
        ),
    ]
    assert claims_line(claims).plain == "claims: 75% = 75 % · MP Materials [company]"


def test_a_claim_read_through_markup_is_shown_without_it() -> None:
    from reindustry_kb.models import StatisticClaim
    from reindustry_kb.out.render import claims_line, render_claims

    surface = "$<span>52.7</span> billion"
    claim = StatisticClaim(
        id="s", doc_id="d", passage_id="d#p001", line=3, text=surface, char_start=0,
        char_end=len(surface), value=52.7e9, unit="USD",
    )  # fmt: skip
    assert claims_line([claim]).plain == "claims: $52.7 billion = 52.7bn USD"
    console = Console(width=80, record=True, color_system=None, force_terminal=False)
    render_claims(console, [claim])
    shown = console.export_text()
    assert "$52.7 billion" in shown and "<span" not in shown


def test_a_long_citation_stays_whole_and_the_figures_wrap_at_words() -> None:
    from reindustry_kb.ask.compare import ComparedStatistic, Comparison, StatisticGroup
    from reindustry_kb.out.render import render_comparison

    figure = ComparedStatistic(
        id="x#s1-5",
        value=5000.0,
        value_max=None,
        unit="CNY",
        approx=False,
        text="五千元",
        measure="罚款",
        scope=None,
        period=None,
        doc_id="_distractors/prc-石油天然气管道保护法",
        title=None,
        date="2010-06-25",
        citation="_distractors/prc-石油天然气管道保护法:L212-L212",
        line=212,
        match=1.0,
        closeness=None,
    )
    group = StatisticGroup(
        unit="CNY",
        scope=None,
        period=None,
        low=5000.0,
        high=5000.0,
        spread=0.0,
        disagree=False,
        statistics=[figure],
    )
    console = Console(record=True, width=80)
    render_comparison(console, Comparison(query="罚款", groups=[group]))
    out = console.export_text()
    assert "_distractors/prc-石油天然气管道保护法:L212-L212" in out
    assert re.search(r"┃ published +┃ value +┃ text +┃ citation +┃", out)
    assert "5,000" in out and "CNY" in out and "not shown at this width: measure" in out


def _view(settings: Settings, name: str, width: int) -> tuple[str, list[str], list[str]]:
    """A terminal view drawn at `width` columns, the citations it must show whole, and the
    texts whose words it must not split."""
    console = Console(width=width, record=True, color_system=None, force_terminal=False)
    reader = open_reader(settings)
    cited: list[str]
    texts: list[str]
    if name == "ask":
        session = Session.open(settings)
        result = ask(session, "關稅收入", 3, Filters())
        render.render_hits(console, result, session.reader.query_terms("關稅收入"))
        cited = [hit.citation for hit in result.hits]
        texts = [hit.text for hit in result.hits]
    elif name == "claims":
        claims = reader.find_claims(ClaimFilters())
        render.render_claims(console, claims)
        cited = [claim.citation for claim in claims]
        texts = [claim.text for claim in claims]
    elif name == "compare":
        found = compare(Session.open(settings), "tariff revenue")
        render.render_comparison(console, found)
        cited = [row.citation for group in found.groups for row in group.statistics]
        texts = [row.text for group in found.groups for row in group.statistics]
    elif name == "timeline":
        entries = timeline(reader, ClaimFilters())
        render.render_timeline(console, entries)
        cited = [entry.citation for entry in entries]
        texts = [entry.text for entry in entries]
    elif name == "docs":
        documents = reader.documents()
        render.render_documents(console, documents)
        cited = [doc.doc_id for doc in documents]
        texts = [doc.title or "" for doc in documents]
    else:
        excerpt = show(reader, f"{reader.documents()[0].doc_id}:L3-L4", 2)
        render.render_excerpt(console, excerpt)
        cited = [excerpt.citation]
        texts = [line for _, line in excerpt.lines]
    return console.export_text(), cited, texts


VIEWS = ("ask", "claims", "compare", "timeline", "docs", "show")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", VIEWS)
def test_golden_terminal_views(fake_index: Settings, name: str, width: int) -> None:
    out, _, _ = _view(fake_index, name, width)
    golden = GOLDEN / f"{name}_{width}.txt"
    if os.environ.get("RKB_UPDATE_GOLDEN"):  # regenerate on purpose, then review the diff
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")


def _comparison() -> Comparison:
    """Figures of one measure from three sources: a range, a CJK file name, an undated one."""
    figures = [
        ComparedStatistic(
            id=f"s{number}",
            value=value,
            value_max=high,
            unit="USD",
            approx=False,
            text=text,
            measure="customs duties",
            scope="United States",
            period="FY2025",
            doc_id=doc,
            title=None,
            date=date,
            citation=f"{doc}:L{number}-L{number}",
            line=number,
            match=1.0,
            closeness=None,
        )
        for number, (value, high, text, doc, date) in enumerate(
            [
                (1.95e11, None, "$195 billion", "brief_en", "2025-10-02"),
                (1.5e11, 2.0e11, "1,500 億至 2,000 億美元", "報告/關稅收入", "2025-11-01"),
                (7.7e10, None, "$77 billion", "cbo_outlook", None),
            ],
            start=1,
        )
    ]
    group = StatisticGroup(
        unit="USD",
        scope="United States",
        period="FY2025",
        low=7.7e10,
        high=2.0e11,
        spread=0.615,
        disagree=True,
        statistics=figures,
    )
    return Comparison(query="tariff revenue", groups=[group])


def _picture(settings: Settings, name: str, width: int, terminal: bool) -> str:
    """`rkb compare` (of three figures) or `rkb timeline` (of the fixtures), on a terminal or
    not."""
    console = Console(width=width, record=True, color_system=None, force_terminal=terminal)
    if name == "compare":
        render.render_comparison(console, _comparison())
    else:
        render.render_timeline(console, timeline(open_reader(settings), ClaimFilters()))
    return console.export_text()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["compare", "timeline"])
def test_golden_terminal_pictures(fake_index: Settings, name: str, width: int) -> None:
    out = _picture(fake_index, name, width, terminal=True)
    golden = GOLDEN / f"{name}_picture_{width}.txt"
    if os.environ.get("RKB_UPDATE_GOLDEN"):  # regenerate on purpose, then review the diff
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")
    assert all(cell_len(line) <= width for line in out.splitlines())
    mark = "█" if name == "compare" else "┬"
    assert mark in out  # the picture is there
    assert mark not in _picture(fake_index, name, width, terminal=False)  # only on a terminal


@pytest.fixture
def nested_index(docs_dir: Path, tmp_path: Path) -> Settings:
    """The fixtures under long nested paths, as a law library is filed."""
    seeds = tmp_path / "library"
    for number, source in enumerate(sorted(docs_dir.iterdir())):
        target = seeds / "laws" / "cn" / f"对外贸易法(2022-12-30)-{number}{source.suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    settings = Settings(seeds_dir=seeds, index_dir=tmp_path / "nested-index", embedder="fake")
    build_index(settings)
    return settings


def _headers(out: str) -> list[list[str]]:
    """The header rows of each table in `out` (the lines between ┏ and ┡)."""
    tables, rows = [], None
    for line in out.splitlines():
        if line.startswith("┏"):
            rows = []
        elif line.startswith("┡") and rows is not None:
            tables.append(rows)
            rows = None
        elif rows is not None:
            rows.append(line)
    return tables


HEADERS: dict[str, Callable[[str], bool]] = {
    "claims": lambda header: header in ("kind", "citation", "text", "reading"),
    "compare": lambda header: header in ("published", "value", "measure", "text", "citation"),
    "timeline": lambda header: header in ("date", "event", "actors", "citation"),
    "docs": lambda header: (
        header in ("doc_id", "title", "date", "lang", "format", "source", "authors", "passages")
    ),
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", VIEWS)
@pytest.mark.parametrize("library", ["fake_index", "nested_index"])
def test_citations_headers_and_words_stay_whole(
    request: pytest.FixtureRequest, library: str, name: str, width: int
) -> None:
    settings = request.getfixturevalue(library)
    out, cited, shown = _view(settings, name, width)
    lines = out.splitlines()
    assert all(len(line) <= width or "━" not in line for line in lines)
    for citation in cited:  # each on one line, whole
        assert any(citation in line for line in lines), citation
    for rows in _headers(out):  # one header line of whole names
        assert len(rows) == 1, rows
        headers = [cell.strip() for cell in rows[0].strip("┃").split("┃")]
        assert all(HEADERS[name](header) for header in headers), headers
    for text in shown:  # every word of the text shown whole on a line
        for word in re.findall(r"[A-Za-z][A-Za-z0-9]+", text):
            assert any(re.search(rf"(?<![A-Za-z0-9]){word}(?![A-Za-z0-9])", x) for x in lines), word


def test_a_citation_says_how_many_copies_of_its_file_say_the_same() -> None:
    from reindustry_kb.out.render import with_copies

    assert with_copies("wage:L1-L1", []) == "wage:L1-L1"
    assert with_copies("wage:L1-L1", ["wage (1):L1-L1"]) == "wage:L1-L1 +1 copy"
    assert with_copies("wage:L1-L1", ["a:L1-L1", "b:L1-L1"]) == "wage:L1-L1 +2 copies"


def test_a_kept_part_breaks_from_the_line_before_at_its_leading_spaces() -> None:
    # The date is kept whole; its leading spaces are where the line breaks, so a long Chinese
    # title before it stays on its line (it lost its last character to the date's line).
    meta = render.prose(
        ("000_21b4db651bf1e798:L38-L38", "cyan"),
        "  ",
        ("AI 驅動的再工業化：白宮經濟顧問的宏觀願景", "bold"),
        "  2025-09-24",
        ("  speaker: Jacob Helberg", "magenta"),
        keep=(0, 3),
    )
    lines = [line.plain.rstrip() for line in meta.wrap(Console(width=80), 76)]
    assert lines == [
        "000_21b4db651bf1e798:L38-L38  AI 驅動的再工業化：白宮經濟顧問的宏觀願景",
        "2025-09-24  speaker: Jacob Helberg",
    ]


def test_a_timeline_event_with_a_lever_and_no_actor_shows_the_lever_alone() -> None:
    from reindustry_kb.ask.timeline import TimelineEntry
    from reindustry_kb.models import Event

    text = "Lawmakers cut chip subsidies for 2026"
    entry = TimelineEntry(
        date="2026",
        precision="year",
        relative=False,
        ambiguous=False,
        event=Event(text=text, start=0, end=len(text), verb="cut", lever="subsidy"),
        doc_id="budget",
        title=None,
        citation="budget:L8-L8",
        line_start=8,
        line_end=8,
        claim_id="budget#c1",
        text=text,
    )
    console = Console(width=80, record=True, color_system=None, force_terminal=False)
    render.render_timeline(console, [entry])
    assert re.search(r"│ \[subsidy\] +│ budget:L8-L8 │", console.export_text())
