"""The local dense index: passage and sentence-window vectors, by language group, in files.

It proposes candidates (FAISS) and hands out vectors, the groups' centroids and spreads; how
a passage scores (centred, standardised, passage and best window together) is the query
code's (ask/dense.py), the same for every backend.

On disk (a folder of plain files, memory-mapped at query time):

    dense.json              dimension, language groups, and per group and kind its FAISS type
    passages.npy            float16 [N, d]: every passage vector, row = passage row
    windows.npy             float16 [W, d]: every window vector, grouped by passage
    window_offsets.npy      int64 [N + 1]: passage r's windows are rows offsets[r]:offsets[r+1]
    row_group.npy           int8 [N]: each passage's language group
    centroids.npy           float32 [G, 2, d]: per group, passage and window centroids
    spreads.npy             float32 [G, d, d]: per group, the passage vectors' covariance
    <kind>-<group>.faiss    candidates: exact (flat) when small; when large, passages as 4-bit
                            fast-scan PQ codes scanned whole, windows as IVF with 8-bit codes
    <kind>-<group>.trained.faiss   a large index trained and empty, for the next build to reuse
    passage_keys.npy, window_keys.npy   uint8 [N, 16], [W, 16]: a digest of the text each vector
                            embeds (zeros: unknown), so the next build embeds no text twice

FAISS only proposes candidates; every candidate is then scored exactly from the `.npy` vectors,
so an approximate index changes which passages are considered, never their scores.
"""

from __future__ import annotations

import json
import math
import os
from concurrent.futures import ThreadPoolExecutor
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import numpy as np

from reindustry_kb.embed.embedder import KEY_BYTES, Vectors
from reindustry_kb.errors import damaged
from reindustry_kb.index.backend import KINDS, DenseVectors
from reindustry_kb.index.moments import DenseMoments
from reindustry_kb.models import language_group
from reindustry_kb.rows import read_runs

# Up to this many vectors a group is searched exhaustively; beyond, PQ codes (passages) or an
# IVF (windows) propose candidates.
FLAT_LIMIT = 50_000
# A large group's passages are scanned whole over PQ codes, and its best REFINE x the
# candidates wanted are rescored by their exact similarity before the best are kept.
REFINE = 10
# Suffix of a trained, empty index kept beside the filled one, for the next build.
TRAINED = ".trained.faiss"
# Optional: builds before 0.6 have none, and are read all the same.
KEY_FILES = ("passage_keys.npy", "window_keys.npy")
FILES = (
    "dense.json",
    "passages.npy",
    "windows.npy",
    "window_offsets.npy",
    "row_group.npy",
    "centroids.npy",
    "spreads.npy",
)


def nprobe_for(nlist: int) -> int:
    """Lists visited per IVF search (windows only). With the candidates' passages scanned
    whole, an eighth finds the whole exact top 10 at 100,000 passages of the hashing
    embedder's vectors; as the passages' own list, an eighth found 0.88 of it at a million."""
    return max(16, nlist // 8)


class DenseWriter:
    """The dense files of a build, written a run of passages at a time: vectors are appended
    to the `.npy` files as they come, so a build holds one document's vectors, not the
    library's; the FAISS indexes and centroids are made at the end from the files,
    memory-mapped, a chunk at a time."""

    CHUNK = 65_536  # vectors converted to float32 at a time

    def __init__(self, folder: Path, dim: int, previous: Path | None = None) -> None:
        """`previous`: the live build's folder, whose trained IVF indexes may be reused."""
        self.folder, self.dim, self.previous = folder, dim, previous
        self._passages = NpyAppender(folder / "passages.npy", dim)
        self._windows = NpyAppender(folder / "windows.npy", dim)
        self._keys = [NpyAppender(folder / name, KEY_BYTES, np.uint8) for name in KEY_FILES]
        self._counts: list[Any] = []  # windows per passage, a run at a time
        self._groups: list[str] = []  # each passage's language group

    def add(self, vectors: DenseVectors, langs: list[str]) -> None:
        self._passages.append(vectors.passages)
        self._windows.append(vectors.windows)
        for appender, keys, count in zip(
            self._keys,
            (vectors.passage_keys, vectors.window_keys),
            (len(vectors.passages), len(vectors.windows)),
            strict=True,
        ):
            appender.append(np.zeros((count, KEY_BYTES), np.uint8) if keys is None else keys)
        self._counts.append(np.diff(vectors.offsets))
        self._groups.extend(language_group(lang) for lang in langs)

    def finish(self) -> list[str]:
        """Close the vector files; write offsets, groups, centroids and FAISS indexes."""
        import faiss

        for appender in (self._passages, self._windows, *self._keys):
            appender.close()
        counts = np.concatenate([np.zeros(1, dtype=np.int64), *self._counts])
        offsets = np.cumsum(counts, dtype=np.int64)
        names = sorted(set(self._groups))
        row_group = np.array([names.index(g) for g in self._groups], dtype=np.int8)
        n = len(row_group)
        window_rows = np.repeat(np.arange(n), np.diff(offsets))
        # Per kind: the vectors, and the passage row each belongs to (the FAISS id).
        kinds = {
            # Read by pread, not mapped: a mapped page counts towards the build's memory until
            # the mapping ends, and at a million passages the vector files are gigabytes.
            "passages": (RowFile(self.folder, "passages.npy"), np.arange(n)),
            "windows": (RowFile(self.folder, "windows.npy"), window_rows),
        }
        # The statistics count each distinct text once: a file of one line repeated 500 times
        # must not move its language's centroid and spread, which every question is scored by.
        counted = {
            kind: first_of_each_text(RowFile(self.folder, name), row_group[owners])
            for (kind, (_, owners)), name in zip(kinds.items(), KEY_FILES, strict=True)
        }
        moments = DenseMoments.empty(self.dim)
        descriptions: dict[str, str] = {}
        written = [*FILES, *KEY_FILES]
        for number, name in enumerate(names):
            moments.number(name)
            for kind_number, kind in enumerate(KINDS):
                data, owners = kinds[kind]
                mine = np.flatnonzero(row_group[owners] == number)
                trained = f"{kind}-{name}{TRAINED}"
                index, descriptions[f"{kind}-{name}"] = _faiss_index(
                    kind, data, mine, self.dim, self.previous and self.previous / trained
                )
                if _trained(index):
                    faiss.write_index(index, str(self.folder / trained))
                    written.append(trained)
                for start in range(0, len(mine), self.CHUNK):
                    chosen = mine[start : start + self.CHUNK]
                    part = np.asarray(data[chosen], dtype=np.float32)
                    once = part[counted[kind][chosen]]
                    moments.add(kind_number, once, np.full(len(once), number))
                    index.add_with_ids(part, owners[chosen].astype(np.int64))
                faiss.write_index(index, str(self.folder / f"{kind}-{name}.faiss"))
                written.append(f"{kind}-{name}.faiss")
        stats = moments.stats()
        np.save(self.folder / "window_offsets.npy", offsets)
        np.save(self.folder / "row_group.npy", row_group)
        np.save(self.folder / "centroids.npy", stats.centroids)
        np.save(self.folder / "spreads.npy", stats.spreads)
        meta = {"dim": self.dim, "groups": names, "indexes": descriptions}
        (self.folder / "dense.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        return written


def first_of_each_text(keys: RowFile, groups: Any) -> Any:
    """bool [rows]: each row whose text digest no earlier row of its language group has (a
    zero digest, a text not recorded, is a text of its own)."""
    digests = keys.rows([0], [len(keys)], np.uint8)
    rows = np.concatenate([np.asarray(groups, np.uint8)[:, None], digests], axis=1)
    as_one = np.ascontiguousarray(rows).view(np.dtype((np.void, 1 + KEY_BYTES))).ravel()
    first = np.zeros(len(rows), dtype=bool)
    first[np.unique(as_one, return_index=True)[1]] = True
    return first | ~digests.any(axis=1)


class NpyAppender:
    """A `.npy` of rows written as they come (float16 [rows, width] by default; 1-D when
    width is None): the header is written first with room for any row count, and rewritten
    with the real count on close."""

    HEADER = 128  # bytes, magic included; a multiple of 64, as numpy aligns them

    def __init__(self, path: Path, width: int | None, dtype: Any = np.float16) -> None:
        self.width, self.dtype, self.rows = width, np.dtype(dtype), 0
        self._file = path.open("wb")
        self._file.write(self._header())

    def append(self, rows: Any) -> None:
        data = np.ascontiguousarray(rows, dtype=self.dtype)
        self._file.write(data.tobytes())
        self.rows += len(data) if self.width is None else data.size // self.width

    def close(self) -> None:
        self._file.seek(0)
        self._file.write(self._header())
        self._file.close()

    def _header(self) -> bytes:
        shape = f"({self.rows},)" if self.width is None else f"({self.rows}, {self.width})"
        fields = f"{{'descr': '{self.dtype.str}', 'fortran_order': False, 'shape': {shape}, }}"
        length = self.HEADER - 10  # after the magic, the version and the length field
        return (
            b"\x93NUMPY\x01\x00"
            + length.to_bytes(2, "little")
            + (fields.ljust(length - 1) + "\n").encode("latin-1")
        )


def _faiss_index(
    kind: str, data: Any, rows: Any, dim: int, trained: Path | None = None
) -> tuple[Any, str]:
    """An empty index, trained for these rows of `data`: exhaustive when few; when many,
    passages as fast-scan PQ codes, windows as IVF over 8-bit codes with sqrt(n) lists
    (training and assignment stay seconds at a million vectors). An update reuses the live
    build's trained index (`trained`) while it suits the group: one changed document costs
    no training."""
    import faiss

    if len(rows) <= FLAT_LIMIT:
        # Exhaustive over 8-bit codes: a quarter of the pages a float32 scan touches, and
        # the candidates are rescored exactly anyway.
        flat = faiss.IndexScalarQuantizer(
            dim, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        if len(rows):
            flat.train(np.asarray(data[rows], dtype=np.float32))
        return faiss.IndexIDMap2(flat), "flat,sq8"
    reused = faiss.read_index(str(trained)) if trained is not None and trained.is_file() else None
    if kind == "passages" and dim % 8 == 0:
        return _fast_scan(data, rows, dim, reused)
    nlist = int(math.sqrt(len(rows)))
    if reused is not None and hasattr(reused, "nlist"):
        index: Any = reused
        if index.d == dim and nlist / 1.5 <= index.nlist <= nlist * 1.5:
            index.nprobe = nprobe_for(index.nlist)
            return index, f"ivf{index.nlist},sq8"
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    # A fixed-seed sample of 40 points a list trains as well as all of them, much faster
    # (FAISS warns below 39).
    sample = np.random.default_rng(0).choice(len(rows), min(len(rows), nlist * 40), replace=False)
    index.train(np.asarray(data[rows[np.sort(sample)]], dtype=np.float32))
    index.nprobe = nprobe_for(nlist)
    return index, f"ivf{nlist},sq8"


def _fast_scan(data: Any, rows: Any, dim: int, reused: Any | None) -> tuple[Any, str]:
    """Passages of a large group: every vector as dim/4 4-bit PQ codes (48 bytes at d = 384),
    scanned whole in milliseconds at a million. An IVF over them, which have less cluster
    structure than windows, probing an eighth of its lists, missed a tenth of the exact top
    10; the codes' coarser ranking is repaired by rescoring REFINE times the candidates."""
    import faiss

    if reused is not None and _is_fast_scan(reused) and reused.d == dim:
        return reused, f"pqfs{dim // 4}x4"
    codes = faiss.IndexPQFastScan(dim, dim // 4, 4, faiss.METRIC_INNER_PRODUCT)
    sample = np.random.default_rng(0).choice(len(rows), min(len(rows), 65_536), replace=False)
    codes.train(np.asarray(data[rows[np.sort(sample)]], dtype=np.float32))
    return faiss.IndexIDMap2(codes), f"pqfs{dim // 4}x4"


def _is_fast_scan(index: Any) -> bool:
    import faiss

    inner = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap2) else index
    return isinstance(inner, faiss.IndexFastScan)


def _trained(index: Any) -> bool:
    """Whether building the index cost training worth keeping for the next build."""
    return hasattr(index, "nlist") or _is_fast_scan(index)


class DenseIndex:
    """Read side: memory-mapped vectors, FAISS indexes opened on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        try:
            meta = json.loads((folder / "dense.json").read_text(encoding="utf-8"))
            self.dim: int = meta["dim"]
            self.groups: list[str] = meta["groups"]
        except (OSError, ValueError, KeyError) as exc:
            raise damaged(folder, "dense.json") from exc
        self.passages = RowFile(folder, "passages.npy")
        self.windows = RowFile(folder, "windows.npy")
        self.offsets = _load(folder, "window_offsets.npy")
        self.row_group = _load(folder, "row_group.npy")
        self.centroids = np.asarray(_load(folder, "centroids.npy"))
        self.spreads = _load(folder, "spreads.npy")
        self.n = len(self.passages)

    def faiss(self, kind: str, group: str) -> Any:
        """The FAISS index of one kind and language group, opened on first use."""
        if (kind, group) not in self._opened:
            index = _read_faiss(self.folder / f"{kind}-{group}.faiss")
            if hasattr(index, "nprobe"):  # set when read, so a new setting needs no rebuild
                index.nprobe = nprobe_for(index.nlist)
            self._opened[kind, group] = index
        return self._opened[kind, group]

    @cached_property
    def _opened(self) -> dict[tuple[str, str], Any]:
        return {}

    def run(self, first: int, count: int) -> DenseVectors:
        """Passages first..first+count-1 as stored, for a build that carries them over."""
        offsets = np.asarray(self.offsets[first : first + count + 1], dtype=np.int64)
        keys = self.keys
        return DenseVectors(
            self.passages.rows([first], [first + count], np.float16),
            self.windows.rows([offsets[0]], [offsets[-1]], np.float16),
            offsets - offsets[0],
            None if keys is None else keys[0].rows([first], [first + count], np.uint8),
            None if keys is None else keys[1].rows([offsets[0]], [offsets[-1]], np.uint8),
        )

    @cached_property
    def keys(self) -> tuple[RowFile, RowFile] | None:
        """The digests of the passage and window texts, when the build recorded them."""
        if not all((self.folder / name).is_file() for name in KEY_FILES):
            return None
        passages, windows = (RowFile(self.folder, name) for name in KEY_FILES)
        return passages, windows

    def text_rows(self) -> dict[bytes, int]:
        """Each recorded text digest -> its vector's row among the passages then the windows
        (row n + w is window w), for a new build to take vectors from instead of embedding."""
        if self.keys is None:
            return {}
        found: dict[bytes, int] = {}
        base = 0
        for keys in self.keys:
            block = keys.rows([0], [len(keys)], np.uint8)
            for row in np.flatnonzero(block.any(axis=1)).tolist():  # zeros: unknown
                found.setdefault(block[row].tobytes(), base + row)
            base += len(keys)
        return found

    def vectors(self, rows: Any) -> Any:
        """float16 vectors by `text_rows` row (passages, then windows), in the order asked."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty((len(rows), self.dim), dtype=np.float16)
        for table, mine, base in (
            (self.passages, rows < self.n, 0),
            (self.windows, rows >= self.n, self.n),
        ):
            if mine.any():
                wanted, where = np.unique(rows[mine] - base, return_inverse=True)
                out[mine] = table.rows(wanted, wanted + 1, np.float16)[where]
        return out

    def candidates(self, query: Vectors, allowed: Any | None, pool: int) -> tuple[Any, Any]:
        """Candidate rows (sorted), and per (kind, group) list the last similarity it returned
        (see backend.Candidates), among the `allowed` rows (None: all)."""
        return self._candidates(query, allowed, pool)

    def _candidates(
        self, query: Vectors, allowed: Any | None, pool: int
    ) -> tuple[Any, dict[tuple[str, str], float]]:
        """The union of each list's best `pool` rows (three times as many windows, as several
        may share a passage), and per list the last similarity it returned (absent when it
        returned all it holds, infinite when that is unknown)."""
        import faiss

        params, bitmap, per_group = None, None, None
        if allowed is not None:
            bitmap = np.zeros(self.n, dtype=bool)
            bitmap[allowed] = True
            per_group = np.bincount(self.row_group[allowed], minlength=len(self.groups))
            packed = np.packbits(bitmap, bitorder="little")
            selector = faiss.IDSelectorBitmap(self.n, faiss.swig_ptr(packed))
        searches = []
        for group in self.groups:
            for kind in KINDS:
                index = self.faiss(kind, group)
                if index.ntotal == 0:
                    continue
                if allowed is not None and not _is_fast_scan(index):
                    params = _params(index, selector)
                k = pool * (3 if kind == "windows" else 1)
                searches.append(((kind, group), index, min(k, index.ntotal), k, params))

        def search(item: tuple[Any, ...]) -> tuple[Any, float | None]:
            (_, group), index, k, wanted, params = item
            if _is_fast_scan(index):
                allowed_here = None if per_group is None else per_group[self.groups.index(group)]
                return self._refined(index, query, k, bitmap, allowed_here)
            similarities, ids = index.search(query.reshape(1, -1), k, params=params)
            found = ids[0] >= 0
            full = k == wanted and found.all()
            return ids[0][found], float(similarities[0][-1]) if full else None

        # Large groups' scans run side by side, one per core (FAISS releases the GIL); small
        # exhaustive ones are quicker in turn than the hand-over costs.
        if any(_trained(index) for _, index, *_ in searches):
            results = list(_search_pool().map(search, searches))
        else:
            results = [search(item) for item in searches]
        keys = [item[0] for item in searches]
        lasts = {key: end for key, (_, end) in zip(keys, results, strict=True) if end is not None}
        found = [ids for ids, _ in results]
        rows = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
        return rows, lasts

    def _refined(
        self, index: Any, query: Vectors, k: int, bitmap: Any | None, allowed: int | None
    ) -> tuple[Any, float | None]:
        """The k passages most similar to the query among the best REFINE * k by their codes,
        and the k-th similarity: None when the whole list gave fewer, infinite when a filtered
        search found fewer without reaching the end. Fast-scan codes take no filter, so a
        filtered search (`bitmap`, allowing `allowed` rows of this group) draws as many more
        as the filter is selective within the group, then filters."""
        wanted = k * REFINE
        if bitmap is not None and allowed is not None:
            if allowed == 0:
                return np.zeros(0, dtype=np.int64), None
            wanted = int(wanted * index.ntotal / allowed)
        drawn = min(wanted, index.ntotal)
        _, ids = index.search(query.reshape(1, -1), drawn)
        ids = ids[0][ids[0] >= 0]
        if bitmap is not None:
            ids = ids[bitmap[ids]][: k * REFINE]
        ids = np.sort(ids)
        similarities = self.passages.rows(ids, ids + 1) @ query
        best = np.argsort(-similarities, kind="stable")[:k]
        if len(best) == k:
            return ids[best], float(similarities[best[-1]])
        return ids[best], None if drawn == index.ntotal else np.inf

    def vectors_of(self, rows: Any) -> tuple[Any, Any, Any, Any]:
        """For these rows (ascending): their group numbers, own vectors, window vectors and
        window offsets (passage i's windows are offsets[i]:offsets[i+1])."""
        rows = np.asarray(rows, dtype=np.int64)
        groups = np.asarray(self.row_group[rows], dtype=np.int64)
        starts, ends = self.offsets[rows], self.offsets[rows + 1]
        counts = np.asarray(ends - starts, dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        # As stored (float16): the query code widens them a block at a time as it scores.
        own = self.passages.rows(rows, rows + 1, np.float16)
        return groups, own, self.windows.rows(starts, ends, np.float16), offsets


@cache
def _search_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1))


def _params(index: Any, selector: Any) -> Any:
    import faiss

    if hasattr(index, "nprobe"):
        return faiss.SearchParametersIVF(sel=selector, nprobe=index.nprobe)  # type: ignore[call-arg]
    return faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]


def _read_faiss(path: Path) -> Any:
    import faiss

    # One question at a time: OpenMP's start-up per search costs more than it saves.
    faiss.omp_set_num_threads(1)
    try:
        # Memory-mapped: a query touches only the lists it probes, not the whole index.
        return faiss.read_index(str(path), faiss.IO_FLAG_MMAP)
    except RuntimeError as exc:
        raise damaged(path.parent, path.name) from exc


def _load(folder: Path, name: str) -> Any:
    try:
        return np.load(folder / name, mmap_mode="r")
    except (OSError, ValueError) as exc:
        raise damaged(folder, name) from exc


class RowFile:
    """Rows of a `.npy` (2-D, or 1-D for single values) read with pread, a run of rows per call.

    A query reads a few thousand scattered rows. Through a memory map each read would map in
    the kernel's fault-around window of neighbours too (64 KB or more), and a warm process
    would soon hold most of the file resident; reading them copies only what is asked."""

    def __init__(self, folder: Path, name: str) -> None:
        mapped = _load(folder, name)  # only for its header: where rows start, their shape
        self.shape: tuple[int, ...] = mapped.shape
        self.dtype = mapped.dtype
        self._offset: int = mapped.offset
        del mapped
        try:
            self._fd = os.open(folder / name, os.O_RDONLY)
        except OSError as exc:
            raise damaged(folder, name) from exc
        self._width = self.shape[1] if len(self.shape) > 1 else 1
        self._row_bytes = self._width * self.dtype.itemsize
        if os.fstat(self._fd).st_size < self._offset + self.shape[0] * self._row_bytes:
            raise damaged(folder, name)

    def __len__(self) -> int:
        return self.shape[0]

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)

    def __getitem__(self, rows: Any) -> Any:
        """These rows (ascending row numbers are read a run at a time), as stored."""
        rows = np.asarray(rows, dtype=np.int64)
        return self.rows(rows, rows + 1, self.dtype)

    def rows(self, starts: Any, ends: Any, dtype: Any = np.float32) -> Any:
        """Rows [start, end) for each pair, concatenated, as float32 (or `dtype`)."""
        flat = read_runs(self._fd, self._offset, self._row_bytes, self.dtype, starts, ends)
        shaped = flat.reshape(-1, self._width) if len(self.shape) > 1 else flat
        return shaped.astype(dtype, copy=False)
