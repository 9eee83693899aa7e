/* Type checks that need whole declarations: map keys; unions (nullable or repeated alternatives, discriminators);
 * aliases and unions that refer to themselves without passing through a model. */
#include <string.h>

#include "decl_graph.h"
#include "passes.h"

typedef struct TypeCheck {
    Diagnostics *diags;
    Arena arena; /* for messages */
} TypeCheck;

static bool type_is_nullable(const IrType *type) {
    bool nullable = false;
    ir_resolve_alias_nullable(type, &nullable);
    return nullable;
}

static void check_map_key(const IrType *type, void *context) {
    TypeCheck *check = context;
    if (type->kind != IR_MAP || !type->key) return;
    const IrType *key = ir_resolve_alias(type->key);
    if (!key) return;
    bool allowed = key->kind == IR_STRING || key->kind == IR_INT || key->kind == IR_UUID ||
                   (key->kind == IR_REF && key->decl->kind == IR_DECL_ENUM);
    if (!allowed)
        diag_error(check->diags, type->key->span, "map keys must be string, int, uuid or an enum, not %s",
                   ir_type_to_string(&check->arena, key));
    else if (type_is_nullable(type->key))
        diag_error(check->diags, type->key->span, "map keys cannot be null");
}

/* check_map_key for every map in `type`, outermost first (a map, its key, its element),
 * without a call for each type that holds no map. */
static void check_map_keys_in(TypeCheck *check, const IrType *type) {
    while (type && (type->kind == IR_LIST || type->kind == IR_MAP)) {
        if (type->kind == IR_MAP) {
            check_map_key(type, check);
            check_map_keys_in(check, type->key);
        }
        type = type->element;
    }
}

static void check_map_keys(TypeCheck *check, const IrProgram *program) {
    for (size_t d = 0; d < program->decl_count; d++) {
        const IrDecl *decl = program->decls[d];
        for (size_t i = 0; i < decl->field_count; i++) check_map_keys_in(check, decl->fields[i]->type);
        for (size_t i = 0; i < decl->alternative_count; i++) check_map_keys_in(check, decl->alternatives[i]);
        if (decl->kind == IR_DECL_ALIAS) check_map_keys_in(check, decl->aliased);
    }
}

/* Self-reference without a model. Aliases and unions form a graph whose edges are the aliases and unions a type
 * mentions directly or inside lists and maps (a model ends the chain: it is never followed). A declaration refers
 * to itself exactly when it lies on a cycle of that graph: in a strongly connected component of two or more, or
 * with an edge to itself (decl_graph.c finds the components in linear time at any cycle length).
 *
 * Adds an edge from declaration `from` to each alias or union `type` mentions (inside lists and maps too). */
static void add_alias_edges(DeclGraph *graph, Arena *arena, size_t from, const IrType *type) {
    while (type && (type->kind == IR_LIST || type->kind == IR_MAP)) {
        if (type->kind == IR_MAP) add_alias_edges(graph, arena, from, type->key);
        type = type->element;
    }
    if (!type || type->kind != IR_REF) return;
    if (type->decl->kind != IR_DECL_ALIAS && type->decl->kind != IR_DECL_UNION) return;
    decl_graph_add_edge(graph, arena, from, type->decl->index);
}

static void build_alias_graph(Arena *arena, const IrProgram *program, DeclGraph *graph) {
    decl_graph_init(graph, arena, program->decl_count);
    for (size_t d = 0; d < program->decl_count; d++) {
        const IrDecl *decl = program->decls[d];
        if (decl->kind == IR_DECL_ALIAS) add_alias_edges(graph, arena, d, decl->aliased);
        if (decl->kind == IR_DECL_UNION)
            for (size_t i = 0; i < decl->alternative_count; i++)
                add_alias_edges(graph, arena, d, decl->alternatives[i]);
    }
    decl_graph_components(graph, arena);
}

/* True if `type` mentions (directly or in a list or map) a declaration of `decl`'s cycle. */
static bool leads_into_cycle(const DeclGraph *graph, const IrType *type, const IrDecl *decl) {
    while (type && (type->kind == IR_LIST || type->kind == IR_MAP)) {
        if (type->kind == IR_MAP && leads_into_cycle(graph, type->key, decl)) return true;
        type = type->element;
    }
    if (!type || type->kind != IR_REF) return false;
    if (type->decl->kind != IR_DECL_ALIAS && type->decl->kind != IR_DECL_UNION) return false;
    return graph->component[type->decl->index] == graph->component[decl->index];
}

static bool same_alternative(const IrType *a, const IrType *b) {
    /* Through aliases: `type S = uuid;` then `S | uuid` has uuid twice (pydantic refused the union at import). */
    a = ir_resolve_alias(a);
    b = ir_resolve_alias(b);
    if (!a || !b || a->kind != b->kind) return false;
    if (a->kind == IR_REF) return a->decl == b->decl;
    /* Two lists, maps or literal sets are told apart only by their contents; treat scalars of one kind as equal. */
    return a->kind <= IR_ANY;
}

static const IrField *find_field(const IrDecl *model, const char *name) {
    for (size_t i = 0; i < model->field_count; i++)
        if (strcmp(model->fields[i]->name, name) == 0) return model->fields[i];
    for (size_t i = 0; i < model->field_count; i++)
        if (strcmp(model->fields[i]->wire_name, name) == 0) return model->fields[i];
    return NULL;
}

static void check_discriminated_union(TypeCheck *check, IrDecl *decl) {
    const char *tag = decl->discriminator;
    const char *tag_wire_name = NULL;
    /* (value, alternative) pairs seen so far, to report a value used twice */
    const IrValue **values = ARENA_ARRAY(&check->arena, const IrValue *, 64);
    size_t value_count = 0, value_capacity = 64;
    for (size_t i = 0; i < decl->alternative_count; i++) {
        const IrType *alternative = decl->alternatives[i];
        if (alternative->kind != IR_REF || alternative->decl->kind != IR_DECL_MODEL) {
            diag_error(check->diags, alternative->span,
                       "every alternative of a discriminated union must be a model; %s is not",
                       ir_type_to_string(&check->arena, alternative));
            continue;
        }
        const IrDecl *model = alternative->decl;
        const IrField *field = find_field(model, tag);
        if (!field) {
            Diagnostic *diagnostic = diag_error(check->diags, alternative->span,
                                                "model '%s' has no field '%s' to discriminate on", model->name, tag);
            diag_note(check->diags, diagnostic, model->span, "'%s' is declared here", model->name);
            continue;
        }
        const IrType *field_type = ir_resolve_alias(field->type);
        if (!field_type) continue;
        if (field->optional || field->default_value || type_is_nullable(field->type) ||
            field_type->kind != IR_LITERAL || field_type->literals[0]->kind != IR_VALUE_STRING) {
            Diagnostic *diagnostic = diag_error(check->diags, alternative->span,
                                                "discriminator field '%s.%s' must be required and have a string "
                                                "literal type, such as %s: \"value\";",
                                                model->name, field->name, field->name);
            diag_note(check->diags, diagnostic, field->span, "'%s.%s' is declared here", model->name, field->name);
            continue;
        }
        if (tag_wire_name && strcmp(tag_wire_name, field->wire_name) != 0) {
            Diagnostic *diagnostic = diag_error(
                check->diags, alternative->span,
                "discriminator field '%s.%s' has wire name '%s', but other alternatives use '%s'", model->name,
                field->name, field->wire_name, tag_wire_name);
            diag_note(check->diags, diagnostic, field->span, "'%s.%s' is declared here", model->name, field->name);
            continue;
        }
        tag_wire_name = field->wire_name;
        for (size_t v = 0; v < field_type->literal_count; v++) {
            const IrValue *value = field_type->literals[v];
            for (size_t k = 0; k < value_count; k++) {
                if (values[k]->text_length == value->text_length &&
                    memcmp(values[k]->text, value->text, value->text_length) == 0) {
                    Diagnostic *diagnostic =
                        diag_error(check->diags, value->span, "discriminator value %s is used by two alternatives",
                                   ir_value_to_string(&check->arena, value));
                    diag_note(check->diags, diagnostic, values[k]->span, "also used here");
                }
            }
            if (value_count == value_capacity) {
                const IrValue **grown = ARENA_ARRAY(&check->arena, const IrValue *, value_capacity * 2);
                memcpy(grown, values, value_count * sizeof *values);
                values = grown;
                value_capacity *= 2;
            }
            values[value_count++] = value;
        }
    }
    if (tag_wire_name) decl->discriminator = tag_wire_name;
}

static void check_union(TypeCheck *check, IrDecl *decl) {
    const char *what = decl->synthesized ? "this union" : decl->name;
    for (size_t i = 0; i < decl->alternative_count; i++) {
        const IrType *alternative = decl->alternatives[i];
        if (type_is_nullable(alternative))
            diag_error(check->diags, alternative->span,
                       "an alternative of %s%s%s cannot be nullable; make the union nullable where it is used",
                       decl->synthesized ? "" : "'", what, decl->synthesized ? "" : "'");
        for (size_t j = 0; j < i; j++) {
            if (same_alternative(decl->alternatives[j], alternative)) {
                Diagnostic *diagnostic = diag_error(check->diags, alternative->span, "%s appears twice in %s%s%s",
                                                    ir_type_to_string(&check->arena, alternative),
                                                    decl->synthesized ? "" : "'", what, decl->synthesized ? "" : "'");
                diag_note(check->diags, diagnostic, decl->alternatives[j]->span, "first written here");
                break;
            }
        }
    }
    if (decl->discriminator) check_discriminated_union(check, decl);
}

void ir_check_types(IrProgram *program, Diagnostics *diags) {
    TypeCheck check = {diags, {0}};
    arena_init(&check.arena);
    check_map_keys(&check, program);
    DeclGraph graph;
    build_alias_graph(&check.arena, program, &graph);
    for (size_t d = 0; d < program->decl_count; d++) {
        IrDecl *decl = program->decls[d];
        if (decl->kind == IR_DECL_UNION) check_union(&check, decl);
        bool cyclic = graph.cyclic[graph.component[d]];
        if (decl->kind == IR_DECL_ALIAS && cyclic)
            diag_error(diags, decl->span,
                       "type alias '%s' refers to itself; recursive data must pass through a model", decl->name);
        if (decl->kind == IR_DECL_UNION && cyclic) {
            for (size_t i = 0; i < decl->alternative_count; i++) {
                if (leads_into_cycle(&graph, decl->alternatives[i], decl)) {
                    diag_error(diags, decl->alternatives[i]->span,
                               "union '%s' refers to itself here; recursive data must pass through a model",
                               decl->name);
                    break;
                }
            }
        }
    }
    arena_free(&check.arena);
}
