import hashlib
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reindustry_kb.ask.compare import compare
from reindustry_kb.ask.confidence import Calibration
from reindustry_kb.ask.questions import ask
from reindustry_kb.ask.session import Session, open_reader
from reindustry_kb.cli import app
from reindustry_kb.errors import RkbError
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.models import ClaimFilters
from reindustry_kb.out.export import (
    export_claims,
    export_compare,
    export_questions,
    export_timeline,
    verify,
)
from reindustry_kb.settings import Settings

GOLDEN = Path(__file__).parents[1] / "golden"
runner = CliRunner()


def _stable(markdown: str) -> str:
    """The build line names a build and a time that differ on every run."""
    return re.sub(
        r"from index `build-[^`]+` built \S+ ", "from index `BUILD` built TIME ", markdown
    )


def _compared(settings: Settings, query: str) -> str:
    session = Session.open(settings)
    return export_compare(session.reader, compare(session, query))


@pytest.mark.parametrize(
    ("name", "make"),
    [
        (
            "export_questions.md",
            lambda s: export_questions(Session.open(s), ["關稅收入", "offshore wind power"], 2),
        ),
        (
            "export_claims.md",
            lambda s: export_claims(open_reader(s), ClaimFilters(kind="statistic")),
        ),
        ("export_compare.md", lambda s: _compared(s, "tariff revenue")),
        (
            "export_timeline.md",
            lambda s: export_timeline(open_reader(s), ClaimFilters(since="2025")),
        ),
    ],
)
def test_golden_exports(fake_index: Settings, name: str, make) -> None:  # type: ignore[no-untyped-def]
    markdown = _stable(make(fake_index))
    golden = GOLDEN / name
    if os.environ.get("RKB_UPDATE_GOLDEN"):  # regenerate on purpose, then review the diff
        golden.write_text(markdown, encoding="utf-8")
    assert markdown == golden.read_text(encoding="utf-8")


def test_an_export_has_the_parts_a_researcher_needs(fake_index: Settings) -> None:
    markdown = export_questions(Session.open(fake_index), ["關稅收入"], 2)
    assert markdown.startswith("# Cited excerpts\n")
    assert "## 關稅收入" in markdown and "## Sources" in markdown
    assert re.search(r"reindustry-kb \S+ from index `build-\S+` built \d{4}-\d\d-\d\dT", markdown)
    footnotes = re.findall(r"^\[\^(\d+)\]: (.+)$", markdown, re.M)
    assert [n for n, _ in footnotes] == ["1", "2"]
    assert all(
        re.search(r"lines \d+–\d+", text) and re.search(r"sha256 `[0-9a-f]{12}`", text)
        for _, text in footnotes
    )


def test_a_weak_hit_is_quoted_without_an_answer(
    fake_index: Settings, calibrated: Calibration, tmp_path: Path
) -> None:
    session = Session.open(fake_index)
    answered, unanswered = "美國對進口晶片課徵關稅", "紅燒肉要怎麼做才會軟嫩入味"
    strong = [not hit.weak for hit in ask(session, answered, 2).hits]
    assert strong[0] and all(hit.weak for hit in ask(session, unanswered, 2).hits)
    markdown = export_questions(session, [answered, unanswered], 2)
    first, second = markdown.split(f"## {unanswered}")
    no_answer = "*No good match: the nearest passage, which does not answer.*"
    assert first.count("**Answer:**") == sum(strong)
    assert first.count(no_answer) == 2 - sum(strong)
    assert "**Answer:**" not in second and second.count(no_answer) == 2
    path = tmp_path / "brief.md"
    path.write_text(markdown, encoding="utf-8")
    assert verify(path, fake_index.seeds_dir).problems == []  # the nearest are still quoted


def test_every_quote_is_verbatim_at_its_lines(fake_index: Settings, tmp_path: Path) -> None:
    path = tmp_path / "brief.md"
    path.write_text(
        export_questions(Session.open(fake_index), ["關稅收入", "數據中心"], 3), encoding="utf-8"
    )
    report = verify(path, fake_index.seeds_dir)
    assert report.quotes == 6 and report.problems == [] and report.notes == []


def test_verify_fails_when_a_quoted_sentence_is_edited(
    fake_index: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "brief.md"
    path.write_text(export_questions(Session.open(fake_index), ["離岸風電"], 1), encoding="utf-8")
    source = fake_index.seeds_dir / "interview_hant.md"
    source.write_text(
        source.read_text(encoding="utf-8").replace("20 GW", "30 GW"), encoding="utf-8"
    )
    report = verify(path, fake_index.seeds_dir)
    assert len(report.problems) == 1 and "no longer stands" in report.problems[0]


def test_verify_notes_a_moved_or_surrounded_quote(fake_index: Settings, tmp_path: Path) -> None:
    path = tmp_path / "brief.md"
    path.write_text(export_questions(Session.open(fake_index), ["离岸风电"], 1), encoding="utf-8")
    source = fake_index.seeds_dir / "interview_hant.md"
    source.write_text("新增的一行。\n" + source.read_text(encoding="utf-8"), encoding="utf-8")
    report = verify(path, fake_index.seeds_dir)
    assert report.problems == [] and "moved" in report.notes[0]


def test_export_and_verify_cli(fake_index: Settings, tmp_path: Path) -> None:
    env = {"RKB_EMBEDDER": "fake", "RKB_SEEDS_DIR": str(fake_index.seeds_dir)}
    out = tmp_path / "claims.md"
    result = runner.invoke(
        app, ["export", "--claims", "--kind", "statistic", "--unit", "USD", "-o", str(out)], env=env
    )
    assert result.exit_code == 0 and out.is_file()
    assert "約為 1,200 億美元" in out.read_text(encoding="utf-8")
    result = runner.invoke(app, ["verify", str(out)], env=env)
    assert result.exit_code == 0 and "3/3 quotes verified" in result.stdout
    (fake_index.seeds_dir / "brief_en.md").write_text("Rewritten.\n", encoding="utf-8")
    result = runner.invoke(app, ["verify", str(out)], env=env)
    assert result.exit_code == 1 and result.stdout.count("MISMATCH") == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export"], "give questions to answer, --claims, --compare QUERY or --timeline"),
        (["export", "關稅", "--claims"], "give only one of: questions to answer, --claims"),
        (["verify", "/nonexistent.md"], "cannot read"),
    ],
)
def test_export_and_verify_errors(fake_index: Settings, args: list[str], message: str) -> None:
    result = runner.invoke(app, args, env={"RKB_EMBEDDER": "fake"})
    assert result.exit_code == 1 and message in result.stderr


def test_verify_refuses_a_file_without_quotes(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Notes\n\n> a quote rkb did not write\n", encoding="utf-8")
    result = runner.invoke(app, ["verify", str(path)])
    assert result.exit_code == 1 and "holds no rkb quotes" in result.stderr


def test_compare_and_timeline_exports_verify_and_fail_after_an_edit(
    fake_index: Settings, tmp_path: Path
) -> None:
    for name, args in (
        ("compare.md", ["--compare", "tariff revenue"]),
        ("timeline.md", ["--timeline", "--lever", "tariff"]),
    ):
        path = tmp_path / name
        result = runner.invoke(
            app, ["export", *args, "-o", str(path)], env={"RKB_EMBEDDER": "fake"}
        )
        assert result.exit_code == 0, result.stderr
        report = verify(path, fake_index.seeds_dir)
        assert report.quotes >= 1 and report.problems == []
    brief = fake_index.seeds_dir / "brief_en.md"
    brief.write_text(brief.read_text().replace("Customs duties", "Duties"), encoding="utf-8")
    assert verify(tmp_path / "timeline.md", fake_index.seeds_dir).problems


def test_export_takes_one_kind_of_content(fake_index: Settings) -> None:
    result = runner.invoke(app, ["export", "--timeline", "--compare", "x"])
    assert result.exit_code == 1 and "one of" in result.stderr


def test_verify_says_when_no_quoted_file_is_in_the_seeds_folder(
    fake_index: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "brief.md"
    path.write_text(export_questions(Session.open(fake_index), ["離岸風電"], 2), encoding="utf-8")
    other = tmp_path / "other_seeds"
    other.mkdir()
    result = runner.invoke(app, ["verify", str(path), "--seeds", str(other)])
    assert result.exit_code == 1 and "0/2 quotes verified" in result.stdout
    assert "none of the quoted files is in" in result.stderr and "--seeds DIR" in result.stderr
    # In the folder the export was made from, every quoted file is there.
    report = verify(path, fake_index.seeds_dir)
    assert report.missing == 0 and not report.wrong_folder


def test_verify_names_a_missing_seeds_folder(fake_index: Settings, tmp_path: Path) -> None:
    path = tmp_path / "brief.md"
    path.write_text(export_questions(Session.open(fake_index), ["離岸風電"], 1), encoding="utf-8")
    with pytest.raises(RkbError, match=r"no seeds folder .*; pass --seeds DIR"):
        verify(path, tmp_path / "nowhere")


def test_a_web_archive_quote_is_clean_exactly_cited_and_verifies(
    fake_settings: Settings, tmp_path: Path
) -> None:
    import shutil

    from tests.conftest import DATA

    shutil.copy(DATA / "web" / "steel_archive.md", fake_settings.seeds_dir)
    build_index(fake_settings)
    question = "When does the 25 percent duty on steel articles from Canada take effect?"
    markdown = export_questions(Session.open(fake_settings), [question], 1)
    hit = ask(Session.open(fake_settings), question, 1).hits[0]
    assert hit.doc_id == "steel_archive"
    marker = f'path="steel_archive.md" lines={hit.line_start}-{hit.line_end} '
    assert marker in markdown
    quote = [line for line in markdown.split("\n") if line.startswith(">")]
    assert (
        "> Sec. 2. Tariff. A duty of 25 percent applies to steel articles from Canada & Mexico."
        in ("\n".join(quote))
    )
    for noise in ("<span", "<!--", "web.archive.org", "**", "|", "&amp;", "&nbsp;", "]("):
        assert not any(noise in line for line in quote)
    answer = re.search(r"^\*\*Answer:\*\* “(.+)” \(in the passage below\)$", markdown, re.M)
    assert answer is not None and "The duty takes effect on March 12, 2025" in answer[1]
    path = tmp_path / "brief.md"
    path.write_text(markdown, encoding="utf-8")
    report = verify(path, fake_settings.seeds_dir)
    assert (report.quotes, report.problems, report.notes) == (1, [], [])
    # The clean quote is checked against the source: an edited figure fails it.
    source = fake_settings.seeds_dir / "steel_archive.md"
    source.write_text(source.read_text("utf-8").replace("25 percent", "20 percent"), "utf-8")
    assert "no longer stands" in verify(path, fake_settings.seeds_dir).problems[0]


def test_verify_accepts_a_verbatim_quote_of_an_older_export(
    fake_settings: Settings, tmp_path: Path
) -> None:
    from tests.conftest import DATA

    source = DATA / "web" / "steel_archive.md"
    data = source.read_bytes()
    (fake_settings.seeds_dir / source.name).write_bytes(data)
    lines = data.decode("utf-8").split("\n")
    sha = hashlib.sha256(data).hexdigest()
    quoted = "\n".join(f"> {line}" for line in lines[7:8])
    path = tmp_path / "old.md"
    path.write_text(
        f'<!-- rkb-quote n=1 path="{source.name}" lines=8-8 sha256={sha} -->\n{quoted}\n',
        encoding="utf-8",
    )
    assert "<span" in quoted
    report = verify(path, fake_settings.seeds_dir)
    assert (report.quotes, report.problems, report.notes) == (1, [], [])


def test_a_hit_answering_with_all_of_it_says_so(tmp_path: Path) -> None:
    seeds = tmp_path / "law"
    seeds.mkdir()
    (seeds / "law.txt").write_text("第六十一条 本法自2018年1月1日起施行。\n", encoding="utf-8")
    settings = Settings(seeds_dir=seeds, index_dir=tmp_path / "indexes", embedder="fake")
    build_index(settings)
    markdown = export_questions(Session.open(settings), ["本法何时施行？"], 1)
    assert "**Answer:** the passage below." in markdown
    assert "> 第六十一条 本法自2018年1月1日起施行。" in markdown


def test_a_group_of_several_periods_names_each_figures(fake_settings: Settings) -> None:
    from rich.console import Console

    from reindustry_kb.out.render import render_comparison

    (fake_settings.seeds_dir / "budget.md").write_text(
        "# Budget\n\n| Item | 2025 | 2026 |\n|---|---|---|\n"
        "| Chip subsidies | US$3.2 billion | US$4.1 billion |\n",
        encoding="utf-8",
    )
    build_index(fake_settings)
    session = Session.open(fake_settings)
    found = compare(session, "chip subsidies")
    (group,) = [g for g in found.groups if g.measure == "Chip subsidies"]
    assert sorted(row.period or "" for row in group.statistics) == ["2025", "2026"]
    markdown = export_compare(session.reader, found)
    assert "| published | period | value | measure | source |" in markdown
    assert re.search(r"\| 2026 \| 4\.1bn USD \| Chip subsidies \|", markdown)
    assert '(2025)", "' in markdown  # the chart's bars say their periods too
    console = Console(record=True, width=120)
    render_comparison(console, found)
    shown = console.export_text()
    assert re.search(r"period", shown) and re.search(r"│ 2025\s+│ 3\.2bn USD", shown)


def test_a_compare_export_names_the_copies_of_a_figure(fake_settings: Settings) -> None:
    import shutil

    shutil.copy(fake_settings.seeds_dir / "brief_en.md", fake_settings.seeds_dir / "brief_en2.md")
    build_index(fake_settings)
    markdown = _compared(fake_settings, "tariff revenue")
    assert re.search(r"`brief_en:L\d+-L\d+` \(also `brief_en2:L\d+-L\d+`\) \[\^\d+\]", markdown)
    assert not re.search(r"\| `brief_en2:", markdown)  # no row of its own
    # A question's export quotes the passage once, its footnote naming the copy.
    brief = export_questions(Session.open(fake_settings), ["tariff revenue"], 3)
    assert re.search(r"lines \d+–\d+ \(also `brief_en2:L\d+-L\d+`\)\.", brief)
    assert 'path="brief_en2.md"' not in brief


def test_a_claims_export_quotes_a_copied_files_claim_once(fake_settings: Settings) -> None:
    import shutil

    from reindustry_kb.out.export import export_claims

    shutil.copy(fake_settings.seeds_dir / "brief_en.md", fake_settings.seeds_dir / "brief_en2.md")
    build_index(fake_settings)
    reader = Session.open(fake_settings).reader
    markdown = export_claims(reader, ClaimFilters(kind="statistic", docs=("brief_en*",)))
    assert re.search(r"\(also `brief_en2:L\d+-L\d+`\)", markdown)
    assert 'path="brief_en2.md"' not in markdown  # no quote of its own
