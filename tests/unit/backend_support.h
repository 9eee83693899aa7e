/* The harness the backend unit tests share: compile a small .rpc text through the front end and the IR passes,
 * run one backend into an in-memory output tree, and look at the printed files. Include after <cmocka.h>. */
#ifndef RPCC_TEST_BACKEND_SUPPORT_H
#define RPCC_TEST_BACKEND_SUPPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"
#include "backends/output.h"
#include "frontend/load.h"
#include "ir/passes.h"

typedef struct Generated {
    OutputTree tree;
    bool ok;
} Generated;

/* Compiles `source` as the file `name` and runs `backend` with `options` (input_name is set to `name`).
 * Fails the test on input errors. */
static inline Generated *generate_by(const Backend *backend, const char *name, const char *source,
                                     BackendOptions options) {
    Arena arena;
    arena_init(&arena);
    Diagnostics diags;
    diag_init(&diags, stderr, DIAG_FORMAT_TEXT, false);
    SourceFile *file = source_from_bytes(name, source, strlen(source));
    LoadOptions load_options = {NULL, 0};
    LoadedProgram loaded = {0};
    load_program(file, &load_options, &arena, &diags, &loaded);
    IrProgram *program = diags.error_count == 0 ? ir_compile(&loaded, &arena, &diags) : NULL;
    diag_flush(&diags);
    assert_non_null(program);
    Generated *generated = calloc(1, sizeof *generated);
    assert_non_null(generated);
    output_tree_init(&generated->tree);
    options.input_name = name;
    generated->ok = backend->emit(program, &options, &generated->tree);
    load_program_free(&loaded);
    diag_free(&diags);
    arena_free(&arena);
    return generated;
}

/* The options the tests use unless they need others. */
static inline BackendOptions default_backend_options(void) {
    BackendOptions options = {
        .input_name = "demo.rpc",
        .rpcc_version = "0.1.0",
        .go_module = "example",
        .go_websocket = "github.com/coder/websocket",
        .package_name = "demo",
    };
    return options;
}

static inline void generated_free(Generated *generated) {
    output_tree_free(&generated->tree);
    free(generated);
}

static inline const char *file_text(Generated *generated, const char *path) {
    for (size_t i = 0; i < generated->tree.count; i++) {
        if (strcmp(generated->tree.files[i]->relative_path, path) == 0) {
            return strbuf_cstr(&generated->tree.files[i]->printer.out);
        }
    }
    fail_msg("no file %s in the output", path);
    return NULL;
}

/* Asserts that `needle` occurs in the file, printing the file when it does not. */
static inline void expect_in(Generated *generated, const char *path, const char *needle) {
    const char *text = file_text(generated, path);
    if (!strstr(text, needle)) fail_msg("%s lacks:\n%s\n--- %s ---\n%s", path, needle, path, text);
}

static inline void expect_not_in(Generated *generated, const char *path, const char *needle) {
    const char *text = file_text(generated, path);
    if (strstr(text, needle)) fail_msg("%s must not contain:\n%s\n--- %s ---\n%s", path, needle, path, text);
}

/* Asserts that `first` occurs in the file before `second`. */
static inline void expect_before(Generated *generated, const char *path, const char *first, const char *second) {
    const char *text = file_text(generated, path);
    const char *a = strstr(text, first), *b = strstr(text, second);
    if (!a || !b || a >= b) fail_msg("%s: expected\n%s\nbefore\n%s\n--- %s ---\n%s", path, first, second, path, text);
}

#endif
