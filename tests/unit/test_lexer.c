/* grammar/lexer.re: every token kind with its exact location, string decoding, numbers, doc comments, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "frontend/lexer.h"
#include "parser.h"

typedef struct Lexed {
    Arena arena;
    Diagnostics diags;
    SourceFile *file;
    Lexer lexer;
    FILE *sink;
} Lexed;

static void lex_open(Lexed *lexed, const char *text, size_t length) {
    arena_init(&lexed->arena);
    lexed->sink = fopen("/dev/null", "w");
    diag_init(&lexed->diags, lexed->sink, DIAG_FORMAT_TEXT, false);
    lexed->file = source_from_bytes("t.rpc", text, length);
    lexer_init(&lexed->lexer, lexed->file, &lexed->diags, &lexed->arena);
}

static void lex_close(Lexed *lexed) {
    diag_free(&lexed->diags);
    source_free(lexed->file);
    arena_free(&lexed->arena);
    fclose(lexed->sink);
}

/* Asserts the next token's kind, 1-based line and column, and length. */
static Token expect_token(Lexed *lexed, int kind, uint32_t line, uint32_t column, uint32_t length) {
    Token token = lexer_next(&lexed->lexer);
    uint32_t got_line, got_column;
    source_position(lexed->file, token.span.offset, &got_line, &got_column);
    if (token.kind != kind || got_line != line || got_column != column || token.span.length != length)
        fail_msg("token %s at %u:%u length %u, expected %s at %u:%u length %u", token_kind_name(token.kind), got_line,
                 got_column, token.span.length, token_kind_name(kind), line, column, length);
    return token;
}

static void test_every_token_with_location(void **state) {
    (void)state;
    const char *text = "import model enum union type rpc null true false\n"
                       "  name_1 42 -7 1.5 -2e3 \"s\"\n"
                       "{ } ( ) < > [ ] , ; : = ? | . @ ->\n";
    Lexed lexed;
    lex_open(&lexed, text, strlen(text));
    int keywords[] = {TK_IMPORT, TK_MODEL, TK_ENUM, TK_UNION, TK_TYPE, TK_RPC, TK_NULL, TK_TRUE, TK_FALSE};
    uint32_t columns[] = {1, 8, 14, 19, 25, 30, 34, 39, 44};
    uint32_t lengths[] = {6, 5, 4, 5, 4, 3, 4, 4, 5};
    for (size_t i = 0; i < 9; i++) expect_token(&lexed, keywords[i], 1, columns[i], lengths[i]);
    expect_token(&lexed, TK_IDENT, 2, 3, 6);
    assert_int_equal(expect_token(&lexed, TK_INT, 2, 10, 2).int_value, 42);
    assert_int_equal(expect_token(&lexed, TK_INT, 2, 13, 2).int_value, -7);
    expect_token(&lexed, TK_FLOAT, 2, 16, 3);
    expect_token(&lexed, TK_FLOAT, 2, 20, 4);
    Token string = expect_token(&lexed, TK_STRING, 2, 25, 3);
    assert_string_equal(string.text, "s");
    int punctuation[] = {TK_LBRACE, TK_RBRACE, TK_LPAREN, TK_RPAREN, TK_LT,   TK_GT,       TK_LBRACKET, TK_RBRACKET,
                         TK_COMMA,  TK_SEMI,   TK_COLON,  TK_EQ,     TK_QUESTION, TK_PIPE, TK_DOT,      TK_AT};
    for (size_t i = 0; i < 16; i++) expect_token(&lexed, punctuation[i], 3, (uint32_t)(1 + 2 * i), 1);
    expect_token(&lexed, TK_ARROW, 3, 33, 2);
    expect_token(&lexed, 0, 4, 1, 0);
    assert_int_equal(lexed.diags.error_count, 0);
    lex_close(&lexed);
}

static void test_keywords_are_whole_words(void **state) {
    (void)state;
    const char *text = "models imports typed rpcs nullable channels";
    Lexed lexed;
    lex_open(&lexed, text, strlen(text));
    for (int i = 0; i < 6; i++) assert_int_equal(lexer_next(&lexed.lexer).kind, TK_IDENT);
    lex_close(&lexed);
    lex_open(&lexed, "channel", 7);
    expect_token(&lexed, TK_CHANNEL, 1, 1, 7);
    lex_close(&lexed);
}

static void test_comments_and_crlf(void **state) {
    (void)state;
    const char *text = "// line comment\r\n/* block\n comment */ a\r\n  b";
    Lexed lexed;
    lex_open(&lexed, text, strlen(text));
    expect_token(&lexed, TK_IDENT, 3, 13, 1);
    expect_token(&lexed, TK_IDENT, 4, 3, 1);
    assert_int_equal(lexed.diags.error_count, 0);
    lex_close(&lexed);
}

static void test_byte_order_mark_is_skipped(void **state) {
    (void)state;
    const char *text = "\xEF\xBB\xBFmodel";
    Lexed lexed;
    lex_open(&lexed, text, strlen(text));
    expect_token(&lexed, TK_MODEL, 1, 4, 5);
    lex_close(&lexed);
}

static void test_doc_comments_join_and_attach(void **state) {
    (void)state;
    const char *text = "/// First line.\n///\n///   indented\n//// not a doc\nmodel\n/// second\nx";
    Lexed lexed;
    lex_open(&lexed, text, strlen(text));
    Token model = expect_token(&lexed, TK_MODEL, 5, 1, 5);
    assert_non_null(model.doc);
    assert_int_equal(model.doc->doc.length, strlen("First line.\n\n  indented"));
    assert_memory_equal(model.doc->doc.text, "First line.\n\n  indented", model.doc->doc.length);
    Token x = expect_token(&lexed, TK_IDENT, 7, 1, 1);
    assert_non_null(x.doc);
    assert_int_equal(x.doc->doc.length, strlen("second")); /* not NUL-terminated: it points into the source */
    assert_memory_equal(x.doc->doc.text, "second", x.doc->doc.length);
    assert_ptr_equal(lexed.lexer.first_doc->next, lexed.lexer.last_doc);
    assert_null(lexed.lexer.last_doc->next);
    lex_close(&lexed);
}

static void test_string_escapes_decode(void **state) {
    (void)state;
    const char *text = "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00 \xe2\x82\xac\"";
    Lexed lexed;
    lex_open(&lexed, text, strlen(text));
    Token token = lexer_next(&lexed.lexer);
    assert_int_equal(token.kind, TK_STRING);
    const char *expected = "a\"b\\c/d\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80 \xe2\x82\xac";
    assert_int_equal(token.text_length, strlen(expected));
    assert_memory_equal(token.text, expected, strlen(expected));
    assert_int_equal(lexed.diags.error_count, 0);
    lex_close(&lexed);
}

static void test_string_nul_escape_keeps_length(void **state) {
    (void)state;
    const char *text = "\"a\\u0000b\"";
    Lexed lexed;
    lex_open(&lexed, text, strlen(text));
    Token token = lexer_next(&lexed.lexer);
    assert_int_equal(token.text_length, 3);
    assert_memory_equal(token.text, "a\0b", 3);
    lex_close(&lexed);
}

static void test_string_errors(void **state) {
    (void)state;
    const char *cases[] = {"\"\\q\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00x\"", "\"open", "\"a\nb\"", "\"\t\""};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Lexed lexed;
        lex_open(&lexed, cases[i], strlen(cases[i]));
        assert_int_equal(lexer_next(&lexed.lexer).kind, TK_STRING);
        if (lexed.diags.error_count == 0) fail_msg("no error for %s", cases[i]);
        lex_close(&lexed);
    }
}

static void test_integer_limits(void **state) {
    (void)state;
    const char *text = "9223372036854775807 -9223372036854775808 9223372036854775808 -9223372036854775809";
    Lexed lexed;
    lex_open(&lexed, text, strlen(text));
    assert_true(lexer_next(&lexed.lexer).int_value == INT64_MAX);
    assert_true(lexer_next(&lexed.lexer).int_value == INT64_MIN);
    assert_int_equal(lexed.diags.error_count, 0);
    lexer_next(&lexed.lexer);
    assert_int_equal(lexed.diags.error_count, 1);
    lexer_next(&lexed.lexer);
    assert_int_equal(lexed.diags.error_count, 2);
    lex_close(&lexed);
}

static void test_number_forms(void **state) {
    (void)state;
    const char *text = "0 -0 0.5 1e9 1E+9 2.5e-3 007 1.";
    Lexed lexed;
    lex_open(&lexed, text, strlen(text));
    int kinds[] = {TK_INT, TK_INT, TK_FLOAT, TK_FLOAT, TK_FLOAT, TK_FLOAT};
    for (size_t i = 0; i < 6; i++) assert_int_equal(lexer_next(&lexed.lexer).kind, kinds[i]);
    assert_int_equal(lexed.diags.error_count, 0);
    assert_int_equal(lexer_next(&lexed.lexer).kind, TK_INT); /* 007: reported, still a token */
    assert_int_equal(lexed.diags.error_count, 1);
    assert_int_equal(lexer_next(&lexed.lexer).kind, TK_INT); /* "1." is 1 then '.' */
    assert_int_equal(lexer_next(&lexed.lexer).kind, TK_DOT);
    lex_close(&lexed);
}

static void test_unexpected_characters_are_skipped_whole(void **state) {
    (void)state;
    const char *text = "a $ \xe2\x82\xac b";
    Lexed lexed;
    lex_open(&lexed, text, strlen(text));
    expect_token(&lexed, TK_IDENT, 1, 1, 1);
    expect_token(&lexed, TK_IDENT, 1, 9, 1);
    assert_int_equal(lexed.diags.error_count, 2);
    assert_int_equal(lexed.diags.items[1]->span.length, 3); /* the euro sign, all three bytes */
    lex_close(&lexed);
}

static void test_unterminated_comment(void **state) {
    (void)state;
    const char *text = "a /* b";
    Lexed lexed;
    lex_open(&lexed, text, strlen(text));
    expect_token(&lexed, TK_IDENT, 1, 1, 1);
    assert_int_equal(lexer_next(&lexed.lexer).kind, 0);
    assert_int_equal(lexed.diags.error_count, 1);
    lex_close(&lexed);
}

static void test_empty_input(void **state) {
    (void)state;
    Lexed lexed;
    lex_open(&lexed, "", 0);
    expect_token(&lexed, 0, 1, 1, 0);
    expect_token(&lexed, 0, 1, 1, 0); /* the end stays the end */
    lex_close(&lexed);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_token_with_location),
        cmocka_unit_test(test_keywords_are_whole_words),
        cmocka_unit_test(test_comments_and_crlf),
        cmocka_unit_test(test_byte_order_mark_is_skipped),
        cmocka_unit_test(test_doc_comments_join_and_attach),
        cmocka_unit_test(test_string_escapes_decode),
        cmocka_unit_test(test_string_nul_escape_keeps_length),
        cmocka_unit_test(test_string_errors),
        cmocka_unit_test(test_integer_limits),
        cmocka_unit_test(test_number_forms),
        cmocka_unit_test(test_unexpected_characters_are_skipped_whole),
        cmocka_unit_test(test_unterminated_comment),
        cmocka_unit_test(test_empty_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
