/* Type checks that need whole declarations: map keys; unions (nullable or repeated alternatives, discriminators);
 * aliases and unions that refer to themselves without passing through a model. */
#include <string.h>

#include "passes.h"

typedef struct TypeCheck {
    Diagnostics *diags;
    Arena arena; /* for messages */
} TypeCheck;

static bool type_is_nullable(const IrType *type) {
    for (int depth = 0; type && depth < 1000; depth++) {
        if (type->nullable) return true;
        if (type->kind != IR_REF || type->decl->kind != IR_DECL_ALIAS) return false;
        type = type->decl->aliased;
    }
    return false;
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

/* True if `target` is reachable from `type` without passing through a model (the only way to end a chain). */
static bool reaches_without_model(const IrType *type, const IrDecl *target, int depth) {
    if (!type || depth > 200) return false;
    switch (type->kind) {
    case IR_LIST: return reaches_without_model(type->element, target, depth + 1);
    case IR_MAP:
        return reaches_without_model(type->key, target, depth + 1) ||
               reaches_without_model(type->element, target, depth + 1);
    case IR_REF: {
        const IrDecl *decl = type->decl;
        if (decl == target) return true;
        if (decl->kind == IR_DECL_ALIAS) return reaches_without_model(decl->aliased, target, depth + 1);
        if (decl->kind == IR_DECL_UNION) {
            for (size_t i = 0; i < decl->alternative_count; i++)
                if (reaches_without_model(decl->alternatives[i], target, depth + 1)) return true;
        }
        return false;
    }
    default: return false;
    }
}

static bool same_alternative(const IrType *a, const IrType *b) {
    if (a->kind != b->kind) return false;
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
    ir_for_each_type(program, check_map_key, &check);
    for (size_t d = 0; d < program->decl_count; d++) {
        IrDecl *decl = program->decls[d];
        if (decl->kind == IR_DECL_UNION) check_union(&check, decl);
        if (decl->kind == IR_DECL_ALIAS && reaches_without_model(decl->aliased, decl, 0))
            diag_error(diags, decl->span,
                       "type alias '%s' refers to itself; recursive data must pass through a model", decl->name);
        if (decl->kind == IR_DECL_UNION) {
            for (size_t i = 0; i < decl->alternative_count; i++) {
                if (reaches_without_model(decl->alternatives[i], decl, 0)) {
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
