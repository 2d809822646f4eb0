"""Rows of fixed size read from a file by pread, nearby runs in one call: what a query reads of
a vector file, and a build of its spill of vectors."""

from __future__ import annotations

import os
from typing import Any

import numpy as np


def read_runs(
    fd: int, offset: int, row_bytes: int, dtype: Any, starts: Any, ends: Any, gap: int = 16
) -> Any:
    """The rows [start, end) of each pair from a file of fixed-size rows that begin at
    `offset`, concatenated flat. Runs in ascending order that lie within `gap` rows of each
    other are read by one pread: a query's candidates cluster in documents, and a system call
    costs more than the few rows between them."""
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    if len(starts) > 1 and np.all(starts[1:] >= ends[:-1]):
        breaks = np.flatnonzero(starts[1:] - ends[:-1] > gap) + 1
        first = starts[np.concatenate([[0], breaks])]
        last = ends[np.concatenate([breaks - 1, [len(ends) - 1]])]
        block = _pread_runs(fd, offset, row_bytes, first, last)
        # Where each wanted row stands in the block: its span's place plus its offset in it.
        span = np.searchsorted(first, starts, side="right") - 1
        placed = np.concatenate([[0], np.cumsum(last - first)])[span] + starts - first[span]
        lengths = ends - starts
        rows = np.repeat(placed - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        rows += np.arange(len(rows))
        width = row_bytes // np.dtype(dtype).itemsize
        return np.frombuffer(block, dtype=dtype).reshape(-1, width)[rows].reshape(-1)
    return np.frombuffer(_pread_runs(fd, offset, row_bytes, starts, ends), dtype=dtype)


def _pread_runs(fd: int, offset: int, row_bytes: int, starts: Any, ends: Any) -> bytes:
    return b"".join(
        os.pread(fd, (end - start) * row_bytes, offset + start * row_bytes)
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True)
    )
