"""Reading YAML input files: safe loading, duplicate keys rejected, errors naming file and line."""

from __future__ import annotations

import re
import stat
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


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


MAX_BYTES = 10_000_000  # far above any scenario, sweep or targets file
MAX_DEPTH = 64  # nesting levels; the schemas need fewer than 10

# YAML 1.1 reads 1e3 as a string; read it as the number a user means (as YAML 1.2 does).
UniqueKeyLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def _check_depth(text: str, source: str) -> None:
    """Refuse deeply nested documents before building them (the parser recurses)."""
    depth = 0
    try:
        for token in yaml.scan(text, Loader=UniqueKeyLoader):  # noqa: S506 - tokens only
            if isinstance(token, _OPEN):
                depth += 1
                if depth > MAX_DEPTH:
                    line = token.start_mark.line + 1
                    raise ScenarioError(
                        source, f"line {line}: nested more than {MAX_DEPTH} levels deep"
                    )
            elif isinstance(token, _CLOSE):
                depth -= 1
    except yaml.YAMLError:
        return  # the parser reports syntax errors with their line


_OPEN = (
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
)
_CLOSE = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping safely, with errors naming the file and line.

    Only regular files of at most ``MAX_BYTES`` are read (a FIFO would hang, a device never
    end), as UTF-8 text, nested at most ``MAX_DEPTH`` levels (checked before parsing).
    """
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ScenarioError(str(path), "file not found") from None
    except OSError as exc:
        raise ScenarioError(str(path), f"cannot read ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError(str(path), "is a directory, expected a YAML file")
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(
            str(path), "is not a regular file (a device, FIFO or socket); expected a YAML file"
        )
    if info.st_size > MAX_BYTES:
        raise ScenarioError(
            str(path),
            f"is {info.st_size:,} bytes; a YAML input file may have at most {MAX_BYTES:,}",
        )
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(str(path), f"cannot read ({exc.strerror})") from None
    if len(raw) > MAX_BYTES:
        raise ScenarioError(str(path), f"has more than {MAX_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            str(path), f"is not UTF-8 text (byte {exc.start}); expected a YAML file"
        ) from None
    if "\x00" in text:
        raise ScenarioError(str(path), "holds NUL bytes (a binary file?); expected a YAML file")
    _check_depth(text, str(path))
    try:
        data = yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(str(path), f"{line}YAML syntax error: {problem}") from None
    except ValueError as exc:  # e.g. a date like 2022-13-01
        raise ScenarioError(str(path), f"invalid value in YAML: {exc}") from None
    except RecursionError:
        raise ScenarioError(str(path), "nested too deeply") from None
    if data is None:
        raise ScenarioError(str(path), "file is empty, expected a YAML mapping of scenario keys")
    if not isinstance(data, dict):
        raise ScenarioError(str(path), f"expected a mapping of keys, got {type(data).__name__}")
    return data
