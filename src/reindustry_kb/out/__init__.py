"""Stage 6, out: terminal rendering and Markdown exports of cited excerpts (and their
verification against the source files)."""
