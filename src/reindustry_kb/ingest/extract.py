"""Text out of PDF, HTML and Word files: the text `rkb` indexes for a non-text source.

The extracted text is the document from then on: passages, claims and citations point into
it (`char_start`/`char_end`, lines), and for a PDF each passage also names the pages its span
covers. `rkb verify` extracts the file again and checks quotes against the new text.

Libraries, chosen by measurement on generated zh-Hant (CID font, Adobe-CNS1) and English PDFs
and by licence: pypdf (BSD) reads CID-keyed CJK fonts correctly where pdfminer.six returned
mojibake for a non-embedded MSung-Light, and pypdfium2 dropped a full-width 。 that stood
alone on a line; PyMuPDF is AGPL. trafilatura (Apache-2.0) finds an article's main text and
its metadata on Chinese news pages; python-docx (MIT) reads Word files.
"""

from __future__ import annotations

import io
import json
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reindustry_kb.errors import SourceError
from reindustry_kb.text.normalize import HAN
from reindustry_kb.text.tables import is_table_row

FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html", ".docx": "docx"}
_PAGE_NUMBER = re.compile(
    r"^[\s\-–—]*(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?[\s\-–—]*$"
    r"|^第\s*\d{1,4}\s*[頁页]"
    r"(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*[頁页])?$",
    re.I,
)
# Wrapped lines join with a space unless either side is Chinese (Han or full-width
# punctuation), or a hyphen ends the line.
_CJK = rf"[{HAN}\u3000-\u303f\uff00-\uffef]"
_NO_SPACE_END = re.compile(rf"{_CJK}$|[A-Za-z]-$")
_NO_SPACE_START = re.compile(rf"^{_CJK}")
_SPACED_HAN = re.compile(rf"(?<={_CJK})[ \u00a0](?={_CJK})")
_SENTENCE_END = re.compile(r"[。！？!?.:：」』”\"]$")
# A PDF's /Title that is the name of the file it was made from, or a program's placeholder.
_FILE_NAME = re.compile(
    r"\.(?:docx?|pdf|indd|pptx?|xlsx?|txt|rtf|odt|tex|dvi|e?ps|exe|html?|qxd|jpe?g|png|tiff?)$"
    r"|^untitled|^microsoft (?:word|powerpoint)|^[\w.-]*_[\w.-]*$",
    re.I,
)
# A PDF generator's default in /Title or /Author (ReportLab writes `(anonymous)`), no name.
_PLACEHOLDER = re.compile(
    r"^\(?(?:anonymous|unknown|unspecified|untitled|none|user|admin|administrator)\)?$", re.I
)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
# Names pages declare, and the decoders that read what those pages really hold.
_CHARSET_ALIASES = {"big5": "cp950", "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030"}


@dataclass
class Extracted:
    """A source's text and what its own metadata says."""

    format: str
    text: str
    page_starts: list[int] | None = None  # PDF: offset in `text` where each page begins
    title: str | None = None
    date: str | None = None
    authors: list[str] = field(default_factory=list)
    source: str | None = None


def extract(path: Path, data: bytes, name: str | None = None) -> Extracted:
    """The text and metadata of a PDF, HTML or DOCX file, or a one-line SourceError naming
    the file as `name` (default: its file name)."""
    kind = FORMATS[path.suffix.lower()]
    name = name or path.name
    if kind == "pdf":
        return extract_pdf(data, name)
    if kind == "html":
        return extract_html(data, name)
    return extract_docx(data, name)


# --- PDF ------------------------------------------------------------------------------------


def extract_pdf(data: bytes, name: str) -> Extracted:
    """Text in reading order, lines wrapped by the layout joined, running headers, footers and
    page numbers dropped; `page_starts` maps offsets back to pages."""
    pages, meta = _pdf_pages(data, name)
    lines = _drop_running_lines([_clean_lines(page) for page in pages])
    text, page_starts = _join_pages(lines)
    # No words once page numbers and running lines are gone: a scan. A short notice of one
    # line is a document like any other.
    if not re.search(r"\w", text):
        raise SourceError(
            f"{name} has no text layer (a scanned PDF?); OCR is not supported, so it was skipped"
        )
    return Extracted("pdf", text, page_starts, **meta)


def _pdf_pages(data: bytes, name: str) -> tuple[list[str], dict[str, Any]]:
    try:
        from pypdf import PdfReader
    except ImportError as exc:  # pragma: no cover - a dependency
        raise SourceError(f"{name}: reading PDFs needs pypdf; run `pip install pypdf`") from exc
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # repairs it reports are not news
    # A parser of untrusted bytes fails in many ways; every one of them means the same to a
    # user: this file cannot be read.
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise SourceError(f"{name} is encrypted; save an unprotected copy to index it")
        pages = [_page_text(page) for page in reader.pages]
        info: Any = reader.metadata or {}
    except SourceError:
        raise
    except Exception as exc:
        if "encrypt" in str(exc).lower() or "decrypt" in str(exc).lower():
            raise SourceError(f"{name} is encrypted; save an unprotected copy to index it") from exc
        raise SourceError(f"{name} is damaged or not a PDF ({type(exc).__name__})") from exc
    title = str(info.get("/Title") or "").strip() or None
    if title and _FILE_NAME.search(title):
        title = None  # the producing program's file name, not a title
    if title and _PLACEHOLDER.match(title):
        title = None
    author = str(info.get("/Author") or "").strip()
    if _PLACEHOLDER.match(author):
        author = ""  # a generator's default, not a person
    return pages, {"title": title, "authors": [author] if author else []}


# A table's cells come out of a page one per line; a run of this many short lines may be one,
# and the page's layout text (slower to read) says which cells share a row.
_SHORT_LINE = 60
_TABLE_LINES = 4
_MAX_COLUMNS = 12


def _page_text(page: Any) -> str:
    """A page's text, a table's rows written as Markdown's (`| Item | 2026 |`) where the page's
    layout shows them, so that claims read a figure's labels as they do in Markdown and Word."""
    text: str = page.extract_text() or ""
    if not _may_hold_table(text):
        return text
    try:
        layout: str = page.extract_text(extraction_mode="layout") or ""
    except Exception:  # the layout reader fails where the plain one read: keep the plain text
        return text
    return _rows_from_layout(text, layout)


def _may_hold_table(text: str) -> bool:
    run = longest = 0
    for line in text.split("\n"):
        run = run + 1 if line.strip() and len(line) <= _SHORT_LINE else 0
        longest = max(longest, run)
    return longest >= _TABLE_LINES


def _rows_from_layout(text: str, layout: str) -> str:
    """The plain text with each run of its lines that one layout line holds whole (the cells
    of a row, side by side on the page) joined as a Markdown row, where two rows or more of as
    many cells follow each other; everything else as it was."""
    lines = text.split("\n")
    on_page = {re.sub(r"\s+", "", line) for line in layout.split("\n") if line.strip()}
    rows: dict[int, int] = {}  # first line -> cells
    for start in range(len(lines)):
        joined = ""
        for cells in range(1, min(_MAX_COLUMNS, len(lines) - start) + 1):
            line = lines[start + cells - 1]
            if not line.strip() or len(line) > _SHORT_LINE:
                break
            joined += re.sub(r"\s+", "", line)
            if cells >= 2 and joined in on_page:
                rows[start] = cells
    ends = {start + cells: cells for start, cells in rows.items()}  # line after a row -> cells
    # first lines of rows that belong to a table: a row of as many cells just before or after
    table = {s for s, cells in rows.items() if ends.get(s) == cells or rows.get(s + cells) == cells}
    out: list[str] = []
    at = 0
    while at < len(lines):
        if at in table:
            cells = rows[at]
            out.append("| " + " | ".join(c.strip() for c in lines[at : at + cells]) + " |")
            at += cells
        else:
            out.append(lines[at])
            at += 1
    return "\n".join(out)


def _clean_lines(page: str) -> list[str]:
    # Glyphs placed one by one come out with spaces between Chinese characters; Chinese
    # writes none.
    page = _SPACED_HAN.sub("", page.replace("\r\n", "\n").replace("\r", "\n"))
    return [line.rstrip() for line in page.split("\n")]


def _drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Without page numbers and the header and footer lines that repeat across pages."""
    edge = 2  # lines at the top and at the bottom of a page that may be running lines

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", line.strip())

    def edges(lines: list[str]) -> list[str]:
        content = [line for line in lines if line.strip()]
        return content[:edge] + content[-edge:]

    seen = Counter(k for lines in pages for k in {key(line) for line in edges(lines)})
    running = {k for k, n in seen.items() if len(pages) >= 2 and n >= max(2, len(pages) / 2)}
    cleaned = []
    for lines in pages:
        at_edge = set(edges(lines))
        cleaned.append(
            [
                line
                for line in lines
                if line.strip()
                and (
                    is_table_row(line)  # a table's last rows, alike on every page
                    or not (line in at_edge and (key(line) in running or _PAGE_NUMBER.match(line)))
                )
            ]
        )
    return cleaned


def _join_pages(pages: list[list[str]]) -> tuple[str, list[int]]:
    """Paragraphs separated by blank lines, lines wrapped by the layout joined (also across
    a page break). A line was wrapped when the next line's first word would not have fit on
    it; a shorter line, or one ending a sentence short of the full width, ends a paragraph."""
    lines = [(page, line.strip()) for page, content in enumerate(pages) for line in content]
    typical = [_typical_width(content) for content in pages]
    pieces: list[str] = []
    page_starts = [0] * len(pages)
    seen_pages: set[int] = set()
    length = 0
    for number, (page, line) in enumerate(lines):
        before = lines[number - 1][1] if number else ""
        if number == 0:
            glue = ""
        elif is_table_row(before) and is_table_row(line):
            glue = "\n"  # a table's rows, one to a line
        elif is_table_row(before) or is_table_row(line):
            glue = "\n\n"
        elif _wrapped(before, line, typical[lines[number - 1][0]]):
            chinese = _NO_SPACE_END.search(pieces[-1]) or _NO_SPACE_START.match(line)
            glue = "" if chinese else " "  # English words keep their space
        else:
            glue = "\n\n"
        if page not in seen_pages:
            seen_pages.add(page)
            page_starts[page] = length + len(glue)
        pieces.append(glue + line)
        length += len(glue) + len(line)
    for page in reversed(range(len(pages))):  # a page with no text begins where the next does
        if page not in seen_pages:
            page_starts[page] = page_starts[page + 1] if page + 1 < len(pages) else length
    return "".join(pieces) + "\n", page_starts


def _typical_width(lines: list[str]) -> int:
    widths = sorted(_width(line.strip()) for line in lines)
    return widths[int(len(widths) * 0.9)] if widths else 0


def _width(text: str) -> int:
    """Display width: a Chinese character or full-width sign is two Latin letters wide, so a
    line of Chinese with some digits measures like a full line of Chinese."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _wrapped(line: str, following: str, typical: int) -> bool:
    if typical < 20:
        return False
    width = _width(line)
    # Widths are estimates (glyphs differ), hence the slack.
    if _SENTENCE_END.search(line) and width < 0.95 * typical:
        return False
    chinese = _NO_SPACE_START.match(following)
    word = following[:1] if chinese else following.split(" ", 1)[0]
    return width + (0 if chinese else 1) + _width(word) > 0.9 * typical


# --- HTML -----------------------------------------------------------------------------------


def extract_html(data: bytes, name: str) -> Extracted:
    """The page's main content (no navigation, comments, share bars, related links or
    footers) and its metadata: <title>, Open Graph and article tags, JSON-LD, meta author."""
    html = decode_html(data, name)
    try:
        import trafilatura
    except ImportError as exc:  # pragma: no cover - a dependency
        raise SourceError(f"{name}: reading HTML needs trafilatura") from exc
    logging.getLogger("trafilatura").setLevel(logging.ERROR)  # likewise
    found = None
    # Precision first (no stray navigation); on pages where that finds nothing (a plain
    # page of <p> paragraphs) the default mode, then recall; then the page's own article.
    for precision, recall in ((True, False), (False, False), (False, True)):
        try:
            found = trafilatura.bare_extraction(
                html,
                with_metadata=True,
                include_comments=False,
                include_tables=True,
                favor_precision=precision,
                favor_recall=recall,
                # Dates the page declares (meta tags, JSON-LD, <time>), not any year in its
                # text: "began in 2018" or a copyright line is no publication date.
                date_extraction_params={"original_date": True, "extensive_search": False},
            )
        except Exception:  # a parser of untrusted markup: any failure means "found nothing"
            found = None
        if found is not None and (getattr(found, "text", None) or "").strip():
            break
    body = (getattr(found, "text", None) or "").strip() if found is not None else ""
    # What any mode found may hold the page's chrome (the default mode keeps menu lines; on
    # a page of nothing but links, precision returns the links): none of it is article.
    paragraphs = _without_chrome(_lines(body), html) or _lines(_main_text(html))
    if not paragraphs:
        raise SourceError(f"{name} has no article text that could be found; skipped")
    meta = _page_metadata(html)
    title = _headline(getattr(found, "title", None), meta)
    authors = _names(getattr(found, "author", None)) or meta.get("authors", [])
    return Extracted(
        "html",
        "\n\n".join(paragraphs) + "\n",
        title=title,
        date=(getattr(found, "date", None) or meta.get("date") or None),
        authors=authors,
        source=getattr(found, "sitename", None) or meta.get("source"),
    )


def _lines(text: str) -> list[str]:
    # A line break in a page's source inside Chinese text is no space: 組 / 態設定 is 組態設定.
    return [_SPACED_HAN.sub("", line.strip()) for line in text.split("\n") if line.strip()]


def _headline(found: str | None, meta: dict[str, Any]) -> str | None:
    """The page's title without its site: trafilatura's, unless the page's own Open Graph
    title or JSON-LD headline, or its <title>, does not contain it (then it took a logo or a
    section heading for the title); of `Headline | Section | Site`, the headline."""
    declared = [meta[key] for key in ("title", "page_title") if meta.get(key)]
    title = found or (declared[0] if declared else None)
    if found and declared and not any(found in d for d in declared):
        title = declared[0]
    if title and " | " in title:
        title = max(title.split(" | "), key=len).strip()
    return title


# Elements that are never an article's text: the page's chrome, and code. A form is chrome
# unless it holds the article (ASP.NET pages wrap the whole body in <form id="form1">).
_CHROME = ("nav", "footer", "aside", "menu", "form[not(.//p) and not(.//article)]")
_NOT_CONTENT = (*_CHROME, "header", "script", "style", "noscript")


def _parse(html: str) -> Any:
    from lxml import html as lxml_html

    try:
        return lxml_html.fromstring(html)
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return None


def _without_chrome(lines: list[str], html: str) -> list[str]:
    """The lines that do not stand wholly inside the page's navigation, footer, forms or
    asides."""
    tree = _parse(html) if lines else None
    if tree is None:
        return lines
    chrome = [
        " ".join(element.text_content().split())
        for element in tree.xpath("|".join(f"//{tag}" for tag in _CHROME))
    ]
    return [line for line in lines if not any(" ".join(line.split()) in c for c in chrome)]


_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "dd", "dt")


def _main_text(html: str) -> str:
    """The text of the page's <article>, else <main>, else <body>, without navigation,
    headers, footers, forms and scripts: one line per paragraph-like element."""
    tree = _parse(html)
    if tree is None:
        return ""
    for element in tree.xpath("|".join(f"//{tag}" for tag in _NOT_CONTENT)):
        element.drop_tree()
    for tag in ("article", "main", "body"):
        found = tree.xpath(f"//{tag}")
        if found:
            root = found[0]
            break
    else:
        root = tree
    blocks = root.xpath("|".join(f".//{tag}" for tag in _BLOCKS))
    # Nested blocks (a <p> in an <li>) are read once, by the outermost.
    outer = [b for b in blocks if not any(a in blocks for a in b.iterancestors())]
    lines = [" ".join(b.text_content().split()) for b in outer] or [
        " ".join(root.text_content().split())
    ]
    return "\n".join(line for line in lines if line)


def decode_html(data: bytes, name: str) -> str:
    """By the charset the page declares, else as a text file is decoded."""
    from reindustry_kb.ingest.decode import decode_bytes

    declared = _CHARSET.search(data[:4096])
    if declared:
        charset = declared.group(1).decode("ascii").lower()
        try:
            return data.decode(_CHARSET_ALIASES.get(charset, charset))
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration: detect instead
    return decode_bytes(data, name)


def _page_metadata(html: str) -> dict[str, Any]:
    """Author, date, title and site from <meta> tags and JSON-LD, for what trafilatura left."""
    tree = _parse(html)
    if tree is None:
        return {}
    meta: dict[str, Any] = {}
    for element in tree.iter("title"):
        if text := " ".join(element.text_content().split()):
            meta["page_title"] = text
        break
    for tag in tree.iter("meta"):
        key = (tag.get("name") or tag.get("property") or "").lower()
        value = (tag.get("content") or "").strip()
        if not value:
            continue
        if key in ("author", "article:author", "dc.creator"):
            meta.setdefault("authors", _names(value))
        elif key in ("article:published_time", "date", "pubdate", "dc.date"):
            meta.setdefault("date", value[:10])
        elif key == "og:site_name":
            meta.setdefault("source", value)
        elif key == "og:title":
            meta.setdefault("title", value)
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() == "application/ld+json" and script.text:
            try:
                _json_ld(json.loads(script.text), meta)
            except ValueError:
                continue
    return meta


def _json_ld(data: Any, meta: dict[str, Any]) -> None:
    for item in data if isinstance(data, list) else [data]:
        if not isinstance(item, dict):
            continue
        if item.get("headline"):
            meta.setdefault("title", str(item["headline"]))
        if item.get("datePublished"):
            meta.setdefault("date", str(item["datePublished"])[:10])
        people = item.get("author")
        people = people if isinstance(people, list) else [people] if people else []
        names = [p.get("name") if isinstance(p, dict) else p for p in people]
        if names := [str(n) for n in names if n]:
            meta.setdefault("authors", names)
        publisher = item.get("publisher")
        if isinstance(publisher, dict) and publisher.get("name"):
            meta.setdefault("source", str(publisher["name"]))


def _names(value: str | None) -> list[str]:
    parts = [part.strip() for part in re.split(r"[;；,，、]", value or "")]
    # A profile link (https://www.facebook.com/...) is no name.
    return [part for part in parts if part and not re.search(r"https?://|www\.|\.com/", part)]


# --- DOCX -----------------------------------------------------------------------------------

# The stamp of python-docx's default.docx, which every file it makes keeps unless the writer
# sets a date: it dates the template, not the document.
_TEMPLATE_STAMPS = {
    datetime(2013, 12, 23, 23, 15, tzinfo=UTC),
    datetime(2013, 12, 23, 23, 15),
}


def extract_docx(data: bytes, name: str) -> Extracted:
    """Paragraphs and tables in document order (headings as Markdown headings, a table row
    a line, cells separated by |), core properties as metadata."""
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - a dependency
        raise SourceError(f"{name}: reading Word files needs python-docx") from exc
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # a zip of XML from anywhere: any failure means unreadable
        raise SourceError(f"{name} is damaged or not a Word file ({type(exc).__name__})") from exc
    blocks: list[str] = []
    for child in document.element.body.iterchildren():
        if not isinstance(child.tag, str):  # an XML comment or processing instruction
            continue
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            text = paragraph.text.strip()
            style = (paragraph.style.name if paragraph.style is not None else "") or ""
            if text and re.match(r"(heading|title|標題)\s*(\d*)", style, re.I):
                level = re.search(r"\d+", style)
                text = "#" * min(int(level.group()) if level else 1, 6) + " " + text
            if text:
                blocks.append(text)
        elif tag == "tbl":
            # A row as Markdown writes one (`| Item | 2026 |`), so that a table of two columns
            # is a table too (claims/context.py reads a figure's labels from its row).
            rows = [
                "| " + " | ".join(cell.text.strip() for cell in row.cells) + " |"
                for row in Table(child, document).rows
            ]
            if rows:
                blocks.append("\n".join(rows))
    if not blocks:
        raise SourceError(f"{name} has no text; skipped")
    core = document.core_properties
    # The template's own stamps are no date of this document: the text's date, or none.
    stamps = [core.created, core.modified]
    date = next((d for d in stamps if d is not None and d not in _TEMPLATE_STAMPS), None)
    return Extracted(
        "docx",
        "\n\n".join(blocks) + "\n",
        title=(core.title or "").strip() or None,
        date=date.date().isoformat() if date else None,
        authors=_names(core.author),
    )
