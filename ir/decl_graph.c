/* Declaration graphs and their strongly connected components (see decl_graph.h). */
#include "decl_graph.h"

#include <string.h>

void decl_graph_init(DeclGraph *graph, Arena *arena, size_t count) {
    graph->count = count;
    graph->edges = ARENA_ARRAY(arena, size_t *, count + 1);
    graph->edge_count = ARENA_ARRAY(arena, size_t, count + 1);
    graph->edge_space = ARENA_ARRAY(arena, size_t, count + 1);
    graph->component = ARENA_ARRAY(arena, size_t, count + 1);
    graph->cyclic = ARENA_ARRAY(arena, bool, count + 1);
}

void decl_graph_add_edge(DeclGraph *graph, Arena *arena, size_t from, size_t to) {
    if (graph->edge_count[from] == graph->edge_space[from]) {
        size_t space = graph->edge_space[from] ? graph->edge_space[from] * 2 : 4;
        size_t *grown = ARENA_ARRAY(arena, size_t, space);
        if (graph->edge_count[from]) memcpy(grown, graph->edges[from], graph->edge_count[from] * sizeof *grown);
        graph->edges[from] = grown;
        graph->edge_space[from] = space;
    }
    graph->edges[from][graph->edge_count[from]++] = to;
}

void decl_graph_components(DeclGraph *graph, Arena *arena) {
    size_t count = graph->count;
    bool has_edges = false;
    for (size_t i = 0; i < count && !has_edges; i++) has_edges = graph->edge_count[i] != 0;
    if (!has_edges) { /* what the search below finds then: each node its own component, in order, none a cycle */
        for (size_t i = 0; i < count; i++) {
            graph->component[i] = i;
            graph->cyclic[i] = false;
        }
        return;
    }
    const size_t unvisited = (size_t)-1;
    size_t *order = ARENA_ARRAY(arena, size_t, count + 1);
    size_t *low = ARENA_ARRAY(arena, size_t, count + 1);
    bool *on_stack = ARENA_ARRAY(arena, bool, count + 1);
    size_t *stack = ARENA_ARRAY(arena, size_t, count + 1);
    /* the explicit call stack of the depth-first search: the node, and the next of its edges to follow */
    size_t *call_node = ARENA_ARRAY(arena, size_t, count + 1);
    size_t *call_edge = ARENA_ARRAY(arena, size_t, count + 1);
    for (size_t i = 0; i < count; i++) order[i] = unvisited;
    size_t next_order = 0, stack_size = 0, components = 0;
    for (size_t root = 0; root < count; root++) {
        if (order[root] != unvisited) continue;
        size_t depth = 0;
        call_node[0] = root;
        call_edge[0] = 0;
        order[root] = low[root] = next_order++;
        stack[stack_size++] = root;
        on_stack[root] = true;
        for (;;) {
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
                /* pop the component; it is a cycle if it has two members or a self-edge */
                size_t first = stack_size;
                do first--; while (stack[first] != node);
                bool cyclic = stack_size - first > 1;
                for (size_t e = 0; e < graph->edge_count[node] && !cyclic; e++)
                    if (graph->edges[node][e] == node) cyclic = true;
                for (size_t i = first; i < stack_size; i++) {
                    graph->component[stack[i]] = components;
                    on_stack[stack[i]] = false;
                }
                graph->cyclic[components++] = cyclic;
                stack_size = first;
            }
            if (depth == 0) break;
            depth--;
            size_t parent = call_node[depth];
            if (low[node] < low[parent]) low[parent] = low[node];
        }
    }
}
