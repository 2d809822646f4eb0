"""Read seed files: find them, decode them, and take each document's metadata from its header."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from reindustry_kb.errors import SourceError
from reindustry_kb.models import Document, Skipped
from reindustry_kb.text.dates import NUMERIC, document_month_first, parse_date
from reindustry_kb.text.normalize import is_han

if TYPE_CHECKING:
    from reindustry_kb.ingest.extract import Extracted

TEXT_SUFFIXES = (".txt", ".md")
SUFFIXES = (*TEXT_SUFFIXES, ".pdf", ".html", ".htm", ".docx")
# Editor backups, lock and temporary files: skipped without a word of complaint.
_BACKUP = re.compile(r"(~$|^~\$|^\.?#|\.(bak|swp|swo|tmp|orig|part|crdownload)$)", re.I)
# Legacy encodings tried when UTF-8 fails; the most plausible decoding wins (see _hanzi_score).
LEGACY_ENCODINGS = ("cp950", "big5hkscs", "gb18030")


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


# --- decoding -----------------------------------------------------------------------------


def decode_bytes(data: bytes, name: str) -> str:
    """Decode UTF-8 (BOM or not), UTF-16, Big5/CP950 or GB18030, or raise a SourceError.

    Hand-written rather than charset-normalizer: policy text here is one of these five, and
    telling Big5 from GB18030 is a question of which decoding reads as common Han characters
    of its script (`_hanzi_score`), which a general detector answers less reliably on short
    files; a wrong guess would silently index mojibake."""
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise SourceError(f"{name} is empty; add text to it or remove it from the seeds folder")
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _strict(data, encoding, name)
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise SourceError(f"{name} looks binary (NUL bytes); only text files can be indexed")
        return _strict(data, utf16, name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    decoded = []
    for encoding in LEGACY_ENCODINGS:
        try:
            decoded.append(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    best = max(decoded, key=_hanzi_score, default=None)
    if best is None or _hanzi_score(best) < 0.5 or _control_ratio(best) > 0.01:
        raise SourceError(
            f"{name} is not valid UTF-8, UTF-16, Big5 or GB18030 text; re-save it as UTF-8"
        )
    return best


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{name} has bytes that are not valid {encoding}; re-save it as UTF-8"
        ) from exc


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text of mostly ASCII/CJK has NULs in one byte lane only."""
    even = data[0::2].count(0)
    odd = data[1::2].count(0)
    half = len(data) / 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


@cache
def _common_hanzi() -> frozenset[str]:
    text = resources.files("reindustry_kb").joinpath("data/common_hanzi.txt").read_text("utf-8")
    return frozenset(text.strip())


def _hanzi_score(text: str) -> float:
    """Share of Han characters that are common ones: high for the right legacy decoding."""
    han = [char for char in text if is_han(char)]
    if not han:
        return 1.0 if text.isascii() else 0.0
    common = _common_hanzi()
    return sum(char in common for char in han) / len(han)


def _control_ratio(text: str) -> float:
    controls = sum(unicodedata.category(c) == "Cc" and c not in "\r\n\t\f" for c in text)
    return controls / max(len(text), 1)


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
_MD_HEADING = re.compile(r"^\s*#\s+(?P<title>.+?)\s*#*\s*$")
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_PAREN = re.compile(r"\s*[(（][^()（）]*[)）]\s*")
_NAME_SPLIT = re.compile(r"\s*(?:[、,，;；&]|\band\b|\s和\s)\s*")
_SENTENCE_END = re.compile(r"[。！？!?]\s*$|[。！？]|\.\s*$")
_COMPACT_DATE = re.compile(r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")
# Footers and bylines that name the publisher or the authors when the header does not.
_COPYRIGHT = re.compile(
    r"^\s*(?:©|\(c\)|copyright)?\s*(?:\d{4}\s*)?(?P<owner>[^©\d\n]{2,40}?)\s*"
    r"(?:版權所有|版权所有|all rights reserved)",
    re.I,
)
_BYLINE = re.compile(r"(?:【|\[|^)\s*由(?P<names>[^】\]\n]{2,40}?)(?:綜合|综合)?(?:報導|报道)")


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
        if not plain or _RULE.match(line):
            index += 1
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
    if name in ("date", "amended") and _COMPACT_DATE.fullmatch(value):
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"  # 20250905, as the law databases write
    if name == "amended":
        header.amended = parse_date(value) or header.amended
    elif name == "date":
        parsed = parse_date(value)
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
    names = [_unquote(_PAREN.sub(" ", part)) for part in _NAME_SPLIT.split(value)]
    return [name for name in names if name]


def _looks_like_title(line: str) -> bool:
    """A short first line without sentence punctuation inside or at its end."""
    return 2 <= len(line) <= 120 and not _SENTENCE_END.search(line)


def _footer_metadata(text: str, header: Header) -> None:
    if header.source is None:
        for line in text[-FOOTER_CHARS:].splitlines()[::-1][:15]:
            if m := _COPYRIGHT.search(line.strip()):
                header.source = m["owner"].strip(" ,，")
                break
    if not header.authors and (m := _BYLINE.search(text)):
        header.authors = _split_names(m["names"])


# --- language -----------------------------------------------------------------------------


def detect_lang(text: str) -> str:
    """zh-Hant, zh-Hans, en, or mixed (both scripts carry at least a quarter of the text)."""
    language = detect_language(text)
    return chinese_script(text) if language == "zh" else language


def detect_language(text: str) -> str:
    """en, zh or mixed, as detect_lang says but without telling the Chinese scripts apart
    (which loads an OpenCC table: a question's language needs none)."""
    han = sum(is_han(char) for char in text)
    latin = len(re.findall(r"[A-Za-z]", text))
    # A Han character carries about as much as 2.5 Latin letters.
    han_weight, latin_weight = han * 2.5, latin
    total = han_weight + latin_weight
    if total == 0:
        return "en"
    if han_weight / total < 0.15:
        return "en"
    if latin_weight / total >= 0.25 and _english_lines_share(text) >= 0.25:
        return "mixed"
    return "zh"


def _english_lines_share(text: str) -> float:
    """Share of letters that stand in lines written (almost) wholly in English."""
    english = total = 0.0
    for line in text.splitlines():
        han = sum(is_han(char) for char in line)
        latin = len(re.findall(r"[A-Za-z]", line))
        total += han * 2.5 + latin
        if latin and han * 2.5 < 0.1 * latin:
            english += latin
    return english / total if total else 0.0


def chinese_script(text: str) -> str:
    """zh-Hans when Simplified-only characters outnumber Traditional-only ones."""
    from reindustry_kb.text.normalize import script_counts

    traditional, simplified = script_counts(text)
    return "zh-Hans" if simplified > traditional else "zh-Hant"
