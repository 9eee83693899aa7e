"""Nested, recursive and generic models; enums, literals, unions; containers; aliases; root models."""
from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from enum import Enum, IntEnum
from typing import Annotated, Any, Generic, Literal, Optional, TypeVar, Union

from pydantic import BaseModel, Field, RootModel
from typing_extensions import TypeAliasType

from rpcc import websocket_rpc

T = TypeVar("T")


class Level(IntEnum):
    """Log levels."""

    debug = 10
    info = 20


class Kind(str, Enum):
    model = "model"  # an IDL keyword as member name
    plain = "plain"
    alias_of_plain = "plain"  # an alias: skipped


class Node(BaseModel):
    """A tree."""

    value: int
    children: list[Node] = []
    parent: Optional[Node] = None


class A(BaseModel):
    a: int


class B(BaseModel):
    b: str


class Page(BaseModel, Generic[T]):
    """A page of items."""

    items: list[T]
    next: Optional[str] = None


class Cat(BaseModel):
    pet_type: Literal["cat"]
    meows: int


class Dog(BaseModel):
    pet_type: Literal["dog"]
    barks: float


class Shape(BaseModel):
    kind: Literal["circle", "square"]


Json = TypeAliasType("Json", Union[dict[str, Any], list[Any], str, int, float, bool, None])
Pet = TypeAliasType("Pet", Annotated[Union[Cat, Dog], Field(discriminator="pet_type")])
UserId = TypeAliasType("UserId", str)


class Tags(RootModel[list[str]]):
    """Tags as a bare list."""


class Everything(BaseModel):
    node: Node
    page: Page[A]
    pages: list[Page[B]]
    level: Level
    kind: Kind
    order: Literal["asc", "desc"] = "asc"
    answer: Literal[42] = 42
    yes: Literal[True] = True
    kind_literal: Literal[Kind.plain] = Kind.plain
    maybe_literal: Optional[Literal["x"]] = None
    num_or_str: Union[int, str]
    many: list[Union[int, str]] = []
    a_or_b: Union[A, B]
    pet: Union[Cat, Dog] = Field(discriminator="pet_type")
    maybe_pet: Optional[Union[Cat, Dog]] = Field(None, discriminator="pet_type")
    pets: list[Annotated[Union[Cat, Dog], Field(discriminator="pet_type")]] = []
    named_pet: Optional[Pet] = None
    json_value: Json = None
    owner: UserId = "me"
    tags: Tags
    seq: Sequence[int] = ()
    unique: frozenset[str] = frozenset()
    rest: tuple[int, ...] = ()
    bare_list: list = []
    bare_dict: dict = {}
    by_id: dict[uuid.UUID, A] = {}
    by_level: dict[Level, list[str]] = {}
    by_kind: Mapping[Kind, int] = {}
    nested: dict[str, list[dict[int, Node]]] = {}
    shape: Optional[Shape] = None


@websocket_rpc("structure.everything")
async def everything(conn, params: Everything) -> Page[Node]:
    """Everything at once."""
    raise NotImplementedError
