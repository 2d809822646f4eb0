"""`rkb index`: a folder through ingest, claims and embed into a new index generation, doing
only what changed (pipeline.py), and whether an index is stale (freshness.py)."""
