/* backends/python.c: each test compiles a small .rpc text through the front end and the IR passes, runs the
 * Python backend into an in-memory output tree, and checks the printed text. Whole-package checks (mypy --strict,
 * ruff, golden files, live calls) are in mk/python-sdk.mk; these pin the decisions one at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_support.h"

extern const Backend backend_python;

/* Compiles `source` (as file `name`) and runs the Python backend. Fails the test on input errors. */
static Generated *generate_named(const char *name, const char *source) {
    return generate_by(&backend_python, name, source, default_backend_options());
}

static Generated *generate(const char *source) { return generate_named("demo.rpc", source); }

/* ---------------------------------------------------------------------------------------------------------- */

static void test_writes_the_package_files(void **state) {
    (void)state;
    Generated *generated = generate("model P { a: int; }\nmodel R { b: string; }\nrpc x.y(P) -> R;\n");
    assert_true(generated->ok);
    const char *expected[] = {"python/models.py",  "python/client.py",      "python/__init__.py", "python/rpc_client.py",
                              "python/py.typed",   "python/pyproject.toml", "python/requirements.txt",
                              "python/README.md", "python/rpc_telemetry.py"};
    assert_int_equal(generated->tree.count, sizeof expected / sizeof expected[0]);
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) file_text(generated, expected[i]);
    expect_in(generated, "python/rpc_client.py", "class CentrifugoRPCClient:");
    assert_string_equal(file_text(generated, "python/py.typed"), "");
    expect_in(generated, "python/pyproject.toml", "name = \"demo-client\"");
    expect_in(generated, "python/pyproject.toml", "\"\" = \"demo_client\"");
    expect_in(generated, "python/pyproject.toml", "\"pydantic>=2.12,<3\"");
    /* the old generator's `pip install -r requirements.txt`: the same list as pyproject.toml's dependencies */
    expect_in(generated, "python/requirements.txt", "\ncentrifuge-python>=0.7,<0.8\npydantic>=2.12,<3\n");
    /* the old generator's thin-wrapper form APIClient(rpc) is accepted */
    expect_in(generated, "python/client.py", "    def __init__(self, client: CentrifugoRPCClient, /) -> None: ...\n");
    /* rpcc does not choose the licence of the user's SDK */
    expect_not_in(generated, "python/pyproject.toml", "license");
    generated_free(generated);
}

static void test_license_option_fills_the_license_field(void **state) {
    (void)state;
    BackendOptions options = default_backend_options();
    options.license = "MIT";
    Generated *generated = generate_by(&backend_python, "demo.rpc", "model R { }\nrpc x() -> R;\n", options);
    assert_true(generated->ok);
    expect_in(generated, "python/pyproject.toml", "requires-python = \">=3.10\"\nlicense = \"MIT\"\ndependencies = [\n");
    generated_free(generated);
}

static void test_presence_optional_nullable_and_defaults(void **state) {
    (void)state;
    Generated *generated = generate("model P {\n"
                                    "  req: int;\n"
                                    "  req_null: int | null;\n"
                                    "  opt?: int;\n"
                                    "  opt_null?: int | null;\n"
                                    "  dflt: int = 10;\n"
                                    "  def_null: int | null = null;\n"
                                    "  items: list<int> = [];\n"
                                    "  more: list<int> = [1, 2];\n"
                                    "}\n");
    const char *models = "python/models.py";
    expect_in(generated, models, "    req: int\n");
    expect_in(generated, models, "    req_null: int | None\n");
    /* may be absent but never null: None means absent and is left out of the JSON */
    expect_in(generated, models, "    opt: int | None = Field(default=None, exclude_if=_is_none)\n");
    /* may be absent or null: only an unset field is left out (the client dumps with exclude_unset) */
    expect_in(generated, models, "    opt_null: int | None = None\n");
    expect_in(generated, models, "    dflt: int = 10\n");
    expect_in(generated, models, "    def_null: int | None = None\n");
    expect_in(generated, models, "    items: list[int] = Field(default_factory=list)\n");
    expect_in(generated, models, "    more: list[int] = Field(default_factory=lambda: [1, 2])\n");
    expect_in(generated, models, "def _is_none(value: object) -> bool:");
    generated_free(generated);
}

static void test_client_dumps_wire_names_and_only_set_fields(void **state) {
    (void)state;
    Generated *generated = generate("model P { a: int; }\nmodel R { b: string; }\n"
                                    "/// Does \"\"\" things.\nrpc x.do_it(P) -> R;\nrpc x.none() -> R;\n");
    const char *client = "python/client.py";
    expect_in(generated, client, "return params.model_dump(mode=\"json\", by_alias=True, exclude_unset=True)");
    expect_in(generated, client, "class APIClient(CentrifugoRPCClient):");
    expect_in(generated, client, "    async def x_do_it(self, params: P, *, timeout: float | None = None) -> R:\n"
                                 "        \"\"\"Does \"\"\\\" things.\"\"\"\n"
                                 "        data = await self.call(\"x.do_it\", _to_json(params), timeout=timeout)\n"
                                 "        return self._decode(R, data, \"x.do_it\")\n");
    expect_in(generated, client, "    async def x_none(self, *, timeout: float | None = None) -> R:\n");
    expect_in(generated, client, "        data = await self.call(\"x.none\", timeout=timeout)\n");
    generated_free(generated);
}

static void test_wire_names_and_keywords(void **state) {
    (void)state;
    Generated *generated = generate("model K { class: string; from_: int @json(\"from\"); plain: bool; }\n");
    const char *models = "python/models.py";
    /* wire names in every dump, and both names accepted when reading */
    expect_in(generated, models,
              "    model_config = ConfigDict(serialize_by_alias=True, validate_by_alias=True, validate_by_name=True)\n");
    expect_in(generated, models, "    class_: str = Field(validation_alias=\"class\", serialization_alias=\"class\")\n");
    expect_in(generated, models, "    from_: int = Field(validation_alias=\"from\", serialization_alias=\"from\")\n");
    expect_in(generated, models, "    plain: bool\n");
    expect_not_in(generated, models, "Field(alias=");
    generated_free(generated);
}

static void test_declarations_wait_for_what_they_name(void **state) {
    (void)state;
    Generated *generated = generate("type Forest = list<Tree>;\n"
                                    "model Painted { color: Color = Color.red; }\n"
                                    "model Holder { forest: Forest = []; tree: Tree | null; }\n"
                                    "model Tree { children: list<Tree> = []; }\n"
                                    "enum Color: string { red; }\n");
    const char *models = "python/models.py";
    /* an alias is evaluated at import: printed after the class it names */
    expect_before(generated, models, "class Tree(BaseModel):", "Forest = list[Tree]");
    /* a default is evaluated when the class is created: the enum comes first */
    expect_before(generated, models, "class Color(StrEnum):", "class Painted(BaseModel):");
    /* an enum field is open: an unknown value stays a str */
    expect_in(generated, models, "    color: _OpenStr[Color] = Color.RED\n");
    /* Holder names Forest and Tree, printed after it: rebuilt at the end; Tree names only itself */
    expect_before(generated, models, "class Holder(BaseModel):", "class Tree(BaseModel):");
    expect_in(generated, models, "Holder.model_rebuild()\n");
    expect_not_in(generated, models, "Tree.model_rebuild()");
    generated_free(generated);
}

static void test_unions(void **state) {
    (void)state;
    Generated *generated = generate("model A { kind: \"a\"; }\nmodel B { kind: \"b\"; }\n"
                                    "union Tagged = A | B @discriminator(\"kind\");\n"
                                    "union Loose = int | string;\n"
                                    "model M { t: Tagged; l: Loose | null; inline: list<int | string>; }\n");
    const char *models = "python/models.py";
    expect_in(generated, models, "Tagged = Annotated[A | B, Field(discriminator=\"kind\")]\n");
    expect_in(generated, models, "Loose = Annotated[Annotated[int, Strict()] | str, Field(union_mode=\"left_to_right\")]\n");
    expect_in(generated, models, "    l: Loose | None\n");
    expect_in(generated, models, "    inline: list[MInlineItem]\n");
    expect_in(generated, models, "MInlineItem = Annotated[Annotated[int, Strict()] | str, Field(union_mode=\"left_to_right\")]\n");
    /* a single literal defaults to its value and is marked set, so that exclude_unset still sends it */
    expect_in(generated, models, "    kind: Literal[\"a\"] = \"a\"\n");
    expect_in(generated, models, "        self.model_fields_set.add(\"kind\")\n");
    generated_free(generated);
}

static void test_untagged_unions_of_models(void **state) {
    (void)state;
    Generated *generated = generate("model A { kind: \"a\"; x: int; }\nmodel B { kind: \"b\"; x: int; y?: int; }\n"
                                    "model C { x: int; }\n"
                                    "model M { ab: A | B; c: C | int; }\n");
    const char *models = "python/models.py";
    /* smart mode (most fields set wins), and an alternative with literals needs them in the JSON */
    expect_in(generated, models,
              "MAb = Annotated[\n"
              "    Annotated[A, _carries({\"kind\": \"a\"})] | Annotated[B, _carries({\"kind\": \"b\"})], Field(union_mode=\"smart\")\n"
              "]\n");
    expect_in(generated, models, "MC = Annotated[C | Annotated[int, Strict()], Field(union_mode=\"smart\")]\n");
    expect_in(generated, models, "def _carries(literals: dict[str, object]) -> BeforeValidator:\n");
    generated_free(generated);
}

static void test_fields_named_like_scalar_types(void **state) {
    (void)state;
    Generated *generated = generate("model S { date: date; time: time = \"01:02:03\"; when: date; span: duration; }\n");
    const char *models = "python/models.py";
    /* isort's order: the statements by their first name, `time as _time` before `timedelta` */
    expect_in(generated, models,
              "from datetime import date as _date\nfrom datetime import time as _time\nfrom datetime import timedelta\n");
    expect_in(generated, models, "    date: _date\n");
    expect_in(generated, models, "    time: _time = TypeAdapter(_time).validate_python(\"01:02:03\")\n");
    expect_in(generated, models, "    when: _date\n");
    generated_free(generated);
}

static void test_scalars_and_their_defaults(void **state) {
    (void)state;
    Generated *generated = generate("model S {\n"
                                    "  b: bytes = \"aGk=\";\n"
                                    "  d: decimal = \"1.50\" @range(ge: 0);\n"
                                    "  u: uuid = \"123e4567-e89b-12d3-a456-426614174000\";\n"
                                    "  t: timestamp = \"2026-01-02T03:04:05Z\";\n"
                                    "  w: duration;\n"
                                    "  f: float = 1;\n"
                                    "  a: any | null;\n"
                                    "}\n");
    const char *models = "python/models.py";
    expect_in(generated, models, "    b: _Base64Bytes = _b64decode(\"aGk=\")\n");
    expect_in(generated, models, "    d: Decimal = Field(default=Decimal(\"1.50\"), ge=Decimal(0))\n");
    expect_in(generated, models, "    u: UUID = UUID(\"123e4567-e89b-12d3-a456-426614174000\")\n");
    expect_in(generated, models,
              "    t: AwareDatetime = TypeAdapter(AwareDatetime).validate_python(\"2026-01-02T03:04:05Z\")\n");
    expect_in(generated, models, "    w: timedelta\n");
    expect_in(generated, models, "    f: float = 1.0\n");
    expect_in(generated, models, "    a: Any\n"); /* any already admits None */
    expect_in(generated, models, "PlainSerializer(_to_base64, when_used=\"json\")");
    expect_in(generated, models, "from datetime import timedelta\n");
    expect_not_in(generated, models, "datetime import datetime");
    generated_free(generated);
}

static void test_input_text_is_escaped(void **state) {
    (void)state;
    Generated *generated = generate("/// Doc with \"\"\" and \\ inside\n"
                                    "model D {\n"
                                    "  /// say \"hi\"\n"
                                    "  s: string = \"a\\\"b\\\\c\\n\" @pattern(\"^\\\\d$\");\n"
                                    "}\n"
                                    "enum E: string { q = \"x\\\"y\"; }\n");
    const char *models = "python/models.py";
    expect_in(generated, models, "    \"\"\"Doc with \"\"\\\" and \\\\ inside\"\"\"\n");
    expect_in(generated, models, "    s: str = Field(default=\"a\\\"b\\\\c\\n\", pattern=\"^\\\\d$\", "
                                 "description=\"say \\\"hi\\\"\")\n");
    expect_in(generated, models, "    Q = \"x\\\"y\"\n");
    generated_free(generated);
}

static void test_deprecations(void **state) {
    (void)state;
    Generated *generated = generate("model M @deprecated(\"old\") { a: int @deprecated; }\n"
                                    "rpc m.x(M) -> M @deprecated(\"gone\");\n");
    expect_in(generated, "python/models.py", "\"\"\"Deprecated: old\"\"\"");
    expect_in(generated, "python/models.py", "    a: int = Field(deprecated=True)\n");
    expect_in(generated, "python/models.py", "@deprecated(\"old\", category=None)\nclass M(BaseModel):\n");
    expect_in(generated, "python/models.py", "from typing_extensions import deprecated\n");
    expect_in(generated, "python/client.py", "    @deprecated(\"gone\")\n    async def m_x(");
    expect_in(generated, "python/client.py", "from typing_extensions import deprecated\n");
    generated_free(generated);
}

static void test_init_exports_sorted(void **state) {
    (void)state;
    Generated *generated = generate("model Rect { a: int; }\nmodel apple { a: int; }\n");
    const char *init = "python/__init__.py";
    /* ruff RUF022: classes before other names, case-sensitive natural order */
    expect_before(generated, init, "    \"RPCTimeoutError\",\n", "    \"Rect\",\n");
    expect_before(generated, init, "    \"Rect\",\n", "    \"apple\",\n");
    expect_in(generated, init, "from .client import CONTRACT_HASH, APIClient\n");
    generated_free(generated);
}

/* Numbers in names compare by value (isort's and ruff's natural order), the leading zeros ignored. */
static void test_init_names_natural_order(void **state) {
    (void)state;
    Generated *generated = generate("model Item10 { a: int; }\nmodel Item9 { a: int; }\nmodel ITEM3 { a: int; }\n"
                                    "model item2 { a: int; }\nmodel Item09b { a: int; }\nmodel ab9 { a: int; }\n");
    const char *init = "python/__init__.py";
    expect_in(generated, init, "from .models import ITEM3, Item9, Item09b, Item10, ab9, item2\n");
    expect_before(generated, init, "    \"ITEM3\",\n", "    \"Item9\",\n");
    expect_before(generated, init, "    \"Item9\",\n", "    \"Item09b\",\n");
    expect_before(generated, init, "    \"Item09b\",\n", "    \"Item10\",\n");
    expect_before(generated, init, "    \"Item10\",\n", "    \"ab9\",\n");
    expect_before(generated, init, "    \"ab9\",\n", "    \"item2\",\n");
    generated_free(generated);
}

/* __all__'s case-sensitive order differs from the imports' case-insensitive one where a name has a capital where
 * another has a punctuation character ('B' < '_' < 'b'): __all__ is sorted on its own then. */
static void test_init_all_order_differs_from_import_order(void **state) {
    (void)state;
    Generated *generated = generate("model Item_a { a: int; }\nmodel ItemB { a: int; }\nmodel Zebra { a: int; }\n"
                                    "model Apple { a: int; }\nmodel CONTRACT { a: int; }\n");
    const char *init = "python/__init__.py";
    expect_in(generated, init, "from .models import CONTRACT, Apple, Item_a, ItemB, Zebra\n");
    expect_in(generated, init,
              "__all__ = [\n    \"CONTRACT\",\n    \"CONTRACT_HASH\",\n    \"APIClient\",\n    \"Apple\",\n"
              "    \"CentrifugoRPCClient\",\n    \"ItemB\",\n    \"Item_a\",\n    \"RPCConnectionError\",\n");
    expect_in(generated, init, "    \"RPCTimeoutError\",\n    \"Zebra\",\n]\n");
    generated_free(generated);
}

/* When the imports' order is __all__'s too, the other names are merged in where they belong: before, between and
 * after the declarations. */
static void test_init_all_merges_the_other_names(void **state) {
    (void)state;
    Generated *generated = generate("model Zebra { a: int; }\nmodel Abc { a: int; }\nmodel Cf { a: int; }\n"
                                    "model RPCA { a: int; }\nmodel zed { a: int; }\n");
    const char *init = "python/__init__.py";
    expect_in(generated, init,
              "__all__ = [\n    \"CONTRACT_HASH\",\n    \"RPCA\",\n    \"APIClient\",\n    \"Abc\",\n"
              "    \"CentrifugoRPCClient\",\n    \"Cf\",\n    \"RPCConnectionError\",\n");
    expect_in(generated, init, "    \"RPCTimeoutError\",\n    \"Zebra\",\n    \"zed\",\n]\n");
    generated_free(generated);
}

static void test_readme_example_call(void **state) {
    (void)state;
    Generated *generated = generate("model P { name: string; n: int = 1; }\nmodel R { ok: bool; }\n"
                                    "rpc tasks.get(P) -> R;\n");
    expect_in(generated, "python/README.md", "from demo_client import APIClient, P\n");
    expect_in(generated, "python/README.md", "        result = await api.tasks_get(P(name=\"example\"))\n");
    expect_in(generated, "python/README.md", "- `tasks_get(P) -> R` (`tasks.get`)");
    generated_free(generated);
}

static void test_empty_model_and_no_rpcs(void **state) {
    (void)state;
    Generated *generated = generate("model Empty { }\n");
    expect_in(generated, "python/models.py", "class Empty(BaseModel):\n    pass\n");
    expect_not_in(generated, "python/client.py", "from .models import");
    expect_in(generated, "python/README.md", "The API declares no RPC methods.");
    generated_free(generated);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writes_the_package_files),
        cmocka_unit_test(test_license_option_fills_the_license_field),
        cmocka_unit_test(test_presence_optional_nullable_and_defaults),
        cmocka_unit_test(test_client_dumps_wire_names_and_only_set_fields),
        cmocka_unit_test(test_wire_names_and_keywords),
        cmocka_unit_test(test_declarations_wait_for_what_they_name),
        cmocka_unit_test(test_unions),
        cmocka_unit_test(test_untagged_unions_of_models),
        cmocka_unit_test(test_fields_named_like_scalar_types),
        cmocka_unit_test(test_scalars_and_their_defaults),
        cmocka_unit_test(test_input_text_is_escaped),
        cmocka_unit_test(test_deprecations),
        cmocka_unit_test(test_init_exports_sorted),
        cmocka_unit_test(test_init_names_natural_order),
        cmocka_unit_test(test_init_all_order_differs_from_import_order),
        cmocka_unit_test(test_init_all_merges_the_other_names),
        cmocka_unit_test(test_readme_example_call),
        cmocka_unit_test(test_empty_model_and_no_rpcs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
