from pathlib import Path

import pytest

from reindustry_kb.errors import SourceError
from reindustry_kb.ingest.sources import (
    discover,
    find_sources,
    parse_header,
    read_source,
)
from tests.conftest import SEEDS

SEED_TEXT = {path.name: path.read_text(encoding="utf-8") for path in SEEDS.glob("*.txt")}
BIG5_SAFE = ["000_21b4db651bf1e798.txt", "002_9b5cc4107c7e76fc.txt", "003_b57e486be7a8c038.txt"]


def test_discover_finds_supported_files_recursively_and_counts_the_rest(docs_dir: Path) -> None:
    (docs_dir / "notes.pdf").write_bytes(b"%PDF")
    (docs_dir / "sub").mkdir()
    (docs_dir / "sub" / "deep.txt").write_text("深層文件", encoding="utf-8")
    (docs_dir / "sub" / "page.HTML").write_text("<p>x</p>", encoding="utf-8")
    (docs_dir / "draft.txt~").write_text("old", encoding="utf-8")
    (docs_dir / "~$report.docx").write_bytes(b"lock")
    (docs_dir / ".hidden").mkdir()
    (docs_dir / ".hidden" / "secret.txt").write_text("x", encoding="utf-8")
    (docs_dir / "table.xlsx").write_bytes(b"x")
    paths, skipped = find_sources(docs_dir)
    names = [p.relative_to(docs_dir).as_posix() for p in paths]
    assert names == [
        "brief_en.md",
        "interview_hant.md",
        "notes.pdf",
        "policy_hans.txt",
        "sub/deep.txt",
        "sub/page.HTML",
    ]
    reasons = {s.path: s.reason for s in skipped}
    assert reasons == {
        ".hidden": "hidden folder",
        "draft.txt~": "editor backup or temporary file",
        "~$report.docx": "editor backup or temporary file",
        "table.xlsx": "unsupported type (.xlsx)",
    }
    assert discover(docs_dir) == paths


def test_discover_refuses_missing_and_empty_folders(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        discover(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match=r"no \.txt, \.md, \.pdf, \.html or \.docx files"):
        discover(tmp_path / "empty")


# The five header styles of the seeds, each parsed by the general rules.
@pytest.mark.parametrize(
    ("name", "title", "date", "lang", "source", "authors"),
    [
        (
            "000_21b4db651bf1e798.txt",
            "AI 驅動的再工業化：白宮經濟顧問的宏觀願景",
            "2025-09-24",
            "zh-Hant",
            None,
            ["Jacob Helberg", "Maria Curi"],
        ),
        (
            "001_dafb8ff7b3d20019.txt",
            "美國再工業化與中國模式的啟示",
            "2025-07-14",
            "zh-Hant",
            "中華民國全國工業總會",
            ["張華雄", "劉又銓"],
        ),
        (
            "002_9b5cc4107c7e76fc.txt",
            "美國AI行動計畫隱含的地緣政治經濟:從貿易戰、科技戰延展至AI基礎設施戰",
            None,
            "zh-Hant",
            None,
            [],
        ),
        ("003_b57e486be7a8c038.txt", None, "2025-11-07", "zh-Hant", None, []),
        (
            "004_a01fbe574e0e12f3.txt",
            None,
            "2025-06-09",
            "mixed",
            "Foreign Policy",
            ["Vivek Chilukuri"],
        ),
    ],
)
def test_seed_metadata(
    name: str,
    title: str | None,
    date: str | None,
    lang: str,
    source: str | None,
    authors: list[str],
) -> None:
    doc = read_source(SEEDS / name, SEEDS).doc
    assert (doc.title, doc.date, doc.lang, doc.source, doc.authors) == (
        title,
        date,
        lang,
        source,
        authors,
    )
    assert doc.doc_id == name.removesuffix(".txt")
    assert len(doc.sha256) == 64


def test_header_spans_cover_metadata_not_content() -> None:
    text = " date 2025-11-07 關稅仍充滿不確定性。\n\n第二段。"
    header = parse_header(text)
    assert header.date == "2025-11-07"
    ((_start, end),) = header.spans
    assert text[end:].startswith("關稅仍充滿不確定性")


def test_front_matter_overrides_and_lists() -> None:
    header = parse_header(
        "---\ntitle: 標題\ndate: 2024-05-01\nlang: zh-Hans\nauthors:\n  - 甲\n  - 乙\n---\n內文。"
    )
    assert (header.title, header.date, header.lang, header.authors) == (
        "標題",
        "2024-05-01",
        "zh-Hans",
        ["甲", "乙"],
    )


def test_english_key_value_header() -> None:
    header = parse_header(
        "Title: Chips and Tariffs\nBy: Ann Lee and Bo Wu\nPublished: July 23, 2025\n\nBody text."
    )
    assert (header.title, header.authors, header.date) == (
        "Chips and Tariffs",
        ["Ann Lee", "Bo Wu"],
        "2025-07-23",
    )


def test_sentence_first_line_is_not_a_title() -> None:
    assert parse_header("美國今年關稅收入大增。這是第一句。\n第二段。").title is None


@pytest.mark.parametrize(("written", "date"), [("2025", "2025"), ("2025-07", "2025-07")])
def test_a_front_matter_date_may_be_a_year_or_a_month(written: str, date: str) -> None:
    # YAML reads `date: 2025` as a number: it is still the document's date.
    assert parse_header(f"---\ntitle: T\ndate: {written}\n---\nBody.\n").date == date
    assert parse_header(f"Title\n日期：{written}\n\nBody.\n").date == date


def test_front_matter_is_read_as_yaml() -> None:
    text = (
        "---\n"
        'title: "America\\u2019s \\"new\\" deal"\n'
        "date: 2025-06-09\n"
        "authors:\n  - Jane Doe\n  - 王小明\n"
        "summary: >\n  A folded\n  value.\n"
        "---\nBody.\n"
    )
    header = parse_header(text)
    assert header.title == 'America\u2019s "new" deal'
    assert header.date == "2025-06-09" and header.authors == ["Jane Doe", "王小明"]
    assert header.spans == [(0, text.index("---\nBody") + 3)]  # the closing --- included
    assert header.title_span is not None
    start, end = header.title_span
    assert text[start:end] == 'America\\u2019s \\"new\\" deal'  # where it is written


def test_a_front_matter_title_yaml_reads_as_a_boolean_stays_as_written() -> None:
    assert parse_header("---\ntitle: No\n---\nBody.\n").title == "No"


def test_a_broken_front_matter_is_read_line_by_line_not_a_crash() -> None:
    text = "---\ntitle: [unclosed\n: : :\n---\nThe body.\n"
    header = parse_header(text)  # what YAML cannot read, the line reader takes what it can
    assert header.title == "[unclosed" and header.date is None
    assert all(end <= text.index("The body.") for _, end in header.spans)


def test_law_database_headers_give_title_and_date_without_labels() -> None:
    text = (
        "法規名稱：產業創新條例\n"
        "修正日期：20250905\n"
        "法規類別：行政＞經濟部＞工業目\n"
        "生效狀態：※本法規部分或全部條文尚未生效\n\n"
        "第 1 條\n為促進產業創新，特制定本條例。\n"
    )
    header = parse_header(text)
    assert (header.title, header.date) == ("產業創新條例", "2025-09-05")
    assert text.index("第 1 條") >= header.spans[-1][1]
    promulgated = parse_header("法規名稱：出口管制法\n公布日期：民國 109 年 10 月 17 日\n\n第一條")
    assert (promulgated.title, promulgated.date) == ("出口管制法", "2020-10-17")
    amended = "公布日期：2020-10-17\n修正日期：2025-09-05\n\n正文。"
    assert parse_header(amended).date == "2025-09-05"  # the text's own version
    never_amended = "法規名稱：中央法規標準法\n公發布日：民國 93 年 05 月 19 日\n\n第 1 條\n本文。"
    assert parse_header(never_amended).date == "2004-05-19"
    english = parse_header(
        "Title: Customs Act\nAmended Date: 20220511\nCategory: Ministry\n\nArticle 1"
    )
    assert (english.title, english.date) == ("Customs Act", "2022-05-11")
    assert english.spans[-1][1] <= len(
        "Title: Customs Act\nAmended Date: 20220511\nCategory: Ministry"
    )


def test_odd_paths_are_reported_not_followed(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A document.", encoding="utf-8")
    (tmp_path / "a.md").write_text("The same id.", encoding="utf-8")
    (tmp_path / "loop").symlink_to(".", target_is_directory=True)
    (tmp_path / "gone.txt").symlink_to("nowhere.txt")
    (tmp_path / b"caf\xe9.txt".decode("utf-8", "surrogateescape")).write_text("x")
    paths, skipped = find_sources(tmp_path)
    assert [p.name for p in paths] == ["a.md"]
    reasons = {s.path: (s.reason, s.unreadable) for s in skipped}
    assert reasons["a.txt"] == ("has the same document id (a) as a.md; rename one of them", True)
    assert reasons["loop"] == ("link to a folder, not followed", False)
    assert reasons["gone.txt"] == ("link that leads to no file", False)
    assert reasons["caf\\xe9.txt"] == ("file name is not valid UTF-8; rename it", True)


def test_a_file_given_as_the_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text("x", encoding="utf-8")
    with pytest.raises(SourceError, match="is a file, not a folder"):
        find_sources(tmp_path / "one.txt")


def test_too_large_and_unreadable_files_say_why(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"tariff " * 200_000)
    with pytest.raises(SourceError, match=r"big\.txt is too large \(1 MB, over the 1 MB limit\)"):
        read_source(big, tmp_path, max_bytes=1_000_000)
    with pytest.raises(SourceError, match=r"gone\.txt disappeared"):
        read_source(tmp_path / "gone.txt", tmp_path)


def test_a_comment_above_the_heading_is_no_title() -> None:
    # Law databases' Markdown opens with `<!-- INFO END -->`; the heading below is the title.
    header = parse_header("<!-- INFO END -->\n\n# 关税法\n\n第一条 为了规范关税征收，制定本法。\n")
    assert header.title == "关税法"


def test_a_header_line_of_unclosed_comments_is_read_in_bounded_steps() -> None:
    # `<!--` looked to the end of its line for `-->` from every opener: 128 KB of them took
    # 3 s in the header alone. Now each looks at most 1,000 characters along.
    from reindustry_kb.ingest.sources import _HTML, parse_header

    assert ".*?" not in _HTML.pattern and "{0,1000}" in _HTML.pattern
    # Unclosed, the comments are text: the first line is content, so no title follows it.
    assert parse_header("<!--a " * 5000 + "\n# The Steel Order\n").title is None
    assert parse_header("<!-- a -->\n# The Steel Order\n").title == "The Steel Order"
