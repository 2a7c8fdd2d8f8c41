"""Vehicle passes held per link, by issue day: they lapse, are renewed and are withdrawn.

A pass is issued for one vehicle on one route and is valid ``validity_days`` from its issue
day; within its validity the truck may make any number of trips. When it lapses the link
applies again and competes for the same daily quota as new applications. A link whose
Shanghai firm stops operating (either end) loses its passes at once.

The book belongs to ``Freight``; the pass office reads it and returns a ``PassGrant``.
"""

from __future__ import annotations

import numpy as np


class PassBook:
    """Columnar pass stock: ``held`` per link (trucks), and one row per day of validity."""

    def __init__(self, n_links: int, validity_days: int) -> None:
        self.validity = validity_days
        self.cohort = np.zeros((validity_days, n_links))  # row d % validity: issued on day d
        self.held = np.zeros(n_links)  # trucks holding a valid pass
        self.applied = np.full(n_links, -1, np.int32)  # day the waiting application was filed
        self.expired_today = 0.0
        self.withdrawn_today = 0.0

    def lapsing(self, t: int) -> np.ndarray:
        """Passes per link that lapse today (issued ``validity`` days ago)."""
        return self.cohort[t % self.validity]

    def expire(self, t: int) -> None:
        """Passes issued ``validity`` days ago lapse today."""
        row = self.cohort[t % self.validity]
        self.expired_today = float(row.sum())
        if self.expired_today:
            self.held = np.maximum(self.held - row, 0.0)
            row[:] = 0.0

    def withdraw(self, links: np.ndarray) -> None:
        """Passes of links whose firm stopped (boolean mask) are withdrawn."""
        hit = links & (self.held > 0)
        self.withdrawn_today = float(self.held[hit].sum())
        if self.withdrawn_today:
            self.held[hit] = 0.0
            self.cohort[:, hit] = 0.0

    def grant(self, idx: np.ndarray, amount: np.ndarray, t: int) -> None:
        """Issue ``amount`` passes to links ``idx`` today, valid ``validity`` days."""
        self.cohort[t % self.validity, idx] += amount
        self.held[idx] += amount

    def clear(self) -> None:
        """The regime is over: nothing is held or waiting."""
        if self.held.any():
            self.held[:] = 0.0
            self.cohort[:] = 0.0
        self.applied[:] = -1
