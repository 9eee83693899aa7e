/* The in-memory output tree and its atomic, minimal write to disk. */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
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
    tree->discard_text = false;
}

static void staging_free(OutputStaging *staging, bool undo_first);
static void stage_piece(void *context, const char *text, size_t len);

/* The sink of a file whose text nobody reads (OutputTree.discard_text). */
static void discard_piece(void *context, const char *text, size_t len) {
    (void)context, (void)text, (void)len;
}

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
    file->tree = tree;
    file->pending = NULL;
    file->staged = false;
    /* A tree that stages stages this file while it is printed. */
    if (tree->stage_directory || tree->staging) printer_attach(&file->printer, stage_piece, file);
    else if (tree->discard_text) printer_attach(&file->printer, discard_piece, NULL);
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

/* Reads and copies of a target go through a buffer of this size on the stack. */
enum { IO_CHUNK = 64 * 1024 };

typedef enum PendingState {
    PENDING_COMPARING, /* every byte so far equals the target's at the same place: no temporary yet */
    PENDING_WRITING,   /* the temporary is open and holds every byte so far */
    PENDING_DONE,      /* its temporary is written and closed, or the target was the same (no temporary) */
} PendingState;

/* One file's staging, from its first piece of text to its end. */
struct PendingFile {
    const OutputFile *file;
    StrBuf target_path;
    StrBuf temporary_path; /* empty while no temporary exists */
    PendingState state;
    int target_fd;         /* the existing target while comparing, else -1 */
    int temporary_fd;      /* while writing, else -1 */
    size_t target_size;    /* the existing target's size when it was opened */
    size_t length;         /* bytes of the new content received so far */
    bool keep_mode;        /* the target exists: its permission bits go to the temporary */
    mode_t mode;
};

/* The state of a tree's staging and final write, so that a failure (or an abandoned run) can undo exactly what was
 * done: the temporaries written and the directories created. */
typedef struct WriteRun {
    PendingFile **pending; /* one per file whose staging began, in that order */
    size_t pending_count;
    size_t pending_capacity;
    StrBuf *created_directories; /* in creation order: parents first */
    size_t created_count;
    char message[1024]; /* the last failure, "path: reason" */
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
    snprintf(run->message, sizeof run->message, "%s: %s", path, reason);
    return false;
}

static bool fail_errno(WriteRun *run, const char *path, int error_number) {
    return fail(run, path, strerror(error_number));
}

/* Copies the run's failure message into the caller's buffer; returns false. */
static bool report_failure(const WriteRun *run, char *error, size_t error_size) {
    if (error && error_size > 0) snprintf(error, error_size, "%s", run->message);
    return false;
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

/* write(2) of all of `data`; false with errno set. */
static bool write_all(int fd, const char *data, size_t len) {
    while (len > 0) {
        ssize_t done = write(fd, data, len);
        if (done < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data += done;
        len -= (size_t)done;
    }
    return true;
}

/* Creates the temporary beside the target (empty, open for writing). */
static bool create_temporary(WriteRun *run, PendingFile *pending) {
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
    pending->temporary_fd = fd;
    pending->state = PENDING_WRITING;
    if (pending->keep_mode && fchmod(fd, pending->mode) != 0)
        return fail_errno(run, pending->temporary_path.data, errno);
    return true;
}

static void close_target(PendingFile *pending) {
    if (pending->target_fd >= 0) close(pending->target_fd);
    pending->target_fd = -1;
}

/* The new content differs from the target from the text received now on: the temporary starts with the
 * target's first `length` bytes, which equal what was received before. */
static bool start_writing(WriteRun *run, PendingFile *pending) {
    if (!create_temporary(run, pending)) return false;
    char chunk[IO_CHUNK];
    size_t copied = 0;
    while (copied < pending->length) {
        size_t want = pending->length - copied < sizeof chunk ? pending->length - copied : sizeof chunk;
        ssize_t got = pread(pending->target_fd, chunk, want, (off_t)copied);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return fail_errno(run, pending->target_path.data, errno);
        if (got == 0) return fail(run, pending->target_path.data, "changed while rpcc compared it");
        if (!write_all(pending->temporary_fd, chunk, (size_t)got))
            return fail_errno(run, pending->temporary_path.data, errno);
        copied += (size_t)got;
    }
    close_target(pending);
    return true;
}

/* Reads the target's next `len` bytes and compares them with `text`; *same is false at the first difference or
 * when the target ends first. */
static bool compare_with_target(WriteRun *run, PendingFile *pending, const char *text, size_t len, bool *same) {
    char chunk[IO_CHUNK];
    size_t compared = 0;
    *same = true;
    while (compared < len) {
        size_t want = len - compared < sizeof chunk ? len - compared : sizeof chunk;
        ssize_t got = read(pending->target_fd, chunk, want);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return fail_errno(run, pending->target_path.data, errno);
        if (got == 0 || memcmp(chunk, text + compared, (size_t)got) != 0) {
            *same = false;
            return true;
        }
        compared += (size_t)got;
    }
    return true;
}

/* Begins the staging of `file`: its target's parent directories, then the target (missing: the temporary is
 * created at once; a regular file: opened to compare). */
static bool pending_begin(OutputStaging *staging, OutputFile *file) {
    WriteRun *run = &staging->run;
    if (run->pending_count == run->pending_capacity) {
        run->pending_capacity = run->pending_capacity ? run->pending_capacity * 2 : 16;
        run->pending = checked_realloc(run->pending, run->pending_capacity * sizeof *run->pending);
    }
    PendingFile *pending = checked_realloc(NULL, sizeof *pending);
    run->pending[run->pending_count++] = pending;
    file->pending = pending;
    pending->file = file;
    strbuf_init(&pending->target_path);
    strbuf_init(&pending->temporary_path);
    pending->state = PENDING_COMPARING;
    pending->target_fd = pending->temporary_fd = -1;
    pending->target_size = pending->length = 0;
    pending->keep_mode = false;
    pending->mode = 0;
    strbuf_printf(&pending->target_path, "%s%s%s", staging->base.data, staging->separator, file->relative_path);

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
    struct stat status;
    if (stat(target, &status) != 0) {
        if (errno != ENOENT) return fail_errno(run, target, errno);
        return create_temporary(run, pending);
    }
    if (!S_ISREG(status.st_mode))
        return fail(run, target, S_ISDIR(status.st_mode) ? "is a directory" : "not a regular file");
    pending->keep_mode = true;
    pending->mode = status.st_mode & 07777;
    pending->target_size = (size_t)status.st_size;
    pending->target_fd = open(target, O_RDONLY);
    if (pending->target_fd < 0) return fail_errno(run, target, errno);
    return true;
}

/* The file's next piece of text: compared with the target while they are equal, else written. */
static bool pending_append(WriteRun *run, PendingFile *pending, const char *text, size_t len) {
    if (len == 0) return true;
    if (pending->state == PENDING_COMPARING) {
        bool same = pending->length + len <= pending->target_size;
        if (same && !compare_with_target(run, pending, text, len, &same)) return false;
        if (same) {
            pending->length += len;
            return true;
        }
        if (!start_writing(run, pending)) return false;
    }
    if (!write_all(pending->temporary_fd, text, len)) return fail_errno(run, pending->temporary_path.data, errno);
    pending->length += len;
    return true;
}

/* The file's end: the target is the same if it ends here too; else the temporary is completed and closed. */
static bool pending_finish(WriteRun *run, PendingFile *pending, OutputStats *stats) {
    if (pending->state == PENDING_COMPARING) {
        bool same = pending->length == pending->target_size;
        if (same) {
            char byte; /* the target may have grown since it was opened */
            ssize_t got;
            while ((got = read(pending->target_fd, &byte, 1)) < 0 && errno == EINTR) {
            }
            if (got < 0) return fail_errno(run, pending->target_path.data, errno);
            same = got == 0;
        }
        if (same) {
            close_target(pending);
            pending->state = PENDING_DONE;
            stats->unchanged++;
            return true;
        }
        if (!start_writing(run, pending)) return false;
    }
    int fd = pending->temporary_fd;
    pending->temporary_fd = -1;
    pending->state = PENDING_DONE;
    if (close(fd) != 0) return fail_errno(run, pending->temporary_path.data, errno);
    return true;
}

/* Removes every temporary still present and every directory this run created (deepest first). */
static void undo(WriteRun *run) {
    for (size_t index = 0; index < run->pending_count; index++) {
        PendingFile *pending = run->pending[index];
        close_target(pending);
        if (pending->temporary_fd >= 0) close(pending->temporary_fd);
        pending->temporary_fd = -1;
        if (pending->temporary_path.len) unlink(pending->temporary_path.data);
    }
    for (size_t index = run->created_count; index > 0; index--) rmdir(run->created_directories[index - 1].data);
}

static void write_run_free(WriteRun *run) {
    for (size_t index = 0; index < run->pending_count; index++) {
        PendingFile *pending = run->pending[index];
        close_target(pending);
        if (pending->temporary_fd >= 0) close(pending->temporary_fd);
        strbuf_free(&pending->target_path);
        strbuf_free(&pending->temporary_path);
        free(pending);
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
    memcpy(sorted, run->pending, run->pending_count * sizeof *sorted);
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

static void staging_free(OutputStaging *staging, bool undo_first) {
    if (undo_first) undo(&staging->run);
    write_run_free(&staging->run);
    strbuf_free(&staging->base);
    free(staging);
}

/* The tree's staging under `directory`, begun now if it was not: the base directory is made (if missing) by the
 * first call. NULL when staging failed (now or earlier), with the message in the run. */
static OutputStaging *staging_ready(OutputTree *tree, const char *directory) {
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
    if (staging->failed) return NULL; /* the message of the failure stays */
    if (!staging->base_created) {
        if (!make_directories(&staging->run, staging->base.data)) {
            staging->failed = true;
            return NULL;
        }
        staging->base_created = true;
    }
    return staging;
}

/* A file printer's sink: stages the piece of text at once. A failure is kept in the staging, reported by the
 * next output_tree_stage or output_tree_write (the printer goes on, its text discarded). */
static void stage_piece(void *context, const char *text, size_t len) {
    OutputFile *file = context;
    OutputTree *tree = file->tree;
    OutputStaging *staging =
        staging_ready(tree, tree->staging ? tree->staging->base.data : tree->stage_directory);
    if (!staging) return;
    if ((!file->pending && !pending_begin(staging, file)) || !pending_append(&staging->run, file->pending, text, len))
        staging->failed = true;
}

/* Stages the files not staged yet; `release` frees their content afterwards (explicit staging during a run),
 * while a plain output_tree_write keeps it, so that a tree can be written again (a file staged as it was printed
 * holds only its last piece: it is released in any case). */
static bool stage_files(OutputTree *tree, const char *directory, char *error, size_t error_size, bool release) {
    if (error && error_size > 0) error[0] = '\0';
    OutputStaging *staging = staging_ready(tree, directory);
    if (!staging) return report_failure(&tree->staging->run, error, error_size);
    WriteRun *run = &staging->run;
    for (size_t index = 0; index < tree->count; index++) {
        OutputFile *file = tree->files[index];
        if (file->staged) continue;
        Printer *printer = &file->printer;
        if ((!file->pending && !pending_begin(staging, file)) ||
            !pending_append(run, file->pending, printer->out.data, printer->out.len) ||
            !pending_finish(run, file->pending, &staging->stats)) {
            staging->failed = true;
            return report_failure(run, error, error_size);
        }
        file->staged = true;
        /* The content is on disk (or equal to the target's): release it. */
        if (release || printer->sink) printer_free(printer);
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
    if (ok && !check_file_directory_conflicts(run)) ok = report_failure(run, error, error_size);
    /* Commit: every temporary is complete, now replace the targets. */
    for (size_t index = 0; ok && index < run->pending_count; index++) {
        PendingFile *pending = run->pending[index];
        if (!pending->temporary_path.len) continue;
        if (rename(pending->temporary_path.data, pending->target_path.data) != 0) {
            fail_errno(run, pending->target_path.data, errno);
            ok = report_failure(run, error, error_size);
            break;
        }
        strbuf_free(&pending->temporary_path);
        staging->stats.written++;
    }
    if (stats) *stats = staging->stats;
    /* Committed or failed, the staging is over; on failure, undo what is left. The files may be written again. */
    staging_free(staging, !ok);
    tree->staging = NULL;
    for (size_t index = 0; index < tree->count; index++) {
        OutputFile *file = tree->files[index];
        file->pending = NULL;
        file->staged = false;
        file->printer.sink = NULL; /* its staging is over */
        file->printer.flush_at = SIZE_MAX;
    }
    return ok;
}

void output_tree_merge(OutputTree *into, OutputTree *from) {
    if (into->count + from->count > into->capacity) {
        into->capacity = into->count + from->count;
        into->files = checked_realloc(into->files, into->capacity * sizeof *into->files);
    }
    memcpy(into->files + into->count, from->files, from->count * sizeof *from->files);
    for (size_t index = 0; index < from->count; index++) from->files[index]->tree = into;
    into->count += from->count;
    OutputStaging *moved = from->staging;
    if (moved) {
        OutputStaging *staging = into->staging;
        if (!staging || strcmp(staging->base.data, moved->base.data) != 0) {
            fputs("rpcc: internal error: output_tree_merge: trees staged under different directories\n", stderr);
            abort();
        }
        WriteRun *run = &staging->run, *other = &moved->run;
        if (run->pending_count + other->pending_count > run->pending_capacity) {
            run->pending_capacity = run->pending_count + other->pending_count;
            run->pending = checked_realloc(run->pending, run->pending_capacity * sizeof *run->pending);
        }
        /* (memcpy from NULL is undefined even for 0 bytes: a tree may have staged no file) */
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
        if (moved->failed && !staging->failed) {
            staging->failed = true;
            memcpy(run->message, other->message, sizeof run->message);
        }
        /* The moved files' stagings now belong to `into`: free only the arrays that held them. */
        free(other->pending);
        free(other->created_directories);
        strbuf_free(&moved->base);
        free(moved);
    }
    free(from->files);
    const char *stage_directory = from->stage_directory;
    bool discard_text = from->discard_text;
    output_tree_init(from);
    from->stage_directory = stage_directory;
    from->discard_text = discard_text;
}
