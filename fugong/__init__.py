"""fugong: simulate a locked-down city's return to work along industry chains.

The public Python API. `run` runs a scenario's replicates and returns `Results`
(`.timeseries`, `.summary`, `.kpis`, `.plot()`, `.compare(other)`, `.fit()`); `sweep` runs a
grid of levers and returns `SweepResults` (`.points`, `.bands()`, `.frontier()`); `load`
opens a results folder written by the command line. The model itself is
`sim.model.RecoveryModel` (a `mesa.Model`, usable with `mesa.batch_run`).

The names are imported on first use, so the command line (`fugong.commands`) starts without
loading the model.
"""

from importlib import import_module, metadata

__version__ = metadata.version("fugong")
_HOMES = {
    "Results": "sim.api",
    "SweepResults": "sim.api",
    "load": "sim.api",
    "run": "sim.api",
    "sweep": "sim.api",
    "RecoveryModel": "sim.model",
}
__all__ = ["RecoveryModel", "Results", "SweepResults", "__version__", "load", "run", "sweep"]


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'fugong' has no attribute {name!r}")
    value = getattr(import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
