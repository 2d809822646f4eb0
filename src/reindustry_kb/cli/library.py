"""`rkb docs` and `rkb show`: what the index holds, and the lines a citation names."""

from __future__ import annotations

from typing import Annotated

import typer

from reindustry_kb.cli.app import AsJson, Chosen, command, dump, show, views
from reindustry_kb.settings import Settings


@command("docs", "index_dir")
def docs_cli(settings: Settings, chosen: Chosen, as_json: AsJson = False) -> None:
    """List the indexed documents and their metadata."""
    from reindustry_kb.ask.session import open_reader

    documents = open_reader(settings).documents()
    show(as_json, lambda: dump(documents), lambda c: views().render_documents(c, documents))


@command("show", "index_dir")
def show_cli(
    settings: Settings,
    chosen: Chosen,
    citation: Annotated[str, typer.Argument(help="A citation such as 001_dafb8ff7b3d20019:L5-L7.")],
    context: Annotated[
        int,
        typer.Option(
            "--context",
            "-C",
            min=0,
            max=50,
            help="Lines of context around the cited ones, 0 to 50.",
        ),
    ] = 2,
) -> None:
    """Print a cited span of a document with surrounding lines."""
    from rich.console import Console

    from reindustry_kb.ask.session import open_reader
    from reindustry_kb.ask.show import show as excerpt_of

    views().render_excerpt(Console(), excerpt_of(open_reader(settings), citation, context))
