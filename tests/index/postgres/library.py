"""A small library to build into a test database, and a connection to look inside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reindustry_kb.index.postgres.connect import connect
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.models import IndexStats
from reindustry_kb.settings import Settings

LIBRARY = {
    "solar.md": "---\ntitle: Solar\ndate: 2025-07-14\n---\nSolar tariffs rose to 15% in 2025.\n\n"
    "The Commerce Department set new duties on solar panels from Vietnam.\n",
    "battery.txt": "---\ntitle: 锂电池\ndate: 2024-12-01\n---\n锂电池产量增长了 35%，出口增加。\n",
    "grid.md": "# Grid\n\nThe grid operator added 3 GW of storage in Texas.\n",
    "wind.md": "# 風電\n\n台灣離岸風電裝置容量在2024年達到3GW。\n",
}


def write_library(folder: Path, files: dict[str, str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (LIBRARY if files is None else files).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def settings_for(seeds: Path, url: str, **more: Any) -> Settings:
    return Settings(seeds_dir=seeds, database_url=url, embedder="fake", **more)


def build(seeds: Path, url: str, **more: Any) -> IndexStats:
    return build_index(settings_for(seeds, url, **more))


def query(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
    """Rows of a statement run on its own connection (in the live generation's schema when
    the statement names a table of it by `{g}`)."""
    with connect(url, autocommit=True) as conn:
        if "{g}" in sql:
            generation = conn.execute("SELECT generation FROM rkb.library").fetchone()[0]
            sql = sql.replace("{g}", generation)
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []
