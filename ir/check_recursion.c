/* Recursion. A model whose required fields lead back to itself with nothing to end the chain ('| null', '?', a
 * default, a list, a map, or a union with a buildable alternative) has no finite value: an error. Found as
 * Horn-clause propagation in linear time: a model is buildable once all its required dependencies are, a union once
 * any alternative is, an alias once its target is.
 * IrDecl.recursive marks models that reach themselves by any path (backends need forward references for them):
 * the models in a strongly connected component of more than one declaration, or with an edge to themselves. */
#include <stdlib.h>
#include <string.h>

#include "decl_graph.h"
#include "passes.h"

/* The declaration a value of `type` needs to exist, or NULL when it can always be built (null, containers,
 * scalars, enums). */
static const IrDecl *required_declaration(const IrType *type) {
    if (!type || type->nullable || type->kind != IR_REF || type->decl->kind == IR_DECL_ENUM) return NULL;
    return type->decl;
}

/* Adds an edge from declaration `from` to each declaration `type` mentions (inside lists and maps too). */
static void add_edges(DeclGraph *graph, Arena *arena, size_t from, const IrType *type) {
    while (type && (type->kind == IR_LIST || type->kind == IR_MAP)) { /* a map's key, then its element */
        if (type->kind == IR_MAP) add_edges(graph, arena, from, type->key);
        type = type->element;
    }
    if (type && type->kind == IR_REF) decl_graph_add_edge(graph, arena, from, type->decl->index);
}

/* IrDecl.recursive: the models on a cycle of the graph of everything each declaration mentions. */
static void mark_recursive(Arena *arena, IrProgram *program) {
    DeclGraph graph;
    decl_graph_init(&graph, arena, program->decl_count);
    for (size_t d = 0; d < program->decl_count; d++) {
        const IrDecl *decl = program->decls[d];
        for (size_t i = 0; i < decl->field_count; i++) add_edges(&graph, arena, d, decl->fields[i]->type);
        for (size_t i = 0; i < decl->alternative_count; i++) add_edges(&graph, arena, d, decl->alternatives[i]);
        if (decl->kind == IR_DECL_ALIAS) add_edges(&graph, arena, d, decl->aliased);
    }
    decl_graph_components(&graph, arena);
    for (size_t d = 0; d < program->decl_count; d++) {
        IrDecl *decl = program->decls[d];
        decl->recursive = decl->kind == IR_DECL_MODEL && graph.cyclic[graph.component[d]];
    }
}

/* Buildability by propagation: waiting[d] counts the dependencies a model still waits for. */
static void check_buildable(Arena *arena, const IrProgram *program, Diagnostics *diags) {
    size_t count = program->decl_count;
    bool *buildable = ARENA_ARRAY(arena, bool, count + 1);
    size_t *waiting = ARENA_ARRAY(arena, size_t, count + 1);
    /* reverse edges: who waits on d */
    size_t *parent_count = ARENA_ARRAY(arena, size_t, count + 1);
    size_t **parents = ARENA_ARRAY(arena, size_t *, count + 1);
    size_t *parent_capacity = ARENA_ARRAY(arena, size_t, count + 1);
    size_t *queue = ARENA_ARRAY(arena, size_t, count + 1);
    size_t queue_head = 0, queue_tail = 0;

#define WAIT_ON(child, parent_index)                                                                                 \
    do {                                                                                                             \
        size_t c_ = (child);                                                                                         \
        if (parent_count[c_] == parent_capacity[c_]) {                                                               \
            size_t capacity_ = parent_capacity[c_] ? parent_capacity[c_] * 2 : 4;                                    \
            size_t *grown_ = ARENA_ARRAY(arena, size_t, capacity_);                                                  \
            if (parent_count[c_]) memcpy(grown_, parents[c_], parent_count[c_] * sizeof *grown_);                     \
            parents[c_] = grown_;                                                                                    \
            parent_capacity[c_] = capacity_;                                                                         \
        }                                                                                                            \
        parents[c_][parent_count[c_]++] = (parent_index);                                                            \
    } while (0)

    for (size_t d = 0; d < count; d++) {
        const IrDecl *decl = program->decls[d];
        bool ready = false;
        switch (decl->kind) {
        case IR_DECL_ENUM: ready = true; break;
        case IR_DECL_MODEL:
            for (size_t i = 0; i < decl->field_count; i++) {
                const IrField *field = decl->fields[i];
                if (field->optional || field->default_value) continue;
                const IrDecl *needed = required_declaration(field->type);
                if (!needed) continue;
                waiting[d]++;
                WAIT_ON(needed->index, d);
            }
            ready = waiting[d] == 0;
            break;
        case IR_DECL_UNION:
            ready = decl->alternative_count == 0; /* an erroneous union: do not pile on */
            for (size_t i = 0; i < decl->alternative_count; i++) {
                const IrDecl *needed = required_declaration(decl->alternatives[i]);
                if (!needed) ready = true;
                else WAIT_ON(needed->index, d);
            }
            break;
        case IR_DECL_ALIAS: {
            const IrDecl *needed = required_declaration(decl->aliased);
            if (!needed) ready = true;
            else WAIT_ON(needed->index, d);
            break;
        }
        }
        if (ready) {
            buildable[d] = true;
            queue[queue_tail++] = d;
        }
    }
#undef WAIT_ON
    while (queue_head < queue_tail) {
        size_t done = queue[queue_head++];
        for (size_t p = 0; p < parent_count[done]; p++) {
            size_t parent = parents[done][p];
            if (buildable[parent]) continue;
            if (program->decls[parent]->kind == IR_DECL_MODEL && --waiting[parent] > 0) continue;
            buildable[parent] = true;
            queue[queue_tail++] = parent;
        }
    }

    for (size_t d = 0; d < count; d++) {
        const IrDecl *decl = program->decls[d];
        if (decl->kind != IR_DECL_MODEL || buildable[d]) continue;
        const IrField *blocking = NULL;
        for (size_t i = 0; i < decl->field_count && !blocking; i++) {
            const IrField *field = decl->fields[i];
            const IrDecl *needed = field->optional || field->default_value ? NULL : required_declaration(field->type);
            if (needed && !buildable[needed->index]) blocking = field;
        }
        Diagnostic *diagnostic = diag_error(diags, decl->span,
                                            "model '%s' has no finite value: its required fields lead back to it",
                                            decl->name);
        if (blocking)
            diag_note(diags, diagnostic, blocking->span,
                      "'%s.%s' is required; make it '| null', '?', give it a default, or use a list", decl->name,
                      blocking->name);
    }
}

void ir_check_recursion(IrProgram *program, Diagnostics *diags) {
    Arena scratch;
    arena_init(&scratch);
    check_buildable(&scratch, program, diags);
    mark_recursive(&scratch, program);
    arena_free(&scratch);
}
