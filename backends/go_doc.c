/* The Go backend's doc comments: the layout gofmt gives them (go/doc/comment), so that the generated code stays
 * gofmt-clean. Only Go reformats comments, so this lives with the Go backend, not in the shared printer. */
#include "go_doc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "../support/escape.h"
#include "../support/utf8.h"

static bool is_upper_ascii(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_alnum_ascii(char c) { return is_upper_ascii(c) || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/* Go doc comments are reformatted by gofmt (go/doc/comment): whitespace common to all lines is removed, an
 * indented span is a code block written as "//\t<line>" between "//" lines, and an indented span that starts
 * with a list marker is a list with its own layout. The generated code must be gofmt-clean, so this prints the
 * canonical form: code blocks as gofmt writes them, list spans unindented (plain text lines, which gofmt keeps),
 * runs of empty lines collapsed into one. */
typedef struct GoDocLines {
    StrBuf *lines; /* each NUL-terminated, never NULL */
    size_t count;
    size_t capacity;
} GoDocLines;

static StrBuf *go_doc_push(GoDocLines *doc, const char *text) {
    if (doc->count == doc->capacity) {
        doc->capacity = doc->capacity ? doc->capacity * 2 : 8;
        StrBuf *grown = realloc(doc->lines, doc->capacity * sizeof *grown);
        if (!grown) {
            fputs("rpcc: out of memory\n", stderr);
            abort();
        }
        doc->lines = grown;
    }
    StrBuf *line = &doc->lines[doc->count++];
    strbuf_init(line);
    strbuf_append(line, text, strlen(text)); /* allocates even for "" */
    return line;
}

static bool go_line_is_blank(const StrBuf *line) { return line->len == 0; }

/* Length of the longest run of spaces and tabs that starts every non-blank line in [first, last). */
static size_t go_common_indent(const GoDocLines *doc, size_t first, size_t last) {
    const StrBuf *model = NULL;
    size_t common = 0;
    for (size_t index = first; index < last; index++) {
        const StrBuf *line = &doc->lines[index];
        if (go_line_is_blank(line)) continue;
        size_t indent = 0;
        while (indent < line->len && (line->data[indent] == ' ' || line->data[indent] == '\t')) indent++;
        if (!model) {
            model = line;
            common = indent;
            continue;
        }
        size_t same = 0;
        while (same < common && same < indent && line->data[same] == model->data[same]) same++;
        common = same;
    }
    return common;
}

/* "- ", "* ", "+ ", "• " or a number followed by ". " or ") " (or ending the line), as go/doc/comment. */
static bool go_starts_list_item(const char *text) {
    while (*text == ' ' || *text == '\t') text++;
    if ((text[0] == '-' || text[0] == '*' || text[0] == '+') && (text[1] == ' ' || text[1] == '\t' || !text[1])) {
        return true;
    }
    if (strncmp(text, "\xE2\x80\xA2", 3) == 0 && (text[3] == ' ' || text[3] == '\t' || !text[3])) return true;
    const char *digit = text;
    while (*digit >= '0' && *digit <= '9') digit++;
    return digit > text && (*digit == '.' || *digit == ')') &&
           (digit[1] == ' ' || digit[1] == '\t' || !digit[1]);
}

/* The doc's lines, sanitized for a Go comment, without trailing blanks (and without leading ones if asked). */
static void go_doc_load(GoDocLines *doc, const char *text, bool trim_left) {
    doc->lines = NULL;
    doc->count = doc->capacity = 0;
    DocLines lines;
    doc_lines_init(&lines, text);
    const char *line;
    size_t len;
    while (doc_lines_next(&lines, &line, &len)) {
        StrBuf *sanitized = go_doc_push(doc, "");
        escape_comment_line(sanitized, COMMENT_LINE, line, len, false);
        size_t skip = 0;
        while (trim_left && skip < sanitized->len && (sanitized->data[skip] == ' ' || sanitized->data[skip] == '\t')) {
            skip++;
        }
        memmove(sanitized->data, sanitized->data + skip, sanitized->len - skip + 1);
        sanitized->len -= skip;
    }
}

static void go_doc_free(GoDocLines *doc) {
    for (size_t index = 0; index < doc->count; index++) strbuf_free(&doc->lines[index]);
    free(doc->lines);
}

/* Renders the doc in gofmt's layout into `out`: "" for an empty line, "\t..." for a code line, else text. */
static void render_go_doc(const GoDocLines *doc, GoDocLines *out) {
    size_t common = go_common_indent(doc, 0, doc->count);
    bool last_blank = true, last_code = false;
    size_t index = 0;
    while (index < doc->count) {
        const StrBuf *line = &doc->lines[index];
        if (go_line_is_blank(line)) {
            if (!last_blank) go_doc_push(out, "");
            last_blank = true;
            last_code = false;
            index++;
            continue;
        }
        const char *rest = line->data + common;
        if (*rest != ' ' && *rest != '\t') {
            if (last_code) go_doc_push(out, "");
            go_doc_push(out, rest);
            last_blank = last_code = false;
            index++;
            continue;
        }
        /* An indented span: indented lines and the empty lines between them. */
        size_t span_end = index + 1;
        for (size_t next = index + 1; next < doc->count; next++) {
            const StrBuf *candidate = &doc->lines[next];
            if (go_line_is_blank(candidate)) continue;
            if (candidate->data[common] != ' ' && candidate->data[common] != '\t') break;
            span_end = next + 1;
        }
        if (go_starts_list_item(rest)) {
            for (; index < span_end; index++) {
                const StrBuf *item = &doc->lines[index];
                if (go_line_is_blank(item)) {
                    if (!last_blank) go_doc_push(out, "");
                    last_blank = true;
                    continue;
                }
                const char *trimmed = item->data;
                while (*trimmed == ' ' || *trimmed == '\t') trimmed++;
                if (last_code) go_doc_push(out, "");
                go_doc_push(out, trimmed);
                last_blank = last_code = false;
            }
            continue;
        }
        if (!last_blank) go_doc_push(out, "");
        size_t code_indent = go_common_indent(doc, index, span_end);
        StrBuf code;
        strbuf_init(&code);
        for (; index < span_end; index++) {
            const StrBuf *code_line = &doc->lines[index];
            strbuf_clear(&code);
            if (!go_line_is_blank(code_line)) {
                strbuf_putc(&code, '\t');
                strbuf_puts(&code, code_line->data + code_indent);
            }
            go_doc_push(out, strbuf_cstr(&code));
        }
        strbuf_free(&code);
        last_blank = false;
        last_code = true;
    }
}

/* go/doc/comment's "old heading": a one-line paragraph between empty lines, not first, followed by an unindented
 * line, starting with an upper-case letter (unicode.IsUpper: support/go_unicode.c has Go's table), ending in a letter or
 * digit, without most punctuation. gofmt rewrites it as "# Heading", so it is printed that way. (A non-ASCII
 * last character counts as a letter: printed as a heading, it stays one under gofmt either way.) */
static bool go_is_old_heading(const GoDocLines *doc, size_t at) {
    if (at == 0 || at + 2 >= doc->count || doc->lines[at - 1].len || doc->lines[at + 1].len) return false;
    const StrBuf *next = &doc->lines[at + 2];
    if (next->len && (next->data[0] == ' ' || next->data[0] == '\t')) return false;
    const char *line = doc->lines[at].data;
    size_t len = doc->lines[at].len;
    size_t first_size;
    if (!go_is_upper(utf8_decode((const unsigned char *)line, len, &first_size))) return false;
    unsigned char last = (unsigned char)line[len - 1];
    if (last < 0x80 && !is_alnum_ascii((char)last)) return false;
    if (strpbrk(line, ";:!?+*/=[]{}_^&~%#@<\">\\") || strstr(line, "\xC2\xB0") || strstr(line, "\xC2\xA7")) {
        return false;
    }
    for (const char *quote = strchr(line, '\''); quote; quote = strchr(quote + 1, '\'')) {
        if (quote[1] != 's' || (quote[2] != '\0' && quote[2] != ' ')) return false; /* possessive 's only */
    }
    for (const char *dot = strchr(line, '.'); dot; dot = strchr(dot + 1, '.')) {
        if (dot[1] == '\0' || dot[1] == ' ') return false; /* "." only inside a word, as in "v1.2" */
    }
    return true;
}

/* Appends `text` with gofmt's rewrite of the text of doc comments (go/doc/comment): "``" becomes U+201C and "''"
 * U+201D, left to right. Code lines keep them, and so do comments that are not doc comments. */
static void append_go_doc_quotes(StrBuf *out, const char *text) {
    for (const char *at = text; *at; at++) {
        if (at[0] == '`' && at[1] == '`') {
            strbuf_puts(out, "\xE2\x80\x9C");
            at++;
        } else if (at[0] == '\'' && at[1] == '\'') {
            strbuf_puts(out, "\xE2\x80\x9D");
            at++;
        } else {
            strbuf_putc(out, *at);
        }
    }
}

/* True when `text` holds `quote` twice in a row. memchr finds the candidates: most docs hold no backquote and few
 * apostrophes. */
static bool has_doubled(const char *text, size_t len, char quote) {
    const char *end = text + len, *at = text;
    while ((at = memchr(at, quote, (size_t)(end - at))) != NULL && at + 1 < end) {
        if (at[1] == quote) return true;
        at += 2; /* at[1] is not the quote: no pair starts there */
    }
    return false;
}

/* True when `text` holds "``" or "''" (gofmt's curly quotes in doc comments). */
static bool has_doubled_quote(const char *text, size_t len) {
    return has_doubled(text, len, '`') || has_doubled(text, len, '\'');
}

/* The first byte at or after `at` that print_plain_comment looks at: a control (the line break, and the NUL that
 * ends the text, among them), DEL, a byte of a non-ASCII character, and with `quotes` a backquote or an apostrophe.
 * Most doc text has none for many bytes. With SSE2 (every x86-64), 16 bytes a step in aligned blocks: a block never
 * crosses a page, and the scan stops at the NUL's block at the latest (bytes after the NUL in it are read but not
 * used, as strlen does, hence no AddressSanitizer check here). */
#if defined(__SSE2__)
__attribute__((no_sanitize_address)) static const char *next_special_byte(const char *at, bool quotes) {
    uintptr_t offset = (uintptr_t)at & 15;
    const __m128i *block = (const __m128i *)(const void *)(at - offset);
    const __m128i space = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7F);
    const __m128i backquote = _mm_set1_epi8('`'), apostrophe = _mm_set1_epi8('\'');
    unsigned mask = 0xFFFFu << offset; /* the bytes before `at` do not count */
    for (;; block++) {
        __m128i bytes = _mm_load_si128(block);
        /* signed: the bytes of non-ASCII characters (0x80 and above) are below 0x20 too */
        __m128i hits = _mm_or_si128(_mm_cmplt_epi8(bytes, space), _mm_cmpeq_epi8(bytes, del));
        if (quotes)
            hits = _mm_or_si128(hits, _mm_or_si128(_mm_cmpeq_epi8(bytes, backquote), _mm_cmpeq_epi8(bytes, apostrophe)));
        unsigned found = (unsigned)_mm_movemask_epi8(hits) & mask;
        if (found) return (const char *)block + __builtin_ctz(found);
        mask = 0xFFFFu;
    }
}
#else
static const char *next_special_byte(const char *at, bool quotes) {
    for (;; at++) {
        unsigned char c = (unsigned char)*at;
        if (c < 0x20 || c >= 0x7F || (quotes && (c == '`' || c == '\''))) return at;
    }
}
#endif

/* The end of the line at `at` (its line break, or the NUL that ends the text). *simple tells whether the line is
 * printable ASCII only (written as it is) and, with `quotes`, holds no "``" or "''". */
static const char *scan_comment_line(const char *at, bool quotes, bool *simple) {
    *simple = true;
    for (;; at++) {
        at = next_special_byte(at, quotes);
        char c = *at;
        if (c == '\n' || c == '\0') return at;
        if (quotes && (c == '`' || c == '\'')) {
            if (at[1] == c) *simple = false;
        } else {
            *simple = false;
        }
    }
}

/* The common case of print_comment, written straight into the printer: no deprecation, and every line, once
 * sanitized, either empty or starting with neither a space nor a tab (no common indentation to remove, no code
 * block, no list), fewer than five lines once written (an old-style heading needs five), without curly quotes in a
 * doc comment. Then gofmt's layout is the lines themselves with runs of empty lines collapsed. The lines are read in
 * one pass with DocLines' rules (trailing blanks dropped, empty lines before the first and after the last line with
 * content left out). A line of printable ASCII (nearly all) is copied as it is; any other goes through
 * escape_comment_line. Returns false, having written nothing, for any other doc: print_comment's general path
 * renders it. */
/* print_plain_comment's lines, after `written` lines already written (and an empty line pending): false, having
 * written part of them, for a doc that is not plain. */
static bool print_plain_lines(Printer *printer, const char *text, bool doc_comment, size_t written,
                              bool empty_pending) {
    StrBuf *out = &printer->out;
    const char *cursor = text;
    while (*cursor) {
        bool simple;
        const char *line_end = scan_comment_line(cursor, doc_comment, &simple);
        const char *content_end = line_end;
        while (content_end > cursor && (content_end[-1] == ' ' || content_end[-1] == '\t' || content_end[-1] == '\r'))
            content_end--;
        const char *line = cursor;
        size_t len = (size_t)(content_end - cursor);
        cursor = *line_end ? line_end + 1 : line_end;
        if (len == 0) {
            empty_pending = written > 0; /* an empty line after a line with content: written if another one follows */
            continue;
        }
        if (empty_pending) {
            if (++written >= 5) return false;
            char *at = go_line_begin(printer, 3);
            at[0] = '/';
            at[1] = '/';
            go_line_end(printer, at + 2);
            empty_pending = false;
        }
        if (++written >= 5) return false;
        if (simple) {
            if (line[0] == ' ') return false; /* indented: a code block or a list */
            char *at = go_line_begin(printer, 3 + len + 1);
            memcpy(at, "// ", 3);
            go_copy(at + 3, line, len);
            go_line_end(printer, at + 3 + len);
            continue;
        }
        printer_putn(printer, "// ", 3);
        size_t start = out->len;
        escape_comment_line(out, COMMENT_LINE, line, len, false);
        const char *sanitized = out->data + start;
        size_t sanitized_len = out->len - start;
        if (sanitized_len == 0 || sanitized[0] == ' ' || sanitized[0] == '\t' ||
            (doc_comment && has_doubled_quote(sanitized, sanitized_len)))
            return false;
        printer_end_line(printer);
    }
    return true;
}

/* Undoes what was printed after `mark` (the output's length then). */
static void undo_to(Printer *printer, size_t mark, bool mark_at_line_start) {
    StrBuf *out = &printer->out;
    out->len = mark;
    if (out->data) out->data[mark] = '\0';
    printer->at_line_start = mark_at_line_start;
}

static bool print_plain_comment(Printer *printer, const char *text, bool doc_comment) {
    if (!text) return true;
    size_t mark = printer->out.len;
    bool mark_at_line_start = printer->at_line_start;
    printer_hold(printer); /* the lines may be undone: no flush until then */
    bool plain = print_plain_lines(printer, text, doc_comment, 0, false);
    printer_release(printer);
    if (plain) return true;
    undo_to(printer, mark, mark_at_line_start); /* not a plain doc */
    return false;
}

static void print_general_comment(Printer *printer, const char *text, const char *deprecated, bool doc_comment);

static void print_comment(Printer *printer, const char *text, const char *deprecated, bool doc_comment) {
    if (!deprecated && print_plain_comment(printer, text, doc_comment)) return;
    print_general_comment(printer, text, deprecated, doc_comment);
}

/* gofmt's layout of any doc: its lines rendered (render_go_doc), then written. */
static void print_general_comment(Printer *printer, const char *text, const char *deprecated, bool doc_comment) {
    GoDocLines doc, rendered = {NULL, 0, 0};
    go_doc_load(&doc, text, false);
    render_go_doc(&doc, &rendered);
    go_doc_free(&doc);
    if (deprecated) {
        /* The "Deprecated: " paragraph that go doc, gopls and staticcheck recognise; it needs some text. Its
         * lines are kept as one plain paragraph (no indentation, no empty lines). */
        GoDocLines reason;
        go_doc_load(&reason, deprecated, true);
        if (rendered.count) go_doc_push(&rendered, "");
        size_t first = 0;
        while (first < reason.count && go_line_is_blank(&reason.lines[first])) first++;
        StrBuf paragraph;
        strbuf_init(&paragraph);
        strbuf_printf(&paragraph, "Deprecated: %s",
                      first < reason.count ? reason.lines[first].data : "do not use in new code.");
        go_doc_push(&rendered, paragraph.data);
        strbuf_free(&paragraph);
        for (size_t index = first + 1; index < reason.count; index++) {
            if (!go_line_is_blank(&reason.lines[index])) go_doc_push(&rendered, reason.lines[index].data);
        }
        go_doc_free(&reason);
    }
    for (size_t index = 0; index < rendered.count; index++) {
        const StrBuf *line = &rendered.lines[index];
        if (line->len == 0) {
            printer_line(printer, "//");
        } else if (line->data[0] == '\t') {
            printer_line(printer, "//%s", line->data);
        } else if (doc_comment && (strstr(line->data, "``") || strstr(line->data, "''"))) {
            StrBuf quoted;
            strbuf_init(&quoted);
            append_go_doc_quotes(&quoted, line->data);
            printer_line(printer, "// %s%s", go_is_old_heading(&rendered, index) ? "# " : "", quoted.data);
            strbuf_free(&quoted);
        } else {
            printer_line(printer, "// %s%s", go_is_old_heading(&rendered, index) ? "# " : "", line->data);
        }
    }
    go_doc_free(&rendered);
}

void go_print_comment(Printer *printer, const char *text, const char *deprecated) {
    print_comment(printer, text, deprecated, false);
}

void go_print_doc_comment(Printer *printer, const char *text, const char *deprecated) {
    print_comment(printer, text, deprecated, true);
}

void go_print_kind_doc_comment(Printer *printer, const char *name, size_t name_len, const char *kind, size_t kind_len,
                               const char *text, StrBuf *scratch) {
    size_t mark = printer->out.len;
    bool mark_at_line_start = printer->at_line_start;
    printer_hold(printer); /* the lines may be undone: no flush until then */
    char *at = go_line_begin(printer, 3 + name_len + kind_len + 1);
    memcpy(at, "// ", 3);
    go_copy(at + 3, name, name_len);
    go_copy(at + 3 + name_len, kind, kind_len);
    go_line_end(printer, at + 3 + name_len + kind_len);
    bool plain = print_plain_lines(printer, text, true, 1, true);
    printer_release(printer);
    if (plain) return;
    undo_to(printer, mark, mark_at_line_start);
    strbuf_clear(scratch);
    strbuf_append(scratch, name, name_len);
    strbuf_append(scratch, kind, kind_len);
    strbuf_append(scratch, "\n\n", 2);
    strbuf_puts(scratch, text);
    print_general_comment(printer, scratch->data, NULL, true);
}
