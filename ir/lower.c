/* Lowering: from the ASTs of every loaded file to the IR. Declarations are collected first (so that names may be
 * used before they are declared), enums are lowered next (so that defaults can name their members), then models,
 * unions, aliases and rpcs. Name resolution honours imports: a file sees its own declarations and those of the
 * files it imports directly. Annotations are parsed and placed here; checks that need whole types (defaults,
 * unions, recursion, target names) are later passes. */
#include <stdlib.h>
#include <string.h>

#include "../support/strmap.h"
#include "passes.h"

typedef struct Symbol {
    const char *name;
    AstDecl *ast;
    IrDecl *ir;
    const LoadedFile *file;
} Symbol;

typedef struct Lowering {
    Arena *arena;   /* the IR's */
    Arena scratch;  /* what only lowering reads (the symbol tables, the symbols): freed when it ends */
    Diagnostics *diags;
    StrMap symbols;      /* declaration name -> Symbol */
    StrMap methods;      /* rpc method -> IrRpc */
    StrMap channel_names; /* channel name -> IrChannel */
    StrMap lost_names;   /* names of declarations a syntax error dropped (AstFile.lost_names) */
    /* Field and member names lowered lately, by a hash of their length and ends (intern_text). */
    struct {
        const char *text;
        size_t length;
    } recent_names[256];
    PtrVec decls;        /* IrDecl *, in program order */
    PtrVec rpcs;         /* IrRpc * */
    PtrVec channels;     /* IrChannel * */
    const LoadedFile *file; /* the file being lowered */
} Lowering;

#define BUILTIN(name, kind) {name, sizeof name - 1, kind}
static const struct {
    const char *name;
    size_t length;
    IrTypeKind kind;
} builtin_types[] = {
    BUILTIN("bool", IR_BOOL),   BUILTIN("int", IR_INT),         BUILTIN("float", IR_FLOAT),
    BUILTIN("string", IR_STRING), BUILTIN("bytes", IR_BYTES),   BUILTIN("decimal", IR_DECIMAL),
    BUILTIN("uuid", IR_UUID),   BUILTIN("timestamp", IR_TIMESTAMP), BUILTIN("date", IR_DATE),
    BUILTIN("time", IR_TIME),   BUILTIN("duration", IR_DURATION), BUILTIN("any", IR_ANY),
    BUILTIN("list", IR_LIST),   BUILTIN("map", IR_MAP),
};
#undef BUILTIN
#define BUILTIN_COUNT (sizeof builtin_types / sizeof builtin_types[0])

static bool find_builtin(Span name, IrTypeKind *kind) {
    /* Most type names are declarations (capitalised by convention); every built-in starts with a lowercase letter.
     * The candidates are those of the name's length (a switch), compared whole. */
    const char *text = span_text(name);
    if (!name.length || text[0] < 'a' || text[0] > 'z') return false;
#define IS(literal) (memcmp(text, literal, sizeof literal - 1) == 0)
    IrTypeKind found;
    switch (name.length) {
    case 3: found = IS("int") ? IR_INT : IS("any") ? IR_ANY : IS("map") ? IR_MAP : IR_REF; break;
    case 4:
        found = IS("bool") ? IR_BOOL : IS("uuid") ? IR_UUID : IS("date") ? IR_DATE : IS("time") ? IR_TIME
                : IS("list") ? IR_LIST : IR_REF;
        break;
    case 5: found = IS("float") ? IR_FLOAT : IS("bytes") ? IR_BYTES : IR_REF; break;
    case 6: found = IS("string") ? IR_STRING : IR_REF; break;
    case 7: found = IS("decimal") ? IR_DECIMAL : IR_REF; break;
    case 8: found = IS("duration") ? IR_DURATION : IR_REF; break;
    case 9: found = IS("timestamp") ? IR_TIMESTAMP : IR_REF; break;
    default: found = IR_REF;
    }
#undef IS
    if (found == IR_REF) return false; /* IR_REF: no built-in of that name */
    *kind = found;
    return true;
}

/* ---- names ---- */

static bool check_name_spelling(Lowering *lowering, Span name, const char *what) {
    if (name.length > 0 && span_text(name)[0] == '_') {
        if (strcmp(what, "field") == 0)
            diag_error(lowering->diags, name,
                       "field names may not start with '_' (Pydantic treats such fields as private); keep the wire "
                       "name with @json(\"%.*s\")",
                       (int)name.length, span_text(name));
        else
            diag_error(lowering->diags, name, "%s names may not start with '_' (Python treats such names as private)",
                       what);
        return false;
    }
    return true;
}

static bool file_sees(const LoadedFile *file, const LoadedFile *declared_in) {
    if (file == declared_in) return true;
    for (size_t i = 0; i < file->import_count; i++)
        if (file->imports[i] == declared_in) return true;
    return false;
}

/* The closest visible declaration or built-in name to `name`, for "did you mean". */
static const char *suggest_type_name(Lowering *lowering, Span name) {
    size_t limit = name.length <= 2 ? 0 : (name.length <= 3 ? 1 : (name.length <= 6 ? 2 : 3)); /* none for one- or two-letter names: noise */
    const char *best = NULL;
    size_t best_distance = limit + 1;
    for (size_t i = 0; i < BUILTIN_COUNT; i++) {
        const char *candidate = builtin_types[i].name;
        size_t distance = ir_edit_distance(span_text(name), name.length, candidate, strlen(candidate), limit);
        if (distance < best_distance) best = candidate, best_distance = distance;
    }
    for (size_t i = 0; i < lowering->symbols.capacity; i++) {
        const StrMapEntry *entry = &lowering->symbols.entries[i];
        if (!entry->key) continue;
        const Symbol *symbol = entry->value;
        if (!file_sees(lowering->file, symbol->file)) continue;
        size_t distance = ir_edit_distance(span_text(name), name.length, entry->key, entry->key_length, limit);
        /* Ties go to the alphabetically first name, so the suggestion does not depend on hash order. */
        if (distance < best_distance || (distance == best_distance && best && strcmp(symbol->name, best) < 0))
            best = symbol->name, best_distance = distance;
    }
    return best;
}

/* Resolves a declared name as seen from the current file; reports unknown and not-imported names. */
static Symbol *resolve_declaration(Lowering *lowering, Span name) {
    Symbol *symbol = strmap_get(&lowering->symbols, span_text(name), name.length);
    if (!symbol && strmap_get(&lowering->lost_names, span_text(name), name.length)) {
        return NULL; /* declared in text that a syntax error dropped: that error says it all */
    }
    if (!symbol) {
        Diagnostic *diagnostic = diag_error(lowering->diags, name, "unknown type '%.*s'", (int)name.length,
                                            span_text(name));
        const char *suggestion = suggest_type_name(lowering, name);
        if (suggestion) diag_set_fix(lowering->diags, diagnostic, suggestion);
        return NULL;
    }
    if (!file_sees(lowering->file, symbol->file)) {
        Diagnostic *diagnostic =
            diag_error(lowering->diags, name, "'%s' is declared in '%s', which this file does not import", symbol->name,
                       symbol->file->source->path);
        diag_note(lowering->diags, diagnostic, symbol->ast->name, "'%s' is declared here", symbol->name);
        return NULL;
    }
    return symbol;
}

/* The closest of `candidates` to `name` within a small edit distance, for "did you mean"; ties go to the first. */
static const char *closest_name(Span name, const char *const *candidates, size_t count) {
    size_t limit = name.length <= 2 ? 0 : (name.length <= 3 ? 1 : (name.length <= 6 ? 2 : 3)); /* none for one- or two-letter names: noise */
    const char *best = NULL;
    size_t best_distance = limit + 1;
    for (size_t i = 0; i < count; i++) {
        size_t distance = ir_edit_distance(span_text(name), name.length, candidates[i], strlen(candidates[i]), limit);
        if (distance < best_distance) best = candidates[i], best_distance = distance;
    }
    return best;
}

/* The IR outlives the AST (the CLI frees the AST's arena after lowering): text the IR keeps is copied. */
static const char *copy_text(Lowering *lowering, const char *text, size_t length) {
    if (!text) return NULL;
    char *copy = arena_alloc(lowering->arena, length + 1);
    memcpy(copy, text, length); /* decoded strings may hold NUL bytes: copy by length */
    copy[length] = '\0';
    return copy;
}

/* A field or member name, shared with an earlier one of the same text when a small cache of recent names holds it:
 * a large schema repeats them ("id", "name"), and the IR holds them while the backends print. A cache, not a
 * table of every name: as cheap as the copy it saves (a table's hashing and probing cost 1% of the instructions
 * at 1,000 methods). Nothing writes to the IR's strings, and nothing tells two fields apart by their names'
 * addresses. (Docs are not shared: most are written once.) */
static const char *intern_text(Lowering *lowering, const char *text, size_t length) {
    if (length == 0) return copy_text(lowering, text, length);
    size_t slot = (length * 61 + (unsigned char)text[0] * 7 + (unsigned char)text[length - 1]) & 255;
    if (lowering->recent_names[slot].length == length && memcmp(lowering->recent_names[slot].text, text, length) == 0)
        return lowering->recent_names[slot].text;
    const char *copy = copy_text(lowering, text, length);
    lowering->recent_names[slot].text = copy;
    lowering->recent_names[slot].length = length;
    return copy;
}

/* ---- values ---- */

static IrEnumMember *find_member(IrDecl *decl, Span name) {
    for (size_t i = 0; i < decl->member_count; i++)
        if (span_equals(name, decl->members[i]->name)) return decl->members[i];
    return NULL;
}

static IrValue *lower_value(Lowering *lowering, const AstValue *ast) {
    IrValue *value = ARENA_NEW(lowering->arena, IrValue);
    value->span = ast->span;
    switch (ast->kind) {
    case AST_VALUE_NULL: value->kind = IR_VALUE_NULL; break;
    case AST_VALUE_BOOL:
        value->kind = IR_VALUE_BOOL;
        value->bool_value = ast->bool_value;
        break;
    case AST_VALUE_INT:
        value->kind = IR_VALUE_INT;
        value->int_value = ast->int_value;
        break;
    case AST_VALUE_FLOAT:
        value->kind = IR_VALUE_FLOAT;
        value->text = copy_text(lowering, ast->text, ast->text_length);
        value->text_length = ast->text_length;
        break;
    case AST_VALUE_STRING:
        value->kind = IR_VALUE_STRING;
        value->text = copy_text(lowering, ast->text, ast->text_length);
        value->text_length = ast->text_length;
        break;
    case AST_VALUE_ENUM_MEMBER: {
        value->kind = IR_VALUE_ENUM;
        Symbol *symbol = resolve_declaration(lowering, ast->type_name);
        if (!symbol) return NULL;
        if (symbol->ir->kind != IR_DECL_ENUM) {
            diag_error(lowering->diags, ast->type_name, "'%s' is not an enum", symbol->name);
            return NULL;
        }
        IrEnumMember *member = find_member(symbol->ir, ast->member_name);
        if (!member && symbol->ast->incomplete) return NULL; /* the member may be the one a syntax error dropped */
        if (!member) {
            Diagnostic *diagnostic = diag_error(lowering->diags, ast->member_name, "enum '%s' has no member '%.*s'",
                                                symbol->name, (int)ast->member_name.length, span_text(ast->member_name));
            const char **names = ARENA_ARRAY(lowering->arena, const char *, symbol->ir->member_count + 1);
            for (size_t i = 0; i < symbol->ir->member_count; i++) names[i] = symbol->ir->members[i]->name;
            const char *suggestion = closest_name(ast->member_name, names, symbol->ir->member_count);
            if (suggestion) diag_set_fix(lowering->diags, diagnostic, suggestion);
            return NULL;
        }
        value->enum_decl = symbol->ir;
        value->enum_member = member;
        break;
    }
    case AST_VALUE_LIST:
    case AST_VALUE_OBJECT: {
        value->kind = ast->kind == AST_VALUE_LIST ? IR_VALUE_LIST : IR_VALUE_MAP;
        value->count = ast->items.count;
        value->items = ARENA_ARRAY(lowering->arena, IrValue *, value->count + 1);
        if (ast->kind == AST_VALUE_OBJECT) value->keys = ARENA_ARRAY(lowering->arena, IrValue *, value->count + 1);
        bool ok = true;
        for (size_t i = 0; i < value->count; i++) {
            value->items[i] = lower_value(lowering, ast->items.items[i]);
            if (!value->items[i]) ok = false;
            if (ast->kind == AST_VALUE_OBJECT) value->keys[i] = lower_value(lowering, ast->keys.items[i]);
        }
        if (!ok) return NULL;
        break;
    }
    }
    return value;
}

/* ---- types ---- */

static IrType *new_type(Lowering *lowering, IrTypeKind kind, Span span) {
    IrType *type = ARENA_NEW(lowering->arena, IrType);
    type->kind = kind;
    type->span = span;
    return type;
}

/* "avg_cycle" -> "AvgCycle": the IDL-level name part for a hoisted union (target names come from the namer). */
static const char *pascal_part(Lowering *lowering, const char *name) {
    size_t length = strlen(name);
    char *out = arena_alloc(lowering->arena, length + 1);
    size_t used = 0;
    bool upper = true;
    for (size_t i = 0; i < length; i++) {
        char c = name[i];
        if (c == '_' || c == '.') {
            upper = true;
            continue;
        }
        out[used++] = upper && c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
        upper = false;
    }
    out[used] = '\0';
    return out;
}

/* Where a type stands, to name a union hoisted from there. The name is built only when a union is hoisted, so
 * the common case (no inline union) costs no string. */
typedef struct HoistContext HoistContext;
struct HoistContext {
    const HoistContext *parent; /* NULL at the root */
    const char *part;           /* root: the declaration's name; below: a suffix such as "Item" */
    const char *field;          /* root only: the field the type belongs to, or NULL */
    size_t option;              /* below: nonzero for the suffix "Option<n>" instead of part */
    PtrVec *hoisted;            /* where hoisted declarations go, to follow their owner in program order */
};

static HoistContext sub_context(const HoistContext *parent, const char *suffix, size_t option) {
    HoistContext sub = {parent, suffix, NULL, option, parent->hoisted};
    return sub;
}

static const char *hoist_name(Lowering *lowering, const HoistContext *context) {
    if (!context->parent)
        return context->field ? arena_printf(lowering->arena, "%s%s", context->part, pascal_part(lowering, context->field))
                              : context->part;
    const char *base = hoist_name(lowering, context->parent);
    if (context->option) return arena_printf(lowering->arena, "%sOption%zu", base, context->option);
    return arena_printf(lowering->arena, "%s%s", base, context->part);
}

static IrType *lower_type(Lowering *lowering, const AstType *ast, const HoistContext *context);

static bool same_literal(const IrValue *a, const IrValue *b) {
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case IR_VALUE_BOOL: return a->bool_value == b->bool_value;
    case IR_VALUE_INT: return a->int_value == b->int_value;
    case IR_VALUE_STRING: return a->text_length == b->text_length && memcmp(a->text, b->text, a->text_length) == 0;
    default: return false;
    }
}

/* Lowers the non-null alternatives of a union into `decl` (a union declaration). */
static void lower_alternatives(Lowering *lowering, IrDecl *decl, const AstType **alternatives, size_t count,
                               const HoistContext *context) {
    decl->alternatives = ARENA_ARRAY(lowering->arena, IrType *, count);
    decl->alternative_count = 0;
    for (size_t i = 0; i < count; i++) {
        HoistContext sub = sub_context(context, NULL, i + 1);
        IrType *type = lower_type(lowering, alternatives[i], &sub);
        if (type) decl->alternatives[decl->alternative_count++] = type;
    }
}

static IrDecl *new_hoisted_union(Lowering *lowering, const HoistContext *context, Span span) {
    IrDecl *decl = ARENA_NEW(lowering->arena, IrDecl);
    decl->kind = IR_DECL_UNION;
    decl->name = hoist_name(lowering, context);
    decl->span = span;
    decl->synthesized = true;
    ptrvec_push(lowering->arena, context->hoisted, decl);
    return decl;
}

/* Splits a union into its null count and non-null alternatives. */
static size_t collect_alternatives(Lowering *lowering, const AstType *ast, const AstType **out, size_t *null_count) {
    size_t count = 0;
    *null_count = 0;
    for (size_t i = 0; i < ast->alternatives.count; i++) {
        const AstType *alternative = ast->alternatives.items[i];
        if (alternative->kind == AST_TYPE_NULL) {
            if (++*null_count == 2) diag_error(lowering->diags, alternative->span, "'null' appears twice in this union");
            continue;
        }
        out[count++] = alternative;
    }
    return count;
}

/* True when the alternatives (nulls left out) are literals of one kind: a closed set of values, that is a literal
 * type rather than a union. `1 | "a"` and `string | "auto"` are unions whose alternatives are literal types. */
static bool is_literal_set(const AstType *const *alternatives, size_t count) {
    const AstType *first = NULL;
    for (size_t i = 0; i < count; i++) {
        if (alternatives[i]->kind == AST_TYPE_NULL) continue;
        if (alternatives[i]->kind != AST_TYPE_LITERAL) return false;
        if (!first) first = alternatives[i];
        else if (alternatives[i]->literal->kind != first->literal->kind) return false;
    }
    return true;
}

static IrType *lower_union(Lowering *lowering, const AstType *ast, const HoistContext *context) {
    size_t null_count;
    const AstType **alternatives = ARENA_ARRAY(lowering->arena, const AstType *, ast->alternatives.count);
    size_t count = collect_alternatives(lowering, ast, alternatives, &null_count);
    if (count == 0) {
        diag_error(lowering->diags, ast->span, "a union of only 'null' is not a type");
        return NULL;
    }
    /* Literals of one kind only: a closed set of values, not a union that needs a declaration. */
    if (is_literal_set(alternatives, count)) {
        IrType *type = new_type(lowering, IR_LITERAL, ast->span);
        type->literals = ARENA_ARRAY(lowering->arena, IrValue *, count);
        for (size_t i = 0; i < count; i++) {
            IrValue *value = lower_value(lowering, alternatives[i]->literal);
            for (size_t j = 0; j < type->literal_count; j++) {
                if (same_literal(type->literals[j], value)) {
                    Diagnostic *diagnostic =
                        diag_error(lowering->diags, alternatives[i]->span, "literal appears twice in this union");
                    diag_note(lowering->diags, diagnostic, type->literals[j]->span, "first written here");
                    value = NULL;
                    break;
                }
            }
            if (value) type->literals[type->literal_count++] = value;
        }
        type->nullable = null_count > 0;
        return type;
    }
    if (count == 1) {
        IrType *type = lower_type(lowering, alternatives[0], context);
        if (type) {
            type->nullable = true;
            type->span = ast->span;
        }
        return type;
    }
    IrDecl *decl = new_hoisted_union(lowering, context, ast->span);
    lower_alternatives(lowering, decl, alternatives, count, context);
    IrType *type = new_type(lowering, IR_REF, ast->span);
    type->decl = decl;
    type->nullable = null_count > 0;
    return type;
}

static IrType *lower_named_type(Lowering *lowering, const AstType *ast, const HoistContext *context) {
    IrTypeKind kind;
    Span name = ast_type_name(ast);
    if (find_builtin(name, &kind)) {
        size_t wanted = kind == IR_LIST ? 1 : (kind == IR_MAP ? 2 : 0);
        size_t given = ast->arguments.count;
        if (wanted == 0 && ast_type_has_arguments(ast)) {
            diag_error(lowering->diags, ast->span, "'%s' takes no type arguments", ir_type_kind_name(kind));
            return NULL;
        }
        if (wanted != given) {
            diag_error(lowering->diags, ast->span, "'%s' needs %s: %s", ir_type_kind_name(kind),
                       wanted == 1 ? "one type argument" : "two type arguments",
                       wanted == 1 ? "list<T>" : "map<K, V>");
            return NULL;
        }
        IrType *type = new_type(lowering, kind, ast->span);
        if (kind == IR_LIST) {
            HoistContext sub = sub_context(context, "Item", 0);
            type->element = lower_type(lowering, ast->arguments.items[0], &sub);
            if (!type->element) return NULL;
        } else if (kind == IR_MAP) {
            HoistContext key_context = sub_context(context, "Key", 0);
            HoistContext value_context = sub_context(context, "Value", 0);
            type->key = lower_type(lowering, ast->arguments.items[0], &key_context);
            type->element = lower_type(lowering, ast->arguments.items[1], &value_context);
            if (!type->key || !type->element) return NULL;
        }
        return type;
    }
    Symbol *symbol = resolve_declaration(lowering, name);
    if (!symbol) return NULL;
    if (ast_type_has_arguments(ast)) {
        diag_error(lowering->diags, ast->span, "'%s' takes no type arguments", symbol->name);
        return NULL;
    }
    IrType *type = new_type(lowering, IR_REF, ast->span);
    type->decl = symbol->ir;
    return type;
}

static IrType *lower_type(Lowering *lowering, const AstType *ast, const HoistContext *context) {
    switch (ast->kind) {
    case AST_TYPE_NAME: return lower_named_type(lowering, ast, context);
    case AST_TYPE_LITERAL: {
        IrType *type = new_type(lowering, IR_LITERAL, ast->span);
        type->literals = ARENA_ARRAY(lowering->arena, IrValue *, 1);
        type->literals[0] = lower_value(lowering, ast->literal);
        type->literal_count = 1;
        return type;
    }
    case AST_TYPE_NULL:
        diag_error(lowering->diags, ast->span, "'null' alone is not a type; write 'T | null' for a nullable T");
        return NULL;
    case AST_TYPE_UNION: return lower_union(lowering, ast, context);
    }
    return NULL;
}

/* ---- annotations ---- */

typedef enum Placement {
    PLACE_MODEL = 1 << 0,
    PLACE_FIELD = 1 << 1,
    PLACE_ENUM = 1 << 2,
    PLACE_MEMBER = 1 << 3,
    PLACE_UNION = 1 << 4,
    PLACE_ALIAS = 1 << 5,
    PLACE_RPC = 1 << 6,
    PLACE_CHANNEL = 1 << 7,
} Placement;

static const char *placement_name(Placement placement) {
    switch (placement) {
    case PLACE_MODEL: return "a model";
    case PLACE_FIELD: return "a field";
    case PLACE_ENUM: return "an enum";
    case PLACE_MEMBER: return "an enum member";
    case PLACE_UNION: return "a union";
    case PLACE_ALIAS: return "a type alias";
    case PLACE_RPC: return "an rpc";
    case PLACE_CHANNEL: return "a channel";
    }
    return "this";
}

typedef struct Annotations {
    IrDeprecation deprecation;
    const char *json_name;
    Span json_span;          /* the whole @json(...) */
    Span json_argument_span; /* its string */
    IrConstraints constraints;
    Span range_span, length_span, pattern_span;
    const char *discriminator;
    Span discriminator_span;
    const char *method_name;        /* @method("wire") on an rpc */
    size_t method_name_length;
    Span method_argument_span;      /* its string */
    bool open; /* @open */
    /* channels */
    bool history;                   /* @history(size: N, ttl: SECONDS) */
    int64_t history_size, history_ttl;
    Span history_span;
    bool publish;                   /* @publish */
    Span publish_span;
    bool subscribe_given;           /* @subscribe("user" | "guard" | "any") */
    IrChannelSubscribe subscribe;
    Span subscribe_span;
    bool oneway; /* @oneway */
    Span oneway_span;
} Annotations;

typedef struct AnnotationSpec {
    const char *name;
    unsigned places;
    const char *allowed; /* for messages */
} AnnotationSpec;

static const AnnotationSpec annotation_specs[] = {
    {"json", PLACE_FIELD, "fields"},
    {"method", PLACE_RPC, "rpcs"},
    {"deprecated",
     PLACE_MODEL | PLACE_FIELD | PLACE_ENUM | PLACE_MEMBER | PLACE_UNION | PLACE_ALIAS | PLACE_RPC | PLACE_CHANNEL,
     "declarations, fields, enum members, rpcs and channels"},
    {"range", PLACE_FIELD, "fields"},
    {"length", PLACE_FIELD, "fields"},
    {"pattern", PLACE_FIELD, "fields"},
    {"discriminator", PLACE_FIELD | PLACE_UNION | PLACE_ALIAS, "unions and fields of an inline union type"},
    {"open", PLACE_MODEL, "models"},
    {"history", PLACE_CHANNEL, "channels"},
    {"publish", PLACE_CHANNEL, "channels"},
    {"subscribe", PLACE_CHANNEL, "channels"},
    {"oneway", PLACE_RPC, "rpcs"},
};
#define ANNOTATION_COUNT (sizeof annotation_specs / sizeof annotation_specs[0])

static bool positional_string(Lowering *lowering, const AstAnnotation *annotation, bool optional, const char **out) {
    size_t count = annotation->arguments.count;
    if (count == 0 && optional) return true;
    if (count != 1) {
        diag_error(lowering->diags, annotation->span, "@%.*s takes %sone string argument", (int)annotation->name.length,
                   span_text(annotation->name), optional ? "no argument or " : "");
        return false;
    }
    const AstAnnotationArgument *argument = annotation->arguments.items[0];
    if (argument->name.length || argument->value->kind != AST_VALUE_STRING) {
        diag_error(lowering->diags, argument->name.length ? argument->name : argument->value->span,
                   "@%.*s takes one string argument", (int)annotation->name.length, span_text(annotation->name));
        return false;
    }
    *out = copy_text(lowering, argument->value->text, argument->value->text_length);
    return true;
}

static IrValue *number_value(Lowering *lowering, const AstValue *ast) {
    if (ast->kind != AST_VALUE_INT && ast->kind != AST_VALUE_FLOAT) return NULL;
    return lower_value(lowering, ast);
}

/* The common subset of the regex dialects (spec section 4) as far as braces go: outside a character class, an
 * unescaped '{' must open {n}, {n,} or {n,m} (n <= m). Python's re and JavaScript read any other '{' as a
 * character, pydantic's Rust engine refuses the pattern (the package failed at import: `@pattern("${x}")`). */
static bool braces_are_repetitions(const char *pattern) {
    bool in_class = false;
    for (const char *p = pattern; *p; p++) {
        if (*p == '\\') {
            if (!p[1]) return true; /* a trailing backslash: not this check's business */
            p++;
            continue;
        }
        if (in_class) {
            if (*p == ']') in_class = false;
            continue;
        }
        if (*p == '[') {
            in_class = true;
            if (p[1] == '^') p++;
            if (p[1] == ']') p++; /* a ']' first in a class is a character */
            continue;
        }
        if (*p != '{') continue;
        const char *q = p + 1;
        unsigned long low = 0, high;
        if (*q < '0' || *q > '9') return false;
        while (*q >= '0' && *q <= '9') low = low * 10 + (unsigned long)(*q++ - '0'), low = low > 100000 ? 100000 : low;
        high = low;
        if (*q == ',') {
            q++;
            if (*q >= '0' && *q <= '9') {
                high = 0;
                while (*q >= '0' && *q <= '9') high = high * 10 + (unsigned long)(*q++ - '0'), high = high > 100000 ? 100000 : high;
                if (high < low) return false;
            }
        }
        if (*q != '}') return false;
        p = q;
    }
    return true;
}

static void parse_range(Lowering *lowering, const AstAnnotation *annotation, Annotations *out) {
    IrConstraints *constraints = &out->constraints;
    if (annotation->arguments.count == 0) {
        diag_error(lowering->diags, annotation->span, "@range needs at least one bound: ge, gt, le or lt");
        return;
    }
    for (size_t i = 0; i < annotation->arguments.count; i++) {
        const AstAnnotationArgument *argument = annotation->arguments.items[i];
        if (!argument->name.length) {
            diag_error(lowering->diags, argument->value->span,
                       "@range takes named bounds: @range(ge: 0, le: 100) (ge, gt, le, lt)");
            continue;
        }
        bool *has;
        IrValue **slot;
        if (span_equals(argument->name, "ge")) has = &constraints->has_ge, slot = &constraints->ge;
        else if (span_equals(argument->name, "gt")) has = &constraints->has_gt, slot = &constraints->gt;
        else if (span_equals(argument->name, "le")) has = &constraints->has_le, slot = &constraints->le;
        else if (span_equals(argument->name, "lt")) has = &constraints->has_lt, slot = &constraints->lt;
        else {
            static const char *const bounds[] = {"ge", "gt", "le", "lt"};
            Diagnostic *diagnostic = diag_error(lowering->diags, argument->name,
                                                "unknown @range bound '%.*s' (ge, gt, le or lt)",
                                                (int)argument->name.length, span_text(argument->name));
            const char *suggestion = closest_name(argument->name, bounds, 4);
            if (suggestion) diag_set_fix(lowering->diags, diagnostic, suggestion);
            continue;
        }
        if (*has) {
            diag_error(lowering->diags, argument->name, "bound '%.*s' given twice", (int)argument->name.length,
                       span_text(argument->name));
            continue;
        }
        IrValue *value = number_value(lowering, argument->value);
        if (!value) {
            diag_error(lowering->diags, argument->value->span, "a @range bound must be a number");
            continue;
        }
        *has = true;
        *slot = value;
    }
    if (constraints->has_ge && constraints->has_gt)
        diag_error(lowering->diags, annotation->span, "@range takes 'ge' or 'gt', not both");
    if (constraints->has_le && constraints->has_lt)
        diag_error(lowering->diags, annotation->span, "@range takes 'le' or 'lt', not both");
    const IrValue *low = constraints->has_ge ? constraints->ge : constraints->gt;
    const IrValue *high = constraints->has_le ? constraints->le : constraints->lt;
    if (low && high) {
        int order = ir_compare_numbers(low, high);
        bool inclusive = constraints->has_ge && constraints->has_le;
        if (inclusive ? order > 0 : order >= 0)
            diag_error(lowering->diags, annotation->span, "@range admits no value: the lower bound is above the upper");
    }
    out->range_span = annotation->span;
}

static void parse_length(Lowering *lowering, const AstAnnotation *annotation, Annotations *out) {
    IrConstraints *constraints = &out->constraints;
    if (annotation->arguments.count == 0) {
        diag_error(lowering->diags, annotation->span, "@length needs min, max or both: @length(min: 1, max: 64)");
        return;
    }
    for (size_t i = 0; i < annotation->arguments.count; i++) {
        const AstAnnotationArgument *argument = annotation->arguments.items[i];
        bool *has;
        int64_t *slot;
        if (argument->name.length && span_equals(argument->name, "min"))
            has = &constraints->has_min_length, slot = &constraints->min_length;
        else if (argument->name.length && span_equals(argument->name, "max"))
            has = &constraints->has_max_length, slot = &constraints->max_length;
        else {
            diag_error(lowering->diags, argument->name.length ? argument->name : argument->value->span,
                       "@length takes named bounds: min and max");
            continue;
        }
        if (*has) {
            diag_error(lowering->diags, argument->name, "bound '%.*s' given twice", (int)argument->name.length,
                       span_text(argument->name));
            continue;
        }
        if (argument->value->kind != AST_VALUE_INT || argument->value->int_value < 0) {
            diag_error(lowering->diags, argument->value->span, "a @length bound must be a non-negative integer");
            continue;
        }
        *has = true;
        *slot = argument->value->int_value;
    }
    if (constraints->has_min_length && constraints->has_max_length &&
        constraints->min_length > constraints->max_length)
        diag_error(lowering->diags, annotation->span, "@length admits no value: min is above max");
    out->length_span = annotation->span;
}

/* @method("user-profile.get"): the rpc's Centrifugo method name, any string a one-line doc can show (Centrifugo
 * method names are free strings); the dotted name before it only names the generated methods. */
static void parse_method(Lowering *lowering, const AstAnnotation *annotation, Annotations *out) {
    const char *name = NULL;
    if (!positional_string(lowering, annotation, false, &name)) return;
    const AstValue *value = ((const AstAnnotationArgument *)annotation->arguments.items[0])->value;
    if (value->text_length == 0) {
        diag_error(lowering->diags, annotation->span, "@method needs a non-empty method name");
        return;
    }
    for (size_t i = 0; i < value->text_length; i++) {
        unsigned char c = (unsigned char)value->text[i];
        bool c1 = c == 0xC2 && i + 1 < value->text_length && (unsigned char)value->text[i + 1] >= 0x80 &&
                  (unsigned char)value->text[i + 1] < 0xA0;
        if (c < 0x20 || c == 0x7F || c1) {
            diag_error(lowering->diags, value->span, "a method name may not contain control characters");
            return;
        }
    }
    out->method_name = name;
    out->method_name_length = value->text_length;
    out->method_argument_span = value->span;
}

/* @history(size: 300, ttl: 600): both named, both positive integers (Centrifugo's history_size and history_ttl,
 * in publications and seconds). */
static void parse_history(Lowering *lowering, const AstAnnotation *annotation, Annotations *out) {
    bool has_size = false, has_ttl = false, ok = true;
    for (size_t i = 0; i < annotation->arguments.count; i++) {
        const AstAnnotationArgument *argument = annotation->arguments.items[i];
        bool *has;
        int64_t *slot;
        if (argument->name.length && span_equals(argument->name, "size")) has = &has_size, slot = &out->history_size;
        else if (argument->name.length && span_equals(argument->name, "ttl")) has = &has_ttl, slot = &out->history_ttl;
        else {
            diag_error(lowering->diags, argument->name.length ? argument->name : argument->value->span,
                       "@history takes named arguments size and ttl: @history(size: 100, ttl: 3600)");
            ok = false;
            continue;
        }
        if (*has) {
            diag_error(lowering->diags, argument->name, "'%.*s' given twice", (int)argument->name.length,
                       span_text(argument->name));
            ok = false;
            continue;
        }
        *has = true;
        if (argument->value->kind != AST_VALUE_INT || argument->value->int_value <= 0) {
            diag_error(lowering->diags, argument->value->span, "@history's %.*s must be a positive integer%s",
                       (int)argument->name.length, span_text(argument->name),
                       slot == &out->history_ttl ? " (seconds)" : " (publications kept)");
            ok = false;
            continue;
        }
        *slot = argument->value->int_value;
    }
    if (ok && (!has_size || !has_ttl)) {
        diag_error(lowering->diags, annotation->span,
                   "@history needs both size and ttl: @history(size: 100, ttl: 3600)");
        ok = false;
    }
    if (!ok) return;
    out->history = true;
    out->history_span = annotation->span;
}

/* @subscribe("user" | "guard" | "any"): who may subscribe to a channel. */
static void parse_subscribe(Lowering *lowering, const AstAnnotation *annotation, Annotations *out) {
    static const char *const modes[] = {"user", "guard", "any"};
    const char *mode = NULL;
    if (!positional_string(lowering, annotation, false, &mode)) return;
    for (int i = 0; i < 3; i++) {
        if (strcmp(mode, modes[i]) == 0) {
            out->subscribe_given = true;
            out->subscribe = (IrChannelSubscribe)i;
            out->subscribe_span = annotation->span;
            return;
        }
    }
    const AstValue *value = ((const AstAnnotationArgument *)annotation->arguments.items[0])->value;
    diag_error(lowering->diags, value->span, "@subscribe takes \"user\", \"guard\" or \"any\"");
}

/* `list` is NULL when the node has no annotation. */
static void lower_annotations(Lowering *lowering, const PtrVec *list, Placement place, Annotations *out) {
    memset(out, 0, sizeof *out);
    if (!list) return;
    const AstAnnotation *seen[ANNOTATION_COUNT] = {0};
    for (size_t i = 0; i < list->count; i++) {
        const AstAnnotation *annotation = list->items[i];
        size_t index = 0;
        while (index < ANNOTATION_COUNT && !span_equals(annotation->name, annotation_specs[index].name)) index++;
        if (index == ANNOTATION_COUNT) {
            Diagnostic *diagnostic = diag_error(lowering->diags, annotation->name, "unknown annotation '@%.*s'",
                                                (int)annotation->name.length, span_text(annotation->name));
            const char *names[ANNOTATION_COUNT];
            for (size_t k = 0; k < ANNOTATION_COUNT; k++) names[k] = annotation_specs[k].name;
            const char *best = closest_name(annotation->name, names, ANNOTATION_COUNT);
            if (best) diag_set_fix(lowering->diags, diagnostic, best);
            continue;
        }
        const AnnotationSpec *spec = &annotation_specs[index];
        if (!(spec->places & (unsigned)place)) {
            diag_error(lowering->diags, annotation->span, "@%s is not allowed on %s (only on %s)", spec->name,
                       placement_name(place), spec->allowed);
            continue;
        }
        if (seen[index]) {
            Diagnostic *diagnostic = diag_error(lowering->diags, annotation->span, "@%s given twice", spec->name);
            diag_note(lowering->diags, diagnostic, seen[index]->span, "first given here");
            continue;
        }
        seen[index] = annotation;
        if (strcmp(spec->name, "json") == 0) {
            const char *name = NULL;
            if (positional_string(lowering, annotation, false, &name)) {
                if (name[0] == '\0')
                    diag_error(lowering->diags, annotation->span, "@json needs a non-empty wire name");
                else
                    out->json_name = name, out->json_span = annotation->span,
                    out->json_argument_span =
                        ((const AstAnnotationArgument *)annotation->arguments.items[0])->value->span;
            }
        } else if (strcmp(spec->name, "method") == 0) {
            parse_method(lowering, annotation, out);
        } else if (strcmp(spec->name, "deprecated") == 0) {
            const char *reason = NULL;
            if (positional_string(lowering, annotation, true, &reason)) {
                out->deprecation.deprecated = true;
                out->deprecation.reason = reason;
            }
        } else if (strcmp(spec->name, "range") == 0) {
            parse_range(lowering, annotation, out);
        } else if (strcmp(spec->name, "length") == 0) {
            parse_length(lowering, annotation, out);
        } else if (strcmp(spec->name, "pattern") == 0) {
            const char *pattern = NULL;
            if (positional_string(lowering, annotation, false, &pattern)) {
                if (!braces_are_repetitions(pattern))
                    diag_error(lowering->diags, annotation->span,
                               "a '{' in a @pattern starts a repetition {n}, {n,} or {n,m} with n <= m (pydantic's "
                               "regex engine refuses any other); write \\{ for the character");
                out->constraints.pattern = pattern;
                out->pattern_span = annotation->span;
            }
        } else if (strcmp(spec->name, "discriminator") == 0) {
            const char *field = NULL;
            if (positional_string(lowering, annotation, false, &field)) {
                out->discriminator = field;
                out->discriminator_span = annotation->span;
            }
        } else if (strcmp(spec->name, "open") == 0) {
            if (annotation->arguments.count)
                diag_error(lowering->diags, annotation->span, "@open takes no argument");
            else
                out->open = true;
        } else if (strcmp(spec->name, "history") == 0) {
            parse_history(lowering, annotation, out);
        } else if (strcmp(spec->name, "publish") == 0) {
            if (annotation->arguments.count)
                diag_error(lowering->diags, annotation->span, "@publish takes no argument");
            out->publish = true;
            out->publish_span = annotation->span;
        } else if (strcmp(spec->name, "subscribe") == 0) {
            parse_subscribe(lowering, annotation, out);
        } else if (strcmp(spec->name, "oneway") == 0) {
            /* Marked one-way even with a stray argument: its missing result is then no second error. */
            if (annotation->arguments.count) diag_error(lowering->diags, annotation->span, "@oneway takes no argument");
            out->oneway = true;
            out->oneway_span = annotation->span;
        }
    }
}

/* Constraints apply to the value under aliases and `| null`. */
static void check_constraint_targets(Lowering *lowering, const IrType *type, const Annotations *annotations) {
    if (!type) return;
    const IrType *base = ir_resolve_alias(type);
    if (!base) return;
    IrTypeKind kind = base->kind;
    const char *type_name = kind == IR_REF ? base->decl->name : ir_type_kind_name(kind);
    if (annotations->range_span.file && kind != IR_INT && kind != IR_FLOAT && kind != IR_DECIMAL)
        diag_error(lowering->diags, annotations->range_span, "@range applies to int, float and decimal, not to %s",
                   type_name);
    if (annotations->length_span.file && kind != IR_STRING && kind != IR_BYTES && kind != IR_LIST && kind != IR_MAP)
        diag_error(lowering->diags, annotations->length_span,
                   "@length applies to string, bytes, list and map, not to %s", type_name);
    if (annotations->pattern_span.file && kind != IR_STRING)
        diag_error(lowering->diags, annotations->pattern_span, "@pattern applies to string, not to %s", type_name);
}

/* ---- declarations ---- */

/* Length of the white space (ASCII, or a Unicode space as Go's unicode.IsSpace has them) that ends text[0, end). */
static size_t trailing_space(const char *text, size_t end) {
    static const char *const unicode_spaces[] = {
        "\xC2\x85", "\xC2\xA0", "\xE1\x9A\x80", "\xE2\x80\x80", "\xE2\x80\x81", "\xE2\x80\x82",
        "\xE2\x80\x83", "\xE2\x80\x84", "\xE2\x80\x85", "\xE2\x80\x86", "\xE2\x80\x87",
        "\xE2\x80\x88", "\xE2\x80\x89", "\xE2\x80\x8A", "\xE2\x80\xA8", "\xE2\x80\xA9",
        "\xE2\x80\xAF", "\xE2\x81\x9F", "\xE3\x80\x80",
    };
    size_t at = end;
    for (;;) {
        if (at > 0 && (text[at - 1] == ' ' || text[at - 1] == '\t' || text[at - 1] == '\r')) {
            at--;
            continue;
        }
        /* Every Unicode space ends with a byte of 0x80 or more: only then are they worth comparing. */
        if (at == 0 || (unsigned char)text[at - 1] < 0x80) return end - at;
        bool found = false;
        for (size_t i = 0; i < sizeof unicode_spaces / sizeof *unicode_spaces && !found; i++) {
            size_t length = strlen(unicode_spaces[i]);
            if (at >= length && memcmp(text + at - length, unicode_spaces[i], length) == 0) {
                at -= length;
                found = true;
            }
        }
        if (!found) return end - at;
    }
}

/* A doc as the outputs print it: white space at the end of each line is dropped (gofmt drops it from Go comments,
 * and it means nothing anywhere), and a doc of only white space is no doc (it printed a Python class whose body
 * was an empty docstring line: an IndentationError). */
static const char *doc_text(Lowering *lowering, const AstDoc *doc) {
    if (!doc || !doc->text) return NULL;
    size_t length = doc->length;
    /* Most docs are one line that ends in a printable ASCII character: copied as they are. */
    if (length > 0) {
        unsigned char last = (unsigned char)doc->text[length - 1];
        if (last > ' ' && last < 0x80 && !memchr(doc->text, '\n', length)) return copy_text(lowering, doc->text, length);
    }
    char *text = (char *)copy_text(lowering, doc->text, length);
    size_t out = 0, line_start = 0;
    bool blank = true;
    for (;;) {
        const char *newline = memchr(text + line_start, '\n', length - line_start);
        size_t i = newline ? (size_t)(newline - text) : length;
        size_t end = i - trailing_space(text + line_start, i - line_start);
        /* keep [line_start, end), moving it down to `out` */
        if (out != line_start) memmove(text + out, text + line_start, end - line_start);
        if (end > line_start) blank = false;
        out += end - line_start;
        if (!newline) break;
        text[out++] = '\n';
        line_start = i + 1;
    }
    text[out] = '\0';
    return blank ? NULL : text;
}

static void lower_enum(Lowering *lowering, const AstDecl *ast, IrDecl *decl) {
    Annotations annotations;
    lower_annotations(lowering, ast->annotations, PLACE_ENUM, &annotations);
    decl->deprecation = annotations.deprecation;
    if (span_equals(ast->enum_base, "int")) {
        decl->int_enum = true;
    } else if (!span_equals(ast->enum_base, "string")) {
        diag_error(lowering->diags, ast->enum_base, "an enum is based on 'string' or 'int', not '%.*s'",
                   (int)ast->enum_base.length, span_text(ast->enum_base));
        return; /* its members' values cannot be judged without a base */
    }
    if (ast->members.count == 0) diag_error(lowering->diags, ast->name, "enum '%s' has no members", decl->name);
    decl->members = ARENA_ARRAY(lowering->arena, IrEnumMember *, ast->members.count + 1);
    for (size_t i = 0; i < ast->members.count; i++) {
        const AstEnumMember *member_ast = ast->members.items[i];
        IrEnumMember *member = ARENA_NEW(lowering->arena, IrEnumMember);
        member->name = intern_text(lowering, span_text(member_ast->name), member_ast->name.length);
        member->span = member_ast->name;
        member->doc = doc_text(lowering, member_ast->doc);
        Annotations member_annotations;
        lower_annotations(lowering, member_ast->annotations, PLACE_MEMBER, &member_annotations);
        member->deprecation = member_annotations.deprecation;
        check_name_spelling(lowering, member_ast->name, "enum member");

        const AstValue *value = member_ast->value;
        if (decl->int_enum) {
            if (!value || value->kind != AST_VALUE_INT) {
                diag_error(lowering->diags, value ? value->span : member_ast->name,
                           "a member of an int enum needs an integer value: %s = 1;", member->name);
                continue;
            }
            member->int_value = value->int_value;
        } else if (!value) {
            member->string_value = member->name;
            member->string_value_length = strlen(member->name);
        } else if (value->kind != AST_VALUE_STRING) {
            diag_error(lowering->diags, value->span, "a member of a string enum has a string value");
            continue;
        } else {
            member->string_value = copy_text(lowering, value->text, value->text_length);
            member->string_value_length = value->text_length;
        }
        bool duplicate = false;
        for (size_t j = 0; j < decl->member_count && !duplicate; j++) {
            const IrEnumMember *other = decl->members[j];
            if (strcmp(other->name, member->name) == 0) {
                Diagnostic *diagnostic = diag_error(lowering->diags, member->span,
                                                    "enum '%s' already has a member '%s'", decl->name, member->name);
                diag_note(lowering->diags, diagnostic, other->span, "first declared here");
                duplicate = true;
            } else if (decl->int_enum ? other->int_value == member->int_value
                                      : (other->string_value_length == member->string_value_length &&
                                         memcmp(other->string_value, member->string_value,
                                                member->string_value_length) == 0)) {
                Diagnostic *diagnostic = diag_error(lowering->diags, value ? value->span : member->span,
                                                    "members '%s' and '%s' of enum '%s' have the same value",
                                                    other->name, member->name, decl->name);
                diag_note(lowering->diags, diagnostic, other->span, "'%s' is declared here", other->name);
                duplicate = true;
            }
        }
        if (!duplicate) decl->members[decl->member_count++] = member;
    }
}

static void lower_model(Lowering *lowering, const AstDecl *ast, IrDecl *decl, PtrVec *hoisted) {
    Annotations annotations;
    lower_annotations(lowering, ast->annotations, PLACE_MODEL, &annotations);
    decl->deprecation = annotations.deprecation;
    decl->open = annotations.open;
    decl->fields = ARENA_ARRAY(lowering->arena, IrField *, ast->fields.count + 1);
    for (size_t i = 0; i < ast->fields.count; i++) {
        const AstField *field_ast = ast->fields.items[i];
        IrField *field = ARENA_NEW(lowering->arena, IrField);
        field->name = intern_text(lowering, span_text(field_ast->name), field_ast->name.length);
        field->span = field_ast->name;
        field->doc = doc_text(lowering, field_ast->doc);
        field->optional = field_ast->optional;
        check_name_spelling(lowering, field_ast->name, "field");

        HoistContext context = {NULL, decl->name, field->name, 0, hoisted};
        field->type = lower_type(lowering, field_ast->type, &context);

        /* Most fields have no annotations: what they would give is set directly (lower_annotations clears a
         * large struct first). */
        bool annotated = field_ast->annotations != NULL;
        Annotations field_annotations;
        if (annotated) {
            lower_annotations(lowering, field_ast->annotations, PLACE_FIELD, &field_annotations);
            field->deprecation = field_annotations.deprecation;
            field->constraints = &ir_no_constraints;
            const IrConstraints *given = &field_annotations.constraints;
            if (given->has_ge || given->has_gt || given->has_le || given->has_lt || given->has_min_length ||
                given->has_max_length || given->pattern) {
                IrConstraints *constraints = ARENA_NEW(lowering->arena, IrConstraints);
                *constraints = field_annotations.constraints;
                field->constraints = constraints;
            }
            field->wire_name = field_annotations.json_name ? field_annotations.json_name : field->name;
            field->wire_name_span = field_annotations.json_name ? field_annotations.json_argument_span : field->span;
            check_constraint_targets(lowering, field->type, &field_annotations);
            if (field_annotations.discriminator) {
                if (field->type && field->type->kind == IR_REF && field->type->decl->synthesized)
                    field->type->decl->discriminator = field_annotations.discriminator;
                else
                    diag_error(lowering->diags, field_annotations.discriminator_span,
                               "@discriminator on a field needs an inline union of models (A | B); for a named union, "
                               "put it on the union's declaration");
            }
        } else {
            field->constraints = &ir_no_constraints;
            field->wire_name = field->name;
            field->wire_name_span = field->span;
        }

        if (field_ast->default_value) {
            if (field_ast->optional) {
                Diagnostic *diagnostic = diag_error(lowering->diags, field_ast->default_value->span,
                                                    "a field marked '?' cannot have a default");
                diag_note(lowering->diags, diagnostic, field_ast->question,
                          "a default already lets senders omit the field: remove the '?' or the default");
            } else {
                field->default_value = lower_value(lowering, field_ast->default_value);
            }
        }

        bool duplicate = false;
        for (size_t j = 0; j < decl->field_count && !duplicate; j++) {
            const IrField *other = decl->fields[j];
            /* The first characters first: most pairs differ there, and this loop is quadratic in the fields. */
            if (other->name[0] == field->name[0] && strcmp(other->name, field->name) == 0) {
                Diagnostic *diagnostic = diag_error(lowering->diags, field->span, "model '%s' already has a field '%s'",
                                                    decl->name, field->name);
                diag_note(lowering->diags, diagnostic, other->span, "first declared here");
                duplicate = true;
            } else if (other->wire_name[0] == field->wire_name[0] && strcmp(other->wire_name, field->wire_name) == 0) {
                Diagnostic *diagnostic =
                    diag_error(lowering->diags,
                               annotated && field_annotations.json_name ? field_annotations.json_span : field->span,
                               "fields '%s' and '%s' of model '%s' have the same wire name '%s'", other->name,
                               field->name, decl->name, field->wire_name);
                diag_note(lowering->diags, diagnostic, other->span, "'%s' is declared here", other->name);
                duplicate = true;
            }
        }
        if (!duplicate) decl->fields[decl->field_count++] = field;
    }
}

/* `union U = ...;` and `type T = ...;` (a type alias of a union of non-literals is lowered as a union). */
static void lower_union_or_alias(Lowering *lowering, const AstDecl *ast, IrDecl *decl, PtrVec *hoisted) {
    Annotations annotations;
    Placement place = ast->kind == AST_DECL_UNION ? PLACE_UNION : PLACE_ALIAS;
    lower_annotations(lowering, ast->annotations, place, &annotations);
    decl->deprecation = annotations.deprecation;
    HoistContext context = {NULL, decl->name, NULL, 0, hoisted};
    const AstType *type = ast->type;

    bool literal_union = type->kind == AST_TYPE_UNION &&
                         is_literal_set((const AstType *const *)type->alternatives.items, type->alternatives.count);
    if (type->kind == AST_TYPE_UNION && !literal_union) {
        size_t null_count;
        const AstType **alternatives = ARENA_ARRAY(lowering->arena, const AstType *, type->alternatives.count);
        size_t count = collect_alternatives(lowering, type, alternatives, &null_count);
        if (null_count > 0 && ast->kind == AST_DECL_UNION) {
            diag_error(lowering->diags, type->span,
                       "a union declaration cannot include 'null'; write 'U | null' where the union is used");
        }
        if (null_count > 0 && ast->kind == AST_DECL_ALIAS) {
            /* `type T = A | B | null;`: an alias of a nullable hoisted union. */
            decl->kind = IR_DECL_ALIAS;
            HoistContext sub = sub_context(&context, "Value", 0);
            decl->aliased = lower_union(lowering, type, &sub);
            if (annotations.discriminator && decl->aliased && decl->aliased->kind == IR_REF)
                decl->aliased->decl->discriminator = annotations.discriminator;
            return;
        }
        decl->kind = IR_DECL_UNION;
        if (count < 2 && ast->kind == AST_DECL_UNION) {
            diag_error(lowering->diags, type->span, "a union needs at least two alternatives");
        }
        lower_alternatives(lowering, decl, alternatives, count, &context);
        decl->discriminator = annotations.discriminator;
        return;
    }
    bool has_literal = false;
    for (size_t i = 0; type->kind == AST_TYPE_UNION && i < type->alternatives.count; i++)
        if (((const AstType *)type->alternatives.items[i])->kind == AST_TYPE_LITERAL) has_literal = true;
    if (ast->kind == AST_DECL_UNION && literal_union && has_literal) {
        diag_error(lowering->diags, type->span,
                   "literals of one kind are a literal type, not a union: declare it as 'type %s = ...;'", decl->name);
        return;
    }
    if (ast->kind == AST_DECL_UNION) {
        diag_error(lowering->diags, type->span, "a union needs at least two alternatives: union %s = A | B;",
                   decl->name);
        return;
    }
    if (annotations.discriminator)
        diag_error(lowering->diags, annotations.discriminator_span,
                   "@discriminator applies to a union of models, and '%s' is not one", decl->name);
    decl->kind = IR_DECL_ALIAS;
    decl->aliased = lower_type(lowering, type, &context);
}

static void lower_rpc(Lowering *lowering, const AstDecl *ast) {
    IrRpc *rpc = ARENA_NEW(lowering->arena, IrRpc);
    rpc->name = copy_text(lowering, ast->method.text, strlen(ast->method.text));
    rpc->span = ast->method.span;
    rpc->doc = doc_text(lowering, ast->doc);
    Annotations annotations;
    lower_annotations(lowering, ast->annotations, PLACE_RPC, &annotations);
    rpc->deprecation = annotations.deprecation;
    rpc->method = annotations.method_name ? annotations.method_name : rpc->name;
    rpc->method_span = annotations.method_name ? annotations.method_argument_span : rpc->span;
    for (size_t i = 0; i < ast->method.segment_count; i++)
        check_name_spelling(lowering, ast->method.segments[i], "method");

    /* A one-way method is marked on purpose: an rpc that lost its `-> Result` by mistake is an error, not a method
     * that silently stops answering. */
    bool has_result = ast->result.length > 0;
    rpc->oneway = annotations.oneway;
    if (!has_result && !annotations.oneway)
        diag_error(lowering->diags, rpc->span,
                   "rpc '%s' has no result: declare one with '-> Model', or mark it @oneway if it answers nothing",
                   rpc->name);
    if (has_result && annotations.oneway) {
        Diagnostic *diagnostic = diag_error(lowering->diags, ast->result,
                                            "a @oneway rpc has no result: remove '-> %.*s' or the @oneway",
                                            (int)ast->result.length, span_text(ast->result));
        diag_note(lowering->diags, diagnostic, annotations.oneway_span, "@oneway is given here");
    }

    Span names[2] = {ast->params, ast->result};
    IrDecl **slots[2] = {&rpc->params, &rpc->result};
    const char *roles[2] = {"parameters", "result"};
    for (int i = 0; i < 2; i++) {
        if (i == 0 && !ast->has_params) continue;
        if (i == 1 && (!has_result || annotations.oneway)) continue;
        IrTypeKind builtin;
        if (find_builtin(names[i], &builtin)) {
            diag_error(lowering->diags, names[i], "rpc %s must be a model, not the built-in type '%s'", roles[i],
                       ir_type_kind_name(builtin));
            continue;
        }
        Symbol *symbol = resolve_declaration(lowering, names[i]);
        if (!symbol) continue;
        if (symbol->ir->kind != IR_DECL_MODEL) {
            Diagnostic *diagnostic =
                diag_error(lowering->diags, names[i], "rpc %s must be a model, and '%s' is not one", roles[i],
                           symbol->name);
            diag_note(lowering->diags, diagnostic, symbol->ast->name, "'%s' is declared here", symbol->name);
            continue;
        }
        *slots[i] = symbol->ir;
    }

    IrRpc *previous = strmap_put(&lowering->methods, rpc->method, strlen(rpc->method), rpc);
    if (previous != rpc) {
        Diagnostic *diagnostic =
            diag_error(lowering->diags, rpc->method_span, "method '%s' is declared twice", rpc->method);
        diag_note(lowering->diags, diagnostic, previous->method_span, "first declared here");
        return;
    }
    ptrvec_push(lowering->arena, &lowering->rpcs, rpc);
}

/* ---- channels ---- */

/* A span for bytes [start, start + length) of a channel's decoded pattern: exact when the literal holds no escape
 * (the common case), else the whole literal. */
static Span pattern_span(const AstDecl *ast, size_t start, size_t length) {
    Span literal = ast->pattern;
    if (literal.length == ast->pattern_length + 2 &&
        memcmp(span_text(literal) + 1, ast->pattern_text, ast->pattern_length) == 0)
        return span_make(literal.file, literal.offset + 1 + (uint32_t)start, (uint32_t)length);
    return literal;
}

static bool is_placeholder_name(const char *text, size_t length) {
    if (length == 0 || !((text[0] >= 'a' && text[0] <= 'z') || (text[0] >= 'A' && text[0] <= 'Z') || text[0] == '_'))
        return false;
    for (size_t i = 1; i < length; i++) {
        char c = text[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
}

static void add_part(Lowering *lowering, PtrVec *parts, const char *text, size_t length, IrChannelParam *param) {
    if (!param && length == 0) return;
    IrChannelPart *part = ARENA_NEW(lowering->arena, IrChannelPart);
    if (!param) {
        part->text = copy_text(lowering, text, length);
        part->text_length = length;
    }
    part->param = param;
    ptrvec_push(lowering->arena, parts, part);
}

/* Cuts the pattern into literal text and {param} placeholders: every placeholder names a declared parameter, every
 * parameter appears exactly once, and two placeholders have text between them (the bridge reads the parameters
 * back from a channel name). Braces mean placeholders only. */
static void cut_pattern(Lowering *lowering, const AstDecl *ast, IrChannel *channel) {
    const char *text = ast->pattern_text;
    size_t length = ast->pattern_length;
    PtrVec parts = {0};
    Span *used_at = ARENA_ARRAY(lowering->arena, Span, channel->param_count + 1);
    bool *used = ARENA_ARRAY(lowering->arena, bool, channel->param_count + 1);
    bool ok = true;
    size_t literal_start = 0;
    IrChannelPart *previous_placeholder = NULL;
    size_t previous_end = 0;
    if (length == 0) {
        diag_error(lowering->diags, ast->pattern, "a channel pattern cannot be empty");
        return;
    }
    for (size_t i = 0; i < length; i++) {
        if (text[i] == '}') {
            diag_error(lowering->diags, pattern_span(ast, i, 1),
                       "'}' without '{' in the pattern of channel '%s' (braces only enclose placeholders)",
                       channel->name);
            ok = false;
            continue;
        }
        if (text[i] != '{') continue;
        size_t close = i + 1;
        while (close < length && text[close] != '}' && text[close] != '{') close++;
        if (close == length || text[close] != '}') {
            diag_error(lowering->diags, pattern_span(ast, i, 1),
                       "unclosed '{' in the pattern of channel '%s': a placeholder is {name}", channel->name);
            ok = false;
            i = close - 1;
            continue;
        }
        Span placeholder_span = pattern_span(ast, i, close - i + 1);
        const char *name = text + i + 1;
        size_t name_length = close - i - 1;
        add_part(lowering, &parts, text + literal_start, i - literal_start, NULL);
        literal_start = close + 1;
        if (!is_placeholder_name(name, name_length)) {
            diag_error(lowering->diags, placeholder_span, "a placeholder names a parameter of the channel: {name}");
            ok = false;
            i = close;
            continue;
        }
        size_t index = 0;
        while (index < channel->param_count && !(strlen(channel->params[index]->name) == name_length &&
                                                 memcmp(channel->params[index]->name, name, name_length) == 0))
            index++;
        if (index == channel->param_count) {
            Diagnostic *diagnostic =
                diag_error(lowering->diags, placeholder_span, "placeholder '{%.*s}' names no parameter of channel '%s'",
                           (int)name_length, name, channel->name);
            const char **names = ARENA_ARRAY(lowering->arena, const char *, channel->param_count + 1);
            for (size_t p = 0; p < channel->param_count; p++) names[p] = channel->params[p]->name;
            const char *suggestion = closest_name(placeholder_span.length == name_length + 2
                                                      ? span_make(placeholder_span.file, placeholder_span.offset + 1,
                                                                  (uint32_t)name_length)
                                                      : placeholder_span,
                                                  names, channel->param_count);
            if (suggestion) diag_set_fix(lowering->diags, diagnostic, suggestion);
            ok = false;
        } else if (used[index]) {
            Diagnostic *diagnostic = diag_error(lowering->diags, placeholder_span,
                                                "parameter '%s' appears twice in the pattern of channel '%s'",
                                                channel->params[index]->name, channel->name);
            diag_note(lowering->diags, diagnostic, used_at[index], "first used here");
            ok = false;
        } else {
            used[index] = true;
            used_at[index] = placeholder_span;
            if (previous_placeholder && previous_end == i) {
                diag_error(lowering->diags, placeholder_span,
                           "placeholders '{%s}' and '{%s}' need literal text between them: the parameters could not "
                           "be read back from a channel name",
                           previous_placeholder->param->name, channel->params[index]->name);
                ok = false;
            }
            add_part(lowering, &parts, NULL, 0, channel->params[index]);
            previous_placeholder = parts.items[parts.count - 1];
            previous_end = close + 1;
        }
        i = close;
    }
    add_part(lowering, &parts, text + literal_start, length - literal_start, NULL);
    for (size_t p = 0; p < channel->param_count; p++) {
        if (used[p] || !ok) continue;
        Diagnostic *diagnostic =
            diag_error(lowering->diags, channel->params[p]->span,
                       "parameter '%s' of channel '%s' does not appear in its pattern: write {%s} where it goes",
                       channel->params[p]->name, channel->name, channel->params[p]->name);
        diag_note(lowering->diags, diagnostic, ast->pattern, "the pattern");
        ok = false;
    }
    if (!ok) return;
    channel->parts = (IrChannelPart **)parts.items;
    channel->part_count = parts.count;
}

static void lower_channel(Lowering *lowering, const AstDecl *ast, PtrVec *hoisted) {
    IrChannel *channel = ARENA_NEW(lowering->arena, IrChannel);
    channel->name = copy_text(lowering, ast->method.text, strlen(ast->method.text));
    channel->span = ast->method.span;
    channel->doc = doc_text(lowering, ast->doc);
    channel->pattern = copy_text(lowering, ast->pattern_text, ast->pattern_length);
    channel->pattern_span = ast->pattern;
    for (size_t i = 0; i < ast->method.segment_count; i++)
        check_name_spelling(lowering, ast->method.segments[i], "channel");
    if (memchr(ast->pattern_text, '\0', ast->pattern_length)) {
        diag_error(lowering->diags, ast->pattern, "a channel pattern may not contain NUL characters");
        return;
    }

    Annotations annotations;
    lower_annotations(lowering, ast->annotations, PLACE_CHANNEL, &annotations);
    channel->deprecation = annotations.deprecation;
    channel->client_publish = annotations.publish;
    channel->publish_span = annotations.publish_span;
    channel->history = annotations.history;
    channel->history_size = annotations.history_size;
    channel->history_ttl_seconds = annotations.history_ttl;
    channel->history_span = annotations.history_span;
    channel->user_limited = strchr(channel->pattern, '#') != NULL;
    channel->subscribe_given = annotations.subscribe_given;
    channel->subscribe = annotations.subscribe_given ? annotations.subscribe
                         : channel->user_limited     ? IR_SUBSCRIBE_USER
                                                     : IR_SUBSCRIBE_GUARD;
    channel->subscribe_span = annotations.subscribe_span;
    const char *colon = strchr(channel->pattern, ':');
    if (colon) channel->namespace_name = copy_text(lowering, channel->pattern, (size_t)(colon - channel->pattern));

    /* A parameter's type is checked once aliases are lowered (ir/check_channels.c); an inline union there is an
     * error, so what it would hoist is not kept. */
    PtrVec discarded = {0};
    channel->params = ARENA_ARRAY(lowering->arena, IrChannelParam *, ast->channel_params.count + 1);
    for (size_t i = 0; i < ast->channel_params.count; i++) {
        const AstChannelParam *param_ast = ast->channel_params.items[i];
        IrChannelParam *param = ARENA_NEW(lowering->arena, IrChannelParam);
        param->name = span_strdup(lowering->arena, param_ast->name);
        param->span = param_ast->name;
        check_name_spelling(lowering, param_ast->name, "parameter");
        HoistContext context = {NULL, channel->name, param->name, 0, &discarded};
        param->type = lower_type(lowering, param_ast->type, &context);
        bool duplicate = false;
        for (size_t j = 0; j < channel->param_count && !duplicate; j++) {
            if (strcmp(channel->params[j]->name, param->name) == 0) {
                Diagnostic *diagnostic = diag_error(lowering->diags, param->span,
                                                    "channel '%s' already has a parameter '%s'", channel->name,
                                                    param->name);
                diag_note(lowering->diags, diagnostic, channel->params[j]->span, "first declared here");
                duplicate = true;
            }
        }
        if (!duplicate) channel->params[channel->param_count++] = param;
    }
    cut_pattern(lowering, ast, channel);

    /* An inline union of models is hoisted as <ChannelName>Publication ("chat.room" -> ChatRoomPublication); a
     * channel declared twice (reported below) keeps none, whose name would only collide with the first's. */
    IrChannel *previous = strmap_get(&lowering->channel_names, channel->name, strlen(channel->name));
    const char *hoist_base = arena_printf(lowering->arena, "%sPublication", pascal_part(lowering, channel->name));
    HoistContext context = {NULL, hoist_base, NULL, 0, previous ? &discarded : hoisted};
    channel->publication_type = lower_type(lowering, ast->type, &context);
    if (channel->publication_type && channel->publication_type->kind == IR_REF && !channel->publication_type->nullable)
        channel->publication = channel->publication_type->decl;

    if (previous) {
        Diagnostic *diagnostic = diag_error(lowering->diags, channel->span, "channel '%s' is declared twice",
                                            channel->name);
        diag_note(lowering->diags, diagnostic, previous->span, "first declared here");
        return;
    }
    strmap_put(&lowering->channel_names, channel->name, strlen(channel->name), channel);
    ptrvec_push(lowering->arena, &lowering->channels, channel);
}

/* ---- driver ---- */

static void collect_declarations(Lowering *lowering, const LoadedProgram *loaded) {
    for (size_t f = 0; f < loaded->count; f++) {
        const LoadedFile *file = loaded->files[f];
        for (size_t i = 0; i < file->ast->decls.count; i++) {
            AstDecl *ast = file->ast->decls.items[i];
            if (ast->kind == AST_DECL_RPC || ast->kind == AST_DECL_CHANNEL) continue;
            IrDecl *decl = ARENA_NEW(lowering->arena, IrDecl);
            decl->name = span_strdup(lowering->arena, ast->name);
            decl->span = ast->name;
            /* decl->doc is copied when the declaration is lowered (lower_declared): by then the ASTs lowered
             * before it have given their memory back, and the copy goes there rather than to fresh pages. */
            decl->kind = ast->kind == AST_DECL_MODEL  ? IR_DECL_MODEL
                         : ast->kind == AST_DECL_ENUM ? IR_DECL_ENUM
                         : ast->kind == AST_DECL_UNION ? IR_DECL_UNION
                                                       : IR_DECL_ALIAS;
            IrTypeKind builtin;
            if (find_builtin(ast->name, &builtin)) {
                diag_error(lowering->diags, ast->name, "'%s' is a built-in type and cannot be declared again",
                           decl->name);
                continue;
            }
            if (!check_name_spelling(lowering, ast->name, "type")) continue;
            Symbol *symbol = ARENA_NEW(&lowering->scratch, Symbol);
            symbol->name = decl->name;
            symbol->ast = ast;
            symbol->ir = decl;
            symbol->file = file;
            Symbol *existing = strmap_put(&lowering->symbols, decl->name, strlen(decl->name), symbol);
            if (existing != symbol) {
                Diagnostic *diagnostic =
                    diag_error(lowering->diags, ast->name, "'%s' is already declared", decl->name);
                diag_note(lowering->diags, diagnostic, existing->ast->name, "first declared here");
            }
        }
    }
}

/* After the declarations of `file` up to index `lowered` are lowered (enums, in the first pass, all are): the bulk
 * memory (AstFile.bulk) allocated before declaration lowered - 1 was parsed is theirs alone (the one token the
 * parser reads ahead may have brought the doc comment of the next declaration, hence the one behind), and goes
 * to the IR's arena for its next blocks (zeroed: no fresh pages to fault in), so that a large schema's AST shrinks as
 * its IR grows. Rpcs, lowered last, are not in it. */
static void release_lowered(Lowering *lowering, const AstFile *file, size_t lowered) {
    if (lowered == 0) return;
    const AstDecl *previous = file->decls.items[lowered - 1];
    arena_release_into((Arena *)&file->bulk, previous->bulk_position, lowering->arena);
}

static Symbol *symbol_for(Lowering *lowering, const AstDecl *ast) {
    Symbol *symbol = strmap_get(&lowering->symbols, span_text(ast->name), ast->name.length);
    return symbol && symbol->ast == ast ? symbol : NULL;
}

/* The declaration `ast` was collected as, with its doc (collect_declarations leaves it out), or NULL. */
static IrDecl *lower_declared(Lowering *lowering, const AstDecl *ast) {
    Symbol *symbol = symbol_for(lowering, ast);
    if (!symbol) return NULL;
    symbol->ir->doc = doc_text(lowering, ast->doc);
    return symbol->ir;
}

IrProgram *ir_lower(const LoadedProgram *loaded, Arena *arena, Diagnostics *diags) {
    Lowering lowering;
    memset(&lowering, 0, sizeof lowering);
    lowering.arena = arena;
    lowering.diags = diags;
    arena_init(&lowering.scratch);
    strmap_init(&lowering.symbols, &lowering.scratch);
    strmap_init(&lowering.methods, &lowering.scratch);
    strmap_init(&lowering.channel_names, &lowering.scratch);
    strmap_init(&lowering.lost_names, &lowering.scratch);
    /* Sized once for every declaration: no table grown step by step, each old one left behind. */
    size_t decl_count = 0;
    for (size_t f = 0; f < loaded->count; f++) decl_count += loaded->files[f]->ast->decls.count;
    strmap_reserve(&lowering.symbols, decl_count);
    for (size_t f = 0; f < loaded->count; f++) {
        const PtrVec *lost = &loaded->files[f]->ast->lost_names;
        for (size_t i = 0; i < lost->count; i++) {
            const Span *name = lost->items[i];
            strmap_put(&lowering.lost_names, span_text(*name), name->length, (void *)name);
        }
    }

    collect_declarations(&lowering, loaded);

    /* Enums first: defaults elsewhere may name their members. */
    for (size_t f = 0; f < loaded->count; f++) {
        lowering.file = loaded->files[f];
        for (size_t i = 0; i < lowering.file->ast->decls.count; i++) {
            AstDecl *ast = lowering.file->ast->decls.items[i];
            IrDecl *decl = ast->kind == AST_DECL_ENUM ? lower_declared(&lowering, ast) : NULL;
            if (decl) lower_enum(&lowering, ast, decl);
        }
    }
    for (size_t f = 0; f < loaded->count; f++) {
        lowering.file = loaded->files[f];
        for (size_t i = 0; i < lowering.file->ast->decls.count; i++) {
            AstDecl *ast = lowering.file->ast->decls.items[i];
            if (ast->kind == AST_DECL_RPC) continue;
            if (ast->kind == AST_DECL_CHANNEL) {
                /* Here rather than after the rpcs: an inline union it hoists takes its place in program order. */
                PtrVec hoisted = {0};
                lower_channel(&lowering, ast, &hoisted);
                for (size_t h = 0; h < hoisted.count; h++) ptrvec_push(arena, &lowering.decls, hoisted.items[h]);
                release_lowered(&lowering, lowering.file->ast, i);
                continue;
            }
            IrDecl *decl = ast->kind == AST_DECL_ENUM ? NULL : lower_declared(&lowering, ast);
            Symbol *symbol = decl ? NULL : symbol_for(&lowering, ast); /* an enum, lowered in the first pass */
            if (symbol) decl = symbol->ir;
            if (!decl) continue;
            PtrVec hoisted = {0};
            if (ast->kind == AST_DECL_MODEL) lower_model(&lowering, ast, decl, &hoisted);
            if (ast->kind == AST_DECL_UNION || ast->kind == AST_DECL_ALIAS)
                lower_union_or_alias(&lowering, ast, decl, &hoisted);
            ptrvec_push(arena, &lowering.decls, decl);
            for (size_t h = 0; h < hoisted.count; h++) ptrvec_push(arena, &lowering.decls, hoisted.items[h]);
            release_lowered(&lowering, lowering.file->ast, i);
        }
    }
    for (size_t f = 0; f < loaded->count; f++) {
        lowering.file = loaded->files[f];
        for (size_t i = 0; i < lowering.file->ast->decls.count; i++) {
            AstDecl *ast = lowering.file->ast->decls.items[i];
            if (ast->kind == AST_DECL_RPC) lower_rpc(&lowering, ast);
        }
    }

    /* What is left of the files' bulk memory, and the symbol tables: nothing reads them any more. */
    for (size_t f = 0; f < loaded->count; f++) arena_free(&loaded->files[f]->ast->bulk);
    arena_free(&lowering.scratch);
    arena_drop_spare(arena); /* bulk blocks the IR did not need: not kept resident */
    /* After lowering only diagnostics read the source text: its pages need not stay resident. */
    for (size_t f = 0; f < loaded->count; f++) source_release_pages(loaded->files[f]->source);

    IrProgram *program = ARENA_NEW(arena, IrProgram);
    program->decls = (IrDecl **)lowering.decls.items;
    program->decl_count = lowering.decls.count;
    for (size_t d = 0; d < program->decl_count; d++) program->decls[d]->index = d;
    program->rpcs = (IrRpc **)lowering.rpcs.items;
    program->rpc_count = lowering.rpcs.count;
    program->channels = (IrChannel **)lowering.channels.items;
    program->channel_count = lowering.channels.count;
    program->files = ARENA_ARRAY(arena, const SourceFile *, loaded->count + 1);
    for (size_t f = 0; f < loaded->count; f++) program->files[f] = loaded->files[f]->source;
    program->file_count = loaded->count;
    return program;
}
