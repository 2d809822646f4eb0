"""PDF, HTML and DOCX sources: extracted text, metadata, pages, and citations that verify."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from reindustry_kb.ask.session import Session
from reindustry_kb.cli import app
from reindustry_kb.errors import SourceError
from reindustry_kb.ingest.extract import _clean_lines, extract
from reindustry_kb.ingest.sources import read_source
from reindustry_kb.settings import Settings
from tests import documents

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"RKB_EMBEDDER": "fake", "COLUMNS": "160"})
    return result.exit_code, result.stdout, result.stderr


def _extracted(path: Path):  # type: ignore[no-untyped-def]
    return extract(path, path.read_bytes())


def test_cid_font_pdf_reads_in_order_without_running_lines(tmp_path: Path) -> None:
    found = _extracted(documents.zh_pdf(tmp_path / "white_paper.pdf"))
    paragraphs = found.text.strip().split("\n\n")
    assert paragraphs == documents.ZH_PARAGRAPHS  # lines joined, the page break healed
    assert documents.ZH_HEADER not in found.text
    assert found.title == "產業政策白皮書" and found.authors == ["經濟部"]
    # Page 2 begins inside the second paragraph, where its sentence continues.
    pages = documents.zh_layout()
    assert found.text[found.page_starts[1] :].startswith(pages[1][0])
    assert found.text[found.page_starts[2] :].startswith(pages[2][0])


def test_chinese_lines_with_digits_do_not_end_paragraphs() -> None:
    from reindustry_kb.ingest.extract import _join_pages, _width

    paragraphs = [
        "二〇二四年臺灣半導體產值達到 4.3 兆元新臺幣，占全球市場 18%，其中先進製程的產值成長"
        "最快，年增率達到 25%。行政院表示將修正產業創新條例，提供研發投資抵減與補助。",
        "勞動部指出將在三年內培訓 50,000 名半導體與綠能技術人才，並補助在職訓練費用。",
    ]
    lines = []
    for paragraph in paragraphs:  # a layout's wrap: as many characters as fit in 56 units
        line = ""
        for char in paragraph:
            if _width(line + char) > 56:
                lines.append(line)
                line = ""
            line += char
        lines.append(line)
    text, _ = _join_pages([lines])
    # (A space the layout broke at is gone, as it is from the PDF itself.)
    squeezed = [p.replace(" ", "") for p in paragraphs]
    assert [p.replace(" ", "") for p in text.strip().split("\n\n")] == squeezed


def test_an_empty_page_does_not_take_the_text_of_the_page_before() -> None:
    from reindustry_kb.ingest.extract import _join_pages

    text, starts = _join_pages([["第一頁的內容。"], [], ["第三頁的內容。"]])
    assert starts == [0, text.index("第三頁"), text.index("第三頁")]


def test_english_columns_keep_their_spaces_and_lose_headers(tmp_path: Path) -> None:
    found = _extracted(documents.en_pdf(tmp_path / "brief.pdf"))
    assert "Policy Brief" not in found.text and "Page 1" not in found.text
    assert "export controls on advanced semiconductors and the equipment" in found.text
    assert "several countries and takes effect in thirty days." in found.text
    first, second = found.text.index("Department of Commerce"), found.text.index("Officials")
    assert first < second < found.page_starts[1]  # left column, then right, then page 2
    assert "  " not in found.text and "advancedsemiconductors" not in found.text


def _encrypted(path: Path) -> Path:
    from pypdf import PdfReader, PdfWriter

    documents.en_pdf(path)
    writer = PdfWriter(clone_from=PdfReader(path))
    writer.encrypt(user_password="secret", owner_password="owner")
    writer.write(path)
    return path


def test_spaced_out_chinese_glyphs_are_closed_up() -> None:
    lines = _clean_lines("經 濟 部 公 布 ，\r\nA new rule 新 法")
    assert lines == ["經濟部公布，", "A new rule 新法"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (documents.scanned_pdf, r"scan\.pdf has no text layer .*OCR is not supported"),
        (lambda p: p.write_bytes(b"%PDF-1.4\n1 0 obj garbage") and p, r"scan\.pdf is damaged"),
        (_encrypted, r"scan\.pdf is encrypted; save an unprotected copy"),
    ],
)
def test_unreadable_pdfs_get_one_line(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "scan.pdf"
    make(path)
    with pytest.raises(SourceError, match=message) as info:
        _extracted(path)
    assert "\n" not in str(info.value)


def test_big5_page_keeps_the_article_and_drops_the_rest(tmp_path: Path) -> None:
    found = _extracted(documents.big5_news_html(tmp_path / "news.html"))
    for paragraph in documents.NEWS_PARAGRAPHS:
        assert paragraph in found.text
    for line in documents.NEWS_BOILERPLATE:
        assert line not in found.text, line
    assert (found.title, found.date, found.authors, found.source) == (
        "經濟部擴大綠能補助",
        "2025-03-18",
        ["王小明"],
        "遠見新聞網",
    )


def test_json_ld_metadata(tmp_path: Path) -> None:
    found = _extracted(documents.json_ld_html(tmp_path / "fact_sheet.html"))
    assert found.title == "Fact Sheet: Securing Critical Mineral Supply Chains"
    assert found.date == "2025-04-15"
    assert found.authors == ["The White House"] and found.source == "whitehouse.gov"
    assert "Briefings" not in found.text and "Privacy Policy" not in found.text
    assert "more than 80 percent of its rare earth elements" in found.text


def test_docx_paragraphs_table_and_properties(tmp_path: Path) -> None:
    found = _extracted(documents.docx_with_table(tmp_path / "plan.docx"))
    assert found.text.startswith("# 產業補助計畫說明\n\n")
    assert "| 半導體 | 1200 |\n| 綠能 | 800 |" in found.text
    assert found.title == "產業補助計畫說明" and found.authors == ["國家發展委員會"]
    assert found.date == "2025-05-02"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """One document of each kind, a scan, and files that are not documents."""
    seeds = tmp_path / "seeds"
    (seeds / "reports").mkdir(parents=True)
    documents.zh_pdf(seeds / "reports" / "white_paper.pdf")
    documents.big5_news_html(seeds / "news.html")
    documents.docx_with_table(seeds / "plan.docx")
    documents.scanned_pdf(seeds / "scan.pdf")
    (seeds / "notes.txt~").write_text("backup", encoding="utf-8")
    (seeds / "data.xlsx").write_bytes(b"x")
    return seeds


def test_a_mixed_folder_is_indexed_with_pages_and_reasons(library: Path, tmp_path: Path) -> None:
    index = str(tmp_path / "indexes")
    code, out, err = run("index", "--seeds", str(library), "--index-dir", index, "--json")
    assert code == 0, err
    stats = json.loads(out)
    assert stats["n_documents"] == 3
    reasons = {s["path"]: s["reason"] for s in stats["skipped"]}
    assert "OCR is not supported" in reasons["scan.pdf"]
    assert reasons["notes.txt~"].startswith("editor backup")
    assert reasons["data.xlsx"] == "unsupported type (.xlsx)"
    code, out, _ = run("docs", "--index-dir", index, "--json")
    docs = {d["doc_id"]: d for d in json.loads(out)}
    pdf = docs["reports/white_paper"]
    assert pdf["format"] == "pdf" and pdf["pages"] == 3
    assert docs["news"]["format"] == "html" and docs["news"]["source"] == "遠見新聞網"
    assert docs["plan"]["format"] == "docx" and docs["plan"]["pages"] is None
    code, _, _ = run("index", "--seeds", str(library), "--index-dir", index, "--check")
    assert code == 0  # the skipped scan does not make the index look stale


def test_answers_cite_pages_and_spans_of_the_extracted_text(library: Path, tmp_path: Path) -> None:
    index = tmp_path / "indexes"
    assert run("index", "--seeds", str(library), "--index-dir", str(index))[0] == 0
    code, out, _ = run("ask", "先進製程的產值年增率是多少", "--index-dir", str(index), "--json")
    hits = json.loads(out)["hits"]
    top = hits[0]
    assert top["doc_id"] == "reports/white_paper"
    assert top["page_start"] == 1 and top["page_end"] == 2  # the paragraph crosses the break
    assert top["citation"].startswith("reports/white_paper:p1:L")
    session = Session.open(Settings(seeds_dir=library, index_dir=index, embedder="fake"))
    for hit in hits:
        text = session.reader.document_text(hit["doc_id"])
        assert text is not None and text[hit["char_start"] : hit["char_end"]] == hit["text"]
    claims = run("claims", "--doc", "reports/white_paper", "--index-dir", str(index), "--json")[1]
    pages = {claim["text"]: claim["page"] for claim in json.loads(claims)}
    assert pages["百分之二十五"] == 2 and pages["新臺幣三千億元"] == 1
    code, out, err = run("show", top["citation"], "--index-dir", str(index))
    assert code == 0, err and "年增率" in out


def test_export_of_each_format_verifies_until_the_source_changes(
    library: Path, tmp_path: Path
) -> None:
    index = str(tmp_path / "indexes")
    assert run("index", "--seeds", str(library), "--index-dir", index)[0] == 0
    brief = tmp_path / "brief.md"
    questions = ["半導體產值占全球市場多少", "綠能補助預算多少", "半導體補助金額"]
    code, _, err = run("export", *questions, "-k", "8", "-o", str(brief), "--index-dir", index)
    assert code == 0, err
    exported = brief.read_text(encoding="utf-8")
    for path in ("reports/white_paper.pdf", "news.html", "plan.docx"):
        assert f'path="{path}"' in exported, path
    assert "p. 1" in exported or "pp. 1–2" in exported
    code, out, err = run("verify", str(brief), "--seeds", str(library))
    assert code == 0, out + err
    edited = [p.replace("四兆三千億元", "五兆億元") for p in documents.ZH_PARAGRAPHS]
    documents.zh_pdf(library / "reports" / "white_paper.pdf", edited)
    news = documents.NEWS_PARAGRAPHS[0]
    page = (library / "news.html").read_bytes().decode("big5")
    page = page.replace(news, "經濟部今天沒有宣布任何補助。")
    (library / "news.html").write_bytes(page.encode("big5"))
    code, out, err = run("verify", str(brief), "--seeds", str(library))
    assert code != 0
    assert "white_paper.pdf" in out + err and "news.html" in out + err


_LINE = st.text(alphabet="經濟部公布白皮書產業政策。，abc de.", min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_LINE.map(str.strip).filter(bool), max_size=6), min_size=1, max_size=4))
def test_extracted_pages_and_passages_keep_exact_provenance(pages: list[list[str]]) -> None:
    from reindustry_kb.ingest.extract import _join_pages
    from reindustry_kb.ingest.segment import segment
    from reindustry_kb.ingest.sources import Source
    from reindustry_kb.models import Document

    text, starts = _join_pages(pages)
    assert starts == sorted(starts) and len(starts) == len(pages)
    for page, lines in enumerate(pages):
        if lines:  # each page's text begins where its start says
            assert text[starts[page] :].startswith(lines[0])
    doc = Document(doc_id="d", path="d.pdf", sha256="0" * 64)
    for passage in segment(Source(doc=doc, text=text, page_starts=starts)):
        assert text[passage.char_start : passage.char_end] == passage.text
        assert passage.page_start is not None and passage.page_end is not None
        assert 1 <= passage.page_start <= passage.page_end <= len(pages)


def test_a_page_precision_misses_falls_back_without_its_chrome(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import trafilatura

    real = trafilatura.bare_extraction
    modes: list[bool] = []

    def precise_finds_nothing(*args, **kwargs):  # type: ignore[no-untyped-def]
        modes.append(bool(kwargs.get("favor_precision")))
        return None if kwargs.get("favor_precision") else real(*args, **kwargs)

    monkeypatch.setattr(trafilatura, "bare_extraction", precise_finds_nothing)
    found = _extracted(documents.big5_news_html(tmp_path / "news.html"))
    assert modes[:2] == [True, False]  # precision, then the default mode
    for paragraph in documents.NEWS_PARAGRAPHS:
        assert paragraph in found.text
    for line in documents.NEWS_BOILERPLATE:
        assert line not in found.text, line


def test_when_no_mode_finds_the_article_the_page_s_own_article_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import trafilatura

    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *a, **k: None)
    found = _extracted(documents.big5_news_html(tmp_path / "news.html"))
    for paragraph in documents.NEWS_PARAGRAPHS:
        assert paragraph in found.text
    for line in documents.NEWS_BOILERPLATE:
        assert line not in found.text, line


def test_a_page_of_links_has_no_article_text(tmp_path: Path) -> None:
    page = tmp_path / "nav.html"
    page.write_text(
        "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        "<footer>Contact us</footer></body></html>",
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match=r"nav\.html has no article text"):
        _extracted(page)


def test_a_docx_without_a_set_date_is_not_dated_by_its_template(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("日期：2025年3月5日")
    document.add_paragraph("經濟部公告補助辦法。")
    path = tmp_path / "undated.docx"
    document.save(str(path))
    assert _extracted(path).date is None
    assert read_source(path, tmp_path).doc.date == "2025-03-05"  # the date in its text


def _page(tmp_path: Path, name: str, html: str) -> Path:
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    return path


def test_a_page_wrapped_in_one_form_keeps_its_article(tmp_path: Path) -> None:
    # ASP.NET pages (many government sites) put the whole body in <form id="form1">.
    found = _extracted(
        _page(
            tmp_path,
            "news.aspx.html",
            "<html><head><title>經濟部宣布補助</title></head><body>"
            "<div class='menu'><a href='/'>即時</a> <a href='/p'>政治</a></div>"
            "<form method='post' id='form1'><div class='content'><h1>經濟部宣布補助</h1>"
            "<p>經濟部今日宣布，將投入新台幣300億元補助半導體先進製程研發。</p>"
            "<p>經濟部長表示，補助對象以國內中小型晶片設計業者為優先。</p></div></form>"
            "<form><input name='q'><button>搜尋</button></form>"
            "<footer>© 經濟部 版權所有</footer></body></html>",
        )
    )
    assert "將投入新台幣300億元補助半導體先進製程研發" in found.text
    assert "中小型晶片設計業者" in found.text and "搜尋" not in found.text


def test_page_titles_dates_and_authors_are_the_page_s_own(tmp_path: Path) -> None:
    logo = _extracted(
        _page(
            tmp_path,
            "press.html",
            "<html><head><title>U.S. Raises Tariffs on Chinese Semiconductors</title></head>"
            "<body><div id='header'><h1><a href='/'>Trade Policy Watch</a></h1></div>"
            "<h1>U.S. Raises Tariffs on Chinese Semiconductors</h1><p>The administration said "
            "on Tuesday that tariffs on Chinese semiconductors will rise to 50 percent.</p>"
            "<p>The investigation behind the decision began in 2018.</p>"
            "<footer>© Copyright 2024.</footer></body></html>",
        )
    )
    assert logo.title == "U.S. Raises Tariffs on Chinese Semiconductors"
    assert logo.date is None  # no year in the text is a publication date
    news = _extracted(
        _page(
            tmp_path,
            "news.html",
            "<html><head><title>平鎮輪胎行惡火 | 社會 | 中央社 CNA</title>"
            "<meta property='og:title' content='平鎮輪胎行惡火 | 社會 | 中央社 CNA'>"
            "<meta name='author' content='https://www.facebook.com/cna.com.tw'>"
            "<meta property='article:published_time' content='2016-03-19T10:00:00+08:00'>"
            "</head><body><article><h1>平鎮輪胎行惡火</h1><p>桃園市平鎮區一間輪胎行今天清晨"
            "發生火警，消防局出動20輛消防車搶救。</p></article></body></html>",
        )
    )
    assert (news.title, news.date, news.authors) == ("平鎮輪胎行惡火", "2016-03-19", [])


def test_a_line_break_inside_chinese_text_is_no_space(tmp_path: Path) -> None:
    found = _extracted(
        _page(
            tmp_path,
            "idn.html",
            "<html><head><title>IDN 安全性漏洞</title></head><body><article><h1>IDN 安全性漏洞"
            "</h1><p>使用者可以選擇手動變更組\n態設定或下載修正檔來自動變更設定，停用國際\n"
            "域名解析功能。</p></article></body></html>",
        )
    )
    assert "變更組態設定" in found.text and "國際域名解析" in found.text


def _one_line_pdf(text: str, title: str | None = None) -> bytes:
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    if title:
        page.setTitle(title)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


def test_a_short_pdf_is_indexed_and_a_file_name_is_no_title(tmp_path: Path) -> None:
    notice = tmp_path / "notice.pdf"
    notice.write_bytes(_one_line_pdf("Tariffs rise 25%."))
    assert _extracted(notice).text.strip() == "Tariffs rise 25%."
    for title in ("10811.exe", "905_Precinct_NoOU", "zen_of_python.txt"):
        named = tmp_path / "named.pdf"
        named.write_bytes(_one_line_pdf("Transcript of oral argument on tariff authority.", title))
        assert _extracted(named).title is None, title


@pytest.mark.parametrize(
    ("rows", "prose"),
    [
        (
            [["Item", "2025", "2026"], ["Chip subsidies", "US$3.2 billion", "US$4.1 billion"]],
            ["The ministry published the allocation.", "Then revised it.", "And again."],
        ),
        (
            [["項目", "2025年", "2026年"], ["晶片補助", "新臺幣 320億元", "新臺幣 410億元"]],
            ["經濟部公布明年度產業補助預算。", "立法院審議後修正。", "行政院核定。"],
        ),
    ],
)
def test_a_pdf_tables_rows_are_read_as_markdown_rows(
    tmp_path: Path, rows: list[list[str]], prose: list[str]
) -> None:
    # The plain text gives each cell a line; the page's layout says which share a row.
    found = _extracted(documents.table_pdf(tmp_path / "budget.pdf", rows, prose))
    table = "\n".join("| " + " | ".join(cells) + " |" for cells in rows)
    # On every page, the last rows too (alike on each page, they are no running footer).
    assert found.text.count(table) == 3, found.text
    assert all(line in found.text for line in prose)


def test_a_pdf_generators_placeholders_are_no_title_or_author(tmp_path: Path) -> None:
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    # ReportLab's document template writes `(anonymous)` as /Title and /Author.
    path = tmp_path / "note.pdf"
    SimpleDocTemplate(str(path)).build([Paragraph("A note.", getSampleStyleSheet()["Normal"])])
    found = _extracted(path)
    assert (found.title, found.authors) == (None, [])
