"""Cross-encoder folders made for the tests (no PyPI package ships a cross-encoder's weights).

* `overlap_onnx`: an ONNX cross-encoder, built by hand, whose logit is the number of distinct
  vocabulary words the question and the passage share, less 1.5: a model with a known answer,
  so that tests can check the pairing, the segments, the padding and the order it gives.
* `tiny_bert`: a randomly initialised two-layer BERT sequence classifier with one label, saved
  as Hugging Face saves one, for the sentence-transformers path (loading and batching only: its
  scores mean nothing).
"""

from __future__ import annotations

import json
from pathlib import Path

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
_ENGLISH = "tariff revenue customs duties record billion deficit treasury prices steel chips"
_SMALL = "when who how much what the of a in to and is"
WORDS = [*_ENGLISH.split(), *_SMALL.split(), *"關稅收入美國晶片進口"]
# Logit = shared words - OFFSET: one shared word is weak (sigmoid 0.38), two are not (0.62).
OFFSET = 1.5


def _tokenizer() -> object:
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordPiece

    vocab = {token: i for i, token in enumerate([*SPECIAL, *WORDS])}
    tokenizer = Tokenizer(WordPiece(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    return tokenizer


def _save_tokenizer(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    _tokenizer().save(str(folder / "tokenizer.json"))  # type: ignore[attr-defined]
    config = {"pad_token": "[PAD]", "model_max_length": 64, "tokenizer_class": "BertTokenizerFast"}
    (folder / "tokenizer_config.json").write_text(json.dumps(config), "utf-8")


def overlap_onnx(folder: Path, nested: bool = False) -> Path:
    """The overlap cross-encoder in `folder` (its graph under onnx/ when `nested`, as the
    Hugging Face exports lay it out)."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper, save

    _save_tokenizer(folder)
    size = len(SPECIAL) + len(WORDS)
    counted = np.ones(size, dtype=np.float32)
    counted[: len(SPECIAL)] = 0.0  # [CLS] and [SEP] are in every pair
    constants = [
        numpy_helper.from_array(counted, "counted"),
        numpy_helper.from_array(np.array(size, dtype=np.int64), "depth"),
        numpy_helper.from_array(np.array([0.0, 1.0], dtype=np.float32), "off_on"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"),
        numpy_helper.from_array(np.array([-1], dtype=np.int64), "last"),
        numpy_helper.from_array(np.array(1.0, dtype=np.float32), "one"),
        numpy_helper.from_array(np.array(OFFSET, dtype=np.float32), "offset"),
    ]
    nodes = [
        helper.make_node("OneHot", ["input_ids", "depth", "off_on"], ["hot"], axis=-1),
        helper.make_node("Cast", ["attention_mask"], ["mask"], to=TensorProto.FLOAT),
        helper.make_node("Cast", ["token_type_ids"], ["second"], to=TensorProto.FLOAT),
        helper.make_node("Sub", ["one", "second"], ["first"]),
        helper.make_node("Mul", ["mask", "first"], ["in_question"]),
        helper.make_node("Mul", ["mask", "second"], ["in_passage"]),
        helper.make_node("Unsqueeze", ["in_question", "last"], ["q_weight"]),
        helper.make_node("Unsqueeze", ["in_passage", "last"], ["p_weight"]),
        helper.make_node("Mul", ["hot", "q_weight"], ["q_hot"]),
        helper.make_node("Mul", ["hot", "p_weight"], ["p_hot"]),
        helper.make_node("ReduceMax", ["q_hot"], ["asked"], axes=[1], keepdims=0),
        helper.make_node("ReduceMax", ["p_hot"], ["held"], axes=[1], keepdims=0),
        helper.make_node("Mul", ["asked", "held"], ["both"]),
        helper.make_node("Mul", ["both", "counted"], ["shared"]),
        helper.make_node("ReduceSum", ["shared", "axis1"], ["overlap"], keepdims=1),
        helper.make_node("Sub", ["overlap", "offset"], ["logits"]),
    ]
    ids = ["batch", "tokens"]
    graph = helper.make_graph(
        nodes,
        "overlap",
        [
            helper.make_tensor_value_info(name, TensorProto.INT64, ids)
            for name in ("input_ids", "attention_mask", "token_type_ids")
        ],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 1])],
        constants,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    target = folder / "onnx" if nested else folder
    target.mkdir(parents=True, exist_ok=True)
    save(model, str(target / "model.onnx"))
    return folder


def tiny_bert(folder: Path, labels: int = 1) -> Path:
    """A random two-layer BERT classifier with `labels` outputs, saved with its tokenizer."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(SPECIAL) + len(WORDS),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        num_labels=labels,
    )
    BertForSequenceClassification(config).eval().save_pretrained(folder)
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=_tokenizer(),
        pad_token="[PAD]",
        unk_token="[UNK]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        model_max_length=64,
    )
    wrapped.save_pretrained(folder)
    return folder
