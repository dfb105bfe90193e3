"""Exceptions of the ingestion stages. Each carries a message a data engineer can act on."""

from __future__ import annotations


class IngestError(Exception):
    """Base class: a file could not be ingested."""


class ContractError(IngestError):
    """The file breaks its source contract (format, encoding, sheet, headers, emptiness)."""


class ValidationFailed(IngestError):
    """A critical expectation failed: the batch is refused and quarantined."""

    def __init__(self, message: str, failures: list[dict[str, object]]) -> None:
        super().__init__(message)
        self.failures = failures


class TooManyRejects(IngestError):
    """More rows were unreadable than the contract tolerates."""


class FileChanged(IngestError):
    """The file changed while it was being loaded (still being delivered): nothing is
    committed, nothing is quarantined, and the next run loads the settled file."""
