"""Typed use of the edge-case SDKs: Python names for escaped and aliased fields; checked by mypy --strict."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Literal

from edge_names_client import APIClient, Keywords, class_holder
from edge_types_client import (
    Circle,
    Color,
    Containers,
    Drawing,
    Easy,
    Full,
    Level,
    Message,
    Scalars,
    Square,
    Tree,
)


async def example(api: APIClient) -> None:
    holder = class_holder(
        class_="c", from_=1, model_config_="m", date=date(2026, 1, 2), type_="x", None_=3, wire_case="w"
    )
    await api.class_def(holder)
    back: class_holder = await api.import_from()
    kind: Keywords = Keywords.CLASS
    del back, kind


def shapes() -> list[Circle | Square]:
    drawing = Drawing(inline=Circle(kind="circle", radius=1.0), either=Tree(label="t"))
    tree: Tree = Tree(label="root", children=[Tree(label="leaf")])
    containers = Containers(yes=True, mixed=[1, "two"])
    scalars = Scalars(raw=b"\x00")
    del tree, containers, scalars
    return list(drawing.shapes)


def issue_15(containers: Containers, message: Message) -> None:
    """Open enums narrow by isinstance; single literals need no argument; timestamps are datetimes."""
    for color in containers.colors:
        if isinstance(color, Color):
            known: Color = color
            del known
        else:
            unknown: str = color
            del unknown
    level: Level | int = containers.level
    kind: Literal["circle"] = Circle(radius=1.0).kind
    scalars = Scalars(at=datetime(2026, 1, 2, tzinfo=timezone.utc))  # noqa: UP017  (checked as Python 3.10, which has no datetime.UTC)
    instruction: Easy | Full = message.instruction
    del level, kind, scalars, instruction
