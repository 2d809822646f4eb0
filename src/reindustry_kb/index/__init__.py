"""Stage 4, index: the seam (backend.py: what a build writes and what a question reads) and its
implementations (local/: SQLite + FAISS + postings files)."""
