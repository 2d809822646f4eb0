"""Selecting claims from the index: `rkb claims` and its filters.

`--actor` and `--lever` select passages: the claims returned are those in passages that mention
the actor (any alias, any script) or trigger the lever, so `--kind statistic --lever tariff`
lists the figures cited about tariffs. `--since`/`--until` compare a date claim's own value and,
for other kinds, the document's date.
"""

from __future__ import annotations

from reindustry_kb.models import Claim, ClaimFilters
from reindustry_kb.store import IndexReader

__all__ = ["ClaimFilters", "find_claims"]


def find_claims(reader: IndexReader, filters: ClaimFilters) -> list[Claim]:
    """The claims the filters select."""
    return reader.find_claims(filters)
