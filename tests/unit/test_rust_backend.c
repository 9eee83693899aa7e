/* backends/rust.c: the decisions the Rust backend makes, pinned (the golden trees show whole files; these name the
 * rule each line comes from). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "backend_support.h"

extern const Backend backend_rust;

static Generated *generate(const char *source) {
    Generated *generated = generate_by(&backend_rust, "demo.rpc", source, default_backend_options());
    assert_true(generated->ok);
    return generated;
}

/* Presence: Option for may-be-absent and null, Nullable where absent and null differ, and a required nullable
 * field that a result must carry. */
static void test_presence_shapes(void **state) {
    (void)state;
    Generated *g = generate("model P {\n    req: int;\n    nul: int | null;\n    opt?: int;\n    opt_nul?: int | null;\n"
                            "    dflt: int = 3;\n    dflt_null: int | null = null;\n    dflt_value: int | null = 4;\n}\n"
                            "rpc m(P) -> P;\n");
    expect_in(g, "rust/src/types.rs", "    pub req: i64,\n");
    expect_in(g, "rust/src/types.rs", "    #[serde(deserialize_with = \"Option::deserialize\")]\n    pub nul: Option<i64>,\n");
    expect_in(g, "rust/src/types.rs",
              "    #[serde(default, skip_serializing_if = \"Option::is_none\")]\n    pub opt: Option<i64>,\n");
    expect_in(g, "rust/src/types.rs",
              "    #[serde(default, skip_serializing_if = \"Nullable::is_absent\")]\n    pub opt_nul: Nullable<i64>,\n");
    expect_in(g, "rust/src/types.rs", "    /// Default: `3`.\n    #[serde(default, skip_serializing_if = \"Option::is_none\")]\n"
                                      "    pub dflt: Option<i64>,\n");
    expect_in(g, "rust/src/types.rs", "    pub dflt_null: Option<i64>,\n");
    expect_in(g, "rust/src/types.rs", "    pub dflt_value: Nullable<i64>,\n");
    generated_free(g);
}

/* Keywords are raw identifiers, which serde reads without the "r#": no rename for them; other names rename. */
static void test_raw_identifiers_and_renames(void **state) {
    (void)state;
    Generated *g = generate("model P {\n    type: int;\n    self: int;\n    userId: int;\n    x: int @json(\"x-y\");\n}\n"
                            "rpc m(P) -> P;\n");
    expect_in(g, "rust/src/types.rs", "    pub r#type: i64,\n");
    expect_not_in(g, "rust/src/types.rs", "rename = \"type\"");
    expect_in(g, "rust/src/types.rs", "    #[serde(rename = \"self\")]\n    pub self_: i64,\n");
    expect_in(g, "rust/src/types.rs", "    #[serde(rename = \"userId\")]\n    pub user_id: i64,\n");
    expect_in(g, "rust/src/types.rs", "    #[serde(rename = \"x-y\")]\n    pub x: i64,\n");
    generated_free(g);
}

/* A model that can contain itself holds the models and unions it names directly in a Box; lists need none. */
static void test_recursion_is_boxed(void **state) {
    (void)state;
    Generated *g = generate("model Node {\n    next: Node | null;\n    children: list<Node>;\n    leaf: Leaf;\n}\n"
                            "model Leaf {\n    n: int;\n}\nrpc m(Node) -> Node;\n");
    expect_in(g, "rust/src/types.rs", "    pub next: Option<Box<Node>>,\n");
    expect_in(g, "rust/src/types.rs", "    pub children: Vec<Node>,\n");
    expect_in(g, "rust/src/types.rs", "    pub leaf: Box<Leaf>,\n");
    generated_free(g);
}

/* Enums are open: an Unknown variant, and conversions that never fail. */
static void test_open_enums(void **state) {
    (void)state;
    Generated *g = generate("enum S: string {\n    a;\n    b_c = \"b-c\";\n}\nenum L: int {\n    low = -1;\n}\n"
                            "model P {\n    s: S;\n    l: L;\n}\nrpc m(P) -> P;\n");
    expect_in(g, "rust/src/types.rs", "    BC,\n    /// A value this SDK does not know: decoded without failing, and sent back unchanged.\n"
                                      "    Unknown(String),\n");
    expect_in(g, "rust/src/types.rs", "            \"b-c\" => Self::BC,\n            other => Self::Unknown(other.to_owned()),\n");
    expect_in(g, "rust/src/types.rs", "    Unknown(i64),\n");
    expect_in(g, "rust/src/types.rs", "            -1 => Self::Low,\n            other => Self::Unknown(other),\n");
    generated_free(g);
}

/* A discriminated union is decoded by its tag (every literal value of the tag field), an untagged one in order. */
static void test_unions(void **state) {
    (void)state;
    Generated *g = generate("model A {\n    k: \"a\" | \"alpha\";\n}\nmodel B {\n    k: \"b\";\n}\n"
                            "union T = A | B @discriminator(\"k\");\nunion U = int | string;\n"
                            "model P {\n    t: T;\n    u: U;\n}\nrpc m(P) -> P;\n");
    expect_in(g, "rust/src/types.rs", "            \"a\" | \"alpha\" => union_alternative(value).map(Self::A),\n");
    expect_in(g, "rust/src/types.rs", "#[derive(Debug, Clone, PartialEq, Serialize)]\n#[serde(untagged)]\npub enum T {\n");
    expect_in(g, "rust/src/types.rs",
              "#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]\n#[serde(untagged)]\npub enum U {\n"
              "    Int(i64),\n    String(String),\n}\n");
    generated_free(g);
}

/* The crate's own entry goes where its name sorts in the template's lock, which cargo keeps sorted; every other
 * entry is the template's. */
static void test_cargo_lock_places_the_crate(void **state) {
    (void)state;
    Generated *g = generate("model P {\n    n: int;\n}\nrpc m(P) -> P;\n");
    const char *lock = file_text(g, "rust/Cargo.lock");
    assert_null(strstr(lock, "rpcc_runtime"));
    const char *own = strstr(lock, "\n[[package]]\nname = \"demo_client\"\nversion = \"0.1.0\"\n");
    assert_non_null(own);
    /* The package names before and after it sort around "demo_client". */
    const char *before = own, *after = strstr(own + 1, "\n[[package]]\nname = \"");
    assert_non_null(after);
    while (before > lock && strncmp(before - 1, "\n[[package]]\nname = \"", 21) != 0) before--;
    if (before > lock) assert_true(strncmp(before + 20, "demo_client", 11) < 0);
    assert_true(strncmp(after + 21, "demo_client", 11) > 0);
    expect_in(g, "rust/Cargo.toml", "[package]\nname = \"demo_client\"\n");
    expect_in(g, "rust/Cargo.toml", "centrifuge-client = { version = \"=");
    generated_free(g);
}

/* rustfmt's layout: a signature beyond 100 columns is broken one parameter a line, a chain beyond 60 too. */
static void test_rustfmt_breaks(void **state) {
    (void)state;
    Generated *g = generate("model AVeryLongParameterModelName {\n    n: int;\n}\nmodel AVeryLongResultModelName {\n"
                            "    n: int;\n}\nrpc some_namespace.a_long_method_name(AVeryLongParameterModelName) -> "
                            "AVeryLongResultModelName;\nrpc s.m(AVeryLongParameterModelName) -> AVeryLongResultModelName;\n");
    expect_in(g, "rust/src/client.rs", "    pub async fn some_namespace_a_long_method_name(\n        &self,\n"
                                       "        params: &AVeryLongParameterModelName,\n"
                                       "    ) -> Result<AVeryLongResultModelName, Error> {\n        self.rpc\n"
                                       "            .call(\"some_namespace.a_long_method_name\", params, &self.options)\n"
                                       "            .await\n");
    expect_in(g, "rust/src/client.rs", "        self.rpc.call(\"s.m\", params, &self.options).await\n");
    generated_free(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_presence_shapes),
        cmocka_unit_test(test_raw_identifiers_and_renames),
        cmocka_unit_test(test_recursion_is_boxed),
        cmocka_unit_test(test_open_enums),
        cmocka_unit_test(test_unions),
        cmocka_unit_test(test_cargo_lock_places_the_crate),
        cmocka_unit_test(test_rustfmt_breaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
