"""Cross-encoders: a model that reads the question and a passage together and scores how well
the passage answers, the final scorer of a question's best candidates (`--reranker PATH`).

Nothing is downloaded: the model is a folder already on disk (a user's own model cache, e.g.
bge-reranker-v2-m3). A folder with an ONNX export (`model.onnx` or `onnx/model.onnx`, beside
`tokenizer.json`) runs under ONNX Runtime and `tokenizers`, the core dependencies; one with
PyTorch weights runs through sentence-transformers' CrossEncoder (the `st` extra).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from reindustry_kb.embed.batches import blocks
from reindustry_kb.errors import RerankerUnavailableError

# Pairs scored per model call: a question's candidates in one or two calls.
BATCH = 16
# Tokens of a question and passage together, at most (the models' usual limit).
MAX_TOKENS = 512
_INSTALL_ST = "run `pip install -c constraints.txt 'reindustry-kb[st]'`"


class Reranker(Protocol):
    name: str  # the model's name, for the calibration key (confidence.calibration_key)

    def score(self, question: str, texts: Sequence[str]) -> list[float]:
        """One relevance logit per text (higher: more likely to answer the question)."""
        ...


def load_reranker(path: Path) -> Reranker:
    """The cross-encoder in a local folder, or a one-line error naming the fix."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise RerankerUnavailableError(
            f"reranker folder {str(path)!r} does not exist; give a local cross-encoder model "
            "folder (e.g. bge-reranker-v2-m3) or drop --reranker / RKB_RERANKER"
        )
    exports = [f for f in (folder / "model.onnx", folder / "onnx" / "model.onnx") if f.is_file()]
    if exports and (folder / "tokenizer.json").is_file():
        return OnnxCrossEncoder(folder, exports[0])
    if _is_cross_encoder_config(folder / "config.json"):
        return StCrossEncoder(folder)
    raise RerankerUnavailableError(
        f"{str(path)!r} holds no cross-encoder (neither model.onnx with tokenizer.json nor a "
        "config.json of a sequence-classification model with one score); give a reranker "
        "folder such as bge-reranker-v2-m3"
    )


def reranker_name(path: Path) -> str:
    """The model's name: its folder's, or in a Hugging Face cache (models--ORG--NAME/
    snapshots/HASH) the NAME the snapshot belongs to."""
    parts = Path(path).expanduser().resolve().parts
    if len(parts) >= 3 and parts[-2] == "snapshots" and parts[-3].startswith("models--"):
        return parts[-3].split("--")[-1]
    return parts[-1] if parts else str(path)


def _is_cross_encoder_config(config_file: Path) -> bool:
    """A Hugging Face config of a sequence classifier with one output: a reranker, not an
    embedder (BertModel) or a classifier of several labels (an NLI model)."""
    try:
        config = json.loads(config_file.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    architectures = config.get("architectures") or []
    labels = len(config["id2label"]) if "id2label" in config else config.get("num_labels", 2)
    return any(a.endswith("ForSequenceClassification") for a in architectures) and labels == 1


def sigmoid(logits: Sequence[float]) -> list[float]:
    """A logit as the model's probability that the passage answers."""
    clipped = np.clip(np.asarray(logits, dtype=np.float64), -40.0, 40.0)
    return (1.0 / (1.0 + np.exp(-clipped))).tolist()  # type: ignore[no-any-return]


class OnnxCrossEncoder:
    """An ONNX export of a cross-encoder, with its `tokenizer.json`: no torch needed."""

    def __init__(self, folder: Path, model_file: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.name = reranker_name(folder)
        try:
            self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            options = ort.SessionOptions()
            options.log_severity_level = 3  # its warnings are not the user's business
            self._session = ort.InferenceSession(
                str(model_file), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # a damaged or foreign file: onnxruntime raises its own types
            raise RerankerUnavailableError(
                f"cannot load the ONNX cross-encoder in {str(folder)!r} ({_first_line(exc)}); "
                "give a folder with a working model.onnx and tokenizer.json"
            ) from exc
        self._inputs = {i.name for i in self._session.get_inputs()}
        output = self._session.get_outputs()[0]
        if output.shape and isinstance(output.shape[-1], int) and output.shape[-1] != 1:
            raise RerankerUnavailableError(
                f"{str(folder)!r} gives {output.shape[-1]} scores per pair, not one: it is a "
                "classifier, not a cross-encoder; give a reranker folder such as bge-reranker-v2-m3"
            )
        self._tokenizer.enable_truncation(_max_tokens(folder))
        self._tokenizer.enable_padding(pad_id=_pad_id(folder, self._tokenizer))

    def score(self, question: str, texts: Sequence[str]) -> list[float]:
        scores: list[float] = []
        for block in blocks(texts, BATCH):
            encodings = self._tokenizer.encode_batch([(question, text) for text in block])
            feed = {
                "input_ids": [e.ids for e in encodings],
                "attention_mask": [e.attention_mask for e in encodings],
                "token_type_ids": [e.type_ids for e in encodings],
            }
            arrays = {
                name: np.asarray(rows, dtype=np.int64)
                for name, rows in feed.items()
                if name in self._inputs
            }
            logits = self._session.run(None, arrays)[0]
            scores.extend(np.asarray(logits, dtype=np.float64).reshape(len(block)).tolist())
        return scores


class StCrossEncoder:
    """Any cross-encoder sentence-transformers loads from a folder (PyTorch weights)."""

    def __init__(self, folder: Path) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub at run time
        try:
            import torch
            import transformers
            from sentence_transformers import CrossEncoder
        except ImportError as exc:
            raise RerankerUnavailableError(
                f"{str(folder)!r} holds a PyTorch model and sentence-transformers is not "
                f"installed; {_INSTALL_ST}, or give a folder with an ONNX export "
                "(model.onnx and tokenizer.json)"
            ) from exc
        transformers.logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # stderr: errors only
        self.name = reranker_name(folder)
        self._identity = torch.nn.Identity()  # logits, not the model's own activation
        try:
            self._model = CrossEncoder(
                str(folder), device="cpu", local_files_only=True, max_length=_max_tokens(folder)
            )
        except (OSError, ValueError) as exc:
            raise RerankerUnavailableError(
                f"cannot load the cross-encoder in {str(folder)!r} offline "
                f"({_first_line(exc)}); give a complete local model folder"
            ) from exc

    def score(self, question: str, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        logits = self._model.predict(
            [(question, text) for text in texts],
            batch_size=BATCH,
            activation_fn=self._identity,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(logits, dtype=np.float64).reshape(len(texts)).tolist()


def _tokenizer_config(folder: Path) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = json.loads((folder / "tokenizer_config.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded


def _max_tokens(folder: Path) -> int:
    """MAX_TOKENS, or less where the tokenizer says its model reads less."""
    limit = _tokenizer_config(folder).get("model_max_length")
    return min(MAX_TOKENS, limit) if isinstance(limit, int) and limit > 0 else MAX_TOKENS


def _pad_id(folder: Path, tokenizer: Any) -> int:
    """The padding token's id: the tokenizer config's pad token, else a usual one, else 0."""
    named = _tokenizer_config(folder).get("pad_token")
    if isinstance(named, dict):  # {"content": "<pad>", ...}
        named = named.get("content")
    for token in (named, "[PAD]", "<pad>"):
        if isinstance(token, str) and (found := tokenizer.token_to_id(token)) is not None:
            return int(found)
    return 0


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
