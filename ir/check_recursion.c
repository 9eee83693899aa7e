/* Recursion. A model whose required fields lead back to itself with nothing to end the chain ('| null', '?', a
 * default, a list, a map, or a union with a buildable alternative) has no finite value: an error. Found as
 * Horn-clause propagation in linear time: a model is buildable once all its required dependencies are, a union once
 * any alternative is, an alias once its target is.
 * IrDecl.recursive marks models that reach themselves by any path (backends need forward references for them):
 * the models in a strongly connected component of more than one declaration, or with an edge to themselves. */
#include <stdlib.h>
#include <string.h>

#include "passes.h"

typedef struct Graph {
    size_t count;
    size_t **edges; /* edges[d]: indices of the declarations d mentions, terminated by SIZE_MAX */
    size_t *edge_count;
} Graph;

/* The declaration a value of `type` needs to exist, or NULL when it can always be built (null, containers,
 * scalars, enums). */
static const IrDecl *required_declaration(const IrType *type) {
    if (!type || type->nullable || type->kind != IR_REF || type->decl->kind == IR_DECL_ENUM) return NULL;
    return type->decl;
}

static void add_edges(Arena *arena, const IrType *type, size_t **list, size_t *count, size_t *capacity) {
    if (!type) return;
    if (type->kind == IR_LIST) add_edges(arena, type->element, list, count, capacity);
    if (type->kind == IR_MAP) {
        add_edges(arena, type->key, list, count, capacity);
        add_edges(arena, type->element, list, count, capacity);
    }
    if (type->kind != IR_REF) return;
    if (*count == *capacity) {
        size_t grown_capacity = *capacity ? *capacity * 2 : 8;
        size_t *grown = ARENA_ARRAY(arena, size_t, grown_capacity);
        if (*count) memcpy(grown, *list, *count * sizeof *grown);
        *list = grown;
        *capacity = grown_capacity;
    }
    (*list)[(*count)++] = type->decl->index;
}

static void build_graph(Arena *arena, const IrProgram *program, Graph *graph) {
    graph->count = program->decl_count;
    graph->edges = ARENA_ARRAY(arena, size_t *, graph->count + 1);
    graph->edge_count = ARENA_ARRAY(arena, size_t, graph->count + 1);
    for (size_t d = 0; d < program->decl_count; d++) {
        const IrDecl *decl = program->decls[d];
        size_t capacity = 0;
        for (size_t i = 0; i < decl->field_count; i++)
            add_edges(arena, decl->fields[i]->type, &graph->edges[d], &graph->edge_count[d], &capacity);
        for (size_t i = 0; i < decl->alternative_count; i++)
            add_edges(arena, decl->alternatives[i], &graph->edges[d], &graph->edge_count[d], &capacity);
        if (decl->kind == IR_DECL_ALIAS)
            add_edges(arena, decl->aliased, &graph->edges[d], &graph->edge_count[d], &capacity);
    }
}

/* Tarjan's strongly connected components, iterative (a chain of 20,000 models must not exhaust the C stack). */
static void mark_recursive(Arena *arena, IrProgram *program, const Graph *graph) {
    size_t count = graph->count;
    const size_t unvisited = (size_t)-1;
    size_t *order = ARENA_ARRAY(arena, size_t, count + 1);
    size_t *low = ARENA_ARRAY(arena, size_t, count + 1);
    bool *on_stack = ARENA_ARRAY(arena, bool, count + 1);
    size_t *stack = ARENA_ARRAY(arena, size_t, count + 1);
    size_t *call_node = ARENA_ARRAY(arena, size_t, count + 1);
    size_t *call_edge = ARENA_ARRAY(arena, size_t, count + 1);
    for (size_t i = 0; i < count; i++) order[i] = unvisited;
    size_t next_order = 0, stack_size = 0;

    for (size_t root = 0; root < count; root++) {
        if (order[root] != unvisited) continue;
        size_t depth = 0;
        call_node[0] = root;
        call_edge[0] = 0;
        order[root] = low[root] = next_order++;
        stack[stack_size++] = root;
        on_stack[root] = true;
        while (true) {
            size_t node = call_node[depth];
            if (call_edge[depth] < graph->edge_count[node]) {
                size_t target = graph->edges[node][call_edge[depth]++];
                if (order[target] == unvisited) {
                    order[target] = low[target] = next_order++;
                    stack[stack_size++] = target;
                    on_stack[target] = true;
                    depth++;
                    call_node[depth] = target;
                    call_edge[depth] = 0;
                } else if (on_stack[target] && order[target] < low[node]) {
                    low[node] = order[target];
                }
                continue;
            }
            if (low[node] == order[node]) {
                /* pop the component; it is recursive if it has two members or a self-edge */
                size_t first = stack_size;
                do first--; while (stack[first] != node);
                bool recursive = stack_size - first > 1;
                for (size_t e = 0; e < graph->edge_count[node] && !recursive; e++)
                    if (graph->edges[node][e] == node) recursive = true;
                for (size_t i = first; i < stack_size; i++) {
                    IrDecl *decl = program->decls[stack[i]];
                    decl->recursive = recursive && decl->kind == IR_DECL_MODEL;
                    on_stack[stack[i]] = false;
                }
                stack_size = first;
            }
            if (depth == 0) break;
            depth--;
            size_t parent = call_node[depth];
            if (low[node] < low[parent]) low[parent] = low[node];
        }
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
    Graph graph;
    build_graph(&scratch, program, &graph);
    mark_recursive(&scratch, program, &graph);
    arena_free(&scratch);
}
