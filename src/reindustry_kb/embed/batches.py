"""Texts in consecutive batches, for the embedders and their worker pools."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator


def blocks(items: Iterable[str], size: int) -> Iterator[list[str]]:
    """Consecutive lists of `size` items (the last may be shorter)."""
    iterator = iter(items)
    while block := list(itertools.islice(iterator, size)):
        yield block
