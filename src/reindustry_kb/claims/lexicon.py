"""Phrase lexicons (actor aliases, lever triggers) matched on folded text, longest first.

Chinese entries match as substrings of the folded text, so one Traditional or Simplified entry
covers both scripts. Latin entries match on word boundaries; those written with capitals match
case-sensitively (US is a country, us is not), the others in any case.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import Any

from reindustry_kb.text.normalize import fold_text
from reindustry_kb.text.tokenize import singular


def fold_term(term: str) -> str:
    """Fold a lexicon entry as the text it is matched against (phrases, case kept)."""
    return fold_text(term, lower=False)


# A Latin-script word; a trailing dot belongs to abbreviations such as U.S.
_WORD = re.compile(r"[A-Za-z0-9$]+(?:[.&'’-][A-Za-z0-9]+)*\.?")
# Where a possessive (China's) or the rest of a compound (Trump-era) begins.
_ENDING = re.compile(r"['’-]")


# Characters a lexicon reads position by position before it compiles its Han entries into one
# regex: a question never pays the compile (a tenth of a second for the glossary's thousands of
# entries, on every cold `rkb ask`); a build pays it once, after its first few passages, and
# then matches at the regex's speed (the scan is twice as slow over a library's passages).
COMPILE_AFTER = 20_000


@dataclass
class Lexicon:
    """Entries with Han characters match position by position, then, once the lexicon has read
    COMPILE_AFTER characters, by one regex; Latin-script entries by word n-grams."""

    han_terms: tuple[str, ...]  # folded entries that are not wholly Latin words, longest first
    cased: dict[tuple[str, ...], Any]  # entries written with capitals: US, Meta
    caseless: dict[tuple[str, ...], Any]  # lower-case entries: tariff, trade deal
    longest: int  # words in the longest Latin entry
    entries: dict[str, Any]  # folded term (lower case when case-free) -> payload
    # A case-free entry is found with its last word in the plural too (penalties finds penalty),
    # unless an entry of its own says otherwise.
    plurals: bool = False
    read: int = field(default=0, init=False)  # characters matched so far

    @cached_property
    def han(self) -> re.Pattern[str]:
        return re.compile("|".join(map(re.escape, self.han_terms)))

    def find(self, text: str) -> Iterator[tuple[int, int, Any]]:
        """Non-overlapping longest matches of the lexicon's phrases in text."""
        found = list(self._latin(text))
        for start, stop in self._han(text):
            payload = self.entries.get(text[start:stop])
            if payload is not None:
                found.append((start, stop, payload))
        found.sort(key=lambda item: (item[0], item[0] - item[1]))
        end = -1
        for start, stop, payload in found:
            if start >= end:  # leftmost, then longest; no overlaps
                end = stop
                yield start, stop, payload

    def _han(self, text: str) -> Iterator[tuple[int, int]]:
        """Leftmost-longest, non-overlapping spans of Han entries, as the regex finds them."""
        if not self.han_terms:
            return
        self.read += len(text)
        if self.read > COMPILE_AFTER:
            yield from (m.span() for m in self.han.finditer(text))
            return
        longest = len(self.han_terms[0])
        position = 0
        while position < len(text):
            for size in range(min(longest, len(text) - position), 0, -1):
                if text[position : position + size] in self._han_set:
                    yield position, position + size
                    position += size
                    break
            else:
                position += 1

    @cached_property
    def _han_set(self) -> frozenset[str]:
        return frozenset(self.han_terms)

    @cached_property
    def _first_words(self) -> frozenset[str]:
        """Every entry's first word, as written and in lower case: most words of a text begin
        no entry, and are passed over without a lookup."""
        return frozenset(key[0] for key in self.cased) | frozenset(key[0] for key in self.caseless)

    def _may_begin(self, word: str) -> bool:
        firsts = self._first_words
        if word in firsts or word.lower() in firsts:
            return True
        stem = _ENDING.split(word.removesuffix("."), maxsplit=1)[0]  # as _lookup tries it
        return (
            stem in firsts
            or stem.lower() in firsts
            or (self.plurals and singular(word.lower()) in firsts)
        )

    def _latin(self, text: str) -> Iterator[tuple[int, int, Any]]:
        words = list(_WORD.finditer(text))
        for i in range(len(words)):
            if not self._may_begin(words[i].group()):
                continue
            for n in range(min(self.longest, len(words) - i), 0, -1):
                run = words[i : i + n]
                if any(text[a.end() : b.start()] != " " for a, b in itertools.pairwise(run)):
                    continue
                hit = self._lookup([w.group() for w in run])
                if hit is not None:
                    payload, dropped = hit
                    yield run[0].start(), run[-1].end() - dropped, payload
                    break

    def _lookup(self, words: list[str]) -> tuple[Any, int] | None:
        """(payload, characters to drop from the end) or None. Besides the words as written,
        the last one is tried without a sentence's full stop (policy.), a possessive (China's)
        or the rest of a compound (Trump-era)."""
        last = words[-1]
        endings = [last]
        if last.endswith(".") and len(last) > 1:
            endings.append(last[:-1])
        cut = _ENDING.split(last, maxsplit=1)[0]
        if cut and cut != last:
            endings.append(cut)
        for ending in endings:
            key = (*words[:-1], ending)
            lowered = tuple(word.lower() for word in key)
            payload = self.cased.get(key, self.caseless.get(lowered))
            if payload is not None:
                return payload, len(last) - len(ending)
        if self.plurals and (one := singular(last.lower())) != last.lower():
            payload = self.caseless.get((*(word.lower() for word in words[:-1]), one))
            if payload is not None:
                return payload, 0  # the plural is the phrase's own word: none of it dropped
        return None


def build_lexicon(terms: dict[str, Any], plurals: bool = False) -> Lexicon:
    """A phrase matcher over the given phrases and their values (`plurals`: Lexicon's)."""
    entries: dict[str, Any] = {}
    cased: dict[tuple[str, ...], Any] = {}
    caseless: dict[tuple[str, ...], Any] = {}
    han: list[str] = []
    # One OpenCC call for all entries: conversion never crosses a line break.
    folded_terms = fold_term("\n".join(terms)).split("\n")
    for payload, folded in zip(terms.values(), folded_terms, strict=True):
        words = [m.group() for m in _WORD.finditer(folded)]
        if " ".join(words) == folded:  # wholly Latin-script words
            case_free = folded == folded.lower()
            table = caseless if case_free else cased
            table.setdefault(tuple(words), payload)
            entries.setdefault(folded, payload)
        else:
            han.append(folded)
            entries.setdefault(folded, payload)
    han.sort(key=len, reverse=True)
    longest = max((len(key) for key in [*cased, *caseless]), default=1)
    return Lexicon(tuple(han), cased, caseless, longest, entries, plurals)


def table_lines(name: str) -> list[tuple[str, list[str]]]:
    """A bilingual table's lines (data/NAME: glossary.tsv, places.tsv, law_terms.tsv,
    legal_vocabulary.tsv): each English term and its Chinese words (| separated), comments and
    blank lines left out."""
    text = resources.files("reindustry_kb").joinpath(f"data/{name}").read_text("utf-8")
    lines = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            english, chinese = (part.strip() for part in line.split("\t"))
            lines.append((english, [w.strip() for w in chinese.split("|") if w.strip()]))
    return lines


def load_json(name: str) -> Any:
    """A JSON table from the package's data folder."""
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
def home_ministries() -> dict[str, dict[str, tuple[str, str]]]:
    """A bare ministry name (folded) -> {country: (canonical, type)}: 国防部 is the ministry of
    the country a document is about, from the `country` and `home` of data/actors.json."""
    found: dict[str, dict[str, tuple[str, str]]] = {}
    for entry in load_json("actors.json"):
        for name in entry.get("home", []):
            found.setdefault(fold_term(name), {})[entry["country"]] = (
                entry["canonical"],
                entry["type"],
            )
    return found


@cache
def government_states() -> dict[str, str]:
    """A government body's canonical name -> its state (the `country` of data/actors.json): a
    name two states use (the International Trade Administration) has none."""
    return {
        entry["canonical"]: entry["country"]
        for entry in load_json("actors.json")
        if entry["type"] == "government" and entry.get("country")
    }


@cache
def common_noun_terms() -> frozenset[str]:
    """The glossary's English terms (sovereign wealth fund, data center): common nouns, so a
    name written like one in title case is no organisation."""
    return frozenset(english.lower() for english, _chinese in table_lines("glossary.tsv"))


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


def actor_names(actor: str | None) -> set[str]:
    """How a filter's actor may be stored: as given, folded, and its canonical name."""
    if not actor:
        return set()
    return {actor, fold_term(actor), canonical_actor(actor) or actor}


def names_one_of(names: set[str], shown: Iterable[str]) -> bool:
    """Whether actors as shown (許毓仁, in their document's script) hold one of a filter's
    `actor_names` (许毓仁 as well)."""
    return bool(names & {form for actor in shown for form in (actor, fold_term(actor))})
