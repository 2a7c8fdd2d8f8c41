"""The click commands of `fugong`, one module per kind of work (runs, sweeps, calibration,
outputs); `run.py` assembles them into the command group. Commands only parse and print:
each calls one function in sim/."""
