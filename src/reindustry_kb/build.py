"""`rkb index`: seeds -> sources -> passages -> (claims, tokens | vectors) -> a new build.

Read top to bottom, one stage a function. Claims and BM25 tokens are made in this process while
worker processes embed the passages already handed to them, so on a large library the build
waits on the model alone. A document whose bytes and build configuration are
unchanged is not processed again: its passages, claims, BM25 tokens and vectors are carried
over from the live build, so changing one file in a large library costs one file's work plus
the (fast) rewrite of the new build.
"""

from __future__ import annotations

import bisect
import itertools
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reindustry_kb.dense import DenseVectors, stack
from reindustry_kb.embed import Embedder, Vectors, get_embedder
from reindustry_kb.errors import RkbError, SourceError
from reindustry_kb.models import Claim, Document, IndexStats, Passage, Skipped
from reindustry_kb.settings import Settings

if TYPE_CHECKING:
    from reindustry_kb.sources import Source
    from reindustry_kb.store import BuildConfig, IndexReader, SkippedEntry, Summary

# (stage, done, total)
Progress = Callable[[str, int, int], None]


@dataclass
class Timer:
    """Wall seconds per stage, for `rkb index --json` and scripts/bench_ingest.py. Stages nest
    (claims are extracted inside the embedding stream); each second is charged to the
    innermost open stage, so the stages add up to the build's wall time."""

    seconds: dict[str, float] = field(default_factory=dict)
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


@dataclass
class DocumentParts:
    """Everything a build holds for one document. A document carried over from the live
    build has no passage or claim objects: the store copies its rows by SQL."""

    doc: Document
    text: str
    langs: list[str]  # per passage
    tokens: list[list[str]]  # per passage; empty until analysed
    n_claims: int
    passages: list[Passage] | None = None  # new or changed documents
    claims: list[Claim] | None = None
    vectors: DenseVectors | None = None  # None: to embed
    source: Source | None = None  # new or changed documents, until analysed


def build_index(settings: Settings, progress: Progress | None = None) -> IndexStats:
    """Build a new index from seeds/, processing only what the live index does not hold."""
    from reindustry_kb.freshness import build_config, compare
    from reindustry_kb.store import build_lock

    started = time.perf_counter()
    timer = Timer()
    with build_lock(settings.index_dir):
        with timer("read"):
            sources, passed_over, unreadable = load_sources(settings)
        embedder = get_embedder(settings.build_embedder_name(), settings.model)
        config = build_config(settings, embedder.name, embedder.model)
        summary, previous = _previous_build(settings, config)
        skipped = _unreadable_entries(unreadable, settings)
        hashes = {s.doc.doc_id: s.doc.sha256 for s in sources}
        delta = compare(hashes | {k: v.sha256 for k, v in skipped.items()}, summary, config)
        with timer("carry over"):
            carried = _carried_over(previous, sources, set(delta.unchanged))
        parts = []
        for number, source in enumerate(sources, start=1):
            if progress:
                progress("cutting passages", number, len(sources))
            parts.append(carried.get(source.doc.doc_id) or _segmented(source, settings, timer))
        embedded = _analyse_and_embed(embedder, parts, settings.window_size, progress, timer)
        with timer("write"):
            _write(settings, embedder, config, parts, previous, skipped)
    seconds = time.perf_counter() - started
    return IndexStats(
        index_dir=str(settings.index_dir),
        n_documents=len(parts),
        n_passages=sum(len(p.langs) for p in parts),
        n_claims=sum(p.n_claims for p in parts),
        embedder=embedder.name,
        model=embedder.model,
        added=len(delta.added),
        changed=len(delta.changed),
        removed=len(delta.removed),
        unchanged=len(delta.unchanged),
        passages_embedded=embedded,
        config_changes=delta.config_changes,
        seconds=round(seconds, 2),
        passages_per_s=round(embedded / seconds, 2) if embedded else None,
        stage_seconds={stage: round(s, 2) for stage, s in timer.seconds.items()},
        skipped=[*passed_over, *unreadable],
    )


def load_sources(settings: Settings) -> tuple[list[Source], list[Skipped], list[Skipped]]:
    """Read every seed, or fail naming each text file that cannot be read. Returns the sources,
    the files passed over (hidden, backups, other types) and the unreadable ones: a PDF, HTML
    or Word file that yields no text (a scan, an encrypted or damaged file) is skipped with its
    reason, and the rest of the folder is indexed."""
    from reindustry_kb.sources import TEXT_SUFFIXES, find_sources, read_source

    paths, passed_over = find_sources(settings.seeds_dir)
    sources, problems, unreadable = [], [], []
    for path in paths:
        try:
            sources.append(read_source(path, settings.seeds_dir))
        except SourceError as exc:
            if path.suffix.lower() in TEXT_SUFFIXES:
                problems.append(str(exc))
            else:
                relative = path.relative_to(settings.seeds_dir).as_posix()
                unreadable.append(Skipped(path=relative, reason=str(exc)))
        except OSError as exc:
            problems.append(f"{path.name} cannot be read ({exc.strerror}); check its permissions")
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise SourceError(problems[0] + more)
    return sources, passed_over, unreadable


def _unreadable_entries(unreadable: list[Skipped], settings: Settings) -> dict[str, SkippedEntry]:
    """Skipped files as the manifest records them: by document id, with their hash."""
    from reindustry_kb.freshness import file_hashes
    from reindustry_kb.store import SkippedEntry

    entries = {}
    for skipped in unreadable:
        path = settings.seeds_dir / skipped.path
        for doc_id, sha256 in file_hashes([path], settings.seeds_dir).items():
            entries[doc_id] = SkippedEntry(sha256=sha256, reason=skipped.reason)
    return entries


def _previous_build(
    settings: Settings, config: BuildConfig
) -> tuple[Summary | None, IndexReader | None]:
    """The live build's manifest, and the build itself when its configuration is the same
    (only then can it lend what it holds)."""
    from reindustry_kb.store import IndexReader, read_summary

    try:
        reader = IndexReader.open(settings.index_dir)
    except RkbError:
        return read_summary(settings.index_dir), None
    if config.changes_from(reader.manifest):
        return reader.manifest, None
    return reader.manifest, reader


def _segmented(source: Source, settings: Settings, timer: Timer) -> DocumentParts:
    """A new or changed document cut into passages; claims and tokens come later."""
    from reindustry_kb.segment import segment

    with timer("segment"):
        passages = segment(source, settings.passage_target, settings.passage_max)
    langs = [p.lang for p in passages]
    return DocumentParts(source.doc, source.text, langs, [], 0, passages, source=source)


def _analyse(part: DocumentParts, timer: Timer) -> None:
    """Claims and BM25 tokens of a segmented document."""
    from reindustry_kb.claims.extract import extract_claims
    from reindustry_kb.lexical import tokenize

    assert part.source is not None and part.passages is not None
    with timer("claims"):
        part.claims = extract_claims(part.source, part.passages)
        if pages := part.source.page_starts:
            for claim in part.claims:
                claim.page = bisect.bisect_right(pages, claim.char_start)
    with timer("tokenize"):
        part.tokens = [tokenize(lexical_text(p)) for p in part.passages]
    part.n_claims, part.source = len(part.claims), None


def _carried_over(
    previous: IndexReader | None, sources: list[Source], unchanged: set[str]
) -> dict[str, DocumentParts]:
    """Documents whose bytes are unchanged, as the live build holds them (tokens, vectors)."""
    if previous is None or not unchanged:
        return {}
    parts = {}
    held_by_doc = previous.carried_parts()
    for source in sources:
        held = held_by_doc.get(source.doc.doc_id)
        if source.doc.doc_id not in unchanged or held is None:
            continue
        vectors = previous.dense.run(held.first_row, len(held.langs))
        parts[source.doc.doc_id] = DocumentParts(
            source.doc, source.text, held.langs, held.tokens, held.n_claims, vectors=vectors
        )
    return parts


def lexical_text(passage: Passage) -> str:
    """What BM25 indexes for a passage: its text, after its speaker."""
    return f"{passage.speaker}: {passage.text}" if passage.speaker else passage.text


def _analyse_and_embed(
    embedder: Embedder,
    parts: list[DocumentParts],
    window_size: int,
    progress: Progress | None,
    timer: Timer,
) -> int:
    """Embed each new passage (with its title and section) and its sentence windows, and
    analyse each new document just before its texts go to the embedder, while the workers
    are still busy with the texts before them.

    Texts repeated across the library (boilerplate, shared footers, recurring windows) are
    embedded once. Returns the number of passages embedded."""
    from reindustry_kb.segment import embedding_text, windows

    todo = [part for part in parts if part.vectors is None]
    rows: dict[str, int] = {}  # unique text -> its row among the vectors
    # Per passage, the row of its own text and those of its windows.
    plans: list[tuple[int, list[int]]] = []

    def texts() -> Iterator[str]:
        for part in todo:
            _analyse(part, timer)
            for passage in part.passages or []:
                own, group = embedding_text(passage, part.doc), windows(passage, window_size)
                for text in (own, *group):
                    if text not in rows:
                        rows[text] = len(rows)
                        yield text
                plans.append((rows[own], [rows[text] for text in group]))

    n_passages = sum(len(part.langs) for part in todo)
    with timer("embed"):
        vectors = _embed_all(embedder, texts(), progress, plans, n_passages)
    planned = iter(plans)
    for part in todo:
        mine = itertools.islice(planned, len(part.langs))
        part.vectors = stack(embedder.dim, [(vectors[own], vectors[group]) for own, group in mine])
    return n_passages


def _embed_all(
    embedder: Embedder,
    texts: Iterator[str],
    progress: Progress | None,
    plans: Sequence[tuple[int, list[int]]],
    n_passages: int,
) -> Vectors:
    """Vectors for the texts; progress counts the passages whose vectors are all back."""
    import numpy as np

    from reindustry_kb.embed import stream_passages

    chunks: list[Vectors] = []
    done_rows = done_passages = 0
    for vectors in stream_passages(embedder, texts):
        chunks.append(vectors)
        done_rows += len(vectors)
        while (
            done_passages < len(plans)
            and max(plans[done_passages][0], *plans[done_passages][1], 0) < done_rows
        ):
            done_passages += 1
        if progress:
            progress("embedding passages, extracting claims", done_passages, n_passages)
    if not chunks:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.vstack(chunks)


def _write(
    settings: Settings,
    embedder: Embedder,
    config: BuildConfig,
    parts: list[DocumentParts],
    previous: IndexReader | None,
    skipped: dict[str, SkippedEntry],
) -> None:
    from reindustry_kb.dense import concat
    from reindustry_kb.store import BuildContent, Counts, DocumentEntry, Manifest, write_index

    documents = [
        part.doc.model_copy(update={"n_passages": len(part.langs), "n_claims": part.n_claims})
        for part in parts
    ]
    manifest = Manifest(
        **config.model_dump(),
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
    content = BuildContent(
        documents=documents,
        texts={part.doc.doc_id: part.text for part in parts},
        passages={p.doc.doc_id: p.passages for p in parts if p.passages is not None},
        claims={p.doc.doc_id: p.claims for p in parts if p.claims is not None},
        tokens=[t for part in parts for t in part.tokens],
        langs=[lang for part in parts for lang in part.langs],
        vectors=concat(embedder.dim, [part.vectors for part in parts if part.vectors is not None]),
        carried_from=previous.build / "kb.sqlite" if previous is not None else None,
    )
    write_index(settings.index_dir, content, manifest)
