"""The library's schema: made and migrated by the writer, checked by every reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from reindustry_kb.errors import DatabaseError, IndexMissingError
from reindustry_kb.index.postgres import schema
from reindustry_kb.index.registry import get_backend
from tests.index.postgres.library import build, query, settings_for, write_library


def test_an_empty_database_has_no_library_yet(database_url: str, tmp_path: Path) -> None:
    backend = get_backend(settings_for(tmp_path, database_url))
    with pytest.raises(IndexMissingError, match=r"no library .*rkb index --db URL"):
        backend.open()
    assert backend.summary() is None


def test_an_older_schema_is_migrated_by_the_writer_and_refused_by_readers(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = write_library(tmp_path / "library")
    build(seeds, database_url)
    backend = get_backend(settings_for(seeds, database_url))
    migrations = [*schema.MIGRATIONS, "ALTER TABLE rkb.library ADD COLUMN note text;"]
    monkeypatch.setattr(schema, "MIGRATIONS", migrations)
    monkeypatch.setattr(schema, "VERSION", 2)
    with pytest.raises(DatabaseError, match=r"schema version 1, this rkb reads 2; run `rkb index"):
        backend.open()
    build(seeds, database_url)
    assert query(database_url, "SELECT version FROM rkb.schema_version") == [(2,)]
    assert backend.open().documents()


def test_a_newer_schema_asks_for_a_newer_rkb(database_url: str, tmp_path: Path) -> None:
    seeds = write_library(tmp_path / "library")
    build(seeds, database_url)
    query(database_url, "UPDATE rkb.schema_version SET version = 99")
    with pytest.raises(DatabaseError, match=r"made by a newer rkb .* pip install -U"):
        get_backend(settings_for(seeds, database_url)).open()


def test_a_user_who_may_not_add_pgvector_is_told_to_ask_an_administrator(
    postgres_server: str, tmp_path: Path
) -> None:
    from tests.conftest import new_database

    url = new_database(postgres_server)
    query(postgres_server, "DROP ROLE IF EXISTS builder")
    query(postgres_server, "CREATE ROLE builder LOGIN")
    name = url.split("/")[3].split("?")[0]
    query(postgres_server, f"GRANT CREATE ON DATABASE {name} TO builder")
    seeds = write_library(tmp_path / "library")
    as_builder = url.replace("postgresql://postgres@", "postgresql://builder@")
    with pytest.raises(DatabaseError, match=r"no pgvector, and this user may not add it"):
        build(seeds, as_builder)
