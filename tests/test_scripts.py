"""The benchmark scripts run end to end on tiny inputs (they import the library's internals,
so a change there can break them unnoticed: eval_drcd.py unpacked three fields of a hit after
hits had gained a fourth)."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[1]


def test_eval_drcd_runs_on_a_tiny_drcd_file(tmp_path: Path) -> None:
    paragraphs = [
        ("p1", "台北101於2004年落成，高508公尺。", "台北101有多高？", "508公尺"),
        ("p2", "日月潭位於南投縣，是台灣最大的淡水湖。", "日月潭在哪一個縣？", "南投縣"),
        ("p3", "玉山主峰海拔3952公尺，是台灣最高峰。", "台灣最高峰是哪一座山？", "玉山"),
    ]
    data = {
        "data": [
            {
                "paragraphs": [
                    {
                        "id": pid,
                        "context": context,
                        "qas": [{"id": f"{pid}-q", "question": q, "answers": [{"text": a}]}],
                    }
                    for pid, context, q, a in paragraphs
                ]
            }
        ]
    }
    path = tmp_path / "drcd.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "RKB_EMBEDDER": "hashing", "RKB_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "eval_drcd.py"), str(path), "--answers"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "3 paragraphs" in done.stdout and "hybrid" in done.stdout


def _script(name: str) -> Any:
    """A script under scripts/ imported as a module, its siblings importable as when it runs
    (a script's own folder is the first on its path)."""
    if str(ROOT / "scripts") not in sys.path:
        sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_mined_chinese_number_translates_only_an_english_number() -> None:
    translates = _script("mine_terms").translates
    assert not translates("day", "十日")  # the number the aligned articles happened to share
    assert not translates("subparagraph", "第一款")
    assert translates("ninety day", "九十日")
    assert translates("chapter iii", "第三章")
    assert translates("april", "四月")
    assert translates("consistency", "一致性")  # a word that starts with a numeral
    assert translates("carbon dioxide", "二氧化碳")


def test_the_shipped_law_terms_keep_the_number_rule() -> None:
    translates = _script("mine_terms").translates
    table = ROOT / "src" / "reindustry_kb" / "data" / "law_terms.tsv"
    lines = [
        line.split("\t")
        for line in table.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    broken = [
        (english, chinese)
        for english, translations in lines
        for chinese in translations.split("|")
        if not translates(english, chinese)
    ]
    assert len(lines) > 3000
    assert broken == []


def test_place_names_are_written_as_texts_write_them() -> None:
    mine = _script("mine_places")
    assert mine._written("Trinidad & Tobago") == ["Trinidad and Tobago"]
    assert mine._written("Myanmar (Burma)") == ["Myanmar", "Burma"]
    assert mine._written("Cocos (Keeling) Islands") == ["Cocos (Keeling) Islands"]
    assert mine._short(["中国香港特别行政区", "中國香港特別行政區"]) == ["香港"]
    rows = dict(mine.places())
    assert rows["Hong Kong"] == ["香港"] and "波多黎各" in rows["Puerto Rico"]
    assert "Georgia" not in rows and "Turkey" not in rows


def test_vocabulary_candidates_are_phrases_a_term_could_be() -> None:
    phrases = _script("vocabulary_candidates").phrases
    stop = {"the", "shall", "of", "in", "be", "by", "a"}
    found = phrases("The person in charge shall be fined by the competent authority.", stop)
    assert "person in charge" in found and "competent authority" in found
    assert "the person" not in found and "shall be" not in found  # a stopword at an end
    assert "charge shall be" not in found
    # Not across a clause: a comma ends one.
    assert "authority board" not in phrases("the competent authority, board of directors", stop)
