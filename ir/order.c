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


/* Whether the declarations `type` names are complete: placed before, and not themselves incomplete. A model naming
 * itself is fine (Pydantic resolves a class's own name while it builds the class). Through lists and maps in a
 * loop, without a call per level. */
static bool refs_complete(const Ordering *ordering, const IrType *type, const IrDecl *self) {
    while (type && (type->kind == IR_LIST || type->kind == IR_MAP)) {
        if (type->kind == IR_MAP && !refs_complete(ordering, type->key, self)) return false;
        type = type->element;
    }
    if (!type || type->kind != IR_REF) return true;
    const IrDecl *decl = type->decl;
    return decl == self || (ordering->placed[decl->index] && !decl->defined_incomplete);
}

/* Whether every declaration `decl` names is complete (refs_complete). */
static bool decl_refs_complete(const Ordering *ordering, const IrDecl *decl) {
    switch (decl->kind) {
    case IR_DECL_MODEL:
        for (size_t index = 0; index < decl->field_count; index++)
            if (!refs_complete(ordering, decl->fields[index]->type, decl)) return false;
        return true;
    case IR_DECL_UNION:
        for (size_t index = 0; index < decl->alternative_count; index++)
            if (!refs_complete(ordering, decl->alternatives[index], decl)) return false;
        return true;
    case IR_DECL_ALIAS: return refs_complete(ordering, decl->aliased, decl);
    case IR_DECL_ENUM: return true;
    }
    return true;
}

static void place(Ordering *ordering, IrDecl *decl) {
    ordering->program->definition_order[ordering->count++] = decl;
    ordering->placed[decl->index] = true;
    /* complete unless it names something not placed yet or itself incomplete */
    decl->defined_incomplete = decl->kind != IR_DECL_ENUM && !decl_refs_complete(ordering, decl);
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

/* The declarations whose placement ready() asks about: ready(decl) holds exactly when all of them are placed.
 * Calls `found` for each (repeats possible). */
typedef void (*DepFound)(void *context, const IrDecl *dependency);

static void value_enum_deps(const IrType *type, const IrValue *value, DepFound found, void *context) {
    const IrType *resolved = type ? ir_resolve_alias(type) : NULL;
    if (value->kind == IR_VALUE_ENUM) {
        found(context, value->enum_decl);
        return;
    }
    if (resolved && resolved->kind == IR_REF && resolved->decl->kind == IR_DECL_ENUM &&
        (value->kind == IR_VALUE_STRING || value->kind == IR_VALUE_INT)) {
        found(context, resolved->decl);
        return;
    }
    bool typed = resolved && (resolved->kind == IR_LIST || resolved->kind == IR_MAP);
    for (size_t index = 0; index < value->count; index++) {
        if (value->kind == IR_VALUE_MAP) value_enum_deps(typed ? resolved->key : NULL, value->keys[index], found, context);
        if (value->kind == IR_VALUE_MAP || value->kind == IR_VALUE_LIST)
            value_enum_deps(typed ? resolved->element : NULL, value->items[index], found, context);
    }
}

static void type_deps(const IrType *type, DepFound found, void *context) {
    if (!type) return;
    switch (type->kind) {
    case IR_LIST: type_deps(type->element, found, context); return;
    case IR_MAP:
        type_deps(type->key, found, context);
        type_deps(type->element, found, context);
        return;
    case IR_REF: found(context, type->decl); return;
    default: return;
    }
}

static void ready_deps(const IrDecl *decl, DepFound found, void *context) {
    switch (decl->kind) {
    case IR_DECL_ALIAS: type_deps(decl->aliased, found, context); return;
    case IR_DECL_UNION:
        for (size_t index = 0; index < decl->alternative_count; index++)
            type_deps(decl->alternatives[index], found, context);
        return;
    case IR_DECL_MODEL:
        for (size_t index = 0; index < decl->field_count; index++) {
            const IrField *field = decl->fields[index];
            if (field->default_value) value_enum_deps(field->type, field->default_value, found, context);
        }
        return;
    case IR_DECL_ENUM: return;
    }
}

/* A binary min-heap of declaration indices. */
typedef struct IndexHeap {
    size_t *items;
    size_t count;
} IndexHeap;

static void heap_push(IndexHeap *heap, size_t value) {
    size_t at = heap->count++;
    while (at > 0 && heap->items[(at - 1) / 2] > value) {
        heap->items[at] = heap->items[(at - 1) / 2];
        at = (at - 1) / 2;
    }
    heap->items[at] = value;
}

static size_t heap_pop(IndexHeap *heap) {
    size_t top = heap->items[0], last = heap->items[--heap->count], at = 0;
    for (;;) {
        size_t child = 2 * at + 1;
        if (child >= heap->count) break;
        if (child + 1 < heap->count && heap->items[child + 1] < heap->items[child]) child++;
        if (heap->items[child] >= last) break;
        heap->items[at] = heap->items[child];
        at = child;
    }
    if (heap->count) heap->items[at] = last;
    return top;
}

/* The waiting declarations: each counts the placements it still waits for, and each declaration lists the
 * waiting ones that wait for it. */
typedef struct Waiting {
    Ordering *ordering;
    size_t *unplaced;   /* by index: placements still awaited (0 for a declaration that does not wait) */
    size_t **waiters;   /* by index: the waiting declarations that wait for it */
    size_t *waiter_count, *waiter_space;
    size_t registering; /* the declaration whose dependencies are being counted */
    /* The emulated scan: this pass's ready declarations ahead of the cursor, and those behind it for the next. */
    IndexHeap this_pass, next_pass;
    size_t cursor;      /* the index just placed in this pass, or SIZE_MAX before the first */
} Waiting;

static void register_dependency(void *context, const IrDecl *dependency) {
    Waiting *waiting = context;
    size_t on = dependency->index;
    if (waiting->ordering->placed[on]) return;
    if (waiting->waiter_count[on] == waiting->waiter_space[on]) {
        waiting->waiter_space[on] = waiting->waiter_space[on] ? waiting->waiter_space[on] * 2 : 2;
        waiting->waiters[on] = realloc(waiting->waiters[on], waiting->waiter_space[on] * sizeof(size_t));
        if (!waiting->waiters[on]) abort();
    }
    waiting->waiters[on][waiting->waiter_count[on]++] = waiting->registering;
    waiting->unplaced[waiting->registering]++;
}

/* Places `decl` and queues the waiting declarations that it makes ready: ahead of the cursor for this pass,
 * behind it for the next. */
static void place_and_release(Waiting *waiting, IrDecl *decl) {
    place(waiting->ordering, decl);
    size_t index = decl->index;
    for (size_t w = 0; w < waiting->waiter_count[index]; w++) {
        size_t waiter = waiting->waiters[index][w];
        if (--waiting->unplaced[waiter] > 0) continue;
        if (waiting->cursor == (size_t)-1 || waiter > waiting->cursor) heap_push(&waiting->this_pass, waiter);
        else heap_push(&waiting->next_pass, waiter);
    }
}

/* Every declaration in source order, except that one that is not ready yet waits until it is. After each
 * placement from source order, the waiting declarations are scanned in source order, again and again while a
 * scan places one; each is placed when it is ready as the scan reaches it. That scan is emulated with counts of
 * awaited placements and two heaps (the ready ones ahead of the cursor, and those behind it for the next scan),
 * so that a long chain written backwards (`type A0 = A1; type A1 = A2; ...`) costs n log n, not n squared. */
void ir_order_definitions(IrProgram *program, Arena *arena) {
    size_t count = program->decl_count;
    Ordering ordering = {program, calloc(count + 1, sizeof(bool)), 0};
    program->definition_order = ARENA_ARRAY(arena, IrDecl *, count + 1);
    Waiting waiting = {
        .ordering = &ordering,
        .unplaced = calloc(count + 1, sizeof(size_t)),
        .waiters = calloc(count + 1, sizeof(size_t *)),
        .waiter_count = calloc(count + 1, sizeof(size_t)),
        .waiter_space = calloc(count + 1, sizeof(size_t)),
        .this_pass = {calloc(count + 1, sizeof(size_t)), 0},
        .next_pass = {calloc(count + 1, sizeof(size_t)), 0},
        .cursor = (size_t)-1,
    };
    size_t *waited = calloc(count + 1, sizeof(size_t)); /* the declarations that waited, in source order */
    if (!ordering.placed || !waiting.unplaced || !waiting.waiters || !waiting.waiter_count || !waiting.waiter_space ||
        !waiting.this_pass.items || !waiting.next_pass.items || !waited)
        abort();
    size_t waited_count = 0;
    for (size_t index = 0; index < count; index++) {
        IrDecl *decl = program->decls[index];
        if (!ready(&ordering, decl)) {
            waiting.registering = index;
            ready_deps(decl, register_dependency, &waiting);
            waited[waited_count++] = index;
            continue;
        }
        waiting.cursor = (size_t)-1; /* a fresh scan of the waiting ones */
        place_and_release(&waiting, decl);
        for (;;) {
            if (!waiting.this_pass.count) {
                if (!waiting.next_pass.count) break;
                IndexHeap next = waiting.next_pass; /* the scan starts again from the first */
                waiting.next_pass = waiting.this_pass;
                waiting.this_pass = next;
                waiting.cursor = (size_t)-1;
            }
            size_t ready_index = heap_pop(&waiting.this_pass);
            waiting.cursor = ready_index;
            place_and_release(&waiting, program->decls[ready_index]);
        }
    }
    /* Only a cycle through aliases and unions is left here, which check_types rejects; place it anyway. */
    for (size_t i = 0; i < waited_count; i++)
        if (!ordering.placed[waited[i]]) place(&ordering, program->decls[waited[i]]);
    for (size_t i = 0; i < count; i++) free(waiting.waiters[i]);
    free(waiting.waiters);
    free(waiting.unplaced);
    free(waiting.waiter_count);
    free(waiting.waiter_space);
    free(waiting.this_pass.items);
    free(waiting.next_pass.items);
    free(waited);
    free(ordering.placed);
}
