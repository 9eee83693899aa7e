"""Behaviour of the generated models and typed client, without a server: the JSON they send and read."""

from __future__ import annotations

import importlib
import inspect
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import ModuleType
from typing import Any
from uuid import UUID

import pytest
from conftest import Generated
from pydantic import ValidationError


@pytest.fixture(scope="module")
def sdk(generated: dict[str, Generated]) -> dict[str, ModuleType]:
    return {name: importlib.import_module(g.package) for name, g in generated.items()}


def wire(model: Any) -> Any:
    """What the generated client sends for `model`."""
    client = importlib.import_module(type(model).__module__.rsplit(".", 1)[0] + ".client")
    return client._to_json(model)


# --- presence: absent, null and defaults (spec section 3) -------------------------------------------------------


def test_unset_defaults_are_not_sent(sdk: dict[str, ModuleType]) -> None:
    t = sdk["tasks"]
    assert wire(t.TaskStatsParams(user_id="u")) == {"user_id": "u"}
    params = t.TaskStatsParams(user_id="u")
    assert params.limit == 10 and params.since is None and params.statuses == []


def test_set_values_are_sent_even_when_equal_to_the_default(sdk: dict[str, ModuleType]) -> None:
    t = sdk["tasks"]
    params = t.TaskStatsParams(user_id="u", limit=10, since=None, statuses=[t.TaskStatus.DONE])
    assert wire(params) == {"user_id": "u", "limit": 10, "since": None, "statuses": ["done"]}


def test_attribute_assignment_counts_as_set(sdk: dict[str, ModuleType]) -> None:
    t = sdk["tasks"]
    params = t.TaskStatsParams(user_id="u")
    params.limit = 5
    assert wire(params) == {"user_id": "u", "limit": 5}


def test_optional_field_is_never_sent_as_null(sdk: dict[str, ModuleType]) -> None:
    c = sdk["edge_types"].Containers
    assert "opt_list" not in wire(c(yes=True, mixed=[]))
    assert "opt_list" not in wire(c(yes=True, mixed=[], opt_list=None))
    assert wire(c(yes=True, mixed=[], opt_list=["a"]))["opt_list"] == ["a"]


def test_optional_nullable_field_keeps_absent_and_null_apart(sdk: dict[str, ModuleType]) -> None:
    c = sdk["edge_types"].Containers
    assert "opt_nullable" not in wire(c(yes=True, mixed=[]))
    assert wire(c(yes=True, mixed=[], opt_nullable=None))["opt_nullable"] is None
    read_absent = c.model_validate({"yes": True, "mixed": []})
    read_null = c.model_validate({"yes": True, "mixed": [], "opt_nullable": None})
    assert "opt_nullable" not in read_absent.model_fields_set
    assert "opt_nullable" in read_null.model_fields_set and read_null.opt_nullable is None


def test_required_and_required_nullable(sdk: dict[str, ModuleType]) -> None:
    b = sdk["edge_types"].B
    with pytest.raises(ValidationError):
        b.model_validate({})  # `a: A | null` is required
    assert b.model_validate({"a": None}).a is None
    with pytest.raises(ValidationError):
        sdk["tasks"].TaskStatsParams.model_validate({"limit": 3})  # user_id missing


def test_nested_models_keep_presence(sdk: dict[str, ModuleType]) -> None:
    e = sdk["edge_types"]
    tree = e.Tree(label="root", children=[e.Tree(label="leaf", shape=None)])
    assert wire(tree) == {"label": "root", "children": [{"label": "leaf"}]}


# --- wire names and keywords ------------------------------------------------------------------------------------


def test_escaped_names_use_wire_names_on_the_wire(sdk: dict[str, ModuleType]) -> None:
    n = sdk["edge_names"]
    holder = n.class_holder(class_="c", from_=2, model_config_="m", date="2026-01-02", type_="x", None_=1,
                            wire_case="w")
    assert wire(holder) == {"class": "c", "from": 2, "model_config": "m", "date": "2026-01-02", "type": "x",
                            "None": 1, "Wire-Case": "w"}
    back = n.class_holder.model_validate(wire(holder))
    assert back.class_ == "c" and back.from_ == 2 and back.wire_case == "w"
    assert n.Keywords("def") is n.Keywords.DEF and n.Keywords.NONE.value == "none"


def test_keyword_methods(sdk: dict[str, ModuleType]) -> None:
    api = sdk["edge_names"].APIClient
    assert inspect.iscoroutinefunction(api.class_def) and inspect.iscoroutinefunction(api.import_from)


# --- scalars ----------------------------------------------------------------------------------------------------


def test_scalar_defaults_and_wire_formats(sdk: dict[str, ModuleType]) -> None:
    s = sdk["edge_types"].Scalars()
    assert s.raw == b"hello" and s.price == Decimal("12.50") and s.big == 9007199254740993
    assert s.id == UUID("123e4567-e89b-12d3-a456-426614174000")
    assert s.span == timedelta(days=1, hours=2, minutes=3, seconds=4.5)
    assert s.at.utcoffset() == timedelta(hours=1) and s.f == 1.0
    assert s.anything == {"a": [1, 2.5, "x", None, True]}
    full = s.model_dump(mode="json", by_alias=True)
    assert full["raw"] == "aGVsbG8=" and full["price"] == "12.50" and full["span"] == "P1DT2H3M4.5S"
    assert full["big"] == 9007199254740993 and full["day"] == "2026-01-02" and full["clock"] == "03:04:05"


def test_bytes_are_standard_base64(sdk: dict[str, ModuleType]) -> None:
    scalars = sdk["edge_types"].Scalars
    assert wire(scalars(raw=b"\xfb\xff\xfe"))["raw"] == "+//+"
    assert scalars.model_validate({"raw": "+//+"}).raw == b"\xfb\xff\xfe"
    with pytest.raises(ValidationError):
        scalars.model_validate({"raw": "-__-"})  # URL-safe alphabet is not the wire format


def test_constraints(sdk: dict[str, ModuleType]) -> None:
    e = sdk["edge_types"]
    for bad in ({"i": 100}, {"i": -101}, {"f": 0.5}, {"price": "-0.01"}):
        with pytest.raises(ValidationError):
            e.Scalars.model_validate(bad)
    with pytest.raises(ValidationError):
        e.Containers(yes=True, mixed=[], opt_list=["a", "b", "c", "d"])
    with pytest.raises(ValidationError):
        sdk["tasks"].TaskCreateParams(title="")


# --- containers, literals, unions, recursion --------------------------------------------------------------------


def test_container_defaults_are_typed_and_fresh(sdk: dict[str, ModuleType]) -> None:
    e = sdk["edge_types"]
    first, second = e.Containers(yes=True, mixed=[]), e.Containers(yes=True, mixed=[])
    assert first.by_color == {e.Color.RED: 1} and first.colors == [e.Color.RED, e.Color.BLUE]
    assert first.floats == [1.0, 2.5] and first.level is e.Level.HIGH and first.dir == "asc"
    first.colors.append(e.Color.GREEN)
    assert second.colors == [e.Color.RED, e.Color.BLUE]
    read = e.Containers.model_validate({"yes": True, "mixed": [], "by_int": {"7": [{"k": {"label": "t"}}]},
                                        "by_level": {"2": "x"}})
    assert read.by_int[7][0]["k"].label == "t" and read.by_level[e.Level.HIGH] == "x"
    assert wire(read)["by_int"] == {"7": [{"k": {"label": "t"}}]}


def test_literals(sdk: dict[str, ModuleType]) -> None:
    c = sdk["edge_types"].Containers
    with pytest.raises(ValidationError):
        c.model_validate({"yes": False, "mixed": []})
    with pytest.raises(ValidationError):
        c.model_validate({"yes": True, "mixed": [], "dir": "up"})


def test_tagged_union_chooses_by_discriminator(sdk: dict[str, ModuleType]) -> None:
    e = sdk["edge_types"]
    d = e.Drawing.model_validate({"inline": {"kind": "square", "side": 2}, "either": 3,
                                  "shapes": [{"kind": "circle", "radius": 1}, {"kind": "square", "side": 1}]})
    assert isinstance(d.inline, e.Square) and [type(s) for s in d.shapes] == [e.Circle, e.Square]
    with pytest.raises(ValidationError):
        e.Drawing.model_validate({"inline": {"kind": "triangle"}, "either": 3})


def test_untagged_union_tries_alternatives_in_order(sdk: dict[str, ModuleType]) -> None:
    e = sdk["edge_types"]
    d = e.Drawing.model_validate({"inline": {"kind": "circle", "radius": 1}, "either": {"label": "t"},
                                  "value": "text"})
    assert isinstance(d.either, e.Tree) and d.value == "text"
    assert e.Drawing.model_validate({"inline": {"kind": "circle", "radius": 1}, "either": 5}).either == 5
    containers = e.Containers.model_validate({"yes": True, "mixed": [1, "two"]})
    assert containers.mixed == [1, "two"]


def test_recursive_and_mutually_recursive_models(sdk: dict[str, ModuleType]) -> None:
    e = sdk["edge_types"]
    data = {"label": "r", "children": [{"label": "c", "parent": {"label": "r"},
                                        "forest": [{"label": "f", "shape": {"kind": "circle", "radius": 2}}]}]}
    tree = e.Tree.model_validate(data)
    assert tree.children[0].forest[0].shape.radius == 2
    assert wire(tree) == data
    a = e.A.model_validate({"b": {"a": {"b": {"a": None}}}})
    assert a.b.a.b.a is None


# --- docs and deprecation ---------------------------------------------------------------------------------------


def test_docs_with_quotes_backslashes_and_unicode(sdk: dict[str, ModuleType]) -> None:
    d = sdk["edge_docs"]
    doc = inspect.getdoc(d.Doc)
    assert doc is not None
    assert 'Triple quotes """ inside, a backslash \\ and \\n literally, a trailing quote"' in doc
    assert "héllo wörld ✓ — 日本語" in doc and "''' and \"\"\"\"\"\" runs." in doc
    field = d.Doc.model_fields["text"]
    assert field.description == "Field doc with \"quotes\", 'apostrophes', a backslash \\ and \"\"\"."
    assert field.default == 'default with "quotes" and \\ backslash and \n newline and é'
    assert d.Mode("fa\"st") is d.Mode.FAST and d.Mode.SLOW.value == "sl\\ow"
    assert d.Doc(other="x").text == field.default
    assert inspect.getdoc(d.APIClient.doc_check).endswith('Ends with a quote"')


def test_pattern(sdk: dict[str, ModuleType]) -> None:
    d = sdk["edge_docs"]
    assert d.Doc(text="abc1", other="x").text == "abc1"
    with pytest.raises(ValidationError):
        d.Doc(text="ABC", other="x")


def test_deprecations(sdk: dict[str, ModuleType]) -> None:
    e = sdk["edge_types"]
    # deprecated models and enums are marked for type checkers (typing_extensions.deprecated), silently at run time:
    # decoding a reply makes them
    old = e.Old()
    assert e.Old.__deprecated__ == "use Drawing" and e.OldColor.__deprecated__ == "use Color"
    assert e.Old.model_validate({"x": 2}).model_dump() == {"x": 2} and e.OldColor("cyan") is e.OldColor.CYAN
    with pytest.warns(DeprecationWarning):
        assert old.x == 1
    assert "Deprecated: use Drawing" in (inspect.getdoc(e.Old) or "")
    assert getattr(e.APIClient.types_old, "__deprecated__", None) == "gone soon"


# --- the typed client -------------------------------------------------------------------------------------------


class Recorder:
    """Stands in for CentrifugoRPCClient.call: records the JSON sent, answers canned JSON."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.calls: list[tuple[str, Any, Any]] = []

    async def __call__(self, method: str, params: Any = None, *, timeout: float | None = None) -> Any:
        self.calls.append((method, params, timeout))
        return self.answer


async def test_typed_methods_send_wire_json_and_return_models(sdk: dict[str, ModuleType]) -> None:
    t = sdk["tasks"]
    api = t.APIClient("ws://127.0.0.1:1/connection/websocket", "token")
    recorder = Recorder({"total": 2, "by_status": {"open": 2}, "avg_cycle": "PT1M"})
    api.call = recorder
    result = await api.tasks_get_stats(t.TaskStatsParams(user_id="7", statuses=[t.TaskStatus.OPEN]), timeout=2.5)
    assert recorder.calls == [("tasks.get_stats", {"user_id": "7", "statuses": ["open"]}, 2.5)]
    assert isinstance(result, t.TaskStatsResult)
    assert result.by_status == {t.TaskStatus.OPEN: 2} and result.avg_cycle == timedelta(minutes=1)
    recorder.answer = {"status": "ok", "time": "2026-01-02T03:04:05Z"}
    health = await api.system_health()
    assert recorder.calls[-1] == ("system.health", None, None) and health.time.year == 2026
    assert inspect.getdoc(t.APIClient.tasks_get_stats) == "Get task statistics.\n\nRetrieves full counts for one user."


async def test_invalid_answer_is_a_reply_error(sdk: dict[str, ModuleType]) -> None:
    """A result that does not fit the model is the SDK's typed RPCReplyError (code 13), pydantic's error its cause."""
    t = sdk["tasks"]
    api = t.APIClient("ws://127.0.0.1:1/connection/websocket", "token")
    api.call = Recorder({"total": "many"})
    with pytest.raises(t.RPCReplyError) as info:
        await api.tasks_get_stats(t.TaskStatsParams(user_id="7"))
    assert isinstance(info.value, t.RPCError) and info.value.code == 13
    assert "tasks.get_stats" in info.value.message and "total" in info.value.message
    assert isinstance(info.value.__cause__, ValidationError)


async def test_calls_before_connect_fail_with_a_connection_error(sdk: dict[str, ModuleType]) -> None:
    t = sdk["tasks"]
    api = t.APIClient("ws://127.0.0.1:1/connection/websocket", "token")
    with pytest.raises(t.RPCConnectionError) as info:
        await api.system_health()
    assert isinstance(info.value, t.RPCError) and info.value.code == 3


# --- issue 15: what a Python developer expects of the models ----------------------------------------------------


def test_fields_named_like_imported_types_keep_their_names(sdk: dict[str, ModuleType]) -> None:
    """`date`, `time`: the import is aliased instead; BaseModel's own attributes (schema) are still escaped."""
    n, t = sdk["edge_names"], sdk["tasks"]
    assert "date" in n.class_holder.model_fields and "date_" not in n.class_holder.model_fields
    assert "time" in t.HealthResult.model_fields
    assert "schema_" in n.class_holder.model_fields  # pydantic warns and mypy refuses a field named `schema`
    holder = n.class_holder(class_="c", model_config_="m", date="2026-01-02", type_="x", None_=1, wire_case="w")
    assert holder.date.year == 2026


def test_models_serialise_by_wire_name_everywhere(sdk: dict[str, ModuleType]) -> None:
    """A user's own model_dump_json() uses the wire names; both names are accepted when reading."""
    n = sdk["edge_names"]
    holder = n.class_holder(class_="c", from_=2, model_config_="m", date="2026-01-02", type_="x", None_=1,
                            wire_case="w")
    assert '"class":"c"' in holder.model_dump_json() and "class_" not in holder.model_dump_json()
    assert holder.model_dump()["Wire-Case"] == "w"
    by_wire = n.class_holder.model_validate({"class": "c", "model_config": "m", "date": "2026-01-02", "type": "x",
                                             "None": 1, "Wire-Case": "w"})
    by_name = n.class_holder.model_validate({"class_": "c", "model_config_": "m", "date": "2026-01-02", "type_": "x",
                                             "None_": 1, "wire_case": "w"})
    assert by_wire == by_name


def test_single_value_literals_default_to_their_value_and_are_sent(sdk: dict[str, ModuleType]) -> None:
    e = sdk["edge_types"]
    circle = e.Circle(radius=1.0)
    assert circle.kind == "circle" and wire(circle) == {"kind": "circle", "radius": 1.0}
    assert wire(e.Drawing(inline=e.Square(side=2.0), either=1)) == {"inline": {"kind": "square", "side": 2.0},
                                                                     "either": 1}
    assert wire(e.TypeA(x=1)) == {"type": "a", "x": 1}
    with pytest.raises(ValidationError):
        e.Circle(kind="square", radius=1.0)


def test_string_enums_format_as_their_value(sdk: dict[str, ModuleType]) -> None:
    e = sdk["edge_types"]
    assert f"{e.Color.RED}" == "red" and str(e.Color.RED) == "red" and e.Color.RED == "red"
    assert str(e.Level.HIGH) == "2" and e.Level.HIGH == 2


def test_naive_timestamps_are_refused(sdk: dict[str, ModuleType]) -> None:
    """A timestamp without an offset is not RFC 3339: refused when made, not sent without an offset."""
    scalars = sdk["edge_types"].Scalars
    with pytest.raises(ValidationError, match="timezone"):
        scalars(at=datetime(2026, 1, 1, 12))  # a naive datetime
    with pytest.raises(ValidationError, match="timezone"):
        scalars.model_validate({"at": "2026-01-01T12:00:00"})
    aware = scalars(at=datetime(2026, 1, 1, 12, tzinfo=UTC))
    assert wire(aware)["at"] == "2026-01-01T12:00:00Z"


def test_unknown_enum_values_are_kept_and_sent_back(sdk: dict[str, ModuleType]) -> None:
    """Open enums (as proto3): a value this SDK does not know stays a plain str or int, sent back unchanged."""
    e = sdk["edge_types"]
    read = e.Containers.model_validate({"yes": True, "mixed": [], "colors": ["red", "purple"], "level": 7,
                                        "by_color": {"red": 1, "purple": 2}, "by_level": {"2": "a", "9": "b"}})
    known, unknown = read.colors
    assert isinstance(known, e.Color) and known is e.Color.RED
    assert not isinstance(unknown, e.Color) and unknown == "purple"
    assert read.level == 7 and not isinstance(read.level, e.Level)
    assert wire(read) == {"yes": True, "mixed": [], "colors": ["red", "purple"], "level": 7,
                          "by_color": {"red": 1, "purple": 2}, "by_level": {"2": "a", "9": "b"}}
    assert isinstance(e.Containers.model_validate({"yes": True, "mixed": [], "level": 2}).level, e.Level)
    for bad in ({"level": "7"}, {"colors": [1]}):
        with pytest.raises(ValidationError):  # the JSON type still has to be right
            e.Containers.model_validate({"yes": True, "mixed": [], **bad})


def test_untagged_union_of_models_takes_the_alternative_that_fits(sdk: dict[str, ModuleType]) -> None:
    """Issue 24: `Easy` (role, content) before `Full` (role, content, status) does not absorb a Full payload, and an
    alternative with a literal field matches only the JSON that has its value."""
    e = sdk["edge_types"]
    full = e.Message.model_validate({"instruction": {"role": "red", "content": "c", "status": "s"}})
    assert type(full.instruction) is e.Full and full.instruction.status == "s"
    assert wire(full) == {"instruction": {"role": "red", "content": "c", "status": "s"}}
    easy = e.Message.model_validate({"instruction": {"role": "purple", "content": "c"}})
    assert type(easy.instruction) is e.Easy
    base = {"instruction": {"role": "red", "content": "c"}}
    assert type(e.Message.model_validate({**base, "typed": {"type": "b", "x": 1}}).typed) is e.TypeB
    assert type(e.Message.model_validate({**base, "typed": {"type": "a", "x": 1}}).typed) is e.TypeA
    for bad in ({"x": 1}, {"type": "c", "x": 1}, {"type": "b"}):
        with pytest.raises(ValidationError):
            e.Message.model_validate({**base, "typed": bad})
    assert e.Message.model_validate({**base, "anything": {"x": 1}}).anything == {"x": 1}  # the map, not TypeA
    assert type(e.Message.model_validate({**base, "anything": {"type": "a", "x": 1}}).anything) is e.TypeA
    made = e.Message(instruction=e.Easy(role=e.Color.RED, content="c"), typed=e.TypeB(x=2))
    assert wire(made) == {"instruction": {"role": "red", "content": "c"}, "typed": {"type": "b", "x": 2}}
