"""Which implementation of the workforce's daily rules runs: numpy or the numba kernels.

The kernels (``sim.agents.worker_kernels``) are an optional extra. Importing numba and
loading its compiled cache costs about a second per process, which only pays off on a large
workforce, so ``auto`` picks them from ``MIN_WORKERS`` simulated workers up. Results are
identical either way; ``FUGONG_KERNEL=numpy|numba`` forces a path (tests, benchmarks).
"""

from __future__ import annotations

import importlib.util
import os

MIN_WORKERS = 300_000  # below this, numba's start-up outweighs what it saves (scale ~7)
CHOICES = ("auto", "numba", "numpy")


def use_kernels(n_workers: int) -> bool:
    """Run the compiled kernels for a workforce of ``n_workers`` simulated workers."""
    choice = os.environ.get("FUGONG_KERNEL", "auto").lower()
    if choice not in CHOICES:
        raise ValueError(f"FUGONG_KERNEL={choice!r}: expected one of {', '.join(CHOICES)}")
    installed = importlib.util.find_spec("numba") is not None
    if choice == "numba" and not installed:
        raise RuntimeError('FUGONG_KERNEL=numba, but numba is missing: pip install -e ".[fast]"')
    if choice == "numpy" or not installed:
        return False
    return choice == "numba" or n_workers >= MIN_WORKERS
