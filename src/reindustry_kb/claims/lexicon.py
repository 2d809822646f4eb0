"""Phrase lexicons (actor aliases, lever triggers) matched on folded text, longest first.

Chinese entries match as substrings of the folded text, so one Traditional or Simplified entry
covers both scripts. Latin entries match on word boundaries; those written with capitals match
case-sensitively (US is a country, us is not), the others in any case.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from reindustry_kb.normalize import fold


def fold_term(term: str) -> str:
    """Fold a lexicon entry exactly as the text it is matched against (phrases, case kept)."""
    return fold(term, lower=False).text


@dataclass(frozen=True)
class Lexicon:
    pattern: re.Pattern[str]
    entries: dict[str, Any]  # folded term (lower case for case-free Latin terms) -> payload

    def find(self, text: str) -> Iterator[tuple[int, int, Any]]:
        for m in self.pattern.finditer(text):
            term = m.group()
            payload = self.entries.get(term) or self.entries.get(term.lower())
            if payload is not None:
                yield m.start(), m.end(), payload


def build_lexicon(terms: dict[str, Any]) -> Lexicon:
    entries: dict[str, Any] = {}
    alternatives: list[tuple[int, str]] = []
    for term, payload in terms.items():
        folded = fold_term(term)
        if re.search(r"[A-Za-z]", folded):
            case_free = folded == folded.lower()
            key = folded.lower() if case_free else folded
            escaped = re.escape(folded)
            body = f"(?i:{escaped})" if case_free else escaped
            alternatives.append((len(folded), rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])"))
        else:
            key = folded
            alternatives.append((len(folded), re.escape(folded)))
        entries.setdefault(key, payload)
    alternatives.sort(key=lambda item: -item[0])
    return Lexicon(re.compile("|".join(pattern for _, pattern in alternatives)), entries)


def load_json(name: str) -> Any:
    return json.loads(resources.files("reindustry_kb").joinpath(f"data/{name}").read_text("utf-8"))


@cache
def actor_lexicon() -> Lexicon:
    """Alias -> (canonical, type) from data/actors.json."""
    terms: dict[str, tuple[str, str]] = {}
    for entry in load_json("actors.json"):
        for alias in [entry["canonical"], *entry["aliases"]]:
            terms.setdefault(alias, (entry["canonical"], entry["type"]))
    return build_lexicon(terms)


@cache
def lever_lexicon() -> Lexicon:
    """Trigger -> lever id from data/levers.json."""
    terms: dict[str, str] = {}
    for lever, triggers in load_json("levers.json").items():
        for trigger in triggers:
            terms.setdefault(trigger, lever)
    return build_lexicon(terms)


def canonical_actor(name: str) -> str | None:
    """The canonical name for any alias in any script, or None."""
    folded = fold_term(name.strip())
    lexicon = actor_lexicon()
    payload = lexicon.entries.get(folded) or lexicon.entries.get(folded.lower())
    return payload[0] if payload else None
