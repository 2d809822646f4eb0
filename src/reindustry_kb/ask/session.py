"""An open index and the embedder that may query it: what every question starts from."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from reindustry_kb.ask.confidence import Calibration, calibration_for
from reindustry_kb.ask.terms import Terms
from reindustry_kb.embed.cross_encoder import Reranker, load_reranker, reranker_name
from reindustry_kb.embed.embedder import Embedder, QueryMemo, Vectors, get_embedder
from reindustry_kb.errors import EmbedderMismatchError
from reindustry_kb.index.backend import DenseStats, IndexReader
from reindustry_kb.index.registry import get_backend
from reindustry_kb.settings import Settings


def open_reader(settings: Settings) -> IndexReader:
    """The live index the settings name, for commands that need no embedder."""
    return get_backend(settings).open()


@dataclass
class Session:
    """An open index, the embedder that built it, the statistics questions need, and the
    cross-encoder folder that re-scores each question's best hits, if one is given."""

    reader: IndexReader
    embedder: Embedder
    reranker_path: Path | None = None
    # Short phrases embedded as queries (compare's measured objects), by text.
    phrase_vectors: dict[str, Vectors] = field(default_factory=dict)
    # The places each document names (ask/places.document_places), by doc_id: read once.
    places: dict[str, Counter[str]] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: Settings) -> Session:
        """Open the index with the embedder that built it, or explain the mismatch."""
        reader = open_reader(settings)
        built_with = (reader.manifest.embedder, reader.manifest.model)
        wanted = settings.embedder or built_with[0]
        if wanted != built_with[0] or (settings.model and settings.model != built_with[1]):
            raise EmbedderMismatchError(
                f"the index was built with {built_with[0]} ({built_with[1]}), not "
                f"{wanted} ({settings.model or 'default model'}); rebuild it with "
                f"`rkb index --embedder {wanted}` or query without --embedder/--model"
            )
        embedder = QueryMemo(get_embedder(built_with[0], built_with[1]))
        return cls(reader, embedder, settings.reranker)

    @cached_property
    def reranker(self) -> Reranker | None:
        """The cross-encoder, loaded at the first question (commands that rank no hits never
        pay for it, whatever RKB_RERANKER says)."""
        return load_reranker(self.reranker_path) if self.reranker_path else None

    @cached_property
    def terms(self) -> Terms:
        """What BM25 knows of a question's terms."""
        return Terms(self.reader)

    @cached_property
    def dense(self) -> DenseStats:
        """The dense side's groups, centroids and spreads."""
        return self.reader.dense_stats()

    @cached_property
    def calibration(self) -> Calibration | None:
        """How this index's embedder and model (and the reranker) turn evidence into a
        probability, if known."""
        manifest = self.reader.manifest
        reranker = reranker_name(self.reranker_path) if self.reranker_path else None
        return calibration_for(manifest.embedder, manifest.model, reranker)

    @property
    def window_size(self) -> int:
        return self.reader.manifest.settings.window_size
