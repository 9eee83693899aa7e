/* Escaping of input text for the contexts in which it reaches output: JSON strings, the double-quoted string
 * literals of each target, and the comment styles of generated code. The one place for each policy. */
#ifndef RPCC_ESCAPE_H
#define RPCC_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"
#include "target.h"

/* Appends `text` (len bytes) as a JSON string with its quotes: '"' and '\' backslashed, newline as \n, other
 * controls and DEL as \u00XX; every other byte as it is (UTF-8 stays UTF-8). Used by the IR dump, JSON
 * diagnostics and values quoted in generated comments. */
void escape_json_string(StrBuf *out, const char *text, size_t len);

/* The length of the run at the start of text[0..len) of printable ASCII other than '"' and '\\': bytes that a string
 * literal of every target, JSON and a docstring line write as they are (len when the text is nothing else). Lets a
 * caller that holds such a text append it at once, and learn so in one scan for several contexts. */
size_t escape_plain_ascii_run(const char *text, size_t len);

/* Appends `text` (UTF-8, len bytes) as a complete double-quoted string literal of `target`:
 * Python: "..." escaping \\ \" and control characters (\n \r \t, others \xNN);
 * TypeScript: "..." escaping \\ \" control characters (\n \r \t \b \f \v, others \xNN);
 * Go: "..." as strconv.Quote would write it for valid UTF-8 (\a \b \f \n \r \t \v, \xNN for other controls);
 * Rust: "..." escaping \\ \" \n \r \t, other controls as \u{N}.
 * In all four, the code points that must never appear raw in source (C1 controls, line and paragraph
 * separators, bidirectional and invisible format characters, the BOM) become \xNN or \uXXXX escapes; other
 * non-ASCII characters stay UTF-8. */
void escape_string_literal(StrBuf *out, Target target, const char *text, size_t len);

/* The comment styles of generated code. */
typedef enum CommentStyle {
    COMMENT_DOCSTRING, /* a Python triple-quoted docstring (a plain string literal, not raw) */
    COMMENT_JSDOC,     /* a slash-star block */
    COMMENT_LINE,      /* a line comment ("//", "#") */
} CommentStyle;

/* Appends one line of text made safe inside a comment of `style`. In a docstring '\' is doubled, a '"' that
 * would complete a run of three is escaped, and so is a '"' ending the whole doc (`is_last_line`), which would
 * otherwise merge with the closing quotes; unsafe characters become escapes. In comments, which cannot escape,
 * unsafe characters and controls other than tab become a space (trailing blanks this leaves in the appended text are
 * dropped; what `out` held before is left alone), and
 * a block comment breaks every "* /" pair (without the space). Invalid UTF-8 becomes U+FFFD. */
void escape_comment_line(StrBuf *out, CommentStyle style, const char *line, size_t len, bool is_last_line);

/* Appends `text` as a Markdown code span, backticks included, as CommonMark reads it back: the fence is one backtick
 * longer than the longest backtick run inside, and a space pads text that starts or ends with a backtick or a space. In a
 * GitHub table cell (`in_table`) each '|' is written '\|', which the table reads as a '|' even inside the span.
 * For the wire method names READMEs list, which @method lets be any string without control characters. */
void escape_markdown_code_span(StrBuf *out, const char *text, size_t len, bool in_table);

#endif
