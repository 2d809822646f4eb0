"""Score `rkb timeline` against a gold set of expected events and non-events.

Each gold line names a document (`doc`), the library it is in, its split, the events it should
show (`date` and one or more `key` phrases, any of which the entry's text must hold), dates that
may or may not be shown (`optional`) and dates that must not be events (`not_events`, for the
record: every shown entry that matches no expected event is a false one). An entry matches an
event when its date is the event's and its text holds one of its keys (case and script folded).

    precision = shown entries matching an expected event / shown entries not optional
    strict    = the same over every shown entry (an optional one counted as wrong)
    recall    = expected events some shown entry matches / expected events

    python scripts/eval_timeline.py tests/data/timeline_gold.jsonl \
        --index seeds=indexes --index devlib=/tmp/devlib-index [--split heldout] [--show]

A library whose index is not given is skipped (and said so). `--show` prints each judged entry.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reindustry_kb.models import ClaimFilters
from reindustry_kb.settings import Settings
from reindustry_kb.text.normalize import fold_text


def _timeline() -> Callable[[Any, ClaimFilters], list[Any]]:
    """The timeline of this checkout (ask/timeline.py), or of a release before it."""
    try:
        from reindustry_kb.ask.timeline import timeline
    except ImportError:  # before 0.11: ask/compare.py
        from reindustry_kb.ask.compare import timeline  # type: ignore[no-redef]
    return timeline  # type: ignore[return-value]


def judge(gold: dict[str, Any], entries: list[Any]) -> dict[str, Any]:
    """The counts of one document, and each shown entry's verdict."""
    found = [(e.date, fold_text(getattr(e, "text", "") or e.event.text)) for e in entries]
    events = gold["events"]
    optional = {o["date"] for o in gold.get("optional", [])}

    def matches(date: str, text: str, event: dict[str, Any]) -> bool:
        return date == event["date"] and any(fold_text(k) in text for k in event["key"])

    verdicts = []
    for date, text in found:
        if any(matches(date, text, event) for event in events):
            verdicts.append((date, text, "right"))
        elif date in optional:
            verdicts.append((date, text, "optional"))
        else:
            verdicts.append((date, text, "wrong"))
    recalled = sum(any(matches(d, t, event) for d, t in found) for event in events)
    return {
        "shown": sum(v[2] != "optional" for v in verdicts),
        "optional": sum(v[2] == "optional" for v in verdicts),
        "right": sum(v[2] == "right" for v in verdicts),
        "events": len(events),
        "recalled": recalled,
        "verdicts": verdicts,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", type=Path)
    parser.add_argument("--index", action="append", default=[], help="LIBRARY=INDEX_DIR")
    parser.add_argument("--split", choices=("tune", "heldout"))
    parser.add_argument("--show", action="store_true", help="print each shown entry's verdict")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from reindustry_kb.ask.session import open_reader

    indexes = dict(item.split("=", 1) for item in args.index)
    readers = {name: open_reader(Settings(index_dir=Path(path))) for name, path in indexes.items()}
    timeline = _timeline()
    golds = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines()]
    rows = []
    for gold in golds:
        if args.split and gold["split"] != args.split:
            continue
        if gold["library"] not in readers:
            print(f"skipped {gold['doc']}: no --index {gold['library']}=...", file=sys.stderr)
            continue
        entries = timeline(readers[gold["library"]], ClaimFilters(docs=(gold["doc"],)))
        result = judge(gold, entries)
        rows.append({"doc": gold["doc"], "library": gold["library"], "split": gold["split"]})
        rows[-1].update(result)
    summary = _summary(rows)
    if args.json:
        print(json.dumps({"summary": summary, "documents": rows}, ensure_ascii=False))
        return 0
    for row in rows:
        print(
            f"{row['split']:8} {row['library']:9} {row['doc'][:48]:48} shown {row['shown']:3} "
            f"right {row['right']:3}  events {row['events']:3} recalled {row['recalled']:3}"
        )
        if args.show:
            for date, text, verdict in row["verdicts"]:
                print(f"    {verdict:8} {date:10} {text[:90]}")
    for name, numbers in summary.items():
        print(
            f"{name}: precision {numbers['precision']:.3f} ({numbers['right']}/{numbers['shown']})"
            f"  strict {numbers['strict']:.3f}  recall {numbers['recall']:.3f}"
            f" ({numbers['recalled']}/{numbers['events']})"
        )
    return 0


def _summary(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Micro-averaged precision and recall by library and split, and over all."""
    keys = {"all": lambda r: True}
    for split in ("tune", "heldout"):
        keys[split] = lambda r, s=split: r["split"] == s  # type: ignore[misc]
    for library in sorted({r["library"] for r in rows}):
        keys[library] = lambda r, lib=library: r["library"] == lib  # type: ignore[misc]
    out = {}
    for name, keep in keys.items():
        chosen = [r for r in rows if keep(r)]
        if not chosen:
            continue
        counted = ("shown", "optional", "right", "events", "recalled")
        total = {k: sum(r[k] for r in chosen) for k in counted}
        every = total["shown"] + total["optional"]
        out[name] = {
            **total,
            "precision": total["right"] / total["shown"] if total["shown"] else 1.0,
            "strict": total["right"] / every if every else 1.0,
            "recall": total["recalled"] / total["events"] if total["events"] else 1.0,
        }
    return out


if __name__ == "__main__":
    sys.exit(main())
