"""Reference pages of the docs site, generated so they cannot drift from the code.

`scenario_reference` walks the pydantic schema of a scenario (every key, its type and
bounds, its default) and takes each key's unit and meaning from the comment on the line that
declares it; `cli_reference` renders every command's help and options from the click group.
Run `python -m sim.docs_reference DIR` to write both pages (the docs build does it itself).
"""

from __future__ import annotations

import inspect
import io
import re
import sys
import tokenize
import typing
from datetime import date
from pathlib import Path
from typing import Any

import annotated_types as at
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

COMMENT = re.compile(r"^\s*(\w+)\s*:")


def field_comments(cls: type) -> dict[str, str]:
    """Field name -> the comment on its declaration line (plus '#   ' continuation lines)."""
    try:
        source = inspect.getsource(cls)
    except (OSError, TypeError):
        return {}
    out: dict[str, str] = {}
    current: str | None = None
    depth = 0
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    line_names: dict[int, str] = {}
    for tok in tokens:
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
        elif tok.type == tokenize.NAME and depth == 0 and tok.start[1] == 4:
            line_names[tok.start[0]] = tok.string
        elif tok.type == tokenize.COMMENT:
            row = tok.start[0]
            text = tok.string.lstrip("#").strip()
            if row in line_names:
                current = line_names[row]
                out[current] = text
            elif current and tok.string.startswith("#   ") and tok.start[1] == 4:
                out[current] += " " + text
            else:
                current = None
    return {k: v for k, v in out.items() if k in getattr(cls, "model_fields", {})}


def scenario_rows(model: type[BaseModel], prefix: str = "") -> list[dict[str, str]]:
    """One row per scenario key (sections first, then their keys, depth first)."""
    rows: list[dict[str, str]] = []
    comments = field_comments(model)
    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        annotation = info.annotation
        nested, container = _nested_model(annotation)
        rows.append(
            {
                "key": key + {"dict": ".<name>", "list": ".<i>"}.get(container, ""),
                "type": _type_text(annotation, info.metadata),
                "default": _default_text(info),
                "meaning": info.description or comments.get(name, ""),
            }
        )
        if nested is not None:
            sub = {"dict": f"{key}.<name>.", "list": f"{key}.<i>."}.get(container, f"{key}.")
            rows.extend(scenario_rows(nested, sub))
    return rows


def scenario_reference() -> str:
    """The scenario key reference as a Markdown page."""
    from sim.scenario import Scenario

    lines = [
        "# Scenario keys",
        "",
        "Every key of a scenario file, generated from the schema (`sim/scenario.py` and "
        "its sections `sim/*_params.py`): its type and bounds, its default (*required* keys "
        "have none and must be given, usually by the base scenario), and its unit and "
        "meaning. A *schedule* is a number or a dated step schedule "
        "`{2022-04-16: 1500, 2022-05-01: 6000}`; `<name>` stands for a name you choose (a "
        "district, a chain), `<i>` for a list position. Override any key "
        "with `--set key.path=value`.",
        "",
    ]
    rows = scenario_rows(Scenario)
    section = None
    for row in rows:
        top = (
            row["key"].split(".")[0]
            if "." in row["key"] or row["type"] == "section"
            else "top level"
        )
        if top != section:
            section = top
            heading = f"## `{top}`" if top != "top level" else "## Top level"
            lines += [
                "",
                heading,
                "",
                "| key | type | default | unit and meaning |",
                "|---|---|---|---|",
            ]
        cells = [f"`{row['key']}`", row["type"], row["default"], row["meaning"]]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def cli_reference() -> str:
    """Every command's usage, help and options as a Markdown page."""
    import click

    from run import cli

    root = click.Context(cli, info_name="fugong")
    lines = [
        "# Command line",
        "",
        "Generated from the click commands (`fugong/commands/`); `fugong COMMAND --help` prints "
        "the same.",
        "",
    ]
    lines += _command(cli, root, "fugong")
    for name in sorted(cli.list_commands(root)):
        cmd = cli.get_command(root, name)
        ctx = click.Context(cmd, info_name=name, parent=root)
        lines += ["", f"## `fugong {name}`", ""] + _command(cmd, ctx, f"fugong {name}")
    return "\n".join(lines) + "\n"


def _command(cmd, ctx, title: str) -> list[str]:
    usage = " ".join(cmd.collect_usage_pieces(ctx))
    lines = ["```", f"{title} {usage}".rstrip(), "```", "", inspect.cleandoc(cmd.help or ""), ""]
    rows = []
    for param in cmd.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None:
            continue
        opts, text = record
        rows.append(f"| `{opts}` | {text.replace('|', '/')} |")
    if rows:
        lines += ["| option | meaning |", "|---|---|", *rows]
    return lines


def _nested_model(annotation: Any) -> tuple[type[BaseModel] | None, str]:
    """The model a field holds directly, in a dict or in a list (and which container)."""
    annotation = _strip(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, ""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is dict and len(args) == 2:
        inner = _strip(args[1])
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner, "dict"
    if origin is list and args:
        inner = _strip(args[0])
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner, "list"
    return None, ""


def _strip(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _type_text(annotation: Any, metadata: list) -> str:
    bounds = _bounds(metadata)
    text = _describe_type(annotation)
    return f"{text} {bounds}".strip()


def _describe_type(annotation: Any) -> str:
    meta = []
    while typing.get_origin(annotation) is typing.Annotated:
        annotation, *extra = typing.get_args(annotation)
        meta += extra
    names = {repr(m) for m in meta} | {
        getattr(getattr(m, "func", None), "__name__", "") for m in meta
    }
    args = typing.get_args(annotation)
    if "_check_schedule" in names or (
        float in args and any(typing.get_origin(a) is dict for a in args)
    ):
        bound = _bounds(meta)
        share = "share " if "a share" in _validator_text(meta) else ""
        return f"{share}schedule {bound}".strip()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "section"
    origin = typing.get_origin(annotation)
    if origin is dict:
        return f"mapping to {_describe_type(args[1])}"
    if origin is list:
        return f"list of {_describe_type(args[0])}"
    if origin is tuple:
        return "(" + ", ".join(_describe_type(a) for a in args) + ")"
    if origin is typing.Literal:
        return " or ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return " or ".join(_describe_type(a) for a in args).replace("NoneType", "none")
    if annotation is date:
        return "date"
    return (getattr(annotation, "__name__", None) or str(annotation)) + (
        " " + _bounds(meta) if meta else ""
    )


def _validator_text(meta: list) -> str:
    out = []
    for m in meta:
        func = getattr(m, "func", None)
        if func is not None and func.__closure__:
            out += [repr(c.cell_contents) for c in func.__closure__]
    return " ".join(out) + (" a share" if "1.0" in out else "")


def _bounds(metadata: list) -> str:
    parts = []
    for m in metadata:
        if isinstance(m, at.Ge):
            parts.append(f"≥ {m.ge:g}")
        elif isinstance(m, at.Gt):
            parts.append(f"> {m.gt:g}")
        elif isinstance(m, at.Le):
            parts.append(f"≤ {m.le:g}")
        elif isinstance(m, at.Lt):
            parts.append(f"< {m.lt:g}")
        elif getattr(m, "func", None) is not None and m.func.__closure__:
            cells = {type(c.cell_contents).__name__: c.cell_contents for c in m.func.__closure__}
            vals = [c.cell_contents for c in m.func.__closure__]
            if cells.get("bool") is True:
                parts.append("> 0")
            elif len([v for v in vals if isinstance(v, float)]) == 2:
                parts.append("0-1")
            elif any(isinstance(v, float) for v in vals):
                parts.append("≥ 0")
    return ", ".join(dict.fromkeys(parts))


def _default_text(info) -> str:
    if info.default is PydanticUndefined and info.default_factory is None:
        return "*required*"
    value = info.default if info.default_factory is None else info.default_factory()
    if isinstance(value, BaseModel):
        return "(section defaults)"
    if value in ({}, []):
        return "empty"
    if value is None:
        return "none"
    return f"`{value}`"


def write_pages(folder: Path) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pages = {"cli.md": cli_reference(), "scenario_keys.md": scenario_reference()}
    paths = []
    for name, text in pages.items():
        path = folder / name
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in write_pages(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/reference")):
        print(p)
