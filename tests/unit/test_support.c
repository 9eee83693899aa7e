/* support/: the bottom layer's JSON escaper, UTF-8 checks and pointer vector (the string-literal and comment
 * escapers are tested through the printer, in test_printer.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "support/escape.h"
#include "support/strbuf.h"
#include "support/utf8.h"
#include "support/vec.h"

static void check_json(const char *text, size_t len, const char *expected) {
    StrBuf out;
    strbuf_init(&out);
    strbuf_puts(&out, "x=");
    escape_json_string(&out, text, len);
    assert_string_equal(strbuf_cstr(&out), expected);
    strbuf_free(&out);
}

static void test_json_string(void **state) {
    (void)state;
    check_json("", 0, "x=\"\"");
    check_json("plain", 5, "x=\"plain\"");
    check_json("a\"b\\c", 5, "x=\"a\\\"b\\\\c\"");
    /* newline by name, every other control and DEL as \u00XX (the form the IR dump and the goldens hold) */
    check_json("\n\t\r\x01\x1f\x7f", 6, "x=\"\\n\\u0009\\u000d\\u0001\\u001f\\u007f\"");
    check_json("caf\xC3\xA9", 5, "x=\"caf\xC3\xA9\"");
    check_json("a\0b", 3, "x=\"a\\u0000b\"");
}

static void check_code_span(const char *text, bool in_table, const char *expected) {
    StrBuf out;
    strbuf_init(&out);
    escape_markdown_code_span(&out, text, strlen(text), in_table);
    assert_string_equal(strbuf_cstr(&out), expected);
    strbuf_free(&out);
}

/* The wire method names of @method in README code spans: CommonMark reads the span back as the name. */
static void test_markdown_code_span(void **state) {
    (void)state;
    check_code_span("user-profile.get", false, "`user-profile.get`");
    check_code_span("a`b", false, "``a`b``");
    check_code_span("a``b`", false, "``` a``b` ```");
    check_code_span(" x", false, "`  x `");
    check_code_span("a|b", false, "`a|b`");
    check_code_span("a|b", true, "`a\\|b`");
}

static void test_utf8(void **state) {
    (void)state;
    const unsigned char e_acute[] = {0xC3, 0xA9}, overlong[] = {0xC0, 0xAF}, surrogate[] = {0xED, 0xA0, 0x80};
    assert_int_equal(utf8_length(e_acute, e_acute + 2), 2);
    assert_int_equal(utf8_length(e_acute, e_acute + 1), 0); /* truncated */
    assert_int_equal(utf8_length(overlong, overlong + 2), 0);
    assert_int_equal(utf8_length(surrogate, surrogate + 3), 0);
    size_t size;
    assert_int_equal(utf8_decode(e_acute, 2, &size), 0xE9);
    assert_int_equal(size, 2);
    assert_int_equal(utf8_decode(surrogate, 3, &size), UTF8_INVALID);
    assert_int_equal(size, 1);
}

static void test_ptrvec_keeps_order_across_growth(void **state) {
    (void)state;
    Arena arena;
    arena_init(&arena);
    PtrVec vec = {0};
    int values[100];
    for (int i = 0; i < 100; i++) ptrvec_push(&arena, &vec, &values[i]);
    assert_int_equal(vec.count, 100);
    for (int i = 0; i < 100; i++) assert_ptr_equal(vec.items[i], &values[i]);
    arena_free(&arena);
}

/* arena_release_before frees exactly the blocks added before a position, whatever their place in the list (a
 * large object's block sits behind the head), and arena_free frees adopted children. */
static void test_arena_release_before_and_children(void **state) {
    (void)state;
    Arena parent, *child;
    arena_init(&parent);
    child = ARENA_NEW(&parent, Arena); /* a child's struct may live in its parent, as AstFile.bulk does */
    arena_init(child);
    arena_adopt(&parent, child);
    char *first = arena_alloc(child, 600 * 1024);
    first[0] = 'a';
    size_t after_first = arena_position(child);
    char *second = arena_alloc(child, 600 * 1024); /* no room left in the first block: a second one */
    size_t after_second = arena_position(child);
    assert_true(after_second > after_first);
    char *large = arena_alloc(child, 3 * 1024 * 1024); /* its own block, behind the head */
    large[0] = 'c';
    arena_release_before(child, after_first); /* nothing was added before the first block */
    assert_int_equal(first[0], 'a');
    arena_release_before(child, after_second); /* the first block goes; the head and the large block stay */
    second[0] = 'b';
    large[1] = 'd';
    size_t blocks = 0;
    for (const ArenaBlock *block = child->head; block; block = block->next) blocks++;
    assert_int_equal(blocks, 2);
    arena_free(&parent); /* frees the child's blocks too */

    /* arena_release_into: a released block comes back zeroed as the other arena's next block. */
    Arena from, into;
    arena_init(&from);
    arena_init(&into);
    unsigned char *dirty = arena_alloc(&from, 700 * 1024);
    memset(dirty, 0xAB, 700 * 1024);
    size_t after_dirty = arena_position(&from);
    arena_alloc(&from, 700 * 1024); /* a second block: the first is now older */
    arena_release_into(&from, arena_position(&from), &into);
    assert_true(arena_position(&from) > after_dirty);
    assert_non_null(into.spare);
    unsigned char *reused = arena_alloc(&into, 900 * 1024);
    assert_ptr_equal(reused, dirty); /* the same block, first in its data */
    for (size_t i = 0; i < 900 * 1024; i++)
        if (reused[i]) fail_msg("byte %zu of a reused block is not zero", i);
    arena_free(&from);
    arena_free(&into);
}

/* strbuf_printf expands the common conversions itself (no vsnprintf): every one must give snprintf's bytes. */
#define CHECK_FORMAT(...)                                                                                          \
    do {                                                                                                           \
        char expected[256];                                                                                        \
        snprintf(expected, sizeof expected, __VA_ARGS__);                                                          \
        StrBuf out;                                                                                                \
        strbuf_init(&out);                                                                                         \
        strbuf_puts(&out, "<");                                                                                    \
        strbuf_printf(&out, __VA_ARGS__);                                                                          \
        assert_string_equal(strbuf_cstr(&out) + 1, expected);                                                     \
        assert_int_equal(out.len, strlen(expected) + 1);                                                           \
        strbuf_free(&out);                                                                                         \
    } while (0)

static void test_strbuf_printf_matches_snprintf(void **state) {
    (void)state;
    CHECK_FORMAT("plain text");
    CHECK_FORMAT("%s", "");
    CHECK_FORMAT("a %s b %s%s c", "x", "yy", "");
    CHECK_FORMAT("100%% %s%%", "sure");
    CHECK_FORMAT("[%.*s]", 3, "abcdef");
    CHECK_FORMAT("[%.*s]", 10, "abc");
    CHECK_FORMAT("[%.*s]", -1, "abc");
    CHECK_FORMAT("[%.2s|%.0s]", "abc", "abc");
    CHECK_FORMAT("[%-*s]", 6, "ab");
    CHECK_FORMAT("[%-*s]", 1, "abc");
    /* the "%-*s" fast path: a negative width, a zero width, padding longer than one run of spaces */
    CHECK_FORMAT("[%-*s|%-*s|%-*s]", -4, "ab", 0, "x", 75, "a column wider than one run of spaces");
    CHECK_FORMAT("[%*s]", 6, "ab");
    CHECK_FORMAT("[%*s]", -6, "ab");
    CHECK_FORMAT("[%5s|%-5s]", "ab", "cd");
    CHECK_FORMAT("[%c%c|%3c|%-3c]", 'a', 'b', 'c', 'd');
    CHECK_FORMAT("%d %d %d %i", 0, -1, INT_MIN, INT_MAX);
    CHECK_FORMAT("%u %u", 0u, UINT_MAX);
    CHECK_FORMAT("%ld %ld %lu", LONG_MIN, LONG_MAX, ULONG_MAX);
    CHECK_FORMAT("%lld %lld %llu", LLONG_MIN, LLONG_MAX, ULLONG_MAX);
    CHECK_FORMAT("%zu %zu", (size_t)0, SIZE_MAX);
    CHECK_FORMAT("%" PRId64 " %" PRId64, INT64_MIN, (int64_t)42);
    CHECK_FORMAT("[%5d|%-5d|%05d|%05d|%-5d]", 42, 42, 42, -42, 7);
    CHECK_FORMAT("%x %X %02x %04x %02X %lx", 255u, 255u, 7u, 0xabu, 0xcu, 0xdeadbeefUL);
    /* Left to vsnprintf: precision of an integer, flags and conversions not expanded here. */
    CHECK_FORMAT("%.3d %+d % d %#x %o %e %g %p|%s", 5, 5, 5, 255u, 8u, 1.5, 2.5, (void *)0, "tail");
    CHECK_FORMAT("%s then %f", "consumed first", 0.25);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_string),
        cmocka_unit_test(test_markdown_code_span),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_ptrvec_keeps_order_across_growth),
        cmocka_unit_test(test_arena_release_before_and_children),
        cmocka_unit_test(test_strbuf_printf_matches_snprintf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
