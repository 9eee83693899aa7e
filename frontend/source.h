/* Source buffers with a line index, and spans (byte ranges) into them. */
#ifndef RPCC_SOURCE_H
#define RPCC_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../support/arena.h"

typedef struct SourceFile {
    char *path;          /* as given on the command line, or as derived from an import: used in diagnostics */
    char *text;          /* the file's bytes plus a terminating NUL (a BOM is kept; the lexer skips it) */
    size_t length;       /* bytes, without the terminating NUL */
    uint32_t *line_starts; /* byte offset of the start of each line: built on first use (source.c), else NULL */
    size_t line_count;
    bool mapped;         /* text is a private mapping of the file (munmap), else malloc'd */
    struct SourceFile *next_mapped; /* the mapped files, for the SIGBUS handler (source.c) */
} SourceFile;

/* A byte range in one file. Every AST and IR node keeps one. */
typedef struct Span {
    const SourceFile *file;
    uint32_t offset;
    uint32_t length;
} Span;

/* 1-based line and byte column of `offset`. */
void source_position(const SourceFile *file, uint32_t offset, uint32_t *line, uint32_t *column);
/* The line containing `offset`, without its line end. */
const char *source_line(const SourceFile *file, uint32_t offset, size_t *length);

/* Builds a SourceFile from bytes (copied; heap memory owned by the file). */
SourceFile *source_from_bytes(const char *path, const char *bytes, size_t length);
/* Reads a file; NULL with errno set on failure. "-" is not special here (the CLI reads stdin itself).
 * A regular file is mapped: if it shrinks while rpcc runs (an editor saving in place), reading its text past the
 * new end faults (SIGBUS); rpcc then prints "PATH: error: the file changed while rpcc was reading it" and exits
 * with status 1. Nothing reads the text after the diagnostics are printed, before any output is staged. */
SourceFile *source_read(const char *path);
void source_free(SourceFile *file);
/* Gives the text's memory back to the system while keeping it readable (a mapped file is read again from the page
 * cache on its next use): after lowering, only diagnostics read it. */
void source_release_pages(const SourceFile *file);

static inline Span span_make(const SourceFile *file, uint32_t offset, uint32_t length) {
    Span span = {file, offset, length};
    return span;
}
/* The smallest span covering both (same file). */
Span span_join(Span first, Span last);

/* The text of a span (not NUL-terminated: use with the span's length). */
static inline const char *span_text(Span span) { return span.file->text + span.offset; }
/* A NUL-terminated copy of a span's text in the arena. */
char *span_strdup(Arena *arena, Span span);
/* Inline: most callers compare with a literal, whose length the compiler then knows. */
static inline bool span_equals(Span span, const char *text) {
    size_t length = __builtin_strlen(text);
    return span.length == length && __builtin_memcmp(span_text(span), text, length) == 0;
}

#endif
