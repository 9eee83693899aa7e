"""Aliases, alias generators, keyword field names, docs and constraints."""
from __future__ import annotations

from typing import Annotated, Optional

from annotated_types import Interval
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, conint
from pydantic.alias_generators import to_camel
from typing_extensions import deprecated

from rpcc import websocket_rpc


class CamelModel(BaseModel):
    """Wire names in camelCase.

    A docstring with "quotes", 'apostrophes', a \"\"\" triple quote,
    and a second line.
    """

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    user_id: str
    created_by_user: Optional[str] = None
    explicit: int = Field(0, alias="EXPLICIT")


class Keywords(BaseModel):
    type: str
    model: int = 0
    from_: str = Field(alias="from")
    private_ish: str = Field("x", alias="_private")


class Constrained(BaseModel):
    age: int = Field(ge=0, lt=150, description="Age in years.")
    score: float = Field(gt=0.0, le=1.0)
    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-z]+\d*$")
    items: list[int] = Field(min_length=1, max_length=3)
    mapping: dict[str, int] = Field(max_length=5)
    nullable_name: Optional[str] = Field(None, max_length=10)
    even: int = Field(0, multiple_of=2)
    code: Annotated[str, StringConstraints(min_length=2, max_length=2, to_upper=True)] = "AA"
    positive: conint(gt=0) = 1  # type: ignore[valid-type]
    window: Annotated[int, Interval(ge=1, le=7)] = 1
    old: int = Field(0, deprecated="use window")
    older: int = Field(0, deprecated=True)
    pair: tuple[int, int] = (0, 0)


@deprecated("use Constrained")
class OldModel(BaseModel):
    x: int = 0


class Mixed(BaseModel):
    camel: CamelModel
    keywords: Keywords
    old: Optional[OldModel] = None


@websocket_rpc("naming.camel")
async def camel(conn, params: CamelModel) -> Mixed:
    """Aliases."""
    raise NotImplementedError


@websocket_rpc("naming.constrained", deprecated="use naming.camel")
async def constrained(conn, params: Constrained) -> Constrained:
    return params


@websocket_rpc("naming.old", deprecated="")
async def old(conn) -> OldModel:
    return OldModel()
