"""fugong command line: thin parsing and printing; the work lives in sim/."""

from __future__ import annotations

import errno
import sys
import warnings
from pathlib import Path

import click

from sim.errors import FugongError, FugongWarning, Interrupted

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


JSON = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the table as JSON records (for scripts) instead of text.",
)


def _seed(ctx, param, value: int | None) -> int | None:
    if value is not None and value < 0:
        raise FugongError(f"--seed: expected a non-negative integer, got {value}")
    return value


class FugongGroup(click.Group):
    """Turns user errors into one readable line and exit code 2 (--debug shows a traceback),
    warnings into one line each, and Ctrl-C or SIGTERM into one line and exit 130 or 143."""

    def invoke(self, ctx: click.Context):
        from sim.errors import exit_code
        from sim.signals import install_stop_handlers, restore_handlers

        previous = install_stop_handlers()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always", FugongWarning)
                warnings.showwarning = _show_warning
                return super().invoke(ctx)
        except Interrupted as exc:  # work so far is saved; the message says how to continue
            click.echo(str(exc), err=True)
            sys.exit(exc.exit_code)
        except FugongError as exc:
            if ctx.params.get("debug"):
                raise
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except OSError as exc:
            if ctx.params.get("debug") or exc.errno not in WRITE_ERRORS:
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(
                f"error: {where}cannot write ({exc.strerror or exc}); nothing incomplete was kept",
                err=True,
            )
            sys.exit(2)
        except KeyboardInterrupt as exc:
            click.echo(
                "interrupted: stopped before the results were complete; no partial "
                "results were kept",
                err=True,
            )
            sys.exit(exit_code(exc))
        finally:
            restore_handlers(previous)


WRITE_ERRORS = {
    errno.ENOSPC,
    errno.EROFS,
    errno.EDQUOT,
    errno.EACCES,
    errno.EPERM,
    errno.EFBIG,
    errno.ENOTDIR,
    errno.EISDIR,
}


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    if issubclass(category, FugongWarning):
        click.echo(f"warning: {message}", err=True)
    else:
        _default_show(message, category, filename, lineno, file, line)


_default_show = warnings.showwarning


@click.group(cls=FugongGroup)
@click.version_option(package_name="fugong", prog_name="fugong", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def cli(debug: bool) -> None:
    """fugong: simulate a locked-down city's return to work along industry chains."""


@cli.command()
@click.argument("scenario", type=PATH)
@click.option(
    "--seed", type=int, default=None, callback=_seed, help="Base seed (default: the scenario's)."
)
@click.option("--replicates", "-r", type=click.IntRange(1), default=1, show_default=True)
@set_option("Override a scenario key, e.g. --set permits.daily_capacity=4000.")
@out_option("Results folder (default: results/<scenario>-<time>).")
@click.option("--jobs", "-j", type=click.IntRange(1), default=1, show_default=True)
@click.option("--force", is_flag=True, help="Replace an existing results folder.")
@click.option("--no-charts", is_flag=True, help="Skip the PNG charts.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar on stderr.")
@JSON
def run(scenario, seed, replicates, overrides, out, jobs, force, no_charts, quiet, as_json) -> None:
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
        progress=not quiet,
    )
    from sim.tables import kpi_text, records

    if as_json:
        click.echo(records(outcome.kpis))
        return
    click.echo(kpi_text(outcome.kpis))
    click.echo(f"finished in {outcome.seconds:.1f} s")
    click.echo(f"results: {outcome.folder}")


@cli.command()
@click.argument("scenario", type=PATH)
@set_option()
@click.option("--full", is_flag=True, help="Print the whole resolved scenario.")
def validate(scenario, overrides, full) -> None:
    """Check SCENARIO and print what it changes from its base (--full: the resolved tree)."""
    import yaml

    from sim.diff import base_of, differences, table
    from sim.scenario_files import load_scenario

    sc = load_scenario(scenario, list(overrides))
    resolved = sc.model_dump(mode="json")
    base = base_of(scenario)
    if full:
        click.echo(yaml.safe_dump(resolved, sort_keys=False, width=100))
    elif base is not None:
        changes = differences(load_scenario(base).model_dump(mode="json"), resolved)
        click.echo(f"differences from its base {base.name} (--full for the whole scenario):")
        click.echo(table(changes, base.stem, Path(scenario).stem))
    elif overrides:
        changes = differences(load_scenario(scenario).model_dump(mode="json"), resolved)
        click.echo("no base scenario; differences made by --set:")
        click.echo(table(changes, "file", "with --set"))
    else:
        click.echo("no base scenario (--full prints the whole scenario)")
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
@click.option(
    "--seed", type=int, default=None, callback=_seed, help="Base seed (default: the sweep's)."
)
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
    )
    if reference:
        import yaml

        from sim.sweep_plan import make_plan

        ref = {}
        for item in reference:
            key, _, value = item.partition("=")
            ref[key] = float(value[1:]) if value.startswith("x") else yaml.safe_load(value)
        root = Path(sweep_file).parent if sweep_file is not None else Path.cwd()
        plan = make_plan(plan.sweep.model_copy(update={"reference": ref}), root)
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
@click.option(
    "--by",
    "by",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Target date drawn on the chart, e.g. 2022-05-10.",
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
        points=_ints(points),
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
    from sim.sensitivity import small_sample_warning

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


@cli.command()
@click.argument("manifest", type=PATH)
@out_option("Results folder (default: next to the original, suffixed -rerun).")
@click.option("--jobs", "-j", type=click.IntRange(1), default=1, show_default=True)
@click.option("--force", is_flag=True, help="Replace an existing results folder.")
def rerun(manifest, out, jobs, force) -> None:
    """Reproduce a run from its MANIFEST (a results folder or its manifest.json): same
    scenario, seeds and replicates; says whether the results match the old ones bit for bit."""
    from sim.run_folder import rerun as rerun_manifest
    from sim.run_folder import same_results

    outcome = rerun_manifest(manifest, out=out, jobs=jobs, force=force)
    old = manifest if manifest.is_dir() else manifest.parent
    click.echo(f"finished in {outcome.seconds:.1f} s")
    if same_results(old, outcome.folder):
        click.echo(f"identical: timeseries and summary match {old} bit for bit")
    else:
        click.echo(
            f"DIFFERENT: the results do not match {old} (versions or code changed? "
            "compare the manifests' versions and git_commit)",
            err=True,
        )
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
@click.option(
    "--seed", type=int, default=None, callback=_seed, help="Seed of the search and the replicates."
)
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


@cli.command()
@click.argument("results", type=PATH)
@click.option("--targets", type=PATH, required=True)
@click.option(
    "--until",
    type=click.DateTime(["%Y-%m-%d"]),
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


@cli.command()
@click.argument("results", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Report file [default: RESULTS/report.html, or report.md with --markdown].",
)
@click.option("--markdown", is_flag=True, help="Write Markdown (images linked) instead of HTML.")
@click.option(
    "--targets",
    type=click.Path(path_type=Path),
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


@cli.command()
@click.argument("a", type=click.Path(path_type=Path))
@click.argument("b", type=click.Path(path_type=Path))
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override applied to scenario files before comparing.",
)
def diff(a, b, overrides) -> None:
    """The resolved scenario keys that differ between A and B (scenario files or results
    folders)."""
    from sim.diff import differences, resolved, table

    data_a, name_a = resolved(a, list(overrides))
    data_b, name_b = resolved(b, list(overrides))
    if name_a == name_b:
        name_a, name_b = str(a), str(b)
    changes = differences(data_a, data_b)
    click.echo(table(changes, name_a, name_b))
    click.echo(f"{len(changes)} key(s) differ")


@cli.command()
@click.argument("results", type=click.Path(path_type=Path))
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
    type=click.Path(path_type=Path),
    default=None,
    help="Output file [default: RESULTS/timeseries.csv or RESULTS/<name>.xlsx].",
)
def export(results, fmt, groups, metrics, out) -> None:
    """Export a RESULTS folder's timeseries as CSV (tidy) or Excel (KPIs, summary, medians
    by date, tidy table)."""
    from sim.export import export as write

    click.echo(f"export: {write(results, fmt, out, list(groups), list(metrics))}")


@cli.command("io-run")
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Results folder.")
def io_run(scenario, out) -> None:
    """Run an IO-table SCENARIO (economy.io_table, capacity shocks; no labour or permits)."""
    from sim.io_run import run_io_scenario

    s = run_io_scenario(scenario, out)
    click.echo(
        f"total loss {s['total_loss']:,.4g} ({s['loss_in_days_of_output']:.3g} days of output): "
        f"direct {s['direct_loss']:,.4g}, indirect {s['indirect_loss']:,.4g}"
    )
    click.echo(f"results: {out}")


if __name__ == "__main__":
    cli()


@cli.command()
@click.argument(
    "scenario",
    required=False,
    type=click.Path(path_type=Path),
    default=SCENARIO_DIR / "shanghai_2022.yaml",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option(
    "--scale",
    type=click.IntRange(1),
    default=20,
    show_default=True,
    help="Workers each simulated worker stands for (20 keeps a day under 0.2 s).",
)
@click.option("--seed", type=int, default=None, help="Seed (default: the scenario's).")
@click.option(
    "--render-interval",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Days per Step click and between chart redraws while playing.",
)
def explore(scenario, host, port, scale, seed, render_interval) -> None:
    """Explore SCENARIO in the browser: levers, play/step, live charts (needs .[explore])."""
    from sim.explorer.serve import serve

    click.echo(f"fugong explore: http://{host}:{port}/  (Ctrl+C stops)")
    serve(scenario, host, port, scale=scale, seed=seed, render_interval=render_interval)
