"""User-facing errors: one readable message, no traceback (the CLI prints them)."""

from __future__ import annotations


class FugongError(Exception):
    """An error caused by the user's input, reported as a single clear message."""


class Interrupted(FugongError):
    """Ctrl-C or SIGTERM with the work so far saved; the message says how to continue
    (exit code 130 after Ctrl-C, 143 after SIGTERM)."""

    def __init__(self, message: str, exit_code: int = 130) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class ScenarioError(FugongError):
    """A scenario file (or override) that cannot be loaded or is invalid."""

    def __init__(self, source: str, message: str, key: str | None = None) -> None:
        self.source = source
        self.key = key
        self.message = message
        where = f"{source}: {key}: " if key else f"{source}: "
        super().__init__(where + message)


class FugongWarning(UserWarning):
    """Something the user should know that does not stop the command (printed as one line)."""


class Stopped(KeyboardInterrupt):
    """Ctrl-C (SIGINT) or SIGTERM as raised by the signal handler: a clean stop;
    ``exit_code`` is 130 or 143 (128 + signal)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.exit_code = 128 + signum


def exit_code(exc: KeyboardInterrupt) -> int:
    """The shell's code for an interruption: 143 after SIGTERM, 130 after Ctrl-C."""
    return getattr(exc, "exit_code", 130)
