"""Stage 1, ingest: find a folder's files (sources), read each format (extract), and cut the
text into cited passages (segment)."""
