"""Dotted key paths into raw scenario mappings: parse ``--set`` overrides, read, set, scale.

Pure functions on plain dicts and lists (list items by index: ``policy.whitelist.batches.0``);
the schema, not this module, decides whether a key exists.
"""

from __future__ import annotations

from typing import Any

import yaml

from sim.errors import ScenarioError
from sim.schedule import is_schedule_key
from sim.yaml_io import UniqueKeyLoader


def deep_merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Child values replace base values; nested mappings merge key by key."""
    out = dict(base)
    for key, value in child.items():
        replaces = _is_schedule(value) or (not value and _is_schedule(out.get(key)))
        if isinstance(value, dict) and isinstance(out.get(key), dict) and not replaces:
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _is_schedule(value: Any) -> bool:
    """One rule, whatever YAML made of the keys (dates, quoted dates, numbers): a mapping
    keyed by dates is a schedule, and a variant's schedule replaces the base's whole."""
    return isinstance(value, dict) and bool(value) and all(is_schedule_key(k) for k in value)


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``key.path=value`` (value read as a YAML scalar or flow mapping)."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or any(not part for part in key.split(".")):
        raise ScenarioError("--set", f"malformed override {text!r}, expected key.path=value")
    try:
        value = yaml.load(raw, Loader=UniqueKeyLoader) if raw.strip() else None  # noqa: S506
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
