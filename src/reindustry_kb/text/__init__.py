"""Text shared by every stage: folding of the three scripts, language detection, numbers,
dates, and BM25 tokens."""
