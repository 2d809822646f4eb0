"""README's roles, run as written: CI writes as a member of rkb_write, an analyst reads as a
member of rkb_read and cannot write."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import new_database
from tests.index.postgres.library import query, write_library

README = Path(__file__).parents[3] / "README.md"


def _readme_roles(database: str) -> list[str]:
    """The statements of README's roles block, for this database."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- roles: .*?-->\n```sql\n(.*?)```", text, re.DOTALL)
    assert block is not None, "README lost its roles block"
    sql = re.sub(r"--[^\n]*", "", block.group(1)).replace("DATABASE rkb", f"DATABASE {database}")
    return [statement.strip() for statement in sql.split(";") if statement.strip()]


def _rkb(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reindustry_kb", *args], capture_output=True, text=True, check=False
    )


def test_readers_read_and_only_writers_write(tmp_path: Path, postgres_server: str) -> None:
    url = new_database(postgres_server)
    database = url.split("/")[3].split("?")[0]
    for statement in _readme_roles(database):
        query(url, statement)
    seeds = write_library(tmp_path / "library")
    ci, alice = (
        url.replace("postgresql://postgres@", f"postgresql://{u}@") for u in ("ci", "alice")
    )
    built = _rkb("index", "--seeds", str(seeds), "--db", ci, "--embedder", "hashing")
    assert built.returncode == 0, built.stderr
    asked = _rkb("ask", "solar tariffs", "--db", alice, "--json")
    assert asked.returncode == 0 and '"hits"' in asked.stdout, asked.stderr
    assert _rkb("claims", "--db", alice, "--json").returncode == 0
    (seeds / "grid.md").write_text("# Grid\n\nThe grid added 9 GW.\n")
    refused = _rkb("index", "--seeds", str(seeds), "--db", alice, "--embedder", "hashing")
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert "denied" in refused.stderr and "rkb_write" in refused.stderr
    rebuilt = _rkb("index", "--seeds", str(seeds), "--db", ci, "--embedder", "hashing")
    assert rebuilt.returncode == 0, rebuilt.stderr
