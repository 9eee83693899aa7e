/* The analyses the IR carries for backends once a program is valid: what the rpcs use each declaration for
 * (ir/usage.c), the definition order of eagerly defined targets (ir/order.c) and union members
 * (ir/union_members.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "support.h"

static void test_usage_follows_rpcs_through_types(void **state) {
    (void)state;
    Compiled c;
    assert_compiles(&c, "enum S: string { a; }\n"
                        "model P { s: S; tags: map<string, list<T>>; }\n"
                        "model T { x: int; }\n"
                        "model R { items: list<I> | null; }\n"
                        "model I { next: I | null; }\n"
                        "model Both { x: int; }\n"
                        "model Q { b: Both; }\n"
                        "model Unused { t: T; }\n"
                        "rpc get(P) -> R;\n"
                        "rpc both(Q) -> Both;\n"
                        "rpc none() -> R;\n");
    struct {
        const char *name;
        bool is_params, is_result, sent, received;
    } expected[] = {
        {"S", false, false, true, false},   {"P", true, false, true, false},  {"T", false, false, true, false},
        {"R", false, true, false, true},    {"I", false, false, false, true}, {"Both", false, true, true, true},
        {"Q", true, false, true, false},    {"Unused", false, false, false, false},
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        const IrDecl *decl = find_decl(c.program, expected[i].name);
        assert_non_null(decl);
        if (decl->is_params != expected[i].is_params || decl->is_result != expected[i].is_result ||
            decl->sent != expected[i].sent || decl->received != expected[i].received)
            fail_msg("%s: is_params %d is_result %d sent %d received %d", expected[i].name, decl->is_params,
                     decl->is_result, decl->sent, decl->received);
    }
    compiled_free(&c);
}

static void test_definition_order_waits_for_what_a_definition_evaluates(void **state) {
    (void)state;
    Compiled c;
    /* Later (an alias) needs M; M's default needs E; M names N, which comes after it. */
    assert_compiles(&c, "type Later = list<M>;\n"
                        "model M { e: E = E.x; other: N | null; self: M | null; }\n"
                        "enum E: string { x; }\n"
                        "model N { y: int; }\n");
    const char *order[] = {"E", "M", "Later", "N"};
    const bool incomplete[] = {false, true, true, false};
    assert_int_equal(c.program->decl_count, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(c.program->definition_order[i]->name, order[i]);
        assert_int_equal(c.program->definition_order[i]->defined_incomplete, incomplete[i]);
    }
    compiled_free(&c);
}

static void test_definition_order_is_source_order_when_nothing_waits(void **state) {
    (void)state;
    Compiled c;
    assert_compiles(&c, "model A { b: B; }\nmodel B { a: A | null; }\nenum E: int { one = 1; }\n");
    for (size_t i = 0; i < c.program->decl_count; i++)
        assert_ptr_equal(c.program->definition_order[i], c.program->decls[i]);
    assert_true(find_decl(c.program, "A")->defined_incomplete); /* B comes later */
    assert_true(find_decl(c.program, "B")->defined_incomplete); /* names A, incomplete at that point */
    assert_false(find_decl(c.program, "E")->defined_incomplete);
    compiled_free(&c);
}

static void test_union_member_names(void **state) {
    (void)state;
    Compiled c;
    assert_compiles(&c, "model A { x: int; }\n"
                        "union U = A | int | list<int> | list<string> | string | \"lit\";\n"
                        "model MarshalJSON { y: int; }\n"
                        "union V = MarshalJSON | A;\n");
    const char *u[] = {"A", "Int", "List", "List4", "String", "Literal"};
    const IrDecl *decl = find_decl(c.program, "U");
    assert_int_equal(decl->alternative_count, 6);
    for (size_t i = 0; i < 6; i++) assert_string_equal(decl->alternative_names[i].in[TARGET_GO], u[i]);
    decl = find_decl(c.program, "V"); /* a member may not be named like the union's own JSON methods */
    assert_string_equal(decl->alternative_names[0].in[TARGET_GO], "MarshalJSON1");
    assert_string_equal(decl->alternative_names[1].in[TARGET_GO], "A");
    compiled_free(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage_follows_rpcs_through_types),
        cmocka_unit_test(test_definition_order_waits_for_what_a_definition_evaluates),
        cmocka_unit_test(test_definition_order_is_source_order_when_nothing_waits),
        cmocka_unit_test(test_union_member_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
