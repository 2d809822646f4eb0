"""Typed claims: statistics, dates, actors and policy levers (the extract stage).

`extract.py` runs the extractors (imported only when building an index, so `rkb ask` stays
fast); `lexicon.py` holds the phrase tables (and `actor_names`, how a filter names an actor).
"""
