"""Selecting claims from the index: `rkb claims` and its filters.

`--actor` and `--lever` select passages: the claims returned are those in passages that mention
the actor (any alias, any script) or trigger the lever, so `--kind statistic --lever tariff`
lists the figures cited about tariffs. `--since`/`--until` compare a date claim's own value and,
for other kinds, the document's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reindustry_kb.claims.lexicon import canonical_actor, fold_term
from reindustry_kb.models import Claim
from reindustry_kb.search import Filters
from reindustry_kb.store import IndexReader


@dataclass(frozen=True)
class ClaimFilters:
    kind: str | None = None
    docs: tuple[str, ...] = ()
    actor: str | None = None
    lever: str | None = None
    unit: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    since: str | None = None
    until: str | None = None

    def sql(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        kind = self.kind
        if self.unit or self.min_value is not None or self.max_value is not None:
            kind = kind or "statistic"
        if kind:
            clauses.append("c.kind = ?")
            params.append(kind)
        if self.docs:
            where, doc_params = Filters(docs=self.docs).sql()
            clauses.append(where)
            params += doc_params
        if self.unit:
            clauses.append("upper(c.unit) = upper(?)")
            params.append(self.unit)
        if self.min_value is not None:
            clauses.append("c.value_num >= ?")
            params.append(self.min_value)
        if self.max_value is not None:
            clauses.append("c.value_num <= ?")
            params.append(self.max_value)
        for bound, op in ((self.since, ">="), (self.until, "<=")):
            if bound:
                clauses.append(
                    f"(CASE WHEN c.kind = 'date' THEN substr(c.value_text, 1, ?) {op} ? "
                    f"ELSE d.date IS NOT NULL AND substr(d.date, 1, ?) {op} ? END)"
                )
                params += [len(bound), bound, len(bound), bound]
        if self.actor:
            names = {self.actor, fold_term(self.actor), canonical_actor(self.actor) or self.actor}
            marks = ",".join("?" * len(names))
            clauses.append(
                "c.passage_id IN (SELECT passage_id FROM claims WHERE kind = 'actor' AND "
                f"(canonical IN ({marks}) OR text IN ({marks})))"
            )
            params += [*names, *names]
        if self.lever:
            clauses.append(
                "c.passage_id IN (SELECT passage_id FROM claims "
                "WHERE kind = 'policy_lever' AND lever = ?)"
            )
            params.append(self.lever)
        return " AND ".join(clauses) or "1", params


def find_claims(reader: IndexReader, filters: ClaimFilters) -> list[Claim]:
    return reader.claims(*filters.sql())
