#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void *checked_malloc(size_t size) {
    void *memory = malloc(size ? size : 1);
    if (!memory) {
        fputs("rpcc: out of memory\n", stderr);
        abort();
    }
    return memory;
}

SourceFile *source_from_bytes(const char *path, const char *bytes, size_t length) {
    SourceFile *file = checked_malloc(sizeof *file);
    file->path = checked_malloc(strlen(path) + 1);
    strcpy(file->path, path);
    file->text = checked_malloc(length + 1);
    if (length) memcpy(file->text, bytes, length);
    file->text[length] = '\0';
    file->length = length;

    /* The line table, found with memchr (a byte loop was a tenth of parsing a large schema). */
    size_t count = 1;
    const char *end = bytes + length;
    for (const char *p = length ? memchr(bytes, '\n', length) : NULL; p; p = memchr(p + 1, '\n', (size_t)(end - p - 1)))
        count++;
    file->line_starts = checked_malloc(count * sizeof *file->line_starts);
    file->line_starts[0] = 0;
    size_t line = 1;
    for (const char *p = length ? memchr(bytes, '\n', length) : NULL; p; p = memchr(p + 1, '\n', (size_t)(end - p - 1)))
        file->line_starts[line++] = (uint32_t)(p - bytes + 1);
    file->line_count = count;
    return file;
}

/* Files are limited to 4 GiB - 1 so that offsets fit in 32 bits. */
#define SOURCE_MAX_BYTES 0xFFFFFFFEu

SourceFile *source_read(const char *path) {
    FILE *stream = fopen(path, "rb");
    if (!stream) return NULL;
    /* Refuse a file too large for 32-bit offsets before reading any of it. */
    struct stat info;
    if (fstat(fileno(stream), &info) == 0 && S_ISREG(info.st_mode) && (uint64_t)info.st_size > SOURCE_MAX_BYTES) {
        fclose(stream);
        errno = EFBIG;
        return NULL;
    }
    char *bytes = NULL;
    size_t length = 0, capacity = 0;
    for (;;) {
        if (length == capacity) {
            capacity = capacity ? capacity * 2 : 65536;
            char *grown = realloc(bytes, capacity);
            if (!grown) {
                free(bytes);
                fclose(stream);
                errno = ENOMEM;
                return NULL;
            }
            bytes = grown;
        }
        size_t got = fread(bytes + length, 1, capacity - length, stream);
        length += got;
        if (got == 0) break;
        if (length > SOURCE_MAX_BYTES) {
            free(bytes);
            fclose(stream);
            errno = EFBIG;
            return NULL;
        }
    }
    int failed = ferror(stream);
    int saved = errno;
    fclose(stream);
    if (failed) {
        free(bytes);
        errno = saved ? saved : EIO;
        return NULL;
    }
    SourceFile *file = source_from_bytes(path, bytes ? bytes : "", length);
    free(bytes);
    return file;
}

void source_free(SourceFile *file) {
    if (!file) return;
    free(file->path);
    free(file->text);
    free(file->line_starts);
    free(file);
}

static size_t line_index(const SourceFile *file, uint32_t offset) {
    size_t low = 0, high = file->line_count;
    while (high - low > 1) {
        size_t mid = low + (high - low) / 2;
        if (file->line_starts[mid] <= offset)
            low = mid;
        else
            high = mid;
    }
    return low;
}

void source_position(const SourceFile *file, uint32_t offset, uint32_t *line, uint32_t *column) {
    if (offset > file->length) offset = (uint32_t)file->length;
    size_t index = line_index(file, offset);
    *line = (uint32_t)index + 1;
    *column = offset - file->line_starts[index] + 1;
}

const char *source_line(const SourceFile *file, uint32_t offset, size_t *length) {
    if (offset > file->length) offset = (uint32_t)file->length;
    size_t index = line_index(file, offset);
    const char *start = file->text + file->line_starts[index];
    const char *end = start;
    const char *limit = file->text + file->length;
    while (end < limit && *end != '\n') end++;
    if (end > start && end[-1] == '\r') end--;
    *length = (size_t)(end - start);
    return start;
}

Span span_join(Span first, Span last) {
    Span joined = first;
    uint32_t end = last.offset + last.length;
    if (end > first.offset) joined.length = end - first.offset;
    return joined;
}

char *span_strdup(Arena *arena, Span span) { return arena_strndup(arena, span_text(span), span.length); }
