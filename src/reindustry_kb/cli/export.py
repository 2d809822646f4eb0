"""`rkb export` and `rkb verify`: cited Markdown, and its quotes checked against the sources."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reindustry_kb.cli.app import Chosen, command, fail
from reindustry_kb.settings import Settings

if TYPE_CHECKING:
    from reindustry_kb.models import ClaimFilters, Filters


COMPARE_HELP = (
    "Export what `rkb compare` finds for this query (with --unit, --since and --until): a "
    "table and a Mermaid chart per group of two figures or more."
)


@command(
    "export",
    *("kind", "doc", "actor", "lever", "unit", "since", "until"),
    *("index_dir", "reranker"),
)
def export_cli(
    settings: Settings,
    chosen: Chosen,
    questions: Annotated[
        list[str] | None, typer.Argument(help="Questions to answer and cite.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Markdown file to write.")
    ] = None,
    k: Annotated[
        int, typer.Option("-k", "--top", min=1, max=50, help="Passages per question, 1 to 50.")
    ] = 5,
    claims: Annotated[
        bool, typer.Option("--claims", help="Export the claims the filters below select.")
    ] = False,
    compare: Annotated[
        str | None,
        typer.Option("--compare", help=COMPARE_HELP),
    ] = None,
    timeline: Annotated[
        bool,
        typer.Option(
            "--timeline",
            help="Export the dated events of `rkb timeline` (with --actor, --lever, --doc, "
            "--since and --until): a table and a Mermaid timeline.",
        ),
    ] = False,
) -> None:
    """Write cited Markdown: verbatim quotes, footnote citations, a source list."""
    asked = [bool(questions), claims, compare is not None, timeline].count(True)
    if asked != 1:
        what = "give" if asked == 0 else "give only one of:"
        raise fail(f"{what} questions to answer, --claims, --compare QUERY or --timeline")
    if questions:
        markdown = _export(settings, questions, k, chosen.passages(), chosen.claims())
    else:
        what = "claims" if claims else "timeline" if timeline else "compare"
        markdown = _export(settings, what, k, None, chosen.claims(), compare)
    _write_markdown(markdown, output)


def _export(
    settings: Settings,
    what: str | list[str],
    k: int,
    passages: Filters | None,
    filters: ClaimFilters,
    query: str | None = None,
) -> str:
    """The Markdown of one export: questions answered (`what` is their list), or "claims",
    "timeline", or "compare" (of `query`)."""
    from reindustry_kb.ask.compare import compare
    from reindustry_kb.ask.session import Session, open_reader
    from reindustry_kb.out import export

    if isinstance(what, list):
        return export.export_questions(Session.open(settings), what, k, passages)
    if what == "compare":
        assert query is not None
        session = Session.open(settings)
        found = compare(session, query, filters.unit, filters.since, filters.until)
        return export.export_compare(session.reader, found)
    reader = open_reader(settings)
    if what == "timeline":
        return export.export_timeline(reader, filters)
    return export.export_claims(reader, filters)


def _write_markdown(markdown: str, output: Path | None) -> None:
    """To the file asked for (saying so on stderr), else to stdout."""
    if output is None:
        sys.stdout.write(markdown)
        return
    try:
        output.write_text(markdown, encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write {output} ({exc.strerror})") from None
    typer.echo(f"wrote {output}", err=True)


@command("verify", "seeds_dir")
def verify_cli(
    settings: Settings,
    chosen: Chosen,
    markdown: Annotated[Path, typer.Argument(help="A Markdown file written by `rkb export`.")],
) -> None:
    """Check that every quote in an export still stands in its source at the cited lines."""
    from reindustry_kb.out.export import verify

    report = verify(markdown, settings.seeds_dir)
    for note in report.notes:
        typer.echo(f"note: {note}")
    for problem in report.problems:
        typer.echo(f"MISMATCH {problem}")
    ok = report.quotes - len(report.problems)
    typer.echo(f"{ok}/{report.quotes} quotes verified against {settings.seeds_dir}")
    if report.wrong_folder:
        typer.echo(
            f"none of the quoted files is in {settings.seeds_dir}: pass --seeds DIR, "
            "the folder the export was made from",
            err=True,
        )
    if report.problems:
        raise typer.Exit(1)
