"""Cut a document into passages that follow its paragraphs and sentences.

A passage is always a slice of the original text (`text == original[char_start:char_end]`);
what gets embedded is a cleaned copy (`embedding_text`), never what gets quoted.
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass, replace

from reindustry_kb.ingest.sources import Source
from reindustry_kb.models import Document, Passage, passage_key
from reindustry_kb.text.language import detect_lang
from reindustry_kb.text.normalize import HAN, Folded
from reindustry_kb.text.tables import is_table_row

# Web boilerplate that is never indexed: one regex per kind of line (matched on the stripped line).
BOILERPLATE = [
    # back / previous / next links: a whole-line Markdown link with such a label, or the bare words
    re.compile(
        r"^\[[*_\s]*(?:&laquo;|&raquo;|«|»|‹|›|上一篇|下一篇|上一頁|下一頁|回上頁|回首頁|previous"
        r"|next|back)[^\]]*\]\([^)]*\)$",
        re.I,
    ),
    re.compile(
        r"^(?:回上頁|回上页|回首頁|回首页|回到頂端|回頂端|返回列表|back to top|(?:上一篇|下一篇)"
        r"\s*[:：].{0,60})$",
        re.I,
    ),
    # comment and contact forms: 留言板, 標題*, 內文*, Leave a reply
    re.compile(
        r"^(?:留言板|留言|發表留言|我要留言|leave a (?:comment|reply)|comments?)\s*[:：]?$", re.I
    ),
    re.compile(
        r"^(?:標題|标题|內文|内文|姓名|暱稱|電子郵件|email|e-mail|驗證碼|验证码)\s*[*＊]\s*[:：]?$",
        re.I,
    ),
    # page counters
    re.compile(r"^(?:瀏覽人次|浏览人次|點閱數?|点阅数?|人氣|人气|views?)\s*[:：]?\s*[\d,]*$", re.I),
    # copyright footers
    re.compile(r"版權所有|版权所有|all rights reserved|^(?:copyright|©)", re.I),
    # postal address and telephone lines of a site footer
    re.compile(r"^\S{0,6}(?:地址|電話|电话|傳真|传真|tel|fax)\s*[:：].{0,80}$", re.I),
]
# An HTML comment of several whole lines (`<!--` ... `-->`), at most COMMENT_LINES_CHARS long:
# its lines are no text, and no passage spans it (a passage quotes its source whole, so one
# spanning it would show the comment). An opener reads on to the next opener at most, so lines
# of unclosed openers cost time linear in their length.
COMMENT_LINES_CHARS = 5000
_COMMENT_LINES = re.compile(
    rf"^[ \t]*<!--(?:(?!-->)[^\n])*\n(?:(?!-->|<!--).){{0,{COMMENT_LINES_CHARS}}}-->[ \t]*$",
    re.M | re.S,
)
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
# Markdown headings, and short label lines such as 摘要: / Summary: that open a section.
_HEADING = re.compile(
    r"^\s*#{1,6}\s+(?P<title>.+?)\s*#*\s*$|^\s*(?P<label>[^\s:：]{1,20})\s*[:：]\s*$"
)
_SPEAKER = re.compile(
    r"^\*\*(?P<name>[^*\n:：]{1,40}?)\s*[:：]\s*\*\*|^\*\*(?P<name2>[^*\n:：]{1,40}?)\*\*\s*[:：]"
)
# The start of a numbered provision in laws and orders: 第 12 條 / 第十二条 / 第 3-1 條 /
# 第十条之一, Article 12, Sec. 3. / Section 3 / § 3. An article is the unit a law is cited by and
# asked about, so passages are packed from whole articles where they fit. Its number and
# sub-number are the groups `number` and `sub` (第 3-1 條, 第十条之一) or `en` and `en_sub`.
ARTICLE = re.compile(
    r"^\s*(?:第\s*(?P<number>[0-9〇零一二三四五六七八九十百千]+)\s*(?:-\s*(?P<dash>\d+)\s*)?[條条]"
    r"(?:\s*之\s*(?P<of>[0-9一二三四五六七八九十]+))?"
    r"(?=\s|$)|(?:Article|Sec(?:tion)?\.?|§)\s*(?P<en>\d+)(?:-(?P<en_sub>\d+))?[A-Za-z]?\b)",
)
_SENTENCE = re.compile(r".+?(?:[。！？；!?;]+[」』”’\"')）]*|\.(?=\s)|$)\s*", re.S)
_HAN = re.compile(rf"[{HAN}]")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")
# Markup, one pattern a kind. Each reaches at most a bounded way along its line for its
# closing half: a long line of openers without closers ([[[, <!--, *a *a) costs time linear in
# its length, not quadratic (a 48 KB line of `*a ` took 4 s before the bound).
_COMMENT = r"<!--.{0,1000}?-->"
_TAG = r"</?[A-Za-z][^<>\n]*>"
_IMAGE = r"!\[[^\]\n]{0,1000}\]\([^)\n]{0,1000}\)"  # with its URL
_LINK = r"\]\([^)\n]{0,1000}\)|\[(?=[^\]\n]{0,1000}\]\()"  # a link's target; its brackets
# Emphasis by one to three marks at a word's edges (*a*, _a_, ***a***; an opening one only with
# its closing one on the line: `2 * 3`, `*Note` and snake_case stay), then bold marks anywhere.
# Strikethrough (~~a~~) stays: it marks deleted wording, which read without its marks would say
# the opposite.
_EMPHASIS = (
    r"(?<![\w*\\])\*{1,3}(?=[^\s*][^\n]{0,300}?[^\s*\\]\*{1,3}(?![\w*]))"
    r"|(?<=[^\s*\\])\*{1,3}(?![\w*])"
    r"|(?<![\w\\])_{1,3}(?=[^\s_][^\n]{0,300}?[^\s_\\]_{1,3}(?!\w))|(?<=[^\s_\\])_{1,3}(?!\w)"
    r"|\*\*|__"
)
_ESCAPE = r"\\(?=[!-/:-@\[-`{-~])"  # a Markdown escape's backslash: Sec\. 2, 1\.
_ENTITY = r"&(?:[A-Za-z]+|#\d+|#[xX][0-9A-Fa-f]+);"
_REFERENCE = r"^[ \t]*\[[^\]\n]+\]:[ \t]*\S+.*$"  # a link's reference: [1]: https://... "Title"
# Markup within the prose: tags, comments, URLs, escapes and entities. Not emphasis, whose
# marks bound a name (`*The New York Times* Editorial Board`, `Staff **SUBJECT:**`), nor a
# line's structure (bullets, headings, a table's pipes).
_PROSE_MARKUP = "|".join((_COMMENT, _TAG, _IMAGE, _LINK, _ESCAPE, _ENTITY, _REFERENCE))
# All markup, which is noise to the embedder and to BM25 (never to a citation, which quotes
# the source): the prose's, and a line's structure.
_MARKUP = re.compile(
    "|".join(
        (
            _PROSE_MARKUP,
            _EMPHASIS,
            r"^\s*(?:[*•●▪◆■○-]|\d+[.)、])\s+",  # list bullets
            r"^\s*#+\s*",  # heading marks
            r"^[ \t]*\|(?:[ \t]*:?-+:?[ \t]*\|)+[ \t]*$",  # a table's rule: | --- | :-: |
            r"\|",  # table pipes
            r"^[ \t]*=+[ \t]*$",  # a heading's underline: ====
        )
    ),
    re.M,
)
_PROSE = re.compile(_PROSE_MARKUP, re.M)
# Tags that end a table's cell, and a line (a row, a paragraph, a line break), in claims' view.
_CELL = re.compile(r"</?(?:td|th)\b[^<>\n]*>", re.I)
_ROW_END = re.compile(r"</tr\s*>", re.I)
_ROW_START = re.compile(r"<tr\b[^<>\n]*>", re.I)
_LINE = re.compile(
    r"</?(?:tr|br|p|div|li|ul|ol|table|thead|tbody|h[1-6]|hr|blockquote|section)\b[^<>\n]*>", re.I
)
# Markup inside a run of words (inline tags, emphasis marks, a link's brackets and target):
# shown as nothing, so that `<u>Sec</u>. 2` reads "Sec. 2" (indexed as a space, which keeps
# the words apart for the tokenizer).
_INLINE = re.compile(
    r"\*{1,3}|_{1,3}|\\|\[|\]\(.*\)"
    r"|</?(?:a|abbr|b|cite|code|em|font|i|mark|q|s|small|span|strong|sub|sup|u)(?:\s[^<>]*)?>",
    re.I,
)
_SPACES = re.compile(r"\s+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# A passage holds at most this many characters per token of its size limit: a line of
# 5 MB without sentence ends or spaces is cut, not made one passage.
CHARS_PER_TOKEN = 8
# A run of letters, digits and base64's + / = longer than this (a base64 blob, a hex dump, a
# line of one character) counts a token per 4 characters, as the model reads it, and is
# embedded as its first LONG_RUN characters: it means nothing to the embedder, and a 300 KB
# run, counted as one word, made one passage that cost as much as a hundred pages of prose.
# Longer than a URL's path (x.com/Name/status/2029293718696493495 is a run of 42; at 40 such
# paths moved the passages of web pages, at 60 only pages with data-URI images move).
LONG_RUN = 60
_LONG_RUN = re.compile(rf"[A-Za-z0-9+/=]{{{LONG_RUN + 1},}}")


def size_of(text: str) -> float:
    """Estimated model tokens: a Han character ~ 1, an English word ~ 1.3, a long run
    (LONG_RUN) a token per 4 characters."""
    runs = sum(map(len, _LONG_RUN.findall(text)))
    return len(_HAN.findall(text)) + 1.3 * len(_WORD.findall(text)) + runs / 4


def is_boilerplate(line: str) -> bool:
    """True for web boilerplate lines that are never indexed."""
    stripped = line.strip()
    return any(pattern.search(stripped) for pattern in BOILERPLATE)


@dataclass
class _Unit:
    start: int
    end: int
    speaker: str | None
    section: str | None
    heading: bool = False
    turn_start: bool = False
    size: float = 0.0
    english: bool = False
    break_before: bool = False  # boilerplate, a rule or a new PDF page: no passage spans it
    article: bool = False  # begins a numbered provision (第 N 條, Article N, Sec. N)
    bare_label: bool = False  # that provision's number alone on its line: its text follows
    table_row: bool = False  # a row of a table (| a | b |): a table is not cut by language


def segment(source: Source, target: int = 180, max_size: int = 300) -> list[Passage]:
    """Cut a document into passages along paragraphs and sentences. A document of nothing
    but its title (one short line, or front matter alone) is one passage: its title."""
    units = _units(source) or _title_unit(source)
    units = _split_long(units, source.text, target, max_size)
    passages: list[Passage] = []
    line_start, counted_to = 1, 0  # lines counted on from the last passage, not from 0
    for group in _pack(units, target):
        start, end = group[0].start, group[-1].end
        text = source.text[start:end]
        line_start += source.text.count("\n", counted_to, start)
        counted_to = start
        pages = source.page_starts
        passages.append(
            Passage(
                passage_id=passage_key(source.doc.doc_id, len(passages) + 1),
                doc_id=source.doc.doc_id,
                ordinal=len(passages) + 1,
                text=text,
                char_start=start,
                char_end=end,
                line_start=line_start,
                line_end=line_start + text.count("\n"),
                speaker=_main_speaker(group),
                section=group[-1].section,
                lang=detect_lang(text),
                page_start=bisect.bisect_right(pages, start) if pages else None,
                page_end=bisect.bisect_right(pages, max(start, end - 1)) if pages else None,
            )
        )
    return passages


def _units(source: Source) -> list[_Unit]:
    """One unit per content line, with the speaker and section it belongs to."""
    text = source.text
    units: list[_Unit] = []
    speaker: str | None = None
    section: str | None = None
    offset = 0
    pending_break = False
    # In a PDF the first paragraph that begins on a new page begins a new passage, so a
    # passage spans two pages only where a paragraph does.
    page_starts = source.page_starts or [0]
    page = 1
    comments = [m.span() for m in _COMMENT_LINES.finditer(text)]
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        if (line_page := bisect.bisect_right(page_starts, start)) != page:
            page, pending_break = line_page, True
        if (at := bisect.bisect_right(comments, (start, len(text)))) and comments[at - 1][1] >= end:
            pending_break = True  # a line of a comment
            continue
        for span_start, span_end in source.header_spans:
            if span_start <= start < span_end:
                start = min(span_end, end)
        content = text[start:end]
        if (gap := _no_text(content)) is not None:
            speaker = None if gap == "rule" else speaker
            pending_break = pending_break or gap != "blank"
            continue
        start += len(content) - len(content.lstrip())
        end -= len(content) - len(content.rstrip())
        turn_start = False
        if heading := _HEADING.match(content):
            section, speaker = heading["title"] or heading["label"], None
        elif turn := _SPEAKER.match(text[start:end]):
            speaker = (turn["name"] or turn["name2"]).strip()
            turn_start = True
        unit = _Unit(start, end, speaker, section, bool(heading), turn_start)
        units.append(_measured(unit, text[start:end], pending_break))
        pending_break = False
    return units


def _no_text(line: str) -> str | None:
    """Why a line is no text: `blank` (or markup alone), `rule` (a horizontal rule: it ends a
    speaker's turn and the passage), `break` (a long run alone, such as a base64 blob's line,
    markup's debris or boilerplate: no passage spans it); None for a line of text."""
    prose = _MARKUP.sub(" ", line)
    if not re.search(r"\w", prose):
        return "blank"
    if not re.search(r"\w", _LONG_RUN.sub(" ", prose)) or _debris(prose):
        return "break"
    if _RULE.match(line):
        return "rule"
    return "break" if is_boilerplate(line) else None


# What makes a line text: a Han character, a digit, or a word of two letters or more; or, short
# as a list's label is (`(c)`, `(vii)`), any letter. A longer line of single letters among
# markup is debris (`*a [b <!--c ](d` repeated), not prose.
_TEXT = re.compile(rf"[^\W\d_]{{2}}|\d|[{HAN}]")
LABEL_CHARS = 10


def _debris(prose: str) -> bool:
    """Whether a line longer than a list's label holds no word, digit or Han character."""
    return len(prose.strip()) > LABEL_CHARS and not _TEXT.search(prose)


def _measured(unit: _Unit, body: str, break_before: bool) -> _Unit:
    """A unit with what its text says of it: its size, language, article number, table row."""
    article = ARTICLE.match(body)
    return replace(
        unit,
        size=size_of(body),
        english=not _HAN.search(body),
        break_before=break_before,
        article=bool(article),
        bare_label=bool(article and not body[article.end() :].strip()),
        table_row=is_table_row(body),
    )


def _title_unit(source: Source) -> list[_Unit]:
    if source.title_span is None:
        return []
    start, end = source.title_span
    body = source.text[start:end]
    if not re.search(r"\w", body):
        return []
    return [_Unit(start, end, None, None, size=size_of(body), english=not _HAN.search(body))]


def _split_long(units: list[_Unit], text: str, target: int, max_size: int) -> list[_Unit]:
    """Cut units over max_size at sentence ends into near-equal pieces (and a sentence longer
    than a passage may be, such as a file that is one long line, at spaces or anywhere)."""
    result: list[_Unit] = []
    max_chars = max_size * CHARS_PER_TOKEN
    for unit in units:
        if unit.size <= max_size and unit.end - unit.start <= max_chars:
            result.append(unit)
            continue
        sentences = [
            piece
            for m in _SENTENCE.finditer(text, unit.start, unit.end)
            if m.group().strip()
            for piece in _cut(text, m.start(), m.end(), max_size, max_chars)
        ]
        pieces = max(1, round(unit.size / target))
        budget = unit.size / pieces
        current: list[tuple[int, int]] = []
        for sentence in sentences:
            current.append(sentence)
            if size_of(text[current[0][0] : current[-1][1]]) >= budget:
                result.append(_piece(unit, current, text))
                current = []
        if current:
            result.append(_piece(unit, current, text))
    return result


def _cut(text: str, start: int, end: int, max_size: int, max_chars: int) -> list[tuple[int, int]]:
    """A sentence as it is, or cut into pieces of at most max_size tokens and max_chars
    characters, at a space where one is near the cut."""
    pieces: list[tuple[int, int]] = []
    while True:
        span = min(end - start, max_chars)
        size = size_of(text[start : start + span])
        if span == end - start and size <= max_size:
            break
        if size > max_size:  # where about max_size tokens end
            span = max(1, int(span * max_size / size))
        cut = start + span
        space = text.rfind(" ", start + span // 2, cut)
        cut = space + 1 if space > start else cut
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def _piece(unit: _Unit, sentences: list[tuple[int, int]], text: str) -> _Unit:
    start = sentences[0][0]
    end = sentences[-1][1]
    end -= len(text[start:end]) - len(text[start:end].rstrip())
    return _Unit(
        start,
        end,
        unit.speaker,
        unit.section,
        False,
        unit.turn_start and start == unit.start,
        size_of(text[start:end]),
        unit.english,
        unit.break_before and start == unit.start,
        unit.article and start == unit.start,
    )


def _pack(units: list[_Unit], target: int) -> list[list[_Unit]]:
    """Greedily join neighbouring units up to the target size.

    Boilerplate and rules always end a passage (a passage is one span of the file and must not
    contain them); headings, section and language changes start one (but inside a table: an
    English heading row labels Chinese rows); so does a new speaker
    turn unless the passage so far is tiny (greetings, one-line questions): it joins the answer.
    An article (第 N 條, Article N) that would not fit whole starts a passage, so an article
    within the target size is never cut in two.
    """
    article_sizes = _article_sizes(units)
    groups: list[list[_Unit]] = []
    current: list[_Unit] = []
    size = 0.0
    for number, unit in enumerate(units):
        if current and (unit.break_before or not all(u.heading for u in current)):
            tiny = size < target / 4
            flush = (
                unit.break_before
                or unit.heading
                or unit.section != current[-1].section
                or (
                    unit.english != current[-1].english
                    and not (unit.table_row and current[-1].table_row)
                )
                or (not tiny and (unit.turn_start or unit.speaker != current[-1].speaker))
                or (not tiny and size + max(unit.size, article_sizes[number]) > target)
            )
            if flush and current[-1].bare_label and not unit.break_before:
                # A number alone on its line opens the passage of the text it numbers; it is
                # never the last line of the one before (a lead-in line such as `分掌事務：`
                # reads as a section label, and its list would otherwise keep the next label).
                label = current.pop()
                if current:
                    groups.append(current)
                current, size = [label], label.size
            elif flush:
                groups.append(current)
                current, size = [], 0.0
        current.append(unit)
        size += unit.size
    if current:
        groups.append(current)
    # A trailing group of headings alone says nothing: fold it into the previous group,
    # unless boilerplate stands between them.
    if len(groups) > 1 and all(u.heading for u in groups[-1]) and not groups[-1][0].break_before:
        groups[-2].extend(groups.pop())
    return groups


def _article_sizes(units: list[_Unit]) -> list[float]:
    """Per unit, the size of the article it begins (up to the next article, heading or
    break), or 0 when it begins none."""
    sizes = [0.0] * len(units)
    start: int | None = None
    for number, unit in enumerate([*units, None]):
        ends = unit is None or unit.article or unit.heading or unit.break_before
        if ends and start is not None:
            sizes[start] = sum(u.size for u in units[start:number])
            start = None
        if unit is not None and unit.article:
            start = number
    return sizes


def _main_speaker(group: list[_Unit]) -> str | None:
    weights: dict[str | None, float] = {}
    for unit in group:
        weights[unit.speaker] = weights.get(unit.speaker, 0.0) + unit.size
    return max(weights, key=lambda speaker: weights[speaker])


def windows(passage: Passage, size: int = 70) -> list[str]:
    """Runs of whole sentences of about `size` tokens: the passage's fine-grained views.

    A small embedder dilutes one fact in a long passage; scoring a passage by its best window
    as well as by its whole text finds the fact without losing the context.
    """
    return [text for text, _, _ in _window_runs(clean_text(passage), size)]


def window_spans(passage: Passage, size: int = 70) -> list[tuple[int, int]]:
    """Where each of the passage's windows stands in the source: (char_start, char_end).
    (The query side's twin of `windows`, which builds call without the offset map.)"""
    body, where = _cleaned(passage.text)
    if not body:
        return [(passage.char_start, passage.char_start)]
    offset = passage.char_start
    return [(offset + where[a], offset + where[b - 1] + 1) for _, a, b in _window_runs(body, size)]


def _window_runs(body: str, size: int) -> list[tuple[str, int, int]]:
    """The windows of a cleaned passage body, each with its start and end in the body."""
    runs: list[tuple[str, int, int]] = []
    current, first, last = "", 0, 0
    for m in _SENTENCE.finditer(body):
        sentence = m.group().strip()
        if not sentence:
            continue
        begin = m.start() + len(m.group()) - len(m.group().lstrip())
        if current and size_of(current + sentence) > size:
            runs.append((current, first, last))
            current = ""
        if not current:
            first = begin
        current += sentence if not current or not sentence.isascii() else " " + sentence
        last = begin + len(sentence)
    if current:
        runs.append((current, first, last))
    return runs or [(body, 0, len(body))]


def _cleaned(text: str, shown: bool = False) -> tuple[str, list[int]]:
    """`_SPACES.sub(" ", _MARKUP.sub(" ", text)).strip()`, with each character's offset in
    `text`, so a window found in the cleaned text can be cited in the original. `shown`: what
    a reader is shown, not what is indexed: an HTML entity decoded (each of its characters at
    the entity's offset), inline markup (_INLINE) removed without a space."""
    chars: list[str] = []
    where: list[int] = []

    def put(char: str, at: int) -> None:
        if char == " " and (not chars or chars[-1] == " "):
            return
        chars.append(char)
        where.append(at)

    position = 0
    for m in [*_MARKUP.finditer(text), None]:
        stop = m.start() if m else len(text)
        for at in range(position, stop):
            put(" " if text[at].isspace() else text[at], at)
        if m:
            markup = m.group()
            if shown and markup[0] == "&":
                markup = html.unescape(markup)
            else:
                markup = "" if shown and _INLINE.fullmatch(markup) else " "
            for char in markup:
                put(" " if char.isspace() else char, m.start())
            position = m.end()
    if chars and chars[-1] == " ":
        chars.pop()
        where.pop()
    return "".join(chars), where


def shown_text(text: str) -> tuple[str, list[int]]:
    """What a reader is shown of a source slice: its clean text (markup removed, entities
    decoded, spaces folded; a line break kept as one, a blank line as one), with each
    character's offset in `text`, so that what is shown maps back to the exact source span."""
    body, where = _cleaned(text, shown=True)
    chars: list[str] = []
    offsets: list[int] = []
    for at, char in enumerate(body):
        if char == " " and 0 < at < len(body) - 1:  # a folded space is never first or last
            gap = text[where[at - 1] + 1 : where[at + 1]]  # the spaces and markup it stands for
            char = "\n\n" if _BLANK_LINE.search(gap) else "\n" if "\n" in gap else " "
        chars.append(char)
        offsets.extend([where[at]] * len(char))
    return "".join(chars), offsets


def shown_span(shown: str, where: list[int], start: int, end: int) -> tuple[int, int]:
    """Where the source span [start, end) (offsets in the text `shown_text` read) stands in
    the shown text, without blanks at its ends; (0, 0) when nothing of it is shown."""
    first, last = bisect.bisect_left(where, start), bisect.bisect_left(where, end)
    while first < last and shown[first].isspace():
        first += 1
    while last > first and shown[last - 1].isspace():
        last -= 1
    return (first, last) if first < last else (0, 0)


def prose_text(text: str) -> Folded:
    """`text` as the claim extractors read it: the markup within its prose (_PROSE) removed,
    inline markup as nothing (`$<span>52.7</span> billion` reads "$52.7 billion"), a cell's
    opening tag as a table's pipe and a table's row as one line (so `2026</td><td>新臺幣` is no
    amount), a paragraph's or a line break as a line's end, the rest as a space, entities
    decoded (`20&nbsp;percent`), its lines and spaces as they stand; with each character's
    span in `text`, so a claim found in it quotes the source exactly. A comment's date or a
    URL's digits are no claim of the document's."""
    if not _PROSE.search(text):
        return Folded(text, tuple(range(len(text))), tuple(range(1, len(text) + 1)))
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    at_line_start = True  # nothing but spaces written since the last line's end
    for m in [*_PROSE.finditer(text), None]:
        stop = m.start() if m else len(text)
        parts.append(text[position:stop])
        at_line_start = _wrote_line_end(parts[-1], at_line_start)
        starts.extend(range(position, stop))
        ends.extend(range(position + 1, stop + 1))
        if m:
            markup = m.group()
            if markup[0] == "&":
                markup = html.unescape(markup)
            elif _INLINE.fullmatch(markup):
                markup = ""
            elif _CELL.fullmatch(markup):  # as a Markdown table's: 2026</td><td>新臺幣 500億元
                # A cell opens with a pipe and a row with a line: <tr><td>a</td><td>b</td></tr>
                # reads "|a|b" on one line, its rows on lines of their own, as Markdown writes
                # them (claims/context.py reads a figure's row and column).
                markup = "" if markup[1] == "/" else "|"
            elif _ROW_END.fullmatch(markup) or (_ROW_START.fullmatch(markup) and at_line_start):
                markup = ""  # a row's line is one line, wherever the source breaks it
            else:
                markup = "\n" if _LINE.fullmatch(markup) else " "
            parts.append(markup)
            at_line_start = _wrote_line_end(markup, at_line_start)
            starts.extend([m.start()] * len(markup))
            ends.extend([m.end()] * len(markup))
            position = m.end()
    return Folded("".join(parts), tuple(starts), tuple(ends))


def _wrote_line_end(written: str, before: bool) -> bool:
    """Whether, after `written`, nothing but spaces stands since the last line's end."""
    last = written.rstrip(" \t")
    return before if not last else last[-1] == "\n"


def clean_text(passage: Passage) -> str:
    """A passage's text without markup, its spaces folded: what BM25 and the embedder read."""
    return _SPACES.sub(" ", _MARKUP.sub(" ", passage.text)).strip()


def for_embedder(text: str) -> str:
    """A text to embed, its long runs (LONG_RUN) cut short."""
    return _LONG_RUN.sub(lambda m: m.group()[:LONG_RUN], text)


def embedding_text(passage: Passage, doc: Document) -> str:
    """What the embedder sees: markup stripped, with the title and speaker as context."""
    body = clean_text(passage)
    context = [part for part in (doc.title, passage.section) if part]
    if passage.speaker and not body.startswith(passage.speaker):
        body = f"{passage.speaker}: {body}"
    return " | ".join([*context, body]) if context else body
