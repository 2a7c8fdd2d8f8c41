"""fugong: simulate a locked-down city's return to work along industry chains.

The public Python API. `run` runs a scenario's replicates and returns `Results`
(`.timeseries`, `.summary`, `.kpis`, `.plot()`, `.compare(other)`, `.fit()`); `sweep` runs a
grid of levers and returns `SweepResults` (`.points`, `.bands()`, `.frontier()`); `load`
opens a results folder written by the command line. The model itself is
`sim.model.RecoveryModel` (a `mesa.Model`, usable with `mesa.batch_run`).
"""

from importlib import metadata

from sim.api import Results, SweepResults, load, run, sweep
from sim.model import RecoveryModel

__version__ = metadata.version("fugong")
__all__ = ["RecoveryModel", "Results", "SweepResults", "__version__", "load", "run", "sweep"]
