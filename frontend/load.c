#include "load.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "parse.h"

typedef struct Loader {
    const LoadOptions *options;
    Arena *arena;
    Diagnostics *diags;
    LoadedProgram *program;
    PtrVec all;   /* every LoadedFile, for identity look-ups */
    PtrVec stack; /* files being loaded, outermost first: the import chain, for cycle messages */
} Loader;

static void set_identity(LoadedFile *file, const char *path) {
    struct stat info;
    if (stat(path, &info) == 0) {
        file->device = (unsigned long long)info.st_dev;
        file->inode = (unsigned long long)info.st_ino;
        file->has_identity = true;
    }
}

static LoadedFile *find_loaded(Loader *loader, const char *path) {
    struct stat info;
    if (stat(path, &info) != 0) return NULL;
    for (size_t i = 0; i < loader->all.count; i++) {
        LoadedFile *file = loader->all.items[i];
        if (file->has_identity && file->device == (unsigned long long)info.st_dev &&
            file->inode == (unsigned long long)info.st_ino)
            return file;
    }
    return NULL;
}

static bool is_regular_file(const char *path) {
    struct stat info;
    return stat(path, &info) == 0 && S_ISREG(info.st_mode);
}

/* "dir/of/importer.rpc" + "x.rpc" -> "dir/of/x.rpc"; paths stay as the user wrote them (no realpath), so that
 * diagnostics show familiar names. */
static char *join_path(Arena *arena, const char *base_file, const char *relative) {
    if (relative[0] == '/') return arena_strdup(arena, relative);
    const char *slash = strrchr(base_file, '/');
    if (!slash) return arena_strdup(arena, relative);
    return arena_printf(arena, "%.*s/%s", (int)(slash - base_file), base_file, relative);
}

static char *join_dir(Arena *arena, const char *dir, const char *relative) {
    if (relative[0] == '/') return arena_strdup(arena, relative);
    size_t length = strlen(dir);
    while (length > 1 && dir[length - 1] == '/') length--;
    return arena_printf(arena, "%.*s/%s", (int)length, dir, relative);
}

static void program_append(LoadedProgram *program, LoadedFile *file) {
    if (program->count == program->capacity) {
        program->capacity = program->capacity ? program->capacity * 2 : 8;
        LoadedFile **files = realloc(program->files, program->capacity * sizeof *files);
        if (!files) {
            fputs("rpcc: out of memory\n", stderr);
            abort();
        }
        program->files = files;
    }
    file->index = program->count;
    program->files[program->count++] = file;
}

static LoadedFile *new_loaded_file(Loader *loader, SourceFile *source) {
    LoadedProgram *program = loader->program;
    SourceFile **sources = realloc(program->sources, (program->source_count + 1) * sizeof *sources);
    if (!sources) {
        fputs("rpcc: out of memory\n", stderr);
        abort();
    }
    program->sources = sources;
    program->sources[program->source_count++] = source;
    LoadedFile *file = ARENA_NEW(loader->arena, LoadedFile);
    file->source = source;
    ptrvec_push(loader->arena, &loader->all, file);
    return file;
}

static void load_file(Loader *loader, LoadedFile *file);

static void report_cycle(Loader *loader, const AstImport *import, const LoadedFile *target) {
    /* The chain: target ... importer, then back to target. */
    size_t start = 0;
    while (start < loader->stack.count && loader->stack.items[start] != target) start++;
    char chain[2048] = "";
    size_t used = 0;
    for (size_t i = start; i < loader->stack.count; i++) {
        const LoadedFile *file = loader->stack.items[i];
        int written = snprintf(chain + used, sizeof chain - used, "%s -> ", file->source->path);
        if (written < 0 || (size_t)written >= sizeof chain - used) break;
        used += (size_t)written;
    }
    snprintf(chain + used, sizeof chain - used, "%s", target->source->path);
    diag_error(loader->diags, import->span, "import cycle: %s", chain);
    loader->program->incomplete = true;
}

static void load_import(Loader *loader, LoadedFile *importer, const AstImport *import) {
    const char *importer_path = importer->source->path;
    char *candidate = join_path(loader->arena, importer_path, import->path);
    char *found = is_regular_file(candidate) ? candidate : NULL;
    for (size_t i = 0; !found && import->path[0] != '/' && i < loader->options->include_dir_count; i++) {
        char *path = join_dir(loader->arena, loader->options->include_dirs[i], import->path);
        if (is_regular_file(path)) found = path;
    }
    if (!found) {
        Diagnostic *diagnostic = diag_error(loader->diags, import->span, "cannot find imported file '%s'", import->path);
        char *searched = arena_printf(loader->arena, "looked for '%s'", candidate);
        for (size_t i = 0; import->path[0] != '/' && i < loader->options->include_dir_count; i++)
            searched = arena_printf(loader->arena, "%s, '%s'", searched,
                                    join_dir(loader->arena, loader->options->include_dirs[i], import->path));
        diag_note(loader->diags, diagnostic, import->span, "%s", searched);
        loader->program->incomplete = true;
        return;
    }

    LoadedFile *target = find_loaded(loader, found);
    if (!target) {
        SourceFile *source = source_read(found);
        if (!source) {
            diag_error(loader->diags, import->span, "cannot read imported file '%s': %s", found, strerror(errno));
            loader->program->incomplete = true;
            return;
        }
        target = new_loaded_file(loader, source);
        set_identity(target, found);
    }
    if (target->state == 1) {
        report_cycle(loader, import, target);
        return;
    }
    for (size_t i = 0; i < importer->import_count; i++) {
        if (importer->imports[i] == target) {
            diag_warning(loader->diags, import->span, "'%s' is imported twice", import->path);
            return;
        }
    }
    if (target->state == 0) load_file(loader, target);
    LoadedFile **imports = ARENA_ARRAY(loader->arena, LoadedFile *, importer->import_count + 1);
    if (importer->import_count) memcpy(imports, importer->imports, importer->import_count * sizeof *imports);
    imports[importer->import_count++] = target;
    importer->imports = imports;
}

static void load_file(Loader *loader, LoadedFile *file) {
    file->state = 1;
    ptrvec_push(loader->arena, &loader->stack, file);
    file->ast = parse_file(file->source, loader->arena, loader->diags);
    if (file->ast->unusable) loader->program->incomplete = true;
    for (size_t i = 0; i < file->ast->imports.count; i++) load_import(loader, file, file->ast->imports.items[i]);
    loader->stack.count--;
    file->state = 2;
    program_append(loader->program, file);
}

void load_program(SourceFile *main_source, const LoadOptions *options, Arena *arena, Diagnostics *diags,
                  LoadedProgram *program) {
    memset(program, 0, sizeof *program);
    Loader loader = {options, arena, diags, program, {0}, {0}};
    LoadedFile *main_file = new_loaded_file(&loader, main_source);
    set_identity(main_file, main_source->path);
    load_file(&loader, main_file);
}

void load_program_free(LoadedProgram *program) {
    for (size_t i = 0; i < program->source_count; i++) source_free(program->sources[i]);
    free(program->sources);
    free(program->files);
    memset(program, 0, sizeof *program);
}
