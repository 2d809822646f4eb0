"""Read seed files: find them, decode them, and take each document's metadata from its header."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reindustry_kb.errors import SourceError
from reindustry_kb.ingest.decode import decode_bytes
from reindustry_kb.models import Document, Skipped
from reindustry_kb.text.dates import NUMERIC, document_month_first, parse_date
from reindustry_kb.text.language import detect_lang
from reindustry_kb.text.tables import is_table_row

if TYPE_CHECKING:
    from reindustry_kb.ingest.extract import Extracted

TEXT_SUFFIXES = (".txt", ".md")
SUFFIXES = (*TEXT_SUFFIXES, ".pdf", ".html", ".htm", ".docx")
# Editor backups, lock and temporary files: skipped without a word of complaint.
_BACKUP = re.compile(r"(~$|^~\$|^\.?#|\.(bak|swp|swo|tmp|orig|part|crdownload)$)", re.I)


@dataclass
class Source:
    """A decoded document: its metadata, its text, and the spans that are header, not content."""

    doc: Document
    text: str
    header_spans: list[tuple[int, int]] = field(default_factory=list)
    page_starts: list[int] | None = None  # PDF: offset in `text` where each page begins
    # Where the title stands in the text, when the header gave one: a document of nothing
    # but its title (one short line) is that title.
    title_span: tuple[int, int] | None = None


def discover(seeds_dir: Path) -> list[Path]:
    """All supported files under seeds_dir, sorted by relative path."""
    return find_sources(seeds_dir)[0]


def find_sources(seeds_dir: Path) -> tuple[list[Path], list[Skipped]]:
    """Supported files under seeds_dir (recursively, sorted by relative path), and the files
    passed over: hidden, editor backups, other types, links that lead nowhere, names that are
    not UTF-8, and a second file whose document id another one already has."""
    if seeds_dir.is_file():
        raise SourceError(
            f"{seeds_dir} is a file, not a folder; pass the folder that holds it (--seeds DIR)"
        )
    if not seeds_dir.is_dir():
        raise SourceError(
            f"seeds folder {seeds_dir} does not exist; create it and add documents, "
            "or point --seeds / RKB_SEEDS_DIR at one"
        )
    found, skipped = _walk(seeds_dir)
    paths: list[Path] = []
    owners: dict[str, Path] = {}
    for path in found:
        relative = path.relative_to(seeds_dir)
        doc_id = relative.with_suffix("").as_posix()
        if doc_id in owners:  # notes.md beside notes.txt: one id, two files
            reason = (
                f"has the same document id ({doc_id}) as {owners[doc_id].name}; rename one of them"
            )
            skipped.append(Skipped(path=relative.as_posix(), reason=reason, unreadable=True))
            continue
        owners[doc_id] = path
        paths.append(path)
    if not paths:
        raise SourceError(
            f"seeds folder {seeds_dir} has no .txt, .md, .pdf, .html or .docx files; "
            "add documents first"
        )
    skipped.sort(key=lambda s: s.path)
    return paths, skipped


def _walk(seeds_dir: Path) -> tuple[list[Path], list[Skipped]]:
    """Files under seeds_dir that may be documents, and the rest with why. Symbolic links to
    folders are not followed (a link loop cannot trap the walk); hidden folders (.git) are
    listed once, not file by file."""
    found: list[Path] = []
    skipped: list[Skipped] = []

    def unreadable_folder(error: OSError) -> None:
        name = Path(error.filename or seeds_dir)
        where = display_path(name.relative_to(seeds_dir)) if name != seeds_dir else "."
        reason = f"folder cannot be read ({error.strerror}); check its permissions"
        skipped.append(Skipped(path=where, reason=reason, unreadable=True))

    for folder, dirs, files in os.walk(seeds_dir, onerror=unreadable_folder):
        base = Path(folder)
        for name in sorted(dirs):
            relative = (base / name).relative_to(seeds_dir)
            if name.startswith("."):
                skipped.append(Skipped(path=display_path(relative), reason="hidden folder"))
                dirs.remove(name)
            elif (base / name).is_symlink():
                not_followed = "link to a folder, not followed"
                skipped.append(Skipped(path=display_path(relative), reason=not_followed))
        for name in files:
            path = base / name
            relative = path.relative_to(seeds_dir)
            reason = _skip_reason(relative)
            if reason is None and not path.is_file():
                reason = "link that leads to no file"
            if reason:
                # A document whose name cannot be stored is a document lost: it counts as one
                # that could not be indexed.
                lost = reason == _BAD_NAME
                skipped.append(Skipped(path=display_path(relative), reason=reason, unreadable=lost))
            else:
                found.append(path)
    found.sort(key=lambda p: p.relative_to(seeds_dir).as_posix())
    return found, skipped


_BAD_NAME = "file name is not valid UTF-8; rename it"


def _skip_reason(relative: Path) -> str | None:
    if any(part.startswith(".") for part in relative.parts):
        return "hidden"
    if _BACKUP.search(relative.name):
        return "editor backup or temporary file"
    if relative.suffix.lower() not in SUFFIXES:
        return f"unsupported type ({relative.suffix or 'no extension'})"
    if display_path(relative) != relative.as_posix():
        return _BAD_NAME
    return None


def display_path(relative: Path) -> str:
    """A relative path as text that can be printed and stored: bytes of a name that is not
    UTF-8 shown as escapes."""
    return os.fsencode(relative.as_posix()).decode("utf-8", "backslashreplace")


def doc_id_for(path: Path, seeds_dir: Path) -> str:
    """Relative path without suffix, '/'-separated: stable across machines."""
    return path.relative_to(seeds_dir).with_suffix("").as_posix()


def read_source(path: Path, seeds_dir: Path, max_bytes: int | None = None) -> Source:
    """Decode one file (or extract the text of a PDF, HTML or Word file) and take its
    metadata from its header, the file's own metadata first. Any file that cannot be read
    raises a SourceError naming it and why."""
    name = path.relative_to(seeds_dir).as_posix()
    data = read_bytes(path, name, max_bytes)
    contents = _contents(path, data, name)
    text = contents.text
    meta = parse_header(text)
    doc = Document(
        doc_id=doc_id_for(path, seeds_dir),
        path=name,
        sha256=hashlib.sha256(data).hexdigest(),
        title=contents.title or meta.title,
        date=_iso_date(contents.date) or meta.date,
        lang=meta.lang or detect_lang(text),
        source=contents.source or meta.source,
        authors=contents.authors or meta.authors,
        format=contents.format,
    )
    if contents.format != "text":
        doc.text_sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if contents.page_starts is not None:
        doc.pages = len(contents.page_starts)
    return Source(doc, text, meta.spans, contents.page_starts, meta.title_span)


def read_bytes(path: Path, name: str, max_bytes: int | None = None) -> bytes:
    """A file's bytes, or a SourceError: too large, gone, or not readable."""
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise SourceError(
                f"{name} is too large ({size / 1e6:,.0f} MB, over the {max_bytes / 1e6:,.0f} MB "
                "limit); raise it with --max-file-mb or RKB_MAX_FILE_MB"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{name} disappeared while it was being read") from None
    except IsADirectoryError:
        raise SourceError(f"{name} is a folder, not a file") from None
    except OSError as exc:
        raise SourceError(
            f"{name} cannot be read ({exc.strerror or type(exc).__name__}); check its permissions"
        ) from None


def source_text(path: Path, data: bytes) -> str:
    """The text a source file is indexed as: decoded, or extracted from a PDF, HTML, DOCX."""
    return _contents(path, data, path.name).text


def _contents(path: Path, data: bytes, name: str) -> Extracted:
    # Imported here: the PDF/HTML/DOCX stage is not for `rkb ask`'s cold start.
    from reindustry_kb.ingest.extract import Extracted, extract

    if path.suffix.lower() in TEXT_SUFFIXES:
        return Extracted("text", decode_bytes(data, name))
    return extract(path, data, name)


def _iso_date(value: str | None) -> str | None:
    return parse_date(value) if value else None


# --- header metadata ----------------------------------------------------------------------

# Header keys in either language, folded (NFKC, lower case, no spaces) -> field.
HEADER_KEYS = {
    "date": "date",
    "published": "date",
    "publicationdate": "date",
    "posted": "date",
    "日期": "date",
    "發布日期": "date",
    "發佈日期": "date",
    "发布日期": "date",
    "出版日期": "date",
    "刊登日期": "date",
    "時間": "date",
    "时间": "date",
    "author": "authors",
    "authors": "authors",
    "author(s)": "authors",
    "by": "authors",
    "speaker": "authors",
    "speakers": "authors",
    "host": "authors",
    "moderator": "authors",
    "作者": "authors",
    "講者": "authors",
    "讲者": "authors",
    "主講": "authors",
    "主讲": "authors",
    "主持人": "authors",
    "撰文": "authors",
    "記者": "authors",
    "记者": "authors",
    "source": "source",
    "publisher": "source",
    "site": "source",
    "來源": "source",
    "来源": "source",
    "網站來源": "source",
    "网站来源": "source",
    "出處": "source",
    "出处": "source",
    "媒體": "source",
    "媒体": "source",
    "title": "title",
    "標題": "title",
    "标题": "title",
    "題目": "title",
    "题目": "title",
    "keywords": "keywords",
    "tags": "keywords",
    "關鍵字": "keywords",
    "关键字": "keywords",
    "關鍵詞": "keywords",
    "关键词": "keywords",
    "lang": "lang",
    "language": "lang",
    # The labelled header of the national law databases (法規名稱：… 修正日期：20250905).
    "法規名稱": "title",
    "法规名称": "title",
    "法律名稱": "title",
    "法律名称": "title",
    "公布日期": "date",
    "公發布日": "date",
    "公发布日": "date",
    "promulgationdate": "date",
    "promulgateddate": "date",
    "amendeddate": "amended",
    "amendmentdate": "amended",
    "公佈日期": "date",
    "發布日期(民國)": "date",
    "修正日期": "amended",
    "修訂日期": "amended",
    "修订日期": "amended",
    "最新修正日期": "amended",
    # Labelled lines of the same headers that are header, not text, and set no field.
    "法規類別": "header_only",
    "法规类别": "header_only",
    "法規體系": "header_only",
    "生效狀態": "header_only",
    "生效状态": "header_only",
    "時效性": "header_only",
    "时效性": "header_only",
    "效力位階": "header_only",
    "效力位阶": "header_only",
    "效力級別": "header_only",
    "效力级别": "header_only",
    "制定機關": "header_only",
    "制定机关": "header_only",
    "公布機關": "header_only",
    "发布机关": "header_only",
    "發文字號": "header_only",
    "发文字号": "header_only",
    "施行日期": "header_only",
    "生效日期": "header_only",
    "廢止日期": "header_only",
    "废止日期": "header_only",
    "category": "header_only",  # the English translations' header: Category: Ministry of …
}
# Only the first lines of a text can be its header, and only its last its footer.
HEADER_LINES = 200
FOOTER_CHARS = 4000

_KEY_VALUE = re.compile(r"^\s*(?P<key>[^:：\n]{1,40}?)\s*[:：]\s*(?P<value>.*?)\s*$")
_DATE_PREFIX = re.compile(r"^\s*(?:date|日期)\s+(?P<value>\d{4}-\d{1,2}-\d{1,2})\s*", re.I)
# A title line: a Markdown heading, and the rule under a front matter or a heading.
# HTML comments and tags, which a Markdown file from a web archive or a law database carries.
_HTML = re.compile(r"<!--.{0,1000}?-->|</?[A-Za-z][^<>]*>")  # bounded: see segment._MARKUP
_MD_HEADING = re.compile(r"^\s*#\s+(?P<title>.+?)\s*#*\s*$")
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")


@dataclass
class Header:
    title: str | None = None
    date: str | None = None
    amended: str | None = None  # a law's last amendment: its text's date
    lang: str | None = None
    source: str | None = None
    authors: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    title_span: tuple[int, int] | None = None


def parse_header(text: str) -> Header:
    """Metadata from the document's own header, in any of the common styles.

    YAML front matter (`---` ... `---`) wins; then leading `key: value` lines (Markdown bold
    or not, keys in Chinese or English, `作者/Author(s)` style pairs, the labelled lines of the
    national law databases), a leading `date YYYY-MM-DD`, a `# Title` or a bare first line
    that reads like a title. Footers fill in the publisher (版權所有 / all rights reserved)
    and bylines (由 X、Y 綜合報導) the authors.
    """
    header = Header()

    def header_date(value: str) -> str | None:
        # Headers follow the document's own convention, which only a numeric date (06/09/2025)
        # needs: the whole text is read for it only then.
        return parse_date(value, document_month_first(text) if NUMERIC.search(value) else True)

    lines = _lines_with_offsets(text, HEADER_LINES)
    index = _front_matter(text, lines, header)
    numeric_dates: list[str] = []
    while index < len(lines):
        start, line = lines[index]
        plain = line.replace("**", "").replace("__", "").strip()
        end = start + len(line)
        if not plain or _RULE.match(line) or not re.search(r"\w", _HTML.sub("", plain)):
            index += 1  # a blank line, a rule, or markup alone (`<!-- INFO END -->`): no title
            continue
        if m := _DATE_PREFIX.match(line):
            header.date = header.date or header_date(m["value"])
            header.spans.append((start, start + m.end()))
            if m.end() < len(line.rstrip()):
                break  # the rest of the line is content
            index += 1
            continue
        if header.title is None and (m := _MD_HEADING.match(line)):
            header.title = m["title"].strip()
            header.title_span = (start + m.start("title"), start + m.end("title"))
            header.spans.append((start, end))
            index += 1
            continue
        kv = _KEY_VALUE.match(plain)
        field_name = _header_field(kv["key"]) if kv else None
        if kv and field_name:
            _set_field(header, field_name, kv["value"], numeric_dates)
            if field_name == "title" and kv["value"] and (at := line.rfind(kv["value"])) >= 0:
                header.title_span = (start + at, start + at + len(kv["value"]))
            header.spans.append((start, end))
            index += 1
            continue
        if header.title is None and not header.spans and _looks_like_title(plain):
            header.title = plain
            header.title_span = (start + len(line) - len(line.lstrip()), start + len(line.rstrip()))
            header.spans.append((start, end))
            index += 1
            continue
        break
    if numeric_dates and header.date is None:
        header.date = header_date(numeric_dates[0])
    header.date = header.amended or header.date
    _footer_metadata(text, header)
    return header


def _lines_with_offsets(text: str, limit: int) -> list[tuple[int, str]]:
    """The first `limit` lines with their offsets (a header is never further down)."""
    result, offset = [], 0
    for line in text.split("\n", limit)[:limit]:
        result.append((offset, line))
        offset += len(line) + 1
    return result


def _front_matter(text: str, lines: list[tuple[int, str]], header: Header) -> int:
    """Read `---` YAML front matter with a YAML parser (escapes, quoting, multi-line values);
    return the line after it. A header YAML cannot read is left as text."""
    import yaml

    if not lines or lines[0][1].strip() != "---":
        return 0
    for stop in range(1, len(lines)):
        if lines[stop][1].strip() in ("---", "..."):
            break
    else:
        return 0
    start, end = lines[1][0], lines[stop][0]
    try:
        data = yaml.safe_load(text[start:end])
    except yaml.YAMLError:
        return 0
    if not isinstance(data, dict):
        return 0
    for key, value in data.items():
        name = _header_field(str(key))
        if name is None or value is None:
            continue
        if name == "authors" and isinstance(value, list):
            header.authors.extend(_split_names(", ".join(str(v) for v in value if v)))
        elif isinstance(value, (date, datetime)):
            _set_field(header, name, value.isoformat()[:10], [])
        elif isinstance(value, bool) and (span := _value_span(text, lines[1:stop], name)):
            _set_field(header, name, text[span[0] : span[1]], [])  # `title: No`, as written
        elif not isinstance(value, (dict, list)):
            _set_field(header, name, str(value), [], quoted=False)
    if header.title:
        header.title_span = _value_span(text, lines[1:stop], "title")
    header.spans.append((lines[0][0], lines[stop][0] + len(lines[stop][1])))
    return stop + 1


def _value_span(text: str, lines: list[tuple[int, str]], field_name: str) -> tuple[int, int] | None:
    """Where a front-matter field's value is written (its line, after the key and quotes)."""
    for start, line in lines:
        kv = re.match(r"^\s*([^:#]+?)\s*:\s*(['\"]?)(.*?)\2\s*$", line)
        if kv and kv[3] and _header_field(kv[1]) == field_name:
            return start + kv.start(3), start + kv.end(3)
    return None


def _header_field(key: str) -> str | None:
    folded = unicodedata.normalize("NFKC", key).lower().replace(" ", "")
    for part in [folded, *folded.split("/")]:
        if part in HEADER_KEYS:
            return HEADER_KEYS[part]
    return None


def _unquote(value: str) -> str:
    return value.strip().strip("'\"").strip()


def _set_field(
    header: Header, name: str, raw: str, numeric_dates: list[str], quoted: bool = True
) -> None:
    value = _unquote(raw) if quoted else raw.strip()
    if not value:
        return
    compact = r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    if name in ("date", "amended") and re.fullmatch(compact, value):
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"  # 20250905, as the law databases write
    if name == "amended":
        header.amended = parse_date(value) or header.amended
    elif name == "date":
        # A header's date may be a bare year (`date: 2025`), which text elsewhere may not.
        parsed = value if re.fullmatch(r"(?:19|20)\d\d", value) else parse_date(value)
        if parsed and re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}", value):
            numeric_dates.append(value)  # decided after the whole header is read
        elif parsed:
            header.date = parsed
    elif name == "authors":
        if value.startswith("[") and value.endswith("]"):
            value = value[1:-1]
        header.authors.extend(_split_names(value))
    elif name == "title":
        header.title = value
    elif name == "source":
        header.source = value
    elif name == "lang" and value in ("zh-Hant", "zh-Hans", "en", "mixed"):
        header.lang = value


def _split_names(value: str) -> list[str]:
    # A name's parenthesised role dropped; a list split at commas, 、, and, 和.
    parts = re.split(r"\s*(?:[、,，;；&]|\band\b|\s和\s)\s*", value)
    names = [_unquote(re.sub(r"\s*[(（][^()（）]*[)）]\s*", " ", part)) for part in parts]
    return [name for name in names if name]


def _looks_like_title(line: str) -> bool:
    """A short first line without sentence punctuation inside or at its end, and no table's
    row (`| Item | 2026 |`: the heading of the table that opens a file labels its figures)."""
    # A line that ends as a sentence does (or holds a Chinese full stop) is no title.
    return (
        2 <= len(line) <= 120
        and not re.search(r"[。！？!?]\s*$|[。！？]|\.\s*$", line)
        and not is_table_row(line)
    )


# Footers and bylines that name the publisher or the authors when the header does not.
_COPYRIGHT = re.compile(
    r"^\s*(?:©|\(c\)|copyright)?\s*(?:\d{4}\s*)?(?P<owner>[^©\d\n]{2,40}?)\s*"
    r"(?:版權所有|版权所有|all rights reserved)",
    re.I,
)
_BYLINE = re.compile(r"(?:【|\[|^)\s*由(?P<names>[^】\]\n]{2,40}?)(?:綜合|综合)?(?:報導|报道)")


def _footer_metadata(text: str, header: Header) -> None:
    if header.source is None:
        for line in text[-FOOTER_CHARS:].splitlines()[::-1][:15]:
            if m := _COPYRIGHT.search(line.strip()):
                header.source = m["owner"].strip(" ,，")
                break
    if not header.authors and (m := _BYLINE.search(text)):
        header.authors = _split_names(m["names"])
