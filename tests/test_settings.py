"""Where the index is: flags over variables, a database or a folder, never both."""

from __future__ import annotations

from pathlib import Path

import pytest

from reindustry_kb.errors import RkbError
from reindustry_kb.settings import Settings

URL = "postgresql://analyst:hunter2@db.example/team"


def test_precedence_db_then_index_dir_then_the_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RKB_INDEX_DIR", "/from/env")
    assert Settings.from_env().database_url is None
    monkeypatch.setenv("RKB_DATABASE_URL", URL)
    assert Settings.from_env().database_url == URL  # RKB_DATABASE_URL beats RKB_INDEX_DIR
    flag = Settings.from_env(index_dir=Path("mine"))  # --index-dir beats RKB_DATABASE_URL
    assert flag.database_url is None and flag.index_dir == Path("mine")
    other = "postgresql://ci@db.example/team"
    assert Settings.from_env(database_url=other).database_url == other  # --db beats all


def test_db_and_index_dir_together_are_an_error() -> None:
    with pytest.raises(RkbError, match="--db and --index-dir both name an index; give one"):
        Settings.from_env(database_url=URL, index_dir=Path("x"))
