"""The local backend: an index as files in a folder (SQLite, FAISS, flat postings arrays)."""
