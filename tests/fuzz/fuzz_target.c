/* libFuzzer targets for rpcc (mk/fuzz.mk builds them with clang, ASan and UBSan):
 *   fuzz_check     (FUZZ_GENERATE 0): the input as a .rpc file through the front end and every IR pass, as
 *                  `rpcc --check` runs them;
 *   fuzz_generate  (FUZZ_GENERATE 1): the same, then every backend and the overview into an in-memory output
 *                  tree (backends/output.h: nothing touches the disk), twice.
 * Invariants, checked on every input (a violation aborts, which libFuzzer reports as a crash with the input):
 *   - check and generation agree: when the checks accept a program, every backend succeeds (a backend that refuses
 *     a checked program is what made `rpcc F -o out` exit 2 after `rpcc --check F` said 0);
 *   - generation is deterministic: a second compilation and generation of the same input prints the same files,
 *     byte for byte;
 *   - a refused input never reaches a backend, so a failing run has nothing to write (the CLI writes only a complete
 *     tree; check_sdks.py checks that on disk for every program of the differential check).
 * Crashes, leaks (LeakSanitizer), undefined behaviour, timeouts and memory blow-ups are libFuzzer's own reports.
 * Imports resolve relative to a directory that does not exist, so an input never reads files. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"
#include "backends/output.h"
#include "backends/overview.h"
#include "frontend/load.h"
#include "ir/passes.h"

#ifndef FUZZ_GENERATE
#define FUZZ_GENERATE 0
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *diagnostics_sink(void) {
    static FILE *sink;
    if (!sink) sink = fopen("/dev/null", "w");
    if (!sink) abort();
    return sink;
}

static void violated(const char *invariant) {
    fprintf(stderr, "fuzz: invariant violated: %s\n", invariant);
    abort();
}

typedef struct Run {
    Arena arena;
    Diagnostics diags;
    LoadedProgram loaded;
    IrProgram *program;
    OutputTree tree;
    bool generated;
} Run;

static void compile(Run *run, const uint8_t *data, size_t size) {
    memset(run, 0, sizeof *run);
    arena_init(&run->arena);
    diag_init(&run->diags, diagnostics_sink(), DIAG_FORMAT_TEXT, false);
    run->diags.max_errors = 0; /* every diagnostic: the reporting paths are fuzzed too */
    LoadOptions options = {NULL, 0};
    SourceFile *file = source_from_bytes("/nonexistent-rpcc-fuzz/input.rpc", (const char *)data, size);
    load_program(file, &options, &run->arena, &run->diags, &run->loaded);
    if (run->diags.error_count == 0) run->program = ir_compile(&run->loaded, &run->arena, &run->diags);
    const bool all_targets[TARGET_COUNT] = {true, true, true};
    if (run->program && !ir_check_targets(run->program, all_targets, &run->diags)) run->program = NULL;
    diag_flush(&run->diags);
    if (run->program && run->diags.error_count) violated("a program was returned with errors");
    if (!run->program && run->diags.error_count == 0) violated("a program was refused without an error");
}

static void generate(Run *run) {
    output_tree_init(&run->tree);
    run->generated = true;
    if (!run->program) return; /* a refused input reaches no backend: nothing to write */
    BackendOptions options = {
        .input_name = "input.rpc",
        .rpcc_version = "0.1.0",
        .go_module = "input",
        .go_websocket = "github.com/coder/websocket",
        .package_name = "input",
    };
    bool targets[TARGET_COUNT];
    for (int t = 0; t < TARGET_COUNT; t++) {
        targets[t] = true;
        const Backend *backend = backend_for((Target)t);
        if (!backend) violated("a target has no backend");
        if (!backend->emit(run->program, &options, &run->tree))
            violated("the checks accepted a program that a backend refused");
    }
    overview_emit(run->program, &options, targets, &run->tree);
}

static void finish(Run *run) {
    if (run->generated) output_tree_free(&run->tree);
    load_program_free(&run->loaded);
    diag_free(&run->diags);
    arena_free(&run->arena);
}

static void expect_same_output(const Run *first, const Run *second) {
    if (first->tree.count != second->tree.count) violated("two generations printed different file lists");
    for (size_t i = 0; i < first->tree.count; i++) {
        const OutputFile *a = first->tree.files[i], *b = second->tree.files[i];
        if (strcmp(a->relative_path, b->relative_path) != 0) violated("two generations printed different paths");
        if (a->printer.out.len != b->printer.out.len ||
            memcmp(strbuf_cstr(&a->printer.out), strbuf_cstr(&b->printer.out), a->printer.out.len) != 0)
            violated("two generations printed different bytes");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Run first;
    compile(&first, data, size);
#if FUZZ_GENERATE
    generate(&first);
    if (first.program) {
        Run second;
        compile(&second, data, size);
        if (!second.program) violated("a second compilation of the same input refused it");
        generate(&second);
        expect_same_output(&first, &second);
        finish(&second);
    }
#endif
    finish(&first);
    return 0;
}
