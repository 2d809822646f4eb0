"""Stage 5, ask: questions answered with ranked, cited passages (session, search, answer),
figures compared across sources and dates on a timeline (compare), retrieval measured
(evaluate). Fusion and scoring work on plain arrays and records from the index seam."""
