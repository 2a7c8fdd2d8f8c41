"""User-facing errors: one readable message, no traceback (the CLI prints them)."""

from __future__ import annotations


class FugongError(Exception):
    """An error caused by the user's input, reported as a single clear message."""


class Interrupted(FugongError):
    """Ctrl-C with the work so far saved; the message says how to continue (exit code 130)."""

    exit_code = 130


class ScenarioError(FugongError):
    """A scenario file (or override) that cannot be loaded or is invalid."""

    def __init__(self, source: str, message: str, key: str | None = None) -> None:
        self.source = source
        self.key = key
        self.message = message
        where = f"{source}: {key}: " if key else f"{source}: "
        super().__init__(where + message)
