"""Commands against reported figures: calibrate (fit parameters) and fit (score results)."""

from __future__ import annotations

import click

from fugong.commands.options import (
    DATE,
    JSON,
    PATH,
    executor_options,
    out_option,
    seed_option,
    set_option,
)


@click.command()
@click.argument("scenario", type=PATH)
@click.option(
    "--targets",
    type=PATH,
    required=True,
    help="Targets file, e.g. data/targets/shanghai_2022.yaml.",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="KEY=LO:HI",
    help="Parameter to calibrate (schedules are scaled by a multiplier in "
    "[LO, HI]); default: the scenario's calibration.parameters.",
)
@click.option("--trials", type=click.IntRange(1), default=60, show_default=True)
@click.option("--replicates", "-r", type=click.IntRange(1), default=2, show_default=True)
@set_option("Fixed scenario override for every trial (e.g. scale=20).")
@click.option(
    "--until",
    type=DATE,
    default=None,
    help="Fit only targets up to this date; report later ones out of sample.",
)
@seed_option("Seed of the search and the replicates.")
@executor_options()
@out_option("Calibration folder; an existing one resumes its search.")
@click.option(
    "--quiet", "-q", is_flag=True, help="No progress on stderr (trials, failures, best loss)."
)
def calibrate(
    scenario,
    targets,
    params,
    trials,
    replicates,
    overrides,
    until,
    seed,
    jobs,
    scheduler,
    out,
    quiet,
) -> None:
    """Fit SCENARIO's parameters to reported figures (Optuna, resumable journal)."""
    from sim.calibrate import calibrate_scenario
    from sim.progress import TrialProgress

    progress = TrialProgress(show=not quiet)
    try:
        result = calibrate_scenario(
            scenario,
            targets,
            list(params),
            trials=trials,
            replicates=replicates,
            overrides=list(overrides),
            until=until.date() if until else None,
            seed=seed,
            jobs=jobs,
            scheduler=scheduler,
            out=out,
            progress=progress,
        )
    finally:
        progress.close()
    from sim.tables import fit_text

    fit = result["fit"]
    click.echo(fit_text(fit))
    summary = result["summary"]
    met = fit["met"].dropna()
    best = {k: float(f"{v:.4g}") for k, v in summary["best_params"].items()}
    click.echo(
        f"met {int(met.astype(bool).sum())} of {len(met)} targets; best parameters: "
        f"{best} (loss {summary['best_loss']:.4g})"
    )
    if summary["failed_trials"]:
        click.echo(
            f"{summary['failed_trials']} of {summary['trials']} trials failed; reasons "
            "in trials.csv",
            err=True,
        )
    click.echo(f"results: {result['folder']}")


@click.command()
@click.argument("results", type=PATH)
@click.option("--targets", type=PATH, required=True)
@click.option(
    "--until",
    type=DATE,
    default=None,
    help="Mark targets after this date as out of sample.",
)
@JSON
def fit(results, targets, until, as_json) -> None:
    """Score a RESULTS folder against reported targets (writes fit.csv there)."""
    from sim.targets import fit_results

    table, path = fit_results(results, targets, until.date() if until else None)
    from sim.tables import fit_text, records

    if as_json:
        click.echo(records(table))
        return
    click.echo(fit_text(table))
    met = table.met.dropna()
    click.echo(f"{int(met.sum())} of {len(met)} mapped targets met; table: {path}")


COMMANDS = [calibrate, fit]
