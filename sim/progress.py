"""Progress of long work on stderr: replicates and simulated days of `fugong run`, trials of
`fugong calibrate`.

Bars are drawn only on a terminal (a log file or a pipe gets no bar characters) and never
touch the model: they count what has finished, so results are the same with or without them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TextIO

from tqdm import tqdm


def on_terminal(stream: TextIO | None) -> bool:
    return bool(stream is not None and stream.isatty())


class RunProgress:
    """Replicates finished (when there are several) and, while a replicate runs in this
    process, its simulated days (the lockdown run, then its no-lockdown counterfactual)."""

    def __init__(
        self,
        name: str,
        replicates: int,
        n_days: int,
        show: bool,
        stream: TextIO | None = None,
    ) -> None:
        stream = sys.stderr if stream is None else stream
        self.enabled = show and on_terminal(stream)
        self.name, self.n_days, self.stream = name, n_days, stream
        self._replicates = (
            tqdm(
                total=replicates,
                desc=f"{name}: replicates",
                unit="replicate",
                file=stream,
                leave=False,
                position=0,
            )
            if self.enabled and replicates > 1
            else None
        )
        self._days: tqdm | None = None

    def replicate_done(self, _result=None) -> None:
        if self._replicates is not None:
            self._replicates.update(1)
        if self._days is not None:
            self._days.close()
            self._days = None

    def day(self, replicate: int, counterfactual: bool) -> None:
        """Called after each simulated day of a replicate run in this process."""
        if not self.enabled:
            return
        if self._days is None:
            self._days = tqdm(
                total=2 * self.n_days,
                desc=f"replicate {replicate}: days",
                unit="day",
                file=self.stream,
                leave=False,
                position=1 if self._replicates is not None else 0,
            )
        if counterfactual and self._days.n == self.n_days:
            self._days.set_description(f"replicate {replicate}: counterfactual days")
        self._days.update(1)

    def close(self) -> None:
        for bar in (self._days, self._replicates):
            if bar is not None:
                bar.close()
        self._days = self._replicates = None

    def __enter__(self) -> RunProgress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass(frozen=True)
class TrialStatus:
    """Where a calibration stands after a batch of trials."""

    done: int
    total: int
    failed: int
    best_loss: float | None
    last_failure: str = ""

    def __str__(self) -> str:
        return (
            f"trials {self.done}/{self.total}, {self.failed} failed"
            + (f", best loss {self.best_loss:.4g}" if self.best_loss is not None else "")
            + (f" (last failure: {self.last_failure[:100]})" if self.last_failure else "")
        )


class TrialProgress:
    """Calibration trials as a bar with the failures and the best loss so far; off a
    terminal one line per batch (a log keeps the record); nothing when not ``show``."""

    def __init__(self, show: bool = True, stream: TextIO | None = None) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.show = show
        self.tty = show and on_terminal(self.stream)
        self._bar: tqdm | None = None
        self._failed = 0

    def __call__(self, status: TrialStatus) -> None:
        if not self.show:
            return
        if not self.tty:
            print(status, file=self.stream, flush=True)
            return
        if self._bar is None:
            self._bar = tqdm(total=status.total, desc="trials", unit="trial", file=self.stream)
        self._bar.set_postfix_str(
            f"{status.failed} failed"
            + (f", best loss {status.best_loss:.4g}" if status.best_loss is not None else "")
        )
        self._bar.update(status.done - self._bar.n)
        if status.failed > self._failed and status.last_failure:
            self._bar.write(f"trial failed: {status.last_failure[:100]}", file=self.stream)
        self._failed = status.failed

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
