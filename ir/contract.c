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
    Sha256 *sha;             /* when hashing: `out` is a chunk handed to it and emptied as it fills (flush) */
    const IrField **fields;  /* a model's fields, sorted (put_model; one array for all models) */
    size_t fields_capacity;
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

static int compare_strings(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* When hashing, hands the chunk written so far to SHA-256 once it is large, so the whole text is never held: called
 * only between top-level lines, where `out` is the chunk (not a piece being sorted). */
enum { HASH_CHUNK = 16384 };
static void flush(Canonical *k) {
    if (!k->sha || k->out->len < HASH_CHUNK) return;
    sha256_update(k->sha, k->out->data, k->out->len);
    strbuf_clear(k->out);
}

static void put_string(StrBuf *out, const char *text, size_t length) { escape_json_string(out, text, length); }

/* The hot lines (a model's fields) are written through a cursor into room reserved once, instead of an append, with
 * its capacity check and NUL, per piece: reserve() makes the room, done() gives the cursor back to the buffer. */
static inline char *reserve(StrBuf *out, size_t extra) {
    if (out->len + extra + 1 > out->cap) strbuf_grow(out, extra);
    return out->data + out->len;
}

static inline void done(StrBuf *out, char *end) {
    out->len = (size_t)(end - out->data);
    *end = '\0';
}

static inline char *copy(char *to, const char *from, size_t length) {
    strbuf_copy_bytes(to, from, length);
    return to + length;
}

/* The bytes escape_json_string escapes: '"', '\\', the controls and DEL. */
static const unsigned char json_escaped[128] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
};
static bool json_escapes(unsigned char c) { return c < 128 && json_escaped[c]; }

/* escape_json_string's text at `to`, which has room for 6 * length + 2 bytes. */
static char *put_string_at(char *to, const char *text, size_t length) {
    *to++ = '"';
    size_t plain = 0; /* most names need no escape: found with one test a byte, copied at once */
    while (plain < length && !json_escapes((unsigned char)text[plain])) plain++;
    to = copy(to, text, plain);
    for (size_t index = plain; index < length; index++) {
        unsigned char c = (unsigned char)text[index];
        if (c != '"' && c != '\\' && c >= 0x20 && c != 0x7F) {
            *to++ = (char)c;
        } else if (c == '"' || c == '\\') {
            *to++ = '\\';
            *to++ = (char)c;
        } else if (c == '\n') {
            *to++ = '\\';
            *to++ = 'n';
        } else {
            static const char hex[] = "0123456789abcdef";
            char escape[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
            to = copy(to, escape, sizeof escape);
        }
    }
    *to++ = '"';
    return to;
}

/* Decimal integers without a format string (the text is what "%llu" / "%lld" / "%zu" would write). */
static inline char *reserve(StrBuf *out, size_t extra);
static inline void done(StrBuf *out, char *end);

static void put_unsigned(StrBuf *out, unsigned long long value) {
    size_t length = value < 10 ? 1 : value < 100 ? 2 : value < 1000 ? 3 : 4; /* a declaration's number */
    for (unsigned long long rest = value / 10000; rest; rest /= 10) length++;
    char *end = reserve(out, length) + length, *digit = end;
    do {
        *--digit = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    done(out, end);
}

static void put_signed(StrBuf *out, long long value) {
    if (value < 0) {
        strbuf_putc(out, '-');
        put_unsigned(out, 0ULL - (unsigned long long)value);
    } else {
        put_unsigned(out, (unsigned long long)value);
    }
}

/* `#N`, a declaration's number. */
static void put_ref(StrBuf *out, size_t number) {
    strbuf_putc(out, '#');
    put_unsigned(out, number);
}

/* Texts written one after another into one buffer (each ended by a NUL), then sorted and joined: one buffer and
 * one array per sorted list instead of an allocation per text. `k->out` points at the buffer while they are
 * written, so a text may itself contain a sorted list (its own Pieces). */
typedef struct Pieces {
    StrBuf text;
    size_t *starts;
    const char **sorted;
    size_t count;
    StrBuf *saved_out;
} Pieces;

static void pieces_begin(Canonical *k, Pieces *pieces, size_t capacity) {
    strbuf_init(&pieces->text);
    pieces->starts = malloc((capacity + 1) * sizeof *pieces->starts);
    pieces->sorted = malloc((capacity + 1) * sizeof *pieces->sorted);
    if (!pieces->starts || !pieces->sorted) abort();
    pieces->count = 0;
    pieces->saved_out = k->out;
    k->out = &pieces->text;
}

/* Starts the next text; the one before it (if any) ends here. */
static void pieces_next(Pieces *pieces) {
    if (pieces->count) strbuf_putc(&pieces->text, '\0');
    pieces->starts[pieces->count++] = pieces->text.len;
}

/* The texts sorted, joined by ", " into the output again, and freed. */
static void pieces_end_sorted(Canonical *k, Pieces *pieces) {
    if (pieces->count) strbuf_putc(&pieces->text, '\0');
    k->out = pieces->saved_out;
    for (size_t i = 0; i < pieces->count; i++) pieces->sorted[i] = pieces->text.data + pieces->starts[i];
    qsort(pieces->sorted, pieces->count, sizeof *pieces->sorted, compare_strings);
    for (size_t i = 0; i < pieces->count; i++) {
        if (i) strbuf_append(k->out, ", ", 2);
        strbuf_puts(k->out, pieces->sorted[i]);
    }
    strbuf_free(&pieces->text);
    free(pieces->starts);
    free(pieces->sorted);
}

/* Numbers as numbers: an integral float is written as the integer (1.0 and 1 are one JSON value). */
static void put_number(StrBuf *out, const IrValue *value) {
    if (value->kind == IR_VALUE_INT) {
        put_signed(out, (long long)value->int_value);
        return;
    }
    double number = strtod(value->text, NULL);
    if (number > -9007199254740992.0 && number < 9007199254740992.0 && number == (double)(long long)number)
        put_signed(out, (long long)number);
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
            put_signed(out, (long long)value->enum_member->int_value);
        else
            put_string(out, value->enum_member->string_value, value->enum_member->string_value_length);
        break;
    case IR_VALUE_LIST:
        strbuf_putc(out, '[');
        for (size_t i = 0; i < value->count; i++) {
            if (i) strbuf_append(out, ", ", 2);
            put_value(k, value->items[i]);
        }
        strbuf_putc(out, ']');
        break;
    case IR_VALUE_MAP: { /* a JSON object: its entries in no order */
        strbuf_putc(out, '{');
        Pieces entries;
        pieces_begin(k, &entries, value->count);
        for (size_t i = 0; i < value->count; i++) {
            pieces_next(&entries);
            put_value(k, value->keys[i]);
            strbuf_append(k->out, ": ", 2);
            put_value(k, value->items[i]);
        }
        pieces_end_sorted(k, &entries);
        strbuf_putc(out, '}');
        break;
    }
    }
}

/* ir_type_kind_name of the scalar kinds, with their lengths */
typedef struct KindName {
    const char *text;
    size_t length;
} KindName;
#define KIND_NAME(text) {text, sizeof text - 1}
static const KindName scalar_names[IR_ANY + 1] = {
    [IR_BOOL] = KIND_NAME("bool"),         [IR_INT] = KIND_NAME("int"),       [IR_FLOAT] = KIND_NAME("float"),
    [IR_STRING] = KIND_NAME("string"),     [IR_BYTES] = KIND_NAME("bytes"),   [IR_DECIMAL] = KIND_NAME("decimal"),
    [IR_UUID] = KIND_NAME("uuid"),         [IR_TIMESTAMP] = KIND_NAME("timestamp"), [IR_DATE] = KIND_NAME("date"),
    [IR_TIME] = KIND_NAME("time"),         [IR_DURATION] = KIND_NAME("duration"),   [IR_ANY] = KIND_NAME("any"),
};

static void put_type(Canonical *k, const IrType *type) {
    StrBuf *out = k->out;
    bool nullable = false;
    const IrType *resolved;
    if (type && type->kind != IR_REF) { /* ir_resolve_alias_nullable's answer, without the call */
        resolved = type;
        nullable = type->nullable;
        if (type->kind <= IR_ANY && !nullable) { /* a scalar, the most common type */
            strbuf_append(out, scalar_names[type->kind].text, scalar_names[type->kind].length);
            return;
        }
    } else if (type && !type->nullable && type->decl->kind != IR_DECL_ALIAS) { /* a declaration, not an alias */
        put_ref(out, number_of(k, type->decl));
        return;
    } else {
        resolved = ir_resolve_alias_nullable(type, &nullable);
    }
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
        strbuf_puts(out, "literal[");
        Pieces values;
        pieces_begin(k, &values, resolved->literal_count);
        for (size_t i = 0; i < resolved->literal_count; i++) {
            pieces_next(&values);
            put_value(k, resolved->literals[i]);
        }
        pieces_end_sorted(k, &values);
        strbuf_putc(out, ']');
        break;
    }
    case IR_REF: put_ref(out, number_of(k, resolved->decl)); break;
    default:
        if (resolved->kind <= IR_ANY) strbuf_append(out, scalar_names[resolved->kind].text, scalar_names[resolved->kind].length);
        else strbuf_puts(out, ir_type_kind_name(resolved->kind));
    }
    if (nullable) strbuf_putc(out, '>');
}

static int compare_fields(const void *a, const void *b) {
    return strcmp((*(IrField *const *)a)->wire_name, (*(IrField *const *)b)->wire_name);
}

static void put_constraints(Canonical *k, const IrConstraints *c) {
    StrBuf *out = k->out;
    if (!c->has_ge && !c->has_gt && !c->has_le && !c->has_lt && !c->has_min_length && !c->has_max_length && !c->pattern)
        return; /* most fields */
    const IrValue *bounds[4] = {c->has_ge ? c->ge : NULL, c->has_gt ? c->gt : NULL, c->has_le ? c->le : NULL,
                                c->has_lt ? c->lt : NULL};
    static const char *const bound_names[4] = {"ge", "gt", "le", "lt"};
    const char *separator = " @range(";
    for (int i = 0; i < 4; i++) {
        if (!bounds[i]) continue;
        strbuf_puts(out, separator);
        strbuf_puts(out, bound_names[i]);
        strbuf_append(out, ": ", 2);
        put_number(out, bounds[i]);
        separator = ", ";
    }
    if (separator[0] == ',') strbuf_putc(out, ')');
    bool has_min = c->has_min_length && c->min_length > 0;
    if (has_min || c->has_max_length) {
        strbuf_puts(out, " @length(");
        if (has_min) {
            strbuf_puts(out, "min: ");
            put_signed(out, (long long)c->min_length);
        }
        if (has_min && c->has_max_length) strbuf_puts(out, ", ");
        if (c->has_max_length) {
            strbuf_puts(out, "max: ");
            put_signed(out, (long long)c->max_length);
        }
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
    if (decl->field_count > k->fields_capacity) { /* one array for every model: put_model does not nest */
        k->fields_capacity = decl->field_count * 2;
        free(k->fields);
        k->fields = malloc(k->fields_capacity * sizeof *k->fields);
        if (!k->fields) abort();
    }
    const IrField **fields = k->fields;
    if (decl->field_count) { /* an empty model has no array (qsort must not get NULL) */
        memcpy(fields, decl->fields, decl->field_count * sizeof *fields);
        if (decl->field_count <= 16) { /* insertion sort: cheaper than qsort for a model's few fields */
            for (size_t i = 1; i < decl->field_count; i++) {
                const IrField *moving = fields[i];
                size_t j = i;
                const char *name = moving->wire_name;
                /* the first bytes decide most comparisons: strcmp only when they are equal */
                for (; j; j--) {
                    const char *before = fields[j - 1]->wire_name;
                    if ((unsigned char)before[0] < (unsigned char)name[0]) break;
                    if (before[0] == name[0] && strcmp(before, name) <= 0) break;
                    fields[j] = fields[j - 1];
                }
                fields[j] = moving;
            }
        } else {
            qsort(fields, decl->field_count, sizeof *fields, compare_fields);
        }
    }
    strbuf_puts(out, "model {");
    for (size_t i = 0; i < decl->field_count; i++) {
        const IrField *field = fields[i];
        size_t name_length = strlen(field->wire_name);
        char *cursor = reserve(out, 6 * name_length + 16); /* ", ", the name escaped, ": ", "optional " */
        if (i) cursor = copy(cursor, ", ", 2);
        cursor = put_string_at(cursor, field->wire_name, name_length);
        cursor = copy(cursor, ": ", 2);
        if (field->default_value) {
            cursor = copy(cursor, "default ", 8);
            done(out, cursor);
            put_value(k, field->default_value);
            strbuf_putc(out, ' ');
        } else {
            done(out, copy(cursor, field->optional ? "optional " : "required ", 9));
        }
        put_type(k, field->type);
        put_constraints(k, field->constraints);
    }
    strbuf_putc(out, '}');
}

/* The order of the escaped texts of two string values that need no escape ('"', value, '"'): their bytes, the end
 * of either read as the closing quote. */
static int compare_plain_values(const char *a, const char *b) {
    for (size_t i = 0;; i++) {
        unsigned char ca = a[i] ? (unsigned char)a[i] : '"', cb = b[i] ? (unsigned char)b[i] : '"';
        if (ca != cb) return ca < cb ? -1 : 1;
        if (!a[i]) return 0; /* both ended */
    }
}

enum { SMALL_ENUM = 16 };

/* put_enum for a string enum of at most SMALL_ENUM values, none of which needs an escape (none has a NUL either):
 * sorted in place by insertion, without the Pieces' buffer. False (nothing written) for another enum. */
static bool put_plain_string_enum(Canonical *k, const IrDecl *decl) {
    if (decl->int_enum || decl->member_count > SMALL_ENUM) return false;
    const IrEnumMember *sorted[SMALL_ENUM];
    size_t total = 0;
    for (size_t i = 0; i < decl->member_count; i++) {
        const IrEnumMember *member = decl->members[i];
        const char *value = member->string_value;
        size_t length = member->string_value_length;
        for (size_t c = 0; c < length; c++)
            if (!value[c] || json_escapes((unsigned char)value[c])) return false;
        total += length + 4;
        size_t j = i;
        for (; j && compare_plain_values(sorted[j - 1]->string_value, value) > 0; j--) sorted[j] = sorted[j - 1];
        sorted[j] = member;
    }
    char *cursor = reserve(k->out, total + 16);
    cursor = copy(cursor, "enum string [", 13);
    for (size_t i = 0; i < decl->member_count; i++) {
        if (i) cursor = copy(cursor, ", ", 2);
        *cursor++ = '"';
        cursor = copy(cursor, sorted[i]->string_value, sorted[i]->string_value_length);
        *cursor++ = '"';
    }
    *cursor++ = ']';
    done(k->out, cursor);
    return true;
}

static void put_enum(Canonical *k, const IrDecl *decl) {
    if (put_plain_string_enum(k, decl)) return;
    strbuf_puts(k->out, decl->int_enum ? "enum int [" : "enum string [");
    /* int values sort as text here; any fixed order makes the text canonical */
    Pieces values;
    pieces_begin(k, &values, decl->member_count);
    for (size_t i = 0; i < decl->member_count; i++) {
        const IrEnumMember *member = decl->members[i];
        pieces_next(&values);
        if (decl->int_enum) put_signed(k->out, (long long)member->int_value);
        else put_string(k->out, member->string_value, member->string_value_length);
    }
    pieces_end_sorted(k, &values);
    strbuf_putc(k->out, ']');
}

/* Writes the canonical text of a tagged alternative's tag values (for ordering) to k->out; nothing when it has
 * no such field. */
static void put_tag(Canonical *k, const IrType *alternative, const char *discriminator) {
    const IrType *model = ir_resolve_alias(alternative);
    for (size_t i = 0; model && model->kind == IR_REF && i < model->decl->field_count; i++) {
        const IrField *field = model->decl->fields[i];
        if (strcmp(field->wire_name, discriminator) != 0) continue;
        put_type(k, field->type); /* a literal type: numbers nothing */
        return;
    }
}

typedef struct TaggedAlternative {
    const char *tag;
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
    for (size_t i = 0; i < count; i++) alternatives[i].type = decl->alternatives[i];
    if (decl->discriminator) {
        /* every tag text in one buffer (Pieces), then sorted by it */
        Pieces tags;
        pieces_begin(k, &tags, count);
        for (size_t i = 0; i < count; i++) {
            pieces_next(&tags);
            put_tag(k, decl->alternatives[i], decl->discriminator);
        }
        if (tags.count) strbuf_putc(&tags.text, '\0');
        k->out = tags.saved_out;
        for (size_t i = 0; i < count; i++) alternatives[i].tag = tags.text.data + tags.starts[i];
        qsort(alternatives, count, sizeof *alternatives, compare_tagged);
        strbuf_puts(out, "union tag ");
        put_string(out, decl->discriminator, strlen(decl->discriminator));
        strbuf_puts(out, " [");
        for (size_t i = 0; i < count; i++) {
            if (i) strbuf_append(out, ", ", 2);
            put_type(k, alternatives[i].type);
        }
        strbuf_free(&tags.text);
        free(tags.starts);
        free(tags.sorted);
    } else {
        strbuf_puts(out, "union [");
        for (size_t i = 0; i < count; i++) {
            if (i) strbuf_append(out, ", ", 2);
            put_type(k, alternatives[i].type);
        }
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
        if (channel->history) {
            strbuf_puts(out, " history(size: ");
            put_signed(out, (long long)channel->history_size);
            strbuf_puts(out, ", ttl: ");
            put_signed(out, (long long)channel->history_ttl_seconds);
            strbuf_putc(out, ')');
        }
        if (channel->client_publish) strbuf_puts(out, " publish");
        strbuf_puts(out, " subscribe \"");
        strbuf_puts(out, ir_channel_subscribe_name(channel->subscribe));
        strbuf_append(out, "\"\n", 2);
        free(channels[i].pattern);
        flush(k);
    }
    free(channels);
}

/* Writes the canonical text to `out`, or, with `sha`, hashes it through `out` as a chunk (flush). */
static void write_canonical(const IrProgram *program, StrBuf *out, Sha256 *sha) {
    Canonical k;
    memset(&k, 0, sizeof k);
    k.out = out;
    k.sha = sha;
    k.empty_params.kind = IR_DECL_MODEL;
    k.numbered = calloc(program->decl_count + 1, sizeof *k.numbered);
    k.numbers = calloc(program->decl_count + 1, sizeof *k.numbers);
    if (!k.numbered || !k.numbers) abort();
    strbuf_puts(out, "rpcc-contract ");
    put_signed(out, CONTRACT_FORMAT_VERSION);
    strbuf_putc(out, '\n');
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
            strbuf_putc(out, ' ');
            put_ref(out, params);
            strbuf_append(out, " oneway\n", 8);
            flush(&k);
            continue;
        }
        size_t result = number_of(&k, rpcs[i]->result);
        strbuf_putc(out, ' ');
        put_ref(out, params);
        strbuf_append(out, " -> ", 4);
        put_ref(out, result);
        strbuf_putc(out, '\n');
        flush(&k);
    }
    free(rpcs);
    put_channels(&k, program);
    /* Each declaration in number order; writing one may number more. */
    for (size_t i = 0; i < k.count; i++) {
        const IrDecl *decl = k.numbered[i];
        put_ref(out, i + 1);
        strbuf_putc(out, ' ');
        if (decl->kind == IR_DECL_MODEL) put_model(&k, decl);
        else if (decl->kind == IR_DECL_ENUM) put_enum(&k, decl);
        else put_union(&k, decl);
        strbuf_putc(out, '\n');
        flush(&k);
    }
    free(k.numbered);
    free(k.numbers);
    free(k.fields);
}

void ir_contract_canonical(const IrProgram *program, StrBuf *out) { write_canonical(program, out, NULL); }

void ir_contract_hash(const IrProgram *program, char hash[72]) {
    /* the text goes to SHA-256 in chunks of about HASH_CHUNK bytes as it is written, never whole */
    Sha256 sha;
    sha256_init(&sha);
    StrBuf chunk;
    strbuf_init(&chunk);
    write_canonical(program, &chunk, &sha);
    if (chunk.len) sha256_update(&sha, chunk.data, chunk.len);
    strbuf_free(&chunk);
    unsigned char digest[32];
    sha256_final(&sha, digest);
    static const char digits[] = "0123456789abcdef";
    memcpy(hash, "sha256:", 7);
    for (int i = 0; i < 32; i++) {
        hash[7 + 2 * i] = digits[digest[i] >> 4];
        hash[7 + 2 * i + 1] = digits[digest[i] & 15];
    }
    hash[71] = '\0';
}
