"""fugong command line: thin parsing and printing; the work lives in sim/."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sim.errors import FugongError, Interrupted

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
PATH = click.Path(path_type=Path)
jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1),
    default=None,
    help="Local worker processes [default: all cores].",
)
scheduler_option = click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Run on a Dask cluster, e.g. tcp://host:8786.",
)


def set_option(help_text: str | None = None):
    return click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=help_text)


def out_option(help_text: str):
    return click.option("--out", type=PATH, default=None, help=help_text)


class FugongGroup(click.Group):
    """Turns user errors into one readable line and exit code 2 (--debug shows a traceback)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Interrupted as exc:  # work so far is saved; the message says how to continue
            click.echo(str(exc), err=True)
            sys.exit(exc.exit_code)
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
@click.argument("scenario", type=PATH)
@click.option("--seed", type=int, default=None, help="Base seed (default: the scenario's).")
@click.option("--replicates", "-r", type=click.IntRange(1), default=1, show_default=True)
@set_option("Override a scenario key, e.g. --set permits.daily_capacity=4000.")
@out_option("Results folder (default: results/<scenario>-<time>).")
@click.option("--jobs", "-j", type=click.IntRange(1), default=1, show_default=True)
@click.option("--force", is_flag=True, help="Replace an existing results folder.")
@click.option("--no-charts", is_flag=True, help="Skip the PNG charts.")
def run(scenario, seed, replicates, overrides, out, jobs, force, no_charts) -> None:
    """Run SCENARIO and write a results folder."""
    from sim.run_folder import run_scenario

    outcome = run_scenario(
        scenario,
        seed=seed,
        replicates=replicates,
        overrides=list(overrides),
        out=out,
        jobs=jobs,
        force=force,
        charts=not no_charts,
    )
    click.echo(outcome.kpis.to_string(float_format=lambda v: f"{v:,.2f}"))
    click.echo(f"finished in {outcome.seconds:.1f} s")
    click.echo(f"results: {outcome.folder}")


@cli.command()
@click.argument("scenario", type=PATH)
@set_option()
def validate(scenario, overrides) -> None:
    """Check SCENARIO and print the resolved scenario."""
    import yaml

    from sim.scenario_files import load_scenario

    sc = load_scenario(scenario, list(overrides))
    click.echo(yaml.safe_dump(sc.model_dump(mode="json"), sort_keys=False, width=100))
    click.echo(f"ok: {scenario} is valid ({sc.n_days} days, {sc.economy.firms} firms)")


@cli.command()
@click.option("--dir", "folder", type=PATH, default=SCENARIO_DIR, show_default=True)
def scenarios(folder) -> None:
    """List scenario files with one-line descriptions."""
    from sim.scenario_files import describe_folder

    for name, text in describe_folder(folder):
        click.echo(f"{name:<28} {text}")


@cli.command()
@click.argument("sweep_file", required=False, type=PATH)
@click.option(
    "--scenario",
    type=PATH,
    default=None,
    help="Base scenario (without a sweep file, or replacing the file's base).",
)
@click.option(
    "--grid",
    multiple=True,
    metavar="KEY=V1,V2,...",
    help="Vary KEY over these values; x0.5,x1,x2 are multiples of its schedule.",
)
@click.option("--replicates", "-r", type=click.IntRange(1), default=None)
@click.option("--seed", type=int, default=None, help="Base seed (default: the sweep's).")
@set_option("Fixed scenario override for every run.")
@jobs_option
@scheduler_option
@click.option(
    "--resume",
    is_flag=True,
    help="Continue the sweep in --out: skip finished runs, retry failed ones.",
)
@click.option("--force", is_flag=True, help="Replace an existing results folder.")
@out_option("Results folder [default: results/sweep-<name>-<time>].")
@click.option("--dry-run", is_flag=True, help="Print the number of runs and a time estimate.")
def sweep(
    sweep_file,
    scenario,
    grid,
    replicates,
    seed,
    overrides,
    jobs,
    scheduler,
    resume,
    force,
    out,
    dry_run,
) -> None:
    """Run a sweep of scenario levers (SWEEP_FILE, or --scenario with --grid).

    Every finished run is written at once; --resume skips finished runs and retries failed
    ones. Replicate i of every point uses the same seed (common random numbers).
    """
    from sim.sweep_run import dry_run_text, execute_sweep, prepare
    from sim.sweep_store import console_table, point_summary

    plan, out = prepare(
        sweep_file,
        scenario=scenario,
        grid=list(grid),
        replicates=replicates,
        seed=seed,
        sets=list(overrides),
        resume=resume,
        out=out,
    )
    if dry_run:
        click.echo(dry_run_text(plan, out, resume=resume, jobs=jobs, scheduler=scheduler))
        return
    outcome = execute_sweep(plan, out, jobs=jobs, scheduler=scheduler, resume=resume, force=force)
    click.echo(console_table(point_summary(plan, outcome.runs), plan.reference))
    rate = 60 * outcome.computed / outcome.seconds if outcome.seconds else 0.0
    click.echo(
        f"{outcome.computed} runs computed in {outcome.seconds:.1f} s "
        f"({rate:.1f} runs/min, {outcome.workers} workers)"
    )
    click.echo(f"results: {outcome.folder}")
    if outcome.failed:
        click.echo(
            f"error: {outcome.failed} run(s) failed (see runs.parquet and failed/); "
            f"retry them with: fugong sweep --resume --out {out}",
            err=True,
        )
        sys.exit(1)


def _ints(text: str | None) -> list[int] | None:
    if not text:
        return None
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(f"expected point numbers like 0,3,5, got {text!r}") from None


@cli.command()
@click.argument("results", nargs=-1, required=True, type=PATH)
@click.option("--metric", default="capacity_utilization", show_default=True)
@click.option("--group", default="all", show_default=True)
@click.option(
    "--points", default=None, metavar="0,3,5", help="Sweep points to compare [default: all]."
)
@click.option(
    "--reference",
    default=None,
    help="Series to difference against [default: the first; a sweep's reference].",
)
@click.option(
    "--kpi",
    "days_kpi",
    default="days_to_80pct",
    show_default=True,
    type=click.Choice(["days_to_50pct", "days_to_80pct", "days_to_90pct"]),
)
@out_option("Folder for compare.png and the CSVs [default: results/compare-<time>].")
def compare(results, metric, group, points, reference, days_kpi, out) -> None:
    """Overlay the recovery curves of RESULTS folders (runs or sweeps) and tabulate KPIs."""
    from sim.compare import compare as run_compare
    from sim.compare import printable

    done = run_compare(
        list(results),
        metric=metric,
        group=group,
        points=_ints(points),
        reference=reference,
        days_kpi=days_kpi,
        out=out,
    )
    click.echo(
        f"reference: {done.reference}; differences are paired by seed (mean and "
        "90% t-interval over replicates)"
    )
    click.echo(printable(done.table, days_kpi))
    click.echo(f"results: {done.folder}")


@cli.command()
@click.argument("results", type=PATH)
@click.option("--x", "x", required=True, help="Lever on the x axis (a sweep parameter key).")
@click.option("--y", "y", required=True, help="Lever on the y axis.")
@click.option("--group", default="chain:automobile", show_default=True)
@click.option(
    "--level",
    type=click.FloatRange(0, 2),
    default=0.8,
    show_default=True,
    help="Capacity utilization to reach.",
)
@click.option(
    "--by",
    "by",
    type=click.DateTime(["%Y-%m-%d"]),
    required=True,
    help="Target date, e.g. 2022-05-31.",
)
@click.option(
    "--cost",
    "costs",
    multiple=True,
    metavar="KEY=WEIGHT",
    help="Weight of a lever in the cost (levels are divided by their maximum).",
)
@out_option("Folder for frontier.png and frontier.csv [default: RESULTS/frontier].")
def frontier(results, x, y, group, level, by, costs, out) -> None:
    """Heat map of days to a utilization level over two levers of a sweep, and the cheapest
    combinations that reach it by a date."""
    from sim.frontier import frontier as run_frontier
    from sim.frontier import parse_costs

    done = run_frontier(
        results,
        x,
        y,
        group=group,
        level=level,
        by=by.date(),
        costs=parse_costs(list(costs), (x, y)),
        out=out,
    )
    shown = done.table.sort_values(["meets", "cost"], ascending=[False, True])
    cols = [x, y, "median_days", "share_meeting", "meets", "cost", "pareto", "cheapest"]
    click.echo(f"target: {done.target_days} days from the first lockdown")
    click.echo(shown[cols].head(10).to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    if not done.table["meets"].any():
        click.echo("no combination meets the target")
    click.echo(f"results: {done.folder}")


@cli.command()
@click.argument("sweep_file", type=PATH)
@click.option(
    "--method", type=click.Choice(["sobol", "morris"]), default="sobol", show_default=True
)
@click.option(
    "--samples",
    "-n",
    type=click.IntRange(1),
    default=None,
    help="SALib base sample N [default: sobol the sweep's samples or 64; morris 10 trajectories].",
)
@click.option("--kpi", default="days_to_80pct", show_default=True)
@click.option("--group", default="all", show_default=True)
@click.option("--replicates", "-r", type=click.IntRange(1), default=None)
@jobs_option
@scheduler_option
@click.option("--resume", is_flag=True)
@click.option("--force", is_flag=True)
@out_option("Results folder [default: results/sensitivity-<name>-<method>-<time>].")
@click.option("--dry-run", is_flag=True, help="Print the number of runs and stop.")
def sensitivity(
    sweep_file,
    method,
    samples,
    kpi,
    group,
    replicates,
    jobs,
    scheduler,
    resume,
    force,
    out,
    dry_run,
) -> None:
    """Sobol or Morris indices of a KPI over the ranged parameters of SWEEP_FILE (SALib)."""
    from sim.sensitivity import prepare_sensitivity, run_sensitivity

    job = prepare_sensitivity(sweep_file, method, samples, replicates, out)
    plan = job.plan
    click.echo(
        f"{method}: N={job.n}, {len(plan.points)} sample points x {plan.sweep.replicates} "
        f"replicate(s) = {plan.n_runs} runs over {list(plan.points.columns)}"
    )
    if dry_run:
        return
    done = run_sensitivity(
        job, kpi=kpi, group=group, jobs=jobs, scheduler=scheduler, resume=resume, force=force
    )
    click.echo(done.indices.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if done.censored:
        click.echo(
            f"note: {done.censored} run(s) never reached the level; their days were set to "
            "the horizon plus one day"
        )
    click.echo(f"results: {done.folder}")


@cli.command()
@click.argument("manifest", type=PATH)
@out_option("Results folder (default: next to the original, suffixed -rerun).")
@click.option("--jobs", "-j", type=click.IntRange(1), default=1, show_default=True)
@click.option("--force", is_flag=True, help="Replace an existing results folder.")
def rerun(manifest, out, jobs, force) -> None:
    """Reproduce a run from its MANIFEST (manifest.json): same scenario, seeds, replicates."""
    from sim.run_folder import rerun as rerun_manifest

    outcome = rerun_manifest(manifest, out=out, jobs=jobs, force=force)
    click.echo(f"finished in {outcome.seconds:.1f} s")
    click.echo(f"results: {outcome.folder}")


@cli.command()
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
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Fit only targets up to this date; report later ones out of sample.",
)
@click.option("--seed", type=int, default=None, help="Seed of the search and the replicates.")
@jobs_option
@scheduler_option
@out_option("Calibration folder; an existing one resumes its search.")
def calibrate(
    scenario, targets, params, trials, replicates, overrides, until, seed, jobs, scheduler, out
) -> None:
    """Fit SCENARIO's parameters to reported figures (Optuna, resumable journal)."""
    from sim.calibrate import calibrate_scenario

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
        progress=lambda m: click.echo(m, err=True),
    )
    fit = result["fit"]
    cols = ["target", "sample", "reported", "model_median", "model_p10", "model_p90", "met"]
    click.echo(fit[cols].to_string(index=False, float_format=lambda v: f"{v:,.3g}"))
    summary = result["summary"]
    click.echo(f"best parameters: {summary['best_params']} (loss {summary['best_loss']:.4g})")
    click.echo(f"results: {result['folder']}")


@cli.command()
@click.argument("results", type=PATH)
@click.option("--targets", type=PATH, required=True)
@click.option(
    "--until",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Mark targets after this date as out of sample.",
)
def fit(results, targets, until) -> None:
    """Score a RESULTS folder against reported targets (writes fit.csv there)."""
    from sim.targets import fit_results

    table, path = fit_results(results, targets, until.date() if until else None)
    cols = ["target", "sample", "reported", "model_median", "model_p10", "model_p90", "met"]
    click.echo(table[cols].to_string(index=False, float_format=lambda v: f"{v:,.3g}"))
    met = table.met.dropna()
    click.echo(f"{int(met.sum())} of {len(met)} mapped targets met; table: {path}")


if __name__ == "__main__":
    cli()
