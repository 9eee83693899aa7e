"""Types the IDL cannot express are errors naming the model and the field, never a silent `any`."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
from typing import Annotated, Any, Callable, Generic, Literal, Optional, TypeVar, Union

import pytest
from pydantic import (AliasChoices, BaseModel, ConfigDict, Discriminator, Field, PlainSerializer, RootModel, Tag,
                      computed_field, field_serializer)
from typing_extensions import TypedDict

from conftest import rpcc_binary, rpcc_check
from rpcc import ExportError, MessageRouter, export

T = TypeVar("T")


class Ok(BaseModel):
    ok: bool = True


def export_params(model: type[BaseModel]) -> str:
    router = MessageRouter()

    async def handler(conn, params: model) -> Ok:  # type: ignore[valid-type]
        return Ok()

    handler.__annotations__ = {"params": model, "return": Ok}
    router.register("t.m", handler)
    return export(router)


def errors_of(model: type[BaseModel]) -> str:
    with pytest.raises(ExportError) as err:
        export_params(model)
    return str(err.value)


class PlainBytes(BaseModel):
    data: bytes


class UrlSafeBytes(BaseModel):
    model_config = ConfigDict(ser_json_bytes="base64", val_json_bytes="base64")
    data: bytes


class FloatKey(BaseModel):
    m: dict[float, int]


class Hetero(BaseModel):
    pair: tuple[int, str]


class NestedTuple(BaseModel):
    pairs: list[tuple[int, int]]


class Box(BaseModel, Generic[T]):
    item: T


class UsesUnparametrized(BaseModel):
    box: Box


class Cat(BaseModel):
    kind: Literal["cat"]


class Dog(BaseModel):
    kind: Literal["dog"]


def _pick(v: Any) -> str:
    return v.get("kind") if isinstance(v, dict) else v.kind


class CallableDisc(BaseModel):
    pet: Annotated[Union[Annotated[Cat, Tag("cat")], Annotated[Dog, Tag("dog")]], Discriminator(_pick)]


class TD(TypedDict):
    a: int


class UsesTypedDict(BaseModel):
    td: TD


@dataclasses.dataclass
class DC:
    a: int


class UsesDataclass(BaseModel):
    dc: DC


class Computed(BaseModel):
    a: int

    @computed_field
    @property
    def double(self) -> int:
        return self.a * 2


class CustomSerializer(BaseModel):
    when: Annotated[dt.datetime, PlainSerializer(lambda v: v.timestamp(), return_type=float)]


class FieldSerializer(BaseModel):
    when: dt.datetime

    @field_serializer("when")
    def _ser(self, v: dt.datetime) -> float:
        return v.timestamp()


class FloatDuration(BaseModel):
    model_config = ConfigDict(ser_json_timedelta="float")
    span: dt.timedelta


class SplitAlias(BaseModel):
    a: int = Field(validation_alias="in_a", serialization_alias="out_a")


class ChoiceAlias(BaseModel):
    a: int = Field(validation_alias=AliasChoices("a", "b"))


class Excluded(BaseModel):
    secret: str = Field(exclude=True)


class FloatLiteral(BaseModel):
    x: Literal[1.5]  # type: ignore[valid-type]


class CallableField(BaseModel):
    f: Callable[[int], int]


class Complex(BaseModel):
    c: complex


class RootParams(RootModel[list[int]]):
    pass


class Inner(BaseModel):
    bad: bytes


class Outer(BaseModel):
    inner: Optional[Inner] = None


CASES = [
    (PlainBytes, ["PlainBytes", "data", "Base64Bytes"]),
    (UrlSafeBytes, ["UrlSafeBytes", "data", "URL-safe"]),
    (FloatKey, ["FloatKey", "field m", "map key"]),
    (Hetero, ["Hetero", "field pair", "tuple"]),
    (NestedTuple, ["NestedTuple", "field pairs", "tuple"]),
    (UsesUnparametrized, ["UsesUnparametrized", "field box", "without type arguments"]),
    (CallableDisc, ["CallableDisc", "field pet", "callable Discriminator"]),
    (UsesTypedDict, ["UsesTypedDict", "field td"]),
    (UsesDataclass, ["UsesDataclass", "field dc", "dataclass"]),
    (Computed, ["Computed", "'double'", "computed_field"]),
    (CustomSerializer, ["CustomSerializer", "field when", "serializer"]),
    (FieldSerializer, ["FieldSerializer", "field when", "does not match"]),
    (FloatDuration, ["FloatDuration", "field span", "does not match"]),
    (SplitAlias, ["SplitAlias", "field a", "differ"]),
    (ChoiceAlias, ["ChoiceAlias", "field a", "AliasChoices"]),
    (Excluded, ["Excluded", "field secret", "exclude"]),
    (FloatLiteral, ["FloatLiteral", "field x", "Literal"]),
    (CallableField, ["CallableField", "field f"]),
    (Complex, ["Complex", "field c", "complex"]),
    (Outer, ["model Inner, field bad"]),
]


@pytest.mark.parametrize("model, expected", CASES, ids=[c[0].__name__ for c in CASES])
def test_inexpressible_is_an_error_naming_model_and_field(model, expected):
    message = errors_of(model)
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"


def test_root_model_params_is_an_error():
    message = errors_of(RootParams)
    assert "RootModel" in message and "t.m" in message


def test_every_error_is_reported_at_once():
    class Two(BaseModel):
        a: bytes
        b: complex

    message = errors_of(Two)
    assert "field a" in message and "field b" in message


def test_name_clash_between_two_models():
    def make():
        class Same(BaseModel):
            x: int

        return Same

    A, B = make(), make()

    class Both(BaseModel):
        a: A  # type: ignore[valid-type]
        b: B  # type: ignore[valid-type]

    assert "two types export under the name 'Same'" in errors_of(Both)


def test_keyword_method_segments_are_exported_and_rpcc_accepts_them(tmp_path):
    """spec/rpc-idl.md: method name segments may be keywords (issue 17: the exporter refused `system.import`)."""
    router = MessageRouter()

    async def h(conn, params: Ok) -> Ok: ...

    for method in ("system.import", "type.func", "tasks.type", "model.rpc.null"):
        router.register(method, h)
    text = export(router)
    for method in ("system.import", "type.func", "tasks.type", "model.rpc.null"):
        assert f"rpc {method}(Ok) -> Ok;" in text
    path = tmp_path / "keywords.rpc"
    path.write_text(text)
    res = rpcc_check(path)
    assert res.returncode == 0, res.stdout + res.stderr


def test_free_string_method_names_are_exported_with_method_annotations(tmp_path):
    """Issue 17: Centrifugo method names are free strings; each that is not dotted identifiers is exported with a
    dotted name for the generated code and @method("wire"), and rpcc accepts the file with those wire names."""
    router = MessageRouter()

    async def h(conn, params: Ok) -> Ok: ...

    wire = ["user-profile.get", "chat:send", "getUserProfile", "tasks._private", "2fa.verify", "--", "chat_send",
            'odd "quoted" \\ name']
    for method in wire:
        router.register(method, h)
    text = export(router)
    assert 'rpc user_profile.get(Ok) -> Ok @method("user-profile.get");' in text
    assert "rpc getUserProfile(Ok) -> Ok;" in text
    assert "rpc chat_send(Ok) -> Ok;" in text  # the plain name keeps its name; the derived one moves aside
    assert 'rpc chat_send_2(Ok) -> Ok @method("chat:send");' in text
    assert 'rpc tasks.private(Ok) -> Ok @method("tasks._private");' in text
    assert 'rpc m2fa.verify(Ok) -> Ok @method("2fa.verify");' in text
    assert 'rpc method(Ok) -> Ok @method("--");' in text
    assert 'rpc odd_quoted_name(Ok) -> Ok @method("odd \\"quoted\\" \\\\ name");' in text
    path = tmp_path / "wire.rpc"
    path.write_text(text)
    res = rpcc_check(path)
    assert res.returncode == 0, res.stdout + res.stderr
    dump = subprocess.run([str(rpcc_binary()), "--dump-ir", str(path)], capture_output=True, text=True, check=True).stdout
    for method in wire:
        assert method == "getUserProfile" or method == "chat_send" or json.dumps(method) in dump


def test_cli_reports_errors_and_writes_nothing(tmp_path, monkeypatch):
    import sys
    import types

    from rpcc import websocket_rpc
    from rpcc.cli import main

    mod = types.ModuleType("bad_handlers_mod")
    sys.modules["bad_handlers_mod"] = mod

    async def handler(conn, params: PlainBytes) -> Ok: ...

    handler.__module__ = "bad_handlers_mod"
    websocket_rpc("bad.handler")(handler)
    out = tmp_path / "bad.rpc"
    assert main(["export", "bad_handlers_mod", "-o", str(out)]) == 1
    assert not out.exists()
