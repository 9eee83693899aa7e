/* IrProgram.definition_order and IrDecl.defined_incomplete: the order in which a language that evaluates type
 * definitions at once (Python: module-level aliases and unions, class bodies with their defaults) can define
 * every declaration, and which ones name something that is not complete yet at that point. */
#include <stdlib.h>

#include "passes.h"

typedef struct Ordering {
    IrProgram *program;
    bool *placed; /* by IrDecl.index */
    size_t count;
} Ordering;

typedef bool (*RefVisitor)(const Ordering *ordering, const IrDecl *decl, const void *context);

/* Calls `visit` for every declaration `type` names (not looking into the named declarations). Stops and returns
 * false as soon as a visit returns false. */
static bool visit_refs(const Ordering *ordering, const IrType *type, RefVisitor visit, const void *context) {
    if (!type) return true;
    switch (type->kind) {
    case IR_LIST: return visit_refs(ordering, type->element, visit, context);
    case IR_MAP:
        return visit_refs(ordering, type->key, visit, context) && visit_refs(ordering, type->element, visit, context);
    case IR_REF: return visit(ordering, type->decl, context);
    default: return true;
    }
}

static bool visit_decl_refs(const Ordering *ordering, const IrDecl *decl, RefVisitor visit, const void *context) {
    switch (decl->kind) {
    case IR_DECL_MODEL:
        for (size_t index = 0; index < decl->field_count; index++) {
            if (!visit_refs(ordering, decl->fields[index]->type, visit, context)) return false;
        }
        return true;
    case IR_DECL_UNION:
        for (size_t index = 0; index < decl->alternative_count; index++) {
            if (!visit_refs(ordering, decl->alternatives[index], visit, context)) return false;
        }
        return true;
    case IR_DECL_ALIAS: return visit_refs(ordering, decl->aliased, visit, context);
    case IR_DECL_ENUM: return true;
    }
    return true;
}

static bool ref_is_placed(const Ordering *ordering, const IrDecl *decl, const void *context) {
    (void)context;
    return ordering->placed[decl->index];
}

/* Complete: placed before, and not itself incomplete. A model naming itself is fine (Pydantic resolves a class's
 * own name while it builds the class). */
static bool ref_is_complete(const Ordering *ordering, const IrDecl *decl, const void *context) {
    if (decl == context) return true;
    return ordering->placed[decl->index] && !decl->defined_incomplete;
}

static void place(Ordering *ordering, IrDecl *decl) {
    ordering->program->definition_order[ordering->count++] = decl;
    ordering->placed[decl->index] = true;
    /* complete unless it names something not placed yet or itself incomplete */
    decl->defined_incomplete =
        decl->kind != IR_DECL_ENUM && !visit_decl_refs(ordering, decl, ref_is_complete, decl);
}

/* True when every enum a default value names (a member, or a key or element of an enum type) is placed: class
 * bodies evaluate their defaults when the class is created. */
static bool value_enums_placed(const Ordering *ordering, const IrType *type, const IrValue *value) {
    const IrType *resolved = type ? ir_resolve_alias(type) : NULL;
    if (value->kind == IR_VALUE_ENUM) return ordering->placed[value->enum_decl->index];
    if (resolved && resolved->kind == IR_REF && resolved->decl->kind == IR_DECL_ENUM &&
        (value->kind == IR_VALUE_STRING || value->kind == IR_VALUE_INT))
        return ordering->placed[resolved->decl->index];
    bool typed = resolved && (resolved->kind == IR_LIST || resolved->kind == IR_MAP);
    for (size_t index = 0; index < value->count; index++) {
        if (value->kind == IR_VALUE_MAP &&
            !value_enums_placed(ordering, typed ? resolved->key : NULL, value->keys[index]))
            return false;
        if ((value->kind == IR_VALUE_MAP || value->kind == IR_VALUE_LIST) &&
            !value_enums_placed(ordering, typed ? resolved->element : NULL, value->items[index]))
            return false;
    }
    return true;
}

/* True when `decl` can be defined now: an alias or union once all it names exists (it is evaluated at once), a
 * model once the enums its defaults name exist. */
static bool ready(const Ordering *ordering, const IrDecl *decl) {
    switch (decl->kind) {
    case IR_DECL_ALIAS:
    case IR_DECL_UNION: return visit_decl_refs(ordering, decl, ref_is_placed, NULL);
    case IR_DECL_MODEL:
        for (size_t index = 0; index < decl->field_count; index++) {
            const IrField *field = decl->fields[index];
            if (field->default_value && !value_enums_placed(ordering, field->type, field->default_value)) return false;
        }
        return true;
    case IR_DECL_ENUM: return true;
    }
    return true;
}

/* Every declaration in source order, except that one that is not ready yet waits until it is. */
void ir_order_definitions(IrProgram *program, Arena *arena) {
    Ordering ordering = {program, calloc(program->decl_count + 1, sizeof(bool)), 0};
    program->definition_order = ARENA_ARRAY(arena, IrDecl *, program->decl_count + 1);
    /* The declarations still waiting, in source order; only they are looked at again after each placement, so
     * that the common case (nothing waits) stays linear. */
    size_t *waiting = calloc(program->decl_count + 1, sizeof *waiting);
    if (!ordering.placed || !waiting) abort();
    size_t waiting_count = 0;
    for (size_t index = 0; index < program->decl_count; index++) {
        IrDecl *decl = program->decls[index];
        if (!ready(&ordering, decl)) {
            waiting[waiting_count++] = index;
            continue;
        }
        place(&ordering, decl);
        for (bool progress = waiting_count > 0; progress;) {
            progress = false;
            size_t kept = 0;
            for (size_t i = 0; i < waiting_count; i++) {
                IrDecl *other = program->decls[waiting[i]];
                if (!ready(&ordering, other)) {
                    waiting[kept++] = waiting[i];
                    continue;
                }
                place(&ordering, other);
                progress = true;
            }
            waiting_count = kept;
        }
    }
    /* Only a cycle through aliases and unions is left here, which check_types rejects; place it anyway. */
    for (size_t i = 0; i < waiting_count; i++) place(&ordering, program->decls[waiting[i]]);
    free(waiting);
    free(ordering.placed);
}
