/* frontend/source.c: a mapped input file that changes while rpcc runs. Shrunk (an editor saving in place), reading
 * the text past its new end faults (SIGBUS): lexing, parsing and printing a diagnostic must then report the file and
 * exit with status 1, not crash. Each case runs in a forked child (the report ends the process); the file is
 * truncated before the read, so nothing depends on timing. */
#define _DEFAULT_SOURCE /* mkstemps */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "frontend/diag.h"
#include "frontend/parse.h"
#include "frontend/source.h"

/* A schema of a few pages (its size not a whole number of pages, so that it is mapped), with one error at its end
 * when asked: a diagnostic to print. */
static char *write_schema(bool with_error) {
    char *path = strdup("/tmp/s4-source-test-XXXXXX.rpc");
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    FILE *stream = fdopen(fd, "w");
    assert_non_null(stream);
    for (int i = 0; i < 400; i++) fprintf(stream, "model M%d {\n  id: string;\n}\n", i);
    if (with_error) fputs("model Broken { id: ; }\n", stream);
    fputs("// end\n", stream);
    fclose(stream);
    return path;
}

typedef enum Step { PARSE, PRINT_DIAGNOSTIC } Step;

/* In a child: maps `path`, and when `step` needs the text, truncates the file to zero bytes first; stderr goes to
 * `stderr_path`. Returns the child's wait status. */
static int run_child(const char *path, Step step, const char *stderr_path) {
    fflush(NULL);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        FILE *captured = freopen(stderr_path, "w", stderr);
        if (!captured) _exit(90);
        setvbuf(stderr, NULL, _IONBF, 0);
        SourceFile *source = source_read(path);
        if (!source || !source->mapped) _exit(91);
        Diagnostics diags;
        diag_init(&diags, stderr, DIAG_FORMAT_TEXT, false);
        Arena arena;
        arena_init(&arena);
        if (step == PRINT_DIAGNOSTIC) {
            parse_file(source, &arena, &diags); /* while the file is whole: one syntax error */
            if (diags.error_count != 1) _exit(92);
            source_release_pages(source); /* as after lowering: the pages are read again from the file */
        }
        if (truncate(path, 0) != 0) _exit(93);
        if (step == PARSE) parse_file(source, &arena, &diags);
        diag_flush(&diags);
        _exit(0); /* the text was read: the report should have ended the process */
    }
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    return status;
}

static char *read_whole(const char *path) {
    FILE *stream = fopen(path, "rb");
    assert_non_null(stream);
    static char text[4096];
    size_t length = fread(text, 1, sizeof text - 1, stream);
    text[length] = '\0';
    fclose(stream);
    return text;
}

static void expect_report(bool with_error, Step step) {
    char *path = write_schema(with_error);
    char stderr_path[] = "/tmp/s4-source-test-stderr-XXXXXX";
    int fd = mkstemp(stderr_path);
    assert_true(fd >= 0);
    close(fd);
    int status = run_child(path, step, stderr_path);
    if (WIFSIGNALED(status)) fail_msg("the child died of signal %d", WTERMSIG(status));
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    char expected[256];
    snprintf(expected, sizeof expected, "%s: error: the file changed while rpcc was reading it\n", path);
    assert_string_equal(read_whole(stderr_path), expected);
    unlink(stderr_path);
    unlink(path);
    free(path);
}

static void test_truncated_before_parsing(void **state) {
    (void)state;
    expect_report(false, PARSE);
}

static void test_truncated_before_printing_a_diagnostic(void **state) {
    (void)state;
    expect_report(true, PRINT_DIAGNOSTIC);
}

/* Bytes appended to the file after it was mapped do not replace the NUL after its text (the lexer's sentinel). */
static void test_appended_bytes_leave_the_sentinel(void **state) {
    (void)state;
    char *path = write_schema(false);
    SourceFile *source = source_read(path);
    assert_non_null(source);
    assert_true(source->mapped);
    FILE *stream = fopen(path, "ab");
    assert_non_null(stream);
    fputs("model Appended {}\n", stream);
    fclose(stream);
    assert_int_equal(source->text[source->length], '\0');
    source_free(source);
    unlink(path);
    free(path);
}

/* An unchanged mapped file parses as before: the handler stays out of the way. */
static void test_unchanged_file_reads_normally(void **state) {
    (void)state;
    char *path = write_schema(false);
    SourceFile *source = source_read(path);
    assert_non_null(source);
    Diagnostics diags;
    diag_init(&diags, stderr, DIAG_FORMAT_TEXT, false);
    Arena arena;
    arena_init(&arena);
    parse_file(source, &arena, &diags);
    assert_int_equal(diags.error_count, 0);
    arena_free(&arena);
    diag_free(&diags);
    source_free(source);
    unlink(path);
    free(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truncated_before_parsing),
        cmocka_unit_test(test_truncated_before_printing_a_diagnostic),
        cmocka_unit_test(test_appended_bytes_leave_the_sentinel),
        cmocka_unit_test(test_unchanged_file_reads_normally),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
