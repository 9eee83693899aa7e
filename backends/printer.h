/* The indent-aware printer every backend writes through, and the escaping helpers for the three contexts in
 * which input text reaches generated code: identifiers (see ir/namer.h), string literals and doc comments. */
#ifndef RPCC_PRINTER_H
#define RPCC_PRINTER_H

#include <stdbool.h>
#include <stddef.h>

#include "../frontend/strbuf.h"
#include "../ir/namer.h"

typedef struct Printer {
    StrBuf out;
    const char *indent_unit; /* "    " for Python and TypeScript, "\t" for Go */
    int depth;
    bool at_line_start;
} Printer;

void printer_init(Printer *printer, const char *indent_unit);
void printer_free(Printer *printer);
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

/* Writes `text` (UTF-8, len bytes) as a complete double-quoted string literal of `target`:
 * Python: "..." escaping \\ \" and control characters (\n \r \t, others \xNN), U+2028/U+2029 kept;
 * TypeScript: "..." escaping \\ \" control characters, U+2028, U+2029 (as \u2028 \u2029);
 * Go: "..." as strconv.Quote would write it for valid UTF-8 (\a \b \f \n \r \t \v, \xNN for other controls,
 *     \u2028 and \u2029 kept raw is fine for Go, DEL as \x7f). Non-ASCII printable characters stay UTF-8. */
void printer_string_literal(Printer *printer, Target target, const char *text, size_t len);

/* Doc comments. `text` is the raw doc (lines separated by '\n', no trailing newline); each writes complete lines
 * at the current indentation and nothing when text is NULL or empty.
 * Python docstring: """...""" (one line if the doc is one line), escaping '\' and any '"""' run and a trailing
 * '"' so the literal cannot end early; written as a plain (not raw) string.
 * JSDoc: a slash-star-star block with " * " line prefixes; "*\/" inside the text is broken as "*\/" (backslash) so it cannot
 * close the comment; U+2028/U+2029 become spaces (they are line terminators in JS).
 * Go: "// " prefix on every line ("//" alone for an empty line). `deprecated` (may be NULL) adds a final paragraph
 * "Deprecated: <reason>" in Go (the format tools recognise), "@deprecated <reason>" in JSDoc; Python ignores it
 * (the backend emits a warning decorator instead). */
void printer_python_docstring(Printer *printer, const char *text);
void printer_jsdoc(Printer *printer, const char *text, const char *deprecated);
void printer_go_comment(Printer *printer, const char *text, const char *deprecated);

#endif
