"""The stages chained: seeds -> sources -> segment -> embed -> store, and question -> hits."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reindustry_kb.embed import Embedder, Vectors, get_embedder
from reindustry_kb.errors import EmbedderMismatchError, RkbError, SourceError
from reindustry_kb.models import AskResult, Claim, Document, Hit, IndexStats, Passage, citation_of
from reindustry_kb.search import NO_FILTERS, Filters, hybrid_search
from reindustry_kb.settings import Settings
from reindustry_kb.store import IndexReader, Windows, read_manifest

# The build stages (sources, segment, claims, freshness) are imported where they are used, so a
# cold `rkb ask` loads only what answering needs.
if TYPE_CHECKING:
    from reindustry_kb.claims.query import ClaimFilters
    from reindustry_kb.sources import Source

Progress = Callable[[str, int, int], None]
BATCH = 16


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


def build_index(settings: Settings, progress: Progress | None = None) -> IndexStats:
    """Build a new index from seeds/, embedding only what the live index does not already hold.

    Passages of documents whose bytes are unchanged keep their vectors; a change of embedder,
    model, chunking or package version embeds everything again.
    """
    from reindustry_kb.claims.extract import extract_claims
    from reindustry_kb.freshness import build_config, compare
    from reindustry_kb.lexical import LexicalIndex, tokenize
    from reindustry_kb.segment import embedding_text, segment, windows
    from reindustry_kb.store import build_lock, write_index

    started = time.perf_counter()
    with build_lock(settings.index_dir):
        sources = load_sources(settings)
        embedder = get_embedder(settings.build_embedder_name(), settings.model)
        config = build_config(settings, embedder.name, embedder.model)
        previous, reusable = _previous_index(settings, config, sources)
        delta = compare({s.doc.doc_id: s.doc.sha256 for s in sources}, previous, config)
        documents: list[Document] = []
        passages: list[Passage] = []
        claims: list[Claim] = []
        for number, source in enumerate(sources, start=1):
            if progress:
                progress("cutting passages, extracting claims", number, len(sources))
            doc_passages = segment(source, settings.passage_target, settings.passage_max)
            doc_claims = extract_claims(source, doc_passages)
            counts = {"n_passages": len(doc_passages), "n_claims": len(doc_claims)}
            documents.append(source.doc.model_copy(update=counts))
            passages.extend(doc_passages)
            claims.extend(doc_claims)
        docs_by_id = {d.doc_id: d for d in documents}
        to_embed = [i for i, p in enumerate(passages) if p.passage_id not in reusable]
        fresh = _embed_all(
            embedder,
            [embedding_text(passages[i], docs_by_id[passages[i].doc_id]) for i in to_embed],
            progress,
            "embedding passages",
        )
        window_texts = {i: windows(passages[i], settings.window_size) for i in to_embed}
        fresh_windows = _embed_all(
            embedder,
            [text for i in to_embed for text in window_texts[i]],
            progress,
            "embedding sentence windows",
        )
        vectors, window_vectors = _assemble_vectors(
            embedder.dim, passages, reusable, to_embed, fresh, window_texts, fresh_windows
        )
        lexical = LexicalIndex.build([tokenize(lexical_text(p)) for p in passages])
        manifest = {
            **config,
            "dim": embedder.dim,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "documents": {
                d.doc_id: {
                    "path": d.path,
                    "sha256": d.sha256,
                    "n_passages": d.n_passages,
                    "n_claims": d.n_claims,
                }
                for d in documents
            },
            "counts": {
                "documents": len(documents),
                "passages": len(passages),
                "claims": len(claims),
            },
        }
        texts = {source.doc.doc_id: source.text for source in sources}
        write_index(
            settings.index_dir,
            documents,
            texts,
            passages,
            claims,
            vectors,
            window_vectors,
            lexical,
            manifest,
        )
    return IndexStats(
        index_dir=str(settings.index_dir),
        n_documents=len(documents),
        n_passages=len(passages),
        n_claims=len(claims),
        embedder=embedder.name,
        model=embedder.model,
        added=len(delta.added),
        changed=len(delta.changed),
        removed=len(delta.removed),
        unchanged=len(delta.unchanged),
        passages_embedded=len(to_embed),
        config_changes=delta.config_changes,
        seconds=round(time.perf_counter() - started, 2),
    )


Reusable = dict[str, tuple[Vectors, Vectors]]  # passage id -> (its vector, its window vectors)


def _previous_index(
    settings: Settings, config: dict[str, object], sources: list[Source]
) -> tuple[dict[str, object] | None, Reusable]:
    """The live build's manifest and the vectors it can lend, for the documents whose bytes
    are unchanged, when it was built with the same configuration."""
    import numpy as np

    from reindustry_kb.freshness import read_summary

    try:
        reader = IndexReader.open(settings.index_dir)
        manifest = reader.manifest
    except RkbError:
        return read_summary(settings.index_dir), {}
    if any(manifest.get(key) != value for key, value in config.items()):
        return manifest, {}
    indexed = {doc_id: doc["sha256"] for doc_id, doc in manifest["documents"].items()}
    unchanged = {s.doc.doc_id for s in sources if indexed.get(s.doc.doc_id) == s.doc.sha256}
    try:
        window_rows = reader.windows["passage_row"]
        return manifest, {
            p.passage_id: (
                reader.vectors.reconstruct(row),
                reader.windows["vectors"][np.flatnonzero(window_rows == row)],
            )
            for row, p in reader.passages().items()
            if p.doc_id in unchanged
        }
    except RkbError:
        return manifest, {}


def _assemble_vectors(
    dim: int,
    passages: list[Passage],
    reusable: Reusable,
    to_embed: list[int],
    fresh: Vectors,
    window_texts: dict[int, list[str]],
    fresh_windows: Vectors,
) -> tuple[Vectors, Windows]:
    """Passage and window vectors in passage order, lent ones and new ones together."""
    import numpy as np

    vectors = np.zeros((len(passages), dim), dtype=np.float32)
    new_rows = {row: position for position, row in enumerate(to_embed)}
    window_parts: list[Vectors] = []
    window_rows: list[int] = []
    taken = 0
    for row, passage in enumerate(passages):
        if row in new_rows:
            vectors[row] = fresh[new_rows[row]]
            count = len(window_texts[row])
            part = fresh_windows[taken : taken + count]
            taken += count
        else:
            vectors[row], part = reusable[passage.passage_id]
        window_parts.append(np.asarray(part, dtype=np.float32).reshape(-1, dim))
        window_rows += [row] * len(window_parts[-1])
    stacked = np.vstack(window_parts) if window_parts else np.zeros((0, dim), dtype=np.float32)
    return vectors, Windows(stacked, np.array(window_rows, dtype=np.int32))


def lexical_text(passage: Passage) -> str:
    return f"{passage.speaker}: {passage.text}" if passage.speaker else passage.text


def _embed_all(
    embedder: Embedder, texts: list[str], progress: Progress | None, stage: str
) -> Vectors:
    import numpy as np

    chunks = []
    for start in range(0, len(texts), BATCH):
        chunks.append(embedder.embed_passages(texts[start : start + BATCH]))
        if progress:
            progress(stage, min(start + BATCH, len(texts)), len(texts))
    if not chunks:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.vstack(chunks)


@dataclass
class Session:
    """An open index and the embedder that may query it."""

    reader: IndexReader
    embedder: Embedder

    @classmethod
    def open(cls, settings: Settings) -> Session:
        reader = IndexReader.open(settings.index_dir)
        built_with = (reader.manifest["embedder"], reader.manifest["model"])
        wanted = settings.embedder or built_with[0]
        if wanted != built_with[0] or (settings.model and settings.model != built_with[1]):
            raise EmbedderMismatchError(
                f"the index was built with {built_with[0]} ({built_with[1]}), not "
                f"{wanted} ({settings.model or 'default model'}); rebuild it with "
                f"`rkb index --embedder {wanted}` or query without --embedder/--model"
            )
        return cls(reader, get_embedder(built_with[0], built_with[1]))


def ask(
    settings: Settings, question: str, k: int | None = None, filters: Filters = NO_FILTERS
) -> AskResult:
    question = question.strip()
    if not question:
        raise RkbError('the question is empty; ask something, e.g. rkb ask "美國關稅收入"')
    session = Session.open(settings)
    return ask_in(session, question, k or settings.k, filters)


def ask_in(session: Session, question: str, k: int, filters: Filters = NO_FILTERS) -> AskResult:
    results = hybrid_search(session.reader, session.embedder, question, k, filters)
    passages = session.reader.passages([r.row for r in results])
    documents = {d.doc_id: d for d in session.reader.documents()}
    claims = session.reader.claims_by_passage([p.passage_id for p in passages.values()])
    hits = []
    for rank, result in enumerate(results, start=1):
        p = passages[result.row]
        doc = documents[p.doc_id]
        hits.append(
            Hit(
                rank=rank,
                score=round(result.score, 4),
                doc_id=p.doc_id,
                title=doc.title,
                date=doc.date,
                passage_id=p.passage_id,
                text=p.text,
                char_start=p.char_start,
                char_end=p.char_end,
                line_start=p.line_start,
                line_end=p.line_end,
                citation=p.citation,
                speaker=p.speaker,
                claims=claims[p.passage_id],
            )
        )
    return AskResult(query=question, hits=hits)


def list_claims(settings: Settings, filters: ClaimFilters) -> list[Claim]:
    from reindustry_kb.claims.query import find_claims

    return find_claims(IndexReader.open(settings.index_dir), filters)


def list_documents(settings: Settings) -> list[Document]:
    read_manifest(settings.index_dir)  # fails clearly when there is no index
    return IndexReader.open(settings.index_dir).documents()


_CITATION = re.compile(r"^(?P<doc>.+?):L(?P<start>\d+)(?:-L?(?P<end>\d+))?$")


@dataclass
class Excerpt:
    document: Document
    citation: str
    line_start: int
    line_end: int
    lines: list[tuple[int, str]]  # (1-based line number, text) including context


def show(settings: Settings, citation: str, context: int = 2) -> Excerpt:
    match = _CITATION.match(citation.strip())
    if not match:
        raise RkbError(
            f"{citation!r} is not a citation; expected DOC_ID:L<start>-L<end>, e.g. 001_x:L3-L5"
        )
    reader = IndexReader.open(settings.index_dir)
    doc_id = match["doc"]
    documents = {d.doc_id: d for d in reader.documents()}
    text = reader.document_text(doc_id)
    if text is None or doc_id not in documents:
        raise RkbError(f"no document {doc_id!r} in the index; list them with `rkb docs`")
    all_lines = text.split("\n")
    start = int(match["start"])
    end = int(match["end"] or start)
    if not 1 <= start <= end <= len(all_lines):
        raise RkbError(f"{doc_id} has lines 1-{len(all_lines)}; {citation} is outside them")
    first, last = max(1, start - context), min(len(all_lines), end + context)
    lines = [(n, all_lines[n - 1]) for n in range(first, last + 1)]
    return Excerpt(documents[doc_id], citation_of(doc_id, start, end), start, end, lines)
