from __future__ import annotations

import pytest
from pydantic import BaseModel

from rpcc import Connection, MessageRouter, RegistrationError, discover


class P(BaseModel):
    x: int


class R(BaseModel):
    y: int


def test_registers_with_docstring_and_models():
    router = MessageRouter()

    @router.websocket_rpc("a.b")
    async def handler(conn: Connection, params: P) -> R:
        """Doc line one.

        More."""
        return R(y=params.x)

    h = router.get("a.b")
    assert h is not None and h.func is handler
    assert h.params_model is P and h.result_model is R
    assert h.doc == "Doc line one.\n\nMore."


def test_no_params_handler():
    router = MessageRouter()

    @router.websocket_rpc("sys.ping")
    async def ping(conn) -> R:
        return R(y=1)

    assert router.get("sys.ping").params_model is None


@pytest.mark.parametrize("source, message", [
    ("def f(conn, params: P) -> R: ...", "must be an 'async def'"),
    ("async def f(conn, params) -> R: ...", "parameter 'params' of handler"),
    ("async def f(conn, params: P): ...", "has no return annotation"),
    ("async def f(conn, params: int) -> R: ...", "not a Pydantic model"),
    ("async def f(conn, params: P) -> dict: ...", "not a Pydantic model"),
    ("async def f(conn, params: P, extra: P) -> R: ...", "3 positional parameters"),
    ("async def f() -> R: ...", "0 positional parameters"),
])
def test_wrong_signature_names_the_function(source, message):
    ns: dict = {"P": P, "R": R}
    exec(source, ns)
    router = MessageRouter()
    with pytest.raises(RegistrationError) as err:
        router.websocket_rpc("a.b")(ns["f"])
    assert message in str(err.value)
    assert ".f" in str(err.value)  # names the function


@pytest.mark.parametrize("name", ["", "a\nb", "tab\there", "del\x7f", 42])
def test_bad_method_names(name):
    router = MessageRouter()

    async def f(conn, params: P) -> R: ...

    with pytest.raises(RegistrationError, match="method name"):
        router.websocket_rpc(name)(f)


@pytest.mark.parametrize("name", ["user-profile.get", "chat:send", "getUserProfile", "a..b", "a b", "_x.y"])
def test_free_string_method_names(name):
    """Centrifugo method names are free strings (issue 17); the exporter writes @method for them."""
    router = MessageRouter()

    async def f(conn, params: P) -> R: ...

    router.websocket_rpc(name)(f)
    assert [h.method for h in router.handlers()] == [name]


def test_duplicate_method_is_an_error():
    router = MessageRouter()

    @router.websocket_rpc("a.b")
    async def one(conn, params: P) -> R: ...

    async def two(conn, params: P) -> R: ...

    with pytest.raises(RegistrationError, match="duplicate RPC method 'a.b'.*two.*one"):
        router.websocket_rpc("a.b")(two)


def test_explicit_empty_router_is_used():
    """An empty MessageRouter is falsy (it has __len__): passing one must still register there, never in the
    process-wide default router."""
    from rpcc import default_router, websocket_rpc

    router = MessageRouter()
    assert len(router) == 0

    @websocket_rpc("empty_router.probe", router=router)
    async def probe(conn, params: P) -> R: ...

    try:
        assert [h.method for h in router.handlers()] == ["empty_router.probe"]
        assert "empty_router.probe" not in default_router
    finally:
        default_router.unregister("empty_router.probe")


def test_discovery_collects_only_the_given_modules():
    router = discover(["tasks_handlers"])
    methods = [h.method for h in router.handlers()]
    assert methods == ["system.health", "tasks.create", "tasks.get_stats", "tasks.list", "tasks.update"]
    both = discover(["tasks_handlers", "debug_handlers"])
    assert "debug.sleep" in both and "tasks.list" in both


def test_discovery_from_an_explicit_empty_router(tmp_path, monkeypatch):
    """discover(router=r) with r still empty (its handlers come with the imports) reads r, not the default
    router: an empty MessageRouter is falsy."""
    import sys
    import types

    holder = types.ModuleType("rpcc_test_empty_router_holder")
    target = MessageRouter()
    holder.get = lambda: target  # type: ignore[attr-defined]  # the module below does not hold the router itself
    monkeypatch.setitem(sys.modules, holder.__name__, holder)
    (tmp_path / "rpcc_test_empty_router_handlers.py").write_text(
        "from pydantic import BaseModel\n"
        "import rpcc_test_empty_router_holder as holder\n"
        "class Out(BaseModel):\n"
        "    n: int\n"
        "@holder.get().websocket_rpc('late.ping')\n"
        "async def ping(conn) -> Out:\n"
        "    return Out(n=1)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "rpcc_test_empty_router_handlers", raising=False)
    found = discover(["rpcc_test_empty_router_handlers"], router=target)
    assert [h.method for h in found.handlers()] == ["late.ping"]


def test_discovery_missing_module():
    from rpcc import DiscoveryError

    with pytest.raises(DiscoveryError, match="no_such_module_xyz"):
        discover(["no_such_module_xyz"])
