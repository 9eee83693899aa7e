/* Go doc comments in gofmt's layout (part of the Go backend, go.c). */
#ifndef RPCC_GO_DOC_H
#define RPCC_GO_DOC_H

#include <string.h>

#include "../support/go_unicode.h"
#include "printer.h"

/* Line building for the Go backend's files (go.c, go_doc.c): text appended straight into the printer's buffer,
 * without the format scanning of printer_printf. `text` holds no line break; the indentation is written before
 * the first byte of a line, as printer_printf writes it, and never for an empty line. */
/* The indentation, if the line has none yet (text follows). */
static inline void go_begin_text(Printer *printer) {
    if (printer->at_line_start) {
        for (int level = 0; level < printer->depth; level++)
            strbuf_append(&printer->out, printer->indent_unit, printer->indent_unit_len);
        printer->at_line_start = false;
    }
}

static inline void go_put(Printer *printer, const char *text, size_t len) {
    if (len == 0) return;
    go_begin_text(printer);
    strbuf_append(&printer->out, text, len);
}

static inline void go_put_cstr(Printer *printer, const char *text) { go_put(printer, text, strlen(text)); }

static inline void go_end_line(Printer *printer) {
    strbuf_putc(&printer->out, '\n');
    printer->at_line_start = true;
}

/* go_put of each string argument, expanded in place (a literal's length is known when compiling); GO_LINE ends the
 * line after them. */
#define GO_PUTS(printer, ...)                                                                                 \
    do {                                                                                                      \
        const char *const go_parts_[] = {__VA_ARGS__};                                                        \
        for (size_t go_part_ = 0; go_part_ < sizeof go_parts_ / sizeof *go_parts_; go_part_++)                \
            go_put((printer), go_parts_[go_part_], strlen(go_parts_[go_part_]));                              \
    } while (0)
#define GO_LINE(printer, ...)                                                                                 \
    do {                                                                                                      \
        GO_PUTS(printer, __VA_ARGS__);                                                                        \
        go_end_line(printer);                                                                                 \
    } while (0)

/* Writes `text` (the raw doc: lines separated by '\n'; NULL or blank for none) as "// " lines at the current
 * indentation ("//" alone for an empty line), in the layout gofmt gives doc comments: common indentation removed,
 * an indented span as a code block ("//" + tab, set off by "//" lines), an indented list as plain unindented lines,
 * runs of empty lines collapsed, an old-style heading written "# Heading". Controls and the code points
 * escape_comment_line replaces become spaces (a BOM mid-file does not compile). `deprecated` (may be NULL; ""
 * means deprecated without a reason) adds a final paragraph "Deprecated: <reason>", the form the tools recognise
 * ("Deprecated: do not use in new code." without a reason). Writes nothing when there is neither. */
void go_print_comment(Printer *printer, const char *text, const char *deprecated);

/* The same for the doc comment of a top-level declaration, whose text gofmt also rewrites: "``" and "''" become
 * curly quotes (U+201C, U+201D) outside code blocks, so they are printed that way. */
void go_print_doc_comment(Printer *printer, const char *text, const char *deprecated);

#endif
