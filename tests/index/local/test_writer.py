from pathlib import Path

import pytest

from reindustry_kb.ask.questions import ask
from reindustry_kb.ask.session import Session
from reindustry_kb.index.local import writer
from reindustry_kb.index.local.layout import current_build
from reindustry_kb.indexing.pipeline import build_index
from reindustry_kb.settings import Settings

DATA = Path(__file__).parents[2] / "data"


def test_an_interrupted_build_leaves_the_previous_index_working(
    fake_index: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = ask(Session.open(fake_index), "關稅收入", 2).model_dump()
    live = current_build(fake_index.index_dir)

    def crash(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(writer.DenseWriter, "finish", crash)
    (fake_index.seeds_dir / "extra.txt").write_text("新增的文件，談半導體補貼。", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        build_index(fake_index)
    assert current_build(fake_index.index_dir) == live
    assert not [p for p in fake_index.index_dir.iterdir() if p.name.startswith(".tmp")]
    assert ask(Session.open(fake_index), "關稅收入", 2).model_dump() == before


def test_a_build_killed_while_writing_leaves_the_previous_index_working(tmp_path: Path) -> None:
    """The kill is timed from the staging folder's appearance, so it lands mid-write."""
    import shutil
    import signal
    import subprocess
    import sys
    import time

    seeds = tmp_path / "library"
    seeds.mkdir()
    for copy in range(150):  # enough documents that writing a build takes a while
        for source in (DATA / "docs").iterdir():
            text = source.read_text(encoding="utf-8") + f"\n\n第 {copy} 份副本。\n"
            (seeds / f"{copy:03d}_{source.name}").write_text(text, encoding="utf-8")
    settings = Settings(seeds_dir=seeds, index_dir=tmp_path / "indexes", embedder="hashing")
    build_index(settings)
    live = current_build(settings.index_dir)
    before = ask(Session.open(settings), "關稅收入", 3).model_dump()
    shutil.copy(DATA / "docs" / "brief_en.md", seeds / "new_brief.md")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reindustry_kb",
            "index",
            "--seeds",
            str(seeds),
            "--index-dir",
            str(settings.index_dir),
            "--embedder",
            "hashing",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    staging = None
    while process.poll() is None and staging is None:
        staging = next(settings.index_dir.glob(".tmp-build-*"), None)
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert staging is not None, "the build finished before it could be killed mid-write"
    assert current_build(settings.index_dir) == live
    assert ask(Session.open(settings), "關稅收入", 3).model_dump() == before
    build_index(settings)  # the next build clears the remains and goes live
    assert current_build(settings.index_dir) != live
    assert not list(settings.index_dir.glob(".tmp-build-*"))
