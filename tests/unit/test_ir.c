/* The IR passes: lowering (resolution, hoisting, nullability, literals, annotations), defaults, type checks,
 * recursion, names and collisions, imports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "support.h"

static void test_presence_and_nullability(void **state) {
    (void)state;
    Compiled c;
    assert_compiles(&c, "model M {\n  a: int;\n  b: int | null;\n  c?: int;\n  d?: int | null;\n  e: int = 1;\n"
                        "  f: int | null = null;\n}\n");
    IrDecl *m = find_decl(c.program, "M");
    struct {
        const char *name;
        bool nullable, optional, has_default;
    } expected[] = {{"a", false, false, false}, {"b", true, false, false}, {"c", false, true, false},
                    {"d", true, true, false},   {"e", false, false, true},  {"f", true, false, true}};
    for (size_t i = 0; i < 6; i++) {
        IrField *field = find_field(m, expected[i].name);
        assert_non_null(field);
        assert_int_equal(field->type->kind, IR_INT);
        assert_int_equal(field->type->nullable, expected[i].nullable);
        assert_int_equal(field->optional, expected[i].optional);
        assert_int_equal(field->default_value != NULL, expected[i].has_default);
    }
    compiled_free(&c);
}

static void test_literal_unions_stay_literals(void **state) {
    (void)state;
    Compiled c;
    assert_compiles(&c, "model M { order: \"asc\" | \"desc\" | null = \"asc\"; answer: 42; }\n");
    IrDecl *m = find_decl(c.program, "M");
    IrType *order = find_field(m, "order")->type;
    assert_int_equal(order->kind, IR_LITERAL);
    assert_int_equal(order->literal_count, 2);
    assert_true(order->nullable);
    assert_int_equal(find_field(m, "answer")->type->literals[0]->int_value, 42);
    assert_int_equal(c.program->decl_count, 1); /* nothing hoisted */
    compiled_free(&c);
}

static void test_inline_unions_are_hoisted_after_their_owner(void **state) {
    (void)state;
    Compiled c;
    assert_compiles(&c, "model A { x: int; }\nmodel B { y: int; }\n"
                        "model Shape {\n  fill: A | B | null;\n  layers: list<A | B>;\n  named: map<string, int | string>;\n}\n"
                        "model After { }\n");
    const char *order[] = {"A", "B", "Shape", "ShapeFill", "ShapeLayersItem", "ShapeNamedValue", "After"};
    assert_int_equal(c.program->decl_count, 7);
    for (size_t i = 0; i < 7; i++) assert_string_equal(c.program->decls[i]->name, order[i]);
    IrDecl *fill = find_decl(c.program, "ShapeFill");
    assert_true(fill->synthesized);
    assert_int_equal(fill->kind, IR_DECL_UNION);
    assert_int_equal(fill->alternative_count, 2);
    IrType *fill_type = find_field(find_decl(c.program, "Shape"), "fill")->type;
    assert_int_equal(fill_type->kind, IR_REF);
    assert_ptr_equal(fill_type->decl, fill);
    assert_true(fill_type->nullable);
    compiled_free(&c);
}

/* Issue 22: a union of a literal and a non-literal type crashed lowering (the first alternative's literal was
 * read although it was not a literal). Both orders, and the open-enum idiom `string | "auto"`, are hoisted unions. */
static void test_unions_mixing_literals_and_types_are_hoisted(void **state) {
    (void)state;
    Compiled c;
    assert_compiles(&c, "model A {\n  c: int | \"x\";\n  d: \"x\" | int;\n  e: string | \"auto\" = \"auto\";\n"
                        "  f: list<\"a\" | \"b\" | string | null>;\n  g: 1 | \"a\";\n}\n");
    const char *names[] = {"AC", "AD", "AE", "AFItem", "AG"};
    for (size_t i = 0; i < 5; i++) {
        IrDecl *decl = find_decl(c.program, names[i]);
        assert_non_null(decl);
        assert_int_equal(decl->kind, IR_DECL_UNION);
        assert_int_equal(decl->alternative_count, i == 3 ? 3 : 2);
    }
    IrDecl *c_union = find_decl(c.program, "AC");
    assert_int_equal(c_union->alternatives[0]->kind, IR_INT);
    assert_int_equal(c_union->alternatives[1]->kind, IR_LITERAL);
    assert_true(find_field(find_decl(c.program, "A"), "f")->type->element->nullable);
    compiled_free(&c);
}

/* Issue 22: a Python field named like a type of the module would shadow it in the class body: escaped. */
static void test_python_field_named_like_a_type_is_escaped(void **state) {
    (void)state;
    Compiled c;
    assert_compiles(&c, "model M { Item: string = \"x\"; other: Item | null; }\nmodel Item { }\n");
    IrField *field = find_field(find_decl(c.program, "M"), "Item");
    assert_string_equal(field->names.in[TARGET_PYTHON], "Item_");
    assert_string_equal(field->names.in[TARGET_TYPESCRIPT], "Item");
    assert_string_equal(field->wire_name, "Item");
    compiled_free(&c);
}

/* Issue 22: white space ending doc lines (ASCII and Unicode spaces) is dropped, and a doc of only white space is
 * no doc. */
static void test_docs_lose_trailing_white_space(void **state) {
    (void)state;
    Compiled c;
    assert_compiles(&c, "///   \nmodel Blank { }\n/// a \xc2\xa0\n///\xe3\x80\x80\n/// b\t\nmodel Doc { }\n");
    assert_null(find_decl(c.program, "Blank")->doc);
    assert_string_equal(find_decl(c.program, "Doc")->doc, "a\n\nb");
    compiled_free(&c);
}

static void test_alias_of_union_is_a_union(void **state) {
    (void)state;
    Compiled c;
    assert_compiles(&c, "model A { }\nmodel B { }\ntype AB = A | B;\ntype MaybeAB = A | B | null;\ntype Id = string;\n");
    assert_int_equal(find_decl(c.program, "AB")->kind, IR_DECL_UNION);
    IrDecl *maybe = find_decl(c.program, "MaybeAB");
    assert_int_equal(maybe->kind, IR_DECL_ALIAS);
    assert_true(maybe->aliased->nullable);
    assert_string_equal(maybe->aliased->decl->name, "MaybeABValue");
    assert_int_equal(find_decl(c.program, "Id")->aliased->kind, IR_STRING);
    compiled_free(&c);
}

static void test_discriminator_resolves_to_wire_name(void **state) {
    (void)state;
    Compiled c;
    assert_compiles(&c, "model Cat { kind_: \"cat\" @json(\"kind\"); }\nmodel Dog { kind_: \"dog\" @json(\"kind\"); }\n"
                        "union Pet = Cat | Dog @discriminator(\"kind_\");\n"
                        "model Owner { pet: Cat | Dog @discriminator(\"kind\"); }\n");
    assert_string_equal(find_decl(c.program, "Pet")->discriminator, "kind");
    assert_string_equal(find_decl(c.program, "OwnerPet")->discriminator, "kind");
    compiled_free(&c);
}

static void test_annotations_lower_into_constraints(void **state) {
    (void)state;
    Compiled c;
    assert_compiles(&c, "model M {\n  n: int = 5 @range(ge: 1, lt: 10) @deprecated(\"use m\");\n"
                        "  s: string | null @length(min: 1, max: 3) @pattern(\"^[a-z]+$\") @json(\"S\");\n"
                        "  f: float @range(gt: 0.5);\n}\n");
    IrDecl *m = find_decl(c.program, "M");
    IrField *n = find_field(m, "n");
    assert_true(n->constraints->has_ge && n->constraints->has_lt && !n->constraints->has_gt && !n->constraints->has_le);
    assert_int_equal(n->constraints->ge->int_value, 1);
    assert_true(n->deprecation.deprecated);
    assert_string_equal(n->deprecation.reason, "use m");
    IrField *s = find_field(m, "s");
    assert_int_equal(s->constraints->min_length, 1);
    assert_int_equal(s->constraints->max_length, 3);
    assert_string_equal(s->constraints->pattern, "^[a-z]+$");
    assert_string_equal(s->wire_name, "S");
    assert_string_equal(find_field(m, "f")->constraints->gt->text, "0.5");
    compiled_free(&c);
}

static void test_enum_values_and_defaults(void **state) {
    (void)state;
    Compiled c;
    assert_compiles(&c, "enum S: string { open; in_progress = \"in-progress\"; }\nenum P: int { low = -1; high = 9; }\n"
                        "model M { s: S = S.in_progress; p: list<P> = [P.low]; k: map<S, int> = {\"in-progress\": 1}; }\n");
    IrDecl *s = find_decl(c.program, "S");
    assert_string_equal(s->members[0]->string_value, "open");
    assert_string_equal(s->members[1]->string_value, "in-progress");
    assert_int_equal(find_decl(c.program, "P")->members[0]->int_value, -1);
    IrValue *value = find_field(find_decl(c.program, "M"), "s")->default_value;
    assert_int_equal(value->kind, IR_VALUE_ENUM);
    assert_ptr_equal(value->enum_member, s->members[1]);
    compiled_free(&c);
}

static void test_recursive_flag(void **state) {
    (void)state;
    Compiled c;
    assert_compiles(&c, "model Tree { children: list<Tree>; }\nmodel A { b: B | null; }\nmodel B { a: A; }\n"
                        "model Leaf { x: int; }\nmodel Holder { leaf: Leaf; }\n");
    assert_true(find_decl(c.program, "Tree")->recursive);
    assert_true(find_decl(c.program, "A")->recursive);
    assert_true(find_decl(c.program, "B")->recursive);
    assert_false(find_decl(c.program, "Leaf")->recursive);
    assert_false(find_decl(c.program, "Holder")->recursive);
    compiled_free(&c);
}

/* spec/rpc-idl.md, Open models: @open marks a model that keeps keys it does not declare. */
static void test_open_flag(void **state) {
    (void)state;
    Compiled c;
    assert_compiles(&c, "model Open @open { x: int; }\nmodel Closed { x: int; }\n");
    assert_true(find_decl(c.program, "Open")->open);
    assert_false(find_decl(c.program, "Closed")->open);
    compiled_free(&c);
    assert_compile_error("model M @open(1) { x: int; }", "@open takes no argument");
    assert_compile_error("model M { x: int @open; }", "@open is not allowed on a field");
}

static void test_unbuildable_models(void **state) {
    (void)state;
    assert_compile_error("model N { next: N; }", "model 'N' has no finite value");
    assert_compile_error("model A { b: B; }\nmodel B { a: A; }", "model 'A' has no finite value");
    assert_compile_error("model A { u: U; }\nunion U = A | B;\nmodel B { a: A; }", "model 'A' has no finite value");
    /* a union with one buildable alternative ends the chain */
    Compiled c;
    assert_compiles(&c, "model A { u: U; }\nunion U = A | int;\n");
    compiled_free(&c);
}

static void test_target_names(void **state) {
    (void)state;
    Compiled c;
    assert_compiles(&c, "enum TaskStatus: string { in_progress; }\nmodel user_profile { user_id: string; class: int; }\n"
                        "rpc tasks.get_stats(user_profile) -> user_profile;\n");
    IrDecl *status = find_decl(c.program, "TaskStatus");
    assert_string_equal(status->members[0]->names.in[TARGET_PYTHON], "IN_PROGRESS");
    assert_string_equal(status->members[0]->names.in[TARGET_GO], "TaskStatusInProgress");
    IrDecl *profile = find_decl(c.program, "user_profile");
    assert_string_equal(profile->names.in[TARGET_GO], "UserProfile");
    IrField *class_field = find_field(profile, "class");
    assert_string_equal(class_field->names.in[TARGET_PYTHON], "class_");
    assert_string_equal(class_field->names.in[TARGET_TYPESCRIPT], "class");
    assert_string_equal(class_field->wire_name, "class");
    assert_string_equal(find_field(profile, "user_id")->names.in[TARGET_GO], "UserID");
    IrRpc *rpc = c.program->rpcs[0];
    assert_string_equal(rpc->names.in[TARGET_PYTHON], "tasks_get_stats");
    assert_string_equal(rpc->names.in[TARGET_TYPESCRIPT], "tasksGetStats");
    assert_string_equal(rpc->names.in[TARGET_GO], "TasksGetStats");
    compiled_free(&c);
}

static void test_collisions_name_both_locations(void **state) {
    (void)state;
    Compiled c;
    compile_text(&c, "t.rpc", "model P { }\nrpc a.b_c(P) -> P;\nrpc a_b.c(P) -> P;\n");
    assert_int_equal(c.diags.error_count, 1);
    assert_non_null(strstr(c.messages, "t.rpc:3:5: error: method 'a_b.c' and method 'a.b_c' both become 'a_b_c' in "
                                       "Python and Rust, 'aBC' in TypeScript, 'ABC' in Go"));
    assert_non_null(strstr(c.messages, "t.rpc:2:5: note: method 'a.b_c' is declared here"));
    compiled_free(&c);
    assert_compile_error("model A { user_id: int; userId: int @json(\"u\"); }", "both become 'UserID' in Go");
    assert_compile_error("enum S: string { ok; }\nmodel SOk { }", "both become 'SOk' in Go");
}

static void test_type_errors(void **state) {
    (void)state;
    assert_compile_error("model A { m: map<float, int>; }", "map keys must be string, int, uuid or an enum, not float");
    assert_compile_error("type L = list<L>;", "type alias 'L' refers to itself");
    assert_compile_error("model A { }\nunion U = A | A;", "A appears twice in 'U'");
    assert_compile_error("model A { x: Missing; }", "unknown type 'Missing'");
    assert_compile_error("model A { x: int = \"1\"; }", "default of 'A.x' does not fit int");
    assert_compile_error("model A { x: int = 0 @range(gt: 0); }", "outside the field's @range");
    assert_compile_error("model A { x: string @range(ge: 1); }", "@range applies to int, float and decimal");
    assert_compile_error("model A { x: int @json(\"a\") @json(\"b\"); }", "@json given twice");
}

static void test_default_wire_formats(void **state) {
    (void)state;
    Compiled c;
    assert_compiles(&c, "model M {\n"
                        "  u: uuid = \"123e4567-e89b-12d3-a456-426614174000\";\n"
                        "  t: timestamp = \"2024-02-29T23:59:59.5-03:00\";\n"
                        "  d: date = \"2000-02-29\";\n"
                        "  h: time = \"00:00:00\";\n"
                        "  p: duration = \"P1W\";\n"
                        "  q: duration = \"PT0.5S\";\n"
                        "  x: decimal = 10;\n"
                        "  b: bytes = \"\";\n"
                        "  a: any = {\"k\": [1, \"two\", null]};\n}\n");
    compiled_free(&c);
    assert_compile_error("model M { d: date = \"1900-02-29\"; }", "not a date");
    assert_compile_error("model M { p: duration = \"P\"; }", "not an ISO 8601 duration");
    assert_compile_error("model M { p: duration = \"PT1H2D\"; }", "not an ISO 8601 duration");
    assert_compile_error("model M { b: bytes = \"abc\"; }", "base64");
    assert_compile_error("model M { t: timestamp = \"2024-01-01T00:00:00+24:00\"; }", "not an RFC 3339 timestamp");
}

/* Imports need real files: a small tree in a temporary directory. */
static char *make_tree(void) {
    char *dir = strdup("/tmp/rpcc-test-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/sub", dir);
    mkdir(path, 0700);
    const char *files[][2] = {
        {"common.rpc", "model Common { id: string; }\n"},
        {"sub/middle.rpc", "import \"../common.rpc\";\nmodel Middle { c: Common; }\n"},
    };
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i][0]);
        FILE *f = fopen(path, "w");
        fputs(files[i][1], f);
        fclose(f);
    }
    return dir;
}

static void remove_tree(char *dir) {
    char command[300];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    assert_int_equal(system(command), 0);
    free(dir);
}

static void test_imports_resolve_and_order(void **state) {
    (void)state;
    char *dir = make_tree();
    char main_path[256];
    snprintf(main_path, sizeof main_path, "%s/main.rpc", dir);
    Compiled c;
    compile_text(&c, main_path, "import \"sub/middle.rpc\";\nimport \"common.rpc\";\nmodel Main { m: Middle; c: Common; }\n");
    if (!c.program) fail_msg("%s", c.messages);
    /* dependency order: common, middle, main; each file once */
    assert_int_equal(c.program->file_count, 3);
    assert_non_null(strstr(c.program->files[0]->path, "common.rpc"));
    assert_non_null(strstr(c.program->files[1]->path, "sub/middle.rpc"));
    assert_string_equal(c.program->decls[0]->name, "Common");
    assert_string_equal(c.program->decls[2]->name, "Main");
    compiled_free(&c);

    compile_text(&c, main_path, "import \"sub/middle.rpc\";\nmodel Main { c: Common; }\n");
    assert_non_null(strstr(c.messages, "'Common' is declared in"));
    assert_non_null(strstr(c.messages, "which this file does not import"));
    compiled_free(&c);
    remove_tree(dir);
}

static void test_include_directories(void **state) {
    (void)state;
    char *dir = make_tree();
    char main_path[256], include[256];
    snprintf(main_path, sizeof main_path, "%s/sub/main.rpc", dir);
    snprintf(include, sizeof include, "%s", dir);
    const char *include_dirs[] = {"/nonexistent", include};
    Compiled c;
    memset(&c, 0, sizeof c);
    arena_init(&c.arena);
    c.sink = open_memstream(&c.messages, &c.messages_size);
    diag_init(&c.diags, c.sink, DIAG_FORMAT_TEXT, false);
    LoadOptions options = {include_dirs, 2};
    /* "common.rpc" is not beside sub/main.rpc: found through the second -I directory */
    const char *text = "import \"common.rpc\";\nmodel Main { c: Common; }\n";
    load_program(source_from_bytes(main_path, text, strlen(text)), &options, &c.arena, &c.diags, &c.loaded);
    assert_int_equal(c.diags.error_count, 0);
    assert_int_equal(c.loaded.count, 2);
    compiled_free(&c);
    remove_tree(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_presence_and_nullability),
        cmocka_unit_test(test_literal_unions_stay_literals),
        cmocka_unit_test(test_inline_unions_are_hoisted_after_their_owner),
        cmocka_unit_test(test_unions_mixing_literals_and_types_are_hoisted),
        cmocka_unit_test(test_python_field_named_like_a_type_is_escaped),
        cmocka_unit_test(test_docs_lose_trailing_white_space),
        cmocka_unit_test(test_alias_of_union_is_a_union),
        cmocka_unit_test(test_discriminator_resolves_to_wire_name),
        cmocka_unit_test(test_annotations_lower_into_constraints),
        cmocka_unit_test(test_enum_values_and_defaults),
        cmocka_unit_test(test_recursive_flag),
        cmocka_unit_test(test_open_flag),
        cmocka_unit_test(test_unbuildable_models),
        cmocka_unit_test(test_target_names),
        cmocka_unit_test(test_collisions_name_both_locations),
        cmocka_unit_test(test_type_errors),
        cmocka_unit_test(test_default_wire_formats),
        cmocka_unit_test(test_imports_resolve_and_order),
        cmocka_unit_test(test_include_directories),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
