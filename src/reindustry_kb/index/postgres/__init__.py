"""The PostgreSQL + pgvector backend: a team's library on a shared server."""
