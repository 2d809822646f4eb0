"""A generator of odd files, the kinds real folders hold, each with what `rkb index` must do
with it: index it, skip it as a document that cannot be indexed (`unreadable`, which fails
`--strict`), or pass it over (hidden, backups, other types, links that are not files).

    write_odd_files(folder)            every kind, beside nothing else
    write_odd_files(folder, ["empty"]) the kinds named

Each kind writes its files and returns their expected outcomes by relative path. The
`large` kinds (a 5 MB line, a 50 MB file) are left out of random mixtures for speed.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

INDEXED, SKIPPED, PASSED_OVER = "indexed", "skipped", "passed over"
LARGE = {"long_line_5mb", "file_50mb"}
# Files over this many MB are skipped; the suite builds with this limit so the 50 MB kind
# is refused by size without being read.
SUITE_MAX_FILE_MB = 20

Outcomes = dict[str, str]
Writer = Callable[[Path], Outcomes]


def _write(folder: Path, name: str | bytes, data: bytes, outcome: str) -> Outcomes:
    path = Path(os.fsdecode(name)) if isinstance(name, bytes) else Path(name)
    target = folder / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    # As rkb shows a name: bytes that are not UTF-8 as escapes.
    return {os.fsencode(path.as_posix()).decode("utf-8", "backslashreplace"): outcome}


def _text(name: str, text: str, outcome: str, encoding: str = "utf-8") -> Writer:
    return lambda folder: _write(folder, name, text.encode(encoding), outcome)


def _pdf(text: str | None) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    if text is None:  # a scan: a picture, no text layer
        page.rect(50, 50, 400, 600, fill=1)
    else:
        page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


def _encrypted_pdf(folder: Path) -> Outcomes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(_pdf("Tariff revenue rose in the second quarter."))).pages:
        writer.add_page(page)
    writer.encrypt("a password no one knows")
    buffer = io.BytesIO()
    writer.write(buffer)
    return _write(folder, "encrypted.pdf", buffer.getvalue(), SKIPPED)


def _zip_garbage(folder: Path) -> Outcomes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a Word document")
    return _write(folder, "garbage.docx", buffer.getvalue(), SKIPPED)


def _docx(paragraph: str, comment: bool = False) -> bytes:
    """A Word file of one paragraph, dated by nothing but python-docx's template; with
    `comment`, an XML comment in its body (as some real files have)."""
    import docx
    from lxml import etree

    document = docx.Document()
    document.add_paragraph(paragraph)
    if comment:
        document.element.body.insert(0, etree.Comment(" a comment in the body "))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _nested(folder: Path) -> Outcomes:
    deep = "/".join(f"level{n}" for n in range(40))
    return _write(folder, f"{deep}/deep.txt", "深層資料夾裡的文件也要被索引。".encode(), INDEXED)


def _symlinks(folder: Path) -> Outcomes:
    (folder / "loop").symlink_to(".", target_is_directory=True)  # a folder that holds itself
    (folder / "self.txt").symlink_to("self.txt")  # a link to itself
    (folder / "gone.md").symlink_to("nowhere.md")
    return {"loop": PASSED_OVER, "self.txt": PASSED_OVER, "gone.md": PASSED_OVER}


def _hidden(folder: Path) -> Outcomes:
    _write(folder, ".git/config", b"[core]\n", PASSED_OVER)
    return {".git": PASSED_OVER} | _write(folder, ".notes.txt", b"private", PASSED_OVER)


def _duplicates(folder: Path) -> Outcomes:
    body = b"Customs duties collected reached $195 billion this fiscal year.\n"
    return _write(folder, "copy_a.txt", body, INDEXED) | _write(folder, "copy_b.txt", body, INDEXED)


def _same_id(folder: Path) -> Outcomes:
    return _write(folder, "notes.md", b"# Notes\n\nOne id.\n", INDEXED) | _write(
        folder, "notes.txt", b"Another file, the same id.\n", SKIPPED
    )


def _mixed_encodings(folder: Path) -> Outcomes:
    data = "第一行是 UTF-8。\n".encode() + "第二行是 Big5。\n".encode("cp950")
    # Neither reading is wholly right: indexed as the most plausible one or skipped, never
    # a crash. The outcome is checked as one or the other.
    return _write(folder, "mixed_encodings.txt", data, "either")


BIG5_NEWS = """<html><head><meta charset='big5'><title>經濟部宣布半導體補助</title></head><body>
<nav><a href='/'>首頁</a> | <a href='/news'>即時新聞</a> | <a href='/about'>關於我們</a></nav>
<article><h1>經濟部宣布半導體補助</h1>
<p>經濟部今天宣布，將投入新台幣三百億元補助國內半導體設備業者，協助供應鏈在地化。</p>
<p>部長表示，補助計畫自明年起受理申請，預計帶動民間投資一千億元。</p>
</article>
<form><label>發表留言</label><textarea></textarea><button>送出留言</button></form>
<footer>測試新聞網 版權所有</footer></body></html>"""


KINDS: dict[str, Writer] = {
    "empty": _text("empty.txt", "", SKIPPED),
    "whitespace": _text("blank.txt", "  \n\t\n \n", SKIPPED),
    "nul_bytes": lambda f: _write(f, "binary.txt", b"\x00\x01\x02\x00" * 64, SKIPPED),
    "bom_only": lambda f: _write(f, "bom.txt", b"\xef\xbb\xbf", SKIPPED),
    "one_word": _text("secret.txt", "secret", INDEXED),
    "one_char": _text("x.txt", "x", INDEXED),
    "one_line_mixed": _text("mixed.txt", "美國 tariffs", INDEXED),
    "title_only_md": _text("heading.md", "# 出口管制新規\n", INDEXED),
    "front_matter_only": _text(
        "farewell.md",
        '---\ntitle: "America\\u2019s farewell page"\ndate: 2025-01-02\nauthors:\n'
        "  - Jane Doe\n---\n",
        INDEXED,
    ),
    "front_matter_no_title": _text("stub.md", "---\ndate: 2025-01-02\n---\n", SKIPPED),
    "broken_front_matter": _text(
        "broken.md", "---\ntitle: [unclosed\n: : :\n---\nThe body still counts.\n", INDEXED
    ),
    "punctuation_only": _text("dots.txt", "。。。\n……\n---\n", SKIPPED),
    "markup_only": _text("markup.md", "**\n\n---\n\n* \n", SKIPPED),
    "crlf": _text("crlf.txt", "Line one of a memo.\r\nLine two names the tariff.\r\n", INDEXED),
    "utf16": _text("utf16.txt", "\ufeff關稅收入大幅增加。", INDEXED, "utf-16"),
    "gb18030": _text("gbk.txt", "国务院发布关于数据中心的通知。", INDEXED, "gb18030"),
    "big5_text": _text("big5.txt", "行政院通過半導體補助方案。", INDEXED, "cp950"),
    "undecodable": lambda f: _write(f, "latin.txt", bytes(range(128, 256)) * 4, SKIPPED),
    "control_chars": lambda f: _write(f, "controls.txt", b"\x01\x02\x03\x04\x05" * 40, SKIPPED),
    "mixed_encodings": _mixed_encodings,
    "long_line_5mb": _text("long_line.txt", ("word " * 1_048_576)[:5_000_000], INDEXED),
    "file_50mb": lambda f: _write(f, "huge.txt", b"tariff revenue " * 3_500_000, SKIPPED),
    "nested": _nested,
    "symlinks": _symlinks,
    "non_utf8_name": lambda f: _write(f, b"caf\xe9.txt", b"A name that is not UTF-8.", SKIPPED),
    "duplicates": _duplicates,
    "same_id": _same_id,
    "truncated_pdf": lambda f: _write(f, "truncated.pdf", _pdf("Tariff revenue")[:300], SKIPPED),
    "encrypted_pdf": _encrypted_pdf,
    "image_only_pdf": lambda f: _write(f, "scan.pdf", _pdf(None), SKIPPED),
    "zip_garbage_docx": _zip_garbage,
    "random_docx": lambda f: _write(f, "random.docx", os.urandom(2048), SKIPPED),
    "docx_without_date": lambda f: _write(
        f, "undated.docx", _docx("The ministry will fund 300 new charging stations."), INDEXED
    ),
    "docx_with_comment": lambda f: _write(
        f, "commented.docx", _docx("Tariff revenue rose to 300 billion.", comment=True), INDEXED
    ),
    "html_scripts_only": _text(
        "scripts.html", "<html><body><script>var a = 1;</script></body></html>", SKIPPED
    ),
    "html_nav_only": _text(
        "nav.html",
        "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>",
        SKIPPED,
    ),
    "big5_news_page": lambda f: _write(f, "news_big5.html", BIG5_NEWS.encode("cp950"), INDEXED),
    "unsupported": lambda f: (
        _write(f, "tool.exe", b"MZ\x00\x00", PASSED_OVER)
        | _write(f, "README", b"no extension", PASSED_OVER)
    ),
    "backup": _text("draft.txt~", "an editor's backup", PASSED_OVER),
    "hidden": _hidden,
}


def write_odd_files(folder: Path, kinds: list[str] | None = None) -> Outcomes:
    """Write the named kinds (default: all) into folder; their outcomes by relative path."""
    folder.mkdir(parents=True, exist_ok=True)
    outcomes: Outcomes = {}
    for kind in kinds if kinds is not None else list(KINDS):
        outcomes |= KINDS[kind](folder)
    return outcomes
