"""What an index generation holds, whichever backend keeps it: the configuration that decides
its contents, and per document its hash and counts. A local index commits the summary as
`indexes/manifest.json`, which `rkb index --check` compares with the source folder."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# The version of what an index stores: a change to it makes `rkb index --check` stale and the
# next `rkb index` a rebuild.
FORMAT_VERSION = 7


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChunkSettings(Strict):
    passage_target: int
    passage_max: int
    window_size: int


class BuildConfig(Strict):
    """Everything besides the documents that decides what an index contains."""

    format: int  # FORMAT_VERSION of the writer
    package_version: str
    embedder: str
    model: str
    settings: ChunkSettings

    def changes_from(self, other: BuildConfig | None) -> list[str]:
        """'field: old -> new' for each field that differs from another build's."""
        if other is None:
            return []
        mine, theirs = self.model_dump(), other.model_dump(include=set(BuildConfig.model_fields))
        return [f"{k}: {theirs[k]!r} -> {v!r}" for k, v in mine.items() if theirs[k] != v]


class DocumentEntry(Strict):
    path: str
    sha256: str
    n_passages: int
    n_claims: int


class SkippedEntry(Strict):
    sha256: str
    reason: str


class Counts(Strict):
    documents: int
    passages: int
    claims: int


class Summary(BuildConfig):
    """What a build holds, without timestamps: `indexes/manifest.json`, committed."""

    dim: int
    # The folder the index was built from, relative to the index folder ("../seeds"): an
    # index belongs to its folder (`rkb index --seeds OTHER` refuses to replace it).
    seeds: str | None = None
    documents: dict[str, DocumentEntry]
    counts: Counts
    # Files found but not indexed (a scanned PDF...), so `rkb index --check` knows them.
    skipped: dict[str, SkippedEntry] = Field(default_factory=dict)


class Manifest(Summary):
    """A build's own manifest: the summary, plus when and what it wrote."""

    build: str = ""
    built_at: str
    files: dict[str, int] = Field(default_factory=dict)  # name -> size, checked on open
