"""`rkb index`: build the index from a folder, or check whether it is stale."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated

import typer

from reindustry_kb.cli.app import AsJson, Chosen, command, print_json
from reindustry_kb.settings import Settings

if TYPE_CHECKING:
    from reindustry_kb.models import IndexStats, Skipped


@command("index", "seeds_dir", "index_dir", "embedder", "model", "max_file_mb")
def index_cli(
    settings: Settings,
    chosen: Chosen,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Only compare the seeds with the index, and exit 1 when it is stale."
        ),
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
    as_json: AsJson = False,
) -> None:
    """Build the index from the seed documents, embedding only what changed. A file that
    cannot be indexed is skipped with its reason; the rest is indexed."""
    if check:
        _check(settings, as_json, strict)
        return
    stats = build_with_progress(settings, show=not as_json, strict=strict, replace=replace)
    if as_json:
        print_json(stats.model_dump())
        return
    from rich.console import Console

    _print_skipped(stats.skipped)
    Console().print(_summary(stats), markup=False)


def _summary(stats: IndexStats) -> str:
    """What `rkb index` did, in two lines (and the clauses that only some builds need)."""
    from reindustry_kb.out.render import counted

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
        f"Indexed {counted(stats.n_documents, 'document')}, "
        f"{counted(stats.n_passages, 'passage')}, {counted(stats.n_claims, 'claim')} "
        f"with {stats.embedder} ({stats.model}) in {stats.seconds:.1f}s "
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


def build_with_progress(
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

        # An error leaves the bar first (it is transient), then `command` prints it.
        return build_index(settings, progress=report, strict=strict, replace=replace)


def _check(settings: Settings, as_json: bool, strict: bool = False) -> None:
    from reindustry_kb.indexing.freshness import check_index
    from reindustry_kb.out.render import counted

    result = check_index(settings)
    failed = strict and bool(result.unreadable)
    if as_json:
        print_json(result.model_dump())
    elif result.up_to_date and failed:
        typer.echo(
            f"index is up to date with {settings.seeds_dir}, but --strict: "
            f"{len(result.unreadable)} file(s) cannot be indexed; fix or remove them"
        )
        for skipped in result.unreadable:
            typer.echo(f"  {skipped.path}: {_without_name(skipped)}")
    elif result.up_to_date:
        apart = f", {len(result.unreadable)} skipped" if result.unreadable else ""
        typer.echo(
            f"index is up to date with {settings.seeds_dir} "
            f"({counted(result.indexed, 'document')}{apart})"
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
