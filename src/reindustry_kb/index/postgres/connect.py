"""Connections to a library's database, and what goes wrong with them as one line that names
the fix. A password is never printed: every message goes through errors.redact."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from reindustry_kb.errors import DatabaseError, RkbError, redact

INSTALL = "pip install 'reindustry-kb[server]'"


def driver() -> Any:
    """psycopg, or a one-line error saying how to install it."""
    try:
        import psycopg
    except ImportError:
        raise RkbError(f"a database library needs the server extra: {INSTALL}") from None
    return psycopg


def where(url: str) -> str:
    """The database as a URL without the password: user, host, port and name (a Unix socket
    folder as ?host=), for messages and `rkb index --json`."""
    psycopg = driver()
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.Error:
        return redact(url)
    host, user = str(info.get("host") or ""), info.get("user")
    name = info.get("dbname") or user or "postgres"
    port = f":{info['port']}" if info.get("port") else ""
    login = f"{user}@" if user else ""
    if host.startswith("/"):  # a socket folder
        return f"postgresql://{login}{port}/{name}?host={host}"
    return f"postgresql://{login}{host}{port}/{name}"


def connect(url: str, autocommit: bool = False) -> Any:
    """A new connection (one line naming the fix when there is none). Statements are not
    prepared on the server: a pooler in transaction mode (PgBouncer) would lose them."""
    psycopg = driver()
    try:
        return psycopg.connect(
            url,
            autocommit=autocommit,
            prepare_threshold=None,
            connect_timeout=10,
            application_name="rkb",
        )
    except psycopg.Error as exc:
        raise refused(exc, url) from None


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return redact(lines[0] if lines else type(exc).__name__)


def refused(exc: BaseException, url: str) -> DatabaseError:
    """Why a connection could not be made, and what to do."""
    text, lower = _first_line(exc), str(exc).lower()
    if isinstance(exc, driver().ProgrammingError):  # libpq could not parse it
        return DatabaseError(
            f"the database URL {redact(url)} is not valid ({text}); write it as "
            "postgresql://USER@HOST:PORT/DATABASE"
        )
    place = where(url)
    if "authentication" in lower or "no password" in lower or "role" in lower:
        return DatabaseError(
            f"the database at {place} refused the login ({text}); check the user and password "
            "(in the URL, PGPASSWORD or ~/.pgpass)"
        )
    if "database" in lower and "does not exist" in lower:
        return DatabaseError(
            f"there is no such database at {place} ({text}); create it (createdb NAME) or fix "
            "the URL"
        )
    return DatabaseError(
        f"cannot reach the database at {place} ({text}); check the URL and that the server "
        "runs (`rkb db start` starts one on this machine)"
    )


@contextmanager
def failures(url: str) -> Iterator[None]:
    """Database errors inside as one line each: a lost connection, a missing privilege, a
    library whose tables are not all there."""
    psycopg = driver()
    try:
        yield
    except psycopg.errors.InsufficientPrivilege as exc:
        raise DatabaseError(
            f"the database at {where(url)} denied this ({_first_line(exc)}); a reader needs the "
            "rkb_read role, a writer rkb_write (README, 'A team library')"
        ) from None
    except psycopg.errors.UndefinedTable as exc:
        raise DatabaseError(
            f"the library at {where(url)} is incomplete ({_first_line(exc)}); run `rkb index "
            "--db URL --replace` to rebuild it"
        ) from None
    except psycopg.OperationalError as exc:
        raise DatabaseError(
            f"lost the connection to the database at {where(url)} ({_first_line(exc)}); run the "
            "command again"
        ) from None
    except psycopg.Error as exc:
        raise DatabaseError(f"the database at {where(url)} failed: {_first_line(exc)}") from None
