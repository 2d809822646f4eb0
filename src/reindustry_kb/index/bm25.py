"""BM25's constants and inverse document frequency, shared by every backend (which store each
posting's impact, tf (k1 + 1) / (tf + k1 (1 - b + b len / avgdl))) and the query code (which
weighs a question's terms by IDF). Textbook BM25: k1 1.2, b 0.75."""

from __future__ import annotations

import math

K1 = 1.2
B = 0.75


def idf(n: int, df: int) -> float:
    """BM25's inverse document frequency of a term in `df` of `n` passages."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))
