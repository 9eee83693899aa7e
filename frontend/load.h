/* Loading a program: the main file and, transitively, every file it imports, each parsed once. */
#ifndef RPCC_LOAD_H
#define RPCC_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"
#include "diag.h"

typedef struct LoadedFile LoadedFile;
struct LoadedFile {
    SourceFile *source; /* heap-owned by the LoadedProgram */
    AstFile *ast;
    LoadedFile **imports; /* direct imports that were found, in order */
    size_t import_count;
    size_t index;         /* position in LoadedProgram.files */
    /* identity, to load a file once however it is named */
    unsigned long long device, inode;
    bool has_identity;
    int state; /* loader bookkeeping: 0 new, 1 loading (on the import stack), 2 done */
};

typedef struct LoadedProgram {
    LoadedFile **files; /* dependency order: a file comes after everything it imports; main file last */
    size_t count;
    size_t capacity;
    /* Every source read, on the heap: they outlive the arena holding the ASTs and LoadedFiles (spans in the IR
     * and in diagnostics point into them), and load_program_free releases them. */
    SourceFile **sources;
    size_t source_count;
    /* An import was not loaded (missing, unreadable, cyclic) or a file could not be parsed at all: checking the
     * meaning of the rest would report every name those files declare as unknown. Syntax errors alone leave the
     * program checkable (the declarations that parsed are checked). */
    bool incomplete;
} LoadedProgram;

typedef struct LoadOptions {
    const char *const *include_dirs; /* -I, tried in order after the importing file's directory */
    size_t include_dir_count;
} LoadOptions;

/* Loads `main_source` (taken over by the program) and its imports. Problems in the input (syntax, missing or
 * cyclic imports) are diagnostics; the result is always usable for further checking. */
void load_program(SourceFile *main_source, const LoadOptions *options, Arena *arena, Diagnostics *diags,
                  LoadedProgram *program);
/* Frees the sources and the file list; the LoadedFiles and ASTs are in the arena given to load_program. */
void load_program_free(LoadedProgram *program);

#endif
