"""Reading YAML input files: safe loading, duplicate keys rejected, errors naming file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sim.errors import ScenarioError


class UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML loader that rejects duplicate keys instead of keeping the last."""


def _construct_mapping(loader: UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


UniqueKeyLoader.add_constructor(
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
        data = yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 - SafeLoader subclass
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
