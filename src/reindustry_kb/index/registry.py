"""Backends by name, imported only when chosen: `rkb ask` on a local index never loads a
database driver, and the query code never imports a backend's modules."""

from __future__ import annotations

from importlib import import_module

from reindustry_kb.errors import RkbError
from reindustry_kb.index.backend import Backend
from reindustry_kb.settings import Settings

# name -> "module:factory"; a factory takes the Settings and returns a Backend.
BACKENDS = {
    "local": "reindustry_kb.index.local.backend:LocalBackend",
    "postgres": "reindustry_kb.index.postgres.backend:PostgresBackend",
}


def backend_name(settings: Settings) -> str:
    """The backend the settings choose: a database when given a URL, else the local files
    of `index_dir`."""
    return "postgres" if settings.database_url else "local"


def get_backend(settings: Settings) -> Backend:
    """The backend the settings choose, ready to open or write."""
    name = backend_name(settings)
    if name not in BACKENDS:
        raise RkbError(f"unknown index backend {name!r}; choose one of {', '.join(BACKENDS)}")
    module, factory = BACKENDS[name].split(":")
    backend: Backend = getattr(import_module(module), factory)(settings)
    return backend
