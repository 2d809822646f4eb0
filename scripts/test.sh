#!/usr/bin/env bash
# The test suite from a fresh checkout: its own virtual environment with the dev,
# sentence-transformers and server extras (torch pinned to the CPU build by constraints.txt;
# the server extra's embedded PostgreSQL runs the backend tests against a real server), then
# the Mermaid checker's node packages (tests/mermaid, where node is installed), then ruff, mypy,
# the import layers (lint-imports) and pytest. Extra arguments go to pytest, e.g. scripts/test.sh -k cli
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
[ -x .venv-test/bin/python ] || "$PYTHON" -m venv .venv-test
.venv-test/bin/python -m pip install --quiet --upgrade pip
.venv-test/bin/python -m pip install --quiet -c constraints.txt -e '.[dev,st,server]'
# Mermaid's own parser checks the charts of the exports (tests/out/test_mermaid.py); without
# node that test is skipped, with node and without these packages it fails.
if command -v node >/dev/null && command -v npm >/dev/null; then
    npm ci --prefix tests/mermaid --no-audit --no-fund --loglevel=error
fi
.venv-test/bin/ruff check src tests scripts
.venv-test/bin/mypy
.venv-test/bin/lint-imports --no-cache
.venv-test/bin/python -m pytest "$@"
