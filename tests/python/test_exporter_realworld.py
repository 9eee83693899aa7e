"""Shapes of real-world models (API providers' SDKs, datamodel-code-generator output) that the exporter refused or
exported into IDL rpcc then rejected (issue 24). Each export here is checked by the real compiler."""
from __future__ import annotations

import datetime as dt
import enum
import ipaddress
import subprocess
import types
from typing import Annotated, Literal, Optional, Union

import pytest
from pydantic import (AwareDatetime, BaseModel, ConfigDict, Field, FutureDate, FutureDatetime, IPvAnyAddress,
                      IPvAnyInterface, IPvAnyNetwork, NaiveDatetime, PastDate, PastDatetime, PostgresDsn, RootModel,
                      confloat, conint)

from conftest import rpcc_check
from rpcc import ExportError, MessageRouter
from rpcc.exporter import export, export_models


class Ok(BaseModel):
    ok: bool = True


def export_params(model: type[BaseModel], **options) -> str:
    router = MessageRouter()

    async def handler(conn, params: model) -> Ok:  # type: ignore[valid-type]
        return Ok()

    handler.__annotations__ = {"params": model, "return": Ok}
    router.register("t.m", handler)
    return export(router, **options)


def errors_of(model: type[BaseModel], **options) -> list[str]:
    with pytest.raises(ExportError) as err:
        export_params(model, **options)
    return err.value.errors


def accepted(text: str, tmp_path, rpcc=None) -> None:
    path = tmp_path / "t.rpc"
    path.write_text(text)
    res = rpcc_check(path)
    assert res.returncode == 0, f"rpcc --check refused the export:\n{text}\n{res.stdout}{res.stderr}"
    if rpcc is not None:
        gen = subprocess.run([str(rpcc), str(path), "-o", str(tmp_path / "sdk")], capture_output=True, text=True,
                             timeout=120)
        assert gen.returncode == 0, gen.stderr


# -- extra="allow" / "forbid" on nested models --------------------------------------------------------------------


class OpenChoice(BaseModel):
    model_config = ConfigDict(extra="allow")
    index: int


class ClosedChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    index: int


class Completion(BaseModel):
    model_config = ConfigDict(extra="allow")
    choices: list[OpenChoice]
    first: Optional[OpenChoice] = None
    closed: ClosedChoice
    by_name: dict[str, Union[OpenChoice, ClosedChoice]] = {}


def test_nested_models_with_extra_allow_or_forbid_export(tmp_path):
    text = export_params(Completion)
    assert "    choices: list<OpenChoice>;\n" in text
    assert "    first: OpenChoice | null = null;\n" in text
    assert "    closed: ClosedChoice;\n" in text
    # spec/rpc-idl.md, Open models
    assert "model OpenChoice @open {" in text and "model Completion @open {" in text
    assert "model ClosedChoice {" in text
    accepted(text, tmp_path)


# -- types with a faithful wire form ------------------------------------------------------------------------------


class Special(BaseModel):
    aware: AwareDatetime
    naive: NaiveDatetime
    past: PastDatetime
    future: Optional[FutureDatetime] = None
    born: PastDate
    due: list[FutureDate]
    ip: IPvAnyAddress
    iface: IPvAnyInterface
    net: IPvAnyNetwork
    v4: ipaddress.IPv4Address
    v6net: ipaddress.IPv6Network
    dsn: PostgresDsn


def test_pydantic_special_types_export_as_their_wire_type_with_the_rule_documented(tmp_path):
    text = export_params(Special)
    for line in ("    aware: timestamp;", "    naive: timestamp;", "    past: timestamp;",
                 "    future: timestamp | null = null;", "    born: date;", "    due: list<date>;", "    ip: string;",
                 "    iface: string;", "    net: string;", "    v4: string;", "    v6net: string;", "    dsn: string;"):
        assert line + "\n" in text, line
    assert "    /// Checked by the server: a date-time with a timezone offset (AwareDatetime).\n    aware:" in text
    assert "    /// Checked by the server: a date in the future (FutureDate).\n    due:" in text
    assert "    /// Checked by the server: an IPv4 or IPv6 address (IPvAnyAddress).\n    ip:" in text
    assert "Checked by the server: a URL that may name several hosts." in text
    accepted(text, tmp_path)


# -- constraints the IDL cannot place -----------------------------------------------------------------------------


class TimeSignature(RootModel[conint(ge=3, le=7)]):  # type: ignore[misc]
    """Beats per bar."""


class Scores(BaseModel):
    signature: TimeSignature
    probabilities: list[confloat(ge=0, le=1)]  # type: ignore[valid-type]
    tags: dict[str, Annotated[str, Field(max_length=8)]] = {}


def test_constraints_on_a_root_model_and_inside_containers_are_documented(tmp_path):
    text = export_params(Scores)
    assert "/// Beats per bar.\n///\n/// Checked by the server: ge=3, le=7.\ntype TimeSignature = int;\n" in text
    assert ("    /// Checked by the server: ge=0, le=1 on each float inside the type.\n"
            "    probabilities: list<float>;\n") in text
    assert "max_length=8 on each string inside the type." in text
    accepted(text, tmp_path)


class Broken(RootModel[complex]):
    pass


class UsesBrokenThrice(BaseModel):
    a: Broken
    b: Optional[Broken] = None
    c: list[Broken] = []


def test_a_type_that_failed_is_reported_once_not_at_every_use():
    errors = errors_of(UsesBrokenThrice)
    assert len(errors) == 1, errors
    assert "root model Broken" in errors[0] and "complex" in errors[0]
    assert "Broken reached by rpc t.m" in errors[0] and errors[0].endswith("params -> UsesBrokenThrice.a]")


class Deep(BaseModel):
    bad: complex


class Middle(BaseModel):
    deep: Deep


class Top(BaseModel):
    middle: list[Middle]


def test_error_names_the_field_path_that_reached_the_type():
    (error,) = errors_of(Top)
    assert error.startswith("model Deep, field bad: ")
    assert "[Deep reached by rpc t.m" in error and "params -> Top.middle -> Middle.deep]" in error


# -- two classes with one name ------------------------------------------------------------------------------------


def _class_in(module: str, name: str, **fields_: type) -> type[BaseModel]:
    mod = types.ModuleType(module)
    cls = types.new_class(name, (BaseModel,), {}, lambda ns: ns.update(
        {"__annotations__": dict(fields_), "__module__": module}))
    setattr(mod, name, cls)
    return cls


ChatChoice = _class_in("sdk.types.chat_completion", "Choice", index=int)
CompletionChoice = _class_in("sdk.types.completion", "Choice", text=str)


class BothChoices(BaseModel):
    chat: list[ChatChoice]  # type: ignore[valid-type]
    plain: list[CompletionChoice]  # type: ignore[valid-type]


def test_same_class_name_in_two_modules_says_which_field_reached_each():
    (error,) = errors_of(BothChoices)
    assert "two types export under the name 'Choice'" in error
    assert "sdk.types.chat_completion.Choice (reached by rpc t.m" in error and "BothChoices.chat)" in error
    assert "sdk.types.completion.Choice (reached by rpc t.m" in error and "params -> BothChoices.plain)" in error
    assert "naming='module'" in error and "--rename" in error


def test_naming_by_module_qualifies_class_names(tmp_path):
    text = export_params(BothChoices, naming="module")
    assert "model ChatCompletionChoice {\n    index: int;\n}" in text
    assert "model CompletionChoice {\n    text: string;\n}" in text
    assert "    chat: list<ChatCompletionChoice>;\n    plain: list<CompletionChoice>;\n" in text
    accepted(text, tmp_path)


def test_a_name_map_renames_one_class(tmp_path):
    text = export_params(BothChoices, rename={"sdk.types.completion.Choice": "TextChoice"})
    assert "model Choice {" in text and "model TextChoice {" in text
    accepted(text, tmp_path)


def test_names_that_meet_in_go_are_refused_with_both_classes():
    UserId = _class_in("m1", "UserId", a=int)
    UserID = _class_in("m2", "UserID", b=int)

    class Users(BaseModel):
        x: UserId  # type: ignore[valid-type]
        y: UserID  # type: ignore[valid-type]

    (error,) = errors_of(Users)
    assert "names 'UserId' and 'UserID', which become the same identifier in Go" in error


# -- the exporter never writes IDL rpcc rejects -------------------------------------------------------------------


class AgentA(BaseModel):
    type: Literal["a"]


class AgentB(BaseModel):
    name: str


class ThreadAgent(BaseModel):  # the SDKs name nested classes <Model><Field>, as rpcc names hoisted unions
    id: str


class Thread(BaseModel):
    agent: Union[AgentA, AgentB]
    agents: list[Union[AgentA, AgentB]] = []
    owner: ThreadAgent


class ThreadAgentsItem(BaseModel):
    x: int


class UsesBoth(BaseModel):
    thread: Thread
    item: ThreadAgentsItem


def test_inline_union_named_like_an_existing_class_gets_a_free_name(tmp_path, rpcc):
    text = export_params(UsesBoth)
    assert "    agent: ThreadAgentUnion;\n" in text
    assert "union ThreadAgentUnion = AgentA | AgentB;" in text
    assert "    agents: list<ThreadAgentsItemUnion> = [];\n" in text
    accepted(text, tmp_path, rpcc)


class Number(enum.IntEnum):  # datamodel-code-generator's names for -1 and 1
    number__1 = -1
    number_1 = 1
    number_0 = 0


class Counts(BaseModel):
    n: Number


def test_enum_members_meeting_after_case_conversion_get_free_names(tmp_path, rpcc):
    text = export_params(Counts)
    assert "enum Number: int {\n    number__1 = -1;\n    number_1_2 = 1;\n    number_0 = 0;\n}" in text
    accepted(text, tmp_path, rpcc)


class BadWire(BaseModel):
    x: int = Field(alias="a,b")


def test_export_that_rpcc_refuses_is_an_error_naming_the_python_class(monkeypatch):
    (error,) = errors_of(BadWire)
    assert error.startswith("BadWire (test_exporter_realworld.BadWire), field x: rpcc refuses the exported IDL: ")
    assert "cannot be a Go json tag" in error


def test_open_enum_idiom_string_or_literal(tmp_path, rpcc):
    """`Union[str, Literal["auto"]]`, the SDKs' open enum (rpcc crashed on `x: string | "auto";`)."""

    class Choice(BaseModel):
        tool_choice: Union[str, Literal["auto", "none"]]
        effort: Optional[Union[Literal["low", "high"], str]] = None

    text = export_params(Choice)
    assert '    tool_choice: string | "auto" | "none";\n' in text
    accepted(text, tmp_path, rpcc)


# -- discriminator inference --------------------------------------------------------------------------------------


class EventA(BaseModel):
    type: Literal["a"]
    x: int


class EventB(BaseModel):
    type: Literal["b"]
    x: int
    y: Optional[str] = None


class EventC(BaseModel):
    kind: Literal["c"]


class Stream(BaseModel):
    event: Union[EventA, EventB]
    maybe: Optional[Union[EventA, EventB]] = None
    events: list[Annotated[Union[EventA, EventB], "PropertyInfo(discriminator='type')"]] = []
    untagged: Union[EventA, EventC]


def test_union_tagged_by_a_common_literal_field_is_exported_discriminated(tmp_path, rpcc):
    text = export_params(Stream)
    assert '    event: EventA | EventB @discriminator("type_");\n' in text
    assert '    maybe: EventA | EventB | null = null @discriminator("type_");\n' in text
    assert 'union EventAOrEventB = EventA | EventB @discriminator("type_");' in text
    assert "    events: list<EventAOrEventB> = [];\n" in text
    assert "    untagged: EventA | EventC;\n" in text
    accepted(text, tmp_path, rpcc)


class SameTagA(BaseModel):
    type: Literal["x"]


class SameTagB(BaseModel):
    type: Literal["x"]
    more: int


class DefaultTag(BaseModel):
    type: Literal["d"] = "d"
    x: int = 0


class OptionalTag(BaseModel):
    type: Optional[Literal["o"]] = None


class OtherDefaultTag(BaseModel):
    type: Literal["e", "f"] = "e"


class NotInferred(BaseModel):
    same: Union[SameTagA, SameTagB]
    optional: Union[EventA, OptionalTag]
    two_values: Union[EventA, OtherDefaultTag]


def test_no_discriminator_is_inferred_from_equal_or_optional_tags():
    text = export_params(NotInferred)
    assert "    same: SameTagA | SameTagB;\n" in text
    assert "    optional: EventA | OptionalTag;\n" in text
    assert "    two_values: EventA | OtherDefaultTag;\n" in text


class Defaulted(BaseModel):
    defaulted: Union[EventA, DefaultTag]


def test_a_tag_with_its_value_as_default_is_inferred_and_required(tmp_path, rpcc):
    """pydantic's usual `type: Literal["d"] = "d"` tags a union as a required tag does (issue 24); the IDL's tag is
    then required, which Pydantic always writes."""
    text = export_params(Defaulted)
    assert '    defaulted: EventA | DefaultTag @discriminator("type_");\n' in text
    assert "model DefaultTag {\n    type_: \"d\" @json(\"type\");\n    x: int = 0;\n}" in text
    accepted(text, tmp_path, rpcc)


def test_export_models_exports_library_models_without_handlers(tmp_path):
    text = export_models([Stream, Counts])
    assert text.startswith("model Stream {\n    event: EventA | EventB @discriminator(\"type_\");")
    assert "model Stream {" in text and "enum Number: int {" in text and "rpc " not in text
    accepted(text, tmp_path)


def test_dates_stay_plain():
    class Plain(BaseModel):
        when: dt.datetime

    assert "    when: timestamp;\n" in export_params(Plain)


def test_unique_names_qualifies_by_as_many_module_segments_as_it_takes(tmp_path):
    from rpcc.exporter import unique_names

    beta = _class_in("sdk.types.beta.function_tool", "FunctionTool", beta=int)
    beta_named = _class_in("sdk.types.beta.beta_function_tool", "BetaFunctionTool", named=int)
    responses = _class_in("sdk.types.responses.function_tool", "FunctionTool", responses=int)
    names = unique_names([beta, beta_named, responses, ChatChoice, CompletionChoice])
    assert names == {
        "sdk.types.beta.function_tool.FunctionTool": "TypesBetaFunctionTool",
        "sdk.types.beta.beta_function_tool.BetaFunctionTool": "BetaFunctionTool",
        "sdk.types.responses.function_tool.FunctionTool": "ResponsesFunctionTool",
        "sdk.types.chat_completion.Choice": "ChatCompletionChoice",
        "sdk.types.completion.Choice": "CompletionChoice",
    }
    text = export_models([beta, beta_named, responses], rename=names)
    assert "model TypesBetaFunctionTool {" in text and "model ResponsesFunctionTool {" in text
    accepted(text, tmp_path)
