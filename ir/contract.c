/* The canonical text of a contract, and its hash (spec/evolution.md, "Contract identity").
 *
 * The text names no declaration: each model, enum and union that a method reaches gets a number in the order a
 * walk first meets it, and the walk's order depends only on the wire: methods sorted by name, fields by wire name,
 * enum values sorted, a tagged union's alternatives by tag value (an untagged union's order is kept: decoders try
 * its alternatives in order). Aliases are seen through. So renaming, reordering or re-documenting leaves the text
 * as it is, and every change of a wire name, type, presence, nullability, constraint, default, enum value or
 * union alternative shows in it. Declarations no method reaches are not on the wire and not in the text.
 * Channels follow the methods, sorted by their pattern with each placeholder written as its parameter's type
 * ({string}, {int}): a parameter's name is not on the wire, its place and type are; then the publication type and
 * the namespace's options. */
#include "contract.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/escape.h"
#include "../support/sha256.h"

typedef struct Canonical {
    StrBuf *out;
    const IrDecl **numbered; /* number - 1 -> declaration (at most every declaration and `()`) */
    size_t *numbers;         /* IrDecl.index -> its number, 0 before its first use */
    size_t count;
    size_t empty_params_number;
    IrDecl empty_params;     /* `()`: the empty object it sends, as an empty model */
} Canonical;

/* The number of a declaration, given at its first use. */
static size_t number_of(Canonical *k, const IrDecl *decl) {
    size_t *number = decl == &k->empty_params ? &k->empty_params_number : &k->numbers[decl->index];
    if (!*number) {
        k->numbered[k->count++] = decl;
        *number = k->count;
    }
    return *number;
}

static void put_string(StrBuf *out, const char *text, size_t length) { escape_json_string(out, text, length); }

/* Numbers as numbers: an integral float is written as the integer (1.0 and 1 are one JSON value). */
static void put_number(StrBuf *out, const IrValue *value) {
    if (value->kind == IR_VALUE_INT) {
        strbuf_printf(out, "%lld", (long long)value->int_value);
        return;
    }
    double number = strtod(value->text, NULL);
    if (number > -9007199254740992.0 && number < 9007199254740992.0 && number == (double)(long long)number)
        strbuf_printf(out, "%lld", (long long)number);
    else {
        /* the shortest text that reads back as the same double */
        char text[40];
        for (int precision = 15; precision <= 17; precision++) {
            snprintf(text, sizeof text, "%.*g", precision, number);
            if (strtod(text, NULL) == number) break;
        }
        strbuf_puts(out, text);
    }
}

static void put_value(Canonical *k, const IrValue *value);

/* The canonical text of a value in a fresh buffer, for sorting map entries and set members. */
static char *value_text(Canonical *k, const IrValue *value) {
    StrBuf text;
    strbuf_init(&text);
    StrBuf *saved = k->out;
    k->out = &text;
    put_value(k, value);
    k->out = saved;
    char *result = strdup(strbuf_cstr(&text));
    strbuf_free(&text);
    if (!result) abort();
    return result;
}

static int compare_strings(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Texts sorted and joined by ", ", each freed. */
static void put_sorted(StrBuf *out, char **texts, size_t count) {
    qsort(texts, count, sizeof *texts, compare_strings);
    for (size_t i = 0; i < count; i++) {
        if (i) strbuf_puts(out, ", ");
        strbuf_puts(out, texts[i]);
        free(texts[i]);
    }
}

static void put_value(Canonical *k, const IrValue *value) {
    StrBuf *out = k->out;
    switch (value->kind) {
    case IR_VALUE_NULL: strbuf_puts(out, "null"); break;
    case IR_VALUE_BOOL: strbuf_puts(out, value->bool_value ? "true" : "false"); break;
    case IR_VALUE_INT:
    case IR_VALUE_FLOAT: put_number(out, value); break;
    case IR_VALUE_STRING: put_string(out, value->text, value->text_length); break;
    case IR_VALUE_ENUM: /* its value, as sent */
        if (value->enum_decl->int_enum)
            strbuf_printf(out, "%lld", (long long)value->enum_member->int_value);
        else
            put_string(out, value->enum_member->string_value, value->enum_member->string_value_length);
        break;
    case IR_VALUE_LIST:
        strbuf_putc(out, '[');
        for (size_t i = 0; i < value->count; i++) {
            if (i) strbuf_puts(out, ", ");
            put_value(k, value->items[i]);
        }
        strbuf_putc(out, ']');
        break;
    case IR_VALUE_MAP: { /* a JSON object: its entries in no order */
        char **entries = calloc(value->count + 1, sizeof *entries);
        if (!entries) abort();
        for (size_t i = 0; i < value->count; i++) {
            char *key = value_text(k, value->keys[i]);
            char *item = value_text(k, value->items[i]);
            size_t length = strlen(key) + strlen(item) + 3;
            entries[i] = malloc(length);
            if (!entries[i]) abort();
            snprintf(entries[i], length, "%s: %s", key, item);
            free(key);
            free(item);
        }
        strbuf_putc(out, '{');
        put_sorted(out, entries, value->count);
        strbuf_putc(out, '}');
        free(entries);
        break;
    }
    }
}

static void put_type(Canonical *k, const IrType *type) {
    StrBuf *out = k->out;
    bool nullable = false;
    const IrType *resolved = ir_resolve_alias_nullable(type, &nullable);
    if (!resolved) return;
    if (resolved->kind == IR_ANY) nullable = false; /* `any` holds null either way */
    if (nullable) strbuf_puts(out, "nullable<");
    switch (resolved->kind) {
    case IR_LIST:
        strbuf_puts(out, "list<");
        put_type(k, resolved->element);
        strbuf_putc(out, '>');
        break;
    case IR_MAP:
        strbuf_puts(out, "map<");
        put_type(k, resolved->key);
        strbuf_puts(out, ", ");
        put_type(k, resolved->element);
        strbuf_putc(out, '>');
        break;
    case IR_LITERAL: {
        char **values = calloc(resolved->literal_count + 1, sizeof *values);
        if (!values) abort();
        for (size_t i = 0; i < resolved->literal_count; i++) values[i] = value_text(k, resolved->literals[i]);
        strbuf_puts(out, "literal[");
        put_sorted(out, values, resolved->literal_count);
        strbuf_putc(out, ']');
        free(values);
        break;
    }
    case IR_REF: strbuf_printf(out, "#%zu", number_of(k, resolved->decl)); break;
    default: strbuf_puts(out, ir_type_kind_name(resolved->kind));
    }
    if (nullable) strbuf_putc(out, '>');
}

static int compare_fields(const void *a, const void *b) {
    return strcmp((*(IrField *const *)a)->wire_name, (*(IrField *const *)b)->wire_name);
}

static void put_constraints(Canonical *k, const IrConstraints *c) {
    StrBuf *out = k->out;
    const IrValue *bounds[4] = {c->has_ge ? c->ge : NULL, c->has_gt ? c->gt : NULL, c->has_le ? c->le : NULL,
                                c->has_lt ? c->lt : NULL};
    static const char *const bound_names[4] = {"ge", "gt", "le", "lt"};
    const char *separator = " @range(";
    for (int i = 0; i < 4; i++) {
        if (!bounds[i]) continue;
        strbuf_printf(out, "%s%s: ", separator, bound_names[i]);
        put_number(out, bounds[i]);
        separator = ", ";
    }
    if (separator[0] == ',') strbuf_putc(out, ')');
    bool has_min = c->has_min_length && c->min_length > 0;
    if (has_min || c->has_max_length) {
        strbuf_puts(out, " @length(");
        if (has_min) strbuf_printf(out, "min: %lld", (long long)c->min_length);
        if (has_min && c->has_max_length) strbuf_puts(out, ", ");
        if (c->has_max_length) strbuf_printf(out, "max: %lld", (long long)c->max_length);
        strbuf_putc(out, ')');
    }
    if (c->pattern) {
        strbuf_puts(out, " @pattern(");
        put_string(out, c->pattern, strlen(c->pattern));
        strbuf_putc(out, ')');
    }
}

static void put_model(Canonical *k, const IrDecl *decl) {
    StrBuf *out = k->out;
    const IrField **fields = calloc(decl->field_count + 1, sizeof *fields);
    if (!fields) abort();
    if (decl->field_count) memcpy(fields, decl->fields, decl->field_count * sizeof *fields);
    qsort(fields, decl->field_count, sizeof *fields, compare_fields);
    strbuf_puts(out, "model {");
    for (size_t i = 0; i < decl->field_count; i++) {
        const IrField *field = fields[i];
        strbuf_puts(out, i ? ", " : "");
        put_string(out, field->wire_name, strlen(field->wire_name));
        strbuf_puts(out, ": ");
        if (field->default_value) {
            strbuf_puts(out, "default ");
            put_value(k, field->default_value);
            strbuf_putc(out, ' ');
        } else {
            strbuf_puts(out, field->optional ? "optional " : "required ");
        }
        put_type(k, field->type);
        put_constraints(k, field->constraints);
    }
    strbuf_putc(out, '}');
    free(fields);
}

static void put_enum(Canonical *k, const IrDecl *decl) {
    char **values = calloc(decl->member_count + 1, sizeof *values);
    if (!values) abort();
    for (size_t i = 0; i < decl->member_count; i++) {
        const IrEnumMember *member = decl->members[i];
        IrValue value = {.kind = decl->int_enum ? IR_VALUE_INT : IR_VALUE_STRING,
                         .int_value = member->int_value,
                         .text = member->string_value,
                         .text_length = member->string_value_length};
        values[i] = value_text(k, &value);
    }
    strbuf_printf(k->out, "enum %s [", decl->int_enum ? "int" : "string");
    /* int values sort as text here; any fixed order makes the text canonical */
    put_sorted(k->out, values, decl->member_count);
    strbuf_putc(k->out, ']');
    free(values);
}

/* The canonical text of a tagged alternative's tag values, for ordering. */
static char *tag_text(Canonical *k, const IrType *alternative, const char *discriminator) {
    const IrType *model = ir_resolve_alias(alternative);
    for (size_t i = 0; model && model->kind == IR_REF && i < model->decl->field_count; i++) {
        const IrField *field = model->decl->fields[i];
        if (strcmp(field->wire_name, discriminator) != 0) continue;
        StrBuf text;
        strbuf_init(&text);
        StrBuf *saved = k->out;
        k->out = &text;
        put_type(k, field->type); /* a literal type: numbers nothing */
        k->out = saved;
        char *result = strdup(strbuf_cstr(&text));
        strbuf_free(&text);
        if (!result) abort();
        return result;
    }
    return strdup("");
}

typedef struct TaggedAlternative {
    char *tag;
    const IrType *type;
} TaggedAlternative;

static int compare_tagged(const void *a, const void *b) {
    return strcmp(((const TaggedAlternative *)a)->tag, ((const TaggedAlternative *)b)->tag);
}

static void put_union(Canonical *k, const IrDecl *decl) {
    StrBuf *out = k->out;
    size_t count = decl->alternative_count;
    TaggedAlternative *alternatives = calloc(count + 1, sizeof *alternatives);
    if (!alternatives) abort();
    for (size_t i = 0; i < count; i++) {
        alternatives[i].type = decl->alternatives[i];
        alternatives[i].tag = decl->discriminator ? tag_text(k, decl->alternatives[i], decl->discriminator) : NULL;
    }
    if (decl->discriminator) {
        qsort(alternatives, count, sizeof *alternatives, compare_tagged);
        strbuf_puts(out, "union tag ");
        put_string(out, decl->discriminator, strlen(decl->discriminator));
        strbuf_puts(out, " [");
    } else {
        strbuf_puts(out, "union [");
    }
    for (size_t i = 0; i < count; i++) {
        if (i) strbuf_puts(out, ", ");
        put_type(k, alternatives[i].type);
        free(alternatives[i].tag);
    }
    strbuf_putc(out, ']');
    free(alternatives);
}

static int compare_rpcs(const void *a, const void *b) {
    return strcmp((*(IrRpc *const *)a)->method, (*(IrRpc *const *)b)->method);
}

/* A channel's typed wire pattern (ir_channel_wire_pattern), on the heap. */
static char *channel_wire_pattern(const IrChannel *channel) {
    StrBuf text;
    strbuf_init(&text);
    ir_channel_wire_pattern(channel, true, &text);
    char *result = strdup(strbuf_cstr(&text));
    strbuf_free(&text);
    if (!result) abort();
    return result;
}

typedef struct WireChannel {
    char *pattern;
    const IrChannel *channel;
} WireChannel;

static int compare_wire_channels(const void *a, const void *b) {
    return strcmp(((const WireChannel *)a)->pattern, ((const WireChannel *)b)->pattern);
}

/* `channel "tasks:events#{string}" -> #5 history(size: 300, ttl: 600) subscribe "user"`, sorted by pattern. */
static void put_channels(Canonical *k, const IrProgram *program) {
    WireChannel *channels = calloc(program->channel_count + 1, sizeof *channels);
    if (!channels) abort();
    for (size_t i = 0; i < program->channel_count; i++) {
        channels[i].channel = program->channels[i];
        channels[i].pattern = channel_wire_pattern(program->channels[i]);
    }
    qsort(channels, program->channel_count, sizeof *channels, compare_wire_channels);
    StrBuf *out = k->out;
    for (size_t i = 0; i < program->channel_count; i++) {
        const IrChannel *channel = channels[i].channel;
        strbuf_puts(out, "channel ");
        put_string(out, channels[i].pattern, strlen(channels[i].pattern));
        strbuf_puts(out, " -> ");
        put_type(k, channel->publication_type); /* through aliases, as everywhere */
        if (channel->history)
            strbuf_printf(out, " history(size: %lld, ttl: %lld)", (long long)channel->history_size,
                          (long long)channel->history_ttl_seconds);
        if (channel->client_publish) strbuf_puts(out, " publish");
        strbuf_printf(out, " subscribe \"%s\"\n", ir_channel_subscribe_name(channel->subscribe));
        free(channels[i].pattern);
    }
    free(channels);
}

void ir_contract_canonical(const IrProgram *program, StrBuf *out) {
    Canonical k;
    memset(&k, 0, sizeof k);
    k.out = out;
    k.empty_params.kind = IR_DECL_MODEL;
    k.numbered = calloc(program->decl_count + 1, sizeof *k.numbered);
    k.numbers = calloc(program->decl_count + 1, sizeof *k.numbers);
    if (!k.numbered || !k.numbers) abort();
    strbuf_printf(out, "rpcc-contract %d\n", CONTRACT_FORMAT_VERSION);
    const IrRpc **rpcs = calloc(program->rpc_count + 1, sizeof *rpcs);
    if (!rpcs) abort();
    if (program->rpc_count) memcpy(rpcs, program->rpcs, program->rpc_count * sizeof *rpcs);
    qsort(rpcs, program->rpc_count, sizeof *rpcs, compare_rpcs);
    for (size_t i = 0; i < program->rpc_count; i++) {
        strbuf_puts(out, "method ");
        put_string(out, rpcs[i]->method, strlen(rpcs[i]->method));
        /* numbered in this order: the parameters, then the result (not as arguments of one call, whose order C
         * leaves open) */
        size_t params = number_of(&k, rpcs[i]->params ? rpcs[i]->params : &k.empty_params);
        if (rpcs[i]->oneway) { /* no result on the wire: the line says so, and no other method's line reads so */
            strbuf_printf(out, " #%zu oneway\n", params);
            continue;
        }
        size_t result = number_of(&k, rpcs[i]->result);
        strbuf_printf(out, " #%zu -> #%zu\n", params, result);
    }
    free(rpcs);
    put_channels(&k, program);
    /* Each declaration in number order; writing one may number more. */
    for (size_t i = 0; i < k.count; i++) {
        const IrDecl *decl = k.numbered[i];
        strbuf_printf(out, "#%zu ", i + 1);
        if (decl->kind == IR_DECL_MODEL) put_model(&k, decl);
        else if (decl->kind == IR_DECL_ENUM) put_enum(&k, decl);
        else put_union(&k, decl);
        strbuf_putc(out, '\n');
    }
    free(k.numbered);
    free(k.numbers);
}

void ir_contract_hash(const IrProgram *program, char hash[72]) {
    StrBuf text;
    strbuf_init(&text);
    ir_contract_canonical(program, &text);
    memcpy(hash, "sha256:", 7);
    sha256_hex(text.data ? text.data : "", text.len, hash + 7);
    strbuf_free(&text);
}
