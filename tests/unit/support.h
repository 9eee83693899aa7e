/* Helpers shared by the front-end and IR unit tests: compile text in memory and look at what came out. */
#ifndef RPCC_TEST_SUPPORT_H
#define RPCC_TEST_SUPPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/load.h"
#include "frontend/parse.h"
#include "ir/passes.h"

typedef struct Compiled {
    Arena arena;
    Diagnostics diags;
    LoadedProgram loaded;
    IrProgram *program; /* NULL when there were errors */
    char *messages;     /* every diagnostic as printed (text format), for assertions */
    size_t messages_size;
    FILE *sink;
} Compiled;

/* Compiles `text` as the file `path` (imports resolve relative to it). Never fails: see diags and program. */
static inline void compile_text(Compiled *compiled, const char *path, const char *text) {
    memset(compiled, 0, sizeof *compiled);
    arena_init(&compiled->arena);
    compiled->sink = open_memstream(&compiled->messages, &compiled->messages_size);
    diag_init(&compiled->diags, compiled->sink, DIAG_FORMAT_TEXT, false);
    LoadOptions options = {NULL, 0};
    load_program(source_from_bytes(path, text, strlen(text)), &options, &compiled->arena, &compiled->diags,
                 &compiled->loaded);
    if (compiled->diags.error_count == 0) compiled->program = ir_compile(&compiled->loaded, &compiled->arena, &compiled->diags);
    diag_flush(&compiled->diags);
    fflush(compiled->sink);
}

static inline void compiled_free(Compiled *compiled) {
    load_program_free(&compiled->loaded);
    diag_free(&compiled->diags);
    arena_free(&compiled->arena);
    fclose(compiled->sink);
    free(compiled->messages);
}

static inline IrDecl *find_decl(const IrProgram *program, const char *name) {
    for (size_t i = 0; i < program->decl_count; i++)
        if (strcmp(program->decls[i]->name, name) == 0) return program->decls[i];
    return NULL;
}

static inline IrField *find_field(const IrDecl *decl, const char *name) {
    for (size_t i = 0; i < decl->field_count; i++)
        if (strcmp(decl->fields[i]->name, name) == 0) return decl->fields[i];
    return NULL;
}

/* Asserts that compiling `text` gives errors and that the messages contain `needle`. */
#define assert_compile_error(text, needle)                                                                           \
    do {                                                                                                             \
        Compiled compiled_;                                                                                          \
        compile_text(&compiled_, "t.rpc", (text));                                                                   \
        if (compiled_.diags.error_count == 0 || !strstr(compiled_.messages, (needle)))                               \
            fail_msg("expected an error containing \"%s\", got:\n%s", (needle), compiled_.messages);                \
        compiled_free(&compiled_);                                                                                   \
    } while (0)

#define assert_compiles(compiled, text)                                                                              \
    do {                                                                                                             \
        compile_text((compiled), "t.rpc", (text));                                                                   \
        if (!(compiled)->program) fail_msg("expected a clean compile, got:\n%s", (compiled)->messages);             \
    } while (0)

#endif
