"""Copies of a file: the same bytes indexed under two names (`report.pdf` and `report (1).pdf`
in a team's folder) say everything twice. `rkb ask`, `compare` and `timeline` show a copy's
passage, figure or event once, under the first of its names, and name the others (so does
`rkb claims`: a copy's claims are no more claims): a figure is
not corroborated by its own copy, a timeline does not repeat an event, and a hit's lead over
the other hits (the confidence's evidence) is not a lead over itself. Texts that only read
alike in different documents (two laws' `本法自公布日施行。`) are no copies: their files differ.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from reindustry_kb.models import Claim, Document

Item = TypeVar("Item")


def without_copies(
    items: Sequence[Item],
    place: Callable[[Item], tuple[str, int, int]],
    documents: Mapping[str, Document],
) -> tuple[list[Item], list[list[Item]]]:
    """The items, in their order, without those that stand where an earlier one does in a copy
    of its file (`place`: an item's document and character span), and for each item kept the
    ones it stands for."""
    kept: dict[tuple[str, int, int], int] = {}
    distinct: list[Item] = []
    copies: list[list[Item]] = []
    for item in items:
        doc_id, start, end = place(item)
        identity = (documents[doc_id].sha256, start, end)
        if identity in kept:
            copies[kept[identity]].append(item)
            continue
        kept[identity] = len(distinct)
        distinct.append(item)
        copies.append([])
    return distinct, copies


def distinct_claims(
    claims: Sequence[Claim], documents: Mapping[str, Document]
) -> tuple[list[Claim], list[list[str]]]:
    """The claims without those a copy of their file repeats, and for each claim kept the
    citations of the same claim in its file's copies."""
    kept, copies = without_copies(claims, lambda c: (c.doc_id, c.char_start, c.char_end), documents)
    return kept, [[c.citation for c in found] for found in copies]
