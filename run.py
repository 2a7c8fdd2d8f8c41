"""fugong command line: thin parsing and printing; the work lives in sim/."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sim.errors import FugongError

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"


class FugongGroup(click.Group):
    """Turns user errors into one readable line and exit code 2 (--debug shows a traceback)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except FugongError as exc:
            if ctx.params.get("debug"):
                raise
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=FugongGroup)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def cli(debug: bool) -> None:
    """fugong: simulate a locked-down city's return to work along industry chains."""


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--seed", type=int, default=None, help="Base seed (default: the scenario's).")
@click.option("--replicates", "-r", type=click.IntRange(1), default=1, show_default=True)
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a scenario key, e.g. --set permits.daily_capacity=4000.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Results folder (default: results/<scenario>-<time>).")
@click.option("--jobs", "-j", type=click.IntRange(1), default=1, show_default=True)
@click.option("--force", is_flag=True, help="Replace an existing results folder.")
@click.option("--no-charts", is_flag=True, help="Skip the PNG charts.")
def run(scenario, seed, replicates, overrides, out, jobs, force, no_charts) -> None:
    """Run SCENARIO and write a results folder."""
    from sim.workflow import run_scenario

    outcome = run_scenario(
        scenario, seed=seed, replicates=replicates, overrides=list(overrides), out=out,
        jobs=jobs, force=force, charts=not no_charts,
    )
    click.echo(outcome.kpis.to_string(float_format=lambda v: f"{v:,.2f}"))
    click.echo(f"finished in {outcome.seconds:.1f} s")
    click.echo(f"results: {outcome.folder}")


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE")
def validate(scenario, overrides) -> None:
    """Check SCENARIO and print the resolved scenario."""
    import yaml

    from sim.scenario import load_scenario

    sc = load_scenario(scenario, list(overrides))
    click.echo(yaml.safe_dump(sc.model_dump(mode="json"), sort_keys=False, width=100))
    click.echo(f"ok: {scenario} is valid ({sc.n_days} days, {sc.economy.firms} firms)")


@cli.command()
@click.option("--dir", "folder", type=click.Path(path_type=Path), default=SCENARIO_DIR,
              show_default=True)
def scenarios(folder) -> None:
    """List scenario files with one-line descriptions."""
    from sim.scenario import describe_folder

    for name, text in describe_folder(folder):
        click.echo(f"{name:<28} {text}")


if __name__ == "__main__":
    cli()
