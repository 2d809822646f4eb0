"""Actor precision on a judged sample of a real library, and recall on the seeds' gold actors.

    python scripts/actor_precision.py draw LIBRARY -o SAMPLE.jsonl [--size 100] [--seed 31]
    python scripts/actor_precision.py score LIBRARY SAMPLE.jsonl [--size 100] [--seed 31]
    python scripts/actor_precision.py recall seeds tests/data/actors_gold.jsonl

An actor is one distinct (name, what is shown, type) a document yields, at its first mention.
`draw` writes a fixed-seed sample of them, stratified by the document's language (a third each
of zh-Hant, zh-Hans and English, as the library holds them), with the sentence around each, for
judging by hand: `"correct": true|false` and a `"note"`. `score` draws the sample again from the
library as the extractor reads it now (same seed, same size) and reports the precision of the
judged items; items the sample file has not judged yet are listed and the exit status is 1, so a
figure is never computed over part of a sample. tests/data/actors_sample.jsonl holds the
judgements of the draw made before the rules changed (`"drawn": "before"`; run `score` with
commit 5a6473c's src/ on PYTHONPATH for that figure) and of the actors today's draw added. A
judgement is keyed by what the reader sees (document, position, name as written, what is shown,
type), so an actor that changed is judged afresh. An actor is correct when it names one person,
organisation, government, company, country or media outlet; its span is the whole name, with no
word glued on and none cut off; the entity and type are right; and it is shown in the document's
script.

`recall` reads a gold list of the seeds' actors (`{"doc_id", "name"}` a line, read from the
seeds) and reports the share found: a gold actor is found when one claim of its document quotes
its name exactly.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

from reindustry_kb.claims.extract import extract_claims
from reindustry_kb.ingest.segment import segment
from reindustry_kb.ingest.sources import find_sources, read_source
from reindustry_kb.models import ActorClaim

STRATA = ("zh-Hant", "zh-Hans", "en")


def library_actors(library: Path) -> list[dict[str, Any]]:
    """Each document's distinct actors at their first mention, with the sentence around it."""
    paths, _ = find_sources(library)
    actors: list[dict[str, Any]] = []
    for path in paths:
        source = read_source(path, library)
        lang = source.doc.lang if source.doc.lang in STRATA else "mixed"
        seen: set[tuple[str, str, str]] = set()
        for claim in extract_claims(source, segment(source)):
            if not isinstance(claim, ActorClaim):
                continue
            shown = getattr(claim, "display", None) or claim.canonical
            key = (claim.name, shown, claim.actor_type)
            if key in seen:
                continue
            seen.add(key)
            left = source.text[max(0, claim.char_start - 40) : claim.char_start]
            right = source.text[claim.char_end : claim.char_end + 40]
            actors.append(
                {
                    "doc_id": source.doc.doc_id,
                    "lang": lang,
                    "char_start": claim.char_start,
                    "name": claim.name,
                    "canonical": claim.canonical,
                    "shown": shown,
                    "actor_type": claim.actor_type,
                    "context": " ".join(f"{left}[[{claim.name}]]{right}".split()),
                }
            )
    return actors


def draw(actors: list[dict[str, Any]], size: int, seed: int) -> list[dict[str, Any]]:
    """A fixed-seed sample, a third from each language (the rest from the others when one
    language has too few)."""
    rng = random.Random(seed)
    by_lang = {lang: [a for a in actors if a["lang"] == lang] for lang in STRATA}
    quota = {lang: size // len(STRATA) + (i < size % len(STRATA)) for i, lang in enumerate(STRATA)}
    picked: list[dict[str, Any]] = []
    for lang in STRATA:
        pool = by_lang[lang]
        picked += rng.sample(pool, min(quota[lang], len(pool)))
    rest = [a for a in actors if a not in picked]
    picked += rng.sample(rest, min(size - len(picked), len(rest)))
    return picked


def key(actor: dict[str, Any]) -> tuple[Any, ...]:
    fields = ("doc_id", "char_start", "name", "shown", "actor_type")
    return tuple(actor[field] for field in fields)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def score(sample: list[dict[str, Any]], judged: list[dict[str, Any]]) -> int:
    judgements = {key(item): item for item in judged if item.get("correct") is not None}
    missing = [item for item in sample if key(item) not in judgements]
    if missing:
        print(f"{len(missing)} sampled actors are not judged yet:", file=sys.stderr)
        for item in missing:
            print(json.dumps(item, ensure_ascii=False), file=sys.stderr)
        return 1
    for lang in (*STRATA, "mixed"):
        items = [judgements[key(item)] for item in sample if item["lang"] == lang]
        if items:
            right = sum(item["correct"] for item in items)
            print(f"{lang:8} {right}/{len(items)} = {right / len(items):.2f}")
    right = sum(judgements[key(item)]["correct"] for item in sample)
    print(f"precision {right}/{len(sample)} = {right / len(sample):.2f}")
    return 0


def recall(seeds: Path, gold: list[dict[str, Any]]) -> None:
    paths, _ = find_sources(seeds)
    found: dict[str, set[str]] = {}
    for path in paths:
        source = read_source(path, seeds)
        names = {c.name for c in extract_claims(source, segment(source)) if c.kind == "actor"}
        found[source.doc.doc_id] = names
    missed = [g for g in gold if g["name"] not in found.get(g["doc_id"], set())]
    for item in missed:
        print(f"missed {item['doc_id']} {item['name']}", file=sys.stderr)
    hit = len(gold) - len(missed)
    print(f"recall {hit}/{len(gold)} = {hit / len(gold):.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("draw", "score", "recall"))
    parser.add_argument("library", type=Path)
    parser.add_argument("judged", type=Path, nargs="?", help="the judged sample, or the gold")
    parser.add_argument("-o", "--out", type=Path, help="where `draw` writes the sample")
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--seed", type=int, default=31)
    args = parser.parse_args()
    if args.command == "recall":
        recall(args.library, read_jsonl(args.judged))
        return 0
    sample = draw(library_actors(args.library), args.size, args.seed)
    if args.command == "draw":
        lines = [json.dumps({**a, "correct": None, "note": ""}, ensure_ascii=False) for a in sample]
        args.out.write_text("\n".join(lines) + "\n", "utf-8")
        print(f"wrote {len(sample)} actors to {args.out}")
        return 0
    return score(sample, read_jsonl(args.judged))


if __name__ == "__main__":
    sys.exit(main())
