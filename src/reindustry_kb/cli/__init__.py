"""`rkb`: a thin typer layer, one module per command (or family of commands). Each command
validates its input, calls one library function, and renders; `cli.app.command` gives every one
the same settings, filters and error handling. Library errors become one line on stderr and
exit code 1; stdout carries only the output asked for."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from reindustry_kb import __version__
from reindustry_kb.cli import ask, claims, db, evaluate, export, index, library
from reindustry_kb.cli.app import app
from reindustry_kb.errors import RkbError, redact

__all__ = ["app", "ask", "claims", "db", "evaluate", "export", "index", "library", "main"]


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
    """Find, cite and compare claims in Chinese (Traditional and Simplified) and English
    policy documents."""


def main() -> None:
    """Console entry point: every error is one line on stderr, no traceback reaches the user
    unless RKB_DEBUG is set."""
    try:
        sys.exit(app(standalone_mode=False) or 0)
    except KeyboardInterrupt:
        typer.echo("error: interrupted", err=True)
        sys.exit(130)
    except RkbError as exc:  # bad input found outside a command (none is known)
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:
        if type(exc).__name__ == "Abort":  # Ctrl-C at a prompt, as click reports it
            typer.echo("error: interrupted", err=True)
            sys.exit(130)
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            # The command line itself (click's, vendored by typer): a misspelt option, a
            # missing argument, a value out of range.
            context = getattr(exc, "ctx", None)
            command = context.command_path if context is not None else "rkb"
            if message := exc.format_message():  # none after the help `rkb` alone prints
                typer.echo(f"error: {message} (see `{command} --help`)", err=True)
            sys.exit(exc.exit_code)
        if os.environ.get("RKB_DEBUG"):  # a bug, not bad input: say so in one line
            raise
        message = redact(str(exc))  # a driver's error may quote a connection string
        typer.echo(
            f"error: unexpected {type(exc).__name__}: {message} (set RKB_DEBUG=1 for details)",
            err=True,
        )
        sys.exit(1)
