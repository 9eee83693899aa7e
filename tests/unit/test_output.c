/* backends/output.c: the output tree, its safe paths, and the atomic, minimal write. Each test works in its own
 * mkdtemp directory and removes it. Unchanged files are recognised by the stats and by inode numbers (a replaced
 * file gets a new inode through rename), never by timing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "backends/output.h"

/* ---------------------------------------------------------------------------------------------------------- */
/* Helpers                                                                                                    */

typedef struct Sandbox {
    char root[64];
} Sandbox;

static int sandbox_setup(void **state) {
    Sandbox *sandbox = malloc(sizeof *sandbox);
    if (!sandbox) return -1;
    snprintf(sandbox->root, sizeof sandbox->root, "/tmp/rpcc-test-output-XXXXXX");
    if (!mkdtemp(sandbox->root)) {
        free(sandbox);
        return -1;
    }
    *state = sandbox;
    return 0;
}

static void remove_tree(const char *path) {
    struct stat status;
    if (lstat(path, &status) != 0) return;
    if (S_ISDIR(status.st_mode)) {
        DIR *directory = opendir(path);
        if (directory) {
            struct dirent *entry;
            while ((entry = readdir(directory))) {
                if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
                char child[1024];
                snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
                remove_tree(child);
            }
            closedir(directory);
        }
        chmod(path, 0700);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int sandbox_teardown(void **state) {
    Sandbox *sandbox = *state;
    remove_tree(sandbox->root);
    free(sandbox);
    return 0;
}

static const char *in_sandbox(const Sandbox *sandbox, const char *relative, char *buffer, size_t size) {
    snprintf(buffer, size, "%s/%s", sandbox->root, relative);
    return buffer;
}

/* The file's content, or "<missing>". */
static const char *read_text(const char *path, char *buffer, size_t size) {
    FILE *file = fopen(path, "rb");
    if (!file) return "<missing>";
    size_t got = fread(buffer, 1, size - 1, file);
    buffer[got] = '\0';
    fclose(file);
    return buffer;
}

static void write_text(const char *path, const char *text) {
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    assert_int_equal(fwrite(text, 1, strlen(text), file), strlen(text));
    assert_int_equal(fclose(file), 0);
}

static ino_t inode_of(const char *path) {
    struct stat status;
    assert_int_equal(stat(path, &status), 0);
    return status.st_ino;
}

/* Every path under `root` (relative, sorted, '\n'-terminated each; directories end in '/'). */
static void collect_listing(const char *root, const char *prefix, char **names, size_t *count) {
    char path[1024];
    snprintf(path, sizeof path, "%s%s%s", root, *prefix ? "/" : "", prefix);
    DIR *directory = opendir(path);
    assert_non_null(directory);
    struct dirent *entry;
    while ((entry = readdir(directory))) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
        char relative[1024], child[2048];
        snprintf(relative, sizeof relative, "%s%s%s", prefix, *prefix ? "/" : "", entry->d_name);
        snprintf(child, sizeof child, "%s/%s", root, relative);
        struct stat status;
        assert_int_equal(lstat(child, &status), 0);
        size_t len = strlen(relative);
        names[*count] = malloc(len + 2);
        assert_non_null(names[*count]);
        memcpy(names[*count], relative, len + 1);
        if (S_ISDIR(status.st_mode)) strcat(names[*count], "/");
        (*count)++;
        if (S_ISDIR(status.st_mode)) collect_listing(root, relative, names, count);
    }
    closedir(directory);
}

static int compare_names(const void *left, const void *right) {
    return strcmp(*(char *const *)left, *(char *const *)right);
}

static void assert_listing(const char *root, const char *expected) {
    char *names[64];
    size_t count = 0;
    collect_listing(root, "", names, &count);
    qsort(names, count, sizeof *names, compare_names);
    char listing[4096] = "";
    for (size_t index = 0; index < count; index++) {
        strcat(listing, names[index]);
        strcat(listing, "\n");
        free(names[index]);
    }
    assert_string_equal(listing, expected);
}

static void add_file(OutputTree *tree, const char *path, const char *content) {
    Printer *printer = output_tree_add(tree, path, "    ");
    assert_non_null(printer);
    printer_write(printer, content, strlen(content));
}

/* ---------------------------------------------------------------------------------------------------------- */
/* The tree                                                                                                   */

static void test_rejects_unsafe_and_duplicate_paths(void **state) {
    (void)state;
    OutputTree tree;
    output_tree_init(&tree);
    static const char *const unsafe[] = {"", "/etc/passwd", "a//b", "a/", "/", ".", "..", "./a", "a/./b",
                                         "../a", "a/..", "a/../b", "python/../../x"};
    for (size_t index = 0; index < sizeof unsafe / sizeof *unsafe; index++) {
        if (output_tree_add(&tree, unsafe[index], "    ")) fail_msg("accepted unsafe path \"%s\"", unsafe[index]);
    }
    static const char *const safe[] = {"a", "python/models.py", ".hidden", "..dots", "a/...", "x/.y/z"};
    for (size_t index = 0; index < sizeof safe / sizeof *safe; index++) {
        if (!output_tree_add(&tree, safe[index], "    ")) fail_msg("rejected safe path \"%s\"", safe[index]);
    }
    assert_null(output_tree_add(&tree, "python/models.py", "    ")); /* duplicate */
    assert_int_equal(tree.count, sizeof safe / sizeof *safe);
    output_tree_free(&tree);
    assert_int_equal(tree.count, 0);
}

static void test_printers_stay_valid_while_files_are_added(void **state) {
    (void)state;
    OutputTree tree;
    output_tree_init(&tree);
    Printer *first = output_tree_add(&tree, "first.txt", "\t");
    for (int index = 0; index < 100; index++) {
        char path[32];
        snprintf(path, sizeof path, "f%03d.txt", index);
        assert_non_null(output_tree_add(&tree, path, "    "));
    }
    printer_indent(first);
    printer_line(first, "still %s", "here");
    assert_string_equal(strbuf_cstr(&first->out), "\tstill here\n");
    output_tree_free(&tree);
}

static void test_sorted_paths(void **state) {
    (void)state;
    OutputTree tree;
    output_tree_init(&tree);
    add_file(&tree, "typescript/types.ts", "");
    add_file(&tree, "README.md", "");
    add_file(&tree, "python/models.py", "");
    add_file(&tree, "go/types.go", "");
    add_file(&tree, "python/__init__.py", "");
    add_file(&tree, "python-extra", "");
    const char *paths[6];
    output_tree_sorted_paths(&tree, paths);
    static const char *const expected[] = {"README.md",         "go/types.go",      "python-extra",
                                           "python/__init__.py", "python/models.py", "typescript/types.ts"};
    for (size_t index = 0; index < 6; index++) assert_string_equal(paths[index], expected[index]);
    output_tree_free(&tree);
}

/* --list-outputs: a tree that discards its files' text holds at most about one piece of each while it is printed,
 * and still lists every path; a tree merged from it keeps discarding. */
static void test_discarding_tree_keeps_paths_not_text(void **state) {
    (void)state;
    OutputTree tree, part;
    output_tree_init(&tree);
    output_tree_init(&part);
    tree.discard_text = part.discard_text = true;
    Printer *printer = output_tree_add(&part, "typescript/types.ts", "  ");
    assert_non_null(printer);
    for (size_t line = 0; line < 20000; line++) {
        printer_printf(printer, "line %06zu of the generated file, some text\n", line);
        assert_true(printer->out.len <= PRINTER_FLUSH_SIZE + 64);
    }
    add_file(&part, "go/types.go", "package sdk\n");
    output_tree_merge(&tree, &part);
    assert_true(part.discard_text);
    output_tree_free(&part);
    add_file(&tree, "README.md", "# SDK\n");
    const char *paths[3];
    output_tree_sorted_paths(&tree, paths);
    assert_string_equal(paths[0], "README.md");
    assert_string_equal(paths[1], "go/types.go");
    assert_string_equal(paths[2], "typescript/types.ts");
    output_tree_free(&tree);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Writing                                                                                                    */

static void build_sdk_tree(OutputTree *tree, const char *models) {
    output_tree_init(tree);
    add_file(tree, "README.md", "# SDK\n");
    add_file(tree, "python/models.py", models);
    add_file(tree, "python/py.typed", "");
    add_file(tree, "go/types.go", "package sdk\n");
}

static void test_writes_tree_creating_directories(void **state) {
    Sandbox *sandbox = *state;
    OutputTree tree;
    build_sdk_tree(&tree, "class Task: ...\n");
    char directory[256], path[256], text[256];
    in_sandbox(sandbox, "out/nested/sdk/", directory, sizeof directory); /* missing parents, trailing slash */
    char error[256] = "unset";
    OutputStats stats = {99, 99};
    assert_true(output_tree_write(&tree, directory, &stats, error, sizeof error));
    assert_string_equal(error, "");
    assert_int_equal(stats.written, 4);
    assert_int_equal(stats.unchanged, 0);
    assert_listing(sandbox->root, "out/\nout/nested/\nout/nested/sdk/\nout/nested/sdk/README.md\n"
                                  "out/nested/sdk/go/\nout/nested/sdk/go/types.go\nout/nested/sdk/python/\n"
                                  "out/nested/sdk/python/models.py\nout/nested/sdk/python/py.typed\n");
    assert_string_equal(read_text(in_sandbox(sandbox, "out/nested/sdk/README.md", path, sizeof path), text,
                                  sizeof text),
                        "# SDK\n");
    assert_string_equal(read_text(in_sandbox(sandbox, "out/nested/sdk/python/models.py", path, sizeof path), text,
                                  sizeof text),
                        "class Task: ...\n");
    assert_string_equal(read_text(in_sandbox(sandbox, "out/nested/sdk/python/py.typed", path, sizeof path), text,
                                  sizeof text),
                        "");
    /* an ordinary file mode (the umask applies), not mkstemp's 0600 */
    struct stat status;
    assert_int_equal(stat(in_sandbox(sandbox, "out/nested/sdk/go/types.go", path, sizeof path), &status), 0);
    mode_t mask = umask(022);
    umask(mask);
    assert_int_equal(status.st_mode & 0777, 0666 & ~mask);
    output_tree_free(&tree);
}

static void test_second_write_touches_nothing(void **state) {
    Sandbox *sandbox = *state;
    char directory[256], models[256], readme[256], text[256];
    in_sandbox(sandbox, "sdk", directory, sizeof directory);
    in_sandbox(sandbox, "sdk/python/models.py", models, sizeof models);
    in_sandbox(sandbox, "sdk/README.md", readme, sizeof readme);
    OutputTree tree;
    build_sdk_tree(&tree, "v1\n");
    OutputStats stats;
    char error[256];
    assert_true(output_tree_write(&tree, directory, &stats, error, sizeof error));
    ino_t models_inode = inode_of(models), readme_inode = inode_of(readme);

    assert_true(output_tree_write(&tree, directory, &stats, error, sizeof error));
    assert_int_equal(stats.written, 0);
    assert_int_equal(stats.unchanged, 4);
    assert_true(inode_of(models) == models_inode);
    assert_true(inode_of(readme) == readme_inode);
    output_tree_free(&tree);

    /* one changed file: only it is replaced (a new inode), the others keep theirs */
    build_sdk_tree(&tree, "v2\n");
    assert_true(output_tree_write(&tree, directory, &stats, error, sizeof error));
    assert_int_equal(stats.written, 1);
    assert_int_equal(stats.unchanged, 3);
    assert_true(inode_of(models) != models_inode);
    assert_true(inode_of(readme) == readme_inode);
    assert_string_equal(read_text(models, text, sizeof text), "v2\n");
    assert_listing(sandbox->root, "sdk/\nsdk/README.md\nsdk/go/\nsdk/go/types.go\nsdk/python/\n"
                                  "sdk/python/models.py\nsdk/python/py.typed\n");
    output_tree_free(&tree);

    /* same size, different bytes: compared by content, not by size */
    build_sdk_tree(&tree, "v3\n");
    assert_true(output_tree_write(&tree, directory, &stats, error, sizeof error));
    assert_int_equal(stats.written, 1);
    assert_string_equal(read_text(models, text, sizeof text), "v3\n");
    output_tree_free(&tree);
}

static void test_replacing_keeps_permission_bits(void **state) {
    Sandbox *sandbox = *state;
    char path[256];
    in_sandbox(sandbox, "script.sh", path, sizeof path);
    write_text(path, "old\n");
    assert_int_equal(chmod(path, 0751), 0);
    OutputTree tree;
    output_tree_init(&tree);
    add_file(&tree, "script.sh", "new\n");
    char error[256];
    assert_true(output_tree_write(&tree, sandbox->root, NULL, error, sizeof error));
    struct stat status;
    assert_int_equal(stat(path, &status), 0);
    assert_int_equal(status.st_mode & 07777, 0751);
    output_tree_free(&tree);
}

/* A target whose parent is a regular file cannot be written: nothing else may change, no temporary stays. */
static void test_failure_changes_nothing(void **state) {
    Sandbox *sandbox = *state;
    char path[256], text[256];
    write_text(in_sandbox(sandbox, "a.txt", path, sizeof path), "old a\n");
    ino_t a_inode = inode_of(path);
    write_text(in_sandbox(sandbox, "blocker", path, sizeof path), "I am a file\n");
    OutputTree tree;
    output_tree_init(&tree);
    add_file(&tree, "a.txt", "new a\n");         /* sorted before the failure: its temporary must go */
    add_file(&tree, "b/new.txt", "new b\n");     /* creates b/ before the failure: it must go too */
    add_file(&tree, "blocker/x.txt", "x\n");     /* fails */
    add_file(&tree, "z.txt", "z\n");             /* sorted after */
    char error[512];
    OutputStats stats;
    assert_false(output_tree_write(&tree, sandbox->root, &stats, error, sizeof error));
    char expected[512];
    snprintf(expected, sizeof expected, "%s/blocker: Not a directory", sandbox->root);
    assert_string_equal(error, expected);
    assert_int_equal(stats.written, 0);
    assert_listing(sandbox->root, "a.txt\nblocker\n");
    assert_string_equal(read_text(in_sandbox(sandbox, "a.txt", path, sizeof path), text, sizeof text), "old a\n");
    assert_true(inode_of(path) == a_inode);
    assert_string_equal(read_text(in_sandbox(sandbox, "blocker", path, sizeof path), text, sizeof text),
                        "I am a file\n");
    output_tree_free(&tree);
}

/* Staging during a run: staged files' memory is released, nothing is replaced before the final write, and an
 * abandoned run (a later failure, then output_tree_free) leaves the directory as it was. */
static void test_staged_files_release_memory_and_commit_together(void **state) {
    Sandbox *sandbox = *state;
    char directory[256], path[256], text[256];
    in_sandbox(sandbox, "sdk", directory, sizeof directory);
    OutputTree tree;
    output_tree_init(&tree);
    add_file(&tree, "python/models.py", "models\n");
    Printer *first = &tree.files[0]->printer;
    char error[256];
    assert_true(output_tree_stage(&tree, directory, error, sizeof error));
    assert_null(first->out.data); /* released */
    /* staged, not committed: the target does not exist yet, only its temporary */
    assert_string_equal(read_text(in_sandbox(sandbox, "sdk/python/models.py", path, sizeof path), text, sizeof text),
                        "<missing>");
    add_file(&tree, "go/types.go", "package sdk\n");
    OutputStats stats;
    assert_true(output_tree_write(&tree, directory, &stats, error, sizeof error));
    assert_int_equal(stats.written, 2);
    assert_string_equal(read_text(in_sandbox(sandbox, "sdk/python/models.py", path, sizeof path), text, sizeof text),
                        "models\n");
    assert_listing(sandbox->root, "sdk/\nsdk/go/\nsdk/go/types.go\nsdk/python/\nsdk/python/models.py\n");
    output_tree_free(&tree);

    /* a run that stages a changed file, then is abandoned: the old content stays, no temporary is left */
    output_tree_init(&tree);
    add_file(&tree, "python/models.py", "models v2\n");
    add_file(&tree, "python/new/added.py", "new\n");
    assert_true(output_tree_stage(&tree, directory, error, sizeof error));
    output_tree_free(&tree);
    assert_string_equal(read_text(in_sandbox(sandbox, "sdk/python/models.py", path, sizeof path), text, sizeof text),
                        "models\n");
    assert_listing(sandbox->root, "sdk/\nsdk/go/\nsdk/go/types.go\nsdk/python/\nsdk/python/models.py\n");
}

/* The same for a failure any user (root too) gets: a file name longer than NAME_MAX. A long but valid name
 * works: the temporary's name does not grow with it. */
static void test_failure_after_a_temporary_was_written(void **state) {
    Sandbox *sandbox = *state;
    char path[512], text[256], too_long[301], long_valid[251];
    write_text(in_sandbox(sandbox, "a.txt", path, sizeof path), "old\n");
    memset(too_long, 'x', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0';
    memset(long_valid, 'v', sizeof long_valid - 1);
    long_valid[sizeof long_valid - 1] = '\0';
    OutputTree tree;
    output_tree_init(&tree);
    add_file(&tree, "a.txt", "new\n");
    add_file(&tree, too_long, "x\n");
    char error[1024], expected[1024];
    assert_false(output_tree_write(&tree, sandbox->root, NULL, error, sizeof error));
    snprintf(expected, sizeof expected, "%s/%s: File name too long", sandbox->root, too_long);
    assert_string_equal(error, expected);
    assert_listing(sandbox->root, "a.txt\n");
    assert_string_equal(read_text(in_sandbox(sandbox, "a.txt", path, sizeof path), text, sizeof text), "old\n");
    output_tree_free(&tree);

    output_tree_init(&tree);
    add_file(&tree, long_valid, "v\n");
    assert_true(output_tree_write(&tree, sandbox->root, NULL, error, sizeof error));
    snprintf(expected, sizeof expected, "a.txt\n%s\n", long_valid);
    assert_listing(sandbox->root, expected);
    output_tree_free(&tree);
}

static void test_target_that_is_a_directory_fails(void **state) {
    Sandbox *sandbox = *state;
    char path[256];
    assert_int_equal(mkdir(in_sandbox(sandbox, "python", path, sizeof path), 0777), 0);
    assert_int_equal(mkdir(in_sandbox(sandbox, "python/models.py", path, sizeof path), 0777), 0);
    OutputTree tree;
    output_tree_init(&tree);
    add_file(&tree, "README.md", "x\n");
    add_file(&tree, "python/models.py", "y\n");
    char error[512], expected[512];
    assert_false(output_tree_write(&tree, sandbox->root, NULL, error, sizeof error));
    snprintf(expected, sizeof expected, "%s/python/models.py: is a directory", sandbox->root);
    assert_string_equal(error, expected);
    assert_listing(sandbox->root, "python/\npython/models.py/\n");
    output_tree_free(&tree);
}

static void test_file_and_directory_conflict_in_tree(void **state) {
    Sandbox *sandbox = *state;
    OutputTree tree;
    output_tree_init(&tree);
    add_file(&tree, "a", "file\n");
    add_file(&tree, "a-b", "file\n");
    add_file(&tree, "a/b", "file\n");
    char directory[256], error[512];
    in_sandbox(sandbox, "out", directory, sizeof directory);
    assert_false(output_tree_write(&tree, directory, NULL, error, sizeof error));
    assert_string_equal(error, "a: is both a file and a directory of the output");
    assert_listing(sandbox->root, ""); /* not even the output directory was created */
    output_tree_free(&tree);
}

static void test_unwritable_directory_leaves_no_temporary(void **state) {
    Sandbox *sandbox = *state;
    if (geteuid() == 0) {
        skip(); /* root ignores directory permissions */
    }
    char path[256], locked[256], text[256];
    write_text(in_sandbox(sandbox, "a.txt", path, sizeof path), "old\n");
    in_sandbox(sandbox, "locked", locked, sizeof locked);
    assert_int_equal(mkdir(locked, 0777), 0);
    assert_int_equal(chmod(locked, 0555), 0);
    OutputTree tree;
    output_tree_init(&tree);
    add_file(&tree, "a.txt", "new\n");
    add_file(&tree, "locked/x.txt", "x\n");
    char error[512], expected[512];
    assert_false(output_tree_write(&tree, sandbox->root, NULL, error, sizeof error));
    snprintf(expected, sizeof expected, "%s/locked/x.txt: Permission denied", sandbox->root);
    assert_string_equal(error, expected);
    assert_int_equal(chmod(locked, 0755), 0);
    assert_listing(sandbox->root, "a.txt\nlocked/\n");
    assert_string_equal(read_text(in_sandbox(sandbox, "a.txt", path, sizeof path), text, sizeof text), "old\n");
    output_tree_free(&tree);
}

static void test_error_buffer_is_truncated_safely(void **state) {
    Sandbox *sandbox = *state;
    char path[256];
    write_text(in_sandbox(sandbox, "blocker", path, sizeof path), "x");
    OutputTree tree;
    output_tree_init(&tree);
    add_file(&tree, "blocker/x", "x");
    char error[8];
    memset(error, '#', sizeof error);
    assert_false(output_tree_write(&tree, sandbox->root, NULL, error, sizeof error));
    assert_int_equal(strlen(error), sizeof error - 1);
    assert_false(output_tree_write(&tree, sandbox->root, NULL, NULL, 0));
    output_tree_free(&tree);
}

static void test_empty_tree_creates_directory(void **state) {
    Sandbox *sandbox = *state;
    OutputTree tree;
    output_tree_init(&tree);
    char directory[256], error[256];
    OutputStats stats;
    assert_true(output_tree_write(&tree, in_sandbox(sandbox, "empty", directory, sizeof directory), &stats, error,
                                  sizeof error));
    assert_int_equal(stats.written, 0);
    assert_int_equal(stats.unchanged, 0);
    assert_listing(sandbox->root, "empty/\n");
    output_tree_free(&tree);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Files staged while they are printed                                                                        */

/* `count` numbered lines of about 40 bytes; line `changed` (if < count) gets other bytes of the same length. */
static char *numbered_lines(size_t count, size_t changed) {
    StrBuf text;
    strbuf_init(&text);
    for (size_t line = 0; line < count; line++)
        strbuf_printf(&text, "%s %06zu of the generated file, some text\n", line == changed ? "CHANGED" : "line   ",
                      line);
    return text.data;
}

/* The whole file, or NULL. */
static char *read_whole(const char *path) {
    FILE *file = fopen(path, "rb");
    if (!file) return NULL;
    StrBuf text;
    strbuf_init(&text);
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, file)) > 0) strbuf_append(&text, chunk, got);
    fclose(file);
    strbuf_append(&text, "", 0); /* allocated even when empty */
    return text.data;
}

/* Prints `text` line by line into `printer`, as a backend would; the printer never holds much more than
 * PRINTER_FLUSH_SIZE when it has a sink. */
static void print_lines(Printer *printer, const char *text) {
    while (*text) {
        const char *end = strchr(text, '\n');
        size_t len = end ? (size_t)(end - text) + 1 : strlen(text);
        printer_write(printer, text, len);
        if (printer->sink) assert_true(printer->out.len < PRINTER_FLUSH_SIZE + len);
        text += len;
    }
}

/* A tree that stages while printing (as a backend's in a run), with one file "sdk/<path>" printed from `text`. */
static void start_streaming_tree(OutputTree *tree, const char *directory, const char *path, const char *text) {
    output_tree_init(tree);
    tree->stage_directory = directory;
    Printer *printer = output_tree_add(tree, path, "    ");
    assert_non_null(printer);
    print_lines(printer, text);
}

/* Streams `text` into `path` under `directory` and writes the tree; true when the write succeeded. */
static bool stream_and_write(const char *directory, const char *path, const char *text, OutputStats *stats) {
    OutputTree tree;
    start_streaming_tree(&tree, directory, path, text);
    char error[512];
    bool ok = output_tree_stage(&tree, directory, error, sizeof error) &&
              output_tree_write(&tree, directory, stats, error, sizeof error);
    output_tree_free(&tree);
    return ok;
}

static void set_old_mtime(const char *path) {
    struct timeval times[2] = {{1000000000, 0}, {1000000000, 0}};
    assert_int_equal(utimes(path, times), 0);
}

static time_t mtime_of(const char *path) {
    struct stat status;
    assert_int_equal(stat(path, &status), 0);
    return status.st_mtime;
}

/* A file several times the flush size is handed to its temporary in pieces while it is printed: the target does
 * not exist until the final write, which renames the temporary. */
static void test_large_file_is_staged_while_printed(void **state) {
    Sandbox *sandbox = *state;
    char directory[256], path[256], folder[256];
    in_sandbox(sandbox, "sdk", directory, sizeof directory);
    char *text = numbered_lines(20000, SIZE_MAX); /* about 900 KB */
    assert_true(strlen(text) > 8 * PRINTER_FLUSH_SIZE);
    OutputTree tree;
    start_streaming_tree(&tree, directory, "typescript/types.ts", text);
    /* pieces are on disk already, in a temporary beside the missing target */
    in_sandbox(sandbox, "sdk/typescript/types.ts", path, sizeof path);
    assert_null(read_whole(path));
    DIR *listing = opendir(in_sandbox(sandbox, "sdk/typescript", folder, sizeof folder));
    assert_non_null(listing);
    size_t temporaries = 0;
    struct dirent *entry;
    while ((entry = readdir(listing)))
        if (strstr(entry->d_name, ".types.ts.rpcc-tmp-") == entry->d_name) temporaries++;
    closedir(listing);
    assert_int_equal(temporaries, 1);

    char error[256];
    OutputStats stats;
    assert_true(output_tree_stage(&tree, directory, error, sizeof error));
    assert_null(tree.files[0]->printer.out.data); /* released */
    assert_true(output_tree_write(&tree, directory, &stats, error, sizeof error));
    assert_int_equal(stats.written, 1);
    char *written = read_whole(path);
    assert_non_null(written);
    assert_string_equal(written, text);
    assert_listing(sandbox->root, "sdk/\nsdk/typescript/\nsdk/typescript/types.ts\n");
    free(written);
    output_tree_free(&tree);
    free(text);
}

/* The new bytes are compared with the target's piece by piece: an equal file is left alone (inode and mtime), and
 * a difference anywhere (first piece, a later one, the very end, a longer or shorter file) replaces it with
 * exactly the new bytes, its permission bits kept. */
static void test_unchanged_detection_across_pieces(void **state) {
    Sandbox *sandbox = *state;
    char directory[256], path[256];
    in_sandbox(sandbox, "sdk", directory, sizeof directory);
    in_sandbox(sandbox, "sdk/go/types.go", path, sizeof path);
    const size_t lines = 12000; /* about 540 KB: several pieces */
    char *original = numbered_lines(lines, SIZE_MAX);
    OutputStats stats;
    assert_true(stream_and_write(directory, "go/types.go", original, &stats));
    assert_int_equal(stats.written, 1);
    assert_int_equal(chmod(path, 0640), 0);
    set_old_mtime(path);
    ino_t inode = inode_of(path);

    assert_true(stream_and_write(directory, "go/types.go", original, &stats));
    assert_int_equal(stats.written, 0);
    assert_int_equal(stats.unchanged, 1);
    assert_true(inode_of(path) == inode);
    assert_true(mtime_of(path) == 1000000000);

    size_t changed_lines[] = {0, 1700, 5000, lines - 1};
    for (size_t index = 0; index < sizeof changed_lines / sizeof *changed_lines; index++) {
        char *changed = numbered_lines(lines, changed_lines[index]);
        assert_true(stream_and_write(directory, "go/types.go", changed, &stats));
        assert_int_equal(stats.written, 1);
        char *written = read_whole(path);
        assert_string_equal(written, changed);
        free(written);
        struct stat status;
        assert_int_equal(stat(path, &status), 0);
        assert_int_equal(status.st_mode & 07777, 0640);
        assert_true(stream_and_write(directory, "go/types.go", original, &stats)); /* back */
        assert_int_equal(stats.written, 1);
        free(changed);
    }
    char *longer = numbered_lines(lines + 1, SIZE_MAX), *shorter = numbered_lines(lines - 1, SIZE_MAX);
    char *cut = numbered_lines(lines, SIZE_MAX);
    cut[strlen(cut) - 1] = '\0'; /* one byte shorter, in the same last piece */
    char *texts[] = {longer, original, shorter, original, cut, original};
    for (size_t index = 0; index < sizeof texts / sizeof *texts; index++) {
        assert_true(stream_and_write(directory, "go/types.go", texts[index], &stats));
        assert_int_equal(stats.written, 1);
        char *written = read_whole(path);
        assert_string_equal(written, texts[index]);
        free(written);
    }
    assert_listing(sandbox->root, "sdk/\nsdk/go/\nsdk/go/types.go\n");
    free(longer);
    free(shorter);
    free(cut);
    free(original);
}

/* A run that fails after large files were partly staged (pieces written to temporaries, directories made) leaves
 * the output directory exactly as it was. */
static void test_failure_after_pieces_were_staged(void **state) {
    Sandbox *sandbox = *state;
    char directory[256], path[256];
    in_sandbox(sandbox, "sdk", directory, sizeof directory);
    char *old_text = numbered_lines(10000, SIZE_MAX);
    OutputStats stats;
    assert_true(stream_and_write(directory, "python/models.py", old_text, &stats));
    write_text(in_sandbox(sandbox, "sdk/blocker", path, sizeof path), "a file\n");
    in_sandbox(sandbox, "sdk/python/models.py", path, sizeof path);
    ino_t inode = inode_of(path);

    char *new_text = numbered_lines(10000, 9000); /* differs late: first compared, then copied and written */
    OutputTree tree;
    start_streaming_tree(&tree, directory, "python/models.py", new_text);
    Printer *added = output_tree_add(&tree, "new/deep/huge.txt", "    "); /* makes new/deep/ */
    print_lines(added, new_text);
    Printer *unfinished = output_tree_add(&tree, "new/unfinished.txt", "    "); /* still being printed */
    print_lines(unfinished, old_text);
    char error[512], expected[512];
    add_file(&tree, "blocker/x.txt", "x\n");
    assert_false(output_tree_write(&tree, directory, &stats, error, sizeof error));
    snprintf(expected, sizeof expected, "%s/blocker: Not a directory", directory);
    assert_string_equal(error, expected);
    output_tree_free(&tree);
    assert_listing(sandbox->root, "sdk/\nsdk/blocker\nsdk/python/\nsdk/python/models.py\n");
    char *kept = read_whole(path);
    assert_string_equal(kept, old_text);
    free(kept);
    assert_true(inode_of(path) == inode);

    /* abandoned while files are still being printed (a later backend failed): the same */
    start_streaming_tree(&tree, directory, "python/models.py", new_text);
    added = output_tree_add(&tree, "new/huge.txt", "    ");
    print_lines(added, new_text);
    output_tree_free(&tree);
    assert_listing(sandbox->root, "sdk/\nsdk/blocker\nsdk/python/\nsdk/python/models.py\n");
    free(old_text);
    free(new_text);
}

/* A piece that cannot be staged (its target is a directory) fails the staging: the printer goes on, the failure is
 * reported with its cause by the next output_tree_stage, and nothing is left behind. */
static void test_failure_while_printing_is_reported(void **state) {
    Sandbox *sandbox = *state;
    char directory[256], path[256];
    in_sandbox(sandbox, "sdk", directory, sizeof directory);
    assert_int_equal(mkdir(directory, 0777), 0);
    assert_int_equal(mkdir(in_sandbox(sandbox, "sdk/go", path, sizeof path), 0777), 0);
    assert_int_equal(mkdir(in_sandbox(sandbox, "sdk/go/types.go", path, sizeof path), 0777), 0);
    char *text = numbered_lines(5000, SIZE_MAX);
    OutputTree tree;
    start_streaming_tree(&tree, directory, "go/new/first.go", text); /* makes go/new/, then is undone */
    Printer *printer = output_tree_add(&tree, "go/types.go", "\t");
    print_lines(printer, text);
    char error[512], expected[512];
    assert_false(output_tree_stage(&tree, directory, error, sizeof error));
    snprintf(expected, sizeof expected, "%s/go/types.go: is a directory", directory);
    assert_string_equal(error, expected);
    assert_false(output_tree_stage(&tree, directory, error, sizeof error)); /* the cause is kept */
    assert_string_equal(error, expected);
    output_tree_free(&tree);
    assert_listing(sandbox->root, "sdk/\nsdk/go/\nsdk/go/types.go/\n");
    free(text);
}

/* Trees staged by separate threads (--jobs), each printing large files as it goes, merge into one written
 * together; an abandoned merged tree undoes both. */
static void test_streamed_trees_merge(void **state) {
    Sandbox *sandbox = *state;
    char directory[256], path[256];
    in_sandbox(sandbox, "sdk", directory, sizeof directory);
    char *text = numbered_lines(6000, SIZE_MAX);
    for (int commit = 0; commit < 2; commit++) {
        OutputTree tree, python, go;
        output_tree_init(&tree);
        char error[512];
        assert_true(output_tree_stage(&tree, directory, error, sizeof error));
        start_streaming_tree(&python, directory, "python/models.py", text);
        start_streaming_tree(&go, directory, "go/types.go", text);
        assert_true(output_tree_stage(&python, directory, error, sizeof error));
        assert_true(output_tree_stage(&go, directory, error, sizeof error));
        output_tree_merge(&tree, &python);
        output_tree_merge(&tree, &go);
        Printer *readme = output_tree_add(&tree, "README.md", "  "); /* staged as printed: the tree stages */
        print_lines(readme, text);
        output_tree_free(&python);
        output_tree_free(&go);
        if (!commit) {
            output_tree_free(&tree);
            assert_listing(sandbox->root, ""); /* the output directory too: this run made it */
            continue;
        }
        OutputStats stats;
        assert_true(output_tree_write(&tree, directory, &stats, error, sizeof error));
        assert_int_equal(stats.written, 3);
        output_tree_free(&tree);
    }
    assert_listing(sandbox->root, "sdk/\nsdk/README.md\nsdk/go/\nsdk/go/types.go\nsdk/python/\nsdk/python/models.py\n");
    const char *paths[] = {"sdk/README.md", "sdk/go/types.go", "sdk/python/models.py"};
    for (size_t index = 0; index < 3; index++) {
        char *written = read_whole(in_sandbox(sandbox, paths[index], path, sizeof path));
        assert_string_equal(written, text);
        free(written);
    }
    free(text);
}

#define SANDBOX_TEST(test) cmocka_unit_test_setup_teardown(test, sandbox_setup, sandbox_teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rejects_unsafe_and_duplicate_paths),
        cmocka_unit_test(test_printers_stay_valid_while_files_are_added),
        cmocka_unit_test(test_sorted_paths),
        cmocka_unit_test(test_discarding_tree_keeps_paths_not_text),
        SANDBOX_TEST(test_writes_tree_creating_directories),
        SANDBOX_TEST(test_second_write_touches_nothing),
        SANDBOX_TEST(test_staged_files_release_memory_and_commit_together),
        SANDBOX_TEST(test_replacing_keeps_permission_bits),
        SANDBOX_TEST(test_failure_changes_nothing),
        SANDBOX_TEST(test_failure_after_a_temporary_was_written),
        SANDBOX_TEST(test_target_that_is_a_directory_fails),
        SANDBOX_TEST(test_file_and_directory_conflict_in_tree),
        SANDBOX_TEST(test_unwritable_directory_leaves_no_temporary),
        SANDBOX_TEST(test_error_buffer_is_truncated_safely),
        SANDBOX_TEST(test_empty_tree_creates_directory),
        SANDBOX_TEST(test_large_file_is_staged_while_printed),
        SANDBOX_TEST(test_unchanged_detection_across_pieces),
        SANDBOX_TEST(test_failure_after_pieces_were_staged),
        SANDBOX_TEST(test_failure_while_printing_is_reported),
        SANDBOX_TEST(test_streamed_trees_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
