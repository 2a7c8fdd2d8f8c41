"""The vectorized workforce agrees with the per-agent Mesa reference formulation.

``benchmarks/reference_workforce.py`` states the worker rules with one Mesa ``WorkerAgent``
per worker; ``sim/agents/worker.py`` applies them to numpy columns. Both are driven by
replaying a real model run (``benchmarks/replay.py``):

1. Run the real ``RecoveryModel`` on the small test economy (``tests/fixtures/small.yaml``,
   ~10,800 workers) and record, per day, exactly what it handed to ``workforce.step``
   (calendar operating, regime, regime_started, listed, compound_free; infection hazard;
   test access) and which workers the permit offices issued a permit to that day.
2. Replay the recording into a fresh vectorized ``Workforce`` and a fresh
   ``PerAgentWorkforce``, each with its own random generator, as the model would: on
   lockdown days listed firms file applications, the recorded permits are issued, then the
   workforce steps. Both see identical policy inputs and identical permits.

Two checks:

* In distribution (``SEEDS`` recordings, first ``DAYS`` days). The two implementations
  differ only through their random draws (test phases, infections, missed tests), so per
  recording the difference of their daily totals has mean zero if every gate is the same.
  Per week (7-day means) we take the mean paired difference over recordings and require it
  within ``Z`` standard errors (SE = sd / sqrt(recordings)) for four totals: on site, in the
  closed loop, isolated, and permit applications; and the weekly on-site means within
  ``REL`` of each other. Gates changed in the reference on purpose (a test valid one day
  less, a result back on the day of sampling, a retest voiding the previous result, shuttle
  seats given to locked-in workers, one seat too many, commuters ignoring compound zoning,
  no lock-in at lockdown, isolated workers staying in the loop, full infection risk inside
  the loop, in-loop workers applying) each moved some weekly mean by 8 to 80 standard
  errors, so this check fails on each of them.
* Exactly, worker by worker: with no infections, no missed tests and the same test phases
  both are deterministic and must agree on every worker's state on every day of the run,
  with and without closed-loop rotation (which the default scenario does not use, and
  which brings in leaving the loop and staying home a day before returning). It fails on
  leaving and returning the same day and on rotation one day late, which the default
  scenario cannot show, and on most of the changes above.

No timing is asserted here (``benchmarks/bench_workforce.py`` times the two).
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.replay import (
    per_agent_workforce,
    record,
    replay,
    replay_day,
    vectorized_workforce,
)
from sim.model import RecoveryModel

SEEDS = 20
DAYS = 91  # 13 weeks: open days, lockdown, white-list batches, up to the eve of reopening
MEASURES = ("on_site", "in_loop", "isolated", "applied")
Z = 5.0  # SEs allowed per week (13 weeks x 4 totals; t with 19 d.f.: <0.5% false alarms)
REL = 0.02  # relative difference allowed between weekly mean on-site totals


def weekly(daily: np.ndarray) -> np.ndarray:
    """Means over consecutive 7-day weeks (last axis)."""
    return daily.reshape(*daily.shape[:-1], -1, 7).mean(axis=-1)


def paired_runs(small_scenario, seeds: int = SEEDS) -> dict[str, np.ndarray]:
    """Daily totals (seeds x days) per measure of both implementations, common recordings."""
    out = {f"{who}_{m}": np.zeros((seeds, DAYS)) for who in ("vec", "ref") for m in MEASURES}
    for s in range(seeds):
        model = RecoveryModel(small_scenario, rng=100 + s)
        rec = record(model, DAYS)
        for who, wf in (
            ("vec", vectorized_workforce(model, 1000 + s)),
            ("ref", per_agent_workforce(model, 2000 + s, "loop")),
        ):
            got = replay(wf, rec)
            for m in MEASURES:
                out[f"{who}_{m}"][s] = getattr(got, m)
    return out


@pytest.fixture(scope="module")
def runs(small_scenario) -> dict[str, np.ndarray]:
    return paired_runs(small_scenario)


@pytest.mark.slow
@pytest.mark.parametrize("measure", MEASURES)
def test_weekly_totals_agree_within_standard_errors(runs, measure):
    vec, ref = weekly(runs[f"vec_{measure}"]), weekly(runs[f"ref_{measure}"])
    diff = vec - ref  # recordings x weeks, paired
    mean = diff.mean(axis=0)
    se = diff.std(axis=0, ddof=1) / np.sqrt(len(diff))
    bad = np.flatnonzero(np.abs(mean) > Z * se + 1e-9)
    assert not len(bad), (
        f"{measure}: weeks {bad.tolist()} differ by {mean[bad].round(1).tolist()} "
        f"(SE {se[bad].round(2).tolist()}); vectorized {vec.mean(0)[bad].round(0).tolist()}, "
        f"per-agent {ref.mean(0)[bad].round(0).tolist()}"
    )


@pytest.mark.slow
def test_weekly_on_site_relative_error(runs):
    vec, ref = weekly(runs["vec_on_site"]).mean(0), weekly(runs["ref_on_site"]).mean(0)
    rel = np.abs(vec - ref) / np.maximum(ref, 1.0)
    assert rel.max() < REL, f"relative errors per week: {rel.round(4).tolist()}"


@pytest.mark.slow
def test_replay_exercises_every_phase(runs):
    """The recordings cover open days, the lockdown trough and the permit-driven return."""
    site, loop = runs["vec_on_site"].mean(0), runs["vec_in_loop"].mean(0)
    normal = site[:20].mean()
    assert site[30:45].mean() < 0.5 * normal  # lockdown: most workers off site
    assert loop[30:90].min() > 0  # closed loop in use throughout
    assert site[84:91].mean() > 1.3 * site[35:45].mean()  # permits bring workers back
    assert runs["vec_isolated"][:, 30:].mean(0).min() > 0  # infections throughout
    assert runs["vec_applied"][:, -1].min() > 0.1 * normal  # applications filed


@pytest.mark.parametrize(
    ("rotation", "left_city"), [(0, 0.0), (7, 0.0), (0, 1.0)], ids=["plain", "rotation", "away"]
)
def test_identical_worker_by_worker_without_randomness(small_scenario, rotation, left_city):
    """No infections, no missed tests, the same test phases: every worker's state agrees
    on every day (122 days, through reopening), with the centralized return of the default
    scenario, closed-loop rotation, and (``away``) every worker kept home when the rules
    end leaving the city for good (share 1, return rate 0: no random draw decides)."""
    model = RecoveryModel(
        small_scenario,
        rng=7,
        workforce__rotation_days=rotation,
        labour__left_city_share=left_city,
        labour__return_rate=1.0 - left_city,
    )
    rec = record(model)
    rec.hazard = [0.0] * rec.n_days
    rec.access = [1.0] * rec.n_days
    vec, ref = vectorized_workforce(model, 1), per_agent_workforce(model, 2, "loop")
    tests = zip(ref.workers, vec.last_test.tolist(), vec.prev_test.tolist(), strict=True)
    for agent, last, prev in tests:  # the same test phases
        agent.phase, agent.last_test, agent.prev_test = last % vec.interval, last, prev
    for t in range(rec.n_days):
        for wf in (vec, ref):
            replay_day(wf, rec, t)
        for name in ("on_site", "in_loop", "permit", "last_test", "applied_day", "gate", "away"):
            assert np.array_equal(getattr(vec, name), ref.column(name)), f"day {t}: {name}"
        assert np.array_equal(vec.present, ref.present), f"day {t}: present"
        assert np.array_equal(vec.loop_count, ref.loop_count), f"day {t}: loop_count"
        assert np.array_equal(vec.kept_home, ref.kept_home), f"day {t}: kept_home"
        assert np.array_equal(vec.transferred_count, ref.transferred_count), f"day {t}: moved"
    assert vec.in_loop.sum() == 0 and rec.calendars[-1].regime.sum() == 0  # reopened
