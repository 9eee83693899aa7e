/* support/escape.c's fast paths (runs of plain bytes measured 16 at a time, code spans without backticks) against a
 * reference: the escapers they replaced, copied here unchanged but for their names. Every special byte at every
 * position of texts of every length around the 16-byte steps, and random texts, must escape the same. Each text is a heap block of
 * its exact length, so that the sanitizer build catches a read past its end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/escape.h"
#include "support/strbuf.h"
#include "support/utf8.h"

/* ---------------------------------------------------------------------------------------------------------- */
/* The reference (support/escape.c before the fast paths)                                                     */

static void ref_escape_json_string(StrBuf *out, const char *text, size_t len) {
    strbuf_putc(out, '"');
    size_t plain = 0; /* start of the run of bytes copied as they are */
    for (size_t index = 0; index < len; index++) {
        unsigned char c = (unsigned char)text[index];
        if (c != '"' && c != '\\' && c >= 0x20 && c != 0x7F) continue;
        strbuf_append(out, text + plain, index - plain);
        plain = index + 1;
        if (c == '"' || c == '\\') {
            strbuf_putc(out, '\\');
            strbuf_putc(out, (char)c);
        } else if (c == '\n') {
            strbuf_puts(out, "\\n");
        } else {
            static const char hex[] = "0123456789abcdef";
            char escape[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
            strbuf_append(out, escape, sizeof escape);
        }
    }
    strbuf_append(out, text + plain, len - plain);
    strbuf_putc(out, '"');
}

static bool ref_is_unsafe_code_point(uint32_t code_point) {
    return (code_point >= 0x80 && code_point <= 0x9F) || code_point == 0xAD || code_point == 0x061C ||
           code_point == 0x180E || code_point == 0x200B || code_point == 0x200E || code_point == 0x200F ||
           (code_point >= 0x2028 && code_point <= 0x202E) || (code_point >= 0x2060 && code_point <= 0x2064) ||
           (code_point >= 0x2066 && code_point <= 0x206F) || code_point == 0xFEFF ||
           (code_point >= 0xFFF9 && code_point <= 0xFFFB);
}

static bool is_ascii_control(uint32_t code_point) { return code_point < 0x20 || code_point == 0x7F; }

/* \xNN where the target reads it as the code point (Python, TypeScript), \uXXXX otherwise. */
static void append_code_point_escape(StrBuf *out, Target target, uint32_t code_point) {
    if (target == TARGET_RUST) {
        strbuf_printf(out, "\\u{%x}", (unsigned)code_point); /* Rust's \x stops at 0x7f: \u{...} for all */
    } else if (code_point < 0x100 && (target != TARGET_GO || code_point < 0x80)) {
        strbuf_printf(out, "\\x%02x", (unsigned)code_point);
    } else {
        strbuf_printf(out, "\\u%04x", (unsigned)code_point);
    }
}

/* The named escape of an ASCII control character in `target`, or NULL. */
static const char *named_control_escape(Target target, uint32_t code_point) {
    switch (code_point) {
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    case '\a': return target == TARGET_GO ? "\\a" : NULL;
    case '\b': return target == TARGET_PYTHON || target == TARGET_RUST ? NULL : "\\b";
    case '\f': return target == TARGET_PYTHON || target == TARGET_RUST ? NULL : "\\f";
    case '\v': return target == TARGET_PYTHON || target == TARGET_RUST ? NULL : "\\v";
    default: return NULL;
    }
}

static void append_string_literal_body(StrBuf *out, Target target, const char *text, size_t len) {
    const unsigned char *bytes = (const unsigned char *)text;
    size_t pos = 0;
    while (pos < len) {
        /* A run of printable ASCII but '"' and '\\' is copied as it is: most literals are nothing else. */
        size_t run = pos;
        while (run < len && bytes[run] >= 0x20 && bytes[run] < 0x7F && bytes[run] != '"' && bytes[run] != '\\') run++;
        if (run > pos) {
            strbuf_append(out, text + pos, run - pos);
            pos = run;
            continue;
        }
        size_t size;
        uint32_t code_point = utf8_decode(bytes + pos, len - pos, &size);
        if (code_point == UTF8_INVALID) {
            if (target == TARGET_GO) {
                strbuf_printf(out, "\\x%02x", (unsigned)bytes[pos]); /* Go strings hold bytes */
            } else if (target == TARGET_RUST) {
                strbuf_puts(out, "\\u{fffd}");
            } else {
                strbuf_puts(out, "\\ufffd");
            }
        } else if (code_point == '"' || code_point == '\\') {
            strbuf_putc(out, '\\');
            strbuf_putc(out, (char)code_point);
        } else if (is_ascii_control(code_point)) {
            const char *named = named_control_escape(target, code_point);
            if (named) {
                strbuf_puts(out, named);
            } else {
                append_code_point_escape(out, target, code_point);
            }
        } else if (ref_is_unsafe_code_point(code_point)) {
            append_code_point_escape(out, target, code_point);
        } else {
            strbuf_append(out, text + pos, size);
        }
        pos += size;
    }
}

static void ref_escape_string_literal(StrBuf *out, Target target, const char *text, size_t len) {
    strbuf_putc(out, '"');
    append_string_literal_body(out, target, text, len);
    strbuf_putc(out, '"');
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Comments                                                                                                   */

/* The bytes that end a run copied as it is, per comment style: controls, DEL and non-ASCII in all three, and
 * '\\' '"' in a docstring, '*' in a block comment. Built on first use. */
static _Thread_local bool comment_stops_ready;
static _Thread_local bool comment_stops[3][256];

static void init_comment_stops(void) {
    for (int style = 0; style < 3; style++) {
        for (int c = 0; c < 256; c++) comment_stops[style][c] = c < 0x20 || c >= 0x7F;
    }
    comment_stops[COMMENT_DOCSTRING]['\\'] = comment_stops[COMMENT_DOCSTRING]['"'] = true;
    comment_stops[COMMENT_JSDOC]['*'] = true;
    comment_stops_ready = true;
}

static void ref_escape_comment_line(StrBuf *out, CommentStyle style, const char *line, size_t len, bool is_last_line) {
    const unsigned char *bytes = (const unsigned char *)line;
    if (!comment_stops_ready) init_comment_stops();
    const bool *stops = comment_stops[style];
    size_t start = out->len; /* what this call appends, the only text it may trim */
    int raw_quote_run = 0;
    size_t pos = 0;
    while (pos < len) {
        /* A run of printable ASCII with nothing to escape in this context is copied at once: most doc text. Four
         * bytes a step while four remain. */
        size_t run = pos;
        while (run + 4 <= len && !stops[bytes[run]] && !stops[bytes[run + 1]] && !stops[bytes[run + 2]] &&
               !stops[bytes[run + 3]])
            run += 4;
        while (run < len && !stops[bytes[run]]) run++;
        if (run > pos) {
            strbuf_append(out, line + pos, run - pos);
            raw_quote_run = 0;
            pos = run;
            continue;
        }
        size_t size;
        uint32_t code_point = utf8_decode(bytes + pos, len - pos, &size);
        bool is_safe = code_point != UTF8_INVALID && (!is_ascii_control(code_point) || code_point == '\t') &&
                       !ref_is_unsafe_code_point(code_point);
        if (code_point != '"') raw_quote_run = 0;
        if (style == COMMENT_DOCSTRING) {
            if (code_point == '\\') {
                strbuf_puts(out, "\\\\");
            } else if (code_point == '"') {
                bool ends_doc = is_last_line && pos + 1 == len;
                if (raw_quote_run == 2 || ends_doc) {
                    strbuf_puts(out, "\\\"");
                    raw_quote_run = 0;
                } else {
                    strbuf_putc(out, '"');
                    raw_quote_run++;
                }
            } else if (code_point == UTF8_INVALID) {
                strbuf_puts(out, "\\ufffd");
            } else if (!is_safe) {
                const char *named = named_control_escape(TARGET_PYTHON, code_point);
                if (named) {
                    strbuf_puts(out, named);
                } else {
                    append_code_point_escape(out, TARGET_PYTHON, code_point);
                }
            } else {
                strbuf_append(out, line + pos, size);
            }
        } else if (code_point == UTF8_INVALID) {
            strbuf_puts(out, "\xEF\xBF\xBD"); /* U+FFFD */
        } else if (!is_safe) {
            strbuf_putc(out, ' ');
        } else if (style == COMMENT_JSDOC && code_point == '*' && pos + 1 < len && line[pos + 1] == '/') {
            strbuf_puts(out, "*\\");
        } else {
            strbuf_append(out, line + pos, size);
        }
        pos += size;
    }
    /* Replacing characters by spaces may have left trailing blanks. */
    if (style != COMMENT_DOCSTRING) {
        while (out->len > start && (out->data[out->len - 1] == ' ' || out->data[out->len - 1] == '\t')) {
            out->data[--out->len] = '\0';
        }
    }
}



static void ref_escape_markdown_code_span(StrBuf *out, const char *text, size_t len, bool in_table) {
    size_t longest = 0, run = 0;
    for (size_t i = 0; i < len; i++) {
        run = text[i] == '`' ? run + 1 : 0;
        if (run > longest) longest = run;
    }
    bool pad = len > 0 && (text[0] == '`' || text[len - 1] == '`' || text[0] == ' ' || text[len - 1] == ' ');
    for (size_t i = 0; i <= longest; i++) strbuf_putc(out, '`');
    if (pad) strbuf_putc(out, ' ');
    for (size_t i = 0; i < len; i++) {
        if (in_table && text[i] == '|') strbuf_putc(out, '\\');
        strbuf_putc(out, text[i]);
    }
    if (pad) strbuf_putc(out, ' ');
    for (size_t i = 0; i <= longest; i++) strbuf_putc(out, '`');
}

/* ---------------------------------------------------------------------------------------------------------- */
/* The comparison                                                                                             */

/* Escapes `text` with every policy, the fast and the reference, into buffers that already hold some text (the
 * comment escaper trims only what it appended), and compares. */
static void check_same(const char *bytes, size_t len) {
    char *text = malloc(len ? len : 1); /* exactly len bytes: a read past them is a sanitizer error */
    assert_non_null(text);
    memcpy(text, bytes, len);
    StrBuf fast, ref;
    strbuf_init(&fast);
    strbuf_init(&ref);
    static const Target targets[] = {TARGET_PYTHON, TARGET_TYPESCRIPT, TARGET_GO, TARGET_RUST};
    static const CommentStyle styles[] = {COMMENT_DOCSTRING, COMMENT_JSDOC, COMMENT_LINE};
    for (int policy = 0; policy < 1 + 4 + 3 * 2 + 2; policy++) {
        strbuf_clear(&fast);
        strbuf_clear(&ref);
        strbuf_puts(&fast, "x \t");
        strbuf_puts(&ref, "x \t");
        if (policy == 0) {
            escape_json_string(&fast, text, len);
            ref_escape_json_string(&ref, text, len);
        } else if (policy < 5) {
            escape_string_literal(&fast, targets[policy - 1], text, len);
            ref_escape_string_literal(&ref, targets[policy - 1], text, len);
        } else if (policy >= 11) {
            escape_markdown_code_span(&fast, text, len, policy == 12);
            ref_escape_markdown_code_span(&ref, text, len, policy == 12);
        } else {
            CommentStyle style = styles[(policy - 5) / 2];
            bool is_last_line = (policy - 5) % 2;
            escape_comment_line(&fast, style, text, len, is_last_line);
            ref_escape_comment_line(&ref, style, text, len, is_last_line);
        }
        if (fast.len != ref.len || memcmp(fast.data, ref.data, fast.len) != 0) {
            fprintf(stderr, "policy %d, text of %zu bytes:", policy, len);
            for (size_t index = 0; index < len; index++) fprintf(stderr, " %02x", (unsigned char)text[index]);
            fprintf(stderr, "\n fast: %s\n  ref: %s\n", strbuf_cstr(&fast), strbuf_cstr(&ref));
            fail();
        }
    }
    strbuf_free(&fast);
    strbuf_free(&ref);
    free(text);
}

/* The bytes and sequences each policy treats apart from plain text. */
static const char *const SPECIALS[] = {
    "\x00", "\t", "\n", "\r", "\x1f", " ", "\"", "\\", "*", "/", "*/", "\x7f", "\x80", "\xff", "\xc3\xa9",
    "\xc2\x85", "\xe2\x80\xa8", "\xe2\x80\xae", "\xef\xbb\xbf", "\xf0\x9f\x98\x80", "\xc3", "\xe2\x80", "\"\"\"",
    "`", "|", "~", "!",
};

static void test_every_special_at_every_position(void **state) {
    (void)state;
    char text[80];
    for (size_t len = 0; len <= 50; len++) {
        for (size_t special = 0; special < sizeof SPECIALS / sizeof *SPECIALS; special++) {
            size_t special_len = strlen(SPECIALS[special]) + (SPECIALS[special][0] == '\0');
            for (size_t pos = 0; pos + special_len <= len; pos++) {
                for (size_t index = 0; index < len; index++) text[index] = (char)('a' + index % 26);
                memcpy(text + pos, SPECIALS[special], special_len);
                check_same(text, len);
            }
        }
        memset(text, ' ', len); /* blanks only: a comment line trims them all */
        check_same(text, len);
    }
}

static void test_random_texts(void **state) {
    (void)state;
    uint32_t seed = 12345;
    char text[96];
    for (int round = 0; round < 20000; round++) {
        size_t len = 0;
        seed = seed * 1103515245u + 12345u;
        size_t target = (seed >> 16) % sizeof text;
        while (len < target) {
            seed = seed * 1103515245u + 12345u;
            uint32_t pick = (seed >> 16) % 64;
            if (pick < 40) { /* mostly plain text */
                text[len++] = (char)('a' + pick % 26);
            } else {
                const char *special = SPECIALS[pick % (sizeof SPECIALS / sizeof *SPECIALS)];
                size_t special_len = strlen(special) + (special[0] == '\0');
                if (len + special_len > target) break;
                memcpy(text + len, special, special_len);
                len += special_len;
            }
        }
        check_same(text, len);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_special_at_every_position),
        cmocka_unit_test(test_random_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
