/* Diagnostics: collected during a run, printed at the end of each stage as
 *   path:line:col: error: message
 *   <source line>
 *   <caret line>
 * (gcc's layout), or as one JSON object per line. */
#ifndef RPCC_DIAG_H
#define RPCC_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../support/arena.h"
#include "source.h"

typedef enum DiagSeverity { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } DiagSeverity;

typedef enum DiagFormat { DIAG_FORMAT_TEXT, DIAG_FORMAT_JSON } DiagFormat;

typedef struct Diagnostic Diagnostic;
struct Diagnostic {
    DiagSeverity severity;
    Span span; /* span.file is NULL for a diagnostic without a location */
    char *message;
    const char *fix_replacement; /* a suggested replacement of the span's text ("did you mean"), or NULL */
    Diagnostic *notes;           /* related locations, in order */
    Diagnostic *next;            /* next note of the same parent */
    bool cascade;                /* points into a broken region: an echo of a syntax error, not printed */
};

typedef struct Diagnostics {
    Arena arena;
    Diagnostic **items;
    size_t count;
    size_t capacity;
    size_t printed; /* items already flushed */
    size_t error_count;
    size_t warning_count;
    size_t max_errors;        /* 0: no limit; past it errors are counted, not kept */
    size_t suppressed_errors; /* errors past max_errors */
    bool limit_announced;
    DiagFormat format;
    bool color;
    FILE *out;
    /* Declarations that recovered from a syntax error: once diag_filter_cascades is called, an error pointing
     * into one (itself or through a note) is taken for a cascade of that syntax error and left unsaid. */
    Span *broken;
    size_t broken_count, broken_capacity;
    bool filter_cascades;
} Diagnostics;

void diag_init(Diagnostics *diags, FILE *out, DiagFormat format, bool color);
void diag_free(Diagnostics *diags);

Diagnostic *diag_report(Diagnostics *diags, DiagSeverity severity, Span span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define diag_error(diags, span, ...) diag_report((diags), DIAG_ERROR, (span), __VA_ARGS__)
#define diag_warning(diags, span, ...) diag_report((diags), DIAG_WARNING, (span), __VA_ARGS__)
/* Attaches a note (a related location) to a diagnostic. */
Diagnostic *diag_note(Diagnostics *diags, Diagnostic *parent, Span span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_set_fix(Diagnostics *diags, Diagnostic *diagnostic, const char *replacement);

void diag_add_broken_region(Diagnostics *diags, Span region);

/* Where the diagnostics stand: diag_rollback forgets every diagnostic and broken region added since (the parser's
 * fast pass, redone with its error reporting on after a syntax error). Flushing must not happen in between. */
typedef struct DiagMark {
    size_t count, error_count, warning_count, suppressed_errors, broken_count;
} DiagMark;
DiagMark diag_mark(const Diagnostics *diags);
void diag_rollback(Diagnostics *diags, DiagMark mark);
/* From now on (the checks of meaning after parsing), drop the diagnostics that point into a broken region. */
void diag_filter_cascades(Diagnostics *diags);

/* True once max_errors errors were reported: stages may stop early. */
static inline bool diag_limit_reached(const Diagnostics *diags) { /* inline: the parser asks after every token */
    return diags->max_errors && diags->error_count >= diags->max_errors;
}

/* Prints the diagnostics not printed yet. */
void diag_flush(Diagnostics *diags);

/* Writes `text` (len bytes) as a JSON string literal, escaped. */
void diag_json_string(FILE *out, const char *text, size_t len);

#endif
