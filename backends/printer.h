/* The indent-aware printer every backend writes through, with the layout of doc comments. The escaping of input
 * text itself (string literals, comment lines) is support/escape.h's; identifiers are the namer's (ir/namer.h). */
#ifndef RPCC_PRINTER_H
#define RPCC_PRINTER_H

#include <stdbool.h>
#include <stddef.h>

#include "../support/strbuf.h"
#include "../support/target.h"

/* Where a file's printer hands its text (output.c's staging of the file): called with the text printed since the
 * last call, complete lines only; the printer then reuses its buffer. */
typedef void (*PrinterSink)(void *context, const char *text, size_t len);

/* A printer with a sink hands its text on at a line end once it holds this much (a large file is never held whole;
 * its buffer stays this size and is reused). */
#ifndef PRINTER_FLUSH_SIZE
#define PRINTER_FLUSH_SIZE ((size_t)64 * 1024)
#endif

typedef struct Printer {
    StrBuf out; /* the text not handed to the sink yet: all of it for a printer without one */
    const char *indent_unit; /* "    " for Python and TypeScript, "\t" for Go */
    size_t indent_unit_len;
    const char *indent_run; /* many units' worth of the unit's one repeated byte, or NULL (set by printer_init) */
    size_t indent_run_len;
    int depth;
    bool at_line_start;
    size_t flush_at; /* out.len at which a line end hands the text to the sink; SIZE_MAX: never (no sink) */
    int hold;        /* printer_hold's nesting: no flush while above zero */
    PrinterSink sink;
    void *sink_context;
} Printer;

void printer_init(Printer *printer, const char *indent_unit);
void printer_free(Printer *printer);
/* Attaches a sink (output_tree_add does, for a file staged as it is printed): from now on the text goes to
 * `sink` in pieces of about PRINTER_FLUSH_SIZE bytes, and printer_flush hands it what is left.
 *
 * Where a flush may happen: at a line end only, at the end of any call that can end a line (printer_end_line,
 * PRINTER_LINE, printer_line, printer_write, printer_printf, printer_concat, printer_concat_line,
 * printer_blank_line, printer_block, printer_python_docstring, printer_jsdoc), never in
 * the middle of a line (printer_putn, printer_put, PRINTER_PUTS, printer_string_literal, text written into `out`
 * directly). So a position in `out` is valid within the line it was taken in; code that keeps one across a line
 * end to read or rewrite the text after it later (Go's plain doc comments undo the lines they wrote when the doc
 * turns out not to be plain) holds the printer's flushes meanwhile: printer_hold, then printer_release. A build
 * with -DPRINTER_FLUSH_SIZE=1 flushes at every line end: `make check-golden-flush` compares its output with the
 * goldens, so a backend breaking the rule fails there. A file's header is printed first: the backends decide
 * its imports from the IR before printing the body (Go's types.go, Python's models.py). */
void printer_attach(Printer *printer, PrinterSink sink, void *context);
/* Hands all the text held to the sink (nothing without a sink). */
void printer_flush(Printer *printer);
/* No flush between printer_hold and the matching printer_release (they nest): the text printed meanwhile may
 * still be rewritten or undone. */
static inline void printer_hold(Printer *printer) { printer->hold++; }
static inline void printer_release(Printer *printer) { printer->hold--; }
void printer_indent(Printer *printer);
void printer_dedent(Printer *printer); /* never below zero */

/* printf-style output. The current indentation is written at the start of every non-empty line (a line whose
 * first byte is '\n' gets none: no trailing whitespace ever). Text may contain several lines. */
void printer_printf(Printer *printer, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* printer_printf followed by a newline. */
void printer_line(Printer *printer, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Raw text, indented like printer_printf but without format processing. */
void printer_write(Printer *printer, const char *text, size_t len);
void printer_blank_line(Printer *printer);

/* Fast appends for the hot paths (no format processing). printer_put/printer_putn append text that holds no line
 * break (not checked: a '\n' in it would leave the next line unindented), writing the indentation first when the
 * line is empty; empty text writes nothing, not even the indentation (as printer_printf). printer_end_line ends
 * the line (a line break is never indented). printer_concat and printer_concat_line take NUL-terminated pieces
 * ending with NULL and print exactly what printer_printf and printer_line would print for the format "%s%s...%s"
 * with the same pieces (a piece may hold line breaks: those lines are indented too); they are the cheap form of a
 * line whose parts are all strings already. */
static inline void printer_putn(Printer *printer, const char *text, size_t len);
static inline void printer_put(Printer *printer, const char *text);
static inline void printer_end_line(Printer *printer);
void printer_concat(Printer *printer, const char *first, ...) __attribute__((sentinel));
void printer_concat_line(Printer *printer, const char *first, ...) __attribute__((sentinel));

/* Prints a block of fixed text, indented like printer_write, with each "$name$" replaced by the value given for
 * name in the (name, value) pairs after `text`, which end with NULL; "$$" prints '$'. The text holds no control
 * flow: conditions and loops stay in C. A name without a value, or an unclosed '$', is a bug in rpcc: it aborts at
 * once. Values are appended as they are (no format processing). The way protobuf's io::Printer prints. */
void printer_block(Printer *printer, const char *text, ...) __attribute__((sentinel));

/* Writes `text` (UTF-8, len bytes) as a complete double-quoted string literal of `target` (escape_string_literal). */
void printer_string_literal(Printer *printer, Target target, const char *text, size_t len);

/* Doc comments. `text` is the raw doc (lines separated by '\n', no trailing newline); each writes complete lines
 * at the current indentation, and nothing when text is NULL or blank and there is no deprecation. Trailing
 * blanks of every line and leading and trailing empty lines are dropped; no output line ends in whitespace.
 * Python docstring: triple double quotes (closing on the same line if the doc is one line, else on a line of its
 * own), a plain (not raw) string: '\' is doubled, a '"' that would make a run of three is escaped, and so is a
 * '"' ending the doc, so the literal cannot end early; controls other than tab and the code points listed for
 * string literals become escapes.
 * JSDoc: a slash-star-star block, on one line for a one-line doc, else with its delimiters on lines of their own
 * and " * " line prefixes (" *" for an empty line); '*' followed by '/' is written "*\/" so the text cannot close
 * the comment; controls other than tab, U+2028/U+2029 (line terminators in JS) and the other listed code points
 * become spaces.
 * Go: see go_print_comment (backends/go_doc.h).
 * JSDoc's `deprecated` (may be NULL; "" means deprecated without a reason) adds "@deprecated <reason>"; Python
 * docstrings take none (the backend emits a warning decorator instead). */
void printer_python_docstring(Printer *printer, const char *text);
void printer_jsdoc(Printer *printer, const char *text, const char *deprecated);

/* A doc's lines without trailing blanks, with leading and trailing empty lines dropped (for the doc-comment
 * layouts: printer.c's and the Go backend's). */
typedef struct DocLines {
    const char *cursor; /* next line */
    const char *end;    /* end of the last non-empty line */
} DocLines;

void doc_lines_init(DocLines *lines, const char *text); /* text may be NULL */
bool doc_lines_empty(const DocLines *lines);
/* The next line (without its line end and trailing blanks); false after the last one. */
bool doc_lines_next(DocLines *lines, const char **line, size_t *len);

/* The inline definitions of the fast appends above. */
void printer_append_indentation(Printer *printer); /* the current indentation, at any point */
static inline void printer_putn(Printer *printer, const char *text, size_t len) {
    if (len == 0) return;
    if (printer->at_line_start) {
        if (printer->depth) printer_append_indentation(printer);
        printer->at_line_start = false;
    }
    strbuf_append(&printer->out, text, len);
}
static inline void printer_put(Printer *printer, const char *text) { printer_putn(printer, text, strlen(text)); }
void printer_flush_at_line_end(Printer *printer); /* printer_end_line's flush */
static inline void printer_end_line(Printer *printer) {
    strbuf_putc(&printer->out, '\n');
    printer->at_line_start = true;
    if (__builtin_expect(printer->out.len >= printer->flush_at, 0)) printer_flush_at_line_end(printer);
}

/* printer_putn of each string argument, expanded in place (a literal's length is known when compiling);
 * PRINTER_LINE ends the line after them. */
#define PRINTER_PUTS(printer, ...)                                                                            \
    do {                                                                                                      \
        const char *const printer_parts_[] = {__VA_ARGS__};                                                   \
        for (size_t printer_part_ = 0; printer_part_ < sizeof printer_parts_ / sizeof *printer_parts_;        \
             printer_part_++)                                                                                 \
            printer_putn((printer), printer_parts_[printer_part_], strlen(printer_parts_[printer_part_]));    \
    } while (0)
#define PRINTER_LINE(printer, ...)                                                                            \
    do {                                                                                                      \
        PRINTER_PUTS(printer, __VA_ARGS__);                                                                   \
        printer_end_line(printer);                                                                            \
    } while (0)

#endif
