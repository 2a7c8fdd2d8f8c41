"""Input-output tables: flows between industries (a sector in a region) and final demand.

CSV format (long, one row per flow, money in any unit per period)::

    from_region,from_sector,to_region,to_sector,value
    reg1,food,reg1,manufacturing,120.5
    reg1,food,reg2,final_demand,30.0     # to_sector final_demand: final use in to_region
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import ScenarioError

FINAL_DEMAND = "final_demand"
COLUMNS = ("from_region", "from_sector", "to_region", "to_sector", "value")


@dataclass
class IOTable:
    """Flows between industries; industries are (region, sector), region-major and sorted."""

    regions: list[str]
    sectors: list[str]
    z: np.ndarray  # (industries, industries): supplier row -> using industry column
    y: np.ndarray  # (industries,): final demand for each industry's output

    @property
    def x(self) -> np.ndarray:
        """Gross output: intermediate sales plus final demand."""
        return self.z.sum(axis=1) + self.y

    @property
    def industries(self) -> list[tuple[str, str]]:
        return [(r, s) for r in self.regions for s in self.sectors]

    def to_csv(self, path: Path) -> None:
        """Write the table in the long CSV format ``read_io_table`` reads."""
        ind = self.industries
        i, j = np.nonzero(self.z)
        rows = [(*ind[a], *ind[b], self.z[a, b]) for a, b in zip(i, j, strict=True)]
        rows += [(*ind[a], ind[a][0], FINAL_DEMAND, v) for a, v in enumerate(self.y) if v]
        pd.DataFrame(rows, columns=list(COLUMNS)).to_csv(path, index=False)


def read_io_table(path: Path) -> IOTable:
    """Read a long-format CSV table; errors name the file, the row and what was expected."""
    src = str(path)
    if not Path(path).is_file():
        raise ScenarioError(src, "IO table file not found", "economy.io_table")
    try:
        df = pd.read_csv(path, dtype={c: str for c in COLUMNS[:4]})
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise ScenarioError(src, f"cannot read the CSV: {exc}") from None
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ScenarioError(src, f"expected columns {list(COLUMNS)}, missing {missing}")
    value = pd.to_numeric(df["value"], errors="coerce")
    bad = np.flatnonzero(~np.isfinite(value.to_numpy()) | (value.to_numpy() < 0))
    if len(bad):
        r = int(bad[0])
        raise ScenarioError(
            src, f"row {r + 2}: expected a non-negative number, got {df['value'][r]!r}", "value"
        )
    if df[list(COLUMNS[:4])].isna().any().any():
        r = int(np.flatnonzero(df[list(COLUMNS[:4])].isna().any(axis=1))[0])
        raise ScenarioError(src, f"row {r + 2}: empty region or sector name")
    inter = df["to_sector"] != FINAL_DEMAND
    regions = sorted(set(df["from_region"]) | set(df.loc[inter, "to_region"]))
    sectors = sorted(set(df["from_sector"]) | set(df.loc[inter, "to_sector"]))
    n_s = len(sectors)
    r_idx = {r: k for k, r in enumerate(regions)}
    s_idx = {s: k for k, s in enumerate(sectors)}
    frm = df["from_region"].map(r_idx) * n_s + df["from_sector"].map(s_idx)
    n = len(regions) * n_s
    z = np.zeros((n, n))
    to = df.loc[inter, "to_region"].map(r_idx) * n_s + df.loc[inter, "to_sector"].map(s_idx)
    np.add.at(z, (frm[inter].to_numpy(), to.to_numpy()), value[inter].to_numpy())
    y = np.bincount(frm[~inter].to_numpy(), weights=value[~inter].to_numpy(), minlength=n)
    return IOTable(regions, sectors, z, y)


def from_pymrio(mrio) -> IOTable:
    """Table from a pymrio ``IOSystem`` (Z and Y with (region, sector) indexes).

    Final demand categories are summed; negative totals (changes in inventories) are set
    to zero, so gross output is recomputed from the rows.
    """
    z = mrio.Z.sort_index(axis=0).sort_index(axis=1)
    regions = sorted(z.index.get_level_values(0).unique())
    sectors = sorted(z.index.get_level_values(1).unique())
    y = mrio.Y.sort_index(axis=0).sum(axis=1).to_numpy()
    return IOTable(regions, sectors, z.to_numpy(dtype=float), np.maximum(y, 0.0))


def synthetic_table(
    rng: np.random.Generator,
    regions: list[str],
    sectors: list[str],
    intermediate_share: float = 0.5,
    home_bias: float = 0.6,
) -> IOTable:
    """A random productive table: each industry spends ``intermediate_share`` of its output
    on inputs from every sector, ``home_bias`` of it in its own region."""
    n_r, n_s = len(regions), len(sectors)
    n = n_r * n_s
    x = rng.lognormal(0.0, 0.5, n) * 1000.0
    sector_mix = rng.dirichlet(np.ones(n_s), size=n)  # input mix of each user industry
    a = np.zeros((n, n))
    for u in range(n):
        ru = u // n_s
        place = np.full(n_r, (1 - home_bias) / max(n_r - 1, 1))
        place[ru] = home_bias if n_r > 1 else 1.0
        a[:, u] = intermediate_share * np.outer(place, sector_mix[u]).ravel()
    z = a * x[None, :]
    y = x - z.sum(axis=1)
    if (y <= 0).any():  # scale outputs up until every industry has final demand
        x = np.linalg.solve(np.eye(n) - a, np.maximum(y, 0.1 * x))
        z = a * x[None, :]
        y = x - z.sum(axis=1)
    return IOTable(list(regions), list(sectors), z, np.maximum(y, 0.0))
