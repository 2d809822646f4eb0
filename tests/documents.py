"""Generators of the PDF, HTML and Word fixtures: every binary test document is made here."""

from __future__ import annotations

import json
from pathlib import Path

# A zh-Hant policy text laid out 30 characters a line, 4 lines a page, so that the second
# paragraph's sentence about chip output runs from page 1 onto page 2. Each page repeats a
# running header and a page number.
ZH_PARAGRAPHS = [
    "經濟部今天公布產業政策白皮書，指出政府將在未來五年內投入新臺幣三千億元，扶植半導體、"
    "綠能與人工智慧產業。",
    "白皮書也提到，二〇二四年臺灣半導體產值達到新臺幣四兆三千億元，占全球市場百分之十八，"
    "其中先進製程的產值成長最快，年增率達到百分之二十五。",
    "行政院表示，將修正產業創新條例，提供研發投資抵減，鼓勵企業在臺灣設立先進封裝產線。",
    "勞動部指出，為了因應產業轉型，將在三年內培訓五萬名半導體與綠能技術人才，並補助企業"
    "的在職訓練費用。",
]
ZH_HEADER = "產業政策白皮書　二〇二五年版"
LINE_CHARS = 30
LINES_PER_PAGE = 4


def zh_layout(paragraphs: list[str] = ZH_PARAGRAPHS) -> list[list[str]]:
    """The lines of each page: paragraphs wrapped at LINE_CHARS, flowing across pages."""
    lines = [p[i : i + LINE_CHARS] for p in paragraphs for i in range(0, len(p), LINE_CHARS)]
    return [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)]


def zh_pdf(path: Path, paragraphs: list[str] = ZH_PARAGRAPHS) -> Path:
    """A zh-Hant PDF in the Adobe-CNS1 CID font MSung-Light (not embedded)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("MSung-Light"))
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle("產業政策白皮書")
    pdf.setAuthor("經濟部")
    width, height = A4
    for number, lines in enumerate(zh_layout(paragraphs), start=1):
        pdf.setFont("MSung-Light", 9)
        pdf.drawString(72, height - 40, ZH_HEADER)
        pdf.drawString(width / 2, 30, str(number))
        pdf.setFont("MSung-Light", 12)
        for row, line in enumerate(lines):
            pdf.drawString(72, height - 90 - row * 18, line)
        pdf.showPage()
    pdf.save()
    return path


EN_COLUMNS = [
    "The Department of Commerce announced new export controls on advanced semiconductors "
    "and the equipment used to make them. The rule restricts shipments of high-end chips to "
    "several countries and takes effect in thirty days.",
    "Officials said the measures protect national security while allowing trade in older "
    "technologies. Companies may apply for licenses, which will be reviewed case by case by "
    "the Bureau of Industry and Security.",
]


def en_pdf(path: Path) -> Path:
    """Two pages, each of two columns (Helvetica), a running header and 'Page N' footer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    for number in (1, 2):
        pdf.setFont("Helvetica", 8)
        pdf.drawString(72, height - 40, "Policy Brief | Export Controls 2025")
        pdf.drawString(width / 2, 30, f"Page {number}")
        pdf.setFont("Helvetica", 10)
        for column, x in enumerate((72, width / 2 + 10)):
            text = EN_COLUMNS[column] if number == 1 else EN_COLUMNS[column].upper()
            y = height - 80
            line: list[str] = []
            for word in text.split():
                if len(" ".join([*line, word])) > 40:
                    pdf.drawString(x, y, " ".join(line))
                    y -= 13
                    line = []
                line.append(word)
            pdf.drawString(x, y, " ".join(line))
        pdf.showPage()
    pdf.save()
    return path


def table_pdf(path: Path, rows: list[list[str]], prose: list[str]) -> Path:
    """A page for each line of prose, over a table whose cells are drawn apart, as a report's
    table is (MSung-Light, so a Chinese table reads as well): the plain text gives each cell a
    line of its own. The table stands at the bottom of every page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("MSung-Light"))
    pdf = canvas.Canvas(str(path), pagesize=A4)
    height = A4[1]
    for line in prose:
        pdf.setFont("MSung-Light", 11)
        pdf.drawString(72, height - 90, line)
        for row, cells in enumerate(rows):
            for column, cell in enumerate(cells):
                pdf.drawString(72 + column * 150, height - 140 - row * 20, cell)
        pdf.showPage()
    pdf.save()
    return path


def scanned_pdf(path: Path) -> Path:
    """Pages that only draw shapes: what a scan without OCR looks like to a text extractor."""
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    for _ in range(2):
        for row in range(40):
            pdf.rect(72, 100 + row * 15, 300 + (row % 7) * 20, 8, fill=1)
        pdf.showPage()
    pdf.save()
    return path


NEWS_PARAGRAPHS = [
    "經濟部今天宣布，明年將編列新臺幣一百二十億元預算，擴大補助企業設置太陽能與儲能設備，"
    "目標在2030年前讓再生能源占比達到百分之三十。",
    "經濟部長表示，補助將優先提供給中小企業，並簡化申請流程，預計可帶動民間投資超過五百億元。",
    "業者指出，儲能設備成本仍高，希望政府延長補助期限，並提供低利貸款。",
]
NEWS_BOILERPLATE = ["首頁", "財經新聞", "分享到臉書", "台電電價調漲", "留言板", "網友A：支持綠能！"]


def big5_news_html(path: Path) -> Path:
    """A Big5 news page with navigation, share bar, related links, a comment form, a footer."""
    paragraphs = "".join(f"<p>{p}</p>" for p in NEWS_PARAGRAPHS)
    page = f"""<html><head><meta charset="big5"><title>經濟部擴大綠能補助 - 遠見新聞網</title>
<meta property="og:site_name" content="遠見新聞網">
<meta property="article:published_time" content="2025-03-18T09:00:00+08:00">
<meta name="author" content="王小明"></head><body>
<nav><ul><li><a href="/">首頁</a></li><li><a href="/news">財經新聞</a></li></ul></nav>
<div class="share"><a href="#">分享到臉書</a> <a href="#">分享到LINE</a></div>
<article><h1>經濟部擴大綠能補助</h1>{paragraphs}</article>
<aside class="related"><h3>相關新聞</h3><ul><li><a href="/a">台電電價調漲</a></li>
<li><a href="/b">離岸風電進度落後</a></li></ul></aside>
<div id="comments" class="comments"><h3>留言板</h3><form><textarea></textarea>
<button>送出</button></form><div class="comment"><p>網友A：支持綠能！</p></div></div>
<footer>回上頁　版權所有 2025 遠見雜誌 All rights reserved.</footer></body></html>"""
    path.write_bytes(page.encode("big5"))
    return path


def json_ld_html(path: Path) -> Path:
    """A UTF-8 White House style page whose metadata is only in JSON-LD."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Fact Sheet: Securing Critical Mineral Supply Chains",
        "datePublished": "2025-04-15T10:00:00-04:00",
        "author": [{"@type": "Organization", "name": "The White House"}],
        "publisher": {"@type": "Organization", "name": "whitehouse.gov"},
    }
    body = "".join(
        f"<p>{p}</p>"
        for p in (
            "Today, the President signed an Executive Order to expand domestic production of "
            "critical minerals, including lithium, cobalt and rare earth elements.",
            "The order directs agencies to speed up permits for mining projects on federal land "
            "and to use the Defense Production Act where supply is at risk.",
            "The United States imports more than 80 percent of its rare earth elements, most of "
            "them from China.",
        )
    )
    page = (
        '<html><head><meta charset="utf-8"><title>whitehouse.gov</title>'
        f'<script type="application/ld+json">{json.dumps(data)}</script></head><body>'
        '<header><nav><a href="/">Home</a> <a href="/briefings">Briefings</a></nav></header>'
        f"<main><article><h1>{data['headline']}</h1>{body}</article></main>"
        "<footer>Subscribe to updates. Privacy Policy. Copyright.</footer></body></html>"
    )
    path.write_text(page, encoding="utf-8")
    return path


DOCX_TABLE = [["產業", "補助金額（億元）"], ["半導體", "1200"], ["綠能", "800"]]


def docx_with_table(path: Path) -> Path:
    """A Word file: a title heading, two paragraphs, a table, core properties."""
    import datetime

    import docx

    document = docx.Document()
    document.core_properties.title = "產業補助計畫說明"
    document.core_properties.author = "國家發展委員會"
    document.core_properties.created = datetime.datetime(2025, 5, 2, 9, 0)
    document.add_heading("產業補助計畫說明", level=1)
    document.add_paragraph("國家發展委員會今天公布產業補助計畫，總經費新臺幣兩千億元，分五年執行。")
    document.add_paragraph("各產業的補助金額如下表，半導體產業獲得最多補助。")
    table = document.add_table(rows=len(DOCX_TABLE), cols=2)
    for r, row in enumerate(DOCX_TABLE):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.save(str(path))
    return path
