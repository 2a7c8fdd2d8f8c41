"""Options shared by several commands, each declared once so their names, defaults and
help stay the same everywhere."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from sim.errors import FugongError

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
PATH = click.Path(path_type=Path)
DATE = click.DateTime(["%Y-%m-%d"])

JSON = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the table as JSON records (for scripts) instead of text.",
)
FORCE = click.option("--force", is_flag=True, help="Replace an existing results folder.")
QUIET = click.option("--quiet", "-q", is_flag=True, help="No progress bar on stderr.")


def compose(*decorators: Callable) -> Callable:
    """One decorator applying several options, in the order written (as if stacked)."""

    def apply(f: Callable) -> Callable:
        for decorator in reversed(decorators):
            f = decorator(f)
        return f

    return apply


def set_option(help_text: str | None = None):
    return click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=help_text)


def out_option(help_text: str):
    return click.option("--out", type=PATH, default=None, help=help_text)


def _seed(ctx, param, value: int | None) -> int | None:
    if value is not None and value < 0:
        raise FugongError(f"--seed: expected a non-negative integer, got {value}")
    return value


def seed_option(help_text: str):
    return click.option("--seed", type=int, default=None, callback=_seed, help=help_text)


def local_jobs_option():
    """``--jobs`` of commands that run one scenario's replicates (default one process)."""
    return click.option("--jobs", "-j", type=click.IntRange(1), default=1, show_default=True)


def executor_options():
    """``--jobs`` or ``--scheduler``: where the runs of a sweep or calibration execute."""
    return compose(
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(1),
            default=None,
            help="Local worker processes [default: all cores].",
        ),
        click.option(
            "--scheduler",
            metavar="ADDRESS",
            default=None,
            help="Run on a Dask cluster, e.g. tcp://host:8786.",
        ),
    )


def point_numbers(text: str | None) -> list[int] | None:
    """``--points 0,3,5`` as a list (None: all points)."""
    if not text:
        return None
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(f"expected point numbers like 0,3,5, got {text!r}") from None
