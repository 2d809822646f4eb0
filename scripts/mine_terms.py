"""Mine a bilingual term table from Taiwan's laws and their official English translations.

The national law database publishes about 3,000 laws in Chinese with an official English
translation, article by article (kong0107/mojLawSplitJSON, a fetched snapshot read with git;
government works, free of copyright under Article 9 of Taiwan's Copyright Act). Article N of
the English text translates 第 N 條 of the Chinese, so the two form about 50,000 aligned pairs.
A term and its translation appear in the same pairs: `imprisonment` stands in nearly every
pair where 有期徒刑 does, and rarely elsewhere. So, per English word or two-word phrase and
Chinese word, their Dice coefficient over the pairs (2 * both / (either + other)), and a
translation is kept when the English term is the Chinese word's strongest partner (a word seen
with 罰鍰 because fines follow violations is 罰鍰's weaker partner) and the Chinese word is
within SECOND of the English term's strongest, seen together often enough.

    python scripts/mine_terms.py --moj REPO.git [--exclude DIR ...] \\
        -o src/reindustry_kb/data/law_terms.tsv

`--exclude` leaves out the laws a folder holds (files named law-<pcode>[-en].txt, as
scripts/make_dev_corpus.py writes them), so a table used to measure retrieval on a
development library has not seen that library's own translations.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from reindustry_kb.text.normalize import is_han
from reindustry_kb.text.tokenize import tokenize

# A term must stand in this many aligned pairs, and a translation be seen in this many.
MIN_PAIRS = 5
MIN_TOGETHER = 15
# Terms in more than this share of the pairs (shall, 應, 規定) translate nothing in particular.
MAX_SHARE = 0.15
# A translation's Dice coefficient at least; an English term's second translation is kept when
# it reaches this share of the first's (刑 and 徒刑 for imprisonment).
MIN_DICE = 0.35
SECOND = 0.8
# A Chinese number with its measure word (十日, 第三章, 五歲, 一年期) translates only an English
# term that says a number or names a month: beside `day` or `chapter` it is the number the
# aligned articles happened to share, and a question's `within how many days` asked for 十日.
_CHINESE_NUMBER = re.compile(
    r"^第?[零〇一二两三四五六七八九十百千万亿半]+(?:日|天|岁|号|章|节|项|款|目|类|条|年|年期|期|名"
    r"|代|组|轮|小时|月|月底|季|次|个|成|倍|联)?$"
)
_ENGLISH_NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty"
    r"|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|first"
    r"|second|third|(?:four|fif|six|seven|eigh|nin|ten|twelf|hundred)th|half|single|double|once"
    r"|twice|triple|triplicate|quarter|january"
    r"|february|march|april|may|june|july|august|september|october|november|december"
    r"|i{1,3}|iv|vi{0,3}|ix|xi{0,3})\b"  # and Roman numerals: chapter iii
)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(repo), *args], check=True, capture_output=True
    ).stdout.decode("utf-8", "replace")


def article_number(label: str) -> str | None:
    """`Article 13-1` and `第 13-1 條` both give `13-1`."""
    m = re.search(r"(\d+(?:-\d+)?)", label or "")
    return m.group(1) if m else None


def aligned_pairs(repo: Path, excluded: set[str]) -> list[tuple[str, str]]:
    """(English article, Chinese article) for every law translated article by article."""
    names = git(repo, "ls-tree", "-r", "--name-only", "HEAD", "Eng_FalVMingLing").split()
    pairs: list[tuple[str, str]] = []
    for name in names:
        pcode = Path(name).stem
        if pcode in excluded:
            continue
        try:
            english = json.loads(git(repo, "show", f"HEAD:{name}"))
            chinese = json.loads(git(repo, "show", f"HEAD:FalVMingLing/{pcode}.json"))
        except (subprocess.CalledProcessError, json.JSONDecodeError):
            continue
        by_number = {
            article_number(a.get("條號", "")): a.get("條文內容", "")
            for a in chinese.get("法規內容", [])
            if a.get("條號")
        }
        for article in english.get("法規內容", []):
            number = article_number(article.get("條號", ""))
            if number and by_number.get(number):
                pairs.append((article.get("條文內容", ""), by_number[number]))
    return pairs


def english_terms(text: str) -> set[str]:
    """Words and adjacent two-word phrases (after stopwords go, as BM25 sees them)."""
    words = [t for t in tokenize(text) if t.isalpha() and len(t) > 2]
    return set(words) | {f"{a} {b}" for a, b in itertools.pairwise(words)}


def chinese_terms(text: str) -> set[str]:
    return {t for t in tokenize(text) if len(t) >= 2 and is_han(t[0])}


def mine(pairs: list[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """(English term, its Chinese translations, best first) for each kept term."""
    import numpy as np
    from scipy import sparse

    english = [english_terms(e) for e, _ in pairs]
    chinese = [chinese_terms(c) for _, c in pairs]
    limit = MAX_SHARE * len(pairs)

    def vocabulary(sets: list[set[str]]) -> dict[str, int]:
        counts = Counter(term for terms in sets for term in terms)
        kept = sorted(t for t, n in counts.items() if MIN_PAIRS <= n <= limit)
        return {term: i for i, term in enumerate(kept)}

    def matrix(sets: list[set[str]], vocab: dict[str, int]) -> sparse.csr_matrix:
        rows, cols = [], []
        for row, terms in enumerate(sets):
            for term in terms:
                if term in vocab:
                    rows.append(row)
                    cols.append(vocab[term])
        data = np.ones(len(rows), dtype=np.float32)
        return sparse.csr_matrix((data, (rows, cols)), shape=(len(sets), len(vocab)))

    e_vocab, z_vocab = vocabulary(english), vocabulary(chinese)
    e_matrix, z_matrix = matrix(english, e_vocab), matrix(chinese, z_vocab)
    together = (e_matrix.T @ z_matrix).tocsr()  # pairs holding both
    e_count = np.asarray(e_matrix.sum(axis=0)).ravel()
    z_count = np.asarray(z_matrix.sum(axis=0)).ravel()
    coo = together.tocoo()
    keep = coo.data >= MIN_TOGETHER
    e_ids, z_ids, both = coo.row[keep], coo.col[keep], coo.data[keep]
    dice = 2 * both / (e_count[e_ids] + z_count[z_ids])
    # Each side's strongest partner.
    best_z = np.zeros(len(e_vocab))
    best_e = np.zeros(len(z_vocab))
    np.maximum.at(best_z, e_ids, dice)
    np.maximum.at(best_e, z_ids, dice)
    e_terms, z_terms = list(e_vocab), list(z_vocab)  # in id order
    found: dict[str, list[tuple[float, str]]] = {}
    for e, z, d in zip(e_ids.tolist(), z_ids.tolist(), dice.tolist(), strict=True):
        if d >= MIN_DICE and d >= best_e[z] and d >= SECOND * best_z[e]:
            found.setdefault(e_terms[e], []).append((d, z_terms[z]))
    table = [
        (term, [z for _, z in sorted(translations, reverse=True)[:2] if translates(term, z)])
        for term, translations in sorted(found.items())
    ]
    return [(term, translations) for term, translations in table if translations]


def translates(english: str, chinese: str) -> bool:
    """Whether a mined pair may stand: a Chinese number only for an English number."""
    return not _CHINESE_NUMBER.match(chinese) or bool(_ENGLISH_NUMBER.search(english))


def excluded_laws(folders: list[Path]) -> set[str]:
    """The pcodes of the laws the folders hold (law-<pcode>[-en].txt, as
    scripts/make_dev_corpus.py writes them)."""
    return {
        re.sub(r"^law-|-en$", "", path.stem)
        for folder in folders
        for path in folder.rglob("law-*.txt")
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moj", type=Path, required=True, help="mojLawSplitJSON git directory")
    parser.add_argument("--exclude", type=Path, action="append", default=[])
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    excluded = excluded_laws(args.exclude)
    pairs = aligned_pairs(args.moj, excluded)
    table = mine(pairs)
    head = git(args.moj, "rev-parse", "HEAD").strip()
    lines = [
        "# English term<TAB>Chinese translations (| separated), mined by scripts/mine_terms.py",
        f"# from {len(pairs)} aligned articles of Taiwan's laws and their official English",
        f"# translations (kong0107/mojLawSplitJSON at {head[:10]}; government works, Article 9",
        "# of Taiwan's Copyright Act). Each translation is the other's strongest partner.",
        "# A Chinese number (十日, 第三章) translates only an English number.",
        *(f"{term}\t{'|'.join(translations)}" for term, translations in table),
    ]
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(
        f"{len(pairs)} aligned articles, {len(excluded)} laws excluded, {len(table)} terms",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
