/* The indent-aware printer and the escaping of input text into string literals and doc comments. */
#include "printer.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/escape.h"

void printer_init(Printer *printer, const char *indent_unit) {
    strbuf_init(&printer->out);
    printer->indent_unit = indent_unit;
    printer->depth = 0;
    printer->at_line_start = true;
}

void printer_free(Printer *printer) { strbuf_free(&printer->out); }

void printer_indent(Printer *printer) { printer->depth++; }

void printer_dedent(Printer *printer) {
    if (printer->depth > 0) printer->depth--;
}

void printer_write(Printer *printer, const char *text, size_t len) {
    size_t pos = 0;
    while (pos < len) {
        if (printer->at_line_start && text[pos] != '\n') {
            for (int level = 0; level < printer->depth; level++) strbuf_puts(&printer->out, printer->indent_unit);
            printer->at_line_start = false;
        }
        /* Copy up to and including the next newline in one piece. */
        const char *newline = memchr(text + pos, '\n', len - pos);
        size_t chunk = newline ? (size_t)(newline - (text + pos)) + 1 : len - pos;
        strbuf_append(&printer->out, text + pos, chunk);
        pos += chunk;
        if (newline) printer->at_line_start = true;
    }
}

/* True when `fmt` has no conversion but plain %s and %%: such formats (most generated lines) are expanded here
 * without vsnprintf, which was a quarter of a large run's instructions. */
static bool only_plain_strings(const char *fmt) {
    for (const char *p = strchr(fmt, '%'); p; p = strchr(p + 2, '%')) {
        if (p[1] != 's' && p[1] != '%') return false;
    }
    return true;
}

static void printer_vprintf(Printer *printer, const char *fmt, va_list args) {
    if (only_plain_strings(fmt)) {
        va_list copy;
        va_copy(copy, args);
        const char *text = fmt;
        for (const char *p = strchr(text, '%'); p; p = strchr(text, '%')) {
            if (p > text) printer_write(printer, text, (size_t)(p - text));
            if (p[1] == 's') {
                const char *argument = va_arg(copy, const char *);
                printer_write(printer, argument, strlen(argument));
            } else {
                printer_write(printer, "%", 1);
            }
            text = p + 2;
        }
        if (*text) printer_write(printer, text, strlen(text));
        va_end(copy);
        return;
    }
    /* Most lines fit a stack buffer: format once, with no allocation (a hot path: every line of every file). */
    char stack[512];
    va_list copy;
    va_copy(copy, args);
    int length = vsnprintf(stack, sizeof stack, fmt, copy);
    va_end(copy);
    if (length < 0) return;
    if ((size_t)length < sizeof stack) {
        printer_write(printer, stack, (size_t)length);
        return;
    }
    StrBuf formatted;
    strbuf_init(&formatted);
    strbuf_vprintf(&formatted, fmt, args);
    printer_write(printer, strbuf_cstr(&formatted), formatted.len);
    strbuf_free(&formatted);
}

void printer_printf(Printer *printer, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    printer_vprintf(printer, fmt, args);
    va_end(args);
}

void printer_line(Printer *printer, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    printer_vprintf(printer, fmt, args);
    va_end(args);
    printer_write(printer, "\n", 1);
}

void printer_blank_line(Printer *printer) { printer_write(printer, "\n", 1); }

/* The value of the variable text[0..length) among printer_block's (name, value) pairs; aborts when there is none. */
static const char *block_variable(const char *text, size_t length, va_list pairs) {
    for (const char *name = va_arg(pairs, const char *); name; name = va_arg(pairs, const char *)) {
        const char *value = va_arg(pairs, const char *);
        if (strlen(name) == length && memcmp(name, text, length) == 0) return value;
    }
    fprintf(stderr, "rpcc: internal error: printer_block: no value for $%.*s$\n", (int)length, text);
    abort();
}

void printer_block(Printer *printer, const char *text, ...) {
    const char *cursor = text;
    for (const char *dollar = strchr(cursor, '$'); dollar; dollar = strchr(cursor, '$')) {
        if (dollar > cursor) printer_write(printer, cursor, (size_t)(dollar - cursor));
        const char *end = strchr(dollar + 1, '$');
        if (!end) {
            fprintf(stderr, "rpcc: internal error: printer_block: unclosed '$' in \"%.40s\"\n", dollar);
            abort();
        }
        if (end == dollar + 1) {
            printer_write(printer, "$", 1);
        } else {
            va_list pairs;
            va_start(pairs, text);
            const char *value = block_variable(dollar + 1, (size_t)(end - dollar - 1), pairs);
            va_end(pairs);
            printer_write(printer, value, strlen(value));
        }
        cursor = end + 1;
    }
    if (*cursor) printer_write(printer, cursor, strlen(cursor));
}

void printer_string_literal(Printer *printer, Target target, const char *text, size_t len) {
    StrBuf literal;
    strbuf_init(&literal);
    escape_string_literal(&literal, target, text, len);
    printer_write(printer, strbuf_cstr(&literal), literal.len);
    strbuf_free(&literal);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Doc comments                                                                                               */

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
static bool is_upper_ascii(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_alnum_ascii(char c) { return is_upper_ascii(c) || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/* A doc's lines without trailing blanks, with leading and trailing empty lines dropped. */
typedef struct DocLines {
    const char *cursor; /* next line */
    const char *end;    /* end of the last non-empty line */
} DocLines;

static void doc_lines_init(DocLines *lines, const char *text) {
    lines->cursor = text ? text : "";
    lines->end = lines->cursor;
    /* Skip leading empty lines; `end` becomes the end of the last line with content. */
    const char *line = lines->cursor;
    bool seen_content = false;
    while (*line) {
        const char *line_end = strchr(line, '\n');
        if (!line_end) line_end = line + strlen(line);
        const char *content_end = line_end;
        while (content_end > line && is_blank(content_end[-1])) content_end--;
        if (content_end > line) {
            if (!seen_content) lines->cursor = line;
            seen_content = true;
            lines->end = content_end;
        }
        line = *line_end ? line_end + 1 : line_end;
    }
    if (!seen_content) lines->cursor = lines->end;
}

static bool doc_lines_empty(const DocLines *lines) { return lines->cursor >= lines->end; }

static bool doc_lines_next(DocLines *lines, const char **line, size_t *len) {
    if (lines->cursor >= lines->end) return false;
    const char *line_end = memchr(lines->cursor, '\n', (size_t)(lines->end - lines->cursor));
    if (!line_end) line_end = lines->end;
    const char *content_end = line_end;
    while (content_end > lines->cursor && is_blank(content_end[-1])) content_end--;
    *line = lines->cursor;
    *len = (size_t)(content_end - lines->cursor);
    lines->cursor = line_end < lines->end ? line_end + 1 : lines->end;
    return true;
}

void printer_python_docstring(Printer *printer, const char *text) {
    DocLines lines;
    doc_lines_init(&lines, text);
    if (doc_lines_empty(&lines)) return;
    StrBuf docstring;
    strbuf_init(&docstring);
    strbuf_puts(&docstring, "\"\"\"");
    const char *line;
    size_t len;
    size_t line_count = 0;
    while (doc_lines_next(&lines, &line, &len)) {
        if (line_count++) strbuf_putc(&docstring, '\n');
        escape_comment_line(&docstring, COMMENT_DOCSTRING, line, len, doc_lines_empty(&lines));
    }
    /* PEP 257: a one-line docstring closes on its line, a longer one on a line of its own. */
    strbuf_puts(&docstring, line_count > 1 ? "\n\"\"\"\n" : "\"\"\"\n");
    printer_write(printer, strbuf_cstr(&docstring), docstring.len);
    strbuf_free(&docstring);
}

/* Writes each line of `lines` as `prefix` + line (or `empty_line` for an empty one), one line each. */
static void write_comment_lines(Printer *printer, CommentStyle style, DocLines *lines, const char *prefix,
                                const char *empty_line) {
    StrBuf content;
    strbuf_init(&content);
    const char *line;
    size_t len;
    while (doc_lines_next(lines, &line, &len)) {
        strbuf_clear(&content);
        escape_comment_line(&content, style, line, len, false);
        if (content.len == 0) {
            printer_line(printer, "%s", empty_line);
        } else {
            printer_line(printer, "%s%s", prefix, strbuf_cstr(&content));
        }
    }
    strbuf_free(&content);
}

void printer_jsdoc(Printer *printer, const char *text, const char *deprecated) {
    DocLines lines, reason;
    doc_lines_init(&lines, text);
    doc_lines_init(&reason, deprecated);
    bool has_text = !doc_lines_empty(&lines);
    if (!has_text && !deprecated) return;

    /* One short form: a one-line doc, or only a one-line deprecation. */
    StrBuf single;
    strbuf_init(&single);
    const char *line;
    size_t len;
    if (has_text && !deprecated) {
        DocLines probe = lines;
        doc_lines_next(&probe, &line, &len);
        if (doc_lines_empty(&probe)) {
            escape_comment_line(&single, COMMENT_JSDOC, line, len, true);
            printer_line(printer, "/** %s */", strbuf_cstr(&single));
            strbuf_free(&single);
            return;
        }
    } else if (!has_text) {
        DocLines probe = reason;
        if (!doc_lines_next(&probe, &line, &len)) {
            printer_line(printer, "/** @deprecated */");
            strbuf_free(&single);
            return;
        }
        if (doc_lines_empty(&probe)) {
            escape_comment_line(&single, COMMENT_JSDOC, line, len, true);
            printer_line(printer, "/** @deprecated %s */", strbuf_cstr(&single));
            strbuf_free(&single);
            return;
        }
    }
    strbuf_free(&single);

    printer_line(printer, "/**");
    write_comment_lines(printer, COMMENT_JSDOC, &lines, " * ", " *");
    if (deprecated) {
        /* "@deprecated <first line>", then the reason's further lines. */
        StrBuf first;
        strbuf_init(&first);
        if (doc_lines_next(&reason, &line, &len)) escape_comment_line(&first, COMMENT_JSDOC, line, len, false);
        if (first.len) {
            printer_line(printer, " * @deprecated %s", strbuf_cstr(&first));
        } else {
            printer_line(printer, " * @deprecated");
        }
        strbuf_free(&first);
        write_comment_lines(printer, COMMENT_JSDOC, &reason, " * ", " *");
    }
    printer_line(printer, " */");
}

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
 * line, starting with an upper-case letter, ending in a letter or digit, without most punctuation. gofmt
 * rewrites it as "# Heading", so it is printed that way. (Non-ASCII letters: only the ASCII rules are known
 * here; a non-ASCII first character never makes a heading, a non-ASCII last one counts as a letter.) */
static bool go_is_old_heading(const GoDocLines *doc, size_t at) {
    if (at == 0 || at + 2 >= doc->count || doc->lines[at - 1].len || doc->lines[at + 1].len) return false;
    const StrBuf *next = &doc->lines[at + 2];
    if (next->len && (next->data[0] == ' ' || next->data[0] == '\t')) return false;
    const char *line = doc->lines[at].data;
    size_t len = doc->lines[at].len;
    if (!is_upper_ascii(line[0])) return false;
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

void printer_go_comment(Printer *printer, const char *text, const char *deprecated) {
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
        } else {
            printer_line(printer, "// %s%s", go_is_old_heading(&rendered, index) ? "# " : "", line->data);
        }
    }
    go_doc_free(&rendered);
}
