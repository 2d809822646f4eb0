"""Is the index in step with seeds/? Shared by `rkb index --check` and incremental builds.

Documents are compared by the sha256 of their bytes; the configuration (embedder, model,
chunking settings, package and format versions) by value. Any configuration change means
every passage must be embedded again.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from pydantic import BaseModel, Field

from reindustry_kb import __version__
from reindustry_kb.errors import WrongFolderError
from reindustry_kb.index.manifest import FORMAT_VERSION, BuildConfig, ChunkSettings, Summary
from reindustry_kb.index.registry import get_backend
from reindustry_kb.ingest.sources import doc_id_for, find_sources
from reindustry_kb.models import Skipped
from reindustry_kb.settings import Settings


class IndexCheck(BaseModel):
    up_to_date: bool
    added: list[str] = Field(default_factory=list)
    changed: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    config_changes: list[str] = Field(default_factory=list)
    # Documents in the folder that could not be indexed (as the last build found them, or
    # as the folder shows: duplicate ids, names that are no UTF-8): `--check --strict` fails.
    unreadable: list[Skipped] = Field(default_factory=list)
    # Of `unchanged`, those the index holds (the others are files it skipped, unchanged since).
    indexed: int = 0


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


def file_hashes(paths: list[Path], seeds_dir: Path) -> dict[str, str]:
    """The sha256 of these files, by document id."""
    return {doc_id_for(path, seeds_dir): file_digest(path) for path in paths}


def file_digest(path: Path) -> str:
    """The sha256 of a file's bytes, read in blocks (a file may be larger than memory should
    hold); for a file that cannot be read, what stands in its place: a build that skipped it
    and a check that finds it the same agree it is unchanged."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as file:
            while block := file.read(1 << 20):
                digest.update(block)
    except OSError as exc:
        return f"unreadable: {exc.strerror or type(exc).__name__}"
    return digest.hexdigest()


def seeds_relative(settings: Settings) -> str:
    """The seeds folder as the index records it: relative to the index folder, or for a
    library in a database, whole."""
    if settings.database_url:
        return settings.seeds_dir.resolve().as_posix()
    return Path(
        os.path.relpath(settings.seeds_dir.resolve(), settings.index_dir.resolve())
    ).as_posix()


def check_owner(settings: Settings, summary: Summary | None, replace: bool = False) -> None:
    """Refuse to build an index from another folder than the one it was built from."""
    if summary is None or summary.seeds is None or replace:
        return
    built_from = (settings.index_dir / summary.seeds).resolve()  # an absolute one stays
    where, flag = str(settings.index_dir), "--index-dir"
    if settings.database_url:
        where, flag = get_backend(settings).where(), "--db"
    if built_from != settings.seeds_dir.resolve():
        raise WrongFolderError(
            f"the index in {where} was built from {built_from}, not {settings.seeds_dir}; "
            f"give this folder its own {flag}, or pass --replace to rebuild that index from it"
        )


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
    summary = get_backend(settings).summary()
    paths, passed_over = find_sources(settings.seeds_dir)  # a missing folder is named first
    check_owner(settings, summary)
    embedder = settings.embedder or (summary and summary.embedder) or settings.build_embedder_name()
    model = settings.model or (summary and summary.model) or ""
    if summary is not None and settings.embedder and settings.embedder != summary.embedder:
        model = settings.model or ""  # another embedder: its own default model
    hashes = file_hashes(paths, settings.seeds_dir)
    result = compare(hashes, summary, build_config(settings, embedder, model))
    result.indexed = (
        sum(doc_id in summary.documents for doc_id in result.unchanged) if summary else 0
    )
    known = summary.skipped if summary else {}
    where = {doc_id_for(path, settings.seeds_dir): path for path in paths}
    result.unreadable = [s for s in passed_over if s.unreadable] + [
        Skipped(
            path=where[doc_id].relative_to(settings.seeds_dir).as_posix(),
            reason=known[doc_id].reason,
            unreadable=True,
        )
        for doc_id, sha256 in hashes.items()
        if doc_id in known and known[doc_id].sha256 == sha256
    ]
    _set_aside_empty(result, where, settings.seeds_dir)
    return result


# Added files up to this size are read to see whether they hold anything (a build skips them).
EMPTY_CHECK_BYTES = 4096


def _set_aside_empty(result: IndexCheck, where: dict[str, Path], seeds_dir: Path) -> None:
    """An added file with nothing in it is no document the index lacks: a build would skip it,
    so it is listed as one that cannot be indexed, not as added."""
    for doc_id in list(result.added):
        path = where[doc_id]
        try:
            small = path.stat().st_size <= EMPTY_CHECK_BYTES
            empty = small and not path.read_bytes().strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe")
        except OSError:
            continue  # the build names it
        if empty:
            name = path.relative_to(seeds_dir).as_posix()
            reason = f"{name} is empty; add text to it or remove it from the seeds folder"
            result.added.remove(doc_id)
            result.unreadable.append(Skipped(path=name, reason=reason, unreadable=True))
    result.up_to_date = not (
        result.added or result.changed or result.removed or result.config_changes
    )
