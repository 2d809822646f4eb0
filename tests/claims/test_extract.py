"""Claims are read from a passage's prose without its markup, and quote the source exactly."""

from pathlib import Path

from reindustry_kb.claims.extract import extract_claims
from reindustry_kb.ingest.segment import segment
from reindustry_kb.ingest.sources import read_source
from reindustry_kb.models import Claim, StatisticClaim
from tests.conftest import DATA


def _claims(folder: Path, name: str) -> tuple[str, list[Claim]]:
    source = read_source(folder / name, folder)
    return source.text, extract_claims(source, segment(source))


def test_a_web_archive_pages_figures_and_dates_are_read_through_its_markup() -> None:
    text, claims = _claims(DATA / "web", "steel_archive.md")
    for claim in claims:  # every claim quotes the source exactly
        assert text[claim.char_start : claim.char_end] == claim.text
    dates = {c.text: c.value for c in claims if c.kind == "date"}
    # `March&nbsp;12, 2025`: the entity is a space to the date grammar; the archive URLs'
    # 20250301 and /web/2025/ are no dates of the document's.
    assert dates == {"March&nbsp;12, 2025": "2025-03-12"}
    assert [(c.text, c.value) for c in claims if c.kind == "statistic"] == [("25 percent", 25.0)]


def test_markup_hides_no_figure_and_lends_none(tmp_path: Path) -> None:
    (tmp_path / "order.md").write_text(
        "# Chips\n\n<!-- archived 2024-11-05 by the crawler, 3 percent done -->\n\n"
        "Funding of $<span>52.7</span> billion is provided, and capacity shall reach "
        "20&nbsp;percent of global supply by 2030. See [the fact sheet]"
        "(https://example.gov/2021/01/20%20percent-fact-sheet) and\n"
        "![chart](https://web.archive.org/web/20250123041516/https://example.gov/80%25.png)\n",
        encoding="utf-8",
    )
    text, claims = _claims(tmp_path, "order.md")
    for claim in claims:
        assert text[claim.char_start : claim.char_end] == claim.text
    statistics = {c.text: (c.value, c.unit) for c in claims if c.kind == "statistic"}
    assert statistics == {
        "$<span>52.7</span> billion": (52.7e9, "USD"),
        "20&nbsp;percent": (20.0, "%"),
    }
    assert [c.value for c in claims if c.kind == "date"] == ["2030"]


def test_an_html_tables_cells_stay_apart(tmp_path: Path) -> None:
    # `2026</td><td>新臺幣&nbsp;500億元`: the year ends its cell, as a Markdown table's pipe ends
    # it, so it is no amount of New Taiwan dollars.
    (tmp_path / "plan.md").write_text(
        "第 3 條 補助計畫如下。\n\n<table><tr><td>年度</td><td>目標</td></tr>"
        "<tr><td>2026</td><td>新臺幣&nbsp;500億元</td></tr></table>\n",
        encoding="utf-8",
    )
    text, claims = _claims(tmp_path, "plan.md")
    statistics = [(c.text, c.value, c.unit) for c in claims if c.kind == "statistic"]
    assert statistics == [("新臺幣&nbsp;500億元", 5e10, "TWD")]
    for claim in claims:
        assert text[claim.char_start : claim.char_end] == claim.text


def test_a_word_files_a_web_pages_and_a_pdfs_tables_label_their_figures(tmp_path: Path) -> None:
    import docx

    rows = [("Item", "2025", "2026"), ("Chip subsidies", "US$3.2 billion", "US$4.1 billion")]
    document = docx.Document()
    document.add_paragraph("The ministry published the allocation below.")
    table = document.add_table(rows=2, cols=3)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.save(str(tmp_path / "budget.docx"))
    cells = "".join(f"<td>{value}</td>" for value in rows[1])
    (tmp_path / "budget.html").write_text(
        "<html><body><article><h1>Budget</h1><p>The ministry published the allocation below, "
        "for the two years of the programme.</p><table><tr><th>Item</th><th>2025</th>"
        f"<th>2026</th></tr><tr>{cells}</tr></table></article></body></html>",
        encoding="utf-8",
    )
    from tests.documents import table_pdf

    table_pdf(tmp_path / "budget.pdf", [list(row) for row in rows], ["The allocation follows."])
    for name in ("budget.docx", "budget.html", "budget.pdf"):
        _, claims = _claims(tmp_path, name)
        found = {(c.text, c.measure, c.period) for c in claims if isinstance(c, StatisticClaim)}
        assert found == {
            ("US$3.2 billion", "Chip subsidies", "2025"),
            ("US$4.1 billion", "Chip subsidies", "2026"),
        }, name


def test_a_word_table_of_two_columns_labels_its_figures(tmp_path: Path) -> None:
    import docx

    rows = [("Item", "2026"), ("Chip subsidies", "US$4.1 billion"), ("Training", "US$0.3 billion")]
    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.save(str(tmp_path / "two.docx"))
    text, claims = _claims(tmp_path, "two.docx")
    found = {(c.text, c.measure, c.period) for c in claims if isinstance(c, StatisticClaim)}
    assert found == {
        ("US$4.1 billion", "Chip subsidies", "2026"),
        ("US$0.3 billion", "Training", "2026"),
    }
    for claim in claims:
        assert text[claim.char_start : claim.char_end] == claim.text


def test_a_table_opening_a_file_with_an_english_heading_labels_its_chinese_rows(
    tmp_path: Path,
) -> None:
    # The heading row was the file's title, then a passage of its own (English beside
    # Chinese rows): the figures lost their labels.
    rows = ["| Measure | 2025 | 2026 |", "|---|---|---|"]
    rows.append("| 晶片補助 | 新臺幣 320億元 | 新臺幣 410億元 |")
    (tmp_path / "table.md").write_text("\n".join(rows) + "\n", encoding="utf-8")
    _, claims = _claims(tmp_path, "table.md")
    found = {(c.text, c.measure, c.period) for c in claims if isinstance(c, StatisticClaim)}
    assert found == {("新臺幣 320億元", "晶片補助", "2025"), ("新臺幣 410億元", "晶片補助", "2026")}
