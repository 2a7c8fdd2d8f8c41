"""The package's import graph has no cycle and no upward import (engine never imports tools).

Run as a script to print the graph: ``python tests/test_imports.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

SIM = Path(__file__).resolve().parent.parent / "sim"

# Lowest first. A module may import modules of its own layer or of a lower one only.
LAYERS = {
    "foundations": {
        "errors",
        "schedule",
        "schema",
        "yaml_io",
        "keys",
        "apportion",
        "labels",
        "locks",
        "outdir",
        "signals",
    },
    "inputs": {
        "param_types",
        "economy_params",
        "policy_params",
        "workforce_params",
        "logistics_params",
        "scenario",
        "run_window",
        "scenario_files",
        "io_table",
        "io_scenario",
    },
    "engine": {
        "economy",
        "supply_links",
        "economy_build",
        "whitelist",
        "policy",
        "recorder",
        "model",
        "centralized",
        "agents.views",
        "agents.authority",
        "agents.enterprise",
        "agents.logistics",
        "agents.worker",
        "agents.kernel_choice",
        "agents.worker_kernels",
        "io_economy",
        "io_model",
    },
    "run tools": {
        "replicates",
        "progress",
        "counterfactual",
        "kpis",
        "replicate_stats",
        "memory",
        "results_folder",
        "reported",
        "executors",
        "levers",
        "targets",
        "chart_style",
        "chart_marks",
        "replicate_bands",
        "plots",
        "calibration_chart",
        "run_charts",
        "tables",
        "manifests",
        "explorer.controls",
        "explorer.model",
        "explorer.charts",
    },
    "commands": {
        "run_folder",
        "sweep_file",
        "sweep_plan",
        "stored_runs",
        "sweep_store",
        "sweep_run",
        "compare",
        "frontier",
        "sensitivity",
        "calibration_levers",
        "calibration_trials",
        "calibration_study",
        "calibrated_file",
        "calibrate",
        "diff",
        "report",
        "report_document",
        "report_sections",
        "report_run",
        "report_sweep",
        "report_compare",
        "docs_reference",
        "api",
        "export",
        "io_run",
        "explorer.serve",
        "explorer.app",
    },
}


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(SIM).with_suffix("").parts)


def import_graph() -> dict[str, set[str]]:
    """module -> the sim modules it imports (anywhere in the file, lazy imports included)."""
    graph: dict[str, set[str]] = {}
    for path in sorted(SIM.rglob("*.py")):
        name = module_name(path)
        if name.endswith("__init__"):
            continue
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "sim":  # from sim import x
                found |= {a.name for a in node.names}
            elif (
                isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sim.")
            ):
                found.add(node.module.removeprefix("sim."))
            elif isinstance(node, ast.Import):
                found |= {
                    a.name.removeprefix("sim.") for a in node.names if a.name.startswith("sim.")
                }
        graph[name] = found
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules, or None."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def layer_of(module: str) -> int:
    for i, members in enumerate(LAYERS.values()):
        if module in members:
            return i
    raise KeyError(module)


def test_every_module_has_a_layer():
    missing = sorted(m for m in import_graph() if not any(m in s for s in LAYERS.values()))
    assert not missing, f"add these modules to a layer in LAYERS: {missing}"


def test_no_import_cycle():
    assert find_cycle(import_graph()) is None


def test_no_upward_import():
    graph = import_graph()
    upward = [(m, d) for m, deps in graph.items() for d in deps if layer_of(d) > layer_of(m)]
    assert not upward, upward


def test_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


if __name__ == "__main__":
    graph = import_graph()
    names = list(LAYERS)
    for module in sorted(graph, key=lambda m: (layer_of(m), m)):
        deps = ", ".join(sorted(graph[module])) or "-"
        print(f"[{names[layer_of(module)]}] {module} -> {deps}")
    print("cycle:", find_cycle(graph))
