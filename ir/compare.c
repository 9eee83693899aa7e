/* The breaking-change check: two checked IRs of one contract, old and new, compared for what a deployed peer or
 * code written against the generated SDKs would notice. spec/evolution.md is the reference of the rules.
 *
 * The wire sees methods by name and values by shape; declaration names are only in the SDKs. So the comparison
 * starts at each method kept from the old file and walks its parameters and result in both versions at once,
 * pairing the declarations found at the same place (old `Task` with new `Item` when the result was renamed), and
 * each pair is compared once, knowing in which directions its values travel:
 *   request   written by a client, read by the server (reachable from some method's parameters)
 *   response  written by the server, read by a client (reachable from some result)
 * A change is judged by two questions: can every value the old contract writes be read by the new one
 * (old_to_new), and every value the new one writes be read by the old one (new_to_old)? Old clients of a new server
 * need old_to_new for requests and new_to_old for responses; new clients of an old server the opposite.
 *
 * Pairing first (quietly, to a fixed point, since a pair reached again by another path may gain a direction), then
 * the comparison of each pair with its final directions, reporting: one code path walks both times. Declarations
 * that no method reaches are paired by name, with no direction: only the code rules (names that disappear from the
 * SDKs) apply to them.
 *
 * Channels are matched by name (the generated subscribe methods carry it), or else by their pattern (a renamed
 * channel). A publication travels as a response (the server writes, subscribers read), and also as a request when
 * clients may publish in both versions; its declarations are paired like a method's. */
#include "compare.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../support/strmap.h"
#include "../support/vec.h"
#include "passes.h"

static const BreakingRuleInfo rule_table[BREAKING_RULE_COUNT] = {
#define BREAKING_RULE_INFO(constant, name, severity, summary) {name, severity, summary},
    BREAKING_RULES(BREAKING_RULE_INFO)
#undef BREAKING_RULE_INFO
};

const BreakingRuleInfo *breaking_rule_info(BreakingRule rule) { return &rule_table[rule]; }

bool breaking_rule_parse(const char *name, size_t length, BreakingRule *rule) {
    for (int i = 0; i < BREAKING_RULE_COUNT; i++) {
        if (strlen(rule_table[i].name) == length && memcmp(rule_table[i].name, name, length) == 0) {
            *rule = (BreakingRule)i;
            return true;
        }
    }
    return false;
}

enum { FLOW_REQUEST = 1, FLOW_RESPONSE = 2 };

/* Two declarations at the same place of the wire, one per version. */
typedef struct Pair {
    const IrDecl *old_decl, *new_decl;
    const char *old_label, *new_label; /* "model 'Task'", or "the parameters of 'tasks.ping'" for `()` */
    unsigned flows;
} Pair;

typedef struct Compare {
    const IrProgram *old_program, *new_program;
    const BreakingOptions *options;
    Arena *arena;
    Diagnostics *diags;
    bool reporting;  /* false while pairing */
    unsigned flows;  /* of the pair being compared */
    StrMap pair_map; /* (old decl, new decl) -> Pair */
    PtrVec pairs;    /* every pair, in the order found */
    PtrVec queue;    /* pairs to (re)walk while pairing */
    StrMap reported; /* findings already reported, so that a place reached twice is reported once */
    StrMap old_names, new_names;
    size_t finding_count;
} Compare;

/* ------------------------------------------------------------------------------------------------------------ */
/* Reporting                                                                                                      */

/* Who breaks, from the directions a value travels and the two compatibility questions. */
static unsigned wire_breaks(const Compare *c, bool old_to_new, bool new_to_old) {
    unsigned breaks = 0;
    if ((c->flows & FLOW_REQUEST) && !old_to_new) breaks |= BREAKS_OLD_CLIENTS;
    if ((c->flows & FLOW_RESPONSE) && !new_to_old) breaks |= BREAKS_OLD_CLIENTS;
    if ((c->flows & FLOW_REQUEST) && !new_to_old) breaks |= BREAKS_NEW_CLIENTS;
    if ((c->flows & FLOW_RESPONSE) && !old_to_new) breaks |= BREAKS_NEW_CLIENTS;
    return breaks;
}

/* "A", "A and B", "A, B and C". */
static const char *parties_text(const Compare *c, unsigned breaks) {
    static const char *const names[] = {"old clients of the new server", "new clients of an old server",
                                        "code using the generated SDKs"};
    const char *parts[3];
    size_t count = 0;
    for (unsigned i = 0; i < 3; i++)
        if (breaks & (1u << i)) parts[count++] = names[i];
    const char *text = "";
    for (size_t i = 0; i < count; i++)
        text = arena_printf(c->arena, "%s%s%s", text, i == 0 ? "" : i + 1 == count ? " and " : ", ", parts[i]);
    return text;
}

/* Reports a finding of `rule` at `new_span` (no place when new_span.file is NULL), with a note at `old_span`.
 * `breaks` says whom it breaks; the parties the options leave out are dropped, and a finding that breaks no one
 * left is not reported. */
static void report(Compare *c, BreakingRule rule, unsigned breaks, Span new_span, Span old_span, const char *old_note,
                   const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static void report(Compare *c, BreakingRule rule, unsigned breaks, Span new_span, Span old_span, const char *old_note,
                   const char *fmt, ...) {
    if (!c->reporting || c->options->excluded[rule]) return;
    breaks &= c->options->directions | BREAKS_CODE;
    if (!breaks) return;
    va_list args;
    va_start(args, fmt);
    va_list copy;
    va_copy(copy, args);
    int length = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    char *what = arena_alloc(c->arena, (size_t)(length > 0 ? length : 0) + 1);
    if (length > 0) vsnprintf(what, (size_t)length + 1, fmt, args);
    va_end(args);
    const BreakingRuleInfo *info = &rule_table[rule];
    const char *message = arena_printf(c->arena, "%s: %s %s [%s]", what,
                                       info->severity == DIAG_ERROR ? "breaks" : "affects", parties_text(c, breaks),
                                       info->name);
    const char *key = arena_printf(c->arena, "%p:%u:%s", (const void *)new_span.file, new_span.offset, message);
    if (strmap_put(&c->reported, key, strlen(key), (void *)key) != key) return;
    Diagnostic *diagnostic = diag_report(c->diags, info->severity, new_span, "%s", message);
    if (old_span.file) diag_note(c->diags, diagnostic, old_span, "%s", old_note);
    c->finding_count++;
}

static const Span no_span = {NULL, 0, 0};

/* A type as written; an alias with what it stands for ("MaybeInt (int | null)"), since that is what changed. */
static const char *type_text(const Compare *c, const IrType *type) {
    const char *text = ir_type_to_string(c->arena, type);
    if (type->kind != IR_REF || type->decl->kind != IR_DECL_ALIAS) return text;
    bool nullable = false;
    const IrType *resolved = ir_resolve_alias_nullable(type, &nullable);
    if (!resolved) return text;
    const char *meaning = ir_type_to_string(c->arena, resolved);
    if (nullable && !resolved->nullable) meaning = arena_printf(c->arena, "%s | null", meaning);
    return arena_printf(c->arena, "%s (%s)", text, meaning);
}

static const char *value_text(const Compare *c, const IrValue *value) { return ir_value_to_string(c->arena, value); }

static const char *decl_kind_name(IrDeclKind kind) {
    switch (kind) {
    case IR_DECL_MODEL: return "model";
    case IR_DECL_ENUM: return "enum";
    case IR_DECL_UNION: return "union";
    case IR_DECL_ALIAS: return "type alias";
    }
    return "declaration";
}

static const char *decl_kind_with_article(IrDeclKind kind) {
    return kind == IR_DECL_ENUM ? "an enum" : kind == IR_DECL_MODEL ? "a model" : kind == IR_DECL_UNION ? "a union" : "a type alias";
}

static const char *decl_label(const Compare *c, const IrDecl *decl) {
    return arena_printf(c->arena, "%s '%s'", decl_kind_name(decl->kind), decl->name);
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Pairs                                                                                                          */

static void add_pair(Compare *c, const IrDecl *old_decl, const IrDecl *new_decl, const char *old_label,
                     const char *new_label, unsigned flows) {
    const IrDecl *key_parts[2] = {old_decl, new_decl};
    Pair *pair = strmap_get(&c->pair_map, (const char *)key_parts, sizeof key_parts);
    if (pair) {
        if ((pair->flows | flows) == pair->flows) return;
        pair->flows |= flows;
    } else {
        if (c->reporting) return; /* pairing found every pair already */
        pair = ARENA_NEW(c->arena, Pair);
        pair->old_decl = old_decl;
        pair->new_decl = new_decl;
        pair->old_label = old_label ? old_label : decl_label(c, old_decl);
        pair->new_label = new_label ? new_label : decl_label(c, new_decl);
        pair->flows = flows;
        char *key = arena_alloc(c->arena, sizeof key_parts);
        memcpy(key, key_parts, sizeof key_parts);
        strmap_put(&c->pair_map, key, sizeof key_parts, pair);
        ptrvec_push(c->arena, &c->pairs, pair);
    }
    if (!c->reporting) ptrvec_push(c->arena, &c->queue, pair);
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Values                                                                                                         */

static bool values_equal(const IrValue *a, const IrValue *b) {
    bool a_number = a->kind == IR_VALUE_INT || a->kind == IR_VALUE_FLOAT;
    bool b_number = b->kind == IR_VALUE_INT || b->kind == IR_VALUE_FLOAT;
    if (a_number || b_number) return a_number && b_number && ir_compare_numbers(a, b) == 0;
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case IR_VALUE_NULL: return true;
    case IR_VALUE_BOOL: return a->bool_value == b->bool_value;
    case IR_VALUE_STRING:
        return a->text_length == b->text_length && memcmp(a->text, b->text, a->text_length) == 0;
    case IR_VALUE_ENUM: {
        /* the wire carries the member's value, not its name */
        const IrEnumMember *x = a->enum_member, *y = b->enum_member;
        if (a->enum_decl->int_enum != b->enum_decl->int_enum) return false;
        if (a->enum_decl->int_enum) return x->int_value == y->int_value;
        return x->string_value_length == y->string_value_length &&
               memcmp(x->string_value, y->string_value, x->string_value_length) == 0;
    }
    case IR_VALUE_LIST:
    case IR_VALUE_MAP:
        if (a->count != b->count) return false;
        for (size_t i = 0; i < a->count; i++) {
            if (a->kind == IR_VALUE_MAP && !values_equal(a->keys[i], b->keys[i])) return false;
            if (!values_equal(a->items[i], b->items[i])) return false;
        }
        return true;
    default: return false;
    }
}

/* A literal type's values and an enum's values are both closed sets of wire values. */
static bool literal_in(const IrValue *value, const IrType *type) {
    for (size_t i = 0; i < type->literal_count; i++)
        if (values_equal(value, type->literals[i])) return true;
    return false;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Types                                                                                                          */

static void compare_types(Compare *c, const IrType *old_type, const IrType *new_type, const char *what);

static bool is_union(const IrType *type) { return type->kind == IR_REF && type->decl->kind == IR_DECL_UNION; }

/* The scalar kind that holds the values of a literal type or an enum (int, string or bool), or -1. */
static int value_set_base(const IrType *type) {
    if (type->kind == IR_LITERAL && type->literal_count) {
        IrValueKind kind = type->literals[0]->kind;
        return kind == IR_VALUE_INT ? IR_INT : kind == IR_VALUE_STRING ? IR_STRING : IR_BOOL;
    }
    if (type->kind == IR_REF && type->decl->kind == IR_DECL_ENUM) return type->decl->int_enum ? IR_INT : IR_STRING;
    return -1;
}

static size_t value_set_count(const IrType *type) {
    return type->kind == IR_LITERAL ? type->literal_count : type->decl->member_count;
}

static IrValue value_set_item(const IrType *type, size_t i) {
    if (type->kind == IR_LITERAL) return *type->literals[i];
    const IrEnumMember *member = type->decl->members[i];
    IrValue value = {.kind = type->decl->int_enum ? IR_VALUE_INT : IR_VALUE_STRING,
                     .int_value = member->int_value,
                     .text = member->string_value,
                     .text_length = member->string_value_length};
    return value;
}

/* Whether every value of the set `inner` is in the set `outer`. */
static bool value_set_within(const IrType *inner, const IrType *outer) {
    for (size_t i = 0; i < value_set_count(inner); i++) {
        IrValue value = value_set_item(inner, i);
        bool found = false;
        for (size_t j = 0; j < value_set_count(outer) && !found; j++) {
            IrValue other = value_set_item(outer, j);
            found = values_equal(&value, &other);
        }
        if (!found) return false;
    }
    return true;
}

static const char *type_note(const Compare *c, const IrType *old_type) {
    return arena_printf(c->arena, "it was '%s' here", type_text(c, old_type));
}

/* A scalar whose wire form is a JSON string of some format: a `string` reads all of them. */
static bool is_string_format(IrTypeKind kind) {
    return kind == IR_BYTES || kind == IR_DECIMAL || kind == IR_UUID || kind == IR_TIMESTAMP || kind == IR_DATE ||
           kind == IR_TIME || kind == IR_DURATION;
}

static void type_changed(Compare *c, const IrType *old_type, const IrType *new_type, const char *what,
                         bool old_to_new, bool new_to_old) {
    report(c, BREAKING_TYPE_CHANGED, wire_breaks(c, old_to_new, new_to_old), new_type->span, old_type->span,
           type_note(c, old_type), "the type of %s changed from '%s' to '%s'",
           what, type_text(c, old_type), type_text(c, new_type));
}

/* Whether two union alternatives are the same one: by tag value in a tagged union, else by what they are. */
static const IrType *tag_type(const IrType *alternative, const char *discriminator) {
    const IrType *model = ir_resolve_alias(alternative);
    if (!model || model->kind != IR_REF || model->decl->kind != IR_DECL_MODEL) return NULL;
    for (size_t i = 0; i < model->decl->field_count; i++) {
        const IrField *field = model->decl->fields[i];
        if (strcmp(field->wire_name, discriminator) == 0) return ir_resolve_alias(field->type);
    }
    return NULL;
}

static bool same_alternative(const IrType *old_alternative, const IrType *new_alternative, const char *old_tag,
                             const char *new_tag) {
    if (old_tag && new_tag) {
        const IrType *old_values = tag_type(old_alternative, old_tag), *new_values = tag_type(new_alternative, new_tag);
        if (!old_values || !new_values || old_values->kind != IR_LITERAL || new_values->kind != IR_LITERAL) return false;
        for (size_t i = 0; i < old_values->literal_count; i++)
            if (literal_in(old_values->literals[i], new_values)) return true;
        return false;
    }
    const IrType *old_type = ir_resolve_alias(old_alternative), *new_type = ir_resolve_alias(new_alternative);
    if (!old_type || !new_type || old_type->kind != new_type->kind) return false;
    if (old_type->kind == IR_REF) return strcmp(old_type->decl->name, new_type->decl->name) == 0;
    if (old_type->kind == IR_LITERAL) {
        for (size_t i = 0; i < old_type->literal_count; i++)
            if (literal_in(old_type->literals[i], new_type)) return true;
        return false;
    }
    return true;
}

/* Whether the other version declares a declaration of this one's name. */
static bool is_known(const StrMap *names, const IrDecl *decl) {
    return strmap_get(names, decl->name, strlen(decl->name)) != NULL;
}

/* The alternatives of two unions (or of a union and a single type, when a type became a union or stopped being
 * one): matched, and the unmatched ones reported. */
static void compare_alternatives(Compare *c, IrType *const *old_alternatives, size_t old_count,
                                 IrType *const *new_alternatives, size_t new_count, const char *old_tag,
                                 const char *new_tag, const char *what, Span new_span, Span old_span) {
    size_t *match = ARENA_ARRAY(c->arena, size_t, old_count + 1); /* old index -> new index, or SIZE_MAX */
    bool *taken = ARENA_ARRAY(c->arena, bool, new_count + 1);
    for (size_t i = 0; i < old_count; i++) {
        match[i] = SIZE_MAX;
        for (size_t j = 0; j < new_count; j++) {
            if (!taken[j] && same_alternative(old_alternatives[i], new_alternatives[j], old_tag, new_tag)) {
                match[i] = j;
                taken[j] = true;
                break;
            }
        }
    }
    /* Then, in an untagged union, a renamed declaration: an old one whose name the new files lack, for a new one of
     * the same kind whose name the old files lack. (A tagged union's alternatives are their tags.) */
    for (size_t i = 0; i < old_count && !(old_tag && new_tag); i++) {
        const IrType *old_type = ir_resolve_alias(old_alternatives[i]);
        if (match[i] != SIZE_MAX || !old_type || old_type->kind != IR_REF || is_known(&c->new_names, old_type->decl))
            continue;
        for (size_t j = 0; j < new_count; j++) {
            const IrType *new_type = ir_resolve_alias(new_alternatives[j]);
            if (taken[j] || !new_type || new_type->kind != IR_REF || new_type->decl->kind != old_type->decl->kind ||
                is_known(&c->old_names, new_type->decl))
                continue;
            match[i] = j;
            taken[j] = true;
            break;
        }
    }
    size_t previous = 0;
    bool reordered = false, seen = false;
    for (size_t i = 0; i < old_count; i++) {
        const IrType *old_alternative = old_alternatives[i];
        if (match[i] == SIZE_MAX) {
            report(c, BREAKING_UNION_ALTERNATIVE_REMOVED, wire_breaks(c, false, true), new_span,
                   old_alternative->span, arena_printf(c->arena, "'%s' was an alternative here", type_text(c, old_alternative)),
                   "%s lost the alternative '%s'", what, type_text(c, old_alternative));
            continue;
        }
        if (seen && match[i] < previous) reordered = true;
        previous = match[i];
        seen = true;
        const IrType *new_alternative = new_alternatives[match[i]];
        compare_types(c, old_alternative, new_alternative,
                      arena_printf(c->arena, "the alternative '%s' of %s", type_text(c, new_alternative), what));
    }
    for (size_t j = 0; j < new_count; j++) {
        if (taken[j]) continue;
        report(c, BREAKING_UNION_ALTERNATIVE_ADDED, wire_breaks(c, true, false), new_alternatives[j]->span, old_span,
               arena_printf(c->arena, "'%s' was not an alternative here", type_text(c, new_alternatives[j])),
               "%s gained the alternative '%s'", what, type_text(c, new_alternatives[j]));
    }
    if (reordered && !old_tag && !new_tag)
        report(c, BREAKING_UNION_ORDER_CHANGED, wire_breaks(c, false, false), new_span, old_span,
               "the order was this here", "the alternatives of %s are in another order: a decoder may choose another one",
               what);
}

/* Compares two types at the same place; `what` names the place ("field 'x' of model 'P'"). */
static void compare_types(Compare *c, const IrType *old_type, const IrType *new_type, const char *what) {
    if (!old_type || !new_type) return;
    bool old_nullable = false, new_nullable = false;
    const IrType *old_resolved = ir_resolve_alias_nullable(old_type, &old_nullable);
    const IrType *new_resolved = ir_resolve_alias_nullable(new_type, &new_nullable);
    if (!old_resolved || !new_resolved) return;
    Span new_span = new_type->span, old_span = old_type->span;
    /* `any` holds null either way */
    bool both_any = old_resolved->kind == IR_ANY && new_resolved->kind == IR_ANY;
    if (old_nullable && !new_nullable && !both_any)
        report(c, BREAKING_BECAME_NON_NULLABLE, wire_breaks(c, false, true), new_span, old_span,
               type_note(c, old_type), "%s may no longer be null", what);
    if (!old_nullable && new_nullable && !both_any)
        report(c, BREAKING_BECAME_NULLABLE, wire_breaks(c, true, false), new_span, old_span, type_note(c, old_type),
               "%s may now be null", what);

    bool old_union = is_union(old_resolved), new_union = is_union(new_resolved);
    if (old_union && new_union) {
        /* a union hoisted from an inline one is named in messages by where it stands */
        add_pair(c, old_resolved->decl, new_resolved->decl, old_resolved->decl->synthesized ? what : NULL,
                 new_resolved->decl->synthesized ? what : NULL, c->flows);
        return;
    }
    if (old_union || new_union) {
        IrType *const *old_alternatives = old_union ? old_resolved->decl->alternatives : (IrType *const *)&old_resolved;
        IrType *const *new_alternatives = new_union ? new_resolved->decl->alternatives : (IrType *const *)&new_resolved;
        compare_alternatives(c, old_alternatives, old_union ? old_resolved->decl->alternative_count : 1,
                             new_alternatives, new_union ? new_resolved->decl->alternative_count : 1,
                             old_union ? old_resolved->decl->discriminator : NULL,
                             new_union ? new_resolved->decl->discriminator : NULL, what, new_span, old_span);
        return;
    }

    IrTypeKind old_kind = old_resolved->kind, new_kind = new_resolved->kind;
    if (old_kind == IR_REF && new_kind == IR_REF && old_resolved->decl->kind == new_resolved->decl->kind) {
        add_pair(c, old_resolved->decl, new_resolved->decl, NULL, NULL, c->flows);
        return;
    }
    if (old_kind == IR_LITERAL && new_kind == IR_LITERAL &&
        old_resolved->literals[0]->kind == new_resolved->literals[0]->kind) {
        for (size_t i = 0; i < old_resolved->literal_count; i++) {
            if (literal_in(old_resolved->literals[i], new_resolved)) continue;
            report(c, BREAKING_LITERAL_REMOVED, wire_breaks(c, false, true), new_span, old_span, type_note(c, old_type),
                   "%s no longer accepts %s", what, value_text(c, old_resolved->literals[i]));
        }
        for (size_t i = 0; i < new_resolved->literal_count; i++) {
            if (literal_in(new_resolved->literals[i], old_resolved)) continue;
            report(c, BREAKING_LITERAL_ADDED, wire_breaks(c, true, false), new_span, old_span, type_note(c, old_type),
                   "%s now accepts %s", what, value_text(c, new_resolved->literals[i]));
        }
        return;
    }
    if (old_kind == new_kind && ir_type_is_scalar(old_resolved)) return;
    if (old_kind == IR_LIST && new_kind == IR_LIST) {
        compare_types(c, old_resolved->element, new_resolved->element, arena_printf(c->arena, "the items of %s", what));
        return;
    }
    if (old_kind == IR_MAP && new_kind == IR_MAP) {
        compare_types(c, old_resolved->key, new_resolved->key, arena_printf(c->arena, "the keys of %s", what));
        compare_types(c, old_resolved->element, new_resolved->element, arena_printf(c->arena, "the values of %s", what));
        return;
    }
    /* The changes that keep one direction readable: a wider type reads every value of a narrower one. */
    int old_base = value_set_base(old_resolved), new_base = value_set_base(new_resolved);
    bool old_to_new = false, new_to_old = false;
    if (new_kind == IR_ANY) old_to_new = true;
    else if (old_kind == IR_ANY) new_to_old = true;
    else if (old_kind == IR_INT && new_kind == IR_FLOAT) old_to_new = true;
    else if (is_string_format(old_kind) && new_kind == IR_STRING) old_to_new = true;
    else if (old_kind == IR_STRING && is_string_format(new_kind)) new_to_old = true;
    else if (old_kind == IR_FLOAT && new_kind == IR_INT) new_to_old = true;
    else if (old_base >= 0 && old_base == new_base) {
        /* a literal type became an enum of the same values, or the reverse: only the SDKs see it */
        old_to_new = value_set_within(old_resolved, new_resolved);
        new_to_old = value_set_within(new_resolved, old_resolved);
        if (old_to_new && new_to_old) return;
    } else if (old_base >= 0 && (int)new_kind == old_base) old_to_new = true;
    else if (new_base >= 0 && (int)old_kind == new_base) new_to_old = true;
    type_changed(c, old_type, new_type, what, old_to_new, new_to_old);
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Constraints                                                                                                    */

/* One end of a @range: the value and whether it is excluded (gt, lt). */
typedef struct Bound {
    bool present;
    IrValue value;
    bool strict;
} Bound;

/* The effective lower (or upper) bound of a @range: the stricter of ge and gt (le and lt). For an int field an
 * excluded integer bound is the included one next to it, so `gt: 0` and `ge: 1` are the same. */
static Bound range_bound(const IrConstraints *constraints, bool lower, bool integer) {
    Bound bound = {false, {0}, false};
    const IrValue *candidates[2] = {lower ? (constraints->has_ge ? constraints->ge : NULL)
                                          : (constraints->has_le ? constraints->le : NULL),
                                    lower ? (constraints->has_gt ? constraints->gt : NULL)
                                          : (constraints->has_lt ? constraints->lt : NULL)};
    for (int i = 0; i < 2; i++) {
        if (!candidates[i]) continue;
        Bound candidate = {true, *candidates[i], i == 1};
        if (candidate.strict && integer && candidate.value.kind == IR_VALUE_INT) {
            int64_t v = candidate.value.int_value;
            if (lower ? v < INT64_MAX : v > INT64_MIN) {
                candidate.value.int_value = lower ? v + 1 : v - 1;
                candidate.strict = false;
            }
        }
        if (!bound.present) {
            bound = candidate;
            continue;
        }
        int order = ir_compare_numbers(&candidate.value, &bound.value);
        if ((lower ? order > 0 : order < 0) || (order == 0 && candidate.strict)) bound = candidate;
    }
    return bound;
}

/* Whether `inner` is a stricter lower (upper) bound than `outer`: it excludes a value that `outer` accepts. */
static bool bound_narrower(const Bound *inner, const Bound *outer, bool lower) {
    if (!inner->present) return false;
    if (!outer->present) return true;
    int order = ir_compare_numbers(&inner->value, &outer->value);
    if (order != 0) return lower ? order > 0 : order < 0;
    return inner->strict && !outer->strict;
}

static const char *range_text(const Compare *c, const IrConstraints *k) {
    if (!k->has_ge && !k->has_gt && !k->has_le && !k->has_lt) return "no @range";
    char *text = arena_strdup(c->arena, "@range(");
    const char *separator = "";
    if (k->has_ge) text = arena_printf(c->arena, "%s%sge: %s", text, separator, value_text(c, k->ge)), separator = ", ";
    if (k->has_gt) text = arena_printf(c->arena, "%s%sgt: %s", text, separator, value_text(c, k->gt)), separator = ", ";
    if (k->has_le) text = arena_printf(c->arena, "%s%sle: %s", text, separator, value_text(c, k->le)), separator = ", ";
    if (k->has_lt) text = arena_printf(c->arena, "%s%slt: %s", text, separator, value_text(c, k->lt));
    return arena_printf(c->arena, "%s)", text);
}

static const char *length_text(const Compare *c, const IrConstraints *k) {
    bool has_min = k->has_min_length && k->min_length > 0;
    if (!has_min && !k->has_max_length) return "no @length";
    if (has_min && k->has_max_length)
        return arena_printf(c->arena, "@length(min: %lld, max: %lld)", (long long)k->min_length,
                            (long long)k->max_length);
    if (has_min) return arena_printf(c->arena, "@length(min: %lld)", (long long)k->min_length);
    return arena_printf(c->arena, "@length(max: %lld)", (long long)k->max_length);
}

static const char *pattern_text(const Compare *c, const IrConstraints *k) {
    if (!k->pattern) return "no @pattern";
    return arena_printf(c->arena, "@pattern(%s)", ir_value_to_string(c->arena, &(IrValue){
                                                                                    .kind = IR_VALUE_STRING,
                                                                                    .text = k->pattern,
                                                                                    .text_length = strlen(k->pattern),
                                                                                }));
}

static void report_constraint(Compare *c, bool narrower, bool wider, const char *kind, const char *what,
                              const char *old_text, const char *new_text, Span new_span, Span old_span) {
    if (!c->reporting) return;
    const char *note = arena_printf(c->arena, "it had %s here", old_text);
    if (narrower)
        report(c, BREAKING_CONSTRAINT_NARROWED, wire_breaks(c, false, true), new_span, old_span, note,
               "the %s of %s accepts less: %s", kind, what, new_text);
    if (wider)
        report(c, BREAKING_CONSTRAINT_WIDENED, wire_breaks(c, true, false), new_span, old_span, note,
               "the %s of %s accepts more: %s", kind, what, new_text);
}

static void compare_constraints(Compare *c, const IrField *old_field, const IrField *new_field, const char *what) {
    const IrConstraints *o = old_field->constraints, *n = new_field->constraints;
    const IrType *new_type = ir_resolve_alias(new_field->type);
    bool integer = new_type && new_type->kind == IR_INT;
    Span new_span = new_field->span, old_span = old_field->span;

    Bound old_lower = range_bound(o, true, integer), new_lower = range_bound(n, true, integer);
    Bound old_upper = range_bound(o, false, integer), new_upper = range_bound(n, false, integer);
    bool narrower = bound_narrower(&new_lower, &old_lower, true) || bound_narrower(&new_upper, &old_upper, false);
    bool wider = bound_narrower(&old_lower, &new_lower, true) || bound_narrower(&old_upper, &new_upper, false);
    if (narrower || wider)
        report_constraint(c, narrower, wider, "@range", what, range_text(c, o), range_text(c, n), new_span, old_span);

    int64_t old_min = o->has_min_length ? o->min_length : 0, new_min = n->has_min_length ? n->min_length : 0;
    narrower = new_min > old_min || (n->has_max_length && (!o->has_max_length || n->max_length < o->max_length));
    wider = new_min < old_min || (o->has_max_length && (!n->has_max_length || n->max_length > o->max_length));
    if (narrower || wider)
        report_constraint(c, narrower, wider, "@length", what, length_text(c, o), length_text(c, n), new_span,
                          old_span);

    if (o->pattern && n->pattern && strcmp(o->pattern, n->pattern) != 0)
        report(c, BREAKING_PATTERN_CHANGED, wire_breaks(c, false, false), new_span, old_span,
               arena_printf(c->arena, "it had %s here", pattern_text(c, o)), "the @pattern of %s changed: %s", what,
               pattern_text(c, n));
    else if (!o->pattern != !n->pattern)
        report_constraint(c, n->pattern && !o->pattern, o->pattern && !n->pattern, "@pattern", what, pattern_text(c, o),
                          pattern_text(c, n), new_span, old_span);
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Declarations                                                                                                   */

static const char *default_text(const Compare *c, const IrField *field) {
    return field->default_value ? value_text(c, field->default_value) : "none (absent stays absent)";
}

/* Whom a change of a field's presence (`?` or a default gained or lost) breaks. Presence is the writer's freedom
 * to leave the field out, and only clients use it: the SDKs send only the parameters that were set, while servers
 * write every field of a result, defaults included (the bridge serializes the whole result model). So in a request
 * it breaks as wire_breaks says, and in a result it breaks no one: a result field that must now be given was sent
 * by the old server all the same, one that may now be left out is still sent by the new server. */
static unsigned presence_breaks(const Compare *c, bool old_to_new, bool new_to_old) {
    unsigned breaks = 0;
    if ((c->flows & FLOW_REQUEST) && !old_to_new) breaks |= BREAKS_OLD_CLIENTS;
    if ((c->flows & FLOW_REQUEST) && !new_to_old) breaks |= BREAKS_NEW_CLIENTS;
    return breaks;
}

static void compare_fields(Compare *c, const IrField *old_field, const IrField *new_field, const char *what) {
    bool old_required = ir_field_is_required(old_field), new_required = ir_field_is_required(new_field);
    if (old_required && !new_required)
        report(c, BREAKING_FIELD_NOW_OPTIONAL, presence_breaks(c, true, false), new_field->span, old_field->span,
               "it was required here", "%s may now be left out", what);
    if (!old_required && new_required)
        report(c, BREAKING_FIELD_NOW_REQUIRED, presence_breaks(c, false, true), new_field->span, old_field->span,
               "it could be left out here", "%s must now be given", what);
    /* Both may be left out, and what the receiver sees then changed. */
    if (!old_required && !new_required &&
        (old_field->default_value && new_field->default_value
             ? !values_equal(old_field->default_value, new_field->default_value)
             : old_field->default_value != NULL || new_field->default_value != NULL))
        report(c, BREAKING_DEFAULT_CHANGED, wire_breaks(c, false, false), new_field->span, old_field->span,
               arena_printf(c->arena, "the default was %s here", default_text(c, old_field)),
               "the default of %s changed from %s to %s", what, default_text(c, old_field),
               default_text(c, new_field));
    compare_types(c, old_field->type, new_field->type, what);
    compare_constraints(c, old_field, new_field, what);
}

static const IrField *find_field(const IrDecl *decl, bool by_wire_name, const char *name, const bool *taken) {
    for (size_t i = 0; i < decl->field_count; i++) {
        const IrField *field = decl->fields[i];
        if (!taken[i] && strcmp(by_wire_name ? field->wire_name : field->name, name) == 0) return field;
    }
    return NULL;
}

static size_t field_index(const IrDecl *decl, const IrField *field) {
    size_t i = 0;
    while (decl->fields[i] != field) i++;
    return i;
}

static void compare_models(Compare *c, const Pair *pair) {
    const IrDecl *old_decl = pair->old_decl, *new_decl = pair->new_decl;
    bool *old_taken = ARENA_ARRAY(c->arena, bool, old_decl->field_count + 1);
    bool *new_taken = ARENA_ARRAY(c->arena, bool, new_decl->field_count + 1);
    /* By name first (a field whose wire name changed is still the SDKs' field), then by wire name (a renamed
     * field whose wire name stayed). */
    for (int by_wire_name = 0; by_wire_name < 2; by_wire_name++) {
        for (size_t i = 0; i < old_decl->field_count; i++) {
            if (old_taken[i]) continue;
            const IrField *old_field = old_decl->fields[i];
            const IrField *new_field =
                find_field(new_decl, by_wire_name, by_wire_name ? old_field->wire_name : old_field->name, new_taken);
            if (!new_field) continue;
            old_taken[i] = true;
            new_taken[field_index(new_decl, new_field)] = true;
            const char *what = arena_printf(c->arena, "field '%s' of %s", new_field->name, pair->new_label);
            if (by_wire_name)
                report(c, BREAKING_FIELD_RENAMED, BREAKS_CODE, new_field->span, old_field->span,
                       arena_printf(c->arena, "it was named '%s' here", old_field->name),
                       "field '%s' of %s was renamed from '%s' (the wire name '%s' is the same)", new_field->name,
                       pair->new_label, old_field->name, new_field->wire_name);
            else if (strcmp(old_field->wire_name, new_field->wire_name) != 0)
                report(c, BREAKING_FIELD_WIRE_NAME_CHANGED, wire_breaks(c, false, false), new_field->wire_name_span,
                       old_field->wire_name_span, arena_printf(c->arena, "its wire name was '%s' here", old_field->wire_name),
                       "the wire name of %s changed from '%s' to '%s'", what, old_field->wire_name,
                       new_field->wire_name);
            compare_fields(c, old_field, new_field, what);
        }
    }
    for (size_t i = 0; i < old_decl->field_count; i++) {
        if (old_taken[i]) continue;
        const IrField *old_field = old_decl->fields[i];
        /* The old side never sends it again; a reader of the old side misses it if it had to be there. */
        report(c, BREAKING_FIELD_REMOVED, BREAKS_CODE | wire_breaks(c, true, !ir_field_is_required(old_field)),
               new_decl->span, old_field->span, arena_printf(c->arena, "'%s' was declared here", old_field->name),
               "field '%s' was removed from %s", old_field->name, pair->new_label);
    }
    for (size_t j = 0; j < new_decl->field_count; j++) {
        const IrField *new_field = new_decl->fields[j];
        if (new_taken[j] || !ir_field_is_required(new_field)) continue;
        report(c, BREAKING_FIELD_ADDED_REQUIRED, wire_breaks(c, false, true), new_field->span, old_decl->span,
               arena_printf(c->arena, "%s had no field '%s' here", pair->old_label, new_field->wire_name),
               "field '%s' of %s is new and must be given", new_field->name, pair->new_label);
    }
}

static bool member_value_equal(const IrDecl *enum_decl, const IrEnumMember *a, const IrEnumMember *b) {
    if (enum_decl->int_enum) return a->int_value == b->int_value;
    return a->string_value_length == b->string_value_length &&
           memcmp(a->string_value, b->string_value, a->string_value_length) == 0;
}

static const char *member_value_text(const Compare *c, const IrDecl *enum_decl, const IrEnumMember *member) {
    IrValue value = {.kind = enum_decl->int_enum ? IR_VALUE_INT : IR_VALUE_STRING,
                     .int_value = member->int_value,
                     .text = member->string_value,
                     .text_length = member->string_value_length};
    return value_text(c, &value);
}

static void compare_enums(Compare *c, const Pair *pair) {
    const IrDecl *old_decl = pair->old_decl, *new_decl = pair->new_decl;
    if (old_decl->int_enum != new_decl->int_enum) {
        report(c, BREAKING_TYPE_CHANGED, wire_breaks(c, false, false), new_decl->span, old_decl->span,
               arena_printf(c->arena, "it had %s values here", old_decl->int_enum ? "int" : "string"),
               "the values of %s changed from %s to %s", pair->new_label, old_decl->int_enum ? "int" : "string",
               new_decl->int_enum ? "int" : "string");
        return;
    }
    bool *old_taken = ARENA_ARRAY(c->arena, bool, old_decl->member_count + 1);
    bool *new_taken = ARENA_ARRAY(c->arena, bool, new_decl->member_count + 1);
    /* By name first, then by value (a renamed member). */
    for (int by_value = 0; by_value < 2; by_value++) {
        for (size_t i = 0; i < old_decl->member_count; i++) {
            if (old_taken[i]) continue;
            const IrEnumMember *old_member = old_decl->members[i];
            for (size_t j = 0; j < new_decl->member_count; j++) {
                const IrEnumMember *new_member = new_decl->members[j];
                if (new_taken[j]) continue;
                if (by_value ? !member_value_equal(old_decl, old_member, new_member)
                             : strcmp(old_member->name, new_member->name) != 0)
                    continue;
                old_taken[i] = new_taken[j] = true;
                if (by_value)
                    report(c, BREAKING_ENUM_MEMBER_RENAMED, BREAKS_CODE, new_member->span, old_member->span,
                           arena_printf(c->arena, "it was named '%s' here", old_member->name),
                           "member '%s' of %s was renamed from '%s' (the value %s is the same)", new_member->name,
                           pair->new_label, old_member->name, member_value_text(c, new_decl, new_member));
                else if (!member_value_equal(old_decl, old_member, new_member))
                    report(c, BREAKING_ENUM_VALUE_CHANGED, wire_breaks(c, false, false), new_member->span,
                           old_member->span,
                           arena_printf(c->arena, "its value was %s here", member_value_text(c, old_decl, old_member)),
                           "the value of member '%s' of %s changed from %s to %s", new_member->name, pair->new_label,
                           member_value_text(c, old_decl, old_member), member_value_text(c, new_decl, new_member));
                break;
            }
        }
    }
    for (size_t i = 0; i < old_decl->member_count; i++) {
        if (old_taken[i]) continue;
        const IrEnumMember *old_member = old_decl->members[i];
        report(c, BREAKING_ENUM_MEMBER_REMOVED, BREAKS_CODE | wire_breaks(c, false, true), new_decl->span,
               old_member->span, arena_printf(c->arena, "'%s' was declared here", old_member->name),
               "member '%s' (%s) was removed from %s", old_member->name, member_value_text(c, old_decl, old_member),
               pair->new_label);
    }
    for (size_t j = 0; j < new_decl->member_count; j++) {
        if (new_taken[j]) continue;
        const IrEnumMember *new_member = new_decl->members[j];
        report(c, BREAKING_ENUM_MEMBER_ADDED, wire_breaks(c, true, false), new_member->span, old_decl->span,
               arena_printf(c->arena, "%s had no value %s here", pair->old_label,
                            member_value_text(c, new_decl, new_member)),
               "member '%s' (%s) was added to %s", new_member->name, member_value_text(c, new_decl, new_member),
               pair->new_label);
    }
}

static void compare_unions(Compare *c, const Pair *pair) {
    const IrDecl *old_decl = pair->old_decl, *new_decl = pair->new_decl;
    if (old_decl->discriminator && new_decl->discriminator &&
        strcmp(old_decl->discriminator, new_decl->discriminator) != 0) {
        report(c, BREAKING_DISCRIMINATOR_CHANGED, wire_breaks(c, false, false), new_decl->span, old_decl->span,
               arena_printf(c->arena, "it was '%s' here", old_decl->discriminator),
               "the discriminator of %s changed from '%s' to '%s'", pair->new_label, old_decl->discriminator,
               new_decl->discriminator);
    }
    compare_alternatives(c, old_decl->alternatives, old_decl->alternative_count, new_decl->alternatives,
                         new_decl->alternative_count, old_decl->discriminator, new_decl->discriminator,
                         pair->new_label, new_decl->span, old_decl->span);
}

static void compare_pair(Compare *c, const Pair *pair) {
    c->flows = pair->flows;
    switch (pair->new_decl->kind) {
    case IR_DECL_MODEL: compare_models(c, pair); break;
    case IR_DECL_ENUM: compare_enums(c, pair); break;
    case IR_DECL_UNION: compare_unions(c, pair); break;
    case IR_DECL_ALIAS: break; /* never paired: aliases are seen through */
    }
}

/* `()` parameters: an empty model at the rpc, so that `()` -> `(P)` compares fields like any other model. */
static const IrDecl *params_or_empty(Compare *c, const IrRpc *rpc) {
    if (rpc->params) return rpc->params;
    IrDecl *empty = ARENA_NEW(c->arena, IrDecl);
    empty->kind = IR_DECL_MODEL;
    empty->name = "()";
    empty->span = rpc->span;
    return empty;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Methods and declarations                                                                                       */

static void index_names(Compare *c, StrMap *map, const IrProgram *program) {
    strmap_init(map, c->arena);
    for (size_t i = 0; i < program->decl_count; i++) {
        const IrDecl *decl = program->decls[i];
        if (!decl->synthesized) strmap_put(map, decl->name, strlen(decl->name), (void *)decl);
    }
}

static void pair_methods(Compare *c) {
    StrMap new_methods;
    strmap_init(&new_methods, c->arena);
    for (size_t i = 0; i < c->new_program->rpc_count; i++) {
        const IrRpc *rpc = c->new_program->rpcs[i];
        strmap_put(&new_methods, rpc->method, strlen(rpc->method), (void *)rpc);
    }
    for (size_t i = 0; i < c->old_program->rpc_count; i++) {
        const IrRpc *old_rpc = c->old_program->rpcs[i];
        const IrRpc *new_rpc = strmap_get(&new_methods, old_rpc->method, strlen(old_rpc->method));
        if (!new_rpc) continue; /* reported by report_removed_methods */
        const char *old_label = old_rpc->params ? NULL : arena_printf(c->arena, "the parameters of '%s'", old_rpc->method);
        const char *new_label = new_rpc->params ? NULL : arena_printf(c->arena, "the parameters of '%s'", new_rpc->method);
        if (old_rpc->params || new_rpc->params)
            add_pair(c, params_or_empty(c, old_rpc), params_or_empty(c, new_rpc), old_label, new_label, FLOW_REQUEST);
        /* A method that became or stopped being one-way has one result or none: report_oneway_changes. */
        if (old_rpc->result && new_rpc->result)
            add_pair(c, old_rpc->result, new_rpc->result, NULL, NULL, FLOW_RESPONSE);
    }
}

static void report_removed_methods(Compare *c) {
    StrMap new_methods;
    strmap_init(&new_methods, c->arena);
    for (size_t i = 0; i < c->new_program->rpc_count; i++) {
        const IrRpc *rpc = c->new_program->rpcs[i];
        strmap_put(&new_methods, rpc->method, strlen(rpc->method), (void *)rpc);
    }
    for (size_t i = 0; i < c->old_program->rpc_count; i++) {
        const IrRpc *old_rpc = c->old_program->rpcs[i];
        if (strmap_get(&new_methods, old_rpc->method, strlen(old_rpc->method))) continue;
        report(c, BREAKING_METHOD_REMOVED, BREAKS_OLD_CLIENTS | BREAKS_CODE, no_span, old_rpc->span,
               arena_printf(c->arena, "'%s' was declared here", old_rpc->method), "method '%s' was removed",
               old_rpc->method);
    }
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Channels                                                                                                       */

/* The channel's wire pattern (ir_channel_wire_pattern), in the comparison's arena. */
static const char *channel_wire_pattern(const Compare *c, const IrChannel *channel, bool typed) {
    StrBuf text;
    strbuf_init(&text);
    ir_channel_wire_pattern(channel, typed, &text);
    const char *result = arena_strndup(c->arena, strbuf_cstr(&text), text.len);
    strbuf_free(&text);
    return result;
}

static const IrChannel *find_channel_by_name(const IrProgram *program, const char *name) {
    for (size_t i = 0; i < program->channel_count; i++)
        if (strcmp(program->channels[i]->name, name) == 0) return program->channels[i];
    return NULL;
}

/* The new version of an old channel: the one of its name, else one of another name (not in the old file) that has
 * its pattern (*renamed is set then). */
static const IrChannel *match_channel(const Compare *c, const IrChannel *old_channel, bool *renamed) {
    *renamed = false;
    const IrChannel *same_name = find_channel_by_name(c->new_program, old_channel->name);
    if (same_name) return same_name;
    const char *pattern = channel_wire_pattern(c, old_channel, true);
    for (size_t i = 0; i < c->new_program->channel_count; i++) {
        const IrChannel *candidate = c->new_program->channels[i];
        if (find_channel_by_name(c->old_program, candidate->name)) continue;
        if (strcmp(channel_wire_pattern(c, candidate, true), pattern) == 0) {
            *renamed = true;
            return candidate;
        }
    }
    return NULL;
}

static const IrDecl *publication_decl(const IrChannel *channel) {
    const IrType *type = ir_resolve_alias(channel->publication_type);
    return type && type->kind == IR_REF ? type->decl : NULL;
}

static void pair_channels(Compare *c) {
    for (size_t i = 0; i < c->old_program->channel_count; i++) {
        const IrChannel *old_channel = c->old_program->channels[i];
        bool renamed;
        const IrChannel *new_channel = match_channel(c, old_channel, &renamed);
        if (!new_channel) continue;
        const IrDecl *old_decl = publication_decl(old_channel), *new_decl = publication_decl(new_channel);
        if (!old_decl || !new_decl || old_decl->kind != new_decl->kind) continue; /* channel-publication-changed */
        unsigned flows = FLOW_RESPONSE;
        if (old_channel->client_publish && new_channel->client_publish) flows |= FLOW_REQUEST;
        add_pair(c, old_decl, new_decl, NULL, NULL, flows);
    }
}

static const IrChannelParam *find_channel_param(const IrChannel *channel, const char *name) {
    for (size_t i = 0; i < channel->param_count; i++)
        if (strcmp(channel->params[i]->name, name) == 0) return channel->params[i];
    return NULL;
}

static const char *history_text(const Compare *c, const IrChannel *channel) {
    return arena_printf(c->arena, "@history(size: %lld, ttl: %lld)", (long long)channel->history_size,
                        (long long)channel->history_ttl_seconds);
}

static void compare_channel_params(Compare *c, const IrChannel *old_channel, const IrChannel *new_channel) {
    for (size_t i = 0; i < old_channel->param_count; i++) {
        const IrChannelParam *old_param = old_channel->params[i];
        const IrChannelParam *new_param = find_channel_param(new_channel, old_param->name);
        if (!new_param) {
            report(c, BREAKING_CHANNEL_PARAM_REMOVED, BREAKS_CODE, new_channel->span, old_param->span,
                   "it was declared here", "parameter '%s' of channel '%s' was removed", old_param->name,
                   new_channel->name);
            continue;
        }
        const IrType *old_type = ir_resolve_alias(old_param->type), *new_type = ir_resolve_alias(new_param->type);
        if (!old_type || !new_type || old_type->kind == new_type->kind) continue;
        /* Any int's decimal text is a string, not the reverse: an old client may send "abc" where the new server
         * reads an int, a new client where the old server does. */
        unsigned breaks = BREAKS_CODE | (new_type->kind == IR_INT ? BREAKS_OLD_CLIENTS : BREAKS_NEW_CLIENTS);
        report(c, BREAKING_CHANNEL_PARAM_TYPE_CHANGED, breaks, new_param->type->span, old_param->type->span,
               arena_printf(c->arena, "it was %s here", ir_type_kind_name(old_type->kind)),
               "parameter '%s' of channel '%s' changed from %s to %s", new_param->name, new_channel->name,
               ir_type_kind_name(old_type->kind), ir_type_kind_name(new_type->kind));
    }
    for (size_t i = 0; i < new_channel->param_count; i++) {
        const IrChannelParam *new_param = new_channel->params[i];
        if (find_channel_param(old_channel, new_param->name)) continue;
        report(c, BREAKING_CHANNEL_PARAM_ADDED, BREAKS_CODE, new_param->span, old_channel->span,
               "the channel was declared here", "channel '%s' has a new parameter '%s'", new_channel->name,
               new_param->name);
    }
}

static void compare_channel_options(Compare *c, const IrChannel *old_channel, const IrChannel *new_channel) {
    Span new_history = new_channel->history_span.file ? new_channel->history_span : new_channel->span;
    if (old_channel->history && !new_channel->history)
        report(c, BREAKING_CHANNEL_HISTORY_REMOVED, BREAKS_OLD_CLIENTS, new_channel->span, old_channel->history_span,
               "it kept history here", "channel '%s' no longer keeps history: subscribers can no longer recover what "
               "they missed", new_channel->name);
    else if (old_channel->history && new_channel->history &&
             (old_channel->history_size != new_channel->history_size ||
              old_channel->history_ttl_seconds != new_channel->history_ttl_seconds))
        report(c, BREAKING_CHANNEL_HISTORY_CHANGED, BREAKS_OLD_CLIENTS | BREAKS_NEW_CLIENTS, new_history,
               old_channel->history_span, "it was here", "channel '%s' keeps %s instead of %s: subscribers recover "
               "from another window", new_channel->name, history_text(c, new_channel), history_text(c, old_channel));
    if (old_channel->client_publish && !new_channel->client_publish)
        report(c, BREAKING_CHANNEL_PUBLISH_REMOVED, BREAKS_OLD_CLIENTS | BREAKS_CODE, new_channel->span,
               old_channel->publish_span, "it was allowed here",
               "clients may no longer publish into channel '%s' (@publish is gone)", new_channel->name);
    if (old_channel->subscribe != new_channel->subscribe) {
        /* "any" admits every client; "user" and "guard" admit some, and not the same ones. */
        unsigned breaks = old_channel->subscribe == IR_SUBSCRIBE_ANY   ? BREAKS_OLD_CLIENTS
                          : new_channel->subscribe == IR_SUBSCRIBE_ANY ? BREAKS_NEW_CLIENTS
                                                                       : BREAKS_OLD_CLIENTS | BREAKS_NEW_CLIENTS;
        Span new_span = new_channel->subscribe_span.file ? new_channel->subscribe_span : new_channel->span;
        Span old_span = old_channel->subscribe_span.file ? old_channel->subscribe_span : old_channel->span;
        report(c, BREAKING_CHANNEL_SUBSCRIBE_CHANGED, breaks, new_span, old_span,
               arena_printf(c->arena, "it was \"%s\"%s here", ir_channel_subscribe_name(old_channel->subscribe),
                            old_channel->subscribe_given ? "" : " by default"),
               "who may subscribe to channel '%s' changed from \"%s\" to \"%s\"", new_channel->name,
               ir_channel_subscribe_name(old_channel->subscribe), ir_channel_subscribe_name(new_channel->subscribe));
    }
}

static void report_channels(Compare *c) {
    for (size_t i = 0; i < c->old_program->channel_count; i++) {
        const IrChannel *old_channel = c->old_program->channels[i];
        bool renamed;
        const IrChannel *new_channel = match_channel(c, old_channel, &renamed);
        if (!new_channel) {
            report(c, BREAKING_CHANNEL_REMOVED, BREAKS_OLD_CLIENTS | BREAKS_CODE, no_span, old_channel->span,
                   arena_printf(c->arena, "'%s' was declared here", old_channel->name), "channel '%s' was removed",
                   old_channel->name);
            continue;
        }
        if (renamed)
            report(c, BREAKING_CHANNEL_RENAMED, BREAKS_CODE, new_channel->span, old_channel->span,
                   arena_printf(c->arena, "it was named '%s' here", old_channel->name),
                   "channel '%s' was renamed to '%s'", old_channel->name, new_channel->name);
        const char *old_shape = channel_wire_pattern(c, old_channel, false);
        const char *new_shape = channel_wire_pattern(c, new_channel, false);
        if (strcmp(old_shape, new_shape) != 0)
            report(c, BREAKING_CHANNEL_PATTERN_CHANGED, BREAKS_OLD_CLIENTS | BREAKS_NEW_CLIENTS,
                   new_channel->pattern_span, old_channel->pattern_span, "it was this pattern here",
                   "the pattern of channel '%s' names other channels: \"%s\" instead of \"%s\"", new_channel->name,
                   new_channel->pattern, old_channel->pattern);
        compare_channel_params(c, old_channel, new_channel);
        const IrDecl *old_decl = publication_decl(old_channel), *new_decl = publication_decl(new_channel);
        if (old_decl && new_decl && old_decl->kind != new_decl->kind)
            report(c, BREAKING_CHANNEL_PUBLICATION_CHANGED, BREAKS_OLD_CLIENTS | BREAKS_NEW_CLIENTS | BREAKS_CODE,
                   new_channel->publication_type->span, old_channel->publication_type->span,
                   arena_printf(c->arena, "it was %s here", decl_kind_with_article(old_decl->kind)),
                   "the publications of channel '%s' changed from %s to %s", new_channel->name,
                   decl_kind_with_article(old_decl->kind), decl_kind_with_article(new_decl->kind));
        compare_channel_options(c, old_channel, new_channel);
    }
}

/* One side waits for a result the other never sends (or sends one nobody reads, and the SDK method has another
 * signature): both directions and the code break. */
static void report_oneway_changes(Compare *c) {
    StrMap new_methods;
    strmap_init(&new_methods, c->arena);
    for (size_t i = 0; i < c->new_program->rpc_count; i++) {
        const IrRpc *rpc = c->new_program->rpcs[i];
        strmap_put(&new_methods, rpc->method, strlen(rpc->method), (void *)rpc);
    }
    for (size_t i = 0; i < c->old_program->rpc_count; i++) {
        const IrRpc *old_rpc = c->old_program->rpcs[i];
        const IrRpc *new_rpc = strmap_get(&new_methods, old_rpc->method, strlen(old_rpc->method));
        if (!new_rpc || new_rpc->oneway == old_rpc->oneway) continue;
        if (new_rpc->oneway)
            report(c, BREAKING_METHOD_ONEWAY_CHANGED, BREAKS_OLD_CLIENTS | BREAKS_NEW_CLIENTS | BREAKS_CODE,
                   new_rpc->span, old_rpc->span, "it answered here", "method '%s' became @oneway: it no longer answers",
                   new_rpc->method);
        else
            report(c, BREAKING_METHOD_ONEWAY_CHANGED, BREAKS_OLD_CLIENTS | BREAKS_NEW_CLIENTS | BREAKS_CODE,
                   new_rpc->span, old_rpc->span, "it was @oneway here", "method '%s' is no longer @oneway: it now answers",
                   new_rpc->method);
    }
}

/* Declarations that no method pairs: paired by name, for the code rules. */
static void pair_by_name(Compare *c) {
    for (size_t i = 0; i < c->old_program->decl_count; i++) {
        const IrDecl *old_decl = c->old_program->decls[i];
        if (old_decl->synthesized || old_decl->kind == IR_DECL_ALIAS) continue;
        const IrDecl *new_decl = strmap_get(&c->new_names, old_decl->name, strlen(old_decl->name));
        if (new_decl && new_decl->kind == old_decl->kind) add_pair(c, old_decl, new_decl, NULL, NULL, 0);
    }
}

static void drain_queue(Compare *c) {
    /* The queue grows while it is walked; a pair is queued again when it gains a direction. */
    for (size_t i = 0; i < c->queue.count; i++) compare_pair(c, c->queue.items[i]);
    c->queue.count = 0;
}

/* A declaration of the old file that the new one lacks by name: renamed if a method's walk paired it with a new
 * declaration whose name the old file lacks, else removed. */
static void compare_declarations(Compare *c) {
    for (size_t i = 0; i < c->old_program->decl_count; i++) {
        const IrDecl *old_decl = c->old_program->decls[i];
        if (old_decl->synthesized) continue;
        const IrDecl *new_decl = strmap_get(&c->new_names, old_decl->name, strlen(old_decl->name));
        if (new_decl) {
            if (new_decl->kind != old_decl->kind)
                report(c, BREAKING_DECLARATION_KIND_CHANGED, BREAKS_CODE, new_decl->span, old_decl->span,
                       arena_printf(c->arena, "it was %s here", decl_kind_with_article(old_decl->kind)),
                       "'%s' changed from %s to %s", new_decl->name, decl_kind_with_article(old_decl->kind),
                       decl_kind_with_article(new_decl->kind));
            continue;
        }
        const IrDecl *renamed = NULL;
        for (size_t p = 0; p < c->pairs.count && !renamed; p++) {
            const Pair *pair = c->pairs.items[p];
            if (pair->old_decl == old_decl && !pair->new_decl->synthesized && pair->new_decl->name[0] != '(' &&
                !strmap_get(&c->old_names, pair->new_decl->name, strlen(pair->new_decl->name)))
                renamed = pair->new_decl;
        }
        if (renamed)
            report(c, BREAKING_DECLARATION_RENAMED, BREAKS_CODE, renamed->span, old_decl->span,
                   arena_printf(c->arena, "it was named '%s' here", old_decl->name),
                   "%s '%s' was renamed to '%s'", decl_kind_name(old_decl->kind), old_decl->name, renamed->name);
        else
            report(c, BREAKING_DECLARATION_REMOVED, BREAKS_CODE, no_span, old_decl->span,
                   arena_printf(c->arena, "'%s' was declared here", old_decl->name), "%s '%s' was removed",
                   decl_kind_name(old_decl->kind), old_decl->name);
    }
}

size_t ir_compare_programs(const IrProgram *old_program, const IrProgram *new_program, const BreakingOptions *options,
                           Arena *arena, Diagnostics *diags) {
    Compare c;
    memset(&c, 0, sizeof c);
    c.old_program = old_program;
    c.new_program = new_program;
    c.options = options;
    c.arena = arena;
    c.diags = diags;
    strmap_init(&c.pair_map, arena);
    strmap_init(&c.reported, arena);
    index_names(&c, &c.old_names, old_program);
    index_names(&c, &c.new_names, new_program);

    pair_methods(&c);
    pair_channels(&c);
    drain_queue(&c);
    pair_by_name(&c);
    drain_queue(&c);

    c.reporting = true;
    report_removed_methods(&c);
    report_channels(&c);
    report_oneway_changes(&c);
    compare_declarations(&c);
    for (size_t i = 0; i < c.pairs.count; i++) compare_pair(&c, c.pairs.items[i]);
    return c.finding_count;
}
