"""Rebuild the development corpus for ingest and scale measurements from public sources.

The documents are not committed; this script writes them from two public repositories
(fetched snapshots, read with git, nothing downloaded here):

* kong0107/mojLawSplitJSON: Taiwan's laws from the national law database, in Chinese and in
  their official English translations (government works, not subject to copyright under
  Article 9 of Taiwan's Copyright Act);
* tony-landreth/presidential_executive_order_corpus: US executive orders from the Federal
  Register, 1995-2020 (US government works, public domain).

    python scripts/make_dev_corpus.py --moj REPO.git --orders-repo REPO.git -o corpus/ \\
        --laws 40 --english-laws 20 --orders 40

Each document becomes a UTF-8 text file with front matter (title, date, source). The
selection is a fixed-seed sample, so the same arguments give the same corpus.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import subprocess
from datetime import datetime
from pathlib import Path

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def git_files(repo: Path, folder: str) -> list[str]:
    out = subprocess.run(
        ["git", "--git-dir", str(repo), "ls-tree", "-r", "--name-only", "HEAD", folder],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return sorted(out.split())


def git_show(repo: Path, path: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(repo), "show", f"HEAD:{path}"],
        check=True,
        capture_output=True,
    ).stdout.decode("utf-8", "replace")


def front_matter(title: str, date: str | None, source: str) -> str:
    lines = ["---", f"title: {title}"]
    if date:
        lines.append(f"date: {date}")
    lines += [f"source: {source}", "---", ""]
    return "\n".join(lines)


def iso(yyyymmdd: str | None) -> str | None:
    if not yyyymmdd or not re.fullmatch(r"\d{8}", yyyymmdd):
        return None
    return f"{yyyymmdd[:4]}-{yyyymmdd[4:6]}-{yyyymmdd[6:]}"


def law_text(record: dict[str, object], english: bool) -> str:
    title = str(record.get("英文法規名稱" if english else "法規名稱") or "")
    date = iso(str(record.get("最新英文異動日期" if english else "最新異動日期") or ""))
    parts = [front_matter(title, date, str(record.get("法規網址", "")))]
    for item in record.get("法規內容", []) or []:  # type: ignore[attr-defined]
        if "編章節" in item:
            parts.append(f"## {item['編章節'].strip()}\n")
        elif "條號" in item:
            body = item.get("條文內容", "").replace("\r\n", "\n").strip()
            parts.append(f"{item['條號'].strip()}\n{body}\n")
    return "\n".join(parts)


def order_text(page: str) -> tuple[str, str | None] | None:
    """An executive order's title line and reflowed body from its Federal Register page."""
    match = re.search(r"<pre>(.*?)</pre>", page, re.S)
    if not match:
        return None
    body = html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))
    body = re.sub(r"\[\[Page \d+\]\]", "", body)
    heading = re.search(r"Executive Order (\d+) of (\w+ \d+, \d{4})", body)
    if not heading:
        return None
    body = body[heading.start() :]
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", body)]
    text = "\n\n".join(p for p in paragraphs if p)
    return f"Executive Order {heading.group(1)}", text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moj", type=Path, required=True, help="mojLawSplitJSON git dir")
    parser.add_argument("--orders-repo", type=Path, required=True, help="executive orders git dir")
    parser.add_argument("-o", "--out", type=Path, required=True)
    parser.add_argument("--laws", type=int, default=40)
    parser.add_argument("--english-laws", type=int, default=20)
    parser.add_argument("--orders", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    written = 0
    for folder, count, english in (
        ("FalVMingLing", args.laws, False),
        ("Eng_FalVMingLing", args.english_laws, True),
    ):
        names = git_files(args.moj, folder)
        rng.shuffle(names)
        taken = 0
        for name in names:
            if taken == count:
                break
            record = json.loads(git_show(args.moj, name))
            if record.get("廢止註記") or not record.get("法規內容"):
                continue
            stem = Path(name).stem + ("-en" if english else "")
            (args.out / f"law-{stem}.txt").write_text(law_text(record, english), "utf-8")
            taken += 1
            written += 1
    pages = [n for n in git_files(args.orders_repo, "executive_orders") if n.endswith(".htm")]
    rng.shuffle(pages)
    taken = 0
    for name in pages:
        if taken == args.orders:
            break
        parsed = order_text(git_show(args.orders_repo, name))
        if parsed is None:
            continue
        title, body = parsed
        body = CONTROL.sub("", body)  # some Federal Register pages end in a NUL byte
        signed = re.search(r"of (\w+ \d+, \d{4})", body)
        date = datetime.strptime(signed.group(1), "%B %d, %Y").date() if signed else None
        header = front_matter(title, date and date.isoformat(), "Federal Register")
        (args.out / f"{Path(name).stem}.txt").write_text(header + body + "\n", "utf-8")
        taken += 1
        written += 1
    print(f"wrote {written} documents to {args.out}")


if __name__ == "__main__":
    main()
