"""`rkb index`: seeds -> sources -> passages, claims, tokens -> vectors -> a new build.

Read top to bottom, one stage a function. A document whose bytes and build configuration are
unchanged is not processed again: its passages, claims, BM25 tokens and vectors are carried
over from the live build, so changing one file in a large library costs one file's work plus
the (fast) rewrite of the new build.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reindustry_kb.embed import Embedder, Vectors, get_embedder
from reindustry_kb.errors import RkbError, SourceError
from reindustry_kb.models import Claim, Document, IndexStats, Passage
from reindustry_kb.settings import Settings

if TYPE_CHECKING:
    from reindustry_kb.sources import Source
    from reindustry_kb.store import BuildConfig, IndexReader, Summary

# (stage, done, total)
Progress = Callable[[str, int, int], None]
BATCH = 64  # texts per embedding call: progress steps, and work for every core


@dataclass
class Timer:
    """Seconds spent per stage, for `rkb index --json` and scripts/bench_ingest.py."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - started
            self.seconds[stage] = self.seconds.get(stage, 0.0) + elapsed


@dataclass
class DocumentParts:
    """Everything a build holds for one document. A document carried over from the live
    build has no passage or claim objects: the store copies its rows by SQL."""

    doc: Document
    text: str
    langs: list[str]  # per passage
    tokens: list[list[str]]  # per passage
    n_claims: int
    passages: list[Passage] | None = None  # new or changed documents
    claims: list[Claim] | None = None
    vectors: list[tuple[Vectors, Vectors]] | None = None  # (passage, its windows); None: to embed


def build_index(settings: Settings, progress: Progress | None = None) -> IndexStats:
    """Build a new index from seeds/, processing only what the live index does not hold."""
    from reindustry_kb.freshness import build_config, compare
    from reindustry_kb.store import build_lock

    started = time.perf_counter()
    timer = Timer()
    with build_lock(settings.index_dir):
        with timer("read"):
            sources = load_sources(settings)
        embedder = get_embedder(settings.build_embedder_name(), settings.model)
        config = build_config(settings, embedder.name, embedder.model)
        summary, previous = _previous_build(settings, config)
        delta = compare({s.doc.doc_id: s.doc.sha256 for s in sources}, summary, config)
        with timer("carry over"):
            carried = _carried_over(previous, sources, set(delta.unchanged))
        parts = []
        for number, source in enumerate(sources, start=1):
            if progress:
                progress("cutting passages, extracting claims", number, len(sources))
            parts.append(carried.get(source.doc.doc_id) or _processed(source, settings, timer))
        embedded = _embed_missing(embedder, parts, settings.window_size, progress, timer)
        with timer("write"):
            _write(settings, embedder, config, parts, previous)
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
        seconds=round(time.perf_counter() - started, 2),
        passages_per_s=round(embedded / max(timer.seconds.get("embed", 0.0), 1e-9), 2)
        if embedded
        else None,
        stage_seconds={stage: round(s, 2) for stage, s in timer.seconds.items()},
    )


def load_sources(settings: Settings) -> list[Source]:
    """Read every seed, or fail naming each file that cannot be read."""
    from reindustry_kb.sources import discover, read_source

    sources, problems = [], []
    for path in discover(settings.seeds_dir):
        try:
            sources.append(read_source(path, settings.seeds_dir))
        except SourceError as exc:
            problems.append(str(exc))
        except OSError as exc:
            problems.append(f"{path.name} cannot be read ({exc.strerror}); check its permissions")
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise SourceError(problems[0] + more)
    return sources


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


def _processed(source: Source, settings: Settings, timer: Timer) -> DocumentParts:
    from reindustry_kb.claims.extract import extract_claims
    from reindustry_kb.lexical import tokenize
    from reindustry_kb.segment import segment

    with timer("segment"):
        passages = segment(source, settings.passage_target, settings.passage_max)
    with timer("claims"):
        claims = extract_claims(source, passages)
    with timer("tokenize"):
        tokens = [tokenize(lexical_text(p)) for p in passages]
    langs = [p.lang for p in passages]
    return DocumentParts(source.doc, source.text, langs, tokens, len(claims), passages, claims)


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
        vectors = [previous.dense.vectors_of(row) for row in held.rows]
        parts[source.doc.doc_id] = DocumentParts(
            source.doc, source.text, held.langs, held.tokens, held.n_claims, vectors=vectors
        )
    return parts


def lexical_text(passage: Passage) -> str:
    """What BM25 indexes for a passage: its text, after its speaker."""
    return f"{passage.speaker}: {passage.text}" if passage.speaker else passage.text


def _embed_missing(
    embedder: Embedder,
    parts: list[DocumentParts],
    window_size: int,
    progress: Progress | None,
    timer: Timer,
) -> int:
    """Embed each new passage (with its title and section) and its sentence windows.

    Texts repeated across the library (boilerplate, shared footers, recurring windows) are
    embedded once."""
    from reindustry_kb.segment import embedding_text, windows

    todo = [part for part in parts if part.vectors is None]
    jobs: list[tuple[str, list[str]]] = [
        (embedding_text(passage, part.doc), windows(passage, window_size))
        for part in todo
        for passage in part.passages or []
    ]
    unique = list(dict.fromkeys(text for own, parts_ in jobs for text in (own, *parts_)))
    with timer("embed"):
        vectors = _embed_all(embedder, unique, progress, len(jobs))
    where = {text: row for row, text in enumerate(unique)}
    position = 0
    for part in todo:
        part.vectors = []
        for own, window_texts in jobs[position : position + len(part.langs)]:
            part.vectors.append(
                (vectors[where[own]], vectors[[where[text] for text in window_texts]])
            )
        position += len(part.langs)
    return len(jobs)


def _embed_all(
    embedder: Embedder, texts: Sequence[str], progress: Progress | None, passages: int
) -> Vectors:
    """Vectors for the texts, in batches; progress is counted in passages, as users think."""
    import numpy as np

    chunks = []
    for start in range(0, len(texts), BATCH):
        chunks.append(embedder.embed_passages(texts[start : start + BATCH]))
        if progress:
            done = min(start + BATCH, len(texts)) * passages // max(len(texts), 1)
            progress("embedding passages", done, passages)
    if not chunks:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.vstack(chunks)


def _write(
    settings: Settings,
    embedder: Embedder,
    config: BuildConfig,
    parts: list[DocumentParts],
    previous: IndexReader | None,
) -> None:
    from reindustry_kb.dense import stack
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
    )
    content = BuildContent(
        documents=documents,
        texts={part.doc.doc_id: part.text for part in parts},
        passages={p.doc.doc_id: p.passages for p in parts if p.passages is not None},
        claims={p.doc.doc_id: p.claims for p in parts if p.claims is not None},
        tokens=[t for part in parts for t in part.tokens],
        langs=[lang for part in parts for lang in part.langs],
        vectors=stack(embedder.dim, [v for part in parts for v in part.vectors or []]),
        carried_from=previous.build / "kb.sqlite" if previous is not None else None,
    )
    write_index(settings.index_dir, content, manifest)
