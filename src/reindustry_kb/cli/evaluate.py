"""`rkb eval`: retrieval scored on a question set, alone or among distractor documents."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from reindustry_kb.cli.app import AsJson, Chosen, command, print_json
from reindustry_kb.cli.index import build_with_progress
from reindustry_kb.settings import Settings


@command("eval", "seeds_dir", "index_dir", "reranker")
def eval_cli(
    settings: Settings,
    chosen: Chosen,
    questions: Annotated[
        Path,
        typer.Argument(
            help="The question set: JSON lines with a question and its answers, doc or both "
            "(and optionally lang and split), or a .tsv file of question, answers separated by | "
            "and doc."
        ),
    ],
    compare: Annotated[
        bool, typer.Option("--compare", help="Also score dense, BM25 and naive RRF alone.")
    ] = False,
    distractors: Annotated[
        Path | None,
        typer.Option(
            "--distractors",
            help="Index the seeds together with this folder's documents (in a temporary index) "
            "and score with them competing.",
        ),
    ] = None,
    by_document: Annotated[
        bool,
        typer.Option(
            "--by-document",
            help="A hit is relevant when it comes from the expected document, whether or not "
            "it quotes an answer.",
        ),
    ] = False,
    split: Annotated[
        str | None,
        typer.Option(
            "--split", help='Score only the questions whose "split" field is this (e.g. heldout).'
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Score retrieval on a question set: recall@1/5/10, MRR@10, by language, how often the
    answering sentences quote the answer; list the misses."""
    from reindustry_kb.ask.evaluate import format_table

    reports = _evaluate(settings, questions, compare, distractors, by_document, split, not as_json)
    if as_json:
        print_json({name: report.model_dump() for name, report in reports.items()})
        return
    typer.echo(format_table(reports))
    _print_misses(reports["hybrid"].misses)


def _evaluate(
    settings: Settings,
    questions: Path,
    compare: bool,
    distractors: Path | None,
    by_document: bool,
    split: str | None,
    show: bool,
) -> dict[str, Any]:
    """Each retriever's report on the questions (the hybrid's alone unless `compare`), over the
    index, or over the seeds and the distractors indexed together in a temporary folder."""
    import tempfile

    from reindustry_kb.ask.evaluate import (
        compare_retrievers,
        documents_only,
        evaluate,
        load_questions,
        only_split,
    )
    from reindustry_kb.ask.session import Session

    loaded = load_questions(questions)
    if split is not None:
        loaded = only_split(loaded, split, questions)
    if by_document:
        loaded = documents_only(loaded, questions)
    with tempfile.TemporaryDirectory(prefix="rkb-eval-") as tmp:
        if distractors is not None:
            settings = _with_distractors(settings, distractors, Path(tmp), show)
        runs = compare_retrievers(Session.open(settings))
        return {name: evaluate(loaded, runs[name]) for name in (runs if compare else ["hybrid"])}


def _with_distractors(settings: Settings, distractors: Path, folder: Path, show: bool) -> Settings:
    """The seeds and the distractors together in a library under folder, indexed there."""
    from reindustry_kb.ask.evaluate import library_with_distractors

    library = library_with_distractors(settings.seeds_dir, distractors, folder)
    update = {"seeds_dir": library, "index_dir": folder / "index", "database_url": None}
    settings = settings.model_copy(update=update)  # a library of its own, in local files
    build_with_progress(settings, show=show)
    return settings


def _print_misses(misses: list[dict[str, Any]]) -> None:
    """The questions whose expected passage was not first, with where it stood."""
    from rich.console import Console
    from rich.text import Text

    if misses:
        typer.echo(f"\nnot first ({len(misses)}):")
    console = Console()
    for miss in misses:
        rank = miss["rank"] or ">10"
        typer.echo(f"  {miss['id']}  rank {rank}  (top: {miss['top']})")
        # The question under it, wrapped at the terminal's width (Chinese by the cell).
        for line in Text(miss["question"]).wrap(console, max(console.width - 4, 20)):
            typer.echo(f"    {line.plain.rstrip()}")
