"""Scenario schema (all parameters, defaults and units in one place) and loading.

Scenario files are YAML validated by pydantic with unknown keys rejected. A file may name a
``base:`` scenario and change only what differs; ``--set key.path=value`` overrides any key.
"""

from __future__ import annotations

import difflib
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from sim.errors import ScenarioError
from sim.schedule import Schedule, schedule_values

CHAIN_NAMES = ("automobile", "integrated_circuits", "biomedicine", "chemicals", "other")
ROUTES = ("in_city", "inter_provincial")

Share = Annotated[float, Field(ge=0.0, le=1.0)]
PosFloat = Annotated[float, Field(gt=0.0)]
NonNeg = Annotated[float, Field(ge=0.0)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _bounded(lo: float, hi: float | None = None, strict: bool = False):
    """A validator keeping every value of a schedule within [lo, hi] (or > lo if strict)."""

    def check(value: Any) -> Any:
        for v in schedule_values(value):
            if (v <= lo if strict else v < lo) or (hi is not None and v > hi):
                if strict:
                    bound = f"> {lo:g}"
                elif hi is None:
                    bound = f">= {lo:g}"
                else:
                    bound = f"between {lo:g} and {hi:g} (a share)"
                raise ValueError(f"expected every value {bound}, got {v:g}")
        return value

    return AfterValidator(check)


PositiveSchedule = Annotated[Schedule, _bounded(0.0, strict=True)]
NonNegSchedule = Annotated[Schedule, _bounded(0.0)]
ShareSchedule = Annotated[Schedule, _bounded(0.0, 1.0)]


class District(Strict):
    population: Annotated[int, Field(gt=0)]  # residents, 2020 census
    firm_weight: NonNeg = 1.0  # relative density of industrial firms (assumption)
    lockdown: date | None = None  # date the district entered lockdown


class InputSlot(Strict):
    source: str  # chain that supplies this input
    criticality: Literal["critical", "important", "non_critical"]
    share: PosFloat  # share of the firm's input value (normalised per chain)


class Chain(Strict):
    description: str = ""
    firm_share: Share  # share of above-size firms
    output_share: Share  # share of above-size output
    worker_share: Share  # share of industrial workers
    tiers: list[Share] = [0.3, 0.4, 0.3]  # share of firms in tier 0 (final), 1, 2
    inputs: list[InputSlot]
    intermediate_share: Share = 0.6  # value of inputs per unit of output
    local_sourcing: Share = 0.5  # share of input slots sourced from Shanghai firms
    inventory_days: PosFloat = 20.0  # target days of input cover
    min_crew: Share = 0.3  # share of staff below which lines cannot run
    closed_loop_beds: Share = 0.2  # on-site beds per required worker
    shuttle_seats: Share = 0.3  # point-to-point shuttle seats per required worker
    continuing_share: Share = 0.1  # firms that kept running in closed loop through lockdown
    out_of_city_sales: Share = 0.6  # share of final sales shipped to other provinces
    truck_value: PosFloat = 15.0  # goods value per truck trip, 10k yuan
    demand: NonNegSchedule = 1.0  # final-demand multiplier (shock schedule)
    district_weights: dict[str, NonNeg] = {}  # where the chain's firms cluster (x firm_weight)

    @model_validator(mode="after")
    def _check(self) -> Chain:
        if len(self.tiers) != 3 or abs(sum(self.tiers) - 1.0) > 1e-6:
            raise ValueError("tiers must be three shares that sum to 1")
        if not self.inputs:
            raise ValueError("inputs: a chain needs at least one input slot")
        return self


class Anchor(Strict):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+$")]  # group names: firm:<name>
    label: str
    chain: str
    district: str
    staff: Annotated[int, Field(gt=0)]  # persons required at normal output
    output: PosFloat  # normal output, 10k yuan per day
    units: str  # what units_produced counts
    units_per_day: PosFloat  # units at normal output
    batch: int | None = None  # white-list batch, or None
    continuing: bool = False  # kept running in closed loop through the lockdown
    closed_loop_beds: Annotated[int, Field(ge=0)] = 0  # on-site beds (persons)
    min_crew: Share | None = None  # overrides the chain's minimum crew
    city_priority: bool = False  # restart coordinated by the city: head of permit/pass queues


class Economy(Strict):
    firms: Annotated[int, Field(gt=0)] = 9200  # above-size industrial firms
    workers: Annotated[int, Field(gt=0)] = 2_000_000  # industrial workers (assumption)
    output_per_day: PosFloat = 1_000_000.0  # normal output of all firms, 10k yuan/day
    size_sigma: NonNeg = 1.0  # lognormal dispersion of firm size
    external_suppliers: Annotated[int, Field(gt=0)] = 12  # per chain, outside Shanghai
    compounds: Annotated[int, Field(gt=0)] = 13000  # residential compounds in the city
    commute_share: Share = 0.3  # workers living outside their employer's district
    continuing_beds: Share = 0.6  # closed-loop beds per worker, at least, in continuing firms
    min_sim_workers: Annotated[int, Field(ge=1)] = 3  # simulated workers per firm, at least


class Batch(Strict):
    approved: date
    firms: Annotated[int, Field(gt=0)]
    chain_mix: dict[str, Share]
    still_producing: Share | None = None  # share of listed firms running in closed loop
    #   when listed (default: the chains' continuing_share)

    @model_validator(mode="after")
    def _check(self) -> Batch:
        total = sum(self.chain_mix.values())
        if total <= 0 or abs(total - 1.0) > 0.02:
            raise ValueError(f"chain_mix shares must sum to 1, got {total:.3f}")
        return self


class Whitelist(Strict):
    batches: list[Batch]
    district_approval_rate: ShareSchedule = 0.0  # daily share of unlisted firms approved
    priority: bool = True  # listed firms first in permit and pass queues and in rationing

    @model_validator(mode="after")
    def _check(self) -> Whitelist:
        dates = [b.approved for b in self.batches]
        if dates != sorted(dates):
            raise ValueError("batches must be listed in order of approval date")
        return self


class Policy(Strict):
    reopening: date  # approval scrapped, closed loop and permits no longer required
    whitelist: Whitelist


class Permits(Strict):
    daily_capacity: PositiveSchedule  # permits a day, citywide (persons)
    processing_delay_days: Annotated[int, Field(ge=0)] = 1  # days from application to issue
    apply_share: Share = 1.0  # share of staff an approved firm applies for


class Quotas(Strict):
    in_city: PositiveSchedule  # trucks a day
    inter_provincial: PositiveSchedule


class RouteShares(Strict):
    in_city: ShareSchedule
    inter_provincial: ShareSchedule


class Passes(Strict):
    daily_quota: Quotas  # vehicle passes issued a day per route class (trucks)
    required_from: date | None = None  # default: first district lockdown
    required_until: date  # passes no longer needed after this date


class Workforce(Strict):
    test_interval_days: Annotated[int, Field(ge=1)] = 2  # days between nucleic-acid tests
    test_validity_days: Annotated[int, Field(ge=1)] = 2  # a result is valid this long
    test_turnaround_days: Annotated[int, Field(ge=0)] = 1  # sample to result
    test_access: ShareSchedule = 0.9  # probability a due test is taken (site capacity)
    rotation_days: Annotated[int, Field(ge=0)] = 0  # days in closed loop before rotating out
    #   (0 = no rotation)


class Epidemic(Strict):
    infection_hazard: ShareSchedule = 0.0  # daily probability a worker is infected
    isolation_days: Annotated[int, Field(ge=1)] = 14  # isolation after infection
    closed_loop_risk: Share = 0.3  # hazard multiplier inside the closed loop


class Zoning(Strict):
    sealed: ShareSchedule = 0.0  # share of compounds sealed (nobody leaves)
    controlled: ShareSchedule = 0.0  # share of compounds controlled (nobody leaves the compound)
    churn: Share = 0.05  # daily share of compounds whose status is redrawn


class TransferStations(Strict):
    opens: date  # first day the inter-provincial transfer stations operate
    count: Annotated[int, Field(ge=0)] = 0
    trucks_per_day: NonNeg = 30.0  # hand-over capacity of one station (trucks)
    handover_days: Annotated[int, Field(ge=0)] = 1  # extra transit through a station


class Logistics(Strict):
    driver_availability: RouteShares  # share of drivers with valid tests and no quarantine
    transit_days: dict[Literal["in_city", "inter_provincial"], Annotated[int, Field(ge=0)]] = {
        "in_city": 1,
        "inter_provincial": 2,
    }
    trips_per_truck: dict[Literal["in_city", "inter_provincial"], PosFloat] = {
        "in_city": 2.0,
        "inter_provincial": 0.5,
    }
    fleet_slack: Annotated[float, Field(ge=1.0)] = 1.3  # trucks kept per truck needed normally
    transfer_stations: TransferStations


class Production(Strict):
    alpha_max: Annotated[float, Field(ge=1.0)] = 1.25  # overproduction ceiling (ARIO)
    alpha_tau: PosFloat = 10.0  # days for overproduction capacity to adjust
    tau: PosFloat = 6.0  # order time constant for restoring inventories, days
    important_weight: Share = 0.5  # how strongly an important input binds (Pichler et al.)
    finished_goods_days: NonNeg = 3.0  # warehouse room for unshipped output, days


class Demand(Strict):
    backlog_share: Share = 0.5  # share of unmet final demand carried as backlog
    backlog_retention: Share = 0.98  # daily share of backlog still wanted


class Region(Strict):
    name: str
    share: Share  # share of outside suppliers in this region
    capacity: NonNegSchedule = 1.0  # production factor over time (own disruptions)


class External(Strict):
    regions: list[Region]
    slack: Annotated[float, Field(ge=1.0)] = 1.1  # capacity over normal Shanghai orders

    @model_validator(mode="after")
    def _check(self) -> External:
        total = sum(r.share for r in self.regions)
        if abs(total - 1.0) > 0.02:
            raise ValueError(f"regions: shares must sum to 1, got {total:.3f}")
        return self


class RedYellow(Strict):
    opens: date  # first day the supply-chain desk takes cases
    daily_cases: Annotated[int, Field(ge=0)] = 50  # firms the desk can take on a day
    red_days: NonNeg = 3.0  # critical-input cover (days) that raises a red light
    yellow_days: NonNeg = 7.0  # cover that raises a yellow light


class CalibrationSpec(Strict):
    """Parameters `fugong calibrate` searches when none are given on the command line."""

    parameters: dict[str, tuple[float, float]] = {}  # key.path -> (lo, hi); schedules scale


class Scenario(Strict):
    """The whole parameter set of one run."""

    description: str = ""
    start_date: date
    end_date: date
    seed: int = 20220301
    scale: Annotated[float, Field(ge=1.0)] = 10.0  # each simulated worker stands for N
    resumption_threshold: Share = 0.0  # output share above which a firm counts as resumed
    districts: dict[str, District]
    chains: dict[str, Chain]
    economy: Economy = Economy()
    anchors: list[Anchor] = []
    policy: Policy
    permits: Permits
    passes: Passes
    workforce: Workforce = Workforce()
    epidemic: Epidemic = Epidemic()
    zoning: Zoning = Zoning()
    logistics: Logistics
    production: Production = Production()
    demand: Demand = Demand()
    external: External
    red_yellow: RedYellow
    calibration: CalibrationSpec = CalibrationSpec()

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        if self.end_date <= self.start_date:
            raise ValueError(
                f"end_date: expected a date after start_date ({self.start_date}), "
                f"got {self.end_date}"
            )
        missing = [c for c in CHAIN_NAMES if c not in self.chains]
        if missing:
            raise ValueError(f"chains: missing required chain(s) {missing}")
        for name, chain in self.chains.items():
            for slot in chain.inputs:
                _known("chain", slot.source, self.chains, f"chains.{name}.inputs.source")
            for district in chain.district_weights:
                _known("district", district, self.districts, f"chains.{name}.district_weights")
        for i, anchor in enumerate(self.anchors):
            _known("chain", anchor.chain, self.chains, f"anchors.{i}.chain")
            _known("district", anchor.district, self.districts, f"anchors.{i}.district")
        total_share = sum(c.firm_share for c in self.chains.values())
        for i, batch in enumerate(self.policy.whitelist.batches):
            for chain in batch.chain_mix:
                _known("chain", chain, self.chains, f"policy.whitelist.batches.{i}.chain_mix")
        self._check_batch_sizes(total_share)
        return self

    def _check_batch_sizes(self, total_share: float) -> None:
        listed = dict.fromkeys(self.chains, 0.0)
        for i, batch in enumerate(self.policy.whitelist.batches):
            for chain, share in batch.chain_mix.items():
                listed[chain] += share * batch.firms
                available = self.economy.firms * self.chains[chain].firm_share / total_share
                if listed[chain] > available + 0.5:
                    raise ValueError(
                        f"policy.whitelist.batches.{i}.firms: expected at most "
                        f"{available:.0f} firms of chain '{chain}' (all the economy has) in "
                        f"batches up to this one, got {listed[chain]:.0f}"
                    )

    @property
    def lockdown_start(self) -> date:
        """First district lockdown, the reference date for recovery timings."""
        dates = [d.lockdown for d in self.districts.values() if d.lockdown]
        return min(dates) if dates else self.start_date

    @property
    def n_days(self) -> int:
        return (self.end_date - self.start_date).days + 1


def _known(kind: str, name: str, names: dict[str, Any], where: str) -> None:
    if name not in names:
        hint = difflib.get_close_matches(name, list(names), n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
        raise ValueError(
            f"{where}: expected a known {kind} ({', '.join(sorted(names))}), "
            f"got '{name}'{suggestion}"
        )


# --------------------------------------------------------------------------- loading


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML loader that rejects duplicate keys instead of keeping the last."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping safely, with errors naming the file and line."""
    if not path.exists():
        raise ScenarioError(str(path), "file not found")
    if path.is_dir():
        raise ScenarioError(str(path), "is a directory, expected a YAML file")
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(str(path), f"{line}YAML syntax error: {problem}") from None
    except ValueError as exc:  # e.g. a date like 2022-13-01
        raise ScenarioError(str(path), f"invalid value in YAML: {exc}") from None
    if data is None:
        raise ScenarioError(str(path), "file is empty, expected a YAML mapping of scenario keys")
    if not isinstance(data, dict):
        raise ScenarioError(str(path), f"expected a mapping of keys, got {type(data).__name__}")
    return data


def deep_merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Child values replace base values; nested mappings merge key by key."""
    out = dict(base)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and not _is_schedule(value):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _is_schedule(value: dict[Any, Any]) -> bool:
    return bool(value) and all(isinstance(k, date) for k in value)


def resolve_raw(path: Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Load a scenario file with its ``base:`` chain merged in (child wins)."""
    path = path.resolve()
    if path in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, path))
        raise ScenarioError(str(_chain[0]), f"inheritance cycle ({cycle})", "base")
    data = read_yaml(path)
    base = data.pop("base", None)
    if base is None:
        return data
    if not isinstance(base, str):
        raise ScenarioError(str(path), f"expected a file name, got {base!r}", "base")
    base_path = (path.parent / base).resolve()
    if not base_path.exists():
        raise ScenarioError(str(path), f"base scenario '{base}' not found ({base_path})", "base")
    return deep_merge(resolve_raw(base_path, (*_chain, path)), data)


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``key.path=value`` (value read as a YAML scalar or flow mapping)."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or any(not part for part in key.split(".")):
        raise ScenarioError("--set", f"malformed override {text!r}, expected key.path=value")
    try:
        value = yaml.load(raw, Loader=_UniqueKeyLoader) if raw.strip() else None  # noqa: S506
    except yaml.YAMLError:
        raise ScenarioError("--set", f"cannot read the value of {text!r}", key) from None
    if value is None:
        raise ScenarioError("--set", f"missing value in {text!r}", key)
    return key, value


def apply_override(data: dict[str, Any], key: str, value: Any, source: str) -> dict[str, Any]:
    """Return a copy of ``data`` with the dotted ``key`` set (list items by index)."""
    parts = key.split(".")
    out = deep_merge(data, {})
    node: Any = out
    for i, part in enumerate(parts[:-1]):
        nxt = _child(node, part, ".".join(parts[: i + 1]), source)
        copy = list(nxt) if isinstance(nxt, list) else dict(nxt)
        _set(node, part, copy)
        node = copy
    last = parts[-1]
    if isinstance(node, list):
        _child(node, last, key, source)
    _set(node, last, value)
    return out


def get_key(data: dict[str, Any], key: str) -> Any:
    """The value at a dotted key path (list items by index); KeyError if there is none."""
    node: Any = data
    for part in key.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise KeyError(key)
    return node


def scale_value(value: Any, factor: float, tidy=float) -> Any:
    """A number, a dated schedule, or a section of schedules, times ``factor``.

    Integers stay integers (rounded); ``tidy`` post-processes scaled floats.
    """
    if isinstance(value, bool) or value is None:
        raise TypeError(f"cannot scale {value!r}")
    if isinstance(value, int):
        return round(value * factor)
    if isinstance(value, float):
        return tidy(value * factor)
    if isinstance(value, dict):
        return {k: scale_value(v, factor, tidy) for k, v in value.items()}
    raise TypeError(f"cannot scale {value!r}")


def _child(node: Any, part: str, where: str, source: str) -> Any:
    if isinstance(node, list):
        if not part.isdigit() or int(part) >= len(node):
            raise ScenarioError(source, f"no list item {part} (list has {len(node)})", where)
        return node[int(part)]
    if not isinstance(node, dict):
        raise ScenarioError(source, "cannot set a key inside a plain value", where)
    if part not in node:
        # New keys are allowed here; the schema decides whether they exist.
        return {}
    value = node[part]
    if not isinstance(value, dict | list):
        raise ScenarioError(source, f"is a plain value ({value!r}), not a section", where)
    return value


def _set(node: Any, part: str, value: Any) -> None:
    if isinstance(node, list):
        node[int(part)] = value
    else:
        node[part] = value


def validate(data: dict[str, Any], source: str) -> Scenario:
    """Validate a raw mapping, turning pydantic's report into one readable message."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        message, key = _describe(exc)
        raise ScenarioError(source, message, key) from None


def _describe(exc: ValidationError) -> tuple[str, str]:
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
    message = err["msg"].removeprefix("Value error, ")
    head, sep, rest = message.partition(": ")
    if sep and " " not in head and rest.startswith("expected"):
        loc, message = [*loc, *head.split(".")], rest  # cross-field checks name their key
    key = ".".join(loc) or "(top level)"
    if err["type"] == "extra_forbidden":
        known = _known_fields(loc[:-1])
        hint = difflib.get_close_matches(loc[-1], known, n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
        siblings = f" (allowed here: {', '.join(sorted(known))})" if known else ""
        return f"unknown key{suggestion}{siblings}{more}", key
    if err["type"] == "missing":
        return f"required key is missing{more}", key
    if err["type"] == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern", "")
        return f"expected a name matching {pattern}, got {err.get('input')!r}{more}", key
    got = err.get("input")
    shown = "" if isinstance(got, dict | list) or "got" in message else f", got {got!r}"
    if not message.startswith("expected"):
        message = "expected " + message[0].lower() + message[1:]
    return f"{message}{shown}{more}", key


def _known_fields(loc: list[str]) -> list[str]:
    """Field names allowed at a location in the schema (for did-you-mean)."""
    model: Any = Scenario
    skip = False
    for part in loc:
        if skip:  # a key of a named mapping (districts, chains) or a list index
            skip = False
            continue
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return []
        model, skip = _inner_model(fields[part].annotation)
    return list(getattr(model, "model_fields", None) or [])


def _inner_model(annotation: Any) -> tuple[Any, bool]:
    """The model a field holds, and whether a mapping key or index comes first."""
    container = False
    for _ in range(4):
        origin = get_origin(annotation)
        if origin in (dict, list):
            container = True
            annotation = get_args(annotation)[-1]
        elif origin is not None:
            models = [a for a in get_args(annotation) if isinstance(a, type)]
            annotation = models[0] if models else None
        else:
            break
    return annotation, container


def load_scenario(
    path: str | Path, overrides: dict[str, Any] | list[str] | None = None
) -> Scenario:
    """Load, inherit, override and validate a scenario file."""
    path = Path(path)
    data = resolve_raw(path)
    pairs = (
        [parse_override(o) for o in overrides]
        if isinstance(overrides, list)
        else list((overrides or {}).items())
    )
    for key, value in pairs:
        data = apply_override(data, key, value, "--set")
    source = str(path) + (" (with --set overrides)" if pairs else "")
    return validate(data, source)


def with_overrides(sc: Scenario, overrides: dict[str, Any], source: str = "overrides") -> Scenario:
    """A validated copy of a scenario with dotted-key overrides applied."""
    data = sc.model_dump(mode="python")
    for key, value in overrides.items():
        data = apply_override(data, key, value, source)
    return validate(data, source)


def no_lockdown(sc: Scenario) -> Scenario:
    """The counterfactual: the same economy and seed with no epidemic measures or shocks.

    No district locks down (so no approvals, permits, closed loop or passes are needed),
    no compound is zoned, nobody is infected, outside suppliers, drivers and final demand
    stay at normal. Output relative to this run is the model's analogue of year-on-year.
    """
    data = sc.model_dump(mode="python")
    for d in data["districts"].values():
        d["lockdown"] = None
    data["zoning"].update(sealed=0.0, controlled=0.0)
    data["epidemic"]["infection_hazard"] = 0.0
    for region in data["external"]["regions"]:
        region["capacity"] = 1.0
    data["logistics"]["driver_availability"] = {"in_city": 1.0, "inter_provincial": 1.0}
    for chain in data["chains"].values():
        chain["demand"] = 1.0
    data["passes"]["required_from"] = None
    data["policy"]["whitelist"]["district_approval_rate"] = 0.0
    return validate(data, "counterfactual")


def describe_folder(folder: Path) -> list[tuple[str, str]]:
    """(file name, description) for every scenario file in a folder."""
    rows = []
    for path in sorted(Path(folder).glob("*.yaml")):
        try:
            data = resolve_raw(path)
            text = str(read_yaml(path).get("description") or data.get("description", ""))
        except ScenarioError as exc:
            text = f"(invalid: {exc.message})"
        rows.append((path.name, text))
    return rows
