"""Record a model run's daily workforce inputs and replay them into any workforce.

A recording holds, for every day, exactly what ``RecoveryModel`` handed to
``workforce.step`` (the calendar's operating, regime, regime_started, regime_ended,
listed, compound_free and queue_order arrays, the infection hazard and test access) and
which workers the permit offices issued a permit to that day. Replaying it drives a
workforce implementation the way the model does (authorities stage: ``apply`` for listed
firms under the regime, then ``issue`` the recorded permits; then ``step``), so two
implementations get identical policy inputs, each with its own random generator.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

import mesa
import numpy as np

from benchmarks.reference_workforce import PerAgentWorkforce
from sim.agents.worker import Workforce
from sim.model import RecoveryModel, centralized_return


@dataclass
class CalendarState:
    """The calendar fields ``Workforce.step`` reads, frozen for one day."""

    operating: np.ndarray
    regime: np.ndarray
    regime_started: np.ndarray
    regime_ended: np.ndarray
    listed: np.ndarray
    compound_free: np.ndarray
    queue_order: np.ndarray


@dataclass
class Recording:
    """Daily workforce inputs of one model run."""

    calendars: list[CalendarState] = field(default_factory=list)
    hazard: list[float] = field(default_factory=list)
    access: list[float] = field(default_factory=list)
    issued: list[np.ndarray] = field(default_factory=list)  # workers issued a permit on day t
    on_site: list[int] = field(default_factory=list)  # the model's own daily on-site total

    @property
    def n_days(self) -> int:
        return len(self.calendars)


class StepsLikeWorkforce(Protocol):
    present: np.ndarray
    loop_count: np.ndarray
    applied_count: np.ndarray
    isolated_until: np.ndarray

    def step(self, t: int, cal, hazard: float, access: float) -> None: ...

    def apply(self, t: int, may_apply_firm: np.ndarray) -> None: ...

    def issue(self, idx: np.ndarray, t: int) -> None: ...


def record(model: RecoveryModel, days: int | None = None) -> Recording:
    """Run ``model`` (``days`` days, default all) recording each day's workforce inputs."""
    rec = Recording()
    wf = model.workforce
    inner = wf.step

    def step(t: int, cal, hazard: float, access: float) -> None:
        rec.calendars.append(
            CalendarState(
                cal.operating.copy(),
                cal.regime.copy(),
                cal.regime_started.copy(),
                cal.regime_ended.copy(),
                cal.listed.copy(),
                cal.compound_free.copy(),
                cal.queue_order.copy(),
            )
        )
        rec.hazard.append(float(hazard))
        rec.access.append(float(access))
        rec.issued.append(np.flatnonzero(wf.issued_day == t))
        inner(t, cal, hazard, access)
        rec.on_site.append(int(wf.present.sum()))

    wf.step = step  # instance attribute: the model's workforce stage calls it
    try:
        for _ in range(model.n_days if days is None else min(days, model.n_days)):
            model.step()
    finally:
        del wf.step
    return rec


@dataclass
class Replayed:
    """Daily totals of a replay and the seconds spent in ``step``."""

    on_site: np.ndarray  # workers on site
    in_loop: np.ndarray  # workers living on site in the closed loop
    isolated: np.ndarray  # workers in isolation
    applied: np.ndarray  # permit applications so far
    seconds: np.ndarray


def replay_day(wf: StepsLikeWorkforce, rec: Recording, t: int) -> float:
    """Day ``t`` as the model runs it; the seconds spent in ``step``."""
    cal = rec.calendars[t]
    if cal.regime.any():  # the authorities stage: applications, then permits issued
        wf.apply(t, cal.listed & cal.regime)
    if len(rec.issued[t]):
        wf.issue(rec.issued[t], t)
    start = time.perf_counter()
    wf.step(t, cal, rec.hazard[t], rec.access[t])
    return time.perf_counter() - start


def replay(wf: StepsLikeWorkforce, rec: Recording, days: int | None = None) -> Replayed:
    """Drive ``wf`` through the first ``days`` days of a recording (default all)."""
    n = rec.n_days if days is None else min(days, rec.n_days)
    out = Replayed(*(np.zeros(n, np.int64) for _ in range(4)), np.zeros(n))
    for t in range(n):
        out.seconds[t] = replay_day(wf, rec, t)
        out.on_site[t] = int(wf.present.sum())
        out.in_loop[t] = int(wf.loop_count.sum())
        out.isolated[t] = np.count_nonzero(wf.isolated_until > t)
        out.applied[t] = int(wf.applied_count.sum())
    return out


def vectorized_workforce(model: RecoveryModel, seed: int) -> Workforce:
    """A fresh ``Workforce`` for ``model``'s economy with its own generator."""
    f = model.economy.firms
    return Workforce(
        model.params,
        model.economy.workers,
        f.beds,
        f.seats,
        f.min_crew,
        np.random.default_rng(seed),
        centralized_return(model.params, model.economy, model.calendar.dates),
    )


def per_agent_workforce(
    model: RecoveryModel, seed: int, dispatch: str = "agentset"
) -> PerAgentWorkforce:
    """A fresh ``PerAgentWorkforce`` for ``model``'s economy, hosted by its own Mesa model."""
    f = model.economy.firms
    host = mesa.Model(rng=seed)
    return PerAgentWorkforce(
        host,
        model.params,
        model.economy.workers,
        f.beds,
        f.seats,
        f.min_crew,
        dispatch,
        centralized_return(model.params, model.economy, model.calendar.dates),
    )
