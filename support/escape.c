/* Escaping of input text for JSON, string literals and comments. See escape.h for each policy. */
#include "escape.h"

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "utf8.h"

/* ---------------------------------------------------------------------------------------------------------- */
/* Runs of bytes that need no work                                                                            */

/* Nearly all the text escaped here is plain ASCII with nothing to escape: each policy first measures the run of
 * bytes it copies as they are, 16 at a time, and copies the run at once. A byte ends a run when it is a control
 * (below 0x20), DEL, one of two bytes of the policy (`extra_a`, `extra_b`; the same byte twice for one), or, when
 * `stop_non_ascii`, any byte from 0x80 (UTF-8 that must be decoded). Called with constant policies, which the
 * compiler folds. */
#if defined(__SSE2__)
static inline __attribute__((always_inline)) unsigned stop_mask(__m128i chunk, bool stop_non_ascii,
                                                                unsigned char extra_a, unsigned char extra_b) {
    __m128i stops;
    if (stop_non_ascii) { /* as signed bytes, those from 0x80 are negative: below 0x20 too */
        stops = _mm_cmplt_epi8(chunk, _mm_set1_epi8(0x20));
    } else { /* unsigned: a byte at most 0x1F is its minimum with 0x1F */
        stops = _mm_cmpeq_epi8(_mm_min_epu8(chunk, _mm_set1_epi8(0x1F)), chunk);
    }
    stops = _mm_or_si128(stops, _mm_cmpeq_epi8(chunk, _mm_set1_epi8(0x7F)));
    stops = _mm_or_si128(stops, _mm_cmpeq_epi8(chunk, _mm_set1_epi8((char)extra_a)));
    if (extra_b != extra_a) stops = _mm_or_si128(stops, _mm_cmpeq_epi8(chunk, _mm_set1_epi8((char)extra_b)));
    return (unsigned)_mm_movemask_epi8(stops);
}
#endif

/* The length of the run at the start of bytes[0..len) that holds no stop byte (len when there is none). */
static inline __attribute__((always_inline)) size_t plain_run(const unsigned char *bytes, size_t len,
                                                              bool stop_non_ascii, unsigned char extra_a,
                                                              unsigned char extra_b) {
#if defined(__SSE2__)
    size_t pos = 0;
    for (; pos + 16 <= len; pos += 16) {
        unsigned mask =
            stop_mask(_mm_loadu_si128((const __m128i *)(const void *)(bytes + pos)), stop_non_ascii, extra_a, extra_b);
        if (mask) return pos + (size_t)__builtin_ctz(mask);
    }
    if (pos == len) return len;
    if (len >= 16) { /* the last 16 bytes, overlapping those already found plain */
        unsigned mask = stop_mask(_mm_loadu_si128((const __m128i *)(const void *)(bytes + len - 16)), stop_non_ascii,
                                  extra_a, extra_b);
        return mask ? len - 16 + (size_t)__builtin_ctz(mask) : len;
    }
    /* Shorter than 16: copied into a block padded with a plain byte ('a'), without reading past the text. */
    unsigned char block[16];
    memset(block, 'a', sizeof block);
    strbuf_copy_bytes((char *)block, (const char *)bytes, len);
    unsigned mask = stop_mask(_mm_loadu_si128((const __m128i *)(const void *)block), stop_non_ascii, extra_a, extra_b);
    return mask ? (size_t)__builtin_ctz(mask) : len;
#else
    size_t pos = 0;
    while (pos < len) {
        unsigned char c = bytes[pos];
        if (c < 0x20 || c == 0x7F || (stop_non_ascii && c >= 0x80) || c == extra_a || c == extra_b) break;
        pos++;
    }
    return pos;
#endif
}

size_t escape_plain_ascii_run(const char *text, size_t len) {
    return plain_run((const unsigned char *)text, len, true, '"', '\\');
}

/* Appends '"', text[0..len) and '"' in one step: a quoted text with nothing to escape (most). */
static void append_quoted(StrBuf *out, const char *text, size_t len) {
    if (out->len + len + 3 > out->cap) strbuf_grow(out, len + 2);
    char *at = out->data + out->len;
    at[0] = '"';
    strbuf_copy_bytes(at + 1, text, len);
    at[len + 1] = '"';
    out->len += len + 2;
    out->data[out->len] = '\0';
}

void escape_json_string(StrBuf *out, const char *text, size_t len) {
    const unsigned char *bytes = (const unsigned char *)text;
    size_t first_stop = plain_run(bytes, len, false, '"', '\\');
    if (first_stop == len) {
        append_quoted(out, text, len);
        return;
    }
    strbuf_putc(out, '"');
    size_t plain = 0; /* start of the run of bytes copied as they are */
    for (size_t index = first_stop; index < len; index++) {
        index += plain_run(bytes + index, len - index, false, '"', '\\');
        if (index == len) break;
        unsigned char c = bytes[index];
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

/* ---------------------------------------------------------------------------------------------------------- */
/* The code points that must never appear raw in generated code                                              */

/* Non-ASCII code points written as escapes in string literals and replaced in comments: C1 controls, line and
 * paragraph separators (line terminators in JavaScript), bidirectional controls (they can make source read
 * differently from how it compiles), invisible format characters, and the BOM (Go rejects it mid-file). */
static bool is_unsafe_code_point(uint32_t code_point) {
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
        size_t run = pos + plain_run(bytes + pos, len - pos, true, '"', '\\');
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
        } else if (is_unsafe_code_point(code_point)) {
            append_code_point_escape(out, target, code_point);
        } else {
            strbuf_append(out, text + pos, size);
        }
        pos += size;
    }
}

void escape_string_literal(StrBuf *out, Target target, const char *text, size_t len) {
    if (plain_run((const unsigned char *)text, len, true, '"', '\\') == len) { /* nothing to escape */
        append_quoted(out, text, len);
        return;
    }
    strbuf_putc(out, '"');
    append_string_literal_body(out, target, text, len);
    strbuf_putc(out, '"');
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Comments                                                                                                   */

/* The run of a comment line copied as it is: what plain_run stops at, and '\\' '"' in a docstring, '*' in a block
 * comment. */
static inline __attribute__((always_inline)) size_t comment_plain_run(CommentStyle style, const unsigned char *bytes, size_t len) {
    switch (style) {
    case COMMENT_DOCSTRING: return plain_run(bytes, len, true, '\\', '"');
    case COMMENT_JSDOC: return plain_run(bytes, len, true, '*', '*');
    default: return plain_run(bytes, len, true, 0x7F, 0x7F);
    }
}

/* Drops the blanks at the end of out past `start` (what a comment line appended). */
static inline void trim_appended_blanks(StrBuf *out, size_t start) {
    while (out->len > start && (out->data[out->len - 1] == ' ' || out->data[out->len - 1] == '\t')) {
        out->data[--out->len] = '\0';
    }
}

/* escape_comment_line of a line with something to escape at `pos`, the bytes before it plain. */
static void escape_comment_rest(StrBuf *out, CommentStyle style, const char *line, size_t len, bool is_last_line,
                                size_t pos) {
    const unsigned char *bytes = (const unsigned char *)line;
    size_t start = out->len; /* what this call appends, the only text it may trim */
    strbuf_append(out, line, pos);
    int raw_quote_run = 0;
    while (pos < len) {
        /* A run of printable ASCII with nothing to escape in this context is copied at once: most doc text, often
         * the whole line. */
        size_t run = pos + comment_plain_run(style, bytes + pos, len - pos);
        if (run > pos) {
            strbuf_append(out, line + pos, run - pos);
            raw_quote_run = 0;
            pos = run;
            continue;
        }
        size_t size;
        uint32_t code_point = utf8_decode(bytes + pos, len - pos, &size);
        bool is_safe = code_point != UTF8_INVALID && (!is_ascii_control(code_point) || code_point == '\t') &&
                       !is_unsafe_code_point(code_point);
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
    if (style != COMMENT_DOCSTRING) trim_appended_blanks(out, start);
}

/* The common case, a line with nothing to escape, is one scan and one copy; the style is a constant in each. */
static inline __attribute__((always_inline)) void escape_comment_line_in(StrBuf *out, CommentStyle style,
                                                                         const char *line, size_t len,
                                                                         bool is_last_line) {
    size_t run = comment_plain_run(style, (const unsigned char *)line, len);
    if (run < len) {
        escape_comment_rest(out, style, line, len, is_last_line, run);
        return;
    }
    size_t start = out->len;
    strbuf_append(out, line, len);
    if (style != COMMENT_DOCSTRING) trim_appended_blanks(out, start);
}

void escape_comment_line(StrBuf *out, CommentStyle style, const char *line, size_t len, bool is_last_line) {
    switch (style) {
    case COMMENT_DOCSTRING: escape_comment_line_in(out, COMMENT_DOCSTRING, line, len, is_last_line); return;
    case COMMENT_JSDOC: escape_comment_line_in(out, COMMENT_JSDOC, line, len, is_last_line); return;
    default: escape_comment_line_in(out, COMMENT_LINE, line, len, is_last_line); return;
    }
}


void escape_markdown_code_span(StrBuf *out, const char *text, size_t len, bool in_table) {
    /* The common case, no backtick (nor a '|' in a table): the text in single backticks, copied at once. */
    if (len == 0 || (!memchr(text, '`', len) && !(in_table && memchr(text, '|', len)))) {
        bool pad = len > 0 && (text[0] == ' ' || text[len - 1] == ' ');
        strbuf_append(out, pad ? "` " : "`", pad ? 2 : 1);
        strbuf_append(out, text, len);
        strbuf_append(out, pad ? " `" : "`", pad ? 2 : 1);
        return;
    }
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
