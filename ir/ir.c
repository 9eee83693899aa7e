/* Small IR helpers shared by passes and backends. */
#include "ir.h"

#include <stddef.h>
#include <stdlib.h>

#include "../support/escape.h"
#include "../support/strbuf.h"
#include "passes.h"

const IrConstraints ir_no_constraints;

const IrType *ir_resolve_alias_nullable(const IrType *type, bool *nullable) {
    /* Exact at any chain length. An alias cycle (an error check_types reports) gives NULL: Brent's cycle detection,
     * linear and without memory; each alias's `aliased` is one IrType, so a cycle revisits the same pointer. */
    const IrType *tortoise = type;
    size_t steps = 0, limit = 1;
    bool any_nullable = false;
    while (type && type->kind == IR_REF && type->decl->kind == IR_DECL_ALIAS) {
        any_nullable = any_nullable || type->nullable;
        type = type->decl->aliased;
        if (type == tortoise) return NULL;
        if (++steps == limit) {
            tortoise = type;
            steps = 0;
            limit *= 2;
        }
    }
    if (nullable) *nullable = any_nullable || (type && type->nullable);
    return type;
}

const IrType *ir_resolve_alias(const IrType *type) { return ir_resolve_alias_nullable(type, NULL); }

int ir_compare_numbers(const IrValue *a, const IrValue *b) {
    if (a->kind == IR_VALUE_INT && b->kind == IR_VALUE_INT)
        return (a->int_value > b->int_value) - (a->int_value < b->int_value);
    /* A float is involved. long double holds every int64 exactly where it has a 64-bit mantissa (x86-64) or more
     * (AArch64); a double would round integers beyond 2^53 and call 2^53 + 1 equal to 2^53. */
    long double x = a->kind == IR_VALUE_INT ? (long double)a->int_value : strtold(a->text, NULL);
    long double y = b->kind == IR_VALUE_INT ? (long double)b->int_value : strtold(b->text, NULL);
    return (x > y) - (x < y);
}

const char *ir_type_kind_name(IrTypeKind kind) {
    switch (kind) {
    case IR_BOOL: return "bool";
    case IR_INT: return "int";
    case IR_FLOAT: return "float";
    case IR_STRING: return "string";
    case IR_BYTES: return "bytes";
    case IR_DECIMAL: return "decimal";
    case IR_UUID: return "uuid";
    case IR_TIMESTAMP: return "timestamp";
    case IR_DATE: return "date";
    case IR_TIME: return "time";
    case IR_DURATION: return "duration";
    case IR_ANY: return "any";
    case IR_LIST: return "list";
    case IR_MAP: return "map";
    case IR_LITERAL: return "literal";
    case IR_REF: return "reference";
    }
    return "?";
}

const char *ir_channel_subscribe_name(IrChannelSubscribe subscribe) {
    switch (subscribe) {
    case IR_SUBSCRIBE_USER: return "user";
    case IR_SUBSCRIBE_GUARD: return "guard";
    case IR_SUBSCRIBE_ANY: return "any";
    }
    return "?";
}

size_t ir_edit_distance(const char *a, size_t a_length, const char *b, size_t b_length, size_t limit) {
    if (a_length > b_length + limit || b_length > a_length + limit) return limit + 1;
    if (b_length > 63) return limit + 1; /* names are short; a long one gets no suggestion */
    size_t row[64];
    for (size_t j = 0; j <= b_length; j++) row[j] = j;
    for (size_t i = 1; i <= a_length; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        size_t row_minimum = row[0];
        for (size_t j = 1; j <= b_length; j++) {
            size_t above = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diagonal + cost;
            if (above + 1 < best) best = above + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            diagonal = above;
            row[j] = best;
            if (best < row_minimum) row_minimum = best;
        }
        if (row_minimum > limit) return limit + 1;
    }
    return row[b_length] <= limit ? row[b_length] : limit + 1;
}

static void append_value(Arena *arena, char **out, const IrValue *value);

static void append(Arena *arena, char **out, const char *text) { *out = arena_printf(arena, "%s%s", *out, text); }

static void append_json_string(Arena *arena, char **out, const char *text, size_t length) {
    StrBuf quoted;
    strbuf_init(&quoted);
    escape_json_string(&quoted, text, length);
    append(arena, out, strbuf_cstr(&quoted));
    strbuf_free(&quoted);
}

static void append_value(Arena *arena, char **out, const IrValue *value) {
    if (!value) {
        append(arena, out, "?");
        return;
    }
    switch (value->kind) {
    case IR_VALUE_NULL: append(arena, out, "null"); break;
    case IR_VALUE_BOOL: append(arena, out, value->bool_value ? "true" : "false"); break;
    case IR_VALUE_INT: *out = arena_printf(arena, "%s%lld", *out, (long long)value->int_value); break;
    case IR_VALUE_FLOAT: append(arena, out, value->text); break;
    case IR_VALUE_STRING: append_json_string(arena, out, value->text, value->text_length); break;
    case IR_VALUE_ENUM:
        *out = arena_printf(arena, "%s%s.%s", *out, value->enum_decl->name, value->enum_member->name);
        break;
    case IR_VALUE_LIST:
    case IR_VALUE_MAP:
        append(arena, out, value->kind == IR_VALUE_LIST ? "[" : "{");
        for (size_t i = 0; i < value->count; i++) {
            if (i) append(arena, out, ", ");
            if (value->kind == IR_VALUE_MAP) {
                append_value(arena, out, value->keys[i]);
                append(arena, out, ": ");
            }
            append_value(arena, out, value->items[i]);
        }
        append(arena, out, value->kind == IR_VALUE_LIST ? "]" : "}");
        break;
    }
}

const char *ir_value_to_string(Arena *arena, const IrValue *value) {
    char *out = arena_strdup(arena, "");
    append_value(arena, &out, value);
    return out;
}

const char *ir_type_to_string(Arena *arena, const IrType *type) {
    if (!type) return "?";
    const char *text;
    switch (type->kind) {
    case IR_LIST: text = arena_printf(arena, "list<%s>", ir_type_to_string(arena, type->element)); break;
    case IR_MAP:
        text = arena_printf(arena, "map<%s, %s>", ir_type_to_string(arena, type->key),
                            ir_type_to_string(arena, type->element));
        break;
    case IR_LITERAL: {
        char *out = arena_strdup(arena, "");
        for (size_t i = 0; i < type->literal_count; i++) {
            if (i) append(arena, &out, " | ");
            append_value(arena, &out, type->literals[i]);
        }
        text = out;
        break;
    }
    case IR_REF: text = type->decl->name; break;
    default: text = ir_type_kind_name(type->kind);
    }
    return type->nullable ? arena_printf(arena, "%s | null", text) : text;
}

void ir_channel_wire_pattern(const IrChannel *channel, bool typed, StrBuf *out) {
    for (size_t i = 0; i < channel->part_count; i++) {
        const IrChannelPart *part = channel->parts[i];
        if (!part->param) {
            strbuf_append(out, part->text, part->text_length);
            continue;
        }
        const IrType *type = ir_resolve_alias(part->param->type);
        strbuf_puts(out, !typed ? "{}" : type && type->kind == IR_INT ? "{int}" : "{string}");
    }
}
