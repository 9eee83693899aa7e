/* A graph over a program's declarations (by IrDecl.index) and its strongly connected components: shared by the
 * passes that ask "does this declaration reach itself" (check_types for aliases and unions, check_recursion for
 * models). */
#ifndef RPCC_DECL_GRAPH_H
#define RPCC_DECL_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "../support/arena.h"

typedef struct DeclGraph {
    size_t count;        /* declarations: nodes 0 .. count-1 */
    size_t **edges;      /* edges[d]: the declarations d mentions (repeats allowed) */
    size_t *edge_count;  /* edge_count[d]: entries of edges[d] */
    size_t *edge_space;  /* edge_space[d]: room in edges[d] */
    size_t *component;   /* after decl_graph_components: component[d], the component of d */
    bool *cyclic;        /* after decl_graph_components: cyclic[c], component c lies on a cycle */
} DeclGraph;

/* A graph of `count` declarations and no edges, in `arena`. */
void decl_graph_init(DeclGraph *graph, Arena *arena, size_t count);

/* Adds the edge from -> to. */
void decl_graph_add_edge(DeclGraph *graph, Arena *arena, size_t from, size_t to);

/* Fills component[] and cyclic[]: Tarjan's algorithm, iterative (a chain of 20,000 declarations must not exhaust
 * the C stack), linear in nodes and edges. A component is cyclic when it has two or more members, or one with an
 * edge to itself. Components are numbered in the order Tarjan's algorithm completes them (dependencies first). */
void decl_graph_components(DeclGraph *graph, Arena *arena);

#endif
