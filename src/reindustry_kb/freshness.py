"""Is the index in step with seeds/? Shared by `rkb index --check` and incremental builds.

Documents are compared by the sha256 of their bytes; the configuration (embedder, model,
chunking settings, package and format versions) by value. Any configuration change means
every passage must be embedded again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import BaseModel, Field

from reindustry_kb import __version__
from reindustry_kb.settings import Settings
from reindustry_kb.sources import discover, doc_id_for
from reindustry_kb.store import (
    FORMAT_VERSION,
    BuildConfig,
    ChunkSettings,
    Summary,
    read_summary,
)


class IndexCheck(BaseModel):
    up_to_date: bool
    added: list[str] = Field(default_factory=list)
    changed: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    config_changes: list[str] = Field(default_factory=list)


def build_config(settings: Settings, embedder: str, model: str) -> BuildConfig:
    """Everything besides the documents that decides what an index contains."""
    return BuildConfig(
        format=FORMAT_VERSION,
        package_version=__version__,
        embedder=embedder,
        model=model,
        settings=ChunkSettings(
            passage_target=settings.passage_target,
            passage_max=settings.passage_max,
            window_size=settings.window_size,
        ),
    )


def seed_hashes(seeds_dir: Path) -> dict[str, str]:
    """The sha256 of every seed file, by document id."""
    return file_hashes(discover(seeds_dir), seeds_dir)


def file_hashes(paths: list[Path], seeds_dir: Path) -> dict[str, str]:
    """The sha256 of these files, by document id."""
    return {
        doc_id_for(path, seeds_dir): hashlib.sha256(path.read_bytes()).hexdigest() for path in paths
    }


def compare(hashes: dict[str, str], summary: Summary | None, config: BuildConfig) -> IndexCheck:
    """Added, changed, removed and unchanged documents, and configuration changes. A file the
    last build skipped as unreadable counts as indexed while its bytes stay the same."""
    indexed = {doc_id: doc.sha256 for doc_id, doc in (summary.documents if summary else {}).items()}
    indexed |= {doc_id: s.sha256 for doc_id, s in (summary.skipped if summary else {}).items()}
    config_changes = config.changes_from(summary)
    added = sorted(set(hashes) - set(indexed))
    removed = sorted(set(indexed) - set(hashes))
    changed = sorted(d for d in set(hashes) & set(indexed) if hashes[d] != indexed[d])
    unchanged = sorted(d for d in set(hashes) & set(indexed) if hashes[d] == indexed[d])
    return IndexCheck(
        up_to_date=not (added or removed or changed or config_changes),
        added=added,
        changed=changed,
        removed=removed,
        unchanged=unchanged,
        config_changes=config_changes,
    )


def check_index(settings: Settings) -> IndexCheck:
    """Compare seeds/ with the index summary; reads files, writes nothing, loads no model."""
    summary = read_summary(settings.index_dir)
    embedder = settings.embedder or (summary and summary.embedder) or settings.build_embedder_name()
    model = settings.model or (summary and summary.model) or ""
    if summary is not None and settings.embedder and settings.embedder != summary.embedder:
        model = settings.model or ""  # another embedder: its own default model
    return compare(
        seed_hashes(settings.seeds_dir), summary, build_config(settings, embedder, model)
    )
