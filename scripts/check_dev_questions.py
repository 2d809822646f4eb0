"""Check the dev questions against the dev library's documents and count what kind they are.

    python scripts/check_dev_questions.py tests/data/dev_questions.jsonl --library /tmp/devlib

The library is the folder `make_dev_corpus.py --only tests/data/dev_library.txt` writes. Each
question must name a document of tests/data/dev_library.txt, be written in the language its
`lang` says (en, zh-Hans or zh-Hant, as rkb detects it), quote answers that occur verbatim in
that document (so the strict reading, right document and a hit that holds the answer, can be
scored), and carry the split its document hashes to (`--blind`: a set written apart from the
dev library, on documents of its own, every question `heldout`). A question may name a
`lookalike`: text of another article or section of the same document that looks like the
answer (another period, date, fine or deadline); it must occur there, away from every answer.
Counted: the questions asked in another language or script than their document's, and those
whose answer sits in a long document beside a look-alike. Exit 1 on any error.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

from reindustry_kb.models import language_group
from reindustry_kb.text.language import detect_lang

LANGS = ("en", "zh-Hans", "zh-Hant")
LONG_BYTES = 18_000  # a long law or order: ~6,000 Chinese characters or ~3,000 English words
APART = 300  # an order's look-alike lies this many characters from the answer, at least
# The line that opens an article: "第 12 條" (Taiwan), "第十二条 ..." (PRC).
ARTICLE = re.compile(r"^(第\s*[\d-]+\s*條|第[一二三四五六七八九十百零〇]+条)", re.M)


def split_of(doc: str) -> str:
    """A third of the documents held out, by a fixed hash of the document id, so that no
    document has questions on both sides and a new document never moves an old one."""
    digest = hashlib.sha256(f"dev-split:{doc}".encode()).hexdigest()
    return "heldout" if int(digest[:8], 16) % 3 == 0 else "tune"


def article_start(text: str, position: int) -> int:
    """Where the article holding `position` begins (-1 before the first)."""
    starts = [m.start() for m in ARTICLE.finditer(text, 0, position + 1)]
    return starts[-1] if starts else -1


def lookalike_error(text: str, answers: list[str], lookalike: str, is_law: bool) -> str | None:
    places = [m.start() for m in re.finditer(re.escape(lookalike), text)]
    if not places:
        return "lookalike not in the document"
    if any(lookalike in answer or answer in lookalike for answer in answers):
        return "lookalike overlaps an answer"
    answer_at = text.find(answers[0])
    if is_law:
        elsewhere = [p for p in places if article_start(text, p) != article_start(text, answer_at)]
    else:
        elsewhere = [p for p in places if abs(p - answer_at) >= APART]
    return None if elsewhere else "lookalike in the answer's own article or section"


def check(
    questions: list[dict], library: Path, allowed: set[str], blind: bool = False
) -> tuple[list[str], Counter]:
    errors: list[str] = []
    counts: Counter = Counter()
    texts: dict[str, str] = {}
    seen: set[str] = set()
    for q in questions:
        qid, doc = q.get("id", "?"), q.get("doc", "")
        where = f"{qid}:"
        if qid in seen:
            errors.append(f"{where} duplicate id")
        seen.add(qid)
        if doc not in allowed:
            errors.append(f"{where} {doc!r} is not in the dev library list")
            continue
        if doc not in texts:
            path = library / f"{doc}.txt"
            if not path.is_file():
                errors.append(f"{where} {path} missing (write the library with --only)")
                continue
            texts[doc] = path.read_text(encoding="utf-8")
        text = texts[doc]
        lang, answers = q.get("lang"), q.get("answers") or []
        if lang not in LANGS or detect_lang(q["question"]) != lang:
            errors.append(f"{where} lang {lang!r}, detected {detect_lang(q['question'])!r}")
        if not answers:
            errors.append(f"{where} no answers")
        for answer in answers:
            found = text.count(answer)
            if not found:
                errors.append(f"{where} answer not in {doc}: {answer}")
            counts["answers quoted more than once in their document"] += found > 1
        split = "heldout" if blind else split_of(doc)
        if q.get("split") != split:
            errors.append(f"{where} split {q.get('split')!r}, its document's is {split}")
        doc_lang = detect_lang(text[:3000])
        is_law = doc.startswith(("law-", "prc-"))  # articles; orders and briefings have sections
        if q.get("lookalike") and answers and all(a in text for a in answers):
            problem = lookalike_error(text, answers, q["lookalike"], is_law)
            if problem:
                errors.append(f"{where} {problem}")
        count(counts, q, lang or "", doc_lang, len(text.encode("utf-8")))
    return errors, counts


def count(counts: Counter, q: dict, lang: str, doc_lang: str, size: int) -> None:
    part = q.get("split", "?")
    cross_language = language_group(lang) != language_group(doc_lang)
    cross_script = not cross_language and lang != doc_lang
    long_lookalike = bool(q.get("lookalike")) and size >= LONG_BYTES
    for key in ("all", part):
        counts[f"{key}: questions"] += 1
        counts[f"{key}: cross-language (en <-> zh)"] += cross_language
        counts[f"{key}: cross-script (zh-Hans <-> zh-Hant)"] += cross_script
        counts[f"{key}: cross-lingual (either)"] += cross_language or cross_script
        counts[f"{key}: long document, beside a look-alike"] += long_lookalike
    counts[f"documents: {q['doc']}"] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("--library", type=Path, required=True, help="make_dev_corpus --only output")
    parser.add_argument(
        "--list", type=Path, default=Path("tests/data/dev_library.txt"), help="the library's ids"
    )
    parser.add_argument("--blind", action="store_true", help="a blind set: every question held out")
    args = parser.parse_args()
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line) for line in lines if line.strip()]
    allowed = set(args.list.read_text(encoding="utf-8").split())
    errors, counts = check(questions, args.library, allowed, args.blind)
    for name in sorted(counts):
        if not name.startswith("documents: "):
            print(f"{name:<56} {counts[name]}")
    print(f"documents with questions: {sum(1 for n in counts if n.startswith('documents: '))}")
    for error in errors:
        print("error:", error, file=sys.stderr)
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
