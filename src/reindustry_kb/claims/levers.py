"""Policy levers: each trigger phrase from data/levers.json names one lever of the taxonomy."""

from __future__ import annotations

from collections.abc import Iterator

from reindustry_kb.claims.base import Found
from reindustry_kb.claims.lexicon import lever_lexicon


def extract_levers(text: str) -> Iterator[Found]:
    """Policy-lever trigger phrases in folded text."""
    for start, end, lever in lever_lexicon().find(text):
        yield Found("policy_lever", start, end, {"lever": lever})
