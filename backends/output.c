/* The in-memory output tree and its atomic, minimal write to disk. */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static void *checked_realloc(void *memory, size_t size) {
    void *result = realloc(memory, size);
    if (!result) {
        fputs("rpcc: out of memory\n", stderr);
        abort();
    }
    return result;
}

void output_tree_init(OutputTree *tree) {
    tree->files = NULL;
    tree->count = 0;
    tree->capacity = 0;
    tree->staging = NULL;
    tree->stage_directory = NULL;
    tree->stage_error[0] = '\0';
}

static void staging_free(OutputStaging *staging, bool undo_first);

void output_tree_free(OutputTree *tree) {
    if (tree->staging) staging_free(tree->staging, true);
    for (size_t index = 0; index < tree->count; index++) {
        printer_free(&tree->files[index]->printer);
        free(tree->files[index]->relative_path);
        free(tree->files[index]);
    }
    free(tree->files);
    output_tree_init(tree);
}

/* Non-empty, relative, and every '/'-separated component non-empty and neither "." nor "..". */
static bool is_safe_relative_path(const char *path) {
    if (path[0] == '\0' || path[0] == '/') return false;
    const char *component = path;
    for (;;) {
        const char *slash = strchr(component, '/');
        size_t len = slash ? (size_t)(slash - component) : strlen(component);
        if (len == 0) return false;
        if (len == 1 && component[0] == '.') return false;
        if (len == 2 && component[0] == '.' && component[1] == '.') return false;
        if (!slash) return true;
        component = slash + 1;
    }
}

Printer *output_tree_add(OutputTree *tree, const char *relative_path, const char *indent_unit) {
    if (!is_safe_relative_path(relative_path)) return NULL;
    for (size_t index = 0; index < tree->count; index++) {
        if (strcmp(tree->files[index]->relative_path, relative_path) == 0) return NULL;
    }
    if (tree->count == tree->capacity) {
        tree->capacity = tree->capacity ? tree->capacity * 2 : 16;
        tree->files = checked_realloc(tree->files, tree->capacity * sizeof *tree->files);
    }
    OutputFile *file = checked_realloc(NULL, sizeof *file);
    size_t path_len = strlen(relative_path);
    file->relative_path = checked_realloc(NULL, path_len + 1);
    memcpy(file->relative_path, relative_path, path_len + 1);
    printer_init(&file->printer, indent_unit);
    tree->files[tree->count++] = file;
    return &file->printer;
}

static int compare_paths(const void *left, const void *right) {
    return strcmp(*(const char *const *)left, *(const char *const *)right);
}

void output_tree_sorted_paths(const OutputTree *tree, const char **paths_out) {
    for (size_t index = 0; index < tree->count; index++) paths_out[index] = tree->files[index]->relative_path;
    if (tree->count > 1) qsort(paths_out, tree->count, sizeof *paths_out, compare_paths);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Writing                                                                                                    */

typedef struct PendingFile {
    const OutputFile *file;
    StrBuf target_path;
    StrBuf temporary_path; /* empty while no temporary exists */
} PendingFile;

/* The state of a tree's staging and final write, so that a failure (or an abandoned run) can undo exactly what was
 * done: the temporaries written and the directories created. */
typedef struct WriteRun {
    PendingFile *pending; /* one per staged file, in staging order */
    size_t pending_count;
    StrBuf *created_directories; /* in creation order: parents first */
    size_t created_count;
    char *error;
    size_t error_size;
} WriteRun;

struct OutputStaging {
    WriteRun run;
    StrBuf base;           /* the output directory without trailing slashes */
    const char *separator; /* "" when base is "/" */
    OutputStats stats;
    bool base_created;     /* the base directory exists (made by this run if it was missing) */
    bool failed;           /* a staging step failed: only undo is left */
};

static bool fail(WriteRun *run, const char *path, const char *reason) {
    if (run->error && run->error_size > 0) snprintf(run->error, run->error_size, "%s: %s", path, reason);
    return false;
}

static bool fail_errno(WriteRun *run, const char *path, int error_number) {
    return fail(run, path, strerror(error_number));
}

/* Creates `path` and its missing parents, remembering each directory created. */
static bool make_directories(WriteRun *run, const char *path) {
    size_t path_len = strlen(path);
    StrBuf prefix;
    strbuf_init(&prefix);
    bool ok = true;
    for (size_t end = 1; end <= path_len && ok; end++) {
        if (end < path_len && path[end] != '/') continue;
        if (path[end - 1] == '/') continue; /* "a//b" given by the user as output directory */
        prefix.len = 0;
        strbuf_append(&prefix, path, end);
        struct stat status;
        if (stat(prefix.data, &status) == 0) {
            if (!S_ISDIR(status.st_mode)) ok = fail_errno(run, prefix.data, ENOTDIR);
            continue;
        }
        if (errno != ENOENT) {
            ok = fail_errno(run, prefix.data, errno);
        } else if (mkdir(prefix.data, 0777) != 0) {
            ok = fail_errno(run, prefix.data, errno);
        } else {
            run->created_directories =
                checked_realloc(run->created_directories, (run->created_count + 1) * sizeof(StrBuf));
            StrBuf *created = &run->created_directories[run->created_count++];
            strbuf_init(created);
            strbuf_append(created, prefix.data, prefix.len);
        }
    }
    strbuf_free(&prefix);
    return ok;
}

typedef enum TargetState { TARGET_MISSING, TARGET_DIFFERENT, TARGET_SAME, TARGET_FAILED } TargetState;

/* Compares the current target with the new content; *mode gets an existing target's permission bits. */
static TargetState compare_target(WriteRun *run, const char *path, const StrBuf *content, mode_t *mode) {
    struct stat status;
    if (stat(path, &status) != 0) {
        if (errno == ENOENT) return TARGET_MISSING;
        fail_errno(run, path, errno);
        return TARGET_FAILED;
    }
    if (!S_ISREG(status.st_mode)) {
        fail(run, path, S_ISDIR(status.st_mode) ? "is a directory" : "not a regular file");
        return TARGET_FAILED;
    }
    *mode = status.st_mode & 07777;
    if ((size_t)status.st_size != content->len) return TARGET_DIFFERENT;
    FILE *existing = fopen(path, "rb");
    if (!existing) {
        fail_errno(run, path, errno);
        return TARGET_FAILED;
    }
    char chunk[8192];
    size_t compared = 0;
    TargetState state = TARGET_SAME;
    for (;;) {
        size_t got = fread(chunk, 1, sizeof chunk, existing);
        if (got == 0) break;
        if (compared + got > content->len || memcmp(chunk, content->data + compared, got) != 0) {
            state = TARGET_DIFFERENT;
            break;
        }
        compared += got;
    }
    if (state == TARGET_SAME && ferror(existing)) {
        fail_errno(run, path, errno);
        state = TARGET_FAILED;
    } else if (state == TARGET_SAME && compared != content->len) {
        state = TARGET_DIFFERENT; /* shrank since stat */
    }
    fclose(existing);
    return state;
}

/* Writes `content` to a new temporary file beside pending->target_path. */
static bool write_temporary(WriteRun *run, PendingFile *pending, const StrBuf *content, bool keep_mode,
                            mode_t mode) {
    const char *target = pending->target_path.data;
    const char *slash = strrchr(target, '/');
    size_t directory_len = slash ? (size_t)(slash - target) + 1 : 0;
    int fd = -1;
    for (unsigned attempt = 0; attempt < 100 && fd < 0; attempt++) {
        pending->temporary_path.len = 0;
        strbuf_append(&pending->temporary_path, target, directory_len);
        /* At most 32 bytes of the name, so that a long (valid) target name cannot make the temporary's too long. */
        strbuf_printf(&pending->temporary_path, ".%.32s.rpcc-tmp-%ld-%u", target + directory_len, (long)getpid(),
                      attempt);
        fd = open(pending->temporary_path.data, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) {
        int error_number = errno;
        strbuf_free(&pending->temporary_path); /* nothing to remove */
        return fail_errno(run, target, error_number);
    }
    const char *temporary = pending->temporary_path.data;
    if (keep_mode && fchmod(fd, mode) != 0) {
        int error_number = errno;
        close(fd);
        return fail_errno(run, temporary, error_number);
    }
    FILE *stream = fdopen(fd, "wb");
    if (!stream) {
        int error_number = errno;
        close(fd);
        return fail_errno(run, temporary, error_number);
    }
    bool written = content->len == 0 || fwrite(content->data, 1, content->len, stream) == content->len;
    written = fflush(stream) == 0 && written;
    int error_number = errno;
    if (fclose(stream) != 0 && written) {
        written = false;
        error_number = errno;
    }
    if (!written) return fail_errno(run, temporary, error_number);
    return true;
}

/* Removes every temporary still present and every directory this run created (deepest first). */
static void undo(WriteRun *run) {
    for (size_t index = 0; index < run->pending_count; index++) {
        StrBuf *temporary = &run->pending[index].temporary_path;
        if (temporary->len) unlink(temporary->data);
    }
    for (size_t index = run->created_count; index > 0; index--) rmdir(run->created_directories[index - 1].data);
}

static void write_run_free(WriteRun *run) {
    for (size_t index = 0; index < run->pending_count; index++) {
        strbuf_free(&run->pending[index].target_path);
        strbuf_free(&run->pending[index].temporary_path);
    }
    free(run->pending);
    for (size_t index = 0; index < run->created_count; index++) strbuf_free(&run->created_directories[index]);
    free(run->created_directories);
}

static int compare_pending_paths(const void *left, const void *right) {
    const PendingFile *const *left_file = left, *const *right_file = right;
    return strcmp((*left_file)->file->relative_path, (*right_file)->file->relative_path);
}

/* "a" and "a/b" cannot both be files. In path order every path extending `path` follows it directly. */
static bool check_file_directory_conflicts(WriteRun *run) {
    if (run->pending_count < 2) return true;
    PendingFile **sorted = checked_realloc(NULL, run->pending_count * sizeof *sorted);
    for (size_t index = 0; index < run->pending_count; index++) sorted[index] = &run->pending[index];
    qsort(sorted, run->pending_count, sizeof *sorted, compare_pending_paths);
    bool ok = true;
    for (size_t index = 0; ok && index + 1 < run->pending_count; index++) {
        const char *path = sorted[index]->file->relative_path;
        size_t len = strlen(path);
        for (size_t next = index + 1; next < run->pending_count; next++) {
            const char *other = sorted[next]->file->relative_path;
            if (strncmp(other, path, len) != 0) break;
            if (other[len] == '/') {
                ok = fail(run, path, "is both a file and a directory of the output");
                break;
            }
        }
    }
    free(sorted);
    return ok;
}

/* Creates the target's parent directories, compares it, and writes a temporary if it changed. */
static bool prepare_file(WriteRun *run, PendingFile *pending, OutputStats *stats) {
    /* A path whose parent is a file that this tree also writes ("a" and "a/b") fails here (not a directory) or
     * in the conflict check before the renames. */
    const char *target = pending->target_path.data;
    const char *slash = strrchr(target, '/');
    StrBuf parent;
    strbuf_init(&parent);
    strbuf_append(&parent, target, (size_t)(slash - target));
    bool ok = make_directories(run, parent.data);
    strbuf_free(&parent);
    if (!ok) return false;
    const StrBuf *content = &pending->file->printer.out;
    mode_t mode = 0;
    switch (compare_target(run, target, content, &mode)) {
    case TARGET_SAME:
        stats->unchanged++;
        return true;
    case TARGET_FAILED:
        return false;
    case TARGET_MISSING:
        return write_temporary(run, pending, content, false, 0);
    case TARGET_DIFFERENT:
        break;
    }
    return write_temporary(run, pending, content, true, mode);
}

static void staging_free(OutputStaging *staging, bool undo_first) {
    if (undo_first) undo(&staging->run);
    write_run_free(&staging->run);
    strbuf_free(&staging->base);
    free(staging);
}

/* Stages the files not staged yet; `release` frees their content afterwards (explicit staging during a run),
 * while a plain output_tree_write keeps it, so that a tree can be written again. */
static bool stage_files(OutputTree *tree, const char *directory, char *error, size_t error_size, bool release) {
    if (error && error_size > 0) error[0] = '\0';
    OutputStaging *staging = tree->staging;
    if (!staging) {
        staging = checked_realloc(NULL, sizeof *staging);
        memset(staging, 0, sizeof *staging);
        /* The base directory without trailing slashes ("out/" -> "out", "/" stays). */
        size_t base_len = strlen(directory);
        while (base_len > 1 && directory[base_len - 1] == '/') base_len--;
        strbuf_init(&staging->base);
        strbuf_append(&staging->base, base_len ? directory : ".", base_len ? base_len : 1);
        staging->separator = strcmp(staging->base.data, "/") == 0 ? "" : "/";
        tree->staging = staging;
    }
    WriteRun *run = &staging->run;
    run->error = error;
    run->error_size = error_size;
    if (staging->failed) return fail(run, staging->base.data, "an earlier step of this run failed");
    if (!staging->base_created) {
        if (!make_directories(run, staging->base.data)) {
            staging->failed = true;
            return false;
        }
        staging->base_created = true;
    }
    run->pending = checked_realloc(run->pending, (tree->count ? tree->count : 1) * sizeof *run->pending);
    while (run->pending_count < tree->count) {
        PendingFile *pending = &run->pending[run->pending_count++];
        OutputFile *file = tree->files[run->pending_count - 1];
        pending->file = file;
        strbuf_init(&pending->target_path);
        strbuf_init(&pending->temporary_path);
        strbuf_printf(&pending->target_path, "%s%s%s", staging->base.data, staging->separator, file->relative_path);
        if (!prepare_file(run, pending, &staging->stats)) {
            staging->failed = true;
            return false;
        }
        /* The content is on disk (or equal to the target's): release it. */
        if (release) printer_free(&file->printer);
    }
    return true;
}

bool output_tree_stage(OutputTree *tree, const char *directory, char *error, size_t error_size) {
    return stage_files(tree, directory, error, error_size, true);
}

bool output_tree_write(OutputTree *tree, const char *directory, OutputStats *stats, char *error,
                       size_t error_size) {
    bool ok = stage_files(tree, directory, error, error_size, false);
    OutputStaging *staging = tree->staging;
    WriteRun *run = &staging->run;
    ok = ok && check_file_directory_conflicts(run);
    /* Commit: every temporary is complete, now replace the targets. */
    for (size_t index = 0; ok && index < run->pending_count; index++) {
        StrBuf *temporary = &run->pending[index].temporary_path;
        if (!temporary->len) continue;
        if (rename(temporary->data, run->pending[index].target_path.data) != 0) {
            ok = fail_errno(run, run->pending[index].target_path.data, errno);
            break;
        }
        strbuf_free(temporary);
        staging->stats.written++;
    }
    if (stats) *stats = staging->stats;
    /* Committed or failed, the staging is over; on failure, undo what is left. */
    staging_free(staging, !ok);
    tree->staging = NULL;
    return ok;
}

void output_tree_merge(OutputTree *into, OutputTree *from) {
    if (into->count + from->count > into->capacity) {
        into->capacity = into->count + from->count;
        into->files = checked_realloc(into->files, into->capacity * sizeof *into->files);
    }
    memcpy(into->files + into->count, from->files, from->count * sizeof *from->files);
    size_t first_moved = into->count;
    into->count += from->count;
    OutputStaging *moved = from->staging;
    if (moved) {
        OutputStaging *staging = into->staging;
        if (!staging || strcmp(staging->base.data, moved->base.data) != 0) {
            fputs("rpcc: internal error: output_tree_merge: trees staged under different directories\n", stderr);
            abort();
        }
        /* Every file before the moved ones is staged in `into` (pending_count == first_moved) unless `into`
         * holds unstaged files, which its next staging handles in order as before. */
        WriteRun *run = &staging->run, *other = &moved->run;
        if (run->pending_count != first_moved) {
            fputs("rpcc: internal error: output_tree_merge: unstaged files before staged ones\n", stderr);
            abort();
        }
        run->pending = checked_realloc(run->pending, (into->count ? into->count : 1) * sizeof *run->pending);
        /* (memcpy from NULL is undefined even for 0 bytes: a language whose files were all unchanged has none) */
        if (other->pending_count)
            memcpy(run->pending + run->pending_count, other->pending, other->pending_count * sizeof *other->pending);
        run->pending_count += other->pending_count;
        run->created_directories = checked_realloc(
            run->created_directories, (run->created_count + other->created_count + 1) * sizeof(StrBuf));
        if (other->created_count)
            memcpy(run->created_directories + run->created_count, other->created_directories,
                   other->created_count * sizeof(StrBuf));
        run->created_count += other->created_count;
        staging->stats.written += moved->stats.written;
        staging->stats.unchanged += moved->stats.unchanged;
        staging->failed |= moved->failed;
        /* The moved strings now belong to `into`: free only the arrays that held them. */
        free(other->pending);
        free(other->created_directories);
        strbuf_free(&moved->base);
        free(moved);
    }
    free(from->files);
    const char *stage_directory = from->stage_directory;
    output_tree_init(from);
    from->stage_directory = stage_directory;
}
