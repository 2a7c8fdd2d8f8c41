"""Commands that turn a results folder into something to hand on: report and export."""

from __future__ import annotations

import click

from fugong.commands.options import PATH


@click.command()
@click.argument("results", type=PATH)
@click.option(
    "--out",
    type=PATH,
    default=None,
    help="Report file [default: RESULTS/report.html, or report.md with --markdown].",
)
@click.option("--markdown", is_flag=True, help="Write Markdown (images linked) instead of HTML.")
@click.option(
    "--targets",
    type=PATH,
    default=None,
    help="Targets for the fit table [default: data/targets/shanghai_2022.yaml; "
    "a fit.csv in RESULTS is used as it is].",
)
def report(results, out, markdown, targets) -> None:
    """Write a self-contained briefing report (HTML, printable) of a run, compare or sweep
    RESULTS folder: charts, KPI table with units, fit, scenario changes, manifest."""
    from sim.report import TARGETS, write_report

    path = write_report(results, out=out, markdown=markdown, targets=targets or TARGETS)
    click.echo(f"report: {path}")


@click.command()
@click.argument("results", type=PATH)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True
)
@click.option(
    "--group",
    "groups",
    multiple=True,
    metavar="PATTERN",
    help="Only these groups (fnmatch patterns, e.g. 'chain:*').",
)
@click.option(
    "--metric",
    "metrics",
    multiple=True,
    metavar="PATTERN",
    help="Only these metrics (fnmatch patterns).",
)
@click.option(
    "--out",
    type=PATH,
    default=None,
    help="Output file [default: RESULTS/timeseries.csv or RESULTS/<name>.xlsx].",
)
def export(results, fmt, groups, metrics, out) -> None:
    """Export a RESULTS folder's timeseries as CSV (tidy) or Excel (KPIs, summary, medians
    by date, tidy table)."""
    from sim.export import export as write

    click.echo(f"export: {write(results, fmt, out, list(groups), list(metrics))}")


COMMANDS = [report, export]
