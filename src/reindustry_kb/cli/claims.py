"""`rkb claims`, `rkb compare`, `rkb timeline`: the typed claims, figures set side by side, and
dated events."""

from __future__ import annotations

from typing import Annotated

import typer

from reindustry_kb.cli.app import AsCsv, AsJson, Chosen, command, dump, one_format, show, views
from reindustry_kb.settings import Settings


@command(
    "claims",
    *("kind", "doc", "actor", "lever", "unit", "min_value", "max_value", "since", "until"),
    "index_dir",
)
def claims_cli(
    settings: Settings, chosen: Chosen, as_json: AsJson = False, as_csv: AsCsv = False
) -> None:
    """List typed claims (statistics, dates, actors, policy levers) with filters; a claim
    in a file indexed twice (the same bytes under another name) once, naming the copy."""
    from reindustry_kb.ask.copies import distinct_claims
    from reindustry_kb.ask.session import open_reader

    one_format(as_json, as_csv)
    reader = open_reader(settings)
    found = reader.find_claims(chosen.claims())
    claims, copies = distinct_claims(found, reader.documents_by_id({c.doc_id for c in found}))
    csv = (lambda: views().claims_csv(claims, copies)) if as_csv else None
    show(
        as_json,
        lambda: [{**row, "copies": cited} for row, cited in zip(dump(claims), copies, strict=True)],
        lambda c: views().render_claims(c, claims, copies),
        csv,
    )


@command(
    "compare",
    *("unit", "since", "until", "index_dir"),
    helps={
        "since": "Figures of documents dated on or after YYYY[-MM[-DD]].",
        "until": "Figures of documents dated on or before YYYY[-MM[-DD]].",
    },
)
def compare_cli(
    settings: Settings,
    chosen: Chosen,
    query: Annotated[str, typer.Argument(help="What is measured, e.g. 'tariff revenue'.")],
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """Compare the figures cited for a measure across sources: grouped by unit, scope and
    period, in date order, disagreements flagged. On a terminal, bars scaled within each group
    follow its table."""
    from reindustry_kb.ask.compare import compare
    from reindustry_kb.ask.questions import clean_question
    from reindustry_kb.ask.session import Session

    one_format(as_json, as_csv)
    query = clean_question(query, 'rkb compare "tariff revenue"')
    found = compare(Session.open(settings), query, chosen.unit, chosen.since, chosen.until)
    csv = (lambda: views().comparison_csv(found)) if as_csv else None
    show(as_json, found.model_dump, lambda c: views().render_comparison(c, found), csv)


@command(
    "timeline",
    *("actor", "lever", "doc", "since", "until", "index_dir"),
    helps={
        "actor": "Events naming this actor (any alias, any script).",
        "lever": "Events using this policy lever.",
        "since": "Events on or after YYYY[-MM[-DD]].",
        "until": "Events on or before YYYY[-MM[-DD]].",
    },
)
def timeline_cli(
    settings: Settings,
    chosen: Chosen,
    as_json: AsJson = False,
    every_date: Annotated[
        bool,
        typer.Option(
            "--every-date",
            help="Also list the dates that are no events, each with its role: a statistic's "
            "comparison point (since 1940), a bound of a span, a date that names or cites.",
        ),
    ] = False,
) -> None:
    """List dated events in date order: what happens at each date, who, with citations; a
    relative date (this year, 去年) is resolved against its document's date. --actor and
    --lever keep the events naming that actor or using that lever. On a terminal, a time axis
    under the table shows when they fall."""
    from reindustry_kb.ask.session import open_reader
    from reindustry_kb.ask.timeline import timeline
    from reindustry_kb.claims.temporal import ROLES, TIMELINE_ROLES

    filters = chosen.claims()
    roles = ROLES if every_date else TIMELINE_ROLES
    entries = timeline(open_reader(settings), filters, roles)
    show(as_json, lambda: dump(entries), lambda c: views().render_timeline(c, entries))
