/* Go doc comments in gofmt's layout (part of the Go backend, go.c). */
#ifndef RPCC_GO_DOC_H
#define RPCC_GO_DOC_H

#include <string.h>

#include "../support/go_unicode.h"
#include "printer.h"

/* The indentation, if the line has none yet (text follows): what printer_putn writes before a line's first byte. */
static inline void go_begin_text(Printer *printer) {
    if (printer->at_line_start) {
        if (printer->depth) printer_append_indentation(printer);
        printer->at_line_start = false;
    }
}

/* Direct line output, for the Go backend's hot paths: go_line_begin makes room for `len` more bytes after the
 * indentation (the line's text and its line break; the caller writes text, so the line is never empty), writes
 * the indentation when the line is empty so far, and returns where the text goes; go_line_end writes the line
 * break at `cursor` (the end of the text) and ends the line. Nothing else may be printed between the two. These,
 * go.c's go_block_of and print_rows are the Go backend's only writes into a printer's buffer that bypass
 * printer.h's functions. */
static inline char *go_line_begin(Printer *printer, size_t len) {
    StrBuf *out = &printer->out;
    size_t indent = printer->at_line_start ? (size_t)printer->depth * printer->indent_unit_len : 0;
    /* Room for 16 bytes of indentation, which are copied whole (the line's text overwrites what is not used). */
    if (out->len + 16 + len + 1 > out->cap) strbuf_grow(out, 16 + len);
    char *cursor = out->data + out->len;
    if (indent <= 16 && printer->indent_run_len >= 16) {
        memcpy(cursor, printer->indent_run, 16);
        return cursor + indent;
    }
    if (indent) printer_append_indentation(printer); /* deeper than any generated code: the slow path */
    if (out->len + len + 1 > out->cap) strbuf_grow(out, len);
    return out->data + out->len;
}

static inline __attribute__((always_inline)) void go_line_end(Printer *printer, char *cursor) {
    *cursor++ = '\n';
    *cursor = '\0';
    printer->out.len = (size_t)(cursor - printer->out.data);
    printer->at_line_start = true;
}

/* Copies len bytes (no overlap). */
static inline __attribute__((always_inline)) void go_copy(char *to, const char *from, size_t len) {
    strbuf_copy_bytes(to, from, len);
}

/* An empty line (printer_blank_line, without its scan of the text). */
static inline void go_blank_line(Printer *printer) { printer_end_line(printer); }

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

/* go_print_doc_comment of `name` `kind` "\n\n" `text`, without deprecation: a declaration's kind sentence (such as
 * "Status is an enum.": one line of printable ASCII without quotes, not indented), then its doc (not NULL). The
 * text is put together (in `scratch`) only when the doc needs gofmt's general layout. */
void go_print_kind_doc_comment(Printer *printer, const char *name, size_t name_len, const char *kind, size_t kind_len,
                               const char *text, StrBuf *scratch);

#endif
