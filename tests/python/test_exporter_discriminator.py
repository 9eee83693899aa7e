"""Discriminated unions whose members give their tag a default (`kind: Literal["cat"] = "cat"`, the common idiom):
the export is what rpcc accepts (the tag required), checked by the real compiler; tags rpcc cannot take are refused
at export, naming model and field."""
from __future__ import annotations

import subprocess
from typing import Annotated, Literal, Union

import pytest
from pydantic import BaseModel, Field

from conftest import rpcc_check
from rpcc import ExportError, MessageRouter, export


class Cat(BaseModel):
    kind: Literal["cat"] = "cat"
    meows: int


class Dog(BaseModel):
    kind: Literal["dog"] = "dog"
    barks: bool = True


class Owner(BaseModel):
    pet: Union[Cat, Dog] = Field(discriminator="kind")
    pets: list[Annotated[Union[Cat, Dog], Field(discriminator="kind")]] = []


class Ok(BaseModel):
    ok: bool = True


def export_params(model: type[BaseModel]) -> str:
    router = MessageRouter()

    async def handler(conn, params: model) -> Ok:  # type: ignore[valid-type]
        return Ok()

    handler.__annotations__ = {"params": model, "return": Ok}
    router.register("pets.set", handler)
    return export(router)


def test_defaulted_tag_is_exported_required_and_rpcc_accepts_it(tmp_path, rpcc):
    text = export_params(Owner)
    assert '    kind: "cat";\n    meows: int;\n' in text
    assert '    kind: "dog";\n    barks: bool = true;\n' in text
    assert "union CatOrDog = Cat | Dog @discriminator(\"kind\");" in text
    path = tmp_path / "pets.rpc"
    path.write_text(text)
    res = rpcc_check(path)
    assert res.returncode == 0, f"rpcc --check refused the export:\n{text}\n{res.stdout}{res.stderr}"
    # and every SDK is generated from it
    gen = subprocess.run([str(rpcc), str(path), "-o", str(tmp_path / "sdk")], capture_output=True, text=True,
                         timeout=120)
    assert gen.returncode == 0, gen.stderr


def test_rpcc_refuses_a_defaulted_tag(tmp_path):
    """Why the tag loses its default: the form Pydantic declares is not valid IDL."""
    path = tmp_path / "pets.rpc"
    path.write_text(export_params(Owner).replace('kind: "cat";', 'kind: "cat" = "cat";'))
    res = rpcc_check(path)
    assert res.returncode == 1 and "discriminator field 'Cat.kind' must be required" in res.stderr


def test_defaulted_literal_outside_a_union_keeps_its_default():
    class Plain(BaseModel):
        kind: Literal["cat"] = "cat"

    assert '    kind: "cat" = "cat";\n' in export_params(Plain)


class TwoTags(BaseModel):
    kind: Literal["cat", "kitten"] = "cat"


class Bird(BaseModel):
    kind: Literal["bird"]


class Tagless(BaseModel):
    pet: Union[TwoTags, Bird] = Field(discriminator="kind")


def test_tag_with_several_values_and_a_default_is_refused_naming_model_and_field():
    with pytest.raises(ExportError) as err:
        export_params(Tagless)
    assert str(err.value).startswith("model TwoTags, field kind: a union discriminator must be required")
    assert 'not "cat" | "kitten" = "cat"' in str(err.value)
