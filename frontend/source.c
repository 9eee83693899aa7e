#define _DEFAULT_SOURCE /* madvise, sigaction's SA_SIGINFO */
#include "source.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void *checked_malloc(size_t size) {
    void *memory = malloc(size ? size : 1);
    if (!memory) {
        fputs("rpcc: out of memory\n", stderr);
        abort();
    }
    return memory;
}

/* The line table is built on the first question about a position (diagnostics only): a clean run never needs it
 * (at 10,000 methods it is 2 MB). Diagnostics are printed by one thread, so the lazy build needs no lock. */
static void build_line_table(SourceFile *file) {
    const char *bytes = file->text;
    size_t length = file->length;
    /* Found with memchr (a byte loop was a tenth of parsing a large schema). */
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
}

static SourceFile *source_new(const char *path, char *text, size_t length, bool mapped) {
    SourceFile *file = checked_malloc(sizeof *file);
    file->path = checked_malloc(strlen(path) + 1);
    strcpy(file->path, path);
    file->text = text;
    file->length = length;
    file->line_starts = NULL;
    file->line_count = 0;
    file->mapped = mapped;
    file->next_mapped = NULL;
    return file;
}

/* ---- a mapped file that shrinks while rpcc runs ----
 * Reading a page of the mapping past the file's new end raises SIGBUS (an editor saving in place while a build
 * runs). The text is read while lexing, parsing and lowering, and again when diagnostics are printed (source lines
 * and carets, and the line table): all before any output is staged (backends/output.h), and nothing buffered in
 * stdio would be lost (stderr is unbuffered). So the handler reports the file and exits with status 1 (input
 * errors), using only async-signal-safe calls; nothing needs removing. */

static SourceFile *mapped_files; /* linked by next_mapped; changed by the main thread only */
static size_t mapped_page_size;
static struct sigaction previous_sigbus_action;
static bool sigbus_handler_installed;

static void write_all(int fd, const char *bytes, size_t length) {
    while (length > 0) {
        ssize_t written = write(fd, bytes, length);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return;
        bytes += written;
        length -= (size_t)written;
    }
}

static void on_sigbus(int signal_number, siginfo_t *info, void *context) {
    (void)context;
    const char *address = info->si_addr;
    for (const SourceFile *file = mapped_files; file; file = file->next_mapped) {
        size_t mapped_bytes = (file->length + mapped_page_size - 1) / mapped_page_size * mapped_page_size;
        if (address >= file->text && address < file->text + mapped_bytes) {
            static const char message[] = ": error: the file changed while rpcc was reading it\n";
            write_all(STDERR_FILENO, file->path, strlen(file->path));
            write_all(STDERR_FILENO, message, sizeof message - 1);
            _exit(1);
        }
    }
    /* Not a source file's page: the previous action (default: a crash) takes the fault, which recurs on return. */
    sigaction(signal_number, &previous_sigbus_action, NULL);
}

static bool install_sigbus_handler(size_t page_size) {
    if (sigbus_handler_installed) return true;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGBUS, &action, &previous_sigbus_action) != 0) return false;
    mapped_page_size = page_size;
    sigbus_handler_installed = true;
    return true;
}

SourceFile *source_from_bytes(const char *path, const char *bytes, size_t length) {
    char *text = checked_malloc(length + 1);
    if (length) memcpy(text, bytes, length);
    text[length] = '\0';
    return source_new(path, text, length, false);
}

/* Files are limited to 4 GiB - 1 so that offsets fit in 32 bits. */
#define SOURCE_MAX_BYTES 0xFFFFFFFEu

SourceFile *source_read(const char *path) {
    FILE *stream = fopen(path, "rb");
    if (!stream) return NULL;
    /* Refuse a file too large for 32-bit offsets before reading any of it. */
    struct stat info;
    bool regular = fstat(fileno(stream), &info) == 0 && S_ISREG(info.st_mode);
    if (regular && (uint64_t)info.st_size > SOURCE_MAX_BYTES) {
        fclose(stream);
        errno = EFBIG;
        return NULL;
    }
    /* A regular file is mapped, not copied: its pages come from the page cache, with no zeroing and no copy. The
     * text must end with a NUL (the lexer's sentinel), which the zeroed rest of the last page provides, so a size
     * that is a whole number of pages (or zero) is read instead. */
    long page_size = sysconf(_SC_PAGESIZE);
    size_t size = regular ? (size_t)info.st_size : 0;
    if (regular && size > 0 && page_size > 0 && size % (size_t)page_size != 0 &&
        install_sigbus_handler((size_t)page_size)) {
        void *mapped = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fileno(stream), 0);
        if (mapped != MAP_FAILED) {
            fclose(stream);
            SourceFile *file = source_new(path, mapped, size, true);
            file->next_mapped = mapped_files;
            mapped_files = file; /* before the first read of the text */
            /* The NUL is written, not just read: the last page becomes this process's copy, so bytes appended to
             * the file meanwhile cannot replace the lexer's sentinel. */
            file->text[size] = '\0';
            return file;
        }
    }
    /* Otherwise read it whole, into a buffer of the file's size when it is known. */
    char *bytes = NULL;
    size_t length = 0, capacity = 0;
    for (;;) {
        if (length + 1 >= capacity) {
            capacity = capacity ? capacity * 2 : (size >= 65536 ? size + 2 : 65536);
            char *grown = realloc(bytes, capacity);
            if (!grown) {
                free(bytes);
                fclose(stream);
                errno = ENOMEM;
                return NULL;
            }
            bytes = grown;
        }
        size_t got = fread(bytes + length, 1, capacity - 1 - length, stream);
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
    bytes[length] = '\0';
    return source_new(path, bytes, length, false);
}

void source_release_pages(const SourceFile *file) {
    /* A private mapping of the file, never written but for the NUL after the text: its pages come back from the
     * page cache when read again (the NUL's page too: past the text a diagnostic reads nothing), or, if the file
     * shrank meanwhile, fault: reported by on_sigbus. (Read text cannot be given back this way: it would read as
     * zeros.) */
    if (file->mapped && file->length) madvise(file->text, file->length, MADV_DONTNEED);
}

void source_free(SourceFile *file) {
    if (!file) return;
    if (file->mapped) {
        SourceFile **link = &mapped_files;
        while (*link && *link != file) link = &(*link)->next_mapped;
        if (*link) *link = file->next_mapped;
        munmap(file->text, file->length);
    } else {
        free(file->text);
    }
    free(file->path); /* after the unlinking: the SIGBUS handler reads it */
    free(file->line_starts);
    free(file);
}

static size_t line_index(const SourceFile *file, uint32_t offset) {
    if (!file->line_starts) build_line_table((SourceFile *)file);
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
