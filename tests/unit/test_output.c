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

#define SANDBOX_TEST(test) cmocka_unit_test_setup_teardown(test, sandbox_setup, sandbox_teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rejects_unsafe_and_duplicate_paths),
        cmocka_unit_test(test_printers_stay_valid_while_files_are_added),
        cmocka_unit_test(test_sorted_paths),
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
