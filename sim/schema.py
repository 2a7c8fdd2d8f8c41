"""What every input-file schema shares: the strict base model and one readable error line.

Scenario, sweep and targets files are validated by pydantic models derived from ``Strict``
(unknown keys rejected, values frozen); ``describe_error`` turns pydantic's report into one
message naming the key path, with a did-you-mean hint for misspelt keys.
"""

from __future__ import annotations

import difflib
from datetime import date
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

MAX_INT = 2**53  # integers beyond this are no count or day number (and overflow numpy)


def _kinds(annotation: Any) -> set[Any]:
    """The plain types an annotation admits (through Annotated, unions and Optional)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _kinds(get_args(annotation)[0])
    if origin in (Union, UnionType):
        return set().union(*(_kinds(a) for a in get_args(annotation)))
    return {origin or annotation}


def plain_values(model: type[BaseModel], data: Any) -> Any:
    """Before pydantic's lax conversions: a boolean is never a number, a number never a
    date, and no integer is beyond 2**53 (each error names its key)."""
    if not isinstance(data, dict):
        return data
    for key, value in data.items():
        field = model.model_fields.get(key) if isinstance(key, str) else None
        if field is None or value is None:
            continue
        kinds = _kinds(field.annotation)
        if isinstance(value, bool) and bool not in kinds and kinds & {int, float}:
            raise ValueError(f"{key}: expected a number, got a boolean ({value})")
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and date in kinds
            and not kinds & {int, float}
        ):
            raise ValueError(f"{key}: expected a date (YYYY-MM-DD), got {value!r}")
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
            raise ValueError(
                f"{key}: expected an integer below 2**53, got one of {len(str(abs(value)))} digits"
            )
    return data


class Checked(BaseModel):
    """Plain types (see ``plain_values``) and finite numbers only."""

    model_config = ConfigDict(allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, data: Any) -> Any:
        return plain_values(cls, data)


class Strict(Checked):
    """Base of every file schema: unknown keys are errors, parsed values are immutable,
    numbers are finite, booleans are not numbers and numbers are not dates."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def describe_error(exc: ValidationError, root: type[BaseModel]) -> tuple[str, str]:
    """(message, dotted key) of the first problem in ``exc`` raised validating ``root``."""
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
    message = err["msg"].removeprefix("Value error, ")
    head, sep, rest = message.partition(": ")
    if sep and " " not in head and rest.startswith("expected"):
        loc, message = [*loc, *head.split(".")], rest  # cross-field checks name their key
    key = ".".join(loc) or "(top level)"
    if err["type"] == "extra_forbidden":
        known = known_fields(root, loc[:-1])
        hint = difflib.get_close_matches(loc[-1], known, n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
        siblings = f" (allowed here: {', '.join(sorted(known))})" if known else ""
        return f"unknown key{suggestion}{siblings}{more}", key
    if err["type"] == "missing":
        return f"required key is missing{more}", key
    if err["type"] == "finite_number":
        return f"expected a finite number, got {err.get('input')!r}{more}", key
    if err["type"] == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern", "")
        return f"expected a name matching {pattern}, got {err.get('input')!r}{more}", key
    got = err.get("input")
    shown = "" if isinstance(got, dict | list) or "got" in message else f", got {got!r}"
    if err["type"] != "value_error" and not message.startswith("expected"):
        message = "expected " + message[0].lower() + message[1:]
    return f"{message}{shown}{more}", key


def known_fields(root: type[BaseModel], loc: list[str]) -> list[str]:
    """Field names allowed at a location in the schema (for did-you-mean)."""
    model: Any = root
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
