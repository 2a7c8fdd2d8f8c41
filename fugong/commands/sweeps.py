"""Commands over many runs: sweep, sensitivity, and the comparisons drawn from them
(compare, frontier)."""

from __future__ import annotations

import sys

import click

from fugong.commands.options import (
    DATE,
    FORCE,
    JSON,
    PATH,
    executor_options,
    out_option,
    point_numbers,
    seed_option,
    set_option,
)


@click.command()
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
@seed_option("Base seed (default: the sweep's).")
@set_option("Fixed scenario override for every run.")
@executor_options()
@click.option(
    "--resume",
    is_flag=True,
    help="Continue the sweep in --out: skip finished runs, retry failed ones.",
)
@FORCE
@out_option("Results folder [default: results/sweep-<name>-<time>].")
@click.option("--dry-run", is_flag=True, help="Print the number of runs and a time estimate.")
@click.option(
    "--reference",
    "reference",
    multiple=True,
    metavar="KEY=VALUE",
    help="Lever values of the reference point, e.g. permits.daily_capacity=x2 "
    "[default: the baseline, x1 and the scenario's values, if in the design].",
)
@JSON
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
    reference,
    as_json,
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
        reference=list(reference),
    )
    if dry_run:
        click.echo(dry_run_text(plan, out, resume=resume, jobs=jobs, scheduler=scheduler))
        return
    outcome = execute_sweep(plan, out, jobs=jobs, scheduler=scheduler, resume=resume, force=force)
    points = point_summary(plan, outcome.runs)
    if as_json:
        from sim.tables import records

        click.echo(records(points))
    else:
        click.echo(console_table(points, plan.reference))
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


@click.command()
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
@click.option(
    "--by", "by", type=DATE, default=None, help="Target date drawn on the chart, e.g. 2022-05-10."
)
@out_option("Folder for compare.png and the CSVs [default: results/compare-<time>].")
@JSON
def compare(results, metric, group, points, reference, days_kpi, by, out, as_json) -> None:
    """Overlay the recovery curves of RESULTS folders (runs or sweeps) and tabulate KPIs."""
    from sim.compare import compare as run_compare
    from sim.compare import printable

    done = run_compare(
        list(results),
        metric=metric,
        group=group,
        points=point_numbers(points),
        reference=reference,
        days_kpi=days_kpi,
        by=by.date() if by else None,
        out=out,
    )
    if as_json:
        from sim.tables import records

        click.echo(records(done.table))
        return
    click.echo(
        f"reference: {done.reference}; differences are paired by seed (mean and "
        "90% t-interval over replicates)"
    )
    click.echo(printable(done.table, days_kpi))
    click.echo(f"results: {done.folder}")


@click.command()
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
@click.option("--by", "by", type=DATE, required=True, help="Target date, e.g. 2022-05-31.")
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


@click.command()
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
@executor_options()
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
    from sim.sensitivity import prepare_sensitivity, run_sensitivity, small_sample_warning

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
    warning = small_sample_warning(done.indices, method, job.n)
    if warning:
        click.echo(warning, err=True)
    if done.censored:
        click.echo(
            f"note: {done.censored} run(s) never reached the level; their days were set to "
            "the horizon plus one day"
        )
    click.echo(f"results: {done.folder}")


COMMANDS = [sweep, sensitivity, compare, frontier]
