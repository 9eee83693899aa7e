/* Default values must fit their field's type, and the field's @range and @length. String forms of uuid,
 * timestamp, date, time, duration, decimal and bytes are checked against their wire format. */
#include <stdlib.h>
#include <string.h>

#include "passes.h"

typedef struct DefaultCheck {
    Diagnostics *diags;
    Arena arena;
} DefaultCheck;

/* ---- wire formats ---- */

static bool all_digits(const char *text, size_t length) {
    for (size_t i = 0; i < length; i++)
        if (text[i] < '0' || text[i] > '9') return false;
    return length > 0;
}

static int number_at(const char *text, size_t length) {
    int value = 0;
    for (size_t i = 0; i < length; i++) value = value * 10 + (text[i] - '0');
    return value;
}

static bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

static bool valid_uuid(const char *text, size_t length) {
    if (length != 36) return false;
    for (size_t i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? text[i] != '-' : !is_hex(text[i])) return false;
    }
    return true;
}

static bool valid_date(const char *text, size_t length) {
    if (length != 10 || text[4] != '-' || text[7] != '-') return false;
    if (!all_digits(text, 4) || !all_digits(text + 5, 2) || !all_digits(text + 8, 2)) return false;
    int year = number_at(text, 4), month = number_at(text + 5, 2), day = number_at(text + 8, 2);
    if (year == 0) return false; /* Python's date starts at year 1 */
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1 || day > days[month - 1]) return false;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return !(month == 2 && day == 29 && !leap);
}

/* "Z" or "+HH:MM" / "-HH:MM" */
static bool valid_offset(const char *text, size_t length) {
    if (length == 1) return text[0] == 'Z' || text[0] == 'z';
    if (length != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':') return false;
    return all_digits(text + 1, 2) && all_digits(text + 4, 2) && number_at(text + 1, 2) < 24 &&
           number_at(text + 4, 2) < 60;
}

/* HH:MM:SS[.fraction] followed by an offset that must (require_offset) or may be there. */
static bool valid_time(const char *text, size_t length, bool require_offset) {
    if (length < 8 || text[2] != ':' || text[5] != ':') return false;
    if (!all_digits(text, 2) || !all_digits(text + 3, 2) || !all_digits(text + 6, 2)) return false;
    /* No leap second: Python's time and datetime cannot hold second 60, so pydantic refuses it at import. */
    if (number_at(text, 2) > 23 || number_at(text + 3, 2) > 59 || number_at(text + 6, 2) > 59) return false;
    size_t i = 8;
    if (i < length && text[i] == '.') {
        size_t start = ++i;
        while (i < length && text[i] >= '0' && text[i] <= '9') i++;
        if (i == start) return false;
    }
    if (i == length) return !require_offset;
    return valid_offset(text + i, length - i);
}

static bool valid_timestamp(const char *text, size_t length) {
    if (length < 20 || (text[10] != 'T' && text[10] != 't' && text[10] != ' ')) return false;
    return valid_date(text, 10) && valid_time(text + 11, length - 11, true);
}

/* ISO 8601 durations as Pydantic writes and reads them: [-]P[nY][nM][nW][nD][T[nH][nM][n[.n]S]] */
static bool valid_duration(const char *text, size_t length) {
    size_t i = 0;
    if (i < length && text[i] == '-') i++;
    if (i >= length || text[i++] != 'P') return false;
    bool any = false, in_time = false;
    const char *date_units = "YMWD", *time_units = "HMS";
    while (i < length) {
        if (text[i] == 'T') {
            if (in_time) return false;
            in_time = true;
            i++;
            if (i == length) return false;
            continue;
        }
        size_t start = i;
        while (i < length && text[i] >= '0' && text[i] <= '9') i++;
        if (i == start) return false;
        if (i < length && text[i] == '.') {
            size_t fraction = ++i;
            while (i < length && text[i] >= '0' && text[i] <= '9') i++;
            if (i == fraction || i >= length || text[i] != 'S') return false;
        }
        if (i >= length) return false;
        const char *units = in_time ? time_units : date_units;
        const char *unit = strchr(units, text[i]);
        if (!unit || text[i] == '\0') return false;
        /* each unit at most once, in order */
        date_units = in_time ? date_units : unit + 1;
        time_units = in_time ? unit + 1 : time_units;
        i++;
        any = true;
    }
    return any;
}

static bool valid_decimal(const char *text, size_t length) {
    size_t i = 0;
    if (i < length && (text[i] == '-' || text[i] == '+')) i++;
    size_t digits = 0;
    while (i < length && text[i] >= '0' && text[i] <= '9') i++, digits++;
    if (i < length && text[i] == '.') {
        i++;
        while (i < length && text[i] >= '0' && text[i] <= '9') i++, digits++;
    }
    if (digits == 0) return false;
    if (i < length && (text[i] == 'e' || text[i] == 'E')) {
        i++;
        if (i < length && (text[i] == '-' || text[i] == '+')) i++;
        size_t start = i;
        while (i < length && text[i] >= '0' && text[i] <= '9') i++;
        if (i == start) return false;
    }
    return i == length;
}

static bool valid_base64(const char *text, size_t length) {
    if (length % 4 != 0) return false;
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        bool alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                        c == '/';
        if (alphabet) continue;
        /* padding: only at the end, at most two */
        if (c == '=' && i >= length - 2 && (i == length - 1 || text[length - 1] == '=')) continue;
        return false;
    }
    return true;
}

/* Characters (code points) of UTF-8 text, as Pydantic's max_length counts them. */
static size_t code_points(const char *text, size_t length) {
    size_t count = 0;
    for (size_t i = 0; i < length; i++)
        if (((unsigned char)text[i] & 0xC0) != 0x80) count++;
    return count;
}

/* ---- fitting ---- */

typedef struct Misfit {
    const IrValue *value; /* the offending (sub)value */
    const char *reason;
} Misfit;

static bool fits(DefaultCheck *check, const IrValue *value, const IrType *type, Misfit *misfit);

static bool misfit(Misfit *out, const IrValue *value, const char *reason) {
    out->value = value;
    out->reason = reason;
    return false;
}

static bool string_fits(DefaultCheck *check, const IrValue *value, IrTypeKind kind, Misfit *out) {
    if (value->kind != IR_VALUE_STRING)
        return misfit(out, value,
                      kind == IR_STRING ? "expected a string"
                                        : arena_printf(&check->arena, "a %s default is written as a string",
                                                       ir_type_kind_name(kind)));
    const char *text = value->text;
    size_t length = value->text_length;
    switch (kind) {
    case IR_STRING: return true;
    case IR_BYTES:
        return valid_base64(text, length) || misfit(out, value, "a bytes default is base64 text, such as \"aGk=\"");
    case IR_UUID:
        return valid_uuid(text, length) ||
               misfit(out, value, "not a UUID (8-4-4-4-12 hexadecimal digits, such as \"123e4567-e89b-12d3-a456-426614174000\")");
    case IR_TIMESTAMP:
        return valid_timestamp(text, length) ||
               misfit(out, value, "not an RFC 3339 timestamp with an offset, such as \"2026-01-02T03:04:05Z\" (seconds 00 to 59, "
                                        "years 0001 to 9999)");
    case IR_DATE: return valid_date(text, length) || misfit(out, value, "not a date of the form YYYY-MM-DD (years 0001 to 9999)");
    case IR_TIME:
        return valid_time(text, length, false) || misfit(out, value, "not a time of the form HH:MM:SS[.ffffff] (seconds 00 to 59)");
    case IR_DURATION:
        return valid_duration(text, length) || misfit(out, value, "not an ISO 8601 duration, such as \"PT1H30M\"");
    case IR_DECIMAL: return valid_decimal(text, length) || misfit(out, value, "not a decimal number, such as \"12.50\"");
    default: return misfit(out, value, "unexpected string");
    }
}

static bool literal_equals(const IrValue *literal, const IrValue *value) {
    if (literal->kind != value->kind) return false;
    switch (literal->kind) {
    case IR_VALUE_BOOL: return literal->bool_value == value->bool_value;
    case IR_VALUE_INT: return literal->int_value == value->int_value;
    case IR_VALUE_STRING:
        return literal->text_length == value->text_length && memcmp(literal->text, value->text, value->text_length) == 0;
    default: return false;
    }
}

static bool key_fits(DefaultCheck *check, const IrValue *key, const IrType *key_type, Misfit *out) {
    const IrType *base = ir_resolve_alias(key_type);
    if (!base) return true;
    if (base->kind == IR_INT)
        return key->kind == IR_VALUE_INT || misfit(out, key, "keys of a map<int, ...> are written as integers");
    if (key->kind != IR_VALUE_STRING) return misfit(out, key, "map keys of this type are written as strings");
    if (base->kind == IR_UUID) return string_fits(check, key, IR_UUID, out);
    if (base->kind == IR_REF && base->decl->kind == IR_DECL_ENUM) {
        const IrDecl *decl = base->decl;
        for (size_t i = 0; i < decl->member_count; i++) {
            const IrEnumMember *member = decl->members[i];
            if (!decl->int_enum && member->string_value_length == key->text_length &&
                memcmp(member->string_value, key->text, key->text_length) == 0)
                return true;
        }
        return misfit(out, key, arena_printf(&check->arena, "not a value of enum '%s'", decl->name));
    }
    return true;
}

static bool fits(DefaultCheck *check, const IrValue *value, const IrType *type, Misfit *out) {
    if (!type || !value) return true; /* an earlier error */
    bool nullable = false;
    type = ir_resolve_alias_nullable(type, &nullable);
    if (!type) return true;                     /* an alias cycle, or an alias of an error: reported elsewhere */
    nullable = nullable || type->kind == IR_ANY; /* null is a JSON value like any other */
    if (value->kind == IR_VALUE_NULL)
        return nullable || misfit(out, value, "null needs a nullable type (T | null)");

    switch (type->kind) {
    case IR_BOOL: return value->kind == IR_VALUE_BOOL || misfit(out, value, "expected true or false");
    case IR_INT: return value->kind == IR_VALUE_INT || misfit(out, value, "expected an integer");
    case IR_FLOAT:
        return value->kind == IR_VALUE_INT || value->kind == IR_VALUE_FLOAT || misfit(out, value, "expected a number");
    case IR_DECIMAL:
        if (value->kind == IR_VALUE_INT || value->kind == IR_VALUE_FLOAT) return true;
        return string_fits(check, value, IR_DECIMAL, out);
    case IR_STRING:
    case IR_BYTES:
    case IR_UUID:
    case IR_TIMESTAMP:
    case IR_DATE:
    case IR_TIME:
    case IR_DURATION: return string_fits(check, value, type->kind, out);
    case IR_ANY:
        if (value->kind == IR_VALUE_ENUM) return misfit(out, value, "an 'any' default is a plain JSON value");
        return true;
    case IR_LIST:
        if (value->kind != IR_VALUE_LIST) return misfit(out, value, "expected a list, such as []");
        for (size_t i = 0; i < value->count; i++)
            if (!fits(check, value->items[i], type->element, out)) return false;
        return true;
    case IR_MAP:
        if (value->kind != IR_VALUE_MAP) return misfit(out, value, "expected an object, such as {}");
        for (size_t i = 0; i < value->count; i++) {
            if (!key_fits(check, value->keys[i], type->key, out)) return false;
            for (size_t j = 0; j < i; j++) {
                if (literal_equals(value->keys[j], value->keys[i])) return misfit(out, value->keys[i], "key given twice");
            }
            if (!fits(check, value->items[i], type->element, out)) return false;
        }
        return true;
    case IR_LITERAL:
        for (size_t i = 0; i < type->literal_count; i++)
            if (literal_equals(type->literals[i], value)) return true;
        return misfit(out, value, arena_printf(&check->arena, "expected %s", ir_type_to_string(&check->arena, type)));
    case IR_REF: {
        const IrDecl *decl = type->decl;
        if (decl->kind == IR_DECL_ENUM) {
            if (value->kind == IR_VALUE_ENUM && value->enum_decl == decl) return true;
            return misfit(out, value,
                          arena_printf(&check->arena, "expected a member of '%s', such as %s.%s", decl->name,
                                       decl->name, decl->member_count ? decl->members[0]->name : "member"));
        }
        if (decl->kind == IR_DECL_UNION) {
            for (size_t i = 0; i < decl->alternative_count; i++) {
                Misfit ignored;
                const IrType *alternative = ir_resolve_alias(decl->alternatives[i]);
                if (alternative && alternative->kind == IR_REF && alternative->decl->kind == IR_DECL_MODEL) continue;
                if (fits(check, value, decl->alternatives[i], &ignored)) return true;
            }
            return misfit(out, value, arena_printf(&check->arena, "fits no alternative of '%s' that can have a default",
                                                   decl->name));
        }
        return misfit(out, value,
                      arena_printf(&check->arena, "a %s default can only be null", decl->kind == IR_DECL_MODEL ? "model" : "union"));
    }
    }
    return true;
}

static void check_constraints(DefaultCheck *check, const IrField *field) {
    const IrValue *value = field->default_value;
    const IrConstraints *constraints = field->constraints;
    if (value->kind == IR_VALUE_INT || value->kind == IR_VALUE_FLOAT) {
        struct {
            bool has;
            const IrValue *bound;
            int sign; /* +1: number must be >= (or >) bound */
            bool strict;
        } bounds[] = {{constraints->has_ge, constraints->ge, 1, false}, {constraints->has_gt, constraints->gt, 1, true},
                      {constraints->has_le, constraints->le, -1, false}, {constraints->has_lt, constraints->lt, -1, true}};
        for (size_t i = 0; i < 4; i++) {
            if (!bounds[i].has) continue;
            int order = ir_compare_numbers(value, bounds[i].bound) * bounds[i].sign;
            if (order < 0 || (bounds[i].strict && order == 0)) {
                diag_error(check->diags, value->span, "default %s is outside the field's @range",
                           ir_value_to_string(&check->arena, value));
                return;
            }
        }
    }
    size_t length = 0;
    bool measurable = true;
    if (value->kind == IR_VALUE_STRING) length = code_points(value->text, value->text_length);
    else if (value->kind == IR_VALUE_LIST || value->kind == IR_VALUE_MAP) length = value->count;
    else measurable = false;
    const IrType *base = ir_resolve_alias(field->type);
    if (base && base->kind == IR_BYTES && value->kind == IR_VALUE_STRING) {
        /* the decoded bytes: three per four characters, less one per '=' of padding (the text is valid base64) */
        length = value->text_length / 4 * 3;
        for (size_t i = value->text_length; i > 0 && value->text[i - 1] == '='; i--) length--;
    }
    if (measurable && ((constraints->has_min_length && (int64_t)length < constraints->min_length) ||
                       (constraints->has_max_length && (int64_t)length > constraints->max_length)))
        diag_error(check->diags, value->span, "default's length %zu is outside the field's @length", length);
}

void ir_check_defaults(IrProgram *program, Diagnostics *diags) {
    DefaultCheck check = {diags, {0}};
    arena_init(&check.arena);
    for (size_t d = 0; d < program->decl_count; d++) {
        const IrDecl *decl = program->decls[d];
        for (size_t i = 0; i < decl->field_count; i++) {
            const IrField *field = decl->fields[i];
            if (!field->default_value || !field->type) continue;
            Misfit out = {NULL, NULL};
            if (!fits(&check, field->default_value, field->type, &out)) {
                Diagnostic *diagnostic =
                    diag_error(diags, out.value->span, "default of '%s.%s' does not fit %s: %s", decl->name,
                               field->name, ir_type_to_string(&check.arena, field->type), out.reason);
                (void)diagnostic;
                continue;
            }
            check_constraints(&check, field);
        }
    }
    arena_free(&check.arena);
}
