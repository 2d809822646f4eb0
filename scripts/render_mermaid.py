"""Draw the Mermaid charts of `rkb export` files as PNG pictures, to look at them.

Each ```mermaid block of each file becomes OUT/<file>-<n>.png, drawn by Mermaid's browser bundle
(tests/mermaid/node_modules: run `npm ci` there first) in headless Chromium (Debian's
`chromium`; CJK labels need a CJK font, such as Debian's fonts-noto-cjk):

    rkb export --timeline -o /tmp/timeline.md
    python scripts/render_mermaid.py /tmp/timeline.md --out /tmp/charts
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BUNDLE = Path(__file__).parents[1] / "tests/mermaid/node_modules/mermaid/dist/mermaid.min.js"
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><style>body {{ margin: 16px; background: white; }}</style>
<script src="{bundle}"></script></head>
<body><pre class="mermaid">{chart}</pre>
<script>mermaid.initialize({{ startOnLoad: true, theme: "default" }});</script></body></html>
"""


def charts(markdown: str) -> list[str]:
    return re.findall(r"^```mermaid\n(.*?)\n```$", markdown, re.M | re.S)


def screenshot(chart: str, png: Path, width: int, height: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "chart.html"
        page.write_text(PAGE.format(bundle=BUNDLE.as_uri(), chart=html.escape(chart)), "utf-8")
        subprocess.run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",  # as root, Chromium runs only without its sandbox
                "--disable-gpu",
                "--hide-scrollbars",
                "--allow-file-access-from-files",
                "--virtual-time-budget=10000",  # let Mermaid draw before the picture is taken
                f"--window-size={width},{height}",
                f"--screenshot={png}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("exports", nargs="+", type=Path, help="Markdown files of `rkb export`.")
    parser.add_argument("--out", type=Path, required=True, help="Folder for the PNG files.")
    parser.add_argument("--width", type=int, default=1400, help="Page width in pixels.")
    parser.add_argument("--height", type=int, default=900, help="Page height in pixels.")
    args = parser.parse_args()
    if shutil.which("chromium") is None:
        sys.exit("error: no chromium; install Debian's: apt-get install chromium")
    if not BUNDLE.is_file():
        sys.exit(f"error: no {BUNDLE}; run `npm ci` in tests/mermaid first")
    args.out.mkdir(parents=True, exist_ok=True)
    for export in args.exports:
        for number, chart in enumerate(charts(export.read_text(encoding="utf-8")), 1):
            png = args.out / f"{export.stem}-{number}.png"
            screenshot(chart, png, args.width, args.height)
            print(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
