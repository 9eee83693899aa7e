#include "diag.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../support/escape.h"
#include "../support/utf8.h"

void diag_init(Diagnostics *diags, FILE *out, DiagFormat format, bool color) {
    memset(diags, 0, sizeof *diags);
    arena_init(&diags->arena);
    diags->out = out;
    diags->format = format;
    diags->color = color;
}

void diag_free(Diagnostics *diags) {
    free(diags->items);
    free(diags->broken);
    arena_free(&diags->arena);
}

static Diagnostic *make_diagnostic(Diagnostics *diags, DiagSeverity severity, Span span, const char *fmt,
                                   va_list args) {
    Diagnostic *diagnostic = ARENA_NEW(&diags->arena, Diagnostic);
    diagnostic->severity = severity;
    diagnostic->span = span;
    va_list copy;
    va_copy(copy, args);
    int len = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    diagnostic->message = arena_alloc(&diags->arena, (size_t)(len > 0 ? len : 0) + 1);
    if (len > 0) vsnprintf(diagnostic->message, (size_t)len + 1, fmt, args);
    return diagnostic;
}

void diag_add_broken_region(Diagnostics *diags, Span region) {
    if (diags->broken_count == diags->broken_capacity) {
        size_t capacity = diags->broken_capacity ? diags->broken_capacity * 2 : 8;
        Span *grown = realloc(diags->broken, capacity * sizeof *grown);
        if (!grown) return; /* a cascade may then be printed: more output, never less */
        diags->broken = grown;
        diags->broken_capacity = capacity;
    }
    diags->broken[diags->broken_count++] = region;
}

DiagMark diag_mark(const Diagnostics *diags) {
    DiagMark mark = {diags->count, diags->error_count, diags->warning_count, diags->suppressed_errors,
                     diags->broken_count};
    return mark;
}

void diag_rollback(Diagnostics *diags, DiagMark mark) {
    /* The forgotten diagnostics' memory stays in the arena until diag_free: this happens once a file at most. */
    diags->count = mark.count;
    diags->error_count = mark.error_count;
    diags->warning_count = mark.warning_count;
    diags->suppressed_errors = mark.suppressed_errors;
    diags->broken_count = mark.broken_count;
}

void diag_filter_cascades(Diagnostics *diags) { diags->filter_cascades = diags->broken_count > 0; }

static bool in_broken_region(const Diagnostics *diags, Span span) {
    if (!diags->filter_cascades || !span.file) return false;
    for (size_t i = 0; i < diags->broken_count; i++) {
        const Span *region = &diags->broken[i];
        if (region->file == span.file && span.offset >= region->offset &&
            span.offset < region->offset + region->length)
            return true;
    }
    return false;
}

Diagnostic *diag_report(Diagnostics *diags, DiagSeverity severity, Span span, const char *fmt, ...) {
    if (severity != DIAG_NOTE && diag_limit_reached(diags)) {
        /* Past the limit a diagnostic is counted and thrown away; callers may still attach notes to it. */
        if (severity == DIAG_ERROR) diags->suppressed_errors++;
        static Diagnostic discarded;
        memset(&discarded, 0, sizeof discarded);
        return &discarded;
    }
    va_list args;
    va_start(args, fmt);
    Diagnostic *diagnostic = make_diagnostic(diags, severity, span, fmt, args);
    va_end(args);
    if (diags->count == diags->capacity) {
        diags->capacity = diags->capacity ? diags->capacity * 2 : 16;
        Diagnostic **grown = realloc(diags->items, diags->capacity * sizeof *grown);
        if (!grown) {
            fputs("rpcc: out of memory\n", stderr);
            abort();
        }
        diags->items = grown;
    }
    diags->items[diags->count++] = diagnostic;
    diagnostic->cascade = in_broken_region(diags, span);
    if (severity == DIAG_ERROR) diags->error_count++;
    if (severity == DIAG_WARNING) diags->warning_count++;
    return diagnostic;
}

Diagnostic *diag_note(Diagnostics *diags, Diagnostic *parent, Span span, const char *fmt, ...) {
    if (parent->message == NULL) return parent; /* the parent was past the error limit */
    if (in_broken_region(diags, span)) parent->cascade = true;
    va_list args;
    va_start(args, fmt);
    Diagnostic *note = make_diagnostic(diags, DIAG_NOTE, span, fmt, args);
    va_end(args);
    Diagnostic **tail = &parent->notes;
    while (*tail) tail = &(*tail)->next;
    *tail = note;
    return note;
}

void diag_set_fix(Diagnostics *diags, Diagnostic *diagnostic, const char *replacement) {
    if (diagnostic->message == NULL) return;
    diagnostic->fix_replacement = arena_strdup(&diags->arena, replacement);
}

static const char *severity_name(DiagSeverity severity) {
    switch (severity) {
    case DIAG_ERROR: return "error";
    case DIAG_WARNING: return "warning";
    case DIAG_NOTE: return "note";
    }
    return "error";
}

static const char *severity_color(DiagSeverity severity) {
    switch (severity) {
    case DIAG_ERROR: return "\033[1;31m";
    case DIAG_WARNING: return "\033[1;35m";
    case DIAG_NOTE: return "\033[1;36m";
    }
    return "";
}

/* Source lines longer than this are shown as a window around the column, so a 10 MB line prints briefly. */
#define LINE_WINDOW 160

static bool is_utf8_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

static void print_source_excerpt(const Diagnostics *diags, const Diagnostic *diagnostic) {
    const SourceFile *file = diagnostic->span.file;
    uint32_t offset = diagnostic->span.offset;
    size_t line_length;
    const char *line = source_line(file, offset, &line_length);
    size_t column = (size_t)(file->text + offset - line);
    if (column > line_length) column = line_length;

    size_t window_start = 0, window_end = line_length;
    if (line_length > LINE_WINDOW) {
        window_start = column > LINE_WINDOW / 2 ? column - LINE_WINDOW / 2 : 0;
        window_end = window_start + LINE_WINDOW < line_length ? window_start + LINE_WINDOW : line_length;
        while (window_start > 0 && is_utf8_continuation((unsigned char)line[window_start])) window_start--;
        while (window_end < line_length && is_utf8_continuation((unsigned char)line[window_end])) window_end++;
    }
    FILE *out = diags->out;
    const char *prefix = window_start > 0 ? "..." : "";
    fputs(prefix, out);
    /* Bytes that are not printable UTF-8 (binary input) are shown as '?', so the excerpt cannot garble a
     * terminal; each still takes one column, as the caret line below counts. */
    const unsigned char *bytes = (const unsigned char *)line;
    for (size_t i = window_start; i < window_end;) {
        size_t length = utf8_length(bytes + i, bytes + window_end);
        if (length == 0 || (bytes[i] < 0x20 && bytes[i] != '\t') || bytes[i] == 0x7F) {
            fputc('?', out);
            i++;
        } else {
            fwrite(bytes + i, 1, length, out);
            i += length;
        }
    }
    if (window_end < line_length) fputs("...", out);
    fputc('\n', out);

    /* The caret line mirrors tabs and counts one column per UTF-8 character, so the caret lands under the
     * character even when the line holds tabs or non-ASCII text. */
    for (size_t i = 0; i < strlen(prefix); i++) fputc(' ', out);
    for (size_t i = window_start; i < column;) {
        size_t length = utf8_length(bytes + i, bytes + window_end);
        fputc(bytes[i] == '\t' ? '\t' : ' ', out);
        i += length ? length : 1;
    }
    if (diags->color) fputs("\033[1;32m", out);
    fputc('^', out);
    size_t span_end = column + diagnostic->span.length;
    if (span_end > window_end) span_end = window_end;
    /* one '~' per character after the first, up to the end of the span on this line */
    for (size_t i = column; i < span_end;) {
        size_t length = utf8_length(bytes + i, bytes + window_end);
        if (i > column) fputc('~', out);
        i += length ? length : 1;
    }
    if (diags->color) fputs("\033[0m", out);
    fputc('\n', out);
}

static void print_text(const Diagnostics *diags, const Diagnostic *diagnostic) {
    FILE *out = diags->out;
    if (diags->color) fputs("\033[1m", out);
    if (diagnostic->span.file) {
        uint32_t line, column;
        source_position(diagnostic->span.file, diagnostic->span.offset, &line, &column);
        fprintf(out, "%s:%u:%u: ", diagnostic->span.file->path, line, column);
    } else {
        fputs("rpcc: ", out);
    }
    if (diags->color) fprintf(out, "\033[0m%s", severity_color(diagnostic->severity));
    fprintf(out, "%s:", severity_name(diagnostic->severity));
    if (diags->color) fputs("\033[0m", out);
    fprintf(out, " %s", diagnostic->message);
    if (diagnostic->fix_replacement) fprintf(out, " (did you mean '%s'?)", diagnostic->fix_replacement);
    fputc('\n', out);
    if (diagnostic->span.file) print_source_excerpt(diags, diagnostic);
}

void diag_json_string(FILE *out, const char *text, size_t len) {
    StrBuf quoted;
    strbuf_init(&quoted);
    escape_json_string(&quoted, text, len);
    fwrite(strbuf_cstr(&quoted), 1, quoted.len, out);
    strbuf_free(&quoted);
}

static void print_json_position(FILE *out, const SourceFile *file, uint32_t offset, uint32_t length) {
    uint32_t line, column, end_line, end_column;
    source_position(file, offset, &line, &column);
    source_position(file, offset + length, &end_line, &end_column);
    fprintf(out, "\"line\":%u,\"column\":%u,\"end_line\":%u,\"end_column\":%u", line, column, end_line, end_column);
}

static void print_json(const Diagnostics *diags, const Diagnostic *diagnostic) {
    FILE *out = diags->out;
    fputs("{\"path\":", out);
    if (diagnostic->span.file) {
        const char *path = diagnostic->span.file->path;
        diag_json_string(out, path, strlen(path));
        fputc(',', out);
        print_json_position(out, diagnostic->span.file, diagnostic->span.offset, diagnostic->span.length);
    } else {
        fputs("null", out);
    }
    fprintf(out, ",\"severity\":\"%s\",\"message\":", severity_name(diagnostic->severity));
    diag_json_string(out, diagnostic->message, strlen(diagnostic->message));
    if (diagnostic->fix_replacement && diagnostic->span.file) {
        fputs(",\"fixes\":[{", out);
        print_json_position(out, diagnostic->span.file, diagnostic->span.offset, diagnostic->span.length);
        fputs(",\"replacement\":", out);
        diag_json_string(out, diagnostic->fix_replacement, strlen(diagnostic->fix_replacement));
        fputs("}]", out);
    }
    fputs("}\n", out);
}

static void print_one(const Diagnostics *diags, const Diagnostic *diagnostic) {
    if (diags->format == DIAG_FORMAT_JSON)
        print_json(diags, diagnostic);
    else
        print_text(diags, diagnostic);
}

/* Diagnostics come from several passes; users read them best in source order. Sorted by (file, offset), files
 * in the order they first appear, ties kept in report order (the index makes qsort stable). */
typedef struct SortKey {
    size_t file_rank;
    uint32_t offset;
    size_t index;
    Diagnostic *diagnostic;
} SortKey;

static int compare_keys(const void *a, const void *b) {
    const SortKey *left = a, *right = b;
    if (left->file_rank != right->file_rank) return left->file_rank < right->file_rank ? -1 : 1;
    if (left->offset != right->offset) return left->offset < right->offset ? -1 : 1;
    return left->index < right->index ? -1 : (left->index > right->index);
}

static void sort_unprinted(Diagnostics *diags) {
    size_t start = diags->printed, count = diags->count - start;
    if (count < 2) return;
    SortKey *keys = malloc(count * sizeof *keys);
    const SourceFile **files = malloc(count * sizeof *files);
    if (!keys || !files) {
        free(keys);
        free(files);
        return; /* unsorted output is still correct output */
    }
    size_t file_count = 0;
    for (size_t i = 0; i < count; i++) {
        Diagnostic *diagnostic = diags->items[start + i];
        size_t rank = 0;
        while (rank < file_count && files[rank] != diagnostic->span.file) rank++;
        if (rank == file_count) files[file_count++] = diagnostic->span.file;
        keys[i] = (SortKey){diagnostic->span.file ? rank + 1 : 0, diagnostic->span.offset, i, diagnostic};
    }
    qsort(keys, count, sizeof *keys, compare_keys);
    for (size_t i = 0; i < count; i++) diags->items[start + i] = keys[i].diagnostic;
    free(keys);
    free(files);
}

void diag_flush(Diagnostics *diags) {
    sort_unprinted(diags);
    for (; diags->printed < diags->count; diags->printed++) {
        const Diagnostic *diagnostic = diags->items[diags->printed];
        if (diagnostic->cascade) continue;
        print_one(diags, diagnostic);
        for (const Diagnostic *note = diagnostic->notes; note; note = note->next) print_one(diags, note);
    }
    if (diag_limit_reached(diags) && !diags->limit_announced) {
        /* Stages stop early at the limit, so this says only that more may exist, not how many. */
        diags->limit_announced = true;
        if (diags->format == DIAG_FORMAT_JSON)
            fprintf(diags->out, "{\"path\":null,\"severity\":\"error\",\"message\":\"too many errors (%zu); "
                                "stopping (--max-errors=0 reports all)\"}\n",
                    diags->max_errors);
        else
            fprintf(diags->out, "rpcc: error: too many errors (%zu); stopping (--max-errors=0 reports all)\n",
                    diags->max_errors);
    }
    fflush(diags->out);
}
