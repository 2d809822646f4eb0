"""The PostgreSQL backend: a library in a database (`--db` or RKB_DATABASE_URL), shared by a
team: analysts read it, CI writes it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from reindustry_kb.errors import IndexBusyError
from reindustry_kb.index.backend import IndexReader
from reindustry_kb.index.manifest import Summary
from reindustry_kb.index.postgres import schema
from reindustry_kb.index.postgres.connect import connect, driver, failures, where
from reindustry_kb.index.postgres.reader import PostgresReader
from reindustry_kb.index.postgres.writer import PostgresWriter
from reindustry_kb.settings import Settings

# pg_try_advisory_lock's key for "a writer of this database's library" ("rkb" in ASCII).
WRITER_LOCK = 0x726B62


class PostgresBackend:
    """Generations as schemas, the live one named in rkb.library (index/postgres/schema.py)."""

    name = "postgres"

    def __init__(self, settings: Settings) -> None:
        driver()  # the extra is installed, or one line saying how
        assert settings.database_url is not None
        self.url = settings.database_url
        self.place = where(self.url)

    def where(self) -> str:
        return self.place

    def open(self) -> PostgresReader:
        return PostgresReader.open(self.url, self.place)

    def summary(self) -> Summary | None:
        with connect(self.url, autocommit=True) as conn, failures(self.url):
            if schema.version(conn) == 0:
                return None
            row = conn.execute("SELECT summary FROM rkb.library").fetchone()
            return None if row is None else Summary.model_validate_json(row[0])

    @contextmanager
    def lock(self) -> Iterator[None]:
        """The writer's lock (held by this connection until it closes, so a killed writer
        holds it no longer); the library's tables made or migrated under it."""
        with connect(self.url, autocommit=True) as conn:
            with failures(self.url):
                taken = conn.execute("SELECT pg_try_advisory_lock(%s)", (WRITER_LOCK,)).fetchone()
            if not taken[0]:
                raise IndexBusyError(
                    f"another `rkb index` is writing the library at {self.where()}; wait for it "
                    "to finish, then run this again"
                )
            with failures(self.url):
                schema.migrate(conn, self.where())
            yield

    def writer(self, dim: int, live: IndexReader | None) -> PostgresWriter:
        if live is not None and not isinstance(live, PostgresReader):
            raise TypeError("a database library carries documents from a database library only")
        return PostgresWriter(self.url, self.where(), dim, live)
