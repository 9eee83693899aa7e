/* frontend/diag.c and frontend/source.c: the exact text and JSON layouts, carets under tabs and UTF-8, long lines,
 * ordering, the error limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frontend/diag.h"

typedef struct Output {
    char *text;
    size_t size;
    FILE *stream;
    Diagnostics diags;
} Output;

static void output_open(Output *output, DiagFormat format) {
    output->text = NULL;
    output->stream = open_memstream(&output->text, &output->size);
    diag_init(&output->diags, output->stream, format, false);
}

static const char *output_flush(Output *output) {
    diag_flush(&output->diags);
    fflush(output->stream);
    return output->text;
}

static void output_close(Output *output) {
    diag_free(&output->diags);
    fclose(output->stream);
    free(output->text);
}

static Span span_of(const SourceFile *file, const char *needle) {
    const char *at = strstr(file->text, needle);
    assert_non_null(at);
    return span_make(file, (uint32_t)(at - file->text), (uint32_t)strlen(needle));
}

static void test_positions_and_lines(void **state) {
    (void)state;
    SourceFile *file = source_from_bytes("f.rpc", "ab\r\ncd\n\nef", 10);
    uint32_t line, column;
    source_position(file, 5, &line, &column);
    assert_int_equal(line, 2);
    assert_int_equal(column, 2);
    size_t length;
    const char *text = source_line(file, 0, &length);
    assert_int_equal(length, 2); /* without the \r */
    assert_memory_equal(text, "ab", 2);
    source_position(file, 10, &line, &column); /* the end of the file */
    assert_int_equal(line, 4);
    assert_int_equal(column, 3);
    source_free(file);
}

static void test_text_layout_with_caret_and_tildes(void **state) {
    (void)state;
    SourceFile *file = source_from_bytes("dir/f.rpc", "model A {\n    x: Strng;\n}\n", 27);
    Output output;
    output_open(&output, DIAG_FORMAT_TEXT);
    Diagnostic *error = diag_error(&output.diags, span_of(file, "Strng"), "unknown type '%s'", "Strng");
    diag_set_fix(&output.diags, error, "string");
    diag_note(&output.diags, error, span_of(file, "A"), "in model '%s'", "A");
    assert_string_equal(output_flush(&output), "dir/f.rpc:2:8: error: unknown type 'Strng' (did you mean 'string'?)\n"
                                                "    x: Strng;\n"
                                                "       ^~~~~\n"
                                                "dir/f.rpc:1:7: note: in model 'A'\n"
                                                "model A {\n"
                                                "      ^\n");
    output_close(&output);
    source_free(file);
}

static void test_caret_under_tabs_and_utf8(void **state) {
    (void)state;
    const char *text = "\t\"\xc3\xa9\xc3\xa9\" bad";
    SourceFile *file = source_from_bytes("f.rpc", text, strlen(text));
    Output output;
    output_open(&output, DIAG_FORMAT_TEXT);
    diag_warning(&output.diags, span_of(file, "bad"), "w");
    /* column 9 in bytes; the caret line keeps the tab and counts each é as one column */
    assert_string_equal(output_flush(&output), "f.rpc:1:9: warning: w\n\t\"\xc3\xa9\xc3\xa9\" bad\n\t     ^~~\n");
    output_close(&output);
    source_free(file);
}

static void test_long_line_is_windowed(void **state) {
    (void)state;
    size_t length = 100000;
    char *text = malloc(length + 1);
    memset(text, ' ', length);
    memcpy(text + 50000, "oops", 4);
    text[length] = '\0';
    SourceFile *file = source_from_bytes("f.rpc", text, length);
    Output output;
    output_open(&output, DIAG_FORMAT_TEXT);
    diag_error(&output.diags, span_of(file, "oops"), "e");
    const char *printed = output_flush(&output);
    assert_true(strlen(printed) < 600);
    assert_non_null(strstr(printed, "f.rpc:1:50001: error: e\n..."));
    assert_non_null(strstr(printed, "oops"));
    output_close(&output);
    source_free(file);
    free(text);
}

static void test_json_layout(void **state) {
    (void)state;
    SourceFile *file = source_from_bytes("a \"b\".rpc", "model A {\n  x: Strng;\n}\n", 25);
    Output output;
    output_open(&output, DIAG_FORMAT_JSON);
    Diagnostic *error = diag_error(&output.diags, span_of(file, "Strng"), "unknown type 'Strng'\t!");
    diag_set_fix(&output.diags, error, "string");
    diag_note(&output.diags, error, span_of(file, "A"), "here");
    assert_string_equal(output_flush(&output),
                        "{\"path\":\"a \\\"b\\\".rpc\",\"line\":2,\"column\":6,\"end_line\":2,\"end_column\":11,"
                        /* the one JSON escaper (support/escape.c) writes controls but newline as \u00XX */
                        "\"severity\":\"error\",\"message\":\"unknown type 'Strng'\\u0009!\",\"fixes\":[{\"line\":2,"
                        "\"column\":6,\"end_line\":2,\"end_column\":11,\"replacement\":\"string\"}]}\n"
                        "{\"path\":\"a \\\"b\\\".rpc\",\"line\":1,\"column\":7,\"end_line\":1,\"end_column\":8,"
                        "\"severity\":\"note\",\"message\":\"here\"}\n");
    output_close(&output);
    source_free(file);
}

static void test_sorted_by_file_then_position(void **state) {
    (void)state;
    SourceFile *first = source_from_bytes("first.rpc", "aaa bbb", 7);
    SourceFile *second = source_from_bytes("second.rpc", "ccc", 3);
    Output output;
    output_open(&output, DIAG_FORMAT_TEXT);
    diag_error(&output.diags, span_of(first, "bbb"), "1");
    diag_error(&output.diags, span_of(second, "ccc"), "2");
    diag_error(&output.diags, span_of(first, "aaa"), "3");
    diag_error(&output.diags, span_of(first, "aaa"), "4"); /* same place: report order kept */
    const char *printed = output_flush(&output);
    const char *three = strstr(printed, "error: 3"), *four = strstr(printed, "error: 4");
    const char *one = strstr(printed, "error: 1"), *two = strstr(printed, "error: 2");
    assert_true(three && four && one && two);
    assert_true(three < four && four < one && one < two);
    output_close(&output);
    source_free(first);
    source_free(second);
}

static void test_error_limit(void **state) {
    (void)state;
    SourceFile *file = source_from_bytes("f.rpc", "x", 1);
    Output output;
    output_open(&output, DIAG_FORMAT_TEXT);
    output.diags.max_errors = 2;
    for (int i = 0; i < 5; i++) {
        Diagnostic *error = diag_error(&output.diags, span_make(file, 0, 1), "e%d", i);
        diag_note(&output.diags, error, span_make(file, 0, 1), "n"); /* safe past the limit too */
    }
    assert_true(diag_limit_reached(&output.diags));
    const char *printed = output_flush(&output);
    assert_non_null(strstr(printed, "error: e1"));
    assert_null(strstr(printed, "error: e2"));
    assert_non_null(strstr(printed, "rpcc: error: too many errors (2); stopping"));
    output_close(&output);
    source_free(file);
}

static void test_binary_bytes_are_not_printed_raw(void **state) {
    (void)state;
    const char text[] = "a\x01\xff b";
    SourceFile *file = source_from_bytes("f.rpc", text, sizeof text - 1);
    Output output;
    output_open(&output, DIAG_FORMAT_TEXT);
    diag_error(&output.diags, span_of(file, "b"), "e");
    assert_string_equal(output_flush(&output), "f.rpc:1:5: error: e\na?? b\n    ^\n");
    output_close(&output);
    source_free(file);
}

static void test_color_only_when_asked(void **state) {
    (void)state;
    SourceFile *file = source_from_bytes("f.rpc", "model A { x: Q; }", 17);
    Output output;
    output_open(&output, DIAG_FORMAT_TEXT);
    output.diags.color = true;
    diag_error(&output.diags, span_of(file, "Q"), "unknown type 'Q'");
    const char *printed = output_flush(&output);
    /* bold location, red "error:", green caret, each reset */
    assert_non_null(strstr(printed, "\033[1mf.rpc:1:14: \033[0m\033[1;31merror:\033[0m unknown type 'Q'\n"));
    assert_non_null(strstr(printed, "\033[1;32m^\033[0m\n"));
    output_close(&output);
    output_open(&output, DIAG_FORMAT_TEXT);
    diag_error(&output.diags, span_of(file, "Q"), "unknown type 'Q'");
    assert_null(strchr(output_flush(&output), '\033'));
    output_close(&output);
    source_free(file);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positions_and_lines),
        cmocka_unit_test(test_text_layout_with_caret_and_tildes),
        cmocka_unit_test(test_caret_under_tabs_and_utf8),
        cmocka_unit_test(test_long_line_is_windowed),
        cmocka_unit_test(test_json_layout),
        cmocka_unit_test(test_sorted_by_file_then_position),
        cmocka_unit_test(test_error_limit),
        cmocka_unit_test(test_binary_bytes_are_not_printed_raw),
        cmocka_unit_test(test_color_only_when_asked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
