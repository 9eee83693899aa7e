/* The indent-aware printer and the escaping of input text into string literals and doc comments. */
#include "printer.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/escape.h"

/* Indentation of a unit that repeats one byte (spaces or tabs, all the backends' units), written in one append. */
static const char INDENT_SPACES[] = "                                                                ";
static const char INDENT_TABS[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";

void printer_init(Printer *printer, const char *indent_unit) {
    strbuf_init(&printer->out);
    printer->indent_unit = indent_unit;
    printer->indent_unit_len = strlen(indent_unit);
    printer->indent_run = NULL;
    printer->indent_run_len = 0;
    if (indent_unit[0] == ' ' && strspn(indent_unit, " ") == printer->indent_unit_len) {
        printer->indent_run = INDENT_SPACES;
        printer->indent_run_len = sizeof INDENT_SPACES - 1;
    } else if (indent_unit[0] == '\t' && strspn(indent_unit, "\t") == printer->indent_unit_len) {
        printer->indent_run = INDENT_TABS;
        printer->indent_run_len = sizeof INDENT_TABS - 1;
    }
    printer->depth = 0;
    printer->at_line_start = true;
    printer->flush_at = SIZE_MAX;
    printer->hold = 0;
    printer->sink = NULL;
    printer->sink_context = NULL;
}

void printer_free(Printer *printer) { strbuf_free(&printer->out); }

void printer_attach(Printer *printer, PrinterSink sink, void *context) {
    printer->sink = sink;
    printer->sink_context = context;
    printer->flush_at = PRINTER_FLUSH_SIZE;
}

void printer_flush(Printer *printer) {
    if (!printer->sink || printer->out.len == 0) return;
    printer->sink(printer->sink_context, printer->out.data, printer->out.len);
    strbuf_clear(&printer->out);
}

/* The end of every call that may end a line: the text goes to the sink once the printer holds PRINTER_FLUSH_SIZE
 * bytes of complete lines, unless held (never for a printer without a sink: flush_at is SIZE_MAX). */
static inline void flush_point(Printer *printer) {
    if (__builtin_expect(printer->out.len >= printer->flush_at, 0) && printer->at_line_start && !printer->hold)
        printer_flush(printer);
}

void printer_flush_at_line_end(Printer *printer) { flush_point(printer); }

void printer_indent(Printer *printer) { printer->depth++; }

void printer_dedent(Printer *printer) {
    if (printer->depth > 0) printer->depth--;
}

/* The indentation of `depth` levels, in one append when the unit repeats one byte: it is written for nearly every
 * line of generated code. */
void printer_append_indentation(Printer *printer) {
    size_t total = (size_t)printer->depth * printer->indent_unit_len;
    if (total == 0) return;
    if (total <= printer->indent_run_len) {
        StrBuf *out = &printer->out;
        if (out->len + total + 1 > out->cap) strbuf_grow(out, total);
        char *at = out->data + out->len;
        if (total < 16) {
            strbuf_copy_bytes(at, printer->indent_run, total);
        } else { /* 16 bytes a copy, without a call; the run is one byte repeated, so copies may overlap */
            for (size_t done = 0; done + 16 <= total; done += 16) memcpy(at + done, printer->indent_run, 16);
            memcpy(at + total - 16, printer->indent_run, 16);
        }
        out->len += total;
        out->data[out->len] = '\0';
        return;
    }
    for (int level = 0; level < printer->depth; level++)
        strbuf_append(&printer->out, printer->indent_unit, printer->indent_unit_len);
}

static void append_indentation(Printer *printer) { printer_append_indentation(printer); }

void printer_write(Printer *printer, const char *text, size_t len) {
    while (len > 0) {
        if (printer->at_line_start && text[0] != '\n') {
            append_indentation(printer);
            printer->at_line_start = false;
        }
        /* Copy up to and including the next newline in one piece. */
        const char *newline = memchr(text, '\n', len);
        size_t chunk = newline ? (size_t)(newline - text) + 1 : len;
        strbuf_append(&printer->out, text, chunk);
        text += chunk;
        len -= chunk;
        if (newline) printer->at_line_start = true;
    }
    flush_point(printer);
}

/* Ends text appended straight into the output from `start` (where the indentation, if `indented`, was written
 * first, the text following at `text_start`). Text that holds a line break before its last byte, or an indentation
 * that turns out not to be wanted (the text is empty or starts with one), is written again through printer_write,
 * which indents every line: rare in generated code. */
static inline __attribute__((always_inline)) void finish_appended(Printer *printer, size_t start, size_t text_start,
                                                                  bool indented) {
    StrBuf *out = &printer->out;
    size_t text_len = out->len - text_start;
    if (text_len == 0) {
        out->len = start; /* nothing printed: no indentation either */
        if (out->data) out->data[start] = '\0';
        return;
    }
    const char *text = out->data + text_start;
    const char *newline = memchr(text, '\n', text_len);
    if ((!newline || newline == text + text_len - 1) && !(indented && text[0] == '\n')) {
        printer->at_line_start = newline != NULL;
        return;
    }
    char stack[512];
    char *copy = text_len <= sizeof stack ? stack : malloc(text_len);
    if (!copy) abort();
    memcpy(copy, text, text_len);
    out->len = start;
    out->data[start] = '\0';
    printer_write(printer, copy, text_len);
    if (copy != stack) free(copy);
}

/* Formats straight into the output (strbuf_vprintf expands the common conversions without vsnprintf), with the
 * indentation written first when the text starts a line. */
static inline __attribute__((always_inline)) void printer_vprintf(Printer *printer, const char *fmt, va_list args) {
    StrBuf *out = &printer->out;
    size_t start = out->len;
    bool indented = printer->at_line_start && printer->depth > 0;
    if (indented) append_indentation(printer);
    size_t text_start = out->len;
    strbuf_vprintf(out, fmt, args);
    finish_appended(printer, start, text_start, indented);
}

/* printer_concat's pieces, appended as they are (printer_vprintf of "%s%s...%s" without the format). */
static void printer_vconcat(Printer *printer, const char *first, va_list pieces) {
    StrBuf *out = &printer->out;
    size_t start = out->len;
    bool indented = printer->at_line_start && printer->depth > 0;
    if (indented) append_indentation(printer);
    size_t text_start = out->len;
    for (const char *piece = first; piece; piece = va_arg(pieces, const char *)) strbuf_puts(out, piece);
    finish_appended(printer, start, text_start, indented);
}

void printer_concat(Printer *printer, const char *first, ...) {
    va_list pieces;
    va_start(pieces, first);
    printer_vconcat(printer, first, pieces);
    va_end(pieces);
    flush_point(printer);
}

void printer_concat_line(Printer *printer, const char *first, ...) {
    va_list pieces;
    va_start(pieces, first);
    printer_vconcat(printer, first, pieces);
    va_end(pieces);
    printer_end_line(printer);
    flush_point(printer);
}

void printer_printf(Printer *printer, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    printer_vprintf(printer, fmt, args);
    va_end(args);
    flush_point(printer);
}

void printer_line(Printer *printer, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    printer_vprintf(printer, fmt, args);
    va_end(args);
    strbuf_putc(&printer->out, '\n'); /* a line break is never indented */
    printer->at_line_start = true;
    flush_point(printer);
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

/* Starts text that holds no line break on the current line: the indentation first when the line is empty. */
static void begin_text(Printer *printer) {
    if (printer->at_line_start) {
        append_indentation(printer);
        printer->at_line_start = false;
    }
}

void printer_string_literal(Printer *printer, Target target, const char *text, size_t len) {
    begin_text(printer); /* an escaped literal holds no raw line break: written straight into the output */
    escape_string_literal(&printer->out, target, text, len);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Doc comments                                                                                               */

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

void doc_lines_init(DocLines *lines, const char *text) {
    const char *start = text ? text : "";
    lines->cursor = lines->end = start;
    /* The first line with content starts after the last line break before the first byte that is neither blank
     * nor a line break; the last one ends after the last such byte (its trailing blanks dropped). */
    const char *line = start, *c = start;
    for (; *c; c++) {
        if (*c == '\n') {
            line = c + 1;
        } else if (!is_blank(*c)) {
            break;
        }
    }
    if (!*c) return; /* no content */
    lines->cursor = line;
    const char *end = c + strlen(c);
    while (end > c && (is_blank(end[-1]) || end[-1] == '\n')) end--;
    lines->end = end;
}

bool doc_lines_empty(const DocLines *lines) { return lines->cursor >= lines->end; }

bool doc_lines_next(DocLines *lines, const char **line, size_t *len) {
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
    /* Escaped straight into the output: an escaped line holds no line break, and an empty line gets no indentation
     * (as printer_write would lay the text out). */
    begin_text(printer);
    strbuf_append(&printer->out, "\"\"\"", 3);
    const char *line;
    size_t len;
    size_t line_count = 0;
    while (doc_lines_next(&lines, &line, &len)) {
        if (line_count++) {
            printer_end_line(printer);
            if (len) begin_text(printer);
        }
        escape_comment_line(&printer->out, COMMENT_DOCSTRING, line, len, doc_lines_empty(&lines));
    }
    /* PEP 257: a one-line docstring closes on its line, a longer one on a line of its own. */
    if (line_count > 1) {
        printer_end_line(printer);
        begin_text(printer);
    }
    strbuf_append(&printer->out, "\"\"\"\n", 4);
    printer->at_line_start = true;
    flush_point(printer);
}

/* Writes each line of `lines` as `prefix` + line (or `empty_line` for an empty one), one line each. */
static void write_comment_lines(Printer *printer, CommentStyle style, DocLines *lines, const char *prefix,
                                const char *empty_line) {
    StrBuf *out = &printer->out;
    size_t prefix_len = strlen(prefix);
    const char *line;
    size_t len;
    while (doc_lines_next(lines, &line, &len)) {
        begin_text(printer);
        size_t line_start = out->len;
        strbuf_append(out, prefix, prefix_len);
        size_t content_start = out->len;
        escape_comment_line(out, style, line, len, false); /* trims only what it appended */
        if (out->len == content_start) {
            out->len = line_start;
            strbuf_puts(out, empty_line);
        }
        printer_end_line(printer);
    }
}

/* One line "prefix" + the escaped line + "suffix" (the short forms of a JSDoc block). */
static void write_short_comment(Printer *printer, const char *prefix, const char *line, size_t len,
                                const char *suffix) {
    begin_text(printer);
    strbuf_puts(&printer->out, prefix);
    escape_comment_line(&printer->out, COMMENT_JSDOC, line, len, true);
    strbuf_puts(&printer->out, suffix);
    printer_end_line(printer);
}

void printer_jsdoc(Printer *printer, const char *text, const char *deprecated) {
    DocLines lines, reason;
    doc_lines_init(&lines, text);
    doc_lines_init(&reason, deprecated);
    bool has_text = !doc_lines_empty(&lines);
    if (!has_text && !deprecated) return;

    /* One short form: a one-line doc, or only a one-line deprecation. */
    const char *line;
    size_t len;
    if (has_text && !deprecated) {
        DocLines probe = lines;
        doc_lines_next(&probe, &line, &len);
        if (doc_lines_empty(&probe)) {
            write_short_comment(printer, "/** ", line, len, " */");
            return;
        }
    } else if (!has_text) {
        DocLines probe = reason;
        if (!doc_lines_next(&probe, &line, &len)) {
            printer_line(printer, "/** @deprecated */");
            return;
        }
        if (doc_lines_empty(&probe)) {
            write_short_comment(printer, "/** @deprecated ", line, len, " */");
            return;
        }
    }

    printer_putn(printer, "/**", 3);
    printer_end_line(printer);
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
    printer_putn(printer, " */", 3);
    printer_end_line(printer);
    flush_point(printer);
}
