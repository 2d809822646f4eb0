"""Library errors: each carries a one-line message naming the problem and the fix."""


class RkbError(Exception):
    """Base class; the CLI prints the message on one line and exits non-zero."""


class SourceError(RkbError):
    """A seed file cannot be read (missing, empty, binary, undecodable)."""


class IndexMissingError(RkbError):
    """No index has been built yet."""


class IndexCorruptError(RkbError):
    """An index file is missing, truncated or unreadable."""


class IndexBusyError(RkbError):
    """Another `rkb index` holds the lock on this index folder."""


class EmbedderMismatchError(RkbError):
    """The index was built by another embedder or model."""


class EmbedderUnavailableError(RkbError):
    """The configured embedder's package or model is not installed."""


class RerankerUnavailableError(RkbError):
    """The reranker's folder is missing, holds no cross-encoder, or needs an extra."""


def damaged(build: object, name: str) -> IndexCorruptError:
    """The one-line error for an unreadable file of a build folder."""
    return IndexCorruptError(
        f"the index build {build} is damaged ({name} unreadable); rebuild it with `rkb index`"
    )


class StrictError(RkbError):
    """`rkb index --strict` found a document that could not be indexed."""


class WrongFolderError(RkbError):
    """The index was built from another seeds folder."""


class DatabaseError(RkbError):
    """The database cannot be reached, refuses the user, or lacks what rkb needs."""


class UnknownDocumentError(RkbError):
    """A --doc filter names no indexed document."""


def redact(text: str) -> str:
    """Text with any password in a database URL (postgresql://user:secret@host) or a
    connection string (password=secret) replaced by ***: credentials are never printed."""
    import re

    # Up to the last @ of the URL: a password may hold one, unencoded.
    text = re.sub(r"(postgres(?:ql)?://[^:/?#@\s]*:)\S*@(?=[^@\s]*(?:\s|$))", r"\1***@", text)
    return re.sub(r"(password\s*=\s*)('[^']*'|\S+)", r"\1***", text, flags=re.IGNORECASE)
