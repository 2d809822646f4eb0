"""Rebuild the development corpus for ingest and scale measurements from public sources.

The documents are not committed; this script writes them from public repositories (fetched
snapshots, read with git, nothing downloaded here):

* kong0107/mojLawSplitJSON: Taiwan's laws from the national law database, in Chinese and in
  their official English translations (government works, not subject to copyright under
  Article 9 of Taiwan's Copyright Act);
* tony-landreth/presidential_executive_order_corpus: US executive orders from the Federal
  Register, 1995-2020 (US government works, public domain);
* LawRefBook/Laws (optional, `--prc-repo`): laws of the People's Republic of China in
  Simplified Chinese, from the national law database (laws are excluded from copyright by
  Article 5 of the PRC Copyright Law);
* brian14708/wh-briefings (optional, `--briefings-repo`): White House articles and fact
  sheets in English, 2025-2026, as whitehouse.gov published them (US government works, public
  domain); figures cited by several of them make the compare library
  (`--only tests/data/compare_library.txt`).

Documents with more people and organisations in them, for the actor sample
(`tests/data/actors_sample.jsonl`), from further snapshots (all optional):

* virus-warnning/twnews (`--news-repo`): the seven Taiwan news pages its tests parse, in
  Traditional Chinese, kept as HTML for rkb's own extraction;
* brian14708/wh-briefings (`--briefings-repo`, `--briefings N`): White House articles and
  briefings in English, 2025-2026, Markdown with front matter;
* ruanyf/weekly (`--weekly-repo`, `--weekly N`): a technology weekly in Simplified Chinese.

    python scripts/make_dev_corpus.py --moj REPO.git --orders-repo REPO.git -o corpus/ \\
        --laws 40 --english-laws 20 --orders 40 [--prc-repo REPO.git --prc-laws 40] \\
        [--news-repo REPO.git] [--briefings-repo REPO.git --briefings 20] \\
        [--weekly-repo REPO.git --weekly 10]

Each document becomes a UTF-8 text file with front matter (title, date, source). The
selection is a fixed-seed sample, so the same arguments give the same corpus. `--only
FILE` writes exactly the documents whose ids (file names without `.txt`) FILE lists, one a
line: the question library of `tests/data/dev_questions.jsonl` is
`--only tests/data/dev_library.txt`; `--exclude DIR` leaves out documents DIR already
holds, so distractors never include a question's own document.
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
        ["git", "--git-dir", str(repo), "ls-tree", "-r", "-z", "--name-only", "HEAD", folder],
        check=True,
        capture_output=True,
    ).stdout.decode("utf-8")
    return sorted(name for name in out.split("\0") if name)  # -z: names unquoted


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


PRC_FOLDERS = ("经济法", "行政法", "社会法", "民法商法")


def prc_laws(repo: Path) -> dict[str, str]:
    """The latest version of each PRC law in the chosen folders: id -> path in the repo."""
    latest: dict[str, tuple[str, str]] = {}
    for folder in PRC_FOLDERS:
        for name in git_files(repo, folder):
            match = re.fullmatch(r".*/([^/(]+)(?:\((\d{4}-\d{2}-\d{2})\))?\.md", name)
            if not match or match.group(1).startswith("_"):
                continue
            key, date = f"prc-{match.group(1)}", match.group(2) or ""
            if key not in latest or date > latest[key][0]:
                latest[key] = (date, name)
    return {key: name for key, (_, name) in latest.items()}


def prc_text(markdown: str, path: str) -> str:
    title = re.search(r"^# (.+)$", markdown, re.M)
    date = re.search(r"\((\d{4}-\d{2}-\d{2})\)\.md$", path)
    body = markdown[title.end() :] if title else markdown
    body = body.replace("<!-- INFO END -->", "").strip()
    header = front_matter(
        title.group(1).strip() if title else Path(path).stem,
        date.group(1) if date else None,
        "国家法律法规数据库 flk.npc.gov.cn",
    )
    return header + body + "\n"


def git_bytes(repo: Path, path: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", str(repo), "show", f"HEAD:{path}"], check=True, capture_output=True
    ).stdout


def extra_documents(
    args: argparse.Namespace, rng: random.Random, excluded: set[str]
) -> dict[str, bytes]:
    """The news pages, briefings and weekly issues asked for (none that `excluded` names):
    file name -> contents."""
    import lzma

    found: dict[str, bytes] = {}
    if args.news_repo:
        for name in git_files(args.news_repo, "twnews/samples"):
            if name.endswith(".html.xz"):
                site = Path(name).name.removesuffix(".html.xz")
                if f"news-{site}" not in excluded:
                    found[f"news-{site}.html"] = lzma.decompress(git_bytes(args.news_repo, name))
    for repo, folder, count, prefix in (
        (args.briefings_repo, "articles", args.briefings, "wh-"),
        (args.weekly_repo, "docs", args.weekly, "weekly-"),
    ):
        if not repo or not count:
            continue
        names = [
            n
            for n in git_files(repo, folder)
            if n.endswith(".md") and f"{prefix}{Path(n).stem}" not in excluded
        ]
        if prefix == "weekly-":
            names = [n for n in names if Path(n).stem.startswith("issue-")]
        for name in rng.sample(names, min(count, len(names))):
            found[f"{prefix}{Path(name).stem}.md"] = git_bytes(repo, name)
    return found


BRIEFING_FOLDERS = ("articles", "fact-sheets")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def briefings(repo: Path) -> dict[str, str]:
    """White House articles and fact sheets: id (wh-<file stem>) -> path in the repo."""
    return {
        f"wh-{Path(name).stem}": name
        for folder in BRIEFING_FOLDERS
        for name in git_files(repo, folder)
        if name.endswith(".md")
    }


def briefing_text(markdown: str) -> str:
    """A briefing's front matter (title, date, source) and its text without link targets."""
    import yaml

    head = re.match(r"---\n(.*?)\n---\n", markdown, re.S)
    fields = yaml.safe_load(head.group(1)) if head else {}
    body = markdown[head.end() :] if head else markdown
    body = re.sub(r"<figure.*?</figure>|<[^>]+>", "", body, flags=re.S)  # pictures, tags
    body = html.unescape(_LINK.sub(r"\1", body))
    # One line a paragraph or list item: the site wraps at 72 columns, and a line break ends
    # a sentence.
    items = re.split(r"\n\s*\n|\n(?=\s*(?:[-*+]|\d+\.)\s)", body)
    paragraphs = [" ".join(p.split()) for p in items]
    body = "\n\n".join(p for p in paragraphs if p)
    header = front_matter(
        str(fields.get("title", "")),
        str(fields.get("date") or "") or None,
        str(fields.get("source_url", "whitehouse.gov")),
    )
    return header + body.strip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moj", type=Path, required=True, help="mojLawSplitJSON git dir")
    parser.add_argument("--orders-repo", type=Path, required=True, help="executive orders git dir")
    parser.add_argument("-o", "--out", type=Path, required=True)
    parser.add_argument("--laws", type=int, default=40)
    parser.add_argument("--english-laws", type=int, default=20)
    parser.add_argument("--orders", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--prc-repo", type=Path, help="LawRefBook/Laws git dir")
    parser.add_argument("--prc-laws", type=int, default=0)
    parser.add_argument("--news-repo", type=Path, help="virus-warnning/twnews git dir")
    parser.add_argument("--briefings-repo", type=Path, help="brian14708/wh-briefings git dir")
    parser.add_argument("--briefings", type=int, default=0)
    parser.add_argument("--weekly-repo", type=Path, help="ruanyf/weekly git dir")
    parser.add_argument("--weekly", type=int, default=0)
    parser.add_argument("--only", type=Path, help="write exactly the document ids listed here")
    parser.add_argument("--exclude", type=Path, help="leave out the documents this folder holds")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    only = set(args.only.read_text("utf-8").split()) if args.only else None
    excluded = {p.stem for p in args.exclude.iterdir()} if args.exclude else set()
    excluded |= {f"{stem}-en" for stem in excluded}  # nor a translation of one

    def wanted(doc_id: str, taken: int, count: int) -> bool:
        if only is not None:
            return doc_id in only
        return taken < count and doc_id not in excluded

    written = 0
    for folder, count, english in (
        ("FalVMingLing", args.laws, False),
        ("Eng_FalVMingLing", args.english_laws, True),
    ):
        names = git_files(args.moj, folder)
        rng.shuffle(names)
        taken = 0
        for name in names:
            doc_id = f"law-{Path(name).stem}" + ("-en" if english else "")
            if not wanted(doc_id, taken, count):
                continue
            record = json.loads(git_show(args.moj, name))
            if record.get("廢止註記") or not record.get("法規內容"):
                continue
            (args.out / f"{doc_id}.txt").write_text(law_text(record, english), "utf-8")
            taken += 1
            written += 1
    pages = [n for n in git_files(args.orders_repo, "executive_orders") if n.endswith(".htm")]
    rng.shuffle(pages)
    taken = 0
    for name in pages:
        if not wanted(Path(name).stem, taken, args.orders):
            continue
        parsed = order_text(git_show(args.orders_repo, name))
        if parsed is None:
            continue
        title, body = parsed
        body = CONTROL.sub("", body)  # some Federal Register pages end in a NUL byte
        signed = re.search(r"of (\w+ \d+, \d{4})", body)
        try:
            date = datetime.strptime(signed.group(1), "%B %d, %Y").date() if signed else None
        except ValueError:  # the Federal Register has the odd typo ("Janaury 17, 2001")
            date = None
        header = front_matter(title, date and date.isoformat(), "Federal Register")
        (args.out / f"{Path(name).stem}.txt").write_text(header + body + "\n", "utf-8")
        taken += 1
        written += 1
    if args.prc_repo:
        laws = prc_laws(args.prc_repo)
        keys = sorted(laws)
        rng.shuffle(keys)
        taken = 0
        for key in keys:
            if wanted(key, taken, args.prc_laws):
                path = laws[key]
                (args.out / f"{key}.txt").write_text(
                    prc_text(git_show(args.prc_repo, path), path), "utf-8"
                )
                taken += 1
                written += 1
    for name, data in extra_documents(args, rng, excluded).items():
        if only is None or Path(name).stem in only:
            (args.out / name).write_bytes(data)
            written += 1
    if args.briefings_repo and only is not None:
        # The compare library (--only) holds briefings as text, articles and fact sheets;
        # a sampled library (--briefings N, the actor sample's) keeps the Markdown as published
        # (extra_documents). Two forms of one source: to unify when both are rebuilt.
        found = briefings(args.briefings_repo)
        keys = sorted(found)
        rng.shuffle(keys)
        taken = 0
        for key in keys:
            if wanted(key, taken, args.briefings):
                text = briefing_text(git_show(args.briefings_repo, found[key]))
                (args.out / f"{key}.txt").write_text(text, "utf-8")
                taken += 1
                written += 1
    print(f"wrote {written} documents to {args.out}")


if __name__ == "__main__":
    main()
