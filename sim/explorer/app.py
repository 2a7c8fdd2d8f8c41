"""The explorer page: Mesa's SolaraViz around an ExplorerModel, with fugong's live charts.

SolaraViz gives the controls (Reset, play/pause, Step, play and render intervals) and the
"Model Parameters" card built from the controls; moving one and pressing Reset rebuilds
the model with it. Settings come from the environment that ``serve`` sets.
"""

from __future__ import annotations

import os

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from sim.explorer.charts import CHARTS
from sim.explorer.controls import CONTROLS
from sim.explorer.model import ExplorerModel
from sim.explorer.serve import Settings
from sim.scenario_files import load_scenario


def chart_view(chart_class):
    """A Solara component showing one chart; it redraws after every step Mesa renders."""

    @solara.component
    def ChartView(model):
        update_counter.get()  # SolaraViz bumps this after each rendered step
        chart = solara.use_memo(lambda: chart_class(model), [model])
        solara.Image(chart.png(), classes=["fugong-chart", f"fugong-{chart_class.__name__}"])

    ChartView.__name__ = chart_class.__name__
    return ChartView


@solara.component
def Summary(model):
    """Today's headline figures and the control values the model runs with."""
    update_counter.get()
    day = model.steps
    status = "finished" if not model.running else f"next: {model.calendar.dates[day]}"
    kpis = [
        ("capacity utilization", f"{model.capacity_utilization:.1%}", "utilization"),
        ("firms producing", f"{model.resumption_rate:.1%}", "resumption"),
        ("staff on site", f"{model.staff_on_site:,.0f}", "staff"),
        ("permits issued (cum.)", f"{model.permits_issued_cum:,.0f}", "permits"),
        ("vehicle passes held", f"{model.passes_issued:,.0f}", "passes"),
    ]
    levers = [(c.label, _number(c.value_in(model.params)), c.name) for c in CONTROLS]
    html = (
        f'<p class="fugong-day"><b>Day {day} of {model.n_days}</b> ({status}); '
        f"scale {model.params.scale:g}, seed {model.params.seed}</p>"
        + _table("today", kpis)
        + _table("levers in force", levers)
    )
    solara.HTML(tag="div", unsafe_innerHTML=html, classes=["fugong-summary"])


def _number(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"{value:,.0f}" if value >= 10 else f"{value:g}"


def _table(title: str, rows: list[tuple[str, str, str]]) -> str:
    cells = "".join(
        f'<tr><td>{label}</td><td class="fugong-{key}" style="text-align:right">{value}</td></tr>'
        for label, value, key in rows
    )
    return (
        f'<table style="font-size:13px;margin-bottom:8px"><tr><th colspan="2" '
        f'style="text-align:left">{title}</th></tr>{cells}</table>'
    )


VIEWS = [Summary, *(chart_view(c) for c in CHARTS)]


@solara.component
def Page():
    settings = solara.use_memo(Settings.from_env, [])
    sc = solara.use_memo(
        lambda: load_scenario(settings.scenario_file, {"scale": settings.scale}), []
    )
    model = solara.use_memo(
        lambda: ExplorerModel(
            scenario_file=settings.scenario_file, scale=settings.scale, seed=settings.seed
        ),
        [],
    )
    params = {
        "scenario_file": settings.scenario_file,
        "scale": settings.scale,
        "seed": settings.seed,
        **{c.name: c.widget(sc) for c in CONTROLS},
    }
    SolaraViz(
        model,
        components=VIEWS,
        model_params=params,
        name=f"fugong explore: {os.path.basename(settings.scenario_file)}",
        render_interval=settings.render_interval,
    )
