import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reindustry_kb.ingest.segment import embedding_text, is_boilerplate, segment, size_of
from reindustry_kb.ingest.sources import Source, discover, read_source
from reindustry_kb.models import Document, Passage
from tests.conftest import DATA, SEEDS


def _check_provenance(source: Source) -> None:
    lines = source.text.split("\n")
    for passage in segment(source):
        assert source.text[passage.char_start : passage.char_end] == passage.text
        assert passage.text == passage.text.strip()
        first = source.text.count("\n", 0, passage.char_start) + 1
        assert (passage.line_start, passage.line_end) == (first, first + passage.text.count("\n"))
        assert passage.text in "\n".join(lines[passage.line_start - 1 : passage.line_end])
        assert not any(is_boilerplate(line) for line in passage.text.split("\n")), passage.text


@pytest.mark.parametrize("path", discover(SEEDS), ids=lambda p: p.name)
def test_every_seed_passage_is_its_original_span(path: Path) -> None:
    _check_provenance(read_source(path, SEEDS))


@pytest.mark.parametrize("path", discover(DATA / "docs"), ids=lambda p: p.name)
def test_every_fixture_passage_is_its_original_span(path: Path) -> None:
    _check_provenance(read_source(path, DATA / "docs"))


LINE = st.sampled_from(
    [
        "",
        "   ",
        "---",
        "## 小節",
        "摘要:",
        "回上頁",
        "留言板",
        "版權所有 2024",
        "**王大明:** 關稅的影響有限。",
        "**Alice:** How big is it?",
        "*   **名詞:** 解釋。",
        "美國今年的關稅收入達到三千億美元，創下歷史新高。",
        "Tariff revenue hit a record. Critics disagree.",
        "長" * 400 + "。" + "句" * 300 + "！",
        "  • 條列項目,沒有句號 ",
        "1. 第一點。",
        "\u00a0",
        "\r",
        "QUJD" * 40,  # a line of a base64 blob: no text
        "Key: " + "x" * 100 + " (base64).",
        "| Item | 2026 |",
        "|---|---|",
        "| 晶片補助 | 新臺幣 410億元 |",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(LINE, min_size=1, max_size=25))
def test_generated_documents_keep_exact_provenance(lines: list[str]) -> None:
    text = "\n".join(lines)
    doc = Document(doc_id="gen", path="gen.txt", sha256="0" * 64)
    _check_provenance(Source(doc=doc, text=text))


def test_boilerplate_and_header_are_not_indexed() -> None:
    source = read_source(SEEDS / "001_dafb8ff7b3d20019.txt", SEEDS)
    joined = "\n".join(p.text for p in segment(source))
    for junk in ("回上頁", "留言板", "標題*", "瀏覽人次", "版權所有", "聯絡電話", "發布日期"):
        assert junk not in joined
    assert "美國再工業化與中國模式的啟示\n" not in joined  # the title is metadata
    interview = read_source(SEEDS / "000_21b4db651bf1e798.txt", SEEDS)
    assert not any("上一篇" in p.text for p in segment(interview))


@pytest.mark.parametrize(
    ("line", "junk"),
    [
        ("回上頁", True),
        ("留言板", True),
        ("內文*", True),
        ("瀏覽人次:", True),
        ("中華民國全國工業總會版權所有 2020©", True),
        ("Copyright 2025 Example. All rights reserved.", True),
        ("[**&laquo; 上一篇：電動車**](./x.md)", True),
        ("本會地址:台北市復興南路一段390號", True),
        ("Next, the Treasury will publish its report.", False),
        ("上一篇論文指出關稅收入增加。", False),
        ("美國的留言板文化", False),
    ],
)
def test_is_boilerplate(line: str, junk: bool) -> None:
    assert is_boilerplate(line) is junk


def test_speaker_turns_and_sections() -> None:
    source = read_source(DATA / "docs" / "interview_hant.md", DATA / "docs")
    passages = segment(source)
    answer = next(p for p in passages if "1,200 億美元" in p.text)
    assert answer.speaker == "王大明"
    assert answer.section == "對談內容"
    # greetings are folded into the question that follows them, never a passage alone
    assert all(size_of(p.text) > 10 for p in passages)
    assert "Alice Chen" in embedding_text(answer, source.doc) or answer.speaker in embedding_text(
        answer, source.doc
    )


def test_language_switch_starts_a_passage() -> None:
    # The seed's Chinese article is followed by its English original: the first English
    # line starts a passage, and no passage holds both.
    source = read_source(SEEDS / "004_a01fbe574e0e12f3.txt", SEEDS)
    langs = [passage.lang for passage in segment(source)]
    switch = langs.index("en")
    assert switch > 0 and langs[:switch] == ["zh-Hant"] * switch
    assert langs[switch:] == ["en"] * (len(langs) - switch)


def test_long_paragraphs_are_cut_at_sentence_ends() -> None:
    text = "。".join(f"第{i}句說明美國的產業政策與關稅收入的變化" for i in range(60)) + "。"
    doc = Document(doc_id="long", path="long.txt", sha256="0" * 64)
    passages = segment(Source(doc=doc, text=text), target=180, max_size=300)
    assert len(passages) > 1
    assert all(p.text.endswith("。") for p in passages)
    assert all(size_of(p.text) <= 300 for p in passages)


def test_pdf_passages_start_with_the_first_paragraph_of_a_page() -> None:
    doc = Document(doc_id="white_paper", path="white_paper.pdf", sha256="0" * 64)
    first = "經濟部公布白皮書，政府將投入三千億元扶植半導體產業。"
    crossing = "白皮書指出半導體產值占全球百分之十八，" + "其中先進製程成長最快。"
    second = "行政院表示將修正產業創新條例，提供研發投資抵減。"
    last = "勞動部將培訓五萬名技術人才。"
    text = f"{first}\n\n{crossing}\n\n{second}\n\n{last}\n"
    # Page 2 begins inside the second paragraph, page 3 with the fourth.
    pages = [0, text.index("其中"), text.index(last)]
    passages = segment(Source(doc=doc, text=text, page_starts=pages), target=180, max_size=300)
    assert [(p.page_start, p.page_end) for p in passages] == [(1, 2), (2, 2), (3, 3)]
    assert [p.text for p in passages[1:]] == [second, last]
    assert passages[0].citation == "white_paper:p1:L1-L3"


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem[:3])
def test_window_spans_cite_the_windows_in_the_source(path: Path) -> None:
    import re

    from reindustry_kb.ingest.segment import _MARKUP, _SPACES, _cleaned, window_spans, windows

    source = read_source(path, SEEDS)
    for passage in segment(source):
        body = _SPACES.sub(" ", _MARKUP.sub(" ", passage.text)).strip()
        assert _cleaned(passage.text)[0] == body
        spans = window_spans(passage)
        assert len(spans) == len(windows(passage))
        for text, (start, end) in zip(windows(passage), spans, strict=True):
            assert passage.char_start <= start < end <= passage.char_end
            cited = _SPACES.sub(" ", _MARKUP.sub(" ", source.text[start:end])).strip()
            # The window joins its sentences as the embedder saw them; the span holds them.
            assert re.sub(r"\s", "", cited) == re.sub(r"\s", "", text)


@pytest.mark.parametrize(
    ("marker", "body"),
    [
        ("第 {n} 條\n", "主管機關應就產業發展訂定計畫，並定期檢討其執行成效與預算分配。"),
        ("第{n}条　", "国务院有关部门应当按照职责分工做好出口管制相关工作并加强信息共享。"),
        ("Article {n}\n", "The competent authority shall review the plan every year and report."),
        ("Sec. {n}. ", "The Secretary shall submit a report on the supply chain within 90 days."),
    ],
)
def test_a_law_is_packed_from_whole_articles(marker: str, body: str) -> None:
    # Articles of one to three sentences: several fit a passage, none is cut in two.
    articles = [marker.format(n=n) + " ".join([body] * (1 + n % 3)) for n in range(1, 13)]
    text = "\n\n".join(articles) + "\n"
    doc = Document(doc_id="law", path="law.txt", sha256="0" * 64)
    passages = segment(Source(doc=doc, text=text), target=120, max_size=300)
    assert 1 < len(passages) < len(articles)
    starts = {text.index(article): len(article) for article in articles}
    for passage in passages:
        assert passage.char_start in starts  # every passage begins at an article
        inside = [at for at in starts if passage.char_start <= at < passage.char_end]
        assert all(at + starts[at] <= passage.char_end for at in inside)


def test_an_article_number_stays_with_its_text() -> None:
    # A lead-in line such as `分掌事務：` reads as a section label, so an article's list
    # items start a new section; the next article's number, alone on its line, must still
    # open the passage that holds its text, not close the one before.
    body = "主管機關應就產業發展訂定計畫，並定期檢討其執行成效與預算分配。"
    item = "辦理產業輔導、投資促進及相關法規研修事項之規劃與執行。"
    items = "".join(f"{n}、{item}\n" for n in "一二三")
    articles = [
        f"第 {n} 條\n本部設下列各處，分掌事務：\n{items}" if n % 2 else f"第 {n} 條\n{body}\n"
        for n in range(1, 9)
    ]
    text = "\n".join(articles)
    doc = Document(doc_id="law", path="law.txt", sha256="0" * 64)
    passages = segment(Source(doc=doc, text=text), target=60, max_size=120)
    assert len(passages) > 2
    for passage in passages:
        assert not re.search(r"第 \d+ 條\s*$", passage.text), passage.text
    for n in range(1, 9):
        label = text.index(f"第 {n} 條")
        (holder,) = [p for p in passages if p.char_start <= label < p.char_end]
        assert holder.char_end > label + len(f"第 {n} 條\n") + 5  # with its text


@pytest.mark.parametrize(
    "text",
    ["secret", "美國 tariffs", "# 出口管制新規\n", "---\ntitle: Farewell\ndate: 2025-01-02\n---\n"],
)
def test_a_document_of_nothing_but_its_title_is_one_passage(tmp_path: Path, text: str) -> None:
    path = tmp_path / "short.md"
    path.write_text(text, encoding="utf-8")
    source = read_source(path, tmp_path)
    passages = segment(source)
    assert len(passages) == 1
    passage = passages[0]
    assert passage.text == source.text[passage.char_start : passage.char_end]
    assert passage.text.strip() and passage.text in (source.doc.title or "")


def test_a_line_without_sentence_ends_is_cut_into_passages(tmp_path: Path) -> None:
    for name, body in [("words.txt", "word " * 20_000), ("han.txt", "關稅" * 5_000)]:
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        source = read_source(path, tmp_path)
        passages = segment(source, 180, 300)
        assert len(passages) > 10
        assert all(size_of(p.text) <= 300 and len(p.text) <= 300 * 8 for p in passages)
        assert "".join(source.text[p.char_start : p.char_end] for p in passages).replace(
            " ", ""
        ) == body.replace(" ", "")


def _markdown(text: str) -> Source:
    doc = Document(doc_id="web", path="web.md", sha256="0", lang="en")
    return Source(doc=doc, text=text)


def _cleaned_passages(text: str) -> tuple[list[Passage], str]:
    """A Markdown text's passages, and their clean texts joined."""
    from reindustry_kb.ingest.segment import clean_text

    passages = segment(_markdown(text))
    return passages, " ".join(clean_text(p) for p in passages)


def test_markup_is_no_passage_and_no_text_to_embed_or_index() -> None:
    from reindustry_kb.indexing.pipeline import lexical_text
    from reindustry_kb.ingest.segment import clean_text, window_spans
    from reindustry_kb.text.tokenize import tokenize

    text = (
        "<!-- INFO END -->\n\n"
        '<span style="text-decoration: underline">Sec</span>. 2 of the Act sets a 25% '
        "tariff on steel ![chart](https://web.archive.org/web/2025/x.png) from "
        "[the notice](https://example.gov/notice) &amp; its annex.\n\n"
        "| Year | Revenue |\n"
    )
    passages = segment(_markdown(text))
    assert [p.text for p in passages if "INFO END" in p.text] == []  # a comment alone: none
    body = clean_text(passages[0])
    for noise in ("<span", "INFO", "web.archive.org", "https", "example.gov", "&amp;", "|"):
        assert noise not in body
    assert "Sec . 2 of the Act sets a 25% tariff on steel" in body and "the notice" in body
    tokens = tokenize(lexical_text(passages[0]))
    assert "tariff" in tokens and not {"https", "span", "archive", "png"} & set(tokens)
    for passage in passages:  # citations still quote the source exactly
        assert text[passage.char_start : passage.char_end] == passage.text
        for start, end in window_spans(passage, 70):
            assert passage.char_start <= start <= end <= passage.char_end


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "It aims to secure *domestic* supply by ***all*** means.",
            "It aims to secure domestic supply by all means.",
        ),
        (
            "The _Secretary_ shall act; file_name.pdf and __init__ stay words.",
            "The Secretary shall act; file_name.pdf and init stay words.",
        ),
        # Struck wording keeps its marks: without them it would read as the law.
        ("第 2 條 主管機關為經濟部；~~科技部~~。", "第 2 條 主管機關為經濟部；~~科技部~~。"),
        ("Sec\\. 2\\. Policy 1\\. C:\\Users", "Sec. 2. Policy 1. C:\\Users"),
        ("2 * 3 = 6, *Note and 5*3", "2 * 3 = 6, *Note and 5*3"),  # no emphasis: left alone
        ("A duty &#x2014; 25&#37; &mdash; applies.", "A duty — 25% — applies."),
    ],
)
def test_emphasis_escapes_and_entities_are_not_shown(text: str, shown: str) -> None:
    from reindustry_kb.ingest.segment import shown_text

    assert shown_text(text)[0] == shown


def test_a_heading_underline_and_link_references_are_no_text() -> None:
    text = (
        "Executive Order on Steel\n========================\n\n"
        "The tariff applies [as ordered][1] from March 12, 2025.\n\n"
        '[1]: https://web.archive.org/web/2025/https://example.gov/eo "The order"\n'
    )
    passages, body = _cleaned_passages(text)
    assert "=" not in body and "web.archive.org" not in body and "The order" not in body
    assert "The tariff applies [as ordered][1] from March 12, 2025." in body
    for passage in passages:
        assert text[passage.char_start : passage.char_end] == passage.text


ARCHIVE = DATA / "web" / "steel_archive.md"  # a web-archive page: inline HTML, image, table


def test_shown_text_is_clean_and_maps_each_character_to_the_source() -> None:
    from reindustry_kb.ingest.segment import shown_span, shown_text

    text = ARCHIVE.read_text(encoding="utf-8")
    shown, where = shown_text(text)
    for noise in ("<span", "<!--", "web.archive.org", "**", "|", "---", "&amp;", "&nbsp;", "]("):
        assert noise not in shown
    assert (
        "Sec. 2. Tariff. A duty of 25 percent applies to steel articles from Canada & Mexico."
        in (shown)
    )
    assert "\n\nSec. 2. Tariff." in shown and "See the proclamation for" in shown
    assert "Year Steel imports (tonnes)\n2024 28,000,000" in shown  # a row a line
    assert len(where) == len(shown) and where == sorted(where)
    for char, at in zip(shown, where, strict=True):  # entities stand at their "&"
        assert char.isspace() or char == text[at]
    start = text.index("The duty takes effect")
    end = text.index("2025,", start) + 4
    first, last = shown_span(shown, where, start, end)
    assert shown[first:last] == "The duty takes effect on March 12, 2025"


@pytest.mark.parametrize("path", discover(SEEDS), ids=lambda p: p.name)
def test_every_seed_passage_is_shown_from_its_own_characters(path: Path) -> None:
    from reindustry_kb.ingest.segment import clean_text, shown_text

    for passage in segment(read_source(path, SEEDS)):
        shown, where = shown_text(passage.text)
        assert shown and where == sorted(where) and where[-1] < len(passage.text)
        for char, at in zip(shown, where, strict=True):
            assert char.isspace() or char == passage.text[at] or passage.text[at] == "&"
        # What is shown holds the words that are indexed (the seeds' entities are punctuation).
        assert re.sub(r"\W", "", shown) == re.sub(r"\W", "", clean_text(passage))


def test_a_long_line_of_unclosed_markup_is_read_in_linear_time() -> None:
    # Each opener looks a bounded way along its line for its closer: 48 KB of `*a [b <!--c ](d `
    # took seconds when each looked to the end of the line (quadratic); a megabyte now takes
    # about as long as a few kilobytes did. Counted in regex steps, not seconds: the number of
    # characters each opener may read is bounded, so doubling the line doubles the work.
    from reindustry_kb.ingest.segment import _MARKUP

    line = "*a [b <!--c ](d ![e _f " * 2000  # openers, none closed: none of it is markup
    kept = _MARKUP.sub(" ", line)
    assert re.sub(r"[^a-f]", "", kept) == re.sub(r"[^a-f]", "", line)  # every word kept
    reach = re.findall(r"\{0,(\d+)\}", _MARKUP.pattern)
    assert reach and all(int(n) <= 1000 for n in reach)
    assert ".*?" not in _MARKUP.pattern and "[^\\n]*?" not in _MARKUP.pattern


def test_prose_text_drops_the_prose_markup_and_maps_back_to_the_source() -> None:
    from reindustry_kb.ingest.segment import prose_text

    text = (
        "<!-- saved 2024-11-05 -->\n**Funding** of $<span>52.7</span> billion, 20&nbsp;percent"
        " [of it](https://web.archive.org/web/20250123/x) by\n![m](https://x.org/2021/01/a.png)"
        " 2030."
    )
    prose = prose_text(text)
    # Inline tags are nothing, entities their character, the rest a space; emphasis and the
    # line break stay, so a name keeps its bounds and a claim its line.
    assert prose.text == " \n**Funding** of $52.7 billion, 20\xa0percent of it by\n  2030."
    assert "2024" not in prose.text and "web.archive" not in prose.text
    start = prose.text.index("$52.7")
    first, last = prose.span_to_original(start, start + len("$52.7 billion"))
    assert text[first:last] == "$<span>52.7</span> billion"
    start = prose.text.index("20\xa0percent")
    first, last = prose.span_to_original(start, start + len("20\xa0percent"))
    assert text[first:last] == "20&nbsp;percent"  # the entity whole, not its "&" alone
    plain = "第 3 條 本法自公布日施行。\n  Sec. 2. 25 percent *by* 2030."
    assert prose_text(plain).text == plain  # no such markup: the text itself
    assert prose_text(plain).span_to_original(4, 5) == (4, 5)


def test_prose_text_reads_an_html_table_as_markdown_rows() -> None:
    from reindustry_kb.ingest.segment import prose_text

    one_line = "<table><tr><th>年度</th><th>預算</th></tr><tr><td>2026</td><td>500億元</td></tr>"
    assert prose_text(one_line).text == "\n|年度|預算\n|2026|500億元"
    # A row the source breaks before keeps one line end (no blank line between rows).
    broken = "<tr><th>年度</th></tr>\n  <tr><td>2026</td></tr>"
    assert prose_text(broken).text == "|年度\n  |2026"


def test_a_comment_of_several_lines_is_no_text_and_no_passage_spans_it() -> None:
    from reindustry_kb.ingest.segment import _COMMENT_LINES

    text = (
        "# Export Control Law\n\nArticle 1 This Law is made to safeguard national security.\n"
        "<!--\nINFO START\nsaved: 2020-10-17\nINFO END\n-->\n"
        "Article 2 The State controls the export of dual-use items.\n\n    <!-- -->\n\n"
        "Article 3 <!-- a note --> Controlled items need a licence.\n"
    )
    passages, body = _cleaned_passages(text)
    assert "INFO" not in body and "2020" not in body and "<!--" not in body
    for article in ("Article 1", "Article 2", "Article 3 Controlled items need a licence."):
        assert article in body
    comment = text.index("<!--\nINFO")
    end = text.index("-->\n") + 3
    assert not any(p.char_start < end and p.char_end > comment for p in passages)
    # Each opener reads on to the next one at most: lines of unclosed ones are no comment.
    found = _COMMENT_LINES.findall("<!-- a\n" * 3000 + "b -->")
    assert found == ["<!-- a\nb -->"]  # the last opener's, with its closer
    assert "(?!-->|<!--)" in _COMMENT_LINES.pattern


def test_for_embedder_cuts_long_runs_only() -> None:
    from reindustry_kb.ingest.segment import LONG_RUN, for_embedder

    assert for_embedder("see " + "x" * 500 + " here") == "see " + "x" * LONG_RUN + " here"
    prose = "Tariffs rose 5% in 2025 (see fact-sheet-president-donald-j-trump-imposes-tariffs)."
    assert for_embedder(prose) == prose
    chinese = "關稅收入" * 200  # Han text writes no spaces and is never cut
    assert for_embedder(chinese) == chinese


def test_a_long_run_is_cut_into_passages_of_bounded_length() -> None:
    # A 300 KB run counted as one word made passages of 331,200 characters (an `rkb ask`
    # printed 742 KB for two hits).
    from reindustry_kb.ingest.segment import CHARS_PER_TOKEN

    text = "The key follows: " + "x" * 300_000 + " and ends here.\n"
    passages = segment(_markdown(text))
    assert len(passages) > 100
    assert max(len(p.text) for p in passages) <= 300 * CHARS_PER_TOKEN
    _check_provenance(_markdown(text))


def test_a_line_of_a_long_run_alone_is_no_text() -> None:
    import base64

    blob = base64.b64encode(bytes(range(256)) * 400).decode()
    text = f"# Attachment\n\nThe scan follows.\n\n{blob}\n\nEnd of the note.\n"
    passages = segment(_markdown(text))
    assert passages and all(blob[:100] not in p.text for p in passages)
    assert "The scan follows." in passages[0].text and "End of the note." in passages[-1].text
    assert segment(_markdown("x" * 300_000)) == []


def test_a_line_of_markup_debris_is_no_text_but_a_list_label_is() -> None:
    # Single letters among unclosed markup, line after line, are no prose: such a file was
    # 572 passages of `*a [b <!--c ](d`, one of them first for `最低工資是多少？`.
    debris = "*a [b <!--c ](d " * 500
    assert segment(_markdown(f"{debris}\n\n{debris}\n")) == []
    text = f"Intro of the order.\n\n{debris}\n\n(c)\n\na foster parent;\n\n(vii)\n\nEnsure it.\n"
    shown = "\n".join(p.text for p in segment(_markdown(text)))
    assert "*a [b" not in shown  # a break between passages, not their text
    assert "(c)\n\na foster parent;" in shown and "(vii)\n\nEnsure it." in shown
