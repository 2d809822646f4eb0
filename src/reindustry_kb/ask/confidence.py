"""How likely a hit is to answer its question: a probability that means the same whatever the
question, and below a threshold, a weak hit.

The ranking's scores are min-max normalised per question, so the first hit of a question the
library cannot answer ("best pizza recipe in Naples") scores as high as a perfect answer. The
evidence used here is read before any normalisation: the raw cosine of the question with the
passage and with its best sentence window, the passage's standardised dense score (ask/dense.py)
and its lead over the other hits, BM25 against the best it could be, and how much of the
question's ideas the passage names (in either language, through the glossary). A logistic
model turns it into a probability of relevance; its coefficients are fitted per embedder and
model (data/calibration.json, by scripts/calibrate.py), as each embedder's cosines have their
own scale. An index built with an embedder that has none gets no probability and no weak hit.
With a reranker (embed/cross_encoder.py) the key names it too; a reranker without a fit gives
its own probability, the sigmoid of its logit, weak below RERANKER_THRESHOLD, and says so.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from reindustry_kb.ask.places import asked_places
from reindustry_kb.ask.query import Concept
from reindustry_kb.ask.terms import Terms
from reindustry_kb.index.bm25 import K1, idf
from reindustry_kb.models import Passage, language_group
from reindustry_kb.text.dates import written_years
from reindustry_kb.text.language import detect_language
from reindustry_kb.text.normalize import fold_text, is_han

# The evidence of a hit; a calibration names the ones it weighs.
FEATURES = (
    "cosine",  # the question's cosine with the passage
    "window_cosine",  # ... with its best sentence window
    "dense_lead",  # its standardised dense score (ask/dense.py) less the best other hit's
    "lexical",  # BM25 over the most the question's terms could score
    "ideas",  # IDF-weighted share of the question's ideas the passage names
    "unknown_ideas",  # IDF-weighted share of the question's ideas the index knows in no form
    "missing_year",  # the question names a year neither the passage nor its document holds
    "missing_country",  # the question names a country neither the passage nor its document does
    "place_share",  # the share of its document's place mentions that are the question's places
    "cross_language",  # the passage is not in the question's language
    "rank",  # log of the hit's rank
)

# A hit's lead is measured against the other hits of the first LEAD_DEPTH, which every
# question ranks (the first k of a ranking do not depend on k), so that a hit's probability
# does not change with -k.
LEAD_DEPTH = 5
# Below this a reranker's own (unfitted) probability marks a hit weak: even odds.
RERANKER_THRESHOLD = 0.5


@dataclass(frozen=True)
class Calibration:
    """A logistic model over standardised features, and the probability below which a hit is
    weak."""

    key: str  # "embedder/model"
    features: tuple[str, ...]  # of FEATURES
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coefficients: tuple[float, ...]
    intercept: float
    threshold: float

    def probability(self, evidence: dict[str, float]) -> float:
        z = self.intercept + sum(
            c * (evidence[name] - m) / s
            for name, c, m, s in zip(
                self.features, self.coefficients, self.mean, self.scale, strict=True
            )
        )
        return 1 / (1 + math.exp(-max(min(z, 40.0), -40.0)))

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": [round(v, 6) for v in self.mean],
            "scale": [round(v, 6) for v in self.scale],
            "coefficients": [round(v, 6) for v in self.coefficients],
            "intercept": round(self.intercept, 6),
            "threshold": self.threshold,
        }


def calibration_key(embedder: str, model: str, reranker: str | None = None) -> str:
    """`embedder/model`, and `+reranker` when a cross-encoder scores the hits: its scores
    change what a hit's evidence (its rank, its lead) means."""
    return f"{embedder}/{model}" + (f"+{reranker}" if reranker else "")


@cache
def shipped() -> dict[str, Any]:
    """data/calibration.json: {key: calibration, ...}, each with its held-out figures."""
    text = resources.files("reindustry_kb").joinpath("data/calibration.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def calibration_for(embedder: str, model: str, reranker: str | None = None) -> Calibration | None:
    """The shipped calibration of an embedder and model (and reranker), or None when it has
    none (or one that weighs evidence this version does not gather)."""
    key = calibration_key(embedder, model, reranker)
    entry = shipped().get(key)
    if entry is None or not set(entry["features"]) <= set(FEATURES):
        return None
    return from_json(key, entry)


def from_json(key: str, entry: dict[str, Any]) -> Calibration:
    return Calibration(
        key=key,
        features=tuple(entry["features"]),
        mean=tuple(entry["mean"]),
        scale=tuple(entry["scale"]),
        coefficients=tuple(entry["coefficients"]),
        intercept=float(entry["intercept"]),
        threshold=float(entry["threshold"]),
    )


@dataclass(frozen=True)
class Signals:
    """What the search knew of one hit before normalising."""

    cosine: float
    window_cosine: float
    dense: float
    lexical: float  # raw BM25, 0 when BM25 did not reach the passage
    year: str | None = None  # the year of the passage's document
    countries: frozenset[str] = frozenset()  # the countries its document names (actor claims)
    place_share: float = 1.0  # of its document's place mentions, those of the question's places


def evidence(
    terms: Terms,
    question: str,
    every: Sequence[Concept],
    weighted: Sequence[tuple[str, float]],
    hits: Sequence[tuple[Passage, Signals]],
) -> list[dict[str, float]]:
    """The FEATURES of each hit of a question, in rank order (at least the first LEAD_DEPTH
    the question has). `weighted` are the question's BM25 terms with their weights
    (query.Query.weighted_terms), `every` its ideas (query.concepts)."""
    ideal = sum(w * terms.idf(t) * (K1 + 1) for t, w in _strongest(weighted).items() if t in terms)
    weighed = [(idea, *_idea_weight(terms, idea)) for idea in every]
    ideas = [idea for idea, _, known in weighed if known]
    weights = [weight for _, weight, known in weighed if known]
    total = sum(weight for _, weight, _ in weighed)
    unknown = 1 - sum(weights) / total if total > 0 else 0.0
    places = [idea for idea in every if idea.country]
    # Places named by an adjective (a South Korean company) or jurisdictions that are no
    # country (the EU): their document must name them.
    adjectives = asked_places(question) - {idea.country for idea in places}
    asked_years = written_years(question)
    language = language_group(detect_language(question))
    rows = []
    for rank, (passage, signals) in enumerate(hits, start=1):
        tokens, folded = set(terms.query_terms(passage.text)), fold_text(passage.text)
        named = [idea.found_in(tokens, folded) for idea in ideas]
        held = sum(w for w, found in zip(weights, named, strict=True) if found)
        years = written_years(passage.text) | {signals.year}
        others = [s.dense for p, s in hits[:LEAD_DEPTH] if p.passage_id != passage.passage_id]
        rows.append(
            {
                "cosine": signals.cosine,
                "window_cosine": signals.window_cosine,
                "dense_lead": signals.dense - max(others) if others else 0.0,
                "lexical": signals.lexical / ideal if ideal > 0 else 0.0,
                "ideas": held / total if total > 0 else 0.0,
                "unknown_ideas": unknown,
                "missing_year": float(bool(asked_years - years)),
                "missing_country": float(
                    not all(
                        p.country in signals.countries or p.found_in(tokens, folded) for p in places
                    )
                    or not adjectives <= signals.countries
                ),
                "place_share": signals.place_share,
                "cross_language": float(language_group(passage.lang) != language),
                "rank": math.log(rank),
            }
        )
    return rows


def _strongest(weighted: Sequence[tuple[str, float]]) -> dict[str, float]:
    best: dict[str, float] = {}
    for term, weight in weighted:
        best[term] = max(weight, best.get(term, 0.0))
    return best


def _idea_weight(terms: Terms, idea: Concept) -> tuple[float, bool]:
    """An idea weighs as the rarest of its words the index knows, in any of its forms
    (True); an idea it knows in no form, as a word never seen among the passages of its
    language (False): little in a library with few passages in that language."""
    forms = [idea.tokens, *idea.equivalents]
    known = [terms.idf(t) for form in forms for t in form if t in terms]
    if known:
        return max(known), True
    group = "zh" if is_han(idea.tokens[0][0]) else "en"
    sizes = dict(zip(terms.groups, terms.stats.group_sizes, strict=True))
    return (idf(sizes[group], 0) if sizes.get(group) else 0.0), False


# --- fitting (scripts/calibrate.py) ---------------------------------------------------------


def fit(
    key: str,
    features: Sequence[str],
    rows: Sequence[dict[str, float]],
    labels: Sequence[bool],
    ridge: float = 1.0,
) -> Calibration:
    """A logistic regression of `labels` on the standardised `features` of `rows` (L2 penalty
    `ridge` on the coefficients, not the intercept), by Newton's method; threshold 0.5 until
    the caller chooses one."""
    import numpy as np

    x = np.array([[row[name] for name in features] for row in rows], dtype=np.float64)
    y = np.array(labels, dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0  # a constant feature carries nothing; keep it harmless
    design = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    penalty = ridge * np.eye(design.shape[1])
    penalty[0, 0] = 0.0
    weights = np.zeros(design.shape[1])
    for _ in range(100):
        p = 1 / (1 + np.exp(-np.clip(design @ weights, -40, 40)))
        gradient = design.T @ (p - y) + penalty @ weights
        hessian = (design * (p * (1 - p))[:, None]).T @ design + penalty
        step = np.linalg.solve(hessian + 1e-9 * np.eye(len(weights)), gradient)
        weights -= step
        if np.abs(step).max() < 1e-10:
            break
    return Calibration(
        key=key,
        features=tuple(features),
        mean=tuple(float(v) for v in mean),
        scale=tuple(float(v) for v in scale),
        coefficients=tuple(float(v) for v in weights[1:]),
        intercept=float(weights[0]),
        threshold=0.5,
    )


def expected_calibration_error(
    probabilities: Sequence[float], labels: Sequence[bool], bins: int = 10
) -> float:
    """The mean gap between predicted and observed frequency of relevance over `bins` equal
    ranges of probability, each weighted by its share of the predictions."""
    counts = [0] * bins
    predicted = [0.0] * bins
    observed = [0.0] * bins
    for p, label in zip(probabilities, labels, strict=True):
        b = min(int(p * bins), bins - 1)
        counts[b] += 1
        predicted[b] += p
        observed[b] += float(label)
    total = sum(counts)
    if total == 0:
        return 0.0
    return sum(abs(predicted[b] - observed[b]) for b in range(bins) if counts[b]) / total
