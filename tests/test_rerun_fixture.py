"""A manifest written before the issue-9 refactor (commit 59e5865) still reruns bit for bit.

The fixture was made on that commit with
`fugong run scenarios/shanghai_2022.yaml --set scale=50 --set end_date=2022-05-15 -r 2 --no-charts`.
"""

import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from run import cli

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "pre_i9"


def test_rerun_of_a_pre_refactor_manifest_is_bit_for_bit(tmp_path):
    out = tmp_path / "again"
    result = CliRunner().invoke(cli, ["rerun", str(FIXTURE / "manifest.json"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    before = pd.read_parquet(FIXTURE / "timeseries.parquet")
    after = pd.read_parquet(out / "timeseries.parquet")
    pd.testing.assert_frame_equal(before, after, check_exact=True)
    pd.testing.assert_frame_equal(
        pd.read_csv(FIXTURE / "summary.csv"), pd.read_csv(out / "summary.csv"), check_exact=True
    )
    old = json.loads((FIXTURE / "manifest.json").read_text())
    new = json.loads((out / "manifest.json").read_text())
    for key in ("scenario_hash", "replicate_seeds", "seed", "replicates", "data_files"):
        assert old[key] == new[key], key
