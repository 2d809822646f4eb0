"""`rkb ask`: a question answered with ranked, cited passages."""

from __future__ import annotations

from typing import Annotated

import typer

from reindustry_kb.cli.app import AsJson, Chosen, command, show, views
from reindustry_kb.settings import Settings


@command(
    "ask",
    *("doc", "since", "until", "lang", "index_dir", "embedder", "model", "reranker"),
    helps={
        "since": "Passages of documents dated on or after YYYY[-MM[-DD]].",
        "until": "Passages of documents dated on or before YYYY[-MM[-DD]].",
    },
)
def ask_cli(
    settings: Settings,
    chosen: Chosen,
    question: Annotated[str, typer.Argument(help="A question in zh-Hant, zh-Hans or English.")],
    k: Annotated[
        int,
        typer.Option("-k", "--top", min=1, max=100, help="How many passages to show, 1 to 100."),
    ] = 5,
    as_json: AsJson = False,
) -> None:
    """Answer a question with ranked, cited passages."""
    from reindustry_kb.ask.questions import ask, clean_question
    from reindustry_kb.ask.session import Session

    filters = chosen.passages()
    question = clean_question(question)  # before the index is opened: bad input fails first
    session = Session.open(settings)
    result = ask(session, question, k, filters)
    terms = session.reader.query_terms(question)
    show(as_json, result.model_dump, lambda console: views().render_hits(console, result, terms))
