/* grammar/parser.y and frontend/parse.c: the AST each construct gives, spans, docs, recovery. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "support.h"

typedef struct Parsed {
    Arena arena;
    Diagnostics diags;
    SourceFile *source;
    AstFile *file;
    char *messages;
    size_t messages_size;
    FILE *sink;
} Parsed;

static void parse_text(Parsed *parsed, const char *text) {
    memset(parsed, 0, sizeof *parsed);
    arena_init(&parsed->arena);
    parsed->sink = open_memstream(&parsed->messages, &parsed->messages_size);
    diag_init(&parsed->diags, parsed->sink, DIAG_FORMAT_TEXT, false);
    parsed->source = source_from_bytes("p.rpc", text, strlen(text));
    parsed->file = parse_file(parsed->source, &parsed->arena, &parsed->diags);
    diag_flush(&parsed->diags);
    fflush(parsed->sink);
}

static void parsed_free(Parsed *parsed) {
    diag_free(&parsed->diags);
    source_free(parsed->source);
    arena_free(&parsed->arena);
    fclose(parsed->sink);
    free(parsed->messages);
}

static void assert_span(Span span, const char *text) {
    if (!span_equals(span, text)) fail_msg("span is '%.*s', expected '%s'", (int)span.length, span_text(span), text);
}

/* A file with a syntax error is parsed twice (fast, then carefully: parse.c): what the fast pass reported before
 * the error (a bad escape, an import after a declaration, a doc comment at the end) is reported once, not twice,
 * and the AST is the careful pass's. */
static void test_reparse_after_syntax_error_reports_once(void **state) {
    (void)state;
    Parsed parsed;
    parse_text(&parsed, "model A { s: \"a\\q\" = 1; }\nimport \"x.rpc\";\nmodel B { x int; y: int; }\n"
                        "model C { z: int; }\n/// dangling\n");
    assert_int_equal(parsed.diags.error_count, 3); /* the escape, the import, the missing ':' */
    assert_int_equal(parsed.diags.warning_count, 1);
    assert_non_null(strstr(parsed.messages, "unknown escape sequence"));
    assert_non_null(strstr(parsed.messages, "imports must come before declarations"));
    assert_non_null(strstr(parsed.messages, "unexpected name 'int', expected ':'"));
    assert_non_null(strstr(parsed.messages, "doc comment documents nothing"));
    assert_int_equal(parsed.file->decls.count, 3);
    assert_int_equal(parsed.file->imports.count, 1);
    const char *escape = strstr(parsed.messages, "unknown escape sequence");
    assert_null(strstr(escape + 1, "unknown escape sequence"));
    parsed_free(&parsed);
}

/* A doc's text (not NUL-terminated: a one-line doc points into the source). */
static void assert_doc(const AstDoc *doc, const char *text) {
    assert_non_null(doc);
    if (doc->length != strlen(text) || memcmp(doc->text, text, doc->length) != 0)
        fail_msg("doc is '%.*s', expected '%s'", (int)doc->length, doc->text, text);
}

static void test_model_fields_presence_defaults(void **state) {
    (void)state;
    Parsed parsed;
    parse_text(&parsed, "/// The model.\nmodel M @deprecated(\"old\") {\n"
                        "    /// A field.\n    a: int;\n    b?: string | null;\n    c: list<int> = [1, 2,];\n"
                        "    type: map<string, M> = {\"k\": null} @length(max: 3);\n}\n");
    assert_int_equal(parsed.diags.error_count, 0);
    assert_int_equal(parsed.file->decls.count, 1);
    AstDecl *decl = parsed.file->decls.items[0];
    assert_int_equal(decl->kind, AST_DECL_MODEL);
    assert_span(decl->name, "M");
    assert_doc(decl->doc, "The model.");
    assert_int_equal(decl->annotations->count, 1);
    assert_int_equal(decl->fields.count, 4);

    AstField *a = decl->fields.items[0];
    assert_span(a->name, "a");
    assert_doc(a->doc, "A field.");
    assert_false(a->optional);
    assert_int_equal(a->type->kind, AST_TYPE_NAME);

    AstField *b = decl->fields.items[1];
    assert_true(b->optional);
    assert_span(b->question, "?");
    assert_int_equal(b->type->kind, AST_TYPE_UNION);
    assert_int_equal(b->type->alternatives.count, 2);
    assert_span(b->type->span, "string | null");

    AstField *c = decl->fields.items[2];
    assert_int_equal(c->default_value->kind, AST_VALUE_LIST);
    assert_int_equal(c->default_value->items.count, 2);
    assert_span(c->default_value->span, "[1, 2,]");
    assert_true(ast_type_has_arguments(c->type));
    assert_span(c->type->span, "list<int>");

    AstField *keyword_named = decl->fields.items[3];
    assert_span(keyword_named->name, "type"); /* keywords are fine as field names */
    assert_int_equal(keyword_named->default_value->kind, AST_VALUE_OBJECT);
    assert_int_equal(keyword_named->default_value->keys.count, 1);
    assert_int_equal(keyword_named->annotations->count, 1);
    AstAnnotation *length = keyword_named->annotations->items[0];
    assert_span(length->span, "@length(max: 3)");
    AstAnnotationArgument *max = length->arguments.items[0];
    assert_span(max->name, "max");
    parsed_free(&parsed);
}

static void test_unions_flatten(void **state) {
    (void)state;
    Parsed parsed;
    parse_text(&parsed, "union U = A | B | \"lit\" | 3 | true | null;\n");
    AstDecl *decl = parsed.file->decls.items[0];
    assert_int_equal(decl->type->kind, AST_TYPE_UNION);
    assert_int_equal(decl->type->alternatives.count, 6);
    AstType *literal = decl->type->alternatives.items[2];
    assert_int_equal(literal->kind, AST_TYPE_LITERAL);
    assert_string_equal(literal->literal->text, "lit");
    assert_int_equal(((AstType *)decl->type->alternatives.items[5])->kind, AST_TYPE_NULL);
    parsed_free(&parsed);
}

static void test_enum_and_members(void **state) {
    (void)state;
    Parsed parsed;
    parse_text(&parsed, "enum E: int {\n  /// one\n  one = 1 @deprecated;\n  null = 2;\n}\n");
    assert_int_equal(parsed.diags.error_count, 0);
    AstDecl *decl = parsed.file->decls.items[0];
    assert_span(decl->enum_base, "int");
    assert_int_equal(decl->members.count, 2);
    AstEnumMember *one = decl->members.items[0];
    assert_doc(one->doc, "one");
    assert_int_equal(one->value->int_value, 1);
    assert_int_equal(one->annotations->count, 1);
    assert_span(((AstEnumMember *)decl->members.items[1])->name, "null");
    parsed_free(&parsed);
}

static void test_rpc_method_segments(void **state) {
    (void)state;
    Parsed parsed;
    parse_text(&parsed, "/// Doc.\nrpc tasks . get_stats /* c */ . type(P) -> R;\nrpc system.health() -> H;\n");
    assert_int_equal(parsed.diags.error_count, 0);
    AstDecl *rpc = parsed.file->decls.items[0];
    assert_string_equal(rpc->method.text, "tasks.get_stats.type");
    assert_int_equal(rpc->method.segment_count, 3);
    assert_doc(rpc->doc, "Doc.");
    assert_true(rpc->has_params);
    assert_span(rpc->params, "P");
    assert_span(rpc->result, "R");
    AstDecl *health = parsed.file->decls.items[1];
    assert_false(health->has_params);
    parsed_free(&parsed);
}

static void test_imports_and_alias(void **state) {
    (void)state;
    Parsed parsed;
    parse_text(&parsed, "import \"a.rpc\";\nimport \"dir/b.rpc\";\ntype Id = string;\n");
    assert_int_equal(parsed.file->imports.count, 2);
    assert_string_equal(((AstImport *)parsed.file->imports.items[1])->path, "dir/b.rpc");
    AstDecl *alias = parsed.file->decls.items[0];
    assert_int_equal(alias->kind, AST_DECL_ALIAS);
    parsed_free(&parsed);
}

static void test_recovery_reports_every_statement(void **state) {
    (void)state;
    Parsed parsed;
    parse_text(&parsed, "model A { x int; y: int; }\nmodel B { z: ; }\nenum C: string { ; }\nrpc a(P) R;\n"
                        "model D { ok: int; }\n");
    assert_int_equal(parsed.diags.error_count, 4);
    /* the declarations around the errors survive */
    int models = 0;
    for (size_t i = 0; i < parsed.file->decls.count; i++)
        if (((AstDecl *)parsed.file->decls.items[i])->kind == AST_DECL_MODEL) models++;
    assert_int_equal(models, 3);
    parsed_free(&parsed);
}

static void test_missing_semicolon_before_brace_recovers_at_brace(void **state) {
    (void)state;
    Parsed parsed;
    parse_text(&parsed, "model A {\n    x: int\n}\nmodel B { y: int; }\n");
    assert_int_equal(parsed.diags.error_count, 1);
    assert_int_equal(parsed.file->decls.count, 2);
    /* Every token that could follow `x: int`, not only those left after LALR's default reductions (issue 17). */
    assert_non_null(strstr(parsed.messages, "p.rpc:3:1: error: unexpected '}', expected '<', ';', '=', '|' or '@'"));
    AstDecl *a = parsed.file->decls.items[0], *b = parsed.file->decls.items[1];
    assert_true(a->incomplete);
    assert_false(b->incomplete);
    parsed_free(&parsed);
}

/* A declaration a syntax error dropped leaves its name, so that its uses are no "unknown type"; the one before the
 * first error counts too (the error may be in it). */
static void test_dropped_declarations_leave_their_names(void **state) {
    (void)state;
    Parsed parsed;
    parse_text(&parsed, "model Kept { x: int; }\nunion U = ;\nmodel M @json( { y: int; }\nmodel Also { z: int; }\n");
    assert_int_equal(parsed.diags.error_count, 2);
    assert_int_equal(parsed.file->decls.count, 2);
    assert_int_equal(parsed.file->lost_names.count, 2);
    const Span *first = parsed.file->lost_names.items[0], *second = parsed.file->lost_names.items[1];
    assert_true(span_equals(*first, "U"));
    assert_true(span_equals(*second, "M"));
    parsed_free(&parsed);
}

static void test_expected_tokens_in_message(void **state) {
    (void)state;
    Parsed parsed;
    parse_text(&parsed, "rpc a.b(P) R;");
    /* `;` and `@` too: `rpc a.b(P) @oneway;` has no result. */
    assert_non_null(strstr(parsed.messages, "p.rpc:1:12: error: unexpected name 'R', expected ';', '@' or '->'"));
    parsed_free(&parsed);
}

static void test_deep_nesting_is_an_error_not_a_crash(void **state) {
    (void)state;
    size_t depth = 5000;
    char *text = malloc(depth * 6 + 64);
    strcpy(text, "model A { x: ");
    for (size_t i = 0; i < depth; i++) strcat(text, "list<");
    strcat(text, "int");
    for (size_t i = 0; i < depth; i++) strcat(text, ">");
    strcat(text, "; }");
    Parsed parsed;
    parse_text(&parsed, text);
    assert_int_equal(parsed.diags.error_count, 1);
    assert_non_null(strstr(parsed.messages, "nesting too deep"));
    parsed_free(&parsed);
    free(text);
}

static void test_doc_documenting_nothing_warns(void **state) {
    (void)state;
    Parsed parsed;
    parse_text(&parsed, "model A {\n    /// inside, at the end\n}\n/// at the end of the file\n");
    assert_int_equal(parsed.diags.error_count, 0);
    assert_int_equal(parsed.diags.warning_count, 2);
    parsed_free(&parsed);
}

static void test_encoding_checks(void **state) {
    (void)state;
    Parsed parsed;
    parse_text(&parsed, "model A { x: \"\xc0\xaf\"; }"); /* an overlong encoding of '/' */
    assert_non_null(strstr(parsed.messages, "invalid UTF-8 (byte 0xC0)"));
    parsed_free(&parsed);
    parse_text(&parsed, "model A { x: \"\xed\xa0\x80\"; }"); /* an encoded surrogate */
    assert_non_null(strstr(parsed.messages, "invalid UTF-8 (byte 0xED)"));
    parsed_free(&parsed);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_fields_presence_defaults),
        cmocka_unit_test(test_unions_flatten),
        cmocka_unit_test(test_enum_and_members),
        cmocka_unit_test(test_rpc_method_segments),
        cmocka_unit_test(test_imports_and_alias),
        cmocka_unit_test(test_recovery_reports_every_statement),
        cmocka_unit_test(test_missing_semicolon_before_brace_recovers_at_brace),
        cmocka_unit_test(test_expected_tokens_in_message),
        cmocka_unit_test(test_dropped_declarations_leave_their_names),
        cmocka_unit_test(test_deep_nesting_is_an_error_not_a_crash),
        cmocka_unit_test(test_doc_documenting_nothing_warns),
        cmocka_unit_test(test_encoding_checks),
        cmocka_unit_test(test_reparse_after_syntax_error_reports_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
