"""Reported figures (data/reported): chart markers and the provenance of every run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.results_folder import ROOT

REPORTED = ROOT / "data" / "reported" / "shanghai_2022.csv"


def read_reported(path: Path) -> pd.DataFrame:
    """Reported figures (date, metric, group, value, bound, tolerance, source)."""
    df = pd.read_csv(path, parse_dates=["date", "date_end"])
    return df
