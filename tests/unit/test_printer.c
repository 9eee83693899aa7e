/* backends/printer.c and go_doc.c: indentation, string literals per target, doc comments per target, blocks.
 * Every expected text here was also checked against the real language (Python ast.literal_eval and exec, node,
 * gofmt/go vet). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "backends/go_doc.h"
#include "backends/printer.h"

/* ---------------------------------------------------------------------------------------------------------- */
/* Indentation                                                                                                */

static void test_nested_indentation(void **state) {
    (void)state;
    Printer printer;
    printer_init(&printer, "    ");
    printer_line(&printer, "class %s(BaseModel):", "Task");
    printer_indent(&printer);
    printer_line(&printer, "id: int");
    printer_blank_line(&printer);
    printer_line(&printer, "def f(self) -> None:");
    printer_indent(&printer);
    printer_line(&printer, "return None");
    printer_dedent(&printer);
    printer_dedent(&printer);
    printer_line(&printer, "x = %d", 1);
    assert_string_equal(strbuf_cstr(&printer.out), "class Task(BaseModel):\n"
                                                   "    id: int\n"
                                                   "\n"
                                                   "    def f(self) -> None:\n"
                                                   "        return None\n"
                                                   "x = 1\n");
    printer_free(&printer);
}

static void test_multi_line_text_and_partial_lines(void **state) {
    (void)state;
    Printer printer;
    printer_init(&printer, "\t");
    printer_indent(&printer);
    printer_printf(&printer, "a\n\nb\n");  /* the empty line gets no indentation */
    printer_printf(&printer, "c");
    printer_printf(&printer, "d%s", "\n"); /* continues the line: no second indentation */
    printer_write(&printer, "e\nf", 3);
    printer_write(&printer, "\n", 1);
    printer_blank_line(&printer);
    printer_blank_line(&printer);
    printer_line(&printer, "%s", "");     /* an empty line, still without whitespace */
    assert_string_equal(strbuf_cstr(&printer.out), "\ta\n\n\tb\n\tcd\n\te\n\tf\n\n\n\n");
    printer_free(&printer);
}

/* A printer with a sink hands its text on in pieces of complete lines once it holds PRINTER_FLUSH_SIZE: at a line
 * end only, and not while held (code that may still undo or rewrite lines it printed holds the printer). */
typedef struct Collected {
    StrBuf text;
    size_t pieces;
} Collected;

static void collect(void *context, const char *text, size_t len) {
    Collected *collected = context;
    assert_true(len > 0);
    assert_int_equal(text[len - 1], '\n');
    strbuf_append(&collected->text, text, len);
    collected->pieces++;
}

static void test_printer_with_sink_flushes_at_line_ends(void **state) {
    (void)state;
    Collected collected = {{NULL, 0, 0}, 0};
    Printer printer, plain;
    printer_init(&printer, "  ");
    printer_init(&plain, "  ");
    printer_attach(&printer, collect, &collected);
    /* held: nothing is handed on, however much is printed */
    printer_hold(&printer);
    while (printer.out.len < 2 * PRINTER_FLUSH_SIZE) {
        PRINTER_LINE(&printer, "x = 1");
        PRINTER_LINE(&plain, "x = 1");
        printer_line(&printer, "y = %d", 2);
        printer_line(&plain, "y = %d", 2);
    }
    assert_int_equal(collected.pieces, 0);
    printer_release(&printer);
    /* in the middle of a line: nothing either */
    for (size_t piece = 0; piece < 1000; piece++) {
        PRINTER_PUTS(&printer, "a long line ");
        PRINTER_PUTS(&plain, "a long line ");
    }
    printer_printf(&printer, "partial ");
    printer_printf(&plain, "partial ");
    assert_int_equal(collected.pieces, 0);
    /* the line's end hands it all on */
    printer_end_line(&printer);
    printer_end_line(&plain);
    assert_int_equal(collected.pieces, 1);
    assert_int_equal(printer.out.len, 0);
    for (size_t line = 0; line < 20000; line++) {
        printer_indent(&printer);
        printer_indent(&plain);
        printer_line(&printer, "field_%zu: int", line);
        printer_line(&plain, "field_%zu: int", line);
        PRINTER_LINE(&printer, "other: str");
        PRINTER_LINE(&plain, "other: str");
        printer_dedent(&printer);
        printer_dedent(&plain);
        printer_blank_line(&printer);
        printer_blank_line(&plain);
        assert_true(printer.out.len < PRINTER_FLUSH_SIZE + 64);
    }
    printer_write(&printer, "last", 4);
    printer_write(&plain, "last", 4);
    printer_line(&printer, "%s", "");
    printer_line(&plain, "%s", "");
    printer_flush(&printer);
    assert_true(collected.pieces > 4);
    assert_int_equal(collected.text.len, plain.out.len);
    assert_memory_equal(collected.text.data, plain.out.data, plain.out.len);
    printer_free(&printer);
    printer_free(&plain);
    strbuf_free(&collected.text);
}

static void test_dedent_never_below_zero(void **state) {
    (void)state;
    Printer printer;
    printer_init(&printer, "  ");
    printer_dedent(&printer);
    printer_dedent(&printer);
    printer_line(&printer, "top");
    printer_indent(&printer);
    printer_line(&printer, "one");
    assert_int_equal(printer.depth, 1);
    assert_string_equal(strbuf_cstr(&printer.out), "top\n  one\n");
    printer_free(&printer);
}

static void test_empty_printer(void **state) {
    (void)state;
    Printer printer;
    printer_init(&printer, "    ");
    assert_string_equal(strbuf_cstr(&printer.out), "");
    printer_write(&printer, "", 0);
    assert_int_equal(printer.out.len, 0);
    printer_free(&printer);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* String literals                                                                                            */

typedef struct LiteralCase {
    const char *text;
    size_t len; /* 0: strlen(text) */
    const char *python, *typescript, *go;
} LiteralCase;

static void check_literal(Target target, const LiteralCase *literal, const char *expected, int depth) {
    Printer printer;
    printer_init(&printer, "    ");
    printer.depth = depth;
    size_t len = literal->len ? literal->len : strlen(literal->text);
    printer_string_literal(&printer, target, literal->text, len);
    char got[256];
    snprintf(got, sizeof got, "%s", strbuf_cstr(&printer.out));
    printer_free(&printer);
    if (strcmp(got, expected) != 0) {
        fail_msg("%s literal of \"%s\": got %s, expected %s", target_name(target), literal->text, got, expected);
    }
}

static void test_string_literals(void **state) {
    (void)state;
    static const LiteralCase cases[] = {
        {"plain", 0, "\"plain\"", "\"plain\"", "\"plain\""},
        {"", 0, "\"\"", "\"\"", "\"\""},
        {"it's", 0, "\"it's\"", "\"it's\"", "\"it's\""},
        {"say \"hi\"", 0, "\"say \\\"hi\\\"\"", "\"say \\\"hi\\\"\"", "\"say \\\"hi\\\"\""},
        {"a\\b", 0, "\"a\\\\b\"", "\"a\\\\b\"", "\"a\\\\b\""},
        {"\\u0041", 0, "\"\\\\u0041\"", "\"\\\\u0041\"", "\"\\\\u0041\""},
        {"n\nr\rt\t", 0, "\"n\\nr\\rt\\t\"", "\"n\\nr\\rt\\t\"", "\"n\\nr\\rt\\t\""},
        {"\a\b\f\v", 0, "\"\\x07\\x08\\x0c\\x0b\"", "\"\\x07\\b\\f\\v\"", "\"\\a\\b\\f\\v\""},
        {"nul\0end", 7, "\"nul\\x00end\"", "\"nul\\x00end\"", "\"nul\\x00end\""},
        {"\x1b[0m", 0, "\"\\x1b[0m\"", "\"\\x1b[0m\"", "\"\\x1b[0m\""},
        {"del\x7f", 0, "\"del\\x7f\"", "\"del\\x7f\"", "\"del\\x7f\""},
        /* C1 control U+0085: \x85 is the code point in Python and JS, a raw byte in Go */
        {"nel\xc2\x85", 0, "\"nel\\x85\"", "\"nel\\x85\"", "\"nel\\u0085\""},
        {"caf\xc3\xa9", 0, "\"caf\xc3\xa9\"", "\"caf\xc3\xa9\"", "\"caf\xc3\xa9\""},
        {"ls\xe2\x80\xa8ps\xe2\x80\xa9", 0, "\"ls\\u2028ps\\u2029\"", "\"ls\\u2028ps\\u2029\"",
         "\"ls\\u2028ps\\u2029\""},
        {"rlo\xe2\x80\xae", 0, "\"rlo\\u202e\"", "\"rlo\\u202e\"", "\"rlo\\u202e\""},
        {"bom\xef\xbb\xbf", 0, "\"bom\\ufeff\"", "\"bom\\ufeff\"", "\"bom\\ufeff\""},
        {"shy\xc2\xad", 0, "\"shy\\xad\"", "\"shy\\xad\"", "\"shy\\u00ad\""},
        {"emoji\xf0\x9f\x98\x80", 0, "\"emoji\xf0\x9f\x98\x80\"", "\"emoji\xf0\x9f\x98\x80\"",
         "\"emoji\xf0\x9f\x98\x80\""},
        {"zwj\xe2\x80\x8d", 0, "\"zwj\xe2\x80\x8d\"", "\"zwj\xe2\x80\x8d\"", "\"zwj\xe2\x80\x8d\""},
        {"${x}`</script>", 0, "\"${x}`</script>\"", "\"${x}`</script>\"", "\"${x}`</script>\""},
        {"\"\"\"", 0, "\"\\\"\\\"\\\"\"", "\"\\\"\\\"\\\"\"", "\"\\\"\\\"\\\"\""},
        /* invalid UTF-8 (the lexer rejects it; defensive): Go keeps the byte, the others U+FFFD */
        {"x\xff", 0, "\"x\\ufffd\"", "\"x\\ufffd\"", "\"x\\xff\""},
        {"\xed\xa0\x80", 0, "\"\\ufffd\\ufffd\\ufffd\"", "\"\\ufffd\\ufffd\\ufffd\"", "\"\\xed\\xa0\\x80\""},
    };
    for (size_t index = 0; index < sizeof cases / sizeof *cases; index++) {
        check_literal(TARGET_PYTHON, &cases[index], cases[index].python, 0);
        check_literal(TARGET_TYPESCRIPT, &cases[index], cases[index].typescript, 0);
        check_literal(TARGET_GO, &cases[index], cases[index].go, 0);
    }
}

static void test_string_literal_is_indented_at_line_start(void **state) {
    (void)state;
    static const LiteralCase literal = {"a\nb", 0, NULL, NULL, NULL};
    check_literal(TARGET_PYTHON, &literal, "        \"a\\nb\"", 2);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Doc comments                                                                                               */

typedef enum DocKind { PYTHON_DOC, JSDOC, GO_DOC } DocKind;

static void check_doc(DocKind kind, int depth, const char *text, const char *deprecated, const char *expected) {
    Printer printer;
    printer_init(&printer, kind == GO_DOC ? "\t" : "    ");
    printer.depth = depth;
    if (kind == PYTHON_DOC) printer_python_docstring(&printer, text);
    if (kind == JSDOC) printer_jsdoc(&printer, text, deprecated);
    if (kind == GO_DOC) go_print_comment(&printer, text, deprecated);
    char got[1024];
    snprintf(got, sizeof got, "%s", strbuf_cstr(&printer.out));
    printer_free(&printer);
    if (strcmp(got, expected) != 0) {
        fail_msg("doc kind %d of \"%s\":\n--- got\n%s--- expected\n%s---", (int)kind, text ? text : "(null)", got,
                 expected);
    }
}

static void test_python_docstring(void **state) {
    (void)state;
    check_doc(PYTHON_DOC, 0, NULL, NULL, "");
    check_doc(PYTHON_DOC, 0, "", NULL, "");
    check_doc(PYTHON_DOC, 0, " \n\t\n", NULL, "");
    check_doc(PYTHON_DOC, 1, "Get task statistics.", NULL, "    \"\"\"Get task statistics.\"\"\"\n");
    check_doc(PYTHON_DOC, 0, "It's fine.", NULL, "\"\"\"It's fine.\"\"\"\n");
    /* multi-line: closing quotes on their own line, the empty line without indentation */
    check_doc(PYTHON_DOC, 1, "Get stats.\n\nRetrieves counts.", NULL,
              "    \"\"\"Get stats.\n\n    Retrieves counts.\n    \"\"\"\n");
    /* leading and trailing empty lines and trailing blanks are dropped, leading blanks kept */
    check_doc(PYTHON_DOC, 0, "\n\n  lead  \ntrail \t\r\n\n", NULL, "\"\"\"  lead\ntrail\n\"\"\"\n");
    /* a backslash never starts an escape sequence */
    check_doc(PYTHON_DOC, 0, "C:\\new\\x", NULL, "\"\"\"C:\\\\new\\\\x\"\"\"\n");
    check_doc(PYTHON_DOC, 0, "ends\\", NULL, "\"\"\"ends\\\\\"\"\"\n");
    /* quotes: no run of three, and none just before the closing quotes */
    check_doc(PYTHON_DOC, 0, "\"\"\" starts", NULL, "\"\"\"\"\"\\\" starts\"\"\"\n");
    check_doc(PYTHON_DOC, 0, "a \"\"\"\"\"\" b", NULL, "\"\"\"a \"\"\\\"\"\"\\\" b\"\"\"\n");
    check_doc(PYTHON_DOC, 0, "Say \"hi\"", NULL, "\"\"\"Say \"hi\\\"\"\"\"\n");
    check_doc(PYTHON_DOC, 0, "two \"\"", NULL, "\"\"\"two \"\\\"\"\"\"\n");
    check_doc(PYTHON_DOC, 0, "\"", NULL, "\"\"\"\\\"\"\"\"\n");
    check_doc(PYTHON_DOC, 0, "a\"\n\"\"\"", NULL, "\"\"\"a\"\n\"\"\\\"\n\"\"\"\n");
    check_doc(PYTHON_DOC, 0, "x\\\"", NULL, "\"\"\"x\\\\\\\"\"\"\"\n");
    /* control characters and invisible code points become escapes; tab and other text stay */
    check_doc(PYTHON_DOC, 0, "a\x01\x1b\x7f b\rc\td", NULL, "\"\"\"a\\x01\\x1b\\x7f b\\rc\td\"\"\"\n");
    check_doc(PYTHON_DOC, 0, "ls\xe2\x80\xa8 bom\xef\xbb\xbf caf\xc3\xa9", NULL,
              "\"\"\"ls\\u2028 bom\\ufeff caf\xc3\xa9\"\"\"\n");
}

static void test_jsdoc(void **state) {
    (void)state;
    check_doc(JSDOC, 0, NULL, NULL, "");
    check_doc(JSDOC, 0, "\n", NULL, "");
    check_doc(JSDOC, 1, "User ID to fetch.", NULL, "    /** User ID to fetch. */\n");
    check_doc(JSDOC, 1, "Get stats.\n\nRetrieves counts.", NULL,
              "    /**\n     * Get stats.\n     *\n     * Retrieves counts.\n     */\n");
    /* "*" followed by "/" never closes the comment */
    check_doc(JSDOC, 0, "a */ b **/ c *//", NULL, "/** a *\\/ b **\\/ c *\\// */\n");
    check_doc(JSDOC, 0, "*/", NULL, "/** *\\/ */\n");
    check_doc(JSDOC, 0, "ends with *", NULL, "/** ends with * */\n");
    /* line terminators of JS and control characters become spaces, trailing ones are dropped */
    check_doc(JSDOC, 0, "a\xe2\x80\xa8" "b\xe2\x80\xa9" "c\rd\x01" "e\xc2\x85" "f\x7f", NULL,
              "/** a b c d e f */\n");
    check_doc(JSDOC, 0, "a\t\x01\nb", NULL, "/**\n * a\n * b\n */\n");
    check_doc(JSDOC, 0, "quote \" and \\ stay", NULL, "/** quote \" and \\ stay */\n");
    /* a line that is all replaced characters: its spaces are dropped, never the prefix before it */
    check_doc(JSDOC, 1, "\xe2\x80\x8b", NULL, "    /**  */\n");
    check_doc(JSDOC, 0, "a\n\x01\x02\nb", NULL, "/**\n * a\n *\n * b\n */\n");
    check_doc(JSDOC, 0, NULL, "\x01", "/** @deprecated  */\n");
    /* deprecation */
    check_doc(JSDOC, 0, NULL, "", "/** @deprecated */\n");
    check_doc(JSDOC, 0, "", "Use v2.", "/** @deprecated Use v2. */\n");
    check_doc(JSDOC, 0, "Old.", "Use v2.", "/**\n * Old.\n * @deprecated Use v2.\n */\n");
    check_doc(JSDOC, 0, "Old.", "", "/**\n * Old.\n * @deprecated\n */\n");
    check_doc(JSDOC, 0, "Old.", "Use */ v2.\nSoon.", "/**\n * Old.\n * @deprecated Use *\\/ v2.\n * Soon.\n */\n");
    check_doc(JSDOC, 0, NULL, "a\nb", "/**\n * @deprecated a\n * b\n */\n");
}

static void test_go_comment(void **state) {
    (void)state;
    check_doc(GO_DOC, 0, NULL, NULL, "");
    check_doc(GO_DOC, 0, "  \n", NULL, "");
    check_doc(GO_DOC, 1, "Get task statistics.", NULL, "\t// Get task statistics.\n");
    check_doc(GO_DOC, 0, "Get stats.\n\n\nRetrieves counts.\n", NULL,
              "// Get stats.\n//\n// Retrieves counts.\n");
    check_doc(GO_DOC, 0, "a */ b \"q\" \\", NULL, "// a */ b \"q\" \\\n");
    /* invisible and control characters become spaces: a BOM mid-file does not compile */
    check_doc(GO_DOC, 0, "a\xef\xbb\xbf" "b\rc\x01" "d\xe2\x80\xae" "e\t\x02", NULL, "// a b c d e\n");
    /* deprecation: its own paragraph, as go doc and staticcheck expect */
    check_doc(GO_DOC, 0, "Old.", "Use V2.", "// Old.\n//\n// Deprecated: Use V2.\n");
    check_doc(GO_DOC, 0, NULL, "Use V2.", "// Deprecated: Use V2.\n");
    check_doc(GO_DOC, 0, "Old.", "", "// Old.\n//\n// Deprecated: do not use in new code.\n");
    check_doc(GO_DOC, 0, "Old.", "Use V2.\n\n   instead.", "// Old.\n//\n// Deprecated: Use V2.\n// instead.\n");
}

/* The docs that the Go doc comment checks below print: plain ones and each case of gofmt's general layout. */
static const char *const GO_DOCS[] = {
    "",
    "One line.",
    "Trailing blanks. \t\r",
    "\n\nLeading empty lines.\n\n\nand a run of them.\n\n",
    "A longer doc line that is well over thirty-two bytes long, to cross several 16-byte blocks.",
    "Para one.\n\nPara two.\n\nPara three.",
    "Five\nlines\nor\nmore\nwritten.",
    "Intro.\n\nHeading\n\nBody text after the heading.",
    "Code:\n\n\tx := 1\n\ty := 2\n\nAfter.",
    "List:\n  - one\n  - two\nEnd.",
    "  all indented\n  by two",
    "Curly ``quotes'' here.",
    "One ` backquote and it's fine.",
    "Caf\xc3\xa9 cr\xc3\xa8me, bom\xef\xbb\xbf, ctrl\x01x, del\x7f.",
    "tab\tinside",
    "ends with a control\x02",
    "\x03",
    " ",
};

/* go_print_kind_doc_comment prints what go_print_doc_comment prints of the joined text. */
static void test_go_kind_doc_comment(void **state) {
    (void)state;
    for (size_t index = 0; index < sizeof GO_DOCS / sizeof GO_DOCS[0]; index++) {
        for (int depth = 0; depth < 2; depth++) {
            Printer joined, led;
            printer_init(&joined, "\t");
            printer_init(&led, "\t");
            joined.depth = led.depth = depth;
            StrBuf text, scratch;
            strbuf_init(&text);
            strbuf_init(&scratch);
            strbuf_printf(&text, "Status is an enum.\n\n%s", GO_DOCS[index]);
            go_print_doc_comment(&joined, text.data, NULL);
            go_print_kind_doc_comment(&led, "Status", 6, " is an enum.", 12, GO_DOCS[index], &scratch);
            if (strcmp(strbuf_cstr(&joined.out), strbuf_cstr(&led.out)) != 0) {
                fail_msg("doc \"%s\":\n--- joined\n%s--- kind first\n%s---", GO_DOCS[index], strbuf_cstr(&joined.out),
                         strbuf_cstr(&led.out));
            }
            strbuf_free(&text);
            strbuf_free(&scratch);
            printer_free(&joined);
            printer_free(&led);
        }
    }
}

/* A Go comment prints the same wherever its text starts in memory (the scan reads 16-byte aligned blocks). */
static void test_go_comment_any_alignment(void **state) {
    (void)state;
    _Alignas(16) char copy[256];
    for (size_t index = 0; index < sizeof GO_DOCS / sizeof GO_DOCS[0]; index++) {
        Printer first;
        printer_init(&first, "\t");
        go_print_doc_comment(&first, GO_DOCS[index], NULL);
        for (size_t offset = 0; offset < 32; offset++) {
            size_t len = strlen(GO_DOCS[index]);
            assert_true(offset + len < sizeof copy);
            memcpy(copy + offset, GO_DOCS[index], len + 1);
            Printer moved;
            printer_init(&moved, "\t");
            go_print_doc_comment(&moved, copy + offset, NULL);
            assert_string_equal(strbuf_cstr(&first.out), strbuf_cstr(&moved.out));
            printer_free(&moved);
        }
        printer_free(&first);
    }
}

/* The layout gofmt gives doc comments (go/doc/comment), so that generated Go is gofmt-clean. */
static void test_go_comment_gofmt_layout(void **state) {
    (void)state;
    /* common indentation is removed */
    check_doc(GO_DOC, 0, "  only\n  text", NULL, "// only\n// text\n");
    /* an indented span is a code block: a tab, its own common indentation removed, set off by "//" lines */
    check_doc(GO_DOC, 0, "Para.\n  code1\n    code2\n\n  code3\nAfter.", NULL,
              "// Para.\n//\n//\tcode1\n//\t  code2\n//\n//\tcode3\n//\n// After.\n");
    check_doc(GO_DOC, 0, "Para.\n\n\ttabbed\n\t  more\n\nAfter.", NULL,
              "// Para.\n//\n//\ttabbed\n//\t  more\n//\n// After.\n");
    /* an indented list is printed as plain lines, which gofmt keeps */
    check_doc(GO_DOC, 0, "Para.\n - one\n   more\n - two\nAfter.", NULL,
              "// Para.\n// - one\n// more\n// - two\n// After.\n");
    check_doc(GO_DOC, 0, "Steps:\n  1. one\n  2) two", NULL, "// Steps:\n// 1. one\n// 2) two\n");
    /* an old-style heading gets gofmt's "# " */
    check_doc(GO_DOC, 0, "Intro.\n\nUsage Notes\n\nText.", NULL, "// Intro.\n//\n// # Usage Notes\n//\n// Text.\n");
    check_doc(GO_DOC, 0, "Intro.\n\nBob's Notes for v1.2\n\nText.", NULL,
              "// Intro.\n//\n// # Bob's Notes for v1.2\n//\n// Text.\n");
    /* not headings: first paragraph, punctuation, lower case, last paragraph */
    check_doc(GO_DOC, 0, "Usage Notes\n\nText.", NULL, "// Usage Notes\n//\n// Text.\n");
    check_doc(GO_DOC, 0, "Intro.\n\nUsage notes.\n\nText.", NULL, "// Intro.\n//\n// Usage notes.\n//\n// Text.\n");
    check_doc(GO_DOC, 0, "Intro.\n\nusage Notes\n\nText.", NULL, "// Intro.\n//\n// usage Notes\n//\n// Text.\n");
    check_doc(GO_DOC, 0, "Intro.\n\nUsage: Notes\n\nText.", NULL, "// Intro.\n//\n// Usage: Notes\n//\n// Text.\n");
    check_doc(GO_DOC, 0, "Intro.\n\nUsage Notes", NULL, "// Intro.\n//\n// Usage Notes\n");
    /* the deprecation paragraph counts as the text that follows a heading */
    check_doc(GO_DOC, 0, "Intro.\n\nUsage Notes", "Use V2.",
              "// Intro.\n//\n// # Usage Notes\n//\n// Deprecated: Use V2.\n");
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Blocks of fixed text with $name$ variables                                                                  */

static void test_block_substitutes_and_indents(void **state) {
    (void)state;
    Printer printer;
    printer_init(&printer, "  ");
    printer_indent(&printer);
    printer_block(&printer, "# $title$\n\ncost: $$5, $title$ again: $x$\n", "x", "%s is not a format", "title",
                  "T", NULL);
    printer_block(&printer, "no variables\n", NULL);
    assert_string_equal(strbuf_cstr(&printer.out),
                        "  # T\n\n  cost: $5, T again: %s is not a format\n  no variables\n");
    printer_free(&printer);
}

/* The fast appends print what printer_printf/printer_line print for the same strings. */
static void test_fast_appends_match_printf(void **state) {
    (void)state;
    Printer fast, formatted;
    printer_init(&fast, "    ");
    printer_init(&formatted, "    ");
    printer_indent(&fast);
    printer_indent(&formatted);
    for (int depth = 0; depth < 20; depth++) { /* deeper than one append of the indentation run */
        printer_indent(&fast);
        printer_indent(&formatted);
    }
    for (int depth = 0; depth < 19; depth++) {
        printer_dedent(&fast);
        printer_dedent(&formatted);
    }
    printer_put(&fast, "");        /* nothing, not even the indentation */
    printer_putn(&fast, "id: intX", 7);
    printer_put(&fast, " = 1");
    printer_end_line(&fast);
    printer_line(&formatted, "%s%s", "id: int", " = 1");
    printer_concat_line(&fast, "a", "", "b", NULL);
    printer_line(&formatted, "%s%s%s", "a", "", "b");
    printer_concat_line(&fast, "", NULL); /* an empty line, without indentation */
    printer_line(&formatted, "%s", "");
    printer_concat(&fast, "x\n\ny", "\n", NULL); /* line breaks inside a piece: every line indented */
    printer_printf(&formatted, "%s%s", "x\n\ny", "\n");
    printer_concat(&fast, "\nz", NULL);
    printer_printf(&formatted, "%s", "\nz");
    printer_concat_line(&fast, " end", NULL);
    printer_line(&formatted, "%s", " end");
    assert_string_equal(strbuf_cstr(&fast.out), strbuf_cstr(&formatted.out));
    assert_string_equal(strbuf_cstr(&fast.out), "        id: int = 1\n        ab\n\n        x\n\n        y\n\n"
                                                "        z end\n");
    printer_free(&fast);
    printer_free(&formatted);

    Printer tabs;
    printer_init(&tabs, "\t");
    for (int depth = 0; depth < 40; depth++) printer_indent(&tabs);
    printer_concat_line(&tabs, "x", NULL);
    char expected[64];
    memset(expected, '\t', 40);
    memcpy(expected + 40, "x\n", 3);
    assert_string_equal(strbuf_cstr(&tabs.out), expected);
    printer_free(&tabs);
}

/* A variable the text names but the call does not give is a bug in rpcc: it stops at once. */
static void test_block_unknown_variable_aborts(void **state) {
    (void)state;
    const char *texts[] = {"a $missing$ b\n", "unclosed $name\n"};
    for (size_t i = 0; i < 2; i++) {
        fflush(NULL);
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0) {
            freopen("/dev/null", "w", stderr);
            Printer printer;
            printer_init(&printer, "");
            printer_block(&printer, texts[i], "name", "value", NULL);
            _exit(0);
        }
        int status = 0;
        assert_int_equal(waitpid(child, &status, 0), child);
        assert_true(WIFSIGNALED(status));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nested_indentation),
        cmocka_unit_test(test_multi_line_text_and_partial_lines),
        cmocka_unit_test(test_dedent_never_below_zero),
        cmocka_unit_test(test_empty_printer),
        cmocka_unit_test(test_block_substitutes_and_indents),
        cmocka_unit_test(test_printer_with_sink_flushes_at_line_ends),
        cmocka_unit_test(test_block_unknown_variable_aborts),
        cmocka_unit_test(test_fast_appends_match_printf),
        cmocka_unit_test(test_string_literals),
        cmocka_unit_test(test_string_literal_is_indented_at_line_start),
        cmocka_unit_test(test_python_docstring),
        cmocka_unit_test(test_jsdoc),
        cmocka_unit_test(test_go_comment),
        cmocka_unit_test(test_go_comment_gofmt_layout),
        cmocka_unit_test(test_go_kind_doc_comment),
        cmocka_unit_test(test_go_comment_any_alignment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
