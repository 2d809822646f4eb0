#!/usr/bin/env bash
# The main job from a fresh checkout: make a virtual environment, install rkb, build the index
# from seeds/ and answer a sample question. Usage: scripts/demo.sh ["your question"]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -c constraints.txt -e .
.venv/bin/rkb index
.venv/bin/rkb ask "${1:-美國今年的關稅收入有多少？}" -k 3
