/* Recursion: a model whose required fields lead back to itself with nothing to end the chain ('| null', '?', a
 * default, a list, a map, or a union with a buildable alternative) has no finite value. Found by a fixpoint:
 * mark what can be built until nothing changes; what is left cannot. Also sets IrDecl.recursive for models that
 * reach themselves by any path (backends need forward references for those). */
#include <string.h>

#include "passes.h"

/* Can a value of `type` be built, given which models are known buildable so far? */
static bool buildable(const IrType *type, int depth) {
    if (!type || type->nullable || depth > 200) return true;
    if (type->kind != IR_REF) return true; /* scalars, literals, lists and maps (empty) */
    const IrDecl *decl = type->decl;
    switch (decl->kind) {
    case IR_DECL_ENUM: return true;
    case IR_DECL_MODEL: return decl->recursive; /* (re)used as the "buildable" mark during the fixpoint */
    case IR_DECL_ALIAS: return buildable(decl->aliased, depth + 1);
    case IR_DECL_UNION:
        for (size_t i = 0; i < decl->alternative_count; i++)
            if (buildable(decl->alternatives[i], depth + 1)) return true;
        return decl->alternative_count == 0;
    }
    return true;
}

static bool field_needs_value(const IrField *field) { return !field->optional && !field->default_value; }

/* The first required field of `model` whose type cannot be built: the link to show in the message. */
static const IrField *blocking_field(const IrDecl *model) {
    for (size_t i = 0; i < model->field_count; i++)
        if (field_needs_value(model->fields[i]) && !buildable(model->fields[i]->type, 0)) return model->fields[i];
    return NULL;
}

/* Does `type` mention `target` anywhere (through containers, aliases, unions and other models)? */
static bool mentions(const IrType *type, const IrDecl *target, const IrDecl **visited, size_t *visited_count,
                     size_t capacity);

static bool decl_mentions(const IrDecl *decl, const IrDecl *target, const IrDecl **visited, size_t *visited_count,
                          size_t capacity) {
    if (decl == target) return true;
    for (size_t i = 0; i < *visited_count; i++)
        if (visited[i] == decl) return false;
    if (*visited_count == capacity) return false;
    visited[(*visited_count)++] = decl;
    for (size_t i = 0; i < decl->field_count; i++)
        if (mentions(decl->fields[i]->type, target, visited, visited_count, capacity)) return true;
    for (size_t i = 0; i < decl->alternative_count; i++)
        if (mentions(decl->alternatives[i], target, visited, visited_count, capacity)) return true;
    if (decl->kind == IR_DECL_ALIAS) return mentions(decl->aliased, target, visited, visited_count, capacity);
    return false;
}

static bool mentions(const IrType *type, const IrDecl *target, const IrDecl **visited, size_t *visited_count,
                     size_t capacity) {
    if (!type) return false;
    switch (type->kind) {
    case IR_LIST: return mentions(type->element, target, visited, visited_count, capacity);
    case IR_MAP:
        return mentions(type->key, target, visited, visited_count, capacity) ||
               mentions(type->element, target, visited, visited_count, capacity);
    case IR_REF: return decl_mentions(type->decl, target, visited, visited_count, capacity);
    default: return false;
    }
}

void ir_check_recursion(IrProgram *program, Diagnostics *diags) {
    for (size_t d = 0; d < program->decl_count; d++) program->decls[d]->recursive = false;
    bool changed = true;
    while (changed) {
        changed = false;
        for (size_t d = 0; d < program->decl_count; d++) {
            IrDecl *decl = program->decls[d];
            if (decl->kind != IR_DECL_MODEL || decl->recursive) continue;
            if (!blocking_field(decl)) {
                decl->recursive = true;
                changed = true;
            }
        }
    }
    for (size_t d = 0; d < program->decl_count; d++) {
        const IrDecl *decl = program->decls[d];
        if (decl->kind != IR_DECL_MODEL || decl->recursive) continue;
        const IrField *field = blocking_field(decl);
        Diagnostic *diagnostic = diag_error(diags, decl->span,
                                            "model '%s' has no finite value: its required fields lead back to it",
                                            decl->name);
        if (field)
            diag_note(diags, diagnostic, field->span,
                      "'%s.%s' is required; make it '| null', '?', give it a default, or use a list", decl->name,
                      field->name);
    }

    /* Now compute the real meaning of `recursive`. */
    size_t capacity = program->decl_count + 1;
    Arena scratch;
    arena_init(&scratch);
    const IrDecl **visited = ARENA_ARRAY(&scratch, const IrDecl *, capacity);
    for (size_t d = 0; d < program->decl_count; d++) {
        IrDecl *decl = program->decls[d];
        if (decl->kind != IR_DECL_MODEL) {
            decl->recursive = false;
            continue;
        }
        bool recursive = false;
        for (size_t i = 0; i < decl->field_count && !recursive; i++) {
            size_t visited_count = 0;
            recursive = mentions(decl->fields[i]->type, decl, visited, &visited_count, capacity);
        }
        decl->recursive = recursive;
    }
    arena_free(&scratch);
}
