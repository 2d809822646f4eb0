"""`rkb index`: seeds -> sources -> passages -> (claims, tokens | vectors) -> a new build.

Read top to bottom, one stage a function. Documents stream through the build: each is cut into
passages and analysed (claims, BM25 tokens), its texts go to the embedder, and once its vectors
are back it is written to the new build and let go, so memory does not grow with the library.
On a large library the analysis runs in worker processes while the embedder works on the
texts before, so the build waits on its slowest stage alone. A document whose bytes and build
configuration are unchanged is not processed again: its passages, claims, BM25 tokens and
vectors are carried over from the live build, so changing one file in a large library costs
one file's work plus the rewrite of the new build. And no text is embedded twice: a passage or
window whose text the live build embedded with the same embedder and model takes its vector
from there, so a new version of rkb, or an edited document, re-embeds only what changed.
Files are hashed first and each is read only when its turn to be analysed comes (in the worker
that analyses it), so the library's texts are never all in memory, and an unchanged file is
not read, decoded or extracted again.
"""

from __future__ import annotations

import bisect
import os
import tempfile
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from reindustry_kb.embed.embedder import KEY_BYTES, Embedder, Vectors, get_embedder
from reindustry_kb.errors import RkbError, SourceError, StrictError
from reindustry_kb.index.backend import DenseVectors, Part
from reindustry_kb.models import Claim, Document, IndexStats, Passage, Skipped
from reindustry_kb.settings import Settings

if TYPE_CHECKING:
    from reindustry_kb.index.backend import Backend, IndexReader, IndexWriter
    from reindustry_kb.index.manifest import BuildConfig, Manifest, Summary
    from reindustry_kb.ingest.sources import Source

# (stage, done, total)
Progress = Callable[[str, int, int], None]


@dataclass
class Timer:
    """Wall seconds per stage, for `rkb index --json` and scripts/bench_ingest.py. Stages nest
    (claims are extracted inside the embedding stream); each second is charged to the
    innermost open stage, so the stages add up to the build's wall time."""

    seconds: dict[str, float] = field(default_factory=dict)
    # Seconds spent in worker processes, by stage ("claims (workers)"); they overlap the rest.
    in_workers: dict[str, float] = field(default_factory=dict)
    _open: list[str] = field(default_factory=list)
    _since: float = 0.0

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        self._charge()
        self._open.append(stage)
        self.seconds.setdefault(stage, 0.0)
        try:
            yield
        finally:
            self._charge()
            self._open.pop()

    def _charge(self) -> None:
        now = time.perf_counter()
        if self._open:
            self.seconds[self._open[-1]] += now - self._since
        self._since = now


# A library with at least this many new documents is analysed in worker processes.
POOL_MIN_DOCUMENTS = 64
POOL_BATCH = 8  # documents per task


@dataclass
class Analysed:
    """A new or changed document cut into passages, with its claims and BM25 tokens: the
    whole of it, or one part of a long one (see PART_PASSAGES)."""

    doc: Document
    text: str  # the document's text, in its first part ("" in the others)
    passages: list[Passage]
    claims: list[Claim]
    tokens: list[list[str]]  # per passage
    seconds: dict[str, float] = field(default_factory=dict)  # by stage, in a worker
    first: bool = True
    last: bool = True


def build_index(
    settings: Settings,
    progress: Progress | None = None,
    strict: bool = False,
    replace: bool = False,
) -> IndexStats:
    """Build a new index from seeds/, processing only what the live index does not hold.

    Every file is indexed or skipped with its reason; with `strict`, a document that cannot
    be indexed fails the build before anything new is made live. An index remembers the
    folder it was built from: building it from another folder is refused unless `replace`.
    Files are hashed first and read only when they are analysed (an unchanged one not at all),
    so the library's texts are never all in memory."""
    from reindustry_kb.index.registry import get_backend
    from reindustry_kb.indexing.freshness import build_config, check_owner, compare, file_hashes
    from reindustry_kb.ingest.sources import doc_id_for, find_sources

    started = time.perf_counter()
    timer = Timer()
    seeds = settings.seeds_dir
    backend = get_backend(settings)
    with backend.lock():
        summary, live = _live_build(backend)
        with timer("read"):
            paths, passed_over = find_sources(seeds)  # a missing folder is named first
            check_owner(settings, summary, replace)
            hashes = file_hashes(paths, seeds)
        if strict:
            _fail_if_unreadable(passed_over)
        embedder = get_embedder(settings.build_embedder_name(), settings.model)
        config = build_config(settings, embedder.name, embedder.model)
        # The live build lends whole documents when nothing but the documents changed, and
        # vectors by their texts whenever it was embedded alike.
        previous = live if live is not None and not config.changes_from(summary) else None
        donor = live if live is not None and _embedded_alike(live.manifest, embedder) else None
        delta = compare(hashes, summary, config)
        with timer("carry over"):
            kept = previous.documents_by_id(delta.unchanged) if previous is not None else {}
        library = _Library(seeds, paths, {p: doc_id_for(p, seeds) for p in paths}, hashes, kept)
        reuse = Reuse()
        fresh = _fresh_documents(embedder, library.fresh, settings, progress, timer, donor, reuse)
        with backend.writer(embedder.dim, previous) as writer:
            with closing(fresh):  # closed before the indexes are made: its spill and digests go
                documents, unreadable = _write_documents(writer, library, fresh, strict, timer)
            with timer("write"):
                manifest = _manifest(config, embedder, documents, unreadable, hashes, settings)
                writer.publish(manifest)
    return IndexStats(
        index_dir=backend.where(),
        n_documents=len(documents),
        n_passages=sum(d.n_passages for d in documents),
        n_claims=sum(d.n_claims for d in documents),
        embedder=embedder.name,
        model=embedder.model,
        # Against the build that was live: a fresh clone has a committed summary, no build.
        **_document_counts(documents, live.manifest if live is not None else None),
        **_speed(reuse, timer, time.perf_counter() - started),
        config_changes=delta.config_changes,
        skipped=[*(u.skipped() for u in unreadable), *passed_over],
    )


def _speed(reuse: Reuse, timer: Timer, seconds: float) -> dict[str, Any]:
    """What a build embedded and reused, and its seconds by stage."""
    embedded = reuse.passages_embedded
    return {
        "passages_embedded": embedded,
        "texts_embedded": reuse.embedded,
        "texts_reused": reuse.reused,
        "seconds": round(seconds, 2),
        "passages_per_s": round(embedded / seconds, 2) if embedded else None,
        "stage_seconds": {
            stage: round(s, 2) for stage, s in (timer.seconds | timer.in_workers).items()
        },
    }


@dataclass
class _Library:
    """The files a build writes, in order, and what the live build lends of them."""

    seeds: Path
    paths: list[Path]
    ids: dict[Path, str]  # document id of each file
    hashes: dict[str, str]  # sha256 of each document's bytes, by id
    kept: dict[str, Document]  # unchanged documents the live build holds, carried from it

    @property
    def fresh(self) -> list[Path]:
        """The files to read, analyse and embed: all but those carried."""
        return [path for path in self.paths if self.ids[path] not in self.kept]


def _write_documents(
    writer: IndexWriter,
    library: _Library,
    fresh: Iterator[tuple[Analysed | Unreadable, DenseVectors]],
    strict: bool,
    timer: Timer,
) -> tuple[list[Document], list[Unreadable]]:
    """Write every document in order, carried or fresh; return those written and those that
    could not be (with `strict`, the first of them fails the build)."""
    documents: list[Document] = []
    unreadable: list[Unreadable] = []
    for path in library.paths:
        doc_id = library.ids[path]
        if doc_id in library.kept:
            with timer("write"):
                relative = path.relative_to(library.seeds).as_posix()
                doc = library.kept[doc_id].model_copy(update={"path": relative})
                writer.carry(doc)
            documents.append(doc)
            continue
        item, vectors = next(fresh)
        if isinstance(item, Unreadable) or not item.passages:
            if not isinstance(item, Unreadable):  # markup, punctuation, a bare header
                reason = (
                    f"{item.doc.path} has no text to index (nothing but a header, markup, "
                    "punctuation, control characters or runs without spaces such as base64)"
                )
                item = Unreadable(item.doc.path, reason)
            unreadable.append(item)
            if strict:
                _fail_if_unreadable([item.skipped()])
            continue
        documents.append(_write_fresh(writer, item, vectors, fresh, timer))
    if not documents:  # an empty index would only replace one that answers
        raise SourceError(
            f"no document in {library.seeds} could be indexed ({unreadable[0].reason}"
            + (f", and {len(unreadable) - 1} more" if len(unreadable) > 1 else "")
            + "); the previous index, if any, is unchanged"
        )
    return documents, unreadable


def _write_fresh(
    writer: IndexWriter,
    item: Analysed,
    vectors: DenseVectors,
    fresh: Iterator[tuple[Analysed | Unreadable, DenseVectors]],
    timer: Timer,
) -> Document:
    """Write a new or changed document, part after part; return its record."""
    n_passages = n_claims = 0
    while True:
        part = Part(item.passages, item.claims, item.tokens, vectors)
        with timer("write"):
            if item.first:
                whole = _counted(item.doc, len(item.passages), len(item.claims))
                writer.add_document(whole, item.text, part)
            else:
                writer.add_part(part)
        n_passages += len(item.passages)
        n_claims += len(item.claims)
        if item.last:
            break
        following, vectors = next(fresh)
        assert isinstance(following, Analysed) and not following.first
        item = following
    if not item.first:  # written in parts: the counts known at its first were the first's
        writer.set_counts(item.doc.doc_id, n_passages, n_claims)
    return _counted(item.doc, n_passages, n_claims)


def _document_counts(documents: list[Document], summary: Summary | None) -> dict[str, Any]:
    """Against the live build: documents written now that it did not hold (added), held with
    other bytes (changed) or the same (unchanged), and those it held that are gone or could
    not be indexed this time (removed). A skipped file is never added."""
    old = {doc_id: entry.sha256 for doc_id, entry in (summary.documents if summary else {}).items()}
    new = {d.doc_id: d.sha256 for d in documents}
    return {
        "added": sum(doc_id not in old for doc_id in new),
        "changed": sum(doc_id in old and old[doc_id] != sha for doc_id, sha in new.items()),
        "unchanged": sum(old.get(doc_id) == sha for doc_id, sha in new.items()),
        "removed": sum(doc_id not in new for doc_id in old),
    }


def _fail_if_unreadable(skipped: list[Skipped]) -> None:
    failed = [s for s in skipped if s.unreadable]
    if failed:
        more = (
            f" (and {len(failed) - 1} more; `rkb index --json` lists them)"
            if len(failed) > 1
            else ""
        )
        first = failed[0]
        reason = first.reason.removeprefix(f"{first.path} ")
        raise StrictError(f"--strict: {first.path}: {reason}{more}; or index without --strict")


def _counted(doc: Document, n_passages: int, n_claims: int) -> Document:
    return doc.model_copy(update={"n_passages": n_passages, "n_claims": n_claims})


@dataclass
class Unreadable:
    """A document that could not be indexed, and why."""

    path: str  # relative to the seeds folder
    reason: str

    @property
    def doc_id(self) -> str:
        return PurePosixPath(self.path).with_suffix("").as_posix()

    def skipped(self) -> Skipped:
        return Skipped(path=self.path, reason=self.reason, unreadable=True)


def _live_build(backend: Backend) -> tuple[Summary | None, IndexReader | None]:
    """The live build's manifest, and the build itself when it can be read (a damaged one
    lends nothing: the build starts over, rather than fail on it)."""
    try:
        reader = backend.open()
        reader.dense_stats(), reader.term_stats()  # its vector and postings files open
    except RkbError:
        return backend.summary(), None
    return reader.manifest, reader


def _embedded_alike(manifest: Manifest, embedder: Embedder) -> bool:
    return (manifest.embedder, manifest.model, manifest.dim) == (
        embedder.name,
        embedder.model,
        embedder.dim,
    )


# A document is analysed, embedded and written this many passages at a time: a 50 MB file
# (100,000 passages, 700,000 claims) never has all its claims, tokens and vectors in memory.
PART_PASSAGES = 2_000
# A file this large is analysed in the build's own process, a part at a time, rather than
# whole in a worker (whose result would come back whole).
LARGE_FILE = 4_000_000


def analyse(
    source: Source, passage_target: int, passage_max: int, timer: Timer
) -> Iterator[Analysed]:
    """Cut a document into passages; extract its claims and BM25 tokens, a part of at most
    PART_PASSAGES passages at a time."""
    from reindustry_kb.claims.extract import document_context, extract_claims
    from reindustry_kb.ingest.segment import segment
    from reindustry_kb.text.tokenize import tokenize

    with timer("segment"):
        passages = segment(source, passage_target, passage_max)
    with timer("claims"):
        within = document_context(source, passages)
    for start in range(0, max(len(passages), 1), PART_PASSAGES):
        part = passages[start : start + PART_PASSAGES]
        with timer("claims"):
            claims = extract_claims(source, part, within)
            if pages := source.page_starts:
                for claim in claims:
                    claim.page = bisect.bisect_right(pages, claim.char_start)
        with timer("tokenize"):
            tokens = [tokenize(lexical_text(p)) for p in part]
        first, last = start == 0, start + PART_PASSAGES >= len(passages)
        text = source.text if first else ""
        yield Analysed(source.doc, text, part, claims, tokens, first=first, last=last)


def read_and_analyse(
    path: Path, settings: Settings, timer: Timer
) -> Iterator[Analysed | Unreadable]:
    """Read one file and analyse it, a part at a time, or say why it cannot be read."""
    from reindustry_kb.ingest.sources import read_source

    name = path.relative_to(settings.seeds_dir).as_posix()
    try:
        with timer("read"):
            source = read_source(path, settings.seeds_dir, settings.max_file_mb * 1_000_000)
    except SourceError as exc:
        yield Unreadable(name, str(exc))
        return
    except Exception as exc:  # a fault of a reader on this file: it alone is lost, not the build
        reason = f"{name} could not be read ({type(exc).__name__}: {exc}); please report it"
        yield Unreadable(name, reason)
        return
    yield from analyse(source, settings.passage_target, settings.passage_max, timer)


def _analysed(
    paths: list[Path], settings: Settings, timer: Timer
) -> Iterator[Analysed | Unreadable]:
    """The files read and analysed, in order, a part at a time: here, or for a large library
    in one worker process per core, a bounded number of documents ahead of the consumer (a
    large file here, once the documents before it are in)."""
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    workers = os.cpu_count() or 1
    if workers < 2 or len(paths) < POOL_MIN_DOCUMENTS:
        for path in paths:
            yield from read_and_analyse(path, settings, timer)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        pending: deque[Future[list[Analysed | Unreadable]]] = deque()
        batch: list[Path] = []
        for number, path in enumerate(paths):
            large = _size(path) > LARGE_FILE
            if large and batch:  # the documents before it go first
                pending.append(pool.submit(_analyse_batch, batch, settings))
                batch = []
            while pending and (large or len(pending) > 4 * workers):
                yield from _received(pending.popleft().result(), timer)
            if large:
                yield from read_and_analyse(path, settings, timer)
                continue
            batch.append(path)
            if len(batch) == POOL_BATCH or number == len(paths) - 1:
                pending.append(pool.submit(_analyse_batch, batch, settings))
                batch = []
        while pending:
            yield from _received(pending.popleft().result(), timer)


def _analyse_batch(paths: list[Path], settings: Settings) -> list[Analysed | Unreadable]:
    """In a worker: read and analyse a few documents, timing the stages."""
    results: list[Analysed | Unreadable] = []
    for path in paths:
        timer = Timer()
        results += read_and_analyse(path, settings, timer)
        if isinstance(results[-1], Analysed):
            results[-1].seconds = timer.seconds
    return results


def _received(batch: list[Analysed | Unreadable], timer: Timer) -> list[Analysed | Unreadable]:
    for item in batch:
        seconds = item.seconds if isinstance(item, Analysed) else {}
        for stage, spent in seconds.items():
            key = f"{stage} (workers)"
            timer.in_workers[key] = timer.in_workers.get(key, 0.0) + spent
    return batch


# Documents analysed ahead of the one being written, at most (with all their passages' texts
# found already embedded, nothing else holds the analysis back).
AHEAD_PASSAGES = 20_000


@dataclass
class Reuse:
    """Of the texts a build needed vectors for: embedded now, and taken from the live build."""

    embedded: int = 0
    reused: int = 0
    passages_embedded: int = 0  # passages whose own text was embedded now


# What waits to be written: the document, per passage the spill rows of its own text and its
# windows' texts, the last spill row it needs, and the digests of those texts.
Plan = list[tuple[int, list[int]]]
Waiting = tuple["Analysed | Unreadable", Plan, int, list[list[bytes]]]


def _fresh_documents(
    embedder: Embedder,
    paths: list[Path],
    settings: Settings,
    progress: Progress | None,
    timer: Timer,
    donor: IndexReader | None = None,
    reuse: Reuse | None = None,
) -> Generator[tuple[Analysed | Unreadable, DenseVectors], None, None]:
    """New and changed documents, read, analysed and embedded (what `_Planner` says needs it),
    in order, each once all its vectors are back; a file that cannot be read comes back so."""
    from reindustry_kb.embed.embedder import stream_passages

    planner = _Planner(settings.window_size, donor, reuse or Reuse(), timer)
    estimate = _Estimate([_size(path) for path in paths])
    waiting: deque[Waiting] = deque()
    analysed = _analysed(paths, settings, timer)

    def plan_next() -> bool:
        """Analyse the next document and plan where each of its vectors comes from."""
        item = next(analysed, None)
        if item is not None:
            plan, last, keys = planner.plan(item)
            waiting.append((item, plan, last, keys))
            estimate.add(item, len(plan))
        return item is not None

    def texts() -> Iterator[str]:
        """What the embedder draws: the queued texts, analysing more documents as it needs
        them; it stops once too many wait, and a new stream starts when one needs it."""
        while True:
            while planner.queued:
                yield planner.queued.popleft()
            if estimate.ahead >= AHEAD_PASSAGES or not plan_next():
                return

    with tempfile.TemporaryFile(dir=_scratch(settings)) as spill:
        store = _VectorSpill(spill, embedder.dim, donor)
        stream: Iterator[Vectors] | None = None
        while True:
            while waiting and waiting[0][2] < store.count:
                item, plan, _, keys = waiting.popleft()
                estimate.written(len(plan))
                if progress:
                    progress("embedding passages, extracting claims", *estimate.counts())
                yield item, store.gather(plan, keys)
            if not waiting:
                if not plan_next():
                    return
                continue
            with timer("embed"):
                if stream is None:  # the first document waiting needs texts embedded
                    stream = stream_passages(embedder, texts())
                vectors = next(stream, None)
            if vectors is None:
                if not planner.queued and waiting[0][2] >= store.count:
                    raise RkbError(f"{embedder.name} returned fewer vectors than texts")
                stream = None
                continue
            store.append(vectors)


def _scratch(settings: Settings) -> Path | None:
    """Where a build spills its vectors: beside a local index (its disk has room for them);
    for a database library, the temporary folder."""
    return None if settings.database_url else settings.index_dir


class _Planner:
    """Where each vector of a document comes from. No text is embedded twice: one repeated
    across the library (boilerplate, shared footers, recurring windows) takes the row it was
    embedded to in this build's spill, one the `donor` build embedded alike takes its vector
    from there (a negative row, see _VectorSpill.gather), and any other is queued for the
    embedder and given the next row."""

    def __init__(
        self, window_size: int, donor: IndexReader | None, reuse: Reuse, timer: Timer
    ) -> None:
        self.window_size, self.reuse = window_size, reuse
        self.rows: dict[bytes, int] = {}  # digest of a text embedded now -> its spill row
        self.queued: deque[str] = deque()  # texts to embed, not yet drawn by the embedder
        self.donor, self.timer = donor, timer
        self.lent: dict[bytes, int] = {}  # of the digests asked, those the donor holds

    def plan(self, item: Analysed | Unreadable) -> tuple[Plan, int, list[list[bytes]]]:
        """Per passage, the rows of its own text and its windows' texts; the last spill row
        the document needs (-1 when none: a file that could not be read waits for nothing);
        and the texts' digests."""
        from reindustry_kb.embed.embedder import text_key
        from reindustry_kb.ingest.segment import embedding_text, for_embedder, windows

        plan: Plan = []
        keys: list[list[bytes]] = []
        last = -1
        if not isinstance(item, Analysed):
            return plan, last, keys
        texts = []
        for passage in item.passages:
            own = for_embedder(embedding_text(passage, item.doc))
            texts.append((own, *map(for_embedder, windows(passage, self.window_size))))
            keys.append([text_key(text) for text in texts[-1]])
        self._borrow(keys)
        for mine_texts, digests in zip(texts, keys, strict=True):
            own = mine_texts[0]
            mine = [
                self._row(text, key, text is own)
                for text, key in zip(mine_texts, digests, strict=True)
            ]
            plan.append((mine[0], mine[1:]))
            last = max(last, *mine)
        return plan, last, keys

    def _borrow(self, keys: list[list[bytes]]) -> None:
        """Ask the donor build, once per document part, which of its texts it embedded."""
        if self.donor is None:
            return
        unknown = {key for digests in keys for key in digests} - self.rows.keys()
        with self.timer("carry over"):
            found = self.donor.embedded_texts(unknown - self.lent.keys())
        self.lent.update((key, -1 - row) for key, row in found.items())

    def _row(self, text: str, key: bytes, own: bool) -> int:
        row = self.rows.get(key, self.lent.get(key))
        if row is None:
            row = self.rows[key] = len(self.rows)
            self.queued.append(text)
            self.reuse.embedded += 1
            self.reuse.passages_embedded += own
        elif row < 0:
            self.reuse.reused += 1
        return row


@dataclass
class _Estimate:
    """Passages analysed, waiting to be written and written; and how many the build will
    embed, for the progress bar: those analysed so far, and the rest at their rate per byte
    of the files still to analyse."""

    sizes: list[int]  # of the files, in order
    files: int = 0
    analysed_bytes: int = 0
    passages: int = 0
    ahead: int = 0  # analysed, not yet written
    done: int = 0  # written

    def __post_init__(self) -> None:
        self.total_bytes = sum(self.sizes)

    def add(self, item: Analysed | Unreadable, passages: int) -> None:
        if not isinstance(item, Analysed) or item.last:  # the file's last part
            self.analysed_bytes += self.sizes[self.files]
            self.files += 1
        self.passages += passages
        self.ahead += passages

    def written(self, passages: int) -> None:
        self.ahead -= passages
        self.done += passages

    def counts(self) -> tuple[int, int]:
        """(written, the estimated total)."""
        return self.done, self.total()

    def total(self) -> int:
        per_byte = self.passages / max(self.analysed_bytes, 1)
        return self.passages + round((self.total_bytes - self.analysed_bytes) * per_byte)


class _VectorSpill:
    """Every unique text's vector, float16 (as the index stores them), in embedding order, in
    an unnamed temporary file: a repeated text may reuse a vector embedded long before, and a
    library's vectors need not fit in memory. Negative rows are the donor build's vectors."""

    def __init__(self, file: Any, dim: int, donor: IndexReader | None = None) -> None:
        self.file, self.dim, self.count, self.donor = file, dim, 0, donor
        self._row_bytes = dim * 2

    def append(self, vectors: Vectors) -> None:
        import numpy as np

        self.file.write(np.asarray(vectors, dtype=np.float16).tobytes())
        self.count += len(vectors)

    def gather(self, plan: list[tuple[int, list[int]]], keys: list[list[bytes]]) -> DenseVectors:
        """A document's passage and window vectors, by the rows of its plan, with the
        digests of their texts."""
        import numpy as np

        self.file.flush()
        own = np.array([row for row, _ in plan], dtype=np.int64)
        group = np.array([row for _, group in plan for row in group], dtype=np.int64)
        counts = [0, *(len(group) for _, group in plan)]

        def digests(chosen: list[bytes]) -> Any:
            width = len(chosen[0]) if chosen else KEY_BYTES
            return np.frombuffer(b"".join(chosen), dtype=np.uint8).reshape(len(chosen), width)

        return DenseVectors(
            self._rows(own),
            self._rows(group),
            np.cumsum(counts, dtype=np.int64),
            digests([k[0] for k in keys]),
            digests([key for k in keys for key in k[1:]]),
        )

    def _rows(self, rows: Any) -> Any:
        import numpy as np

        from reindustry_kb.rows import read_runs

        found = np.empty((len(rows), self.dim), dtype=np.float16)
        lent = rows < 0
        if lent.any():
            assert self.donor is not None
            found[lent] = self.donor.embedded_vectors(-1 - rows[lent])
        if (~lent).any():
            # Nearby rows in one read (read_runs merges them): a document's new rows are
            # contiguous, and a repeated text's row may lie anywhere before them.
            wanted, where = np.unique(rows[~lent], return_inverse=True)
            block = read_runs(
                self.file.fileno(), 0, self._row_bytes, np.float16, wanted, wanted + 1, 64
            )
            found[~lent] = block.reshape(-1, self.dim)[where]
        return found


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _manifest(
    config: BuildConfig,
    embedder: Embedder,
    documents: list[Document],
    unreadable: list[Unreadable],
    hashes: dict[str, str],
    settings: Settings,
) -> Manifest:
    """The build's manifest: what it holds, and the files it could not index with the hash
    they had (so `rkb index --check` knows them while they stay as they are)."""
    from reindustry_kb.index.manifest import Counts, DocumentEntry, Manifest, SkippedEntry
    from reindustry_kb.indexing.freshness import seeds_relative

    skipped = {u.doc_id: SkippedEntry(sha256=hashes[u.doc_id], reason=u.reason) for u in unreadable}

    return Manifest(
        **config.model_dump(),
        seeds=seeds_relative(settings),
        dim=embedder.dim,
        built_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        documents={
            d.doc_id: DocumentEntry(
                path=d.path, sha256=d.sha256, n_passages=d.n_passages, n_claims=d.n_claims
            )
            for d in documents
        },
        counts=Counts(
            documents=len(documents),
            passages=sum(d.n_passages for d in documents),
            claims=sum(d.n_claims for d in documents),
        ),
        skipped=skipped,
    )


def lexical_text(passage: Passage) -> str:
    """What BM25 indexes for a passage: its text without markup, after its speaker."""
    from reindustry_kb.ingest.segment import clean_text

    text = clean_text(passage)
    return f"{passage.speaker}: {text}" if passage.speaker else text
