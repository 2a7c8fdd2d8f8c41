"""Live views over the model's columns: one object per row, reading its row when asked.

The engine keeps state in numpy columns; a view holds only its row ``index`` and the model,
so its properties are always today's values and never copies. ``Enterprise``, ``Supplier``
and ``LogisticsLink`` are Mesa agents (``AgentView``), built on first use so that runs which
never ask for them pay nothing; ``Worker`` is a plain view (two million Mesa agents would
cost more than the model), made one at a time by ``model.workforce.worker(i)``.
"""

from __future__ import annotations

from typing import Any

import mesa


class RowView:
    """Row ``index`` of the model's columns; subclasses list their properties in ``fields``."""

    fields: tuple[str, ...] = ()
    model: Any
    index: int

    def as_dict(self) -> dict[str, Any]:
        """Today's values of every field."""
        return {name: getattr(self, name) for name in self.fields}

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in list(self.as_dict().items())[:4])
        return f"{type(self).__name__}({self.index}: {shown})"


class AgentView(RowView, mesa.Agent):
    """A view that is also a Mesa agent, so AgentSet queries (select, agg, groupby) work."""

    def __init__(self, model, index: int) -> None:
        super().__init__(model)
        self.index = index
