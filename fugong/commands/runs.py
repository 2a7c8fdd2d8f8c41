"""Commands on one scenario: run, rerun, validate, list, diff, io-run and explore."""

from __future__ import annotations

import click

from fugong.commands.options import (
    FORCE,
    JSON,
    PATH,
    QUIET,
    SCENARIO_DIR,
    local_jobs_option,
    out_option,
    seed_option,
    set_option,
)


@click.command()
@click.argument("scenario", type=PATH)
@seed_option("Base seed (default: the scenario's).")
@click.option("--replicates", "-r", type=click.IntRange(1), default=1, show_default=True)
@set_option("Override a scenario key, e.g. --set permits.daily_capacity=4000.")
@out_option("Results folder (default: results/<scenario>-<time>).")
@local_jobs_option()
@FORCE
@click.option("--no-charts", is_flag=True, help="Skip the PNG charts.")
@QUIET
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


@click.command()
@click.argument("scenario", type=PATH)
@set_option()
@click.option("--full", is_flag=True, help="Print the whole resolved scenario.")
def validate(scenario, overrides, full) -> None:
    """Check SCENARIO and print what it changes from its base (--full: the resolved tree)."""
    from sim.diff import validation_text

    click.echo(validation_text(scenario, list(overrides), full))


@click.command()
@click.option("--dir", "folder", type=PATH, default=SCENARIO_DIR, show_default=True)
def scenarios(folder) -> None:
    """List scenario files with one-line descriptions."""
    from sim.scenario_files import describe_folder

    for name, text in describe_folder(folder):
        click.echo(f"{name:<28} {text}")


@click.command()
@click.argument("manifest", type=PATH)
@out_option("Results folder (default: next to the original, suffixed -rerun).")
@local_jobs_option()
@FORCE
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


@click.command()
@click.argument("a", type=PATH)
@click.argument("b", type=PATH)
@set_option("Override applied to scenario files before comparing.")
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


@click.command("io-run")
@click.argument("scenario", type=PATH)
@click.option("--out", type=PATH, required=True, help="Results folder.")
def io_run(scenario, out) -> None:
    """Run an IO-table SCENARIO (economy.io_table, capacity shocks; no labour or permits)."""
    from sim.io_run import run_io_scenario

    s = run_io_scenario(scenario, out)
    click.echo(
        f"total loss {s['total_loss']:,.4g} ({s['loss_in_days_of_output']:.3g} days of output): "
        f"direct {s['direct_loss']:,.4g}, indirect {s['indirect_loss']:,.4g}"
    )
    click.echo(f"results: {out}")


@click.command()
@click.argument("scenario", required=False, type=PATH, default=SCENARIO_DIR / "shanghai_2022.yaml")
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


COMMANDS = [run, validate, scenarios, rerun, diff, io_run, explore]
