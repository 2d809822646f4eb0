"""What goes wrong reaching a database: one line each, naming the fix, never the password."""

from __future__ import annotations

import pytest

from reindustry_kb.errors import DatabaseError
from reindustry_kb.index.postgres.connect import connect, where
from tests.index.postgres.library import query


def test_a_malformed_url_says_how_to_write_one() -> None:
    with pytest.raises(
        DatabaseError, match=r"is not valid .* postgresql://USER@HOST:PORT/DATABASE"
    ):
        connect("mysql://u@host/db")
    with pytest.raises(
        DatabaseError, match=r"is not valid .* postgresql://USER@HOST:PORT/DATABASE"
    ):
        connect("postgresql://u:hunter2@host/db?nosuchoption=1")


def test_no_server_there_says_to_check_the_url_and_the_server(tmp_path: object) -> None:
    with pytest.raises(DatabaseError, match=r"cannot reach the database .*rkb db start") as found:
        connect(f"postgresql://u:hunter2@/db?host={tmp_path}")
    assert "hunter2" not in str(found.value) and "\n" not in str(found.value)


def test_a_login_refused_names_user_and_password(postgres_server: str) -> None:
    url = postgres_server.replace("postgresql://postgres@", "postgresql://nobody:hunter2@")
    with pytest.raises(DatabaseError, match=r"refused the login .* user and password") as found:
        connect(url)
    assert "hunter2" not in str(found.value)


def test_a_missing_database_says_to_create_it(postgres_server: str) -> None:
    with pytest.raises(DatabaseError, match=r"no such database .*createdb"):
        connect(postgres_server.replace("/postgres?", "/nosuchdb?"))


def test_where_names_host_port_and_database_without_credentials() -> None:
    assert where("postgresql://bob:hunter2@db.example:5433/team") == (
        "postgresql://bob@db.example:5433/team"
    )
    assert where("host=db password=hunter2 dbname=team") == "postgresql://db/team"
    assert (
        where("postgresql://postgres@/rkb?host=/srv/db")
        == "postgresql://postgres@/rkb?host=/srv/db"
    )


def test_a_reader_without_privileges_is_told_which_role_it_needs(
    postgres_server: str, database_url: str
) -> None:
    from reindustry_kb.index.postgres.connect import failures

    query(database_url, "CREATE TABLE secret (x int)")
    query(postgres_server, "DROP ROLE IF EXISTS stranger")
    query(postgres_server, "CREATE ROLE stranger LOGIN")
    url = database_url.replace("postgresql://postgres@", "postgresql://stranger@")
    with (
        connect(url) as conn,
        pytest.raises(DatabaseError, match=r"denied .* rkb_read role"),
        failures(url),
    ):
        conn.execute("SELECT * FROM secret")
