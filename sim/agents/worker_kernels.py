"""Compiled (numba) loops for the workforce's hot days: one pass per firm over its workers.

The numpy rules in ``sim.agents.worker`` make some thirty whole-array passes a lockdown day
(masks, within-firm ranks, per-firm counts, the gate cascade). These kernels apply the same
rules in one or two fused passes over each firm's contiguous slice of workers, so a day costs
a few reads and writes per worker. They are an optional extra (``pip install -e ".[fast]"``),
imported only when ``sim.agents.kernel_choice`` picks them (numba installed, a large
workforce, ``FUGONG_KERNEL`` not ``numpy``). Both paths give identical results for the same
seed (``tests/model/test_worker_kernels.py``); the kernels draw no random numbers, so the
generator's stream is the same on either path.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# gate codes, as in sim.agents.worker (1-based; 0 is on site)
ON_SITE, APPROVAL, ISOLATION, ROTATION, COMPOUND, TEST, PERMIT, BED_OR_SEAT, AWAY = range(9)
ISSUED = 2
# per-worker flags handed from the first pass of a lockdown day to the second
FIT, ENTER, LEFT = 1, 2, 4


def _test_valid(t, last, prev, turnaround, validity):
    since = t - last
    return (since if since >= turnaround else t - prev) <= validity


def _regime_first_pass(
    t,
    starts,
    operating,
    regime,
    started,
    beds,
    rotation,
    in_loop,
    on_site,
    isolated_until,
    compound,
    compound_free,
    last_test,
    prev_test,
    loop_since,
    turnaround,
    validity,
    flags,
):
    """Who stays in the closed loop, who is locked in, who is fit to come in; per firm the
    fit count, the crew swap, the loop count and the beds left. Writes ``in_loop`` and
    ``flags`` (FIT, ENTER, LEFT)."""
    n_firms = len(starts) - 1
    n_fit = np.zeros(n_firms, np.int64)
    swap = np.zeros(n_firms, np.int64)
    loop_count = np.zeros(n_firms, np.int64)
    room = np.zeros(n_firms, np.int64)
    entered = np.zeros(n_firms, np.int64)
    for f in range(n_firms):
        s, e = starts[f], starts[f + 1]
        op, rg, rs = operating[f], regime[f], started[f]
        n_due = 0
        n_in = 0
        for i in range(s, e):
            if in_loop[i]:
                n_in += 1
            if not (op and rg):
                flags[i] = 0
                continue
            iso = isolated_until[i] > t
            locked = rs and on_site[i] and not iso
            fit = (
                not in_loop[i]
                and not iso
                and not locked
                and compound_free[compound[i]]
                and _test_valid(t, last_test[i], prev_test[i], turnaround, validity)
            )
            flags[i] = FIT if fit else 0
            if fit:
                n_fit[f] += 1
            if rotation > 0 and in_loop[i] and not iso and t - loop_since[i] >= rotation:
                n_due += 1
        if rotation > 0:
            swap[f] = min(n_due, n_fit[f])
        if n_in > 0:  # who leaves the loop: isolated, released or rotated out
            k_due = 0
            for i in range(s, e):
                if not in_loop[i]:
                    continue
                stay = op and rg and not isolated_until[i] > t
                if stay and rotation > 0 and t - loop_since[i] >= rotation:
                    if k_due < swap[f]:
                        stay = False
                    k_due += 1
                if stay:
                    loop_count[f] += 1
                else:
                    flags[i] |= LEFT
                    in_loop[i] = False
        free_beds = max(beds[f] - loop_count[f], 0)
        if rs and op:  # the regime starts today: staff on site are locked in, beds permitting
            k_locked = 0
            for i in range(s, e):
                if on_site[i] and not isolated_until[i] > t:
                    if k_locked < free_beds:
                        flags[i] |= ENTER
                        entered[f] += 1
                    k_locked += 1
        room[f] = free_beds - entered[f]
    return n_fit, swap, loop_count, room, entered


def _regime_second_pass(
    t,
    starts,
    operating,
    regime,
    granted,
    covered,
    seats,
    in_loop,
    isolated_until,
    compound,
    compound_free,
    last_test,
    prev_test,
    loop_since,
    permit,
    away,
    turnaround,
    validity,
    flags,
    on_site,
    gate,
    kept_home,
):
    """Transfers in, commuters on the shuttle, who is on site, each worker's gate and the
    per-firm counts. Writes ``in_loop``, ``loop_since``, ``on_site``, ``gate`` and
    ``kept_home``; returns staff present and moved in per firm."""
    n_firms = len(starts) - 1
    present = np.zeros(n_firms, np.int64)
    moved_count = np.zeros(n_firms, np.int64)
    for f in range(n_firms):
        s, e = starts[f], starts[f + 1]
        op, rg = operating[f], regime[f]
        if not op:  # closed: nobody on site, all kept home by approval
            for i in range(s, e):
                on_site[i] = False
                gate[i] = APPROVAL
            kept_home[f, APPROVAL - 1] += e - s
            continue
        k_fit = 0
        k_riders = 0
        for i in range(s, e):
            fl = flags[i]
            fit = (fl & FIT) != 0
            moved = False
            if fit:
                moved = k_fit < granted[f]
                k_fit += 1
            if moved:
                moved_count[f] += 1
            if (fl & ENTER) != 0 or moved:
                in_loop[i] = True
                loop_since[i] = t
            shuttle = False
            if fit and not moved and permit[i] == ISSUED:
                shuttle = k_riders < seats[f]
                k_riders += 1
            iso = isolated_until[i] > t
            free = compound_free[compound[i]]
            here = (op and not rg and not iso and free and not away[i]) or in_loop[i] or shuttle
            on_site[i] = here
            if here:
                g = ON_SITE
                present[f] += 1
            elif iso:
                g = ISOLATION
            elif (fl & LEFT) != 0 and rg:
                g = ROTATION
            elif not free:
                g = COMPOUND
            elif not rg:
                g = AWAY if away[i] else ON_SITE
            elif fit and covered[f]:
                g = BED_OR_SEAT
            elif not _test_valid(t, last_test[i], prev_test[i], turnaround, validity):
                g = TEST
            elif permit[i] != ISSUED:
                g = PERMIT
            else:
                g = BED_OR_SEAT
            gate[i] = g
            if g > 0:
                kept_home[f, g - 1] += 1
    return present, moved_count


def _open_day(
    t, starts, operating, isolated_until, compound, compound_free, away, on_site, gate, kept_home
):
    """No lockdown rules anywhere today: only approval, isolation, zoning and absence."""
    n_firms = len(starts) - 1
    present = np.zeros(n_firms, np.int64)
    for f in range(n_firms):
        op = operating[f]
        for i in range(starts[f], starts[f + 1]):
            iso = isolated_until[i] > t
            free = compound_free[compound[i]]
            here = op and not iso and free and not away[i]
            on_site[i] = here
            if here:
                g = ON_SITE
                present[f] += 1
            elif not op:
                g = APPROVAL
            elif iso:
                g = ISOLATION
            elif not free:
                g = COMPOUND
            else:
                g = AWAY
            gate[i] = g
            if g > 0:
                kept_home[f, g - 1] += 1
    return present


def _take_tests(t, idx, draws, access, in_loop, last_test, prev_test):
    """The due group's samples (a share ``1 - access`` of those outside the loop miss, by
    ``draws``): the latest becomes the one before."""
    for k in range(len(idx)):
        if access >= 1.0 or draws[k] < access or in_loop[idx[k]]:
            i = idx[k]
            prev_test[i] = last_test[i]
            last_test[i] = t


def _apply(t, starts, may_apply, seats, permit, in_loop, in_apply_list, applied_day, applied):
    """Firms allowed to apply name listed staff without a permit, up to their free seats."""
    for f in range(len(starts) - 1):
        if not may_apply[f]:
            continue
        s, e = starts[f], starts[f + 1]
        held = 0
        for i in range(s, e):
            if permit[i] != 0:
                held += 1
        left = seats[f] - held
        for i in range(s, e):
            if left <= 0:
                break
            if permit[i] == 0 and not in_loop[i] and in_apply_list[i]:
                permit[i] = 1
                applied_day[i] = t
                applied[f] += 1
                left -= 1


_test_valid = njit(cache=True, inline="always")(_test_valid)
regime_first_pass = njit(cache=True)(_regime_first_pass)
regime_second_pass = njit(cache=True)(_regime_second_pass)
open_day = njit(cache=True)(_open_day)
take_tests = njit(cache=True)(_take_tests)
apply_for_permits = njit(cache=True)(_apply)
