"""List the English words and phrases of Taiwan's official law translations that no bilingual
table holds: what src/reindustry_kb/data/legal_vocabulary.tsv was written for.

The mined table (scripts/mine_terms.py) keeps a translation only when each side is the other's
strongest partner, so common words whose translation varies (notice: 通知, 公告, 预告; claim:
请求, 索赔) have no line, and an English question naming them reaches no Chinese article by
its words. This lists, by the number of laws using them, the words (as the tokenizer folds
them) and the two- and three-word sequences (not beginning or ending with a stopword) that no
table before it holds (query.TABLES: the glossary, the places' names, the mined table; the lists
it was written from held the places' names too, hong kong among the phrases), leaving out the
laws a folder holds (as mine_terms.py does), so that a vocabulary written from the lists has not
seen a development library's own translations.

    python scripts/vocabulary_candidates.py --moj REPO.git [--exclude DIR ...] \\
        --words words.tsv --phrases phrases.tsv

The vocabulary was written from the first 3,000 words and 1,800 phrases, in two rounds of 1,500
and 900 (ties at a cut were then in no fixed order; no question was read while writing it);
translations a term needs in mainland usage were added for the mined table's lines too
(employer: 雇主 there, 用人单位 in the PRC's labour law).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from collections import Counter
from collections.abc import Collection, Iterator
from pathlib import Path

from mine_terms import excluded_laws

from reindustry_kb.ask.query import TABLES
from reindustry_kb.claims.lexicon import table_lines
from reindustry_kb.text.tokenize import stopwords, tokenize

# A phrase must stand in this many laws.
MIN_LAWS = 25
_WORDS = re.compile(r"[a-z]+(?:-[a-z]+)*")
_CLAUSE = re.compile(r"[.;:,()\n\"]")
# Words that begin or end no term, besides the stopwords (in a phrase's middle, only of, in
# and for may stand: person in charge, board of directors).
_EDGE_WORDS = (
    "shall may must such said any all each other same this that these those which who whom whose"
    " its their his her be been being is are was were has have had not no or and of to in on at"
    " by for with from as an a the than then if when where under upon within after before into"
    " over also only article paragraph subparagraph preceding following act regulations"
    " provisions"
)
_EDGES = set(_EDGE_WORDS.split())
_MIDDLE = {"of", "in", "for"}


def translated_laws(repo: Path, excluded: set[str]) -> Iterator[str]:
    """The text of each English translation in the snapshot, one law at a time."""
    listing = subprocess.run(
        ["git", "--git-dir", str(repo), "ls-tree", "-r", "--name-only", "HEAD", "Eng_FalVMingLing"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    names = [n for n in listing if n.endswith(".json") and Path(n).stem not in excluded]
    batch = subprocess.run(
        ["git", "--git-dir", str(repo), "cat-file", "--batch"],
        input="\n".join(f"HEAD:{name}" for name in names).encode(),
        check=True,
        capture_output=True,
    ).stdout
    position = 0
    while position < len(batch):
        header_end = batch.index(b"\n", position)
        size = int(batch[position:header_end].split()[2])
        body = batch[header_end + 1 : header_end + 1 + size]
        position = header_end + 1 + size + 1
        try:
            law = json.loads(body)
        except json.JSONDecodeError:
            continue
        text = "\n".join(a.get("條文內容", "") for a in law.get("法規內容", []))
        if text:
            yield text


def table_terms() -> set[str]:
    """The English terms the tables before the written vocabulary hold, lower-cased."""
    return {
        english.lower()
        for name, kind in TABLES.items()
        if kind != "written"
        for english, _chinese in table_lines(name)
    }


def phrases(text: str, stop: Collection[str]) -> set[str]:
    """Two- and three-word sequences within a clause, neither end (nor, but for of, in and
    for, the middle) a word of `stop`."""
    found = set()
    for clause in _CLAUSE.split(text.lower()):
        words = _WORDS.findall(clause)
        for n in (2, 3):
            for i in range(len(words) - n + 1):
                run = words[i : i + n]
                if run[0] in stop or run[-1] in stop:
                    continue
                if any(w in stop and w not in _MIDDLE for w in run[1:-1]):
                    continue
                found.add(" ".join(run))
    return found


def by_count(counts: Counter[str]) -> list[tuple[str, int]]:
    """Most laws first, ties in alphabetical order."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moj", type=Path, required=True, help="mojLawSplitJSON git directory")
    parser.add_argument("--exclude", type=Path, action="append", default=[])
    parser.add_argument("--words", type=Path, required=True)
    parser.add_argument("--phrases", type=Path, required=True)
    args = parser.parse_args()
    excluded = excluded_laws(args.exclude)
    held, stop = table_terms(), stopwords()
    edges = stop | _EDGES
    words: Counter[str] = Counter()
    sequences: Counter[str] = Counter()
    for text in translated_laws(args.moj, excluded):
        words.update({w for w in tokenize(text) if w.isalpha() and len(w) > 2})
        sequences.update(phrases(text, edges))
    word_rows = [(w, n) for w, n in by_count(words) if w not in held and w not in stop]
    phrase_rows = [(p, n) for p, n in by_count(sequences) if n >= MIN_LAWS and p not in held]
    args.words.write_text("".join(f"{w}\t{n}\n" for w, n in word_rows), encoding="utf-8")
    args.phrases.write_text("".join(f"{p}\t{n}\n" for p, n in phrase_rows), encoding="utf-8")


if __name__ == "__main__":
    main()
