/* backends/typescript.c: each test compiles a small .rpc text through the front end and the IR passes, runs the
 * TypeScript backend into an in-memory output tree, and checks the printed text. Whole-package checks (tsc
 * --strict, golden files, live calls) are in mk/typescript.mk; these pin the decisions one at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_support.h"

extern const Backend backend_typescript;

/* Compiles `source` (as file `name`) and runs the TypeScript backend. Fails the test on input errors. */
static Generated *generate_named(const char *name, const char *source) {
    return generate_by(&backend_typescript, name, source, default_backend_options());
}

static Generated *generate(const char *source) { return generate_named("demo.rpc", source); }

/* ---------------------------------------------------------------------------------------------------------- */

static void test_writes_the_package_files(void **state) {
    (void)state;
    Generated *generated = generate("model P { a: int; }\nmodel R { b: string; }\nrpc x.y(P) -> R;\n");
    assert_true(generated->ok);
    const char *expected[] = {"typescript/types.ts",     "typescript/client.ts",  "typescript/index.ts",
                              "typescript/package.json", "typescript/tsconfig.json", "typescript/README.md",
                              "typescript/rpc-client.ts"};
    assert_int_equal(generated->tree.count, sizeof expected / sizeof expected[0]);
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) file_text(generated, expected[i]);
    /* The base client is the embedded template, verbatim after the marker. */
    expect_in(generated, "typescript/rpc-client.ts", "export class CentrifugoRPCClient {");
    expect_in(generated, "typescript/rpc-client.ts", "export class RPCError extends Error {");
    expect_in(generated, "typescript/package.json", "\"name\": \"demo-client\"");
    expect_in(generated, "typescript/package.json", "\"centrifuge\": \"^5.0.0\"");
    expect_in(generated, "typescript/tsconfig.json", "\"exactOptionalPropertyTypes\": true");
    generated_free(generated);
}

static void test_presence_optional_nullable_and_defaults(void **state) {
    (void)state;
    Generated *generated = generate("model P {\n"
                                    "    req: string;\n"
                                    "    nul: string | null;\n"
                                    "    opt?: string;\n"
                                    "    optnul?: string | null;\n"
                                    "    def: int = 10;\n"
                                    "    defnul: int | null = null;\n"
                                    "}\n"
                                    "model R {\n"
                                    "    def: int = 10;\n"
                                    "    tags: list<string> = [];\n"
                                    "    opt?: string;\n"
                                    "}\n"
                                    "rpc m(P) -> R;\n");
    const char *types = "typescript/types.ts";
    expect_in(generated, types, "    req: string;\n");
    expect_in(generated, types, "    nul: string | null;\n");
    expect_in(generated, types, "    opt?: string;\n");
    expect_in(generated, types, "    optnul?: string | null;\n");
    /* Sent: a default makes the field optional on input, never nullable. */
    expect_in(generated, types, "    def?: number;\n");
    expect_in(generated, types, "    defnul?: number | null;\n");
    /* Received only: a defaulted field is always present. */
    expect_in(generated, types, "export interface R {\n");
    expect_in(generated, types, "    tags: string[];\n");
    expect_in(generated, types, "the default is `[]`");
    expect_in(generated, types, "May be omitted: the server then uses `10`.");
    generated_free(generated);
}

static void test_model_both_sent_and_received_takes_the_input_shape(void **state) {
    (void)state;
    Generated *generated = generate("model Item { n: int = 1; }\n"
                                    "model P { item: Item; }\n"
                                    "model R { items: list<Item>; }\n"
                                    "rpc put(P) -> R;\n");
    expect_in(generated, "typescript/types.ts", "export interface Item {\n");
    expect_in(generated, "typescript/types.ts", "    n?: number;\n");
    expect_in(generated, "typescript/types.ts", "Sent to the server: fields with a default may be omitted.");
    generated_free(generated);
}

static void test_unions_are_parenthesized_inside_arrays(void **state) {
    (void)state;
    Generated *generated = generate("model M {\n"
                                    "    a: list<int | null>;\n"
                                    "    b: list<\"x\" | \"y\">;\n"
                                    "    c: list<\"only\">;\n"
                                    "    d: list<list<string | null> | null>;\n"
                                    "    e: list<int | string>;\n"
                                    "    f: map<string, int | null>;\n"
                                    "}\n");
    const char *types = "typescript/types.ts";
    expect_in(generated, types, "    a: (number | null)[];\n");
    expect_in(generated, types, "    b: (\"x\" | \"y\")[];\n");
    expect_in(generated, types, "    c: \"only\"[];\n");
    expect_in(generated, types, "    d: ((string | null)[] | null)[];\n");
    expect_not_in(generated, types, "number | string[]");
    expect_in(generated, types, "    f: Record<string, number | null>;\n");
    generated_free(generated);
}

static void test_enums_are_literal_unions_plus_a_const_object(void **state) {
    (void)state;
    Generated *generated = generate("/// State.\n"
                                    "enum S: string { open; in_progress = \"in-progress\"; }\n"
                                    "enum N: int { low = 1; minus = -2; }\n"
                                    "model M { s: S = S.in_progress; byS: map<S, int>; byN: map<int, S>; }\n");
    const char *types = "typescript/types.ts";
    expect_in(generated, types, "export type S = \"open\" | \"in-progress\";\n");
    expect_in(generated, types, "export const S = {\n    OPEN: \"open\",\n    IN_PROGRESS: \"in-progress\",\n} as const;\n");
    expect_in(generated, types, "export type N = 1 | -2;\n");
    expect_in(generated, types, "    MINUS: -2,\n");
    expect_in(generated, types, "the default is `S.IN_PROGRESS`");
    /* A map keyed by an enum need not have every key; int keys are numbers to TypeScript. */
    expect_in(generated, types, "    byS: Partial<Record<S, number>>;\n");
    expect_in(generated, types, "    byN: Record<number, S>;\n");
    generated_free(generated);
}

static void test_every_type_and_field_has_jsdoc(void **state) {
    (void)state;
    Generated *generated = generate("model A { x: int; y?: uuid; }\nunion U = A | B;\nmodel B { z: bool; }\n"
                                    "type T = timestamp;\n");
    const char *text = file_text(generated, "typescript/types.ts");
    /* Every declaration line and every field line is directly preceded by the end of a JSDoc comment. */
    const char *line = text;
    size_t checked = 0;
    const char *previous_end = NULL;
    while (*line) {
        const char *end = strchr(line, '\n');
        if (!end) end = line + strlen(line);
        bool is_decl = strncmp(line, "export ", 7) == 0;
        bool is_field = strncmp(line, "    ", 4) == 0 && line[4] != '/' && line[4] != '*' && line[4] != ' ';
        if (is_decl || is_field) {
            checked++;
            if (!previous_end || !strstr(previous_end, "*/")) fail_msg("no JSDoc before: %.*s", (int)(end - line), line);
        }
        previous_end = line;
        line = *end ? end + 1 : end;
    }
    assert_true(checked >= 7);
    expect_in(generated, "typescript/types.ts", "UUID string.");
    expect_in(generated, "typescript/types.ts", "RFC 3339 date-time string");
    generated_free(generated);
}

static void test_input_text_is_escaped_in_docs_and_literals(void **state) {
    (void)state;
    Generated *generated = generate("/// Closes */ here, `tick` ${x}\xE2\x80\xA8next.\n"
                                    "enum E: string { a = \"q\\\"*/\\u2028\"; }\n"
                                    "model M {\n"
                                    "    /// Doc */ of a field.\n"
                                    "    f: string = \"*/\\n\" @json(\"content-type\");\n"
                                    "}\n");
    const char *types = "typescript/types.ts";
    expect_in(generated, types, "Closes *\\/ here, `tick` ${x} next.");
    expect_not_in(generated, types, "\xE2\x80\xA8");
    expect_in(generated, types, "export type E = \"q\\\"*/\\u2028\";\n");
    expect_in(generated, types, "Doc *\\/ of a field.");
    expect_in(generated, types, "the default is `\"*\\/\\n\"`");
    expect_in(generated, types, "    \"content-type\": string;\n");
    generated_free(generated);
}

static void test_client_methods(void **state) {
    (void)state;
    Generated *generated = generate("model P { a: int; }\n"
                                    "model Q { a?: int; b: int = 1; }\n"
                                    "model R { r: int; }\n"
                                    "/// Does x.\n"
                                    "rpc tasks.get_stats(P) -> R;\n"
                                    "rpc opt(Q) -> R @deprecated(\"use tasks.get_stats\");\n"
                                    "rpc none() -> R;\n"
                                    "rpc delete(P) -> R;\n");
    const char *client = "typescript/client.ts";
    expect_in(generated, client, "import type { CallOptions, CentrifugoRPCClient } from \"./rpc-client.js\";\n");
    expect_in(generated, client, "import type { P, Q, R } from \"./types.js\";\n");
    expect_in(generated, client, "    async tasksGetStats(params: P, options: CallOptions = {}): Promise<R> {\n"
                                 "        return this.#client.call<R>(\"tasks.get_stats\", params, options);\n"
                                 "    }\n");
    /* Every field may be left out: so may the whole params object. */
    expect_in(generated, client, "    async opt(params: Q = {}, options: CallOptions = {}): Promise<R> {\n");
    expect_in(generated, client, "     * @deprecated use tasks.get_stats\n");
    expect_in(generated, client, "    async none(options: CallOptions = {}): Promise<R> {\n"
                                 "        return this.#client.call<R>(\"none\", {}, options);\n");
    /* A TypeScript keyword as a method name is escaped; the wire name stays. */
    expect_in(generated, client, "    async delete_(params: P, options: CallOptions = {}): Promise<R> {\n"
                                 "        return this.#client.call<R>(\"delete\", params, options);\n");
    expect_in(generated, client, "     * Does x.\n     *\n     * Calls `tasks.get_stats`.\n");
    generated_free(generated);
}

static void test_index_exports(void **state) {
    (void)state;
    Generated *generated = generate("model M { x: int; }\n");
    expect_in(generated, "typescript/index.ts", "export { APIClient } from \"./client.js\";\n"
                                                "export { CentrifugoRPCClient, RPCError } from \"./rpc-client.js\";\n"
                                                "export type { CallOptions, CentrifugoRPCClientOptions } from \"./rpc-client.js\";\n"
                                                "export * from \"./types.js\";\n");
    generated_free(generated);
    /* The names index.ts exports are reserved: a declaration of one is escaped, and both stay reachable. */
    generated = generate("model CentrifugoRPCClientOptions { x: int; }\nmodel RPCError { y: int; }\n");
    expect_in(generated, "typescript/types.ts", "export interface CentrifugoRPCClientOptions_ {\n");
    expect_in(generated, "typescript/types.ts", "export interface RPCError_ {\n");
    expect_in(generated, "typescript/index.ts", "export type { CallOptions, CentrifugoRPCClientOptions } from \"./rpc-client.js\";\n");
    generated_free(generated);
}

static void test_scalars_and_any(void **state) {
    (void)state;
    Generated *generated = generate("model M {\n"
                                    "    a: bool; b: int; c: float; d: string; e: bytes; f: decimal; g: uuid;\n"
                                    "    h: timestamp; i: date; j: time; k: duration; l: any; m: any | null;\n"
                                    "    n: list<any | null>;\n"
                                    "}\n");
    const char *types = "typescript/types.ts";
    expect_in(generated, types, "    a: boolean;\n");
    expect_in(generated, types, "    b: number;\n");
    expect_in(generated, types, "    c: number;\n");
    expect_in(generated, types, "    k: string;\n");
    expect_in(generated, types, "    l: unknown;\n");
    expect_in(generated, types, "    m: unknown;\n"); /* unknown already holds null */
    expect_in(generated, types, "    n: unknown[];\n");
    expect_in(generated, types, "Integer (exact in JavaScript only up to 2^53).");
    generated_free(generated);
}

static void test_readme_example_call(void **state) {
    (void)state;
    /* The first rpc that is not deprecated and whose required parameters have placeholders; an enum placeholder
     * is imported. */
    Generated *generated = generate("enum S: string { open; }\n"
                                    "model Old { x: int; }\n"
                                    "model P { s: S; user_id: string; n?: int; d: int = 1; }\n"
                                    "model R { r: int; }\n"
                                    "rpc old(Old) -> R @deprecated;\n"
                                    "rpc tasks.get(P) -> R;\n");
    const char *readme = "typescript/README.md";
    expect_in(generated, readme, "import { APIClient, CentrifugoRPCClient, S } from \"demo-client\";\n");
    expect_in(generated, readme, "console.log(await api.tasksGet({ s: S.OPEN, user_id: \"123\" }));\n");
    expect_in(generated, readme, "| `tasksGet` | `tasks.get` | `P` | `R` |\n");
    generated_free(generated);
}

static void test_empty_model_and_no_rpcs(void **state) {
    (void)state;
    Generated *generated = generate("model Empty { }\n");
    expect_in(generated, "typescript/types.ts", "export type Empty = Record<string, never>;\n");
    /* No rpc: no types to import, and the class still compiles. */
    expect_not_in(generated, "typescript/client.ts", "from \"./types.js\"");
    expect_in(generated, "typescript/README.md", "The API declares no methods.");
    generated_free(generated);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writes_the_package_files),
        cmocka_unit_test(test_presence_optional_nullable_and_defaults),
        cmocka_unit_test(test_model_both_sent_and_received_takes_the_input_shape),
        cmocka_unit_test(test_unions_are_parenthesized_inside_arrays),
        cmocka_unit_test(test_enums_are_literal_unions_plus_a_const_object),
        cmocka_unit_test(test_every_type_and_field_has_jsdoc),
        cmocka_unit_test(test_input_text_is_escaped_in_docs_and_literals),
        cmocka_unit_test(test_client_methods),
        cmocka_unit_test(test_index_exports),
        cmocka_unit_test(test_scalars_and_any),
        cmocka_unit_test(test_readme_example_call),
        cmocka_unit_test(test_empty_model_and_no_rpcs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
