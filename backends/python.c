/* The Python backend: prints opensdk/python/, a pip-installable package with pydantic v2 models (models.py), a typed
 * async client (client.py), the embedded runtime base client (rpc_client.py), __init__.py, py.typed,
 * pyproject.toml and README.md.
 *
 * Choices that shape the output (see README.md of the output for the user's view):
 * - Presence: `x?: T` is `T | None = None` and is left out of the JSON while it is unset or None
 *   (Field(exclude_if=...)); `x?: T | null` is `T | None = None` too, but only an unset field is left out, so an
 *   explicit None is sent as null. The client serializes with exclude_unset, so a field with a default that the
 *   caller did not set is omitted and the receiver applies its default.
 * - Wire names that differ from the Python name use validation_alias + serialization_alias (not alias): type
 *   checkers then see the Python name in __init__; the model config (serialize_by_alias, validate_by_name) makes
 *   every dump use the wire name and lets callers use the Python name at run time.
 * - Enums are open: a field of enum E is `E | str` (or int), so an unknown value is kept and sent back.
 * - Aliases and unions are module-level assignments evaluated at import time, so each is printed once everything
 *   it names exists; classes are printed in source order (their annotations are lazy, `from __future__ import
 *   annotations`), and models that name something printed after them are rebuilt at the end of the module (the
 *   IR's IrProgram.definition_order and IrDecl.defined_incomplete).
 * - Tagged unions validate by their discriminator; untagged unions with a model in pydantic's smart mode (the
 *   alternative with the most fields set wins), others left to right (the IDL's order).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "../support/escape.h"
#include "common.h"
#include "printer.h"

#define PY TARGET_PYTHON
#define PY_LINE_LENGTH 120 /* the line length of the generated pyproject's ruff settings */

/* Names used by the generated modules, so the imports list only those: for models.py decided from the IR before
 * its body is printed (decl_uses; its header comes first), and recorded again while printing, which checks them. */
typedef enum PyImport {
    IMP_DATE,
    IMP_TIME,
    IMP_TIMEDELTA,
    IMP_DECIMAL,
    IMP_INT_ENUM,
    IMP_ANNOTATED,
    IMP_ANY,
    IMP_LITERAL,
    IMP_UUID,
    IMP_BASE_MODEL,
    IMP_CONFIG_DICT,
    IMP_FIELD,
    IMP_TYPE_ADAPTER,
    IMP_BYTES, /* the base64 helpers and the _Base64Bytes alias */
    IMP_IS_NONE,
    IMP_STRICT,
    IMP_AWARE_DATETIME,
    IMP_STR_ENUM,   /* enum.StrEnum, or its stand-in on Python 3.10 */
    IMP_OPEN_STR,   /* _OpenStr[E]: a string enum that keeps unknown values */
    IMP_OPEN_INT,   /* _OpenInt[E]: an int enum that keeps unknown values */
    IMP_OPEN_INT_KEY, /* _OpenIntKey[E]: the same as a map key, which JSON writes as a string */
    IMP_DEPRECATED, /* typing_extensions.deprecated on models and enums */
    IMP_CARRIES,    /* _carries(...): the literal fields an untagged union's alternative needs in the JSON */
    IMP_COUNT
} PyImport;

/* The scalar types a field may be named like: imported under an alias (`from datetime import date as _date`) when
 * some field of the program has that name, so that the field keeps its name and its class body still sees the
 * type (as datamodel-code-generator does). */
typedef enum PyScalarAlias { ALIAS_DATE, ALIAS_TIME, ALIAS_TIMEDELTA, ALIAS_DECIMAL, ALIAS_UUID, ALIAS_COUNT } PyScalarAlias;
static const char *const SCALAR_ALIAS_NAMES[ALIAS_COUNT] = {"date", "time", "timedelta", "Decimal", "UUID"};
static const char *const SCALAR_ALIAS_MODULES[ALIAS_COUNT] = {"datetime", "datetime", "datetime", "decimal", "uuid"};

typedef struct PyGen {
    const IrProgram *program;
    const BackendOptions *options;
    bool used[IMP_COUNT];
    bool aliased[ALIAS_COUNT]; /* the scalar type is imported as _<name>: a field has its name */
    size_t *decl_import_order;      /* declaration_import_order's, once computed */
    unsigned char *decl_member_types; /* and each declaration's member_type */
    StrBuf line;               /* scratch: a line built before it is printed (a model's field) */
    bool predicted[IMP_COUNT];       /* the names models.py's body uses, decided before printing (decl_uses) */
    struct ModelTraits *decl_traits; /* models.py: each declaration's, by definition position (decl_uses') */
    size_t decl_position;            /* the position of the declaration being printed */
} PyGen;

static const char *py_name(const IrNames *names) { return names->in[PY]; }

/* Starts a line of a class body with its indentation appended as text, through the printer's public calls: at depth
 * 1 the printer's own indentation (a call of about 40 instructions a line) is dearer than stepping out to depth 0,
 * writing the four spaces (the printer's unit) and stepping back in. Other depths, and a line already started, are
 * left to the printer. A candidate printer primitive: an inline indentation for short depths. */
static inline void begin_body_line(Printer *printer) {
    if (printer->depth != 1 || !printer->at_line_start) return;
    printer_dedent(printer);
    printer_putn(printer, "    ", 4);
    printer_indent(printer);
}

/* An empty line: what printer_blank_line prints, without its scan of the text for line breaks. */
static inline void blank_line(Printer *printer) { printer_end_line(printer); }

/* True when a field's JSON key is not its Python name (the namer hands back the IDL name itself when it keeps it,
 * which is also the wire name without @json: most fields are decided without comparing). */
static bool has_wire_alias(const IrField *field) {
    const char *name = py_name(&field->names);
    return field->wire_name != name && strcmp(field->wire_name, name) != 0;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Text helpers                                                                                               */

/* A Python string literal of `text` (the escaping of printer_string_literal). */
static void append_string(StrBuf *out, const char *text, size_t len) { escape_string_literal(out, PY, text, len); }

static void append_cstring(StrBuf *out, const char *text) { append_string(out, text, strlen(text)); }

static void print_marker(PyGen *gen, Printer *printer) { backend_print_marker(printer, MARKER_HASH, gen->options); }

/* A one-line module docstring; `text` has one %s for the input file name. */
static void print_module_docstring(PyGen *gen, Printer *printer, const char *text) {
    StrBuf name, doc;
    strbuf_init(&name);
    strbuf_init(&doc);
    backend_append_input_name(&name, gen->options);
    const char *at = strstr(text, "%s");
    strbuf_append(&doc, text, (size_t)(at - text));
    strbuf_puts(&doc, strbuf_cstr(&name));
    strbuf_puts(&doc, at + 2);
    printer_python_docstring(printer, strbuf_cstr(&doc));
    strbuf_free(&name);
    strbuf_free(&doc);
}

static void append_package(StrBuf *out, const BackendOptions *options) {
    namer_append_package_name(out, PY, options->package_name);
}

static void append_distribution(StrBuf *out, const BackendOptions *options) {
    namer_append_python_distribution(out, options->package_name);
}

/* A doc plus its deprecation note, as one text for a docstring; NULL when there is neither. */
static char *doc_with_deprecation(const char *doc, const IrDeprecation *deprecation) {
    StrBuf text;
    strbuf_init(&text);
    if (doc && doc[0]) strbuf_puts(&text, doc);
    if (deprecation->deprecated) {
        if (text.len) strbuf_puts(&text, "\n\n");
        strbuf_puts(&text, "Deprecated");
        if (deprecation->reason && deprecation->reason[0]) {
            strbuf_puts(&text, ": ");
            strbuf_puts(&text, deprecation->reason);
        } else {
            strbuf_putc(&text, '.');
        }
    }
    if (text.len == 0) {
        strbuf_free(&text);
        return NULL;
    }
    return text.data; /* owned by the caller */
}

/* The length of `doc` when it is one line that a docstring and a string literal hold as it is (printable ASCII but
 * '"' and '\\', not ending in a blank, which the docstring would drop), else 0: most docs, printed without the
 * general layout and escaping. */
static size_t plain_doc_length(const char *doc) {
    if (!doc) return 0;
    size_t len = strlen(doc);
    if (len == 0 || doc[len - 1] == ' ' || escape_plain_ascii_run(doc, len) != len) return 0;
    return len;
}

/* printer_python_docstring of a doc of plain_doc_length `len`: the text between the quotes on one line. */
static void print_plain_docstring(Printer *printer, const char *doc, size_t len) {
    begin_body_line(printer);
    printer_putn(printer, "\"\"\"", 3); /* starts the line: the indentation */
    StrBuf *out = &printer->out;
    strbuf_append(out, doc, len);
    strbuf_append(out, "\"\"\"", 3);
    printer_end_line(printer);
}

static bool print_docstring(Printer *printer, const char *doc, const IrDeprecation *deprecation) {
    if (!deprecation->deprecated) { /* the doc as it is: no copy */
        if (!doc || !doc[0]) return false;
        size_t plain_len = plain_doc_length(doc);
        if (plain_len) {
            print_plain_docstring(printer, doc, plain_len);
        } else {
            printer_python_docstring(printer, doc);
        }
        return true;
    }
    char *text = doc_with_deprecation(doc, deprecation);
    if (!text) return false;
    printer_python_docstring(printer, text);
    free(text);
    return true;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Types                                                                                                      */

/* The import a scalar's name needs, or IMP_COUNT for none (scalar_name's, and models_imports' pre-pass). */
static PyImport scalar_import(IrTypeKind kind) {
    switch (kind) {
    case IR_BYTES: return IMP_BYTES;
    case IR_DECIMAL: return IMP_DECIMAL;
    case IR_UUID: return IMP_UUID;
    case IR_TIMESTAMP: return IMP_AWARE_DATETIME;
    case IR_DATE: return IMP_DATE;
    case IR_TIME: return IMP_TIME;
    case IR_DURATION: return IMP_TIMEDELTA;
    case IR_ANY: return IMP_ANY;
    default: return IMP_COUNT;
    }
}

static const char *scalar_name(PyGen *gen, IrTypeKind kind) {
    PyImport import = scalar_import(kind);
    if (import != IMP_COUNT) gen->used[import] = true;
    switch (kind) {
    case IR_BOOL: return "bool";
    case IR_INT: return "int";
    case IR_FLOAT: return "float";
    case IR_STRING: return "str";
    case IR_BYTES: return "_Base64Bytes";
    case IR_DECIMAL: return gen->aliased[ALIAS_DECIMAL] ? "_Decimal" : "Decimal";
    case IR_UUID: return gen->aliased[ALIAS_UUID] ? "_UUID" : "UUID";
    /* An offset is part of the wire format (RFC 3339): a naive datetime is refused, not sent without one. */
    case IR_TIMESTAMP: return "AwareDatetime";
    case IR_DATE: return gen->aliased[ALIAS_DATE] ? "_date" : "date";
    case IR_TIME: return gen->aliased[ALIAS_TIME] ? "_time" : "time";
    case IR_DURATION: return gen->aliased[ALIAS_TIMEDELTA] ? "_timedelta" : "timedelta";
    default: return "Any";
    }
}

static void append_literal_value(StrBuf *out, const IrValue *value) {
    switch (value->kind) {
    case IR_VALUE_STRING: append_string(out, value->text, value->text_length); break;
    case IR_VALUE_INT: strbuf_printf(out, "%" PRId64, value->int_value); break;
    case IR_VALUE_BOOL: strbuf_puts(out, value->bool_value ? "True" : "False"); break;
    default: strbuf_puts(out, "None"); break;
    }
}

static void append_type(PyGen *gen, StrBuf *out, const IrType *type);

/* The type without its nullability. */
static void append_base_type(PyGen *gen, StrBuf *out, const IrType *type) {
    switch (type->kind) {
    case IR_LIST:
        strbuf_append(out, "list[", 5);
        append_type(gen, out, type->element);
        strbuf_putc(out, ']');
        return;
    case IR_MAP:
        strbuf_append(out, "dict[", 5);
        if (type->key->kind == IR_REF && type->key->decl->kind == IR_DECL_ENUM && type->key->decl->int_enum) {
            gen->used[IMP_OPEN_INT_KEY] = true;
            strbuf_append(out, "_OpenIntKey[", 12);
            strbuf_puts(out, py_name(&type->key->decl->names));
            strbuf_putc(out, ']');
        } else {
            append_type(gen, out, type->key);
        }
        strbuf_append(out, ", ", 2);
        append_type(gen, out, type->element);
        strbuf_putc(out, ']');
        return;
    case IR_LITERAL:
        gen->used[IMP_LITERAL] = true;
        strbuf_puts(out, "Literal[");
        for (size_t index = 0; index < type->literal_count; index++) {
            if (index) strbuf_puts(out, ", ");
            append_literal_value(out, type->literals[index]);
        }
        strbuf_putc(out, ']');
        return;
    case IR_REF:
        if (type->decl->kind == IR_DECL_ENUM) {
            /* Open: a value this SDK does not know is kept as a plain str or int and sent back unchanged. */
            gen->used[type->decl->int_enum ? IMP_OPEN_INT : IMP_OPEN_STR] = true;
            strbuf_append(out, type->decl->int_enum ? "_OpenInt[" : "_OpenStr[", 9);
            strbuf_puts(out, py_name(&type->decl->names));
            strbuf_putc(out, ']');
            return;
        }
        strbuf_puts(out, py_name(&type->decl->names));
        return;
    /* the builtin scalars most fields are, with lengths known when compiling */
    case IR_BOOL: strbuf_append(out, "bool", 4); return;
    case IR_INT: strbuf_append(out, "int", 3); return;
    case IR_FLOAT: strbuf_append(out, "float", 5); return;
    case IR_STRING: strbuf_append(out, "str", 3); return;
    default: strbuf_puts(out, scalar_name(gen, type->kind)); return;
    }
}

/* True when the type already admits None (so `| None` would be redundant): any, or a nullable alias. */
static bool admits_none(const IrType *type) {
    for (int depth = 0; type && depth < 1000; depth++) {
        if (type->nullable || type->kind == IR_ANY) return true;
        if (type->kind != IR_REF || type->decl->kind != IR_DECL_ALIAS) return false;
        type = type->decl->aliased;
    }
    return false;
}

/* The type, with `| None` when it is nullable and its base does not admit None already. */
static void append_type(PyGen *gen, StrBuf *out, const IrType *type) {
    /* The builtin scalars most types are: appended here (none of them admits None by itself). */
    const char *scalar;
    size_t scalar_len;
    switch (type->kind) {
    case IR_BOOL: scalar = "bool", scalar_len = 4; break;
    case IR_INT: scalar = "int", scalar_len = 3; break;
    case IR_FLOAT: scalar = "float", scalar_len = 5; break;
    case IR_STRING: scalar = "str", scalar_len = 3; break;
    default: scalar = NULL, scalar_len = 0; break;
    }
    if (scalar) {
        strbuf_append(out, scalar, scalar_len);
        if (type->nullable) strbuf_append(out, " | None", 7);
        return;
    }
    append_base_type(gen, out, type);
    bool base_admits_none = type->kind == IR_ANY ||
                            (type->kind == IR_REF && type->decl->kind == IR_DECL_ALIAS && admits_none(type->decl->aliased));
    if (type->nullable && !base_admits_none) strbuf_append(out, " | None", 7);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Values (defaults and bounds), printed as Python expressions of the field's type                             */

static const IrEnumMember *enum_member_by_value(const IrDecl *decl, const IrValue *value) {
    for (size_t index = 0; index < decl->member_count; index++) {
        const IrEnumMember *member = decl->members[index];
        if (decl->int_enum && value->kind == IR_VALUE_INT && member->int_value == value->int_value) return member;
        if (!decl->int_enum && value->kind == IR_VALUE_STRING &&
            member->string_value_length == value->text_length &&
            memcmp(member->string_value, value->text, value->text_length) == 0)
            return member;
    }
    return NULL;
}

static void append_value(PyGen *gen, StrBuf *out, const IrType *type, const IrValue *value);

/* An untyped JSON value (for `any`). */
static void append_json_value(PyGen *gen, StrBuf *out, const IrValue *value) {
    switch (value->kind) {
    case IR_VALUE_NULL: strbuf_puts(out, "None"); return;
    case IR_VALUE_BOOL: strbuf_puts(out, value->bool_value ? "True" : "False"); return;
    case IR_VALUE_INT: strbuf_printf(out, "%" PRId64, value->int_value); return;
    case IR_VALUE_FLOAT: strbuf_puts(out, value->text); return;
    case IR_VALUE_STRING: append_string(out, value->text, value->text_length); return;
    case IR_VALUE_ENUM:
        append_value(gen, out, NULL, value);
        return;
    case IR_VALUE_LIST:
        strbuf_putc(out, '[');
        for (size_t index = 0; index < value->count; index++) {
            if (index) strbuf_puts(out, ", ");
            append_json_value(gen, out, value->items[index]);
        }
        strbuf_putc(out, ']');
        return;
    case IR_VALUE_MAP:
        strbuf_putc(out, '{');
        for (size_t index = 0; index < value->count; index++) {
            if (index) strbuf_puts(out, ", ");
            const IrValue *key = value->keys[index];
            if (key->kind == IR_VALUE_INT) {
                /* JSON object keys are strings */
                strbuf_printf(out, "\"%" PRId64 "\"", key->int_value);
            } else {
                append_json_value(gen, out, key);
            }
            strbuf_puts(out, ": ");
            append_json_value(gen, out, value->items[index]);
        }
        strbuf_putc(out, '}');
        return;
    }
}

static void append_parsed(PyGen *gen, StrBuf *out, const char *python_type, const IrValue *value) {
    gen->used[IMP_TYPE_ADAPTER] = true;
    strbuf_printf(out, "TypeAdapter(%s).validate_python(", python_type);
    append_string(out, value->text, value->text_length);
    strbuf_putc(out, ')');
}

/* True when text is an optionally signed decimal integer that fits int64. */
static bool parse_integral(const char *text, size_t len, int64_t *result) {
    size_t pos = (len && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
    if (pos == len || len - pos > 18) return false;
    int64_t magnitude = 0;
    for (size_t index = pos; index < len; index++) {
        if (text[index] < '0' || text[index] > '9') return false;
        magnitude = magnitude * 10 + (text[index] - '0');
    }
    *result = text[0] == '-' ? -magnitude : magnitude;
    return true;
}

static void append_value(PyGen *gen, StrBuf *out, const IrType *type, const IrValue *value) {
    const IrType *resolved = type ? ir_resolve_alias(type) : NULL;
    if (value->kind == IR_VALUE_NULL) {
        strbuf_puts(out, "None");
        return;
    }
    if (value->kind == IR_VALUE_ENUM) {
        strbuf_printf(out, "%s.%s", py_name(&value->enum_decl->names), py_name(&value->enum_member->names));
        return;
    }
    if (!resolved || resolved->kind == IR_ANY) {
        append_json_value(gen, out, value);
        return;
    }
    switch (resolved->kind) {
    case IR_FLOAT:
        if (value->kind == IR_VALUE_INT) {
            strbuf_printf(out, "%" PRId64 ".0", value->int_value);
            return;
        }
        break;
    case IR_DECIMAL:
        strbuf_printf(out, "%s(", scalar_name(gen, IR_DECIMAL));
        if (value->kind == IR_VALUE_INT) {
            strbuf_printf(out, "%" PRId64, value->int_value); /* an integral Decimal from an int (ruff FURB157) */
        } else {
            size_t len = value->kind == IR_VALUE_STRING ? value->text_length : strlen(value->text);
            int64_t integral;
            if (parse_integral(value->text, len, &integral)) {
                strbuf_printf(out, "%" PRId64, integral);
            } else {
                append_string(out, value->text, len);
            }
        }
        strbuf_putc(out, ')');
        return;
    case IR_UUID:
        strbuf_printf(out, "%s(", scalar_name(gen, IR_UUID));
        append_string(out, value->text, value->text_length);
        strbuf_putc(out, ')');
        return;
    case IR_TIMESTAMP: append_parsed(gen, out, scalar_name(gen, IR_TIMESTAMP), value); return;
    case IR_DATE: append_parsed(gen, out, scalar_name(gen, IR_DATE), value); return;
    case IR_TIME: append_parsed(gen, out, scalar_name(gen, IR_TIME), value); return;
    case IR_DURATION: append_parsed(gen, out, scalar_name(gen, IR_DURATION), value); return;
    case IR_BYTES:
        gen->used[IMP_BYTES] = true;
        strbuf_puts(out, "_b64decode(");
        append_string(out, value->text, value->text_length);
        strbuf_putc(out, ')');
        return;
    case IR_REF:
        if (resolved->decl->kind == IR_DECL_ENUM) {
            const IrEnumMember *member = enum_member_by_value(resolved->decl, value);
            if (member) {
                strbuf_printf(out, "%s.%s", py_name(&resolved->decl->names), py_name(&member->names));
                return;
            }
        }
        break;
    case IR_LIST:
        if (value->kind == IR_VALUE_LIST) {
            strbuf_putc(out, '[');
            for (size_t index = 0; index < value->count; index++) {
                if (index) strbuf_puts(out, ", ");
                append_value(gen, out, resolved->element, value->items[index]);
            }
            strbuf_putc(out, ']');
            return;
        }
        break;
    case IR_MAP:
        if (value->kind == IR_VALUE_MAP) {
            strbuf_putc(out, '{');
            for (size_t index = 0; index < value->count; index++) {
                if (index) strbuf_puts(out, ", ");
                append_value(gen, out, resolved->key, value->keys[index]);
                strbuf_puts(out, ": ");
                append_value(gen, out, resolved->element, value->items[index]);
            }
            strbuf_putc(out, '}');
            return;
        }
        break;
    default: break;
    }
    append_json_value(gen, out, value);
}

/* A bound of @range: an int or float literal, as a Decimal for decimal fields (exact comparison). */
static void append_bound(PyGen *gen, StrBuf *out, const IrType *type, const IrValue *value) {
    const IrType *resolved = ir_resolve_alias(type);
    if (resolved && resolved->kind == IR_DECIMAL) {
        append_value(gen, out, resolved, value);
    } else if (value->kind == IR_VALUE_INT) {
        strbuf_printf(out, "%" PRId64, value->int_value);
    } else {
        strbuf_puts(out, value->text);
    }
}

/* ---------------------------------------------------------------------------------------------------------- */
/* models.py                                                                                                  */

/* `@deprecated(reason, category=None)` (typing_extensions, PEP 702) before a deprecated class: type checkers flag
 * its uses, as those of a deprecated method. No warning at run time: pydantic makes instances of a model when it
 * decodes a reply, which the caller does not choose (a deprecated method warns when it is called). */
static void print_deprecated_decorator(PyGen *gen, Printer *printer, const IrDeprecation *deprecation) {
    if (!deprecation->deprecated) return;
    gen->used[IMP_DEPRECATED] = true;
    StrBuf reason;
    strbuf_init(&reason);
    append_cstring(&reason, deprecation->reason && deprecation->reason[0] ? deprecation->reason : "deprecated");
    printer_line(printer, "@deprecated(%s, category=None)", strbuf_cstr(&reason));
    strbuf_free(&reason);
}

static void print_enum(PyGen *gen, Printer *printer, const IrDecl *decl) {
    gen->used[decl->int_enum ? IMP_INT_ENUM : IMP_STR_ENUM] = true;
    print_deprecated_decorator(gen, printer, &decl->deprecation);
    PRINTER_LINE(printer, "class ", py_name(&decl->names), decl->int_enum ? "(IntEnum):" : "(StrEnum):");
    printer_indent(printer);
    bool has_doc = print_docstring(printer, decl->doc, &decl->deprecation);
    if (has_doc && decl->member_count) blank_line(printer);
    for (size_t index = 0; index < decl->member_count; index++) {
        const IrEnumMember *member = decl->members[index];
        /* `NAME = value`, the value escaped straight into the output after the name started the line */
        begin_body_line(printer);
        printer_put(printer, py_name(&member->names));
        StrBuf *out = &printer->out;
        strbuf_append(out, " = ", 3);
        if (decl->int_enum) {
            strbuf_printf(out, "%" PRId64, member->int_value);
        } else {
            append_string(out, member->string_value, member->string_value_length);
        }
        printer_end_line(printer);
        print_docstring(printer, member->doc, &member->deprecation);
    }
    if (!has_doc && decl->member_count == 0) printer_line(printer, "pass");
    printer_dedent(printer);
}

/* The value of a required field whose type is one literal (`kind: "circle"`): its default, as Go's zero value is;
 * NULL for any other field. */
static const IrValue *single_literal(const IrField *field) {
    if (field->type->kind != IR_LITERAL && field->type->kind != IR_REF) return NULL; /* no alias to resolve */
    if (field->optional || field->default_value || admits_none(field->type)) return NULL;
    const IrType *resolved = ir_resolve_alias(field->type);
    if (!resolved || resolved->kind != IR_LITERAL || resolved->literal_count != 1) return NULL;
    return resolved->literals[0];
}

static bool model_has_single_literals(const IrDecl *decl) {
    for (size_t index = 0; index < decl->field_count; index++)
        if (single_literal(decl->fields[index])) return true;
    return false;
}

/* What a model's config and body depend on, from one pass over its fields. */
struct ModelTraits {
    bool aliases;         /* a field's wire name is not its Python name */
    bool protected_names; /* a field's name is in pydantic's protected namespace ("model_") */
    bool single_literals; /* a field has single_literal's default */
};
typedef struct ModelTraits ModelTraits;

/* Adds a field's traits to its model's. */
static inline void add_field_traits(ModelTraits *traits, const IrField *field) {
    const char *name = py_name(&field->names);
    if (has_wire_alias(field)) traits->aliases = true;
    if (name[0] == 'm' && namer_python_is_pydantic_namespace(name)) traits->protected_names = true;
    if (single_literal(field)) traits->single_literals = true;
}

/* Appends ", " before every argument but the first. */
static void next_arg(StrBuf *args) {
    if (args->len) strbuf_puts(args, ", ");
}

/* True when a container value holds an enum member: a factory's lambda would be typed list[Color], which mypy
 * does not take for list[Color | str] (the open enum), so such a value is a plain default, which pydantic copies
 * for every instance as it would call a factory. */
static bool value_has_enum(const IrType *type, const IrValue *value) {
    const IrType *resolved = type ? ir_resolve_alias(type) : NULL;
    if (value->kind == IR_VALUE_ENUM) return true;
    if (resolved && resolved->kind == IR_REF && resolved->decl->kind == IR_DECL_ENUM) return true;
    if (value->kind != IR_VALUE_LIST && value->kind != IR_VALUE_MAP) return false;
    for (size_t index = 0; index < value->count; index++) {
        const IrType *element = resolved && (resolved->kind == IR_LIST || resolved->kind == IR_MAP) ? resolved->element : NULL;
        const IrType *key = resolved && resolved->kind == IR_MAP ? resolved->key : NULL;
        if (value_has_enum(element, value->items[index])) return true;
        if (value->kind == IR_VALUE_MAP && value_has_enum(key, value->keys[index])) return true;
    }
    return false;
}

/* The arguments of a field's Field(...) call that it has, in the order they are printed. */
enum {
    ARG_DEFAULT = 1 << 0,
    ARG_ALIASES = 1 << 1, /* validation_alias and serialization_alias: two arguments */
    ARG_GE = 1 << 2,
    ARG_GT = 1 << 3,
    ARG_LE = 1 << 4,
    ARG_LT = 1 << 5,
    ARG_MIN_LENGTH = 1 << 6,
    ARG_MAX_LENGTH = 1 << 7,
    ARG_PATTERN = 1 << 8,
    ARG_DESCRIPTION = 1 << 9,
    ARG_DEPRECATED = 1 << 10,
    ARG_EXCLUDE_IF = 1 << 11,
};

/* Appends the field's default value (after "default=", "default_factory=" or " = "); `factory` tells which. */
static void append_field_default(PyGen *gen, StrBuf *out, const IrField *field, const IrValue *literal, bool factory) {
    if (field->optional) {
        strbuf_append(out, "None", 4);
    } else if (literal) {
        append_literal_value(out, literal);
    } else {
        const IrValue *value = field->default_value;
        if (factory && value->count == 0) {
            strbuf_puts(out, value->kind == IR_VALUE_LIST ? "list" : "dict");
        } else {
            if (factory) strbuf_append(out, "lambda: ", 8);
            append_value(gen, out, field->type, value);
        }
    }
}

/* Appends ", " before every Field argument but the first, and records where each argument ends. */
typedef struct FieldArgEnds {
    size_t ends[16];
    size_t count;
} FieldArgEnds;

static inline void begin_field_arg(StrBuf *line, FieldArgEnds *args, const char *keyword, size_t keyword_len) {
    if (args->count) strbuf_append(line, ", ", 2);
    strbuf_append(line, keyword, keyword_len);
}

static inline void end_field_arg(StrBuf *line, FieldArgEnds *args) { args->ends[args->count++] = line->len; }

/* True for most fields: `name: type`, or `name: type = literal` for a single literal, without Field(...) or a
 * docstring. */
static inline __attribute__((always_inline)) bool is_plain_field(const IrField *field) {
    return !field->optional && !field->default_value && field->constraints == &ir_no_constraints &&
           !(field->doc && field->doc[0]) && !field->deprecation.deprecated && !has_wire_alias(field);
}

/* How a field that is not plain is printed: its default and the arguments of its Field(...) call. */
typedef struct FieldPlan {
    const IrValue *literal; /* single_literal's value, the default */
    bool has_default;
    bool factory;      /* the default is a default_factory */
    bool absent_is_none; /* `x?: T`: None stands for "absent" */
    unsigned args;     /* ARG_* */
    size_t arg_count;
    bool field_call;   /* `= Field(...)` rather than `= default` or nothing */
} FieldPlan;

/* Inlined into print_field (a call of its own there cost 3% of print_field's instructions). */
static inline __attribute__((always_inline)) FieldPlan plan_field(const IrField *field) {
    FieldPlan plan;
    const IrType *type = field->type;
    const IrConstraints *constraints = field->constraints;
    bool nullable = admits_none(type);
    plan.absent_is_none = field->optional && !nullable;

    /* The default: a plain value, or a factory for mutable ones. */
    plan.literal = field->optional ? NULL : single_literal(field);
    plan.has_default = field->optional || plan.literal || field->default_value;
    plan.factory = false;
    if (!field->optional && !plan.literal && field->default_value) {
        const IrValue *value = field->default_value;
        plan.factory = (value->kind == IR_VALUE_LIST || value->kind == IR_VALUE_MAP) &&
                       (value->count == 0 || !value_has_enum(type, value));
    }
    unsigned args = 0;
    size_t arg_count = 0;
    if (plan.has_default) args |= ARG_DEFAULT, arg_count++;
    if (has_wire_alias(field)) args |= ARG_ALIASES, arg_count += 2;
    if (constraints->has_ge) args |= ARG_GE, arg_count++;
    if (constraints->has_gt) args |= ARG_GT, arg_count++;
    if (constraints->has_le) args |= ARG_LE, arg_count++;
    if (constraints->has_lt) args |= ARG_LT, arg_count++;
    if (constraints->has_min_length) args |= ARG_MIN_LENGTH, arg_count++;
    if (constraints->has_max_length) args |= ARG_MAX_LENGTH, arg_count++;
    if (constraints->pattern) args |= ARG_PATTERN, arg_count++;
    if (field->doc && field->doc[0]) args |= ARG_DESCRIPTION, arg_count++;
    if (field->deprecation.deprecated) args |= ARG_DEPRECATED, arg_count++;
    if (plan.absent_is_none) args |= ARG_EXCLUDE_IF, arg_count++;
    plan.args = args;
    plan.arg_count = arg_count;
    plan.field_call = !(arg_count == 0 || (arg_count == 1 && plan.has_default && !plan.factory));
    return plan;
}

/* One field: `name: type`, its default or Field(...) call, and its docstring. The line is built in the generator's
 * scratch buffer (no allocation per field) and printed at once; it wraps, as a formatter would, only when it is
 * longer than the line length. */
static void print_field(PyGen *gen, Printer *printer, const IrField *field) {
    const char *name = py_name(&field->names);
    const IrType *type = field->type;
    bool has_doc = field->doc && field->doc[0];
    if (is_plain_field(field)) {
        /* Most fields: `name: type`, or `name: type = literal` for a single literal, without Field(...) or a
         * docstring; appended straight to the output. */
        const IrValue *literal = single_literal(field);
        StrBuf *out = &printer->out;
        begin_body_line(printer);
        printer_put(printer, name); /* starts the line: the indentation */
        strbuf_append(out, ": ", 2);
        append_type(gen, out, type);
        if (literal) {
            strbuf_append(out, " = ", 3);
            append_literal_value(out, literal);
        }
        printer_end_line(printer);
        return;
    }
    const IrConstraints *constraints = field->constraints;
    FieldPlan plan = plan_field(field);
    bool absent_is_none = plan.absent_is_none, has_default = plan.has_default, factory = plan.factory;
    const IrValue *literal = plan.literal;
    unsigned args = plan.args;
    /* The doc's scan, once for its description and its docstring. */
    size_t plain_doc_len = has_doc && !field->deprecation.deprecated ? plain_doc_length(field->doc) : 0;

    StrBuf *line = &gen->line;
    strbuf_clear(line);
    strbuf_puts(line, name);
    strbuf_append(line, ": ", 2);
    append_type(gen, line, type);
    if (absent_is_none) strbuf_append(line, " | None", 7);

    if (!plan.field_call) {
        if (has_default) {
            strbuf_append(line, " = ", 3);
            append_field_default(gen, line, field, literal, false);
        }
        begin_body_line(printer);
        printer_putn(printer, line->data, line->len);
        printer_end_line(printer);
    } else {
        gen->used[IMP_FIELD] = true;
        strbuf_append(line, " = Field(", 9);
        size_t args_start = line->len;
        FieldArgEnds ends;
        ends.count = 0;
        if (args & ARG_DEFAULT) {
            if (factory) {
                begin_field_arg(line, &ends, "default_factory=", 16);
            } else {
                begin_field_arg(line, &ends, "default=", 8);
            }
            append_field_default(gen, line, field, literal, factory);
            end_field_arg(line, &ends);
        }
        if (args & ARG_ALIASES) {
            begin_field_arg(line, &ends, "validation_alias=", 17);
            append_cstring(line, field->wire_name);
            end_field_arg(line, &ends);
            begin_field_arg(line, &ends, "serialization_alias=", 20);
            append_cstring(line, field->wire_name);
            end_field_arg(line, &ends);
        }
        const IrType *resolved = (args & (ARG_GE | ARG_GT | ARG_LE | ARG_LT)) ? ir_resolve_alias(type) : NULL;
        static const char *const bound_keywords[] = {"ge=", "gt=", "le=", "lt="};
        IrValue *const bounds[] = {constraints->ge, constraints->gt, constraints->le, constraints->lt};
        for (int index = 0; index < 4; index++) {
            if (!(args & (ARG_GE << index))) continue;
            begin_field_arg(line, &ends, bound_keywords[index], 3);
            append_bound(gen, line, resolved, bounds[index]);
            end_field_arg(line, &ends);
        }
        if (args & ARG_MIN_LENGTH) {
            begin_field_arg(line, &ends, "min_length=", 11);
            strbuf_printf(line, "%" PRId64, constraints->min_length);
            end_field_arg(line, &ends);
        }
        if (args & ARG_MAX_LENGTH) {
            begin_field_arg(line, &ends, "max_length=", 11);
            strbuf_printf(line, "%" PRId64, constraints->max_length);
            end_field_arg(line, &ends);
        }
        if (args & ARG_PATTERN) {
            begin_field_arg(line, &ends, "pattern=", 8);
            append_cstring(line, constraints->pattern);
            end_field_arg(line, &ends);
        }
        if (args & ARG_DESCRIPTION) {
            begin_field_arg(line, &ends, "description=", 12);
            if (plain_doc_len) { /* a literal of plain text is the text in quotes */
                strbuf_putc(line, '"');
                strbuf_append(line, field->doc, plain_doc_len);
                strbuf_putc(line, '"');
            } else {
                append_cstring(line, field->doc);
            }
            end_field_arg(line, &ends);
        }
        if (args & ARG_DEPRECATED) {
            begin_field_arg(line, &ends, "deprecated=", 11);
            if (field->deprecation.reason && field->deprecation.reason[0]) {
                append_cstring(line, field->deprecation.reason);
            } else {
                strbuf_append(line, "True", 4);
            }
            end_field_arg(line, &ends);
        }
        if (args & ARG_EXCLUDE_IF) {
            gen->used[IMP_IS_NONE] = true;
            begin_field_arg(line, &ends, "exclude_if=_is_none", 19);
            end_field_arg(line, &ends);
        }
        strbuf_putc(line, ')');

        size_t indent = (size_t)printer->depth * 4;
        if (indent + line->len <= PY_LINE_LENGTH) {
            begin_body_line(printer);
            printer_putn(printer, line->data, line->len);
            printer_end_line(printer);
        } else {
            /* as a formatter wraps it: the arguments on one continuation line, or one per line */
            printer_putn(printer, line->data, args_start);
            printer_end_line(printer);
            printer_indent(printer);
            size_t joined_len = line->len - 1 - args_start; /* the arguments, without the closing parenthesis */
            if (indent + 4 + joined_len <= PY_LINE_LENGTH) {
                printer_putn(printer, line->data + args_start, joined_len);
                printer_end_line(printer);
            } else {
                size_t start = args_start;
                for (size_t index = 0; index < ends.count; index++) {
                    printer_putn(printer, line->data + start, ends.ends[index] - start);
                    printer_putn(printer, ",", 1);
                    printer_end_line(printer);
                    start = ends.ends[index] + 2; /* past ", " */
                }
            }
            printer_dedent(printer);
            PRINTER_LINE(printer, ")");
        }
    }
    if (plain_doc_len) {
        print_plain_docstring(printer, field->doc, plain_doc_len);
    } else if (has_doc || field->deprecation.deprecated) {
        print_docstring(printer, field->doc, &field->deprecation);
    }
}

/* Marks the single-literal fields as set once a model is made, so that the client, which sends only the fields
 * that were set (exclude_unset), sends them even when they were left at their default. */
static void print_single_literals_set(Printer *printer, const IrDecl *decl) {
    StrBuf names;
    strbuf_init(&names);
    size_t count = 0;
    for (size_t index = 0; index < decl->field_count; index++) {
        if (!single_literal(decl->fields[index])) continue;
        next_arg(&names);
        append_cstring(&names, py_name(&decl->fields[index]->names));
        count++;
    }
    blank_line(printer);
    printer_line(printer, "def model_post_init(self, context: Any, /) -> None:");
    printer_indent(printer);
    printer_line(printer, "\"\"\"Literal fields are always sent, also when left at their only value.\"\"\"");
    if (count == 1) {
        printer_line(printer, "self.model_fields_set.add(%s)", strbuf_cstr(&names));
    } else {
        printer_line(printer, "self.model_fields_set.update((%s))", strbuf_cstr(&names));
    }
    printer_dedent(printer);
    strbuf_free(&names);
}

static void print_model(PyGen *gen, Printer *printer, const IrDecl *decl) {
    gen->used[IMP_BASE_MODEL] = true;
    print_deprecated_decorator(gen, printer, &decl->deprecation);
    PRINTER_LINE(printer, "class ", py_name(&decl->names), "(BaseModel):");
    printer_indent(printer);
    bool has_doc = print_docstring(printer, decl->doc, &decl->deprecation);
    ModelTraits traits = gen->decl_traits[gen->decl_position];
    bool aliases = traits.aliases, protected_names = traits.protected_names;
    if (aliases || protected_names || decl->open) {
        gen->used[IMP_CONFIG_DICT] = true;
        if (has_doc) blank_line(printer);
        /* Wire names everywhere, also in a user's own model_dump_json(); the Python name is accepted too. */
        StrBuf config;
        strbuf_init(&config);
        if (aliases) strbuf_puts(&config, "serialize_by_alias=True, validate_by_alias=True, validate_by_name=True");
        if (protected_names) {
            next_arg(&config);
            strbuf_puts(&config, "protected_namespaces=()");
        }
        if (decl->open) {
            /* @open: keys the model does not declare are kept (model_extra) and sent again */
            next_arg(&config);
            strbuf_puts(&config, "extra=\"allow\"");
        }
        if ((size_t)printer->depth * 4 + strlen("model_config = ConfigDict()") + config.len <= PY_LINE_LENGTH) {
            printer_line(printer, "model_config = ConfigDict(%s)", strbuf_cstr(&config));
        } else {
            printer_line(printer, "model_config = ConfigDict(");
            printer_indent(printer);
            printer_line(printer, "%s", strbuf_cstr(&config));
            printer_dedent(printer);
            printer_line(printer, ")");
        }
        strbuf_free(&config);
        has_doc = true;
    }
    if (has_doc && decl->field_count) blank_line(printer);
    for (size_t index = 0; index < decl->field_count; index++) print_field(gen, printer, decl->fields[index]);
    if (traits.single_literals) {
        gen->used[IMP_ANY] = true;
        print_single_literals_set(printer, decl);
    }
    if (!has_doc && decl->field_count == 0) printer_line(printer, "pass");
    printer_dedent(printer);
}

/* The name of the discriminator field in the union's first alternative (the IR gives its wire name). */
static const char *discriminator_field(const IrDecl *decl) {
    const IrType *first = decl->alternatives[0];
    if (first->kind == IR_REF && first->decl->kind == IR_DECL_MODEL) {
        for (size_t index = 0; index < first->decl->field_count; index++) {
            const IrField *field = first->decl->fields[index];
            if (strcmp(field->wire_name, decl->discriminator) == 0) return py_name(&field->names);
        }
    }
    return decl->discriminator;
}

/* bool, int or float (also through aliases): the scalars that pydantic's lax mode converts from other JSON types. */
static bool is_lax_scalar(const IrType *type) {
    for (int depth = 0; type && depth < 1000; depth++) {
        if (type->nullable) return false;
        if (type->kind == IR_BOOL || type->kind == IR_INT || type->kind == IR_FLOAT) return true;
        if (type->kind != IR_REF || type->decl->kind != IR_DECL_ALIAS) return false;
        type = type->decl->aliased;
    }
    return false;
}

/* The model an alternative names (directly or through aliases), or NULL. */
static const IrDecl *model_alternative(const IrType *alternative) {
    const IrType *resolved = ir_resolve_alias(alternative);
    if (!resolved || resolved->nullable || resolved->kind != IR_REF || resolved->decl->kind != IR_DECL_MODEL) return NULL;
    return resolved->decl;
}

static bool has_model_alternative(const IrDecl *decl) {
    for (size_t index = 0; index < decl->alternative_count; index++)
        if (model_alternative(decl->alternatives[index])) return true;
    return false;
}

static void print_union(PyGen *gen, Printer *printer, const IrDecl *decl) {
    StrBuf alternatives;
    strbuf_init(&alternatives);
    /* Literal alternatives merge into one Literal[...] at the place of the first (a union of literals is the set
     * of their values; the order among literals does not matter to a decoder). */
    bool literals_done = false;
    for (size_t index = 0; index < decl->alternative_count; index++) {
        const IrType *alternative = decl->alternatives[index];
        if (alternative->kind == IR_LITERAL) {
            if (literals_done) continue;
            literals_done = true;
            if (alternatives.len) strbuf_puts(&alternatives, " | ");
            gen->used[IMP_LITERAL] = true;
            strbuf_puts(&alternatives, "Literal[");
            size_t count = 0;
            for (size_t other = index; other < decl->alternative_count; other++) {
                const IrType *literal = decl->alternatives[other];
                if (literal->kind != IR_LITERAL) continue;
                for (size_t value = 0; value < literal->literal_count; value++) {
                    if (count++) strbuf_puts(&alternatives, ", ");
                    append_literal_value(&alternatives, literal->literals[value]);
                }
            }
            strbuf_putc(&alternatives, ']');
            continue;
        }
        if (alternatives.len) strbuf_puts(&alternatives, " | ");
        const IrDecl *model = model_alternative(alternative);
        if (!decl->discriminator && model && model_has_single_literals(model)) {
            /* A literal's default serves models made in Python: in JSON, this alternative needs its literals. */
            gen->used[IMP_CARRIES] = true;
            strbuf_printf(&alternatives, "Annotated[%s, _carries({", py_name(&model->names));
            bool first_literal = true;
            for (size_t field = 0; field < model->field_count; field++) {
                const IrValue *value = single_literal(model->fields[field]);
                if (!value) continue;
                if (!first_literal) strbuf_puts(&alternatives, ", ");
                first_literal = false;
                append_cstring(&alternatives, model->fields[field]->wire_name);
                strbuf_puts(&alternatives, ": ");
                append_literal_value(&alternatives, value);
            }
            strbuf_puts(&alternatives, "})]");
        } else if (!decl->discriminator && is_lax_scalar(alternative)) {
            /* Untagged: pydantic's lax mode would read "1" or true as the int 1; JSON types must match exactly. */
            gen->used[IMP_STRICT] = true;
            strbuf_puts(&alternatives, "Annotated[");
            append_type(gen, &alternatives, alternative);
            strbuf_puts(&alternatives, ", Strict()]");
        } else {
            append_type(gen, &alternatives, alternative);
        }
    }
    bool only_literals = true;
    for (size_t index = 0; index < decl->alternative_count; index++)
        if (decl->alternatives[index]->kind != IR_LITERAL) only_literals = false;
    if (only_literals) {
        /* Literals of several kinds (`1 | "a"`) are one Literal[...] to typing, on which pydantic refuses
         * union_mode at import: there is nothing to order. */
        printer_line(printer, "%s = %s", py_name(&decl->names), strbuf_cstr(&alternatives));
        strbuf_free(&alternatives);
        print_docstring(printer, decl->doc, &decl->deprecation);
        return;
    }
    gen->used[IMP_ANNOTATED] = true;
    gen->used[IMP_FIELD] = true;
    if (decl->discriminator) {
        StrBuf tag;
        strbuf_init(&tag);
        append_cstring(&tag, discriminator_field(decl));
        printer_line(printer, "%s = Annotated[%s, Field(discriminator=%s)]", py_name(&decl->names),
                     strbuf_cstr(&alternatives), strbuf_cstr(&tag));
        strbuf_free(&tag);
    } else {
        /* With models, pydantic's smart mode: of the alternatives that validate, the one with the most fields set
         * wins, so an alternative whose fields are a subset of a later one's does not absorb the later one's JSON.
         * Without, the IDL's order. */
        const char *mode = has_model_alternative(decl) ? "smart" : "left_to_right";
        const char *name = py_name(&decl->names);
        size_t width = strlen(name) + strlen(" = Annotated[, Field(union_mode=\"\")]") + alternatives.len + strlen(mode);
        if (width <= PY_LINE_LENGTH) {
            printer_line(printer, "%s = Annotated[%s, Field(union_mode=\"%s\")]", name, strbuf_cstr(&alternatives), mode);
        } else {
            /* as a formatter wraps it */
            printer_line(printer, "%s = Annotated[", name);
            printer_indent(printer);
            printer_line(printer, "%s, Field(union_mode=\"%s\")", strbuf_cstr(&alternatives), mode);
            printer_dedent(printer);
            printer_line(printer, "]");
        }
    }
    strbuf_free(&alternatives);
    print_docstring(printer, decl->doc, &decl->deprecation);
}

static void print_alias(PyGen *gen, Printer *printer, const IrDecl *decl) {
    StrBuf type;
    strbuf_init(&type);
    append_type(gen, &type, decl->aliased);
    printer_line(printer, "%s = %s", py_name(&decl->names), strbuf_cstr(&type));
    strbuf_free(&type);
    print_docstring(printer, decl->doc, &decl->deprecation);
}

static void print_decl(PyGen *gen, Printer *printer, const IrDecl *decl, bool *first) {
    if (!*first) {
        blank_line(printer);
        blank_line(printer);
    }
    *first = false;
    switch (decl->kind) {
    case IR_DECL_MODEL: print_model(gen, printer, decl); break;
    case IR_DECL_ENUM: print_enum(gen, printer, decl); break;
    case IR_DECL_UNION: print_union(gen, printer, decl); break;
    case IR_DECL_ALIAS: print_alias(gen, printer, decl); break;
    }
}

/* Prints every declaration in the IR's definition order (aliases and unions are evaluated at import, class bodies
 * evaluate their defaults), then rebuilds the models that named something not complete yet. */
static void print_declarations(PyGen *gen, Printer *printer) {
    const IrProgram *program = gen->program;
    bool first = true;
    for (size_t index = 0; index < program->decl_count; index++) {
        gen->decl_position = index;
        print_decl(gen, printer, program->definition_order[index], &first);
    }

    bool any_rebuild = false;
    for (size_t index = 0; index < program->decl_count; index++) {
        const IrDecl *decl = program->decls[index];
        if (decl->kind != IR_DECL_MODEL || !decl->defined_incomplete) continue;
        if (!any_rebuild) {
            blank_line(printer);
            blank_line(printer);
            printer_line(printer, "# Models that name declarations printed after them resolve those names now.");
            any_rebuild = true;
        }
        printer_line(printer, "%s.model_rebuild()", py_name(&decl->names));
    }
}

/* The names models.py's body uses, decided from the IR before it is printed, so that its header (imports and
 * helpers) is printed first and the body streams to the file after it: each mirrors the printing function of the
 * same subject (type_uses append_type, value_uses append_value, field_uses print_field, ...). emit_models checks
 * the prediction against what printing the body recorded. */
static void type_uses(bool *used, const IrType *type) {
    switch (type->kind) {
    case IR_BOOL: case IR_INT: case IR_FLOAT: case IR_STRING: return;
    case IR_LIST: type_uses(used, type->element); return;
    case IR_MAP:
        if (type->key->kind == IR_REF && type->key->decl->kind == IR_DECL_ENUM && type->key->decl->int_enum) {
            used[IMP_OPEN_INT_KEY] = true;
        } else {
            type_uses(used, type->key);
        }
        type_uses(used, type->element);
        return;
    case IR_LITERAL: used[IMP_LITERAL] = true; return;
    case IR_REF:
        if (type->decl->kind == IR_DECL_ENUM) used[type->decl->int_enum ? IMP_OPEN_INT : IMP_OPEN_STR] = true;
        return;
    default: {
        PyImport import = scalar_import(type->kind);
        if (import != IMP_COUNT) used[import] = true;
        return;
    }
    }
}

/* append_value's: an untyped (JSON) value, an enum member and a plain number or string need no import. */
static void value_uses(bool *used, const IrType *type, const IrValue *value) {
    const IrType *resolved = type ? ir_resolve_alias(type) : NULL;
    if (value->kind == IR_VALUE_NULL || value->kind == IR_VALUE_ENUM || !resolved) return;
    switch (resolved->kind) {
    case IR_DECIMAL: used[IMP_DECIMAL] = true; return;
    case IR_UUID: used[IMP_UUID] = true; return;
    case IR_TIMESTAMP: case IR_DATE: case IR_TIME: case IR_DURATION:
        used[IMP_TYPE_ADAPTER] = true;
        used[scalar_import(resolved->kind)] = true;
        return;
    case IR_BYTES: used[IMP_BYTES] = true; return;
    case IR_LIST:
        if (value->kind != IR_VALUE_LIST) return;
        for (size_t index = 0; index < value->count; index++) value_uses(used, resolved->element, value->items[index]);
        return;
    case IR_MAP:
        if (value->kind != IR_VALUE_MAP) return;
        for (size_t index = 0; index < value->count; index++) {
            value_uses(used, resolved->key, value->keys[index]);
            value_uses(used, resolved->element, value->items[index]);
        }
        return;
    default: return;
    }
}

/* print_field's, without building its plan where the outcome is known: a default is printed only for a field that
 * is not optional and has one (an empty factory's prints no value, so value_uses adds nothing for it), a bound
 * only in a Field(...) call, and the plan decides Field's import only until a field has needed it. */
static void field_uses(bool *used, const IrField *field) {
    const IrType *type = field->type;
    /* bool, int, float, str, and a reference to a model, union or alias: nothing to import */
    if (type->kind > IR_STRING && (type->kind != IR_REF || type->decl->kind == IR_DECL_ENUM)) type_uses(used, type);
    if (field->optional) {
        if (!admits_none(field->type)) used[IMP_IS_NONE] = used[IMP_FIELD] = true; /* exclude_if=_is_none */
    } else if (field->default_value) {
        value_uses(used, field->type, field->default_value);
    }
    const IrConstraints *constraints = field->constraints;
    if (constraints != &ir_no_constraints &&
        (constraints->has_ge || constraints->has_gt || constraints->has_le || constraints->has_lt)) {
        const IrType *resolved = ir_resolve_alias(field->type); /* append_bound: a Decimal for a decimal field */
        if (resolved && resolved->kind == IR_DECIMAL) used[IMP_DECIMAL] = true;
    }
    if (!used[IMP_FIELD] && !is_plain_field(field) && plan_field(field).field_call) used[IMP_FIELD] = true;
}

/* A field named like a scalar type (date, time(delta), Decimal, UUID) makes the type imported under an alias. */
static inline void add_scalar_alias(PyGen *gen, const char *name) {
    /* only names that start as one of the five do */
    bool may_alias = (name[0] == 'd' && name[1] == 'a') || (name[0] == 't' && name[1] == 'i') ||
                     (name[0] == 'D' && name[1] == 'e') || (name[0] == 'U' && name[1] == 'U');
    if (!may_alias) return;
    for (int alias = 0; alias < ALIAS_COUNT; alias++) {
        if (strcmp(name, SCALAR_ALIAS_NAMES[alias]) == 0) gen->aliased[alias] = true;
    }
}

/* The names a declaration uses; a model's traits too, which print_model reads, and the scalar aliases its fields'
 * names make. */
static void decl_uses(PyGen *gen, const IrDecl *decl, ModelTraits *traits) {
    bool *used = gen->predicted;
    switch (decl->kind) {
    case IR_DECL_MODEL: {
        used[IMP_BASE_MODEL] = true;
        if (decl->deprecation.deprecated) used[IMP_DEPRECATED] = true;
        *traits = (ModelTraits){false, false, false};
        for (size_t index = 0; index < decl->field_count; index++) {
            const IrField *field = decl->fields[index];
            add_scalar_alias(gen, py_name(&field->names));
            add_field_traits(traits, field);
            field_uses(used, field);
        }
        if (traits->aliases || traits->protected_names || decl->open) used[IMP_CONFIG_DICT] = true;
        if (traits->single_literals) used[IMP_ANY] = true;
        return;
    }
    case IR_DECL_ENUM:
        used[decl->int_enum ? IMP_INT_ENUM : IMP_STR_ENUM] = true;
        if (decl->deprecation.deprecated) used[IMP_DEPRECATED] = true;
        return;
    case IR_DECL_UNION: {
        bool only_literals = true;
        for (size_t index = 0; index < decl->alternative_count; index++) {
            const IrType *alternative = decl->alternatives[index];
            if (alternative->kind == IR_LITERAL) {
                used[IMP_LITERAL] = true;
                continue;
            }
            only_literals = false;
            const IrDecl *model = model_alternative(alternative);
            if (!decl->discriminator && model && model_has_single_literals(model)) {
                used[IMP_CARRIES] = true;
                continue;
            }
            if (!decl->discriminator && is_lax_scalar(alternative)) used[IMP_STRICT] = true;
            type_uses(used, alternative);
        }
        if (!only_literals) used[IMP_ANNOTATED] = used[IMP_FIELD] = true;
        return;
    }
    case IR_DECL_ALIAS: type_uses(used, decl->aliased); return;
    }
}

static void print_from_import(Printer *printer, const char *module, const char **names, size_t count);

static int compare_import_names(const void *left_ptr, const void *right_ptr);

/* `from MODULE import NAME` for the scalar types of MODULE that are used: the plain ones on one line, each
 * aliased one (a field has its name) on a line of its own, as isort keeps `as` imports apart. isort orders these
 * statements by their first name. */
static void print_scalar_imports(PyGen *gen, Printer *printer, const char *module) {
    static const PyImport alias_imports[ALIAS_COUNT] = {IMP_DATE, IMP_TIME, IMP_TIMEDELTA, IMP_DECIMAL, IMP_UUID};
    const char *plain[ALIAS_COUNT];
    const char *statements[ALIAS_COUNT + 1]; /* the first name of each statement */
    size_t plain_count = 0, statement_count = 0;
    for (int index = 0; index < ALIAS_COUNT; index++) {
        if (strcmp(SCALAR_ALIAS_MODULES[index], module) != 0 || !gen->used[alias_imports[index]]) continue;
        if (gen->aliased[index]) {
            statements[statement_count++] = SCALAR_ALIAS_NAMES[index];
        } else {
            plain[plain_count++] = SCALAR_ALIAS_NAMES[index];
        }
    }
    if (plain_count) {
        qsort(plain, plain_count, sizeof *plain, compare_import_names);
        statements[statement_count++] = plain[0];
    }
    qsort(statements, statement_count, sizeof *statements, compare_import_names);
    for (size_t index = 0; index < statement_count; index++) {
        if (plain_count && statements[index] == plain[0]) {
            print_from_import(printer, module, plain, plain_count);
        } else {
            printer_line(printer, "from %s import %s as _%s", module, statements[index], statements[index]);
        }
    }
}

static void print_models_imports(PyGen *gen, Printer *printer) {
    const bool *used = gen->used;
    printer_line(printer, "from __future__ import annotations");
    blank_line(printer);
    if (used[IMP_STR_ENUM]) printer_line(printer, "import sys");
    if (used[IMP_BYTES]) {
        printer_line(printer, "from base64 import b64decode as _b64decode");
        printer_line(printer, "from base64 import b64encode as _b64encode");
    }
    print_scalar_imports(gen, printer, "datetime");
    print_scalar_imports(gen, printer, "decimal");
    const char *enum_names[3];
    size_t enum_count = 0;
    if (used[IMP_STR_ENUM]) enum_names[enum_count++] = "Enum"; /* the StrEnum stand-in of Python 3.10 */
    if (used[IMP_INT_ENUM]) enum_names[enum_count++] = "IntEnum";
    print_from_import(printer, "enum", enum_names, enum_count);
    bool open_enums = used[IMP_OPEN_STR] || used[IMP_OPEN_INT] || used[IMP_OPEN_INT_KEY];
    const char *typing_names[4];
    size_t typing_count = 0;
    if (used[IMP_ANNOTATED] || used[IMP_BYTES] || open_enums || used[IMP_CARRIES]) typing_names[typing_count++] = "Annotated";
    if (used[IMP_ANY]) typing_names[typing_count++] = "Any";
    if (used[IMP_LITERAL]) typing_names[typing_count++] = "Literal";
    if (open_enums) typing_names[typing_count++] = "TypeVar";
    print_from_import(printer, "typing", typing_names, typing_count);
    print_scalar_imports(gen, printer, "uuid");
    /* the standard library's imports, decided from the names, not from the printer's position (which a flush
     * of a streamed file moves) */
    bool any_stdlib = used[IMP_STR_ENUM] || used[IMP_BYTES] || used[IMP_DATE] || used[IMP_TIME] ||
                      used[IMP_TIMEDELTA] || used[IMP_DECIMAL] || used[IMP_UUID] || enum_count || typing_count;
    if (any_stdlib) blank_line(printer);
    const char *pydantic_names[8];
    size_t pydantic_count = 0;
    if (used[IMP_AWARE_DATETIME]) pydantic_names[pydantic_count++] = "AwareDatetime";
    if (used[IMP_BASE_MODEL]) pydantic_names[pydantic_count++] = "BaseModel";
    if (used[IMP_BYTES] || used[IMP_CARRIES]) pydantic_names[pydantic_count++] = "BeforeValidator";
    if (used[IMP_CONFIG_DICT]) pydantic_names[pydantic_count++] = "ConfigDict";
    if (used[IMP_FIELD] || open_enums) pydantic_names[pydantic_count++] = "Field";
    if (used[IMP_BYTES]) pydantic_names[pydantic_count++] = "PlainSerializer";
    if (used[IMP_STRICT] || used[IMP_OPEN_INT]) pydantic_names[pydantic_count++] = "Strict";
    if (used[IMP_TYPE_ADAPTER]) pydantic_names[pydantic_count++] = "TypeAdapter";
    print_from_import(printer, "pydantic", pydantic_names, pydantic_count);
    if (used[IMP_DEPRECATED]) printer_line(printer, "from typing_extensions import deprecated");
}

/* Prints the module's helpers after its imports; true when it printed any. */
static bool print_models_helpers(PyGen *gen, Printer *printer) {
    /* isort puts one blank line between the imports and a statement that is not a def or class, formatters two
     * between such a statement and what precedes it otherwise */
    bool helpers_printed = false;
    if (gen->used[IMP_IS_NONE]) {
        helpers_printed = true;
        blank_line(printer);
        blank_line(printer);
        printer_line(printer, "def _is_none(value: object) -> bool:");
        printer_indent(printer);
        printer_line(printer, "\"\"\"Leaves a field that may be absent, but not null, out of the JSON while it is None.\"\"\"");
        printer_line(printer, "return value is None");
        printer_dedent(printer);
    }
    if (gen->used[IMP_BYTES]) {
        helpers_printed = true;
        blank_line(printer);
        blank_line(printer);
        printer_line(printer, "def _from_base64(value: object) -> object:");
        printer_indent(printer);
        printer_line(printer, "\"\"\"Decodes bytes received as standard base64 (RFC 4648 section 4) text.\"\"\"");
        printer_line(printer, "if isinstance(value, str):");
        printer_indent(printer);
        printer_line(printer, "return _b64decode(value, validate=True)");
        printer_dedent(printer);
        printer_line(printer, "return value");
        printer_dedent(printer);
        blank_line(printer);
        blank_line(printer);
        printer_line(printer, "def _to_base64(value: bytes) -> str:");
        printer_indent(printer);
        printer_line(printer, "\"\"\"Encodes bytes as standard base64 with padding, the wire format of `bytes`.\"\"\"");
        printer_line(printer, "return _b64encode(value).decode(\"ascii\")");
        printer_dedent(printer);
        blank_line(printer);
        blank_line(printer);
        printer_line(printer, "_Base64Bytes = Annotated[");
        printer_indent(printer);
        printer_line(printer, "bytes, BeforeValidator(_from_base64), PlainSerializer(_to_base64, when_used=\"json\")");
        printer_dedent(printer);
        printer_line(printer, "]");
        printer_line(printer, "\"\"\"`bytes` on the wire: a standard base64 string (pydantic's own base64 is URL-safe).\"\"\"");
    }
    if (gen->used[IMP_STR_ENUM]) {
        blank_line(printer);
        if (helpers_printed) blank_line(printer);
        helpers_printed = true;
        printer_line(printer, "if sys.version_info >= (3, 11):");
        printer_indent(printer);
        printer_line(printer, "from enum import StrEnum");
        printer_dedent(printer);
        printer_line(printer, "else:");
        blank_line(printer);
        printer_indent(printer);
        printer_line(printer, "class StrEnum(str, Enum):");
        printer_indent(printer);
        printer_line(printer, "\"\"\"Python 3.11's enum.StrEnum: str() and format() of a member give its value.\"\"\"");
        blank_line(printer);
        printer_line(printer, "def __str__(self) -> str:");
        printer_indent(printer);
        printer_line(printer, "return str(self.value)");
        printer_dedent(printer);
        printer_dedent(printer);
        printer_dedent(printer);
    }
    if (gen->used[IMP_OPEN_STR] || gen->used[IMP_OPEN_INT] || gen->used[IMP_OPEN_INT_KEY]) {
        blank_line(printer);
        if (helpers_printed) blank_line(printer);
        helpers_printed = true;
        printer_line(printer, "_Enum = TypeVar(\"_Enum\")");
        if (gen->used[IMP_OPEN_STR]) {
            printer_line(printer, "_OpenStr = Annotated[_Enum | str, Field(union_mode=\"left_to_right\")]");
            printer_line(printer, "\"\"\"A string enum that keeps a value it does not know as a plain str, sent back unchanged.\"\"\"");
        }
        if (gen->used[IMP_OPEN_INT]) {
            printer_line(printer, "_OpenInt = Annotated[_Enum | Annotated[int, Strict()], Field(union_mode=\"left_to_right\")]");
            printer_line(printer, "\"\"\"An int enum that keeps a value it does not know as a plain int, sent back unchanged.\"\"\"");
        }
        if (gen->used[IMP_OPEN_INT_KEY]) {
            printer_line(printer, "_OpenIntKey = Annotated[_Enum | int, Field(union_mode=\"left_to_right\")]");
            printer_line(printer, "\"\"\"_OpenInt as a map key, which JSON writes as a string of digits.\"\"\"");
        }
    }
    if (gen->used[IMP_CARRIES]) {
        helpers_printed = true;
        blank_line(printer);
        blank_line(printer);
        printer_block(printer,
                      "def _carries(literals: dict[str, object]) -> BeforeValidator:\n"
                      "    \"\"\"An untagged union's alternative fits a JSON object only if the object has each of these literal\n"
                      "    fields with its value: the literals' defaults serve models made in Python, not JSON.\"\"\"\n"
                      "\n"
                      "    def check(value: object) -> object:\n"
                      "        if isinstance(value, dict):\n"
                      "            for key, literal in literals.items():\n"
                      "                if key not in value or type(value[key]) is not type(literal) or value[key] != literal:\n"
                      "                    msg = f\"not this alternative: {key!r} is not {literal!r}\"\n"
                      "                    raise ValueError(msg)\n"
                      "        return value\n"
                      "\n"
                      "    return BeforeValidator(check)\n",
                      NULL);
    }
    return helpers_printed;
}

static bool emit_models(void *context, Printer *out) {
    PyGen *gen = context;
    const IrProgram *program = gen->program;
    /* The header first, from the names the body will use (emit's pre-pass): the body then streams to the file (a
     * printer attached to the output hands its text on as it fills), never held whole. */
    const bool *predicted = gen->predicted;
    memcpy(gen->used, predicted, sizeof gen->used);

    print_marker(gen, out);
    print_module_docstring(gen, out, "Data models of %s: pydantic v2 models that read and write its JSON.");
    blank_line(out);
    print_models_imports(gen, out);
    bool helpers_printed = print_models_helpers(gen, out);
    if (program->decl_count == 0) return true;
    /* isort (ruff I001) wants two blank lines after the imports before a class or def, one before an assignment:
     * an alias or union printed first, right after the imports. */
    const IrDecl *first = program->definition_order[0];
    bool assignment_first = first->kind == IR_DECL_ALIAS || first->kind == IR_DECL_UNION;
    blank_line(out);
    if (helpers_printed || !assignment_first) blank_line(out);
    memset(gen->used, 0, sizeof gen->used);
    print_declarations(gen, out);
    if (memcmp(gen->used, predicted, sizeof gen->used) != 0) {
        /* the imports printed would not be those the body needs: a pre-pass (decl_uses) out of step with printing */
        for (int import = 0; import < IMP_COUNT; import++) {
            if (gen->used[import] != predicted[import])
                fprintf(stderr, "rpcc: internal error: models.py: import %d %s\n", import,
                        gen->used[import] ? "used but not predicted" : "predicted but not used");
        }
        abort();
    }
    return true;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Import lists sorted as isort / ruff (I001) sorts them: constants, then classes, then the rest, each in natural  */
/* case-insensitive order.                                                                                    */

static int member_type(const char *name) {
    bool has_lower = false, has_upper = false;
    for (const char *c = name; *c; c++) {
        if (*c >= 'a' && *c <= 'z') has_lower = true;
        if (*c >= 'A' && *c <= 'Z') has_upper = true;
    }
    if (strlen(name) > 1 && has_upper && !has_lower) return 0; /* CONSTANT */
    if (name[0] >= 'A' && name[0] <= 'Z') return 1;            /* Class */
    return 2;                                                   /* variable */
}

static int natural_compare_case(const char *left, const char *right, bool ignore_case);
static int natural_compare(const char *left, const char *right) { return natural_compare_case(left, right, true); }

static int natural_compare_case(const char *left, const char *right, bool ignore_case) {
    while (*left && *right) {
        if (*left >= '0' && *left <= '9' && *right >= '0' && *right <= '9') {
            const char *left_start = left, *right_start = right;
            while (*left_start == '0') left_start++;
            while (*right_start == '0') right_start++;
            left = left_start;
            right = right_start;
            while (*left >= '0' && *left <= '9') left++;
            while (*right >= '0' && *right <= '9') right++;
            size_t left_len = (size_t)(left - left_start), right_len = (size_t)(right - right_start);
            if (left_len != right_len) return left_len < right_len ? -1 : 1;
            int digits = memcmp(left_start, right_start, left_len);
            if (digits) return digits;
            continue;
        }
        int a = (ignore_case && *left >= 'A' && *left <= 'Z') ? *left + 32 : *left;
        int b = (ignore_case && *right >= 'A' && *right <= 'Z') ? *right + 32 : *right;
        if (a != b) return a < b ? -1 : 1;
        left++;
        right++;
    }
    if (*left || *right) return *left ? 1 : -1;
    return 0;
}

static int compare_import_names(const void *left_ptr, const void *right_ptr) {
    const char *left = *(const char *const *)left_ptr, *right = *(const char *const *)right_ptr;
    int left_type = member_type(left), right_type = member_type(right);
    if (left_type != right_type) return left_type - right_type;
    int natural = natural_compare(left, right);
    return natural ? natural : strcmp(left, right);
}

/* The orders above, computed once per name instead of once per comparison (the names of a large __init__.py were a
 * third of the backend's instructions): a key whose bytes compare (memcmp, the shorter first when one is a prefix
 * of the other) as compare_import_names compares the names. Its first byte is the name's member type; a run of
 * digits becomes '0', the run's length without its leading zeros (one byte below 255, else 255 and 4 bytes, most
 * significant first) and those digits: against a non-digit the '0' compares as any digit does, against another
 * run the lengths and then the digits decide, as natural_compare_case's numeric comparison does. Letters are
 * lowered when the order ignores case. The key's first 16 bytes, as two big-endian words, decide most
 * comparisons without reading the key. */
/* The value of 8 bytes read from memory as a big-endian number. */
static inline uint64_t be64_value(uint64_t bytes) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return bytes;
#else
    return __builtin_bswap64(bytes);
#endif
}

typedef struct SortedName {
    uint64_t head[2]; /* the key's first 16 bytes, most significant first, zeros past its end */
    const char *name;
    const unsigned char *key; /* in the key buffer */
    size_t key_len;
} SortedName;

static inline int compare_sorted_names(const SortedName *left, const SortedName *right) {
    if (left->head[0] != right->head[0]) return left->head[0] < right->head[0] ? -1 : 1;
    if (left->head[1] != right->head[1]) return left->head[1] < right->head[1] ? -1 : 1;
    size_t common = left->key_len < right->key_len ? left->key_len : right->key_len;
    int keys = memcmp(left->key, right->key, common);
    if (keys) return keys;
    if (left->key_len != right->key_len) return left->key_len < right->key_len ? -1 : 1;
    return strcmp(left->name, right->name);
}

/* Sorts order[0..count) by compare_sorted_names (a merge sort; `spare` has room for count entries). */
static void merge_sort_names(SortedName **order, SortedName **spare, size_t count) {
    enum { RUN = 8 }; /* runs this short are sorted by insertion first */
    for (size_t start = 0; start < count; start += RUN) {
        size_t end = start + RUN < count ? start + RUN : count;
        for (size_t index = start + 1; index < end; index++) {
            SortedName *entry = order[index];
            size_t at = index;
            for (; at > start && compare_sorted_names(order[at - 1], entry) > 0; at--) order[at] = order[at - 1];
            order[at] = entry;
        }
    }
    SortedName **from = order, **to = spare;
    for (size_t width = RUN; width < count; width *= 2) {
        for (size_t start = 0; start < count; start += 2 * width) {
            size_t middle = start + width < count ? start + width : count;
            size_t end = start + 2 * width < count ? start + 2 * width : count;
            size_t left = start, right = middle, out = start;
            while (left < middle && right < end)
                to[out++] = compare_sorted_names(from[right], from[left]) < 0 ? from[right++] : from[left++];
            while (left < middle) to[out++] = from[left++];
            while (right < end) to[out++] = from[right++];
        }
        SortedName **swap = from;
        from = to;
        to = swap;
    }
    if (from != order) memcpy(order, from, count * sizeof *order);
}

/* The order of `names` as compare_import_names sorts them (ignore_case), or in ruff RUF022's "isort-style" order of
 * __all__: the same but case-sensitive natural order (isort compares import names ignoring case). order[k] is the
 * index in `names` of the k-th name. */
static void sort_member_order(const char *const *names, size_t count, bool ignore_case, size_t *order_out,
                              unsigned char *types_out) {
    if (count < 2) {
        if (count) order_out[0] = 0;
        if (count && types_out) types_out[0] = (unsigned char)member_type(names[0]);
        return;
    }
    SortedName *sorted = malloc(count * sizeof *sorted);
    SortedName **order = malloc(2 * count * sizeof *order);
    if (!sorted || !order) abort();
    /* A key takes at most 1 + 6 bytes per byte of its name (a run of k digits becomes at most 6 + k bytes, a
     * letter one), so the buffer is sized once and written directly. */
    size_t room = 16; /* and 16 zeros after the last, read for its head */
    for (size_t index = 0; index < count; index++) room += 1 + 6 * strlen(names[index]);
    unsigned char *keys = malloc(room);
    if (!keys) abort();
    size_t used = 0;
    for (size_t index = 0; index < count; index++) {
        const char *name = names[index];
        SortedName *entry = &sorted[index];
        entry->name = name;
        entry->key = keys + used;
        unsigned char *key = keys + used + 1; /* after the member type, known at the end */
        bool has_lower = false, has_upper = false;
        for (const char *c = name; *c;) {
            if (*c >= '0' && *c <= '9') {
                while (*c == '0') c++;
                const char *digits = c;
                while (*c >= '0' && *c <= '9') c++;
                size_t length = (size_t)(c - digits);
                *key++ = '0';
                if (length < 255) {
                    *key++ = (unsigned char)length;
                } else {
                    *key++ = 255;
                    *key++ = (unsigned char)(length >> 24);
                    *key++ = (unsigned char)(length >> 16);
                    *key++ = (unsigned char)(length >> 8);
                    *key++ = (unsigned char)length;
                }
                memcpy(key, digits, length);
                key += length;
                continue;
            }
            bool upper = *c >= 'A' && *c <= 'Z';
            has_upper |= upper;
            has_lower |= *c >= 'a' && *c <= 'z';
            *key++ = (unsigned char)(ignore_case && upper ? *c + 32 : *c);
            c++;
        }
        /* member_type's answer, from the same pass */
        bool constant = has_upper && !has_lower && name[0] && name[1];
        keys[used] = (unsigned char)(constant ? 0 : name[0] >= 'A' && name[0] <= 'Z' ? 1 : 2);
        if (types_out) types_out[index] = keys[used];
        entry->key_len = (size_t)(key - entry->key);
        used += entry->key_len;
        memset(key, 0, 16); /* the head's padding; the next key overwrites it */
        for (int word = 0; word < 2; word++) {
            uint64_t head;
            memcpy(&head, entry->key + 8 * word, 8);
            entry->head[word] = be64_value(head);
        }
        order[index] = entry;
    }
    merge_sort_names(order, order + count, count);
    for (size_t index = 0; index < count; index++) order_out[index] = (size_t)(order[index] - sorted);
    free(keys);
    free(order);
    free(sorted);
}

/* Sorts `names` in place, in sort_member_order's order. */
static void sort_member_names(const char **names, size_t count, bool ignore_case) {
    if (count < 2) return;
    size_t *order = malloc(count * sizeof *order);
    const char **copy = malloc(count * sizeof *copy);
    if (!order || !copy) abort();
    memcpy(copy, names, count * sizeof *copy);
    sort_member_order(copy, count, ignore_case, order, NULL);
    for (size_t index = 0; index < count; index++) names[index] = copy[order[index]];
    free(copy);
    free(order);
}

/* `from module import (names...)` of names in their import order: in one line when it fits, else one name per
 * line. */
static void print_sorted_from_import(Printer *printer, const char *module, const char *const *names, size_t count) {
    if (count == 0) return;
    size_t width = strlen("from  import ") + strlen(module);
    for (size_t index = 0; index < count && width <= PY_LINE_LENGTH; index++)
        width += strlen(names[index]) + (index ? 2 : 0);
    if (width <= PY_LINE_LENGTH) {
        PRINTER_PUTS(printer, "from ", module, " import ");
        for (size_t index = 0; index < count; index++) {
            if (index) printer_putn(printer, ", ", 2);
            printer_put(printer, names[index]);
        }
        printer_end_line(printer);
        return;
    }
    PRINTER_LINE(printer, "from ", module, " import (");
    /* One level of indentation, at the top level of a module: written as text, without the printer's call a line. */
    for (size_t index = 0; index < count; index++) PRINTER_LINE(printer, "    ", names[index], ",");
    PRINTER_LINE(printer, ")");
}

/* `from module import (names...)`, the names sorted first. */
static void print_from_import(Printer *printer, const char *module, const char **names, size_t count) {
    sort_member_names(names, count, true);
    print_sorted_from_import(printer, module, names, count);
}

/* __all__'s order (sort_member_order, case-sensitive) of two names of known member types, by compare_import_names's
 * comparisons. The natural comparison starts after the bytes the names share, backed up to the start of a digit run
 * (identical text compares equal): most neighbours differ near their ends. */
static int compare_all_names(const char *left, int left_type, const char *right, int right_type) {
    if (left_type != right_type) return left_type - right_type;
    size_t same = 0;
    while (left[same] && left[same] == right[same]) same++;
    if (!left[same] && !right[same]) return 0;
    size_t run = same; /* where the digit run around the first difference starts, if there is one */
    while (run > 0 && left[run - 1] >= '0' && left[run - 1] <= '9') run--;
    if (left[run] >= '1' && left[run] <= '9' && right[run] >= '1' && right[run] <= '9') {
        /* Numbers without leading zeros (most): the longer is greater, else the first differing digit decides. */
        size_t left_end = run, right_end = run;
        while (left[left_end] >= '0' && left[left_end] <= '9') left_end++;
        while (right[right_end] >= '0' && right[right_end] <= '9') right_end++;
        if (left_end != right_end) return left_end < right_end ? -1 : 1;
        if (same < left_end) return (unsigned char)left[same] < (unsigned char)right[same] ? -1 : 1;
    }
    int natural = natural_compare_case(left + run, right + run, false);
    return natural ? natural : strcmp(left + run, right + run);
}

/* True when names[0..count) (of member types types[0..count)) are in __all__'s order already. */
static bool in_all_order(const char *const *names, const unsigned char *types, size_t count) {
    for (size_t index = 1; index < count; index++)
        if (compare_all_names(names[index - 1], types[index - 1], names[index], types[index]) > 0) return false;
    return true;
}

/* Merges `extra` (in __all__'s order, a few names) into `names` (in that order, many) as `all` (room for both):
 * each extra name's place is found by bisection. */
static void merge_all_names(const char **all, const char *const *names, const unsigned char *types, size_t count,
                            const char *const *extra, size_t extra_count) {
    size_t out = 0, copied = 0;
    for (size_t index = 0; index < extra_count; index++) {
        int extra_type = member_type(extra[index]);
        size_t low = copied, high = count; /* the first name after extra[index] is in [low, high] */
        while (low < high) {
            size_t middle = low + (high - low) / 2;
            if (compare_all_names(extra[index], extra_type, names[middle], types[middle]) < 0) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        while (copied < low) all[out++] = names[copied++];
        all[out++] = extra[index];
    }
    while (copied < count) all[out++] = names[copied++];
}

/* The indices of the declarations in the import order of their Python names (sort_member_order), computed once for
 * the imports of client.py and __init__.py. */
static const size_t *declaration_import_order(PyGen *gen) {
    const IrProgram *program = gen->program;
    if (!gen->decl_import_order) {
        const char **names = malloc((program->decl_count + 1) * sizeof *names);
        gen->decl_import_order = malloc((program->decl_count + 1) * sizeof *gen->decl_import_order);
        if (!names || !gen->decl_import_order) abort();
        for (size_t index = 0; index < program->decl_count; index++) names[index] = py_name(&program->decls[index]->names);
        gen->decl_member_types = malloc(program->decl_count + 1);
        if (!gen->decl_member_types) abort();
        sort_member_order(names, program->decl_count, true, gen->decl_import_order, gen->decl_member_types);
        free(names);
    }
    return gen->decl_import_order;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* client.py                                                                                                  */

/* The module-level TypeAdapter of a channel's publications: _PUBLICATION_TASKS_EVENTS. */
static void append_publication_adapter(StrBuf *out, const IrChannel *channel) {
    strbuf_puts(out, "_PUBLICATION_");
    for (const char *c = py_name(&channel->names); *c; c++) strbuf_putc(out, (char)toupper((unsigned char)*c));
}

/* The Python expression of a channel's name: literal parts and parameters joined with '+' (a string parameter
 * checked by the runtime's _channel_param, an int one in decimal). */
static void print_channel_name(Printer *out, const IrChannel *channel) {
    StrBuf expression;
    strbuf_init(&expression);
    /* One line when it fits (8 columns of indentation, "channel = "), else one part a line in parentheses. */
    size_t width = 8 + strlen("channel = ");
    for (size_t index = 0; index < channel->part_count; index++) {
        const IrChannelPart *part = channel->parts[index];
        width += part->text ? part->text_length + 5 : strlen(py_name(&part->param->names)) + strlen(channel->name) +
                                                          strlen(part->param->name) + 30;
    }
    bool wrap = width > PY_LINE_LENGTH && channel->part_count > 1;
    for (size_t index = 0; index < channel->part_count; index++) {
        const IrChannelPart *part = channel->parts[index];
        if (index > 0) strbuf_puts(&expression, wrap ? "\n    + " : " + ");
        if (part->text) {
            append_string(&expression, part->text, part->text_length);
        } else if (ir_resolve_alias(part->param->type)->kind == IR_INT) {
            /* A format spec rather than str(): no builtin that a parameter's name could shadow. */
            strbuf_printf(&expression, "f\"{%s:d}\"", py_name(&part->param->names));
        } else {
            strbuf_puts(&expression, "_channel_param(");
            append_cstring(&expression, channel->name);
            strbuf_puts(&expression, ", ");
            append_cstring(&expression, part->param->name);
            strbuf_printf(&expression, ", %s)", py_name(&part->param->names));
        }
    }
    if (wrap) {
        printer_line(out, "channel = (");
        printer_block(out, "    $expression$\n", "expression", strbuf_cstr(&expression), NULL);
        printer_line(out, ")");
    } else {
        printer_line(out, "channel = %s", strbuf_cstr(&expression));
    }
    strbuf_free(&expression);
}

static void print_channel_deprecation(Printer *out, const IrChannel *channel) {
    if (!channel->deprecation.deprecated) return;
    StrBuf reason;
    strbuf_init(&reason);
    append_cstring(&reason, channel->deprecation.reason && channel->deprecation.reason[0] ? channel->deprecation.reason
                                                                                           : "deprecated");
    printer_line(out, "@deprecated(%s)", strbuf_cstr(&reason));
    strbuf_free(&reason);
}

/* `user_id: str, ` for the keyword-only parameters (an alias as the str or int it stands for). */
static void print_channel_params(Printer *out, const IrChannel *channel) {
    for (size_t index = 0; index < channel->param_count; index++) {
        const IrChannelParam *param = channel->params[index];
        printer_line(out, "%s: %s,", py_name(&param->names),
                     ir_resolve_alias(param->type)->kind == IR_INT ? "int" : "str");
    }
}

static void print_channel_methods(Printer *out, const IrChannel *channel) {
    const char *publication = py_name(&channel->publication->names);
    StrBuf adapter, doc;
    strbuf_init(&adapter);
    append_publication_adapter(&adapter, channel);

    blank_line(out);
    print_channel_deprecation(out, channel);
    printer_line(out, "def %s(", py_name(&channel->subscribe_names));
    printer_indent(out);
    printer_line(out, "self,");
    printer_line(out, "*,");
    print_channel_params(out, channel);
    printer_line(out, "on_publication: Callable[[%s], Awaitable[None] | None] | None = None,", publication);
    printer_line(out, "on_error: Callable[[PublicationDecodeError | RecoveryFailedError], Awaitable[None] | None] | None = None,");
    printer_dedent(out);
    printer_line(out, ") -> ChannelSubscription[%s]:", publication);
    printer_indent(out);
    strbuf_init(&doc);
    strbuf_printf(&doc, "A subscription to the channel %s (``%s``).\n\nIts publications are %s values.\n",
                  channel->name, channel->pattern, publication);
    strbuf_puts(&doc, "Iterate it (``async for``; the first iteration subscribes), or give ``on_publication``\n"
                      "and await its ``subscribe()``. A publication that does not decode goes to ``on_error``\n"
                      "as a PublicationDecodeError and the subscription goes on; a refused subscription raises\n"
                      "SubscriptionRefusedError.");
    if (channel->history) {
        strbuf_puts(&doc, "\nThe channel keeps history: after a lost connection the subscription recovers the\n"
                          "publications it missed, or gives ``on_error`` a RecoveryFailedError.");
    }
    if (channel->doc && *channel->doc) {
        strbuf_puts(&doc, "\n\n");
        strbuf_puts(&doc, channel->doc);
    }
    printer_python_docstring(out, strbuf_cstr(&doc));
    strbuf_free(&doc);
    print_channel_name(out, channel);
    printer_line(out, "return ChannelSubscription(");
    printer_line(out, "    self,");
    printer_line(out, "    channel,");
    printer_line(out, "    %s,", adapter.data);
    printer_line(out, "    history=%s,", channel->history ? "True" : "False");
    printer_line(out, "    on_publication=on_publication,");
    printer_line(out, "    on_error=on_error,");
    printer_line(out, ")");
    printer_dedent(out);
    if (!channel->client_publish) {
        strbuf_free(&adapter);
        return;
    }

    blank_line(out);
    print_channel_deprecation(out, channel);
    printer_line(out, "async def %s(", py_name(&channel->publish_names));
    printer_indent(out);
    printer_line(out, "self,");
    printer_line(out, "publication: %s,", publication);
    printer_line(out, "*,");
    print_channel_params(out, channel);
    printer_line(out, "timeout: float | None = None,");
    printer_dedent(out);
    printer_line(out, ") -> None:");
    printer_indent(out);
    strbuf_init(&doc);
    strbuf_printf(&doc, "Publishes into the channel %s (``%s``).\n\nThe server checks the publication before it "
                        "reaches the subscribers\n(RPCError 103 when it is refused).", channel->name, channel->pattern);
    printer_python_docstring(out, strbuf_cstr(&doc));
    strbuf_free(&doc);
    print_channel_name(out, channel);
    printer_line(out, "data = %s.dump_python(publication, mode=\"json\", by_alias=True, exclude_unset=True)", adapter.data);
    printer_line(out, "await self._publish_channel(channel, data, timeout=timeout)");
    printer_dedent(out);
    strbuf_free(&adapter);
}

static bool emit_client(void *context, Printer *out) {
    PyGen *gen = context;
    const IrProgram *program = gen->program;
    bool any_params = false, any_deprecated = false, any_string_param = false;
    for (size_t index = 0; index < program->rpc_count; index++) {
        if (program->rpcs[index]->params) any_params = true;
        if (program->rpcs[index]->deprecation.deprecated) any_deprecated = true;
    }
    bool *publication = calloc(program->decl_count + 1, sizeof *publication);
    if (!publication) abort();
    for (size_t index = 0; index < program->channel_count; index++) {
        const IrChannel *channel = program->channels[index];
        if (channel->deprecation.deprecated) any_deprecated = true;
        publication[channel->publication->index] = true;
        for (size_t param = 0; param < channel->param_count; param++) {
            if (ir_resolve_alias(channel->params[param]->type)->kind == IR_STRING) any_string_param = true;
        }
    }
    bool channels = program->channel_count > 0;

    print_marker(gen, out);
    print_module_docstring(gen, out, "Typed client of %s: one async method per RPC method.");
    blank_line(out);
    printer_line(out, "from __future__ import annotations");
    blank_line(out);
    printer_line(out, "from collections.abc import Awaitable, Callable");
    printer_line(out, "from typing import Any, overload");
    blank_line(out);
    if (any_params || channels) {
        printer_line(out, "from pydantic import %s", any_params && channels ? "BaseModel, TypeAdapter"
                                                     : any_params           ? "BaseModel"
                                                                            : "TypeAdapter");
    }
    if (any_deprecated) printer_line(out, "from typing_extensions import deprecated");
    if (any_params || any_deprecated || channels) blank_line(out);

    /* The models some rpc takes or returns, or a channel publishes, in import order. */
    size_t count = 0;
    const char **names = malloc((program->decl_count + 1) * sizeof *names);
    if (!names) abort();
    const size_t *order = declaration_import_order(gen);
    for (size_t index = 0; index < program->decl_count; index++) {
        const IrDecl *decl = program->decls[order[index]];
        if (decl->is_params || decl->is_result || publication[order[index]]) names[count++] = py_name(&decl->names);
    }
    print_sorted_from_import(out, ".models", names, count);
    free(names);
    free(publication);
    if (channels) {
        const char *runtime[] = {"CentrifugoRPCClient", "ChannelSubscription", "PublicationDecodeError",
                                 "RecoveryFailedError", "Transport", "_channel_param"};
        print_from_import(out, ".rpc_client", runtime, any_string_param ? 6 : 5);
    } else {
        printer_line(out, "from .rpc_client import CentrifugoRPCClient, Transport");
    }

    /* The contract hash: APIClient sends it with every call (the runtime's contract_hash), spec/evolution.md. */
    char contract_hash[72];
    backend_contract_hash(program, gen->options, contract_hash);
    blank_line(out);
    printer_line(out, "CONTRACT_HASH = \"%s\"", contract_hash);
    printer_line(out, "\"\"\"The contract hash of the file (rpcc --contract-hash): APIClient sends it with every call.\"\"\"");

    if (any_params) {
        blank_line(out);
        blank_line(out);
        printer_line(out, "def _to_json(params: BaseModel) -> dict[str, Any]:");
        printer_indent(out);
        printer_line(out, "\"\"\"The JSON of `params`: wire names, and only the fields that were set.");
        blank_line(out);
        printer_line(out, "A field that was never set is left out, so the server applies its default; a field that may");
        printer_line(out, "be absent but not null is left out while it is None.");
        printer_line(out, "\"\"\"");
        printer_line(out, "return params.model_dump(mode=\"json\", by_alias=True, exclude_unset=True)");
        printer_dedent(out);
    }
    /* After _to_json, two blank lines; right after the imports, one (isort's rule for a statement). */
    if (channels && any_params) blank_line(out);
    for (size_t index = 0; index < program->channel_count; index++) {
        const IrChannel *channel = program->channels[index];
        StrBuf adapter;
        strbuf_init(&adapter);
        append_publication_adapter(&adapter, channel);
        const char *type = py_name(&channel->publication->names);
        if (index == 0) blank_line(out);
        printer_line(out, "%s: TypeAdapter[%s] = TypeAdapter(%s)", adapter.data, type, type);
        strbuf_free(&adapter);
    }

    blank_line(out);
    blank_line(out);
    printer_line(out, "class APIClient(CentrifugoRPCClient):");
    printer_indent(out);
    /* The second form, APIClient(rpc), is the thin wrapper of the generator rpcc replaces (issue 17): its users'
     * code constructs a CentrifugoRPCClient, connects it and wraps it. The wrapper shares the client's instance
     * state rather than delegating method by method, so every method of the base client, present or future, acts
     * on the one connection. The URL overload repeats CentrifugoRPCClient.__init__'s parameters (defaults as
     * `...`); tests/python_sdk/test_static.py fails when the two drift apart. */
    printer_block(out,
                  "\"\"\"The API over Centrifugo: one typed async method per RPC method.\n"
                  "\n"
                  "Construct it like CentrifugoRPCClient and use it as an async context manager:\n"
                  "``async with APIClient(url, token, user_id) as api: ...``. Or wrap a CentrifugoRPCClient made\n"
                  "before: ``api = APIClient(rpc)`` is a typed view of ``rpc``, the same connection and settings\n"
                  "(connecting or closing either connects or closes both). Every method raises RPCError\n"
                  "(code, message) for an error answer, RPCTimeoutError when the answer does not come within\n"
                  "``timeout`` seconds, and RPCConnectionError when the connection is missing or lost.\n"
                  "\"\"\"\n"
                  "\n"
                  "contract_hash = CONTRACT_HASH\n"
                  "\n"
                  "@overload\n"
                  "def __init__(self, client: CentrifugoRPCClient, /) -> None: ...\n"
                  "\n"
                  "@overload\n"
                  "def __init__(\n"
                  "    self,\n"
                  "    url: str,\n"
                  "    token: str = ...,\n"
                  "    user_id: str = ...,\n"
                  "    *,\n"
                  "    transport: Transport = ...,\n"
                  "    timeout: float = ...,\n"
                  "    get_token: Callable[[], Awaitable[str]] | None = ...,\n"
                  "    request_channel: str = ...,\n"
                  "    name: str = ...,\n"
                  "    max_message_size: int = ...,\n"
                  "    max_server_ping_delay: float = ...,\n"
                  ") -> None: ...\n"
                  "\n"
                  "def __init__(self, url: str | CentrifugoRPCClient, *args: Any, **kwargs: Any) -> None:\n"
                  "    if isinstance(url, CentrifugoRPCClient):\n"
                  "        if args or kwargs:\n"
                  "            msg = \"APIClient(rpc) takes the client alone: its settings are the ones rpc was made with\"\n"
                  "            raise TypeError(msg)\n"
                  "        # A view of `url`: one state, so both objects use (and connect, and close) one connection.\n"
                  "        self.__dict__ = url.__dict__\n"
                  "        return\n"
                  "    if not isinstance(url, str):\n"
                  "        msg = (\n"
                  "            \"APIClient takes a URL, APIClient(url, token, user_id), or a CentrifugoRPCClient of this \"\n"
                  "            f\"package, APIClient(rpc); not {type(url).__name__}\"\n"
                  "        )\n"
                  "        raise TypeError(msg)\n"
                  "    super().__init__(url, *args, **kwargs)\n",
                  NULL);
    for (size_t index = 0; index < program->rpc_count; index++) {
        const IrRpc *rpc = program->rpcs[index];
        const char *result = rpc->oneway ? "None" : py_name(&rpc->result->names);
        StrBuf *method_literal = &gen->line; /* the wire method as a string literal */
        strbuf_clear(method_literal);
        append_cstring(method_literal, rpc->method);
        const char *method = method_literal->data;
        blank_line(out);
        if (rpc->deprecation.deprecated) {
            StrBuf reason;
            strbuf_init(&reason);
            if (rpc->deprecation.reason && rpc->deprecation.reason[0]) {
                append_cstring(&reason, rpc->deprecation.reason);
            } else {
                strbuf_puts(&reason, "\"");
                strbuf_puts(&reason, "deprecated");
                strbuf_puts(&reason, "\"");
            }
            printer_line(out, "@deprecated(%s)", strbuf_cstr(&reason));
            strbuf_free(&reason);
        }
        begin_body_line(out);
        if (rpc->params) {
            PRINTER_LINE(out, "async def ", py_name(&rpc->names), "(self, params: ", py_name(&rpc->params->names),
                         ", *, timeout: float | None = None) -> ", result, ":");
        } else {
            PRINTER_LINE(out, "async def ", py_name(&rpc->names), "(self, *, timeout: float | None = None) -> ", result,
                         ":");
        }
        printer_indent(out);
        if (!print_docstring(out, rpc->doc, &rpc->deprecation)) {
            StrBuf doc;
            strbuf_init(&doc);
            strbuf_puts(&doc, rpc->oneway ? "Sends " : "Calls ");
            strbuf_puts(&doc, rpc->method);
            strbuf_puts(&doc, rpc->oneway ? " (one-way: no answer)." : ".");
            printer_python_docstring(out, strbuf_cstr(&doc));
            strbuf_free(&doc);
        }
        if (rpc->oneway) {
            /* One-way: returns once the message is handed to Centrifugo (CentrifugoRPCClient.send). */
            if (rpc->params)
                PRINTER_LINE(out, "await self.send(", method, ", _to_json(params), timeout=timeout)");
            else
                PRINTER_LINE(out, "await self.send(", method, ", timeout=timeout)");
            printer_dedent(out);
            continue;
        }
        if (rpc->params) {
            PRINTER_LINE(out, "data = await self.call(", method, ", _to_json(params), timeout=timeout)");
        } else {
            PRINTER_LINE(out, "data = await self.call(", method, ", timeout=timeout)");
        }
        PRINTER_LINE(out, "return self._decode(", result, ", data, ", method, ")");
        printer_dedent(out);
    }
    for (size_t index = 0; index < program->channel_count; index++) print_channel_methods(out, program->channels[index]);
    printer_dedent(out);
    return true;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* __init__.py                                                                                                */

static bool emit_init(void *context, Printer *out) {
    PyGen *gen = context;
    const IrProgram *program = gen->program;
    StrBuf package;
    strbuf_init(&package);
    append_package(&package, gen->options);
    print_marker(gen, out);
    print_module_docstring(gen, out, "Typed Centrifugo RPC client of %s, generated by rpcc.");
    blank_line(out);
    printer_line(out, "from .client import CONTRACT_HASH, APIClient");
    const char **names = malloc((program->decl_count + 1) * sizeof *names);
    if (!names) abort();
    const size_t *order = declaration_import_order(gen);
    for (size_t index = 0; index < program->decl_count; index++) names[index] = py_name(&program->decls[order[index]]->names);
    print_sorted_from_import(out, ".models", names, program->decl_count);
    const char *runtime[] = {"CentrifugoRPCClient",     "RPCConnectionError",    "RPCContractMismatchError",
                             "RPCContractOlderError",   "RPCError",              "RPCReplyError",
                             "RPCRequestTooLargeError", "RPCTimeoutError",
                             /* with channels */
                             "ChannelParamError", "ChannelSubscription", "PublicationDecodeError",
                             "RecoveryFailedError", "StreamPosition", "SubscriptionRefusedError", "SubscriptionState"};
    size_t runtime_count = program->channel_count ? sizeof runtime / sizeof runtime[0] : 8;
    print_from_import(out, ".rpc_client", runtime, runtime_count);
    blank_line(out);

    size_t total = program->decl_count + 2 + runtime_count;
    const char **all = calloc(total + 1, sizeof *all);
    if (!all) abort();
    const char *extra[2 + sizeof runtime / sizeof runtime[0]]; /* the names that are not declarations */
    extra[0] = "APIClient";
    extra[1] = "CONTRACT_HASH";
    for (size_t index = 0; index < runtime_count; index++) extra[2 + index] = runtime[index];
    unsigned char *types = malloc(program->decl_count + 1);
    if (!types) abort();
    for (size_t index = 0; index < program->decl_count; index++) types[index] = gen->decl_member_types[order[index]];
    if (in_all_order(names, types, program->decl_count)) {
        /* The import order is __all__'s too (names that differ only in case seldom meet): the few other names are
         * merged in, instead of sorting all again. */
        sort_member_names(extra, 2 + runtime_count, false);
        merge_all_names(all, names, types, program->decl_count, extra, 2 + runtime_count);
    } else {
        for (size_t index = 0; index < program->decl_count; index++) all[index] = names[index];
        for (size_t index = 0; index < 2 + runtime_count; index++) all[program->decl_count + index] = extra[index];
        sort_member_names(all, total, false);
    }
    free(types);
    printer_line(out, "__all__ = [");
    for (size_t index = 0; index < total; index++) PRINTER_LINE(out, "    \"", all[index], "\","); /* indented as text */
    printer_line(out, "]");
    free(all);
    free(names);
    strbuf_free(&package);
    return true;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* pyproject.toml, requirements.txt and README.md                                                             */

/* The distributions the package needs at run time: pyproject.toml's dependencies and requirements.txt, one list
 * so that the two cannot disagree. requirements.txt serves `pip install -r requirements.txt`, the install step of
 * the generator rpcc replaces (issue 17), for using the directory in place without installing it. */
static const char *const PY_DEPENDENCIES[] = {
    "centrifuge-python>=0.7,<0.8",
    "pydantic>=2.12,<3", /* Field(exclude_if=...) came in 2.12; serialize_by_alias and validate_by_name in 2.11 */
    "typing-extensions>=4.12",
    NULL,
};

static bool emit_requirements(void *context, Printer *out) {
    print_marker(context, out);
    for (size_t index = 0; PY_DEPENDENCIES[index]; index++) printer_line(out, "%s", PY_DEPENDENCIES[index]);
    return true;
}

static bool emit_pyproject(void *context, Printer *out) {
    PyGen *gen = context;
    StrBuf package, distribution, input;
    strbuf_init(&package);
    strbuf_init(&distribution);
    strbuf_init(&input);
    append_package(&package, gen->options);
    append_distribution(&distribution, gen->options);
    backend_append_input_name(&input, gen->options);
    print_marker(gen, out);
    printer_block(out, "[build-system]\n"
                       "requires = [\"hatchling>=1.18\"]\n"
                       "build-backend = \"hatchling.build\"\n"
                       "\n"
                       "[project]\n"
                       "name = \"$distribution$\"\n"
                       "version = \"0.1.0\"\n"
                       "description = \"Typed Centrifugo RPC client generated by rpcc from $input$\"\n"
                       "readme = \"README.md\"\n"
                       "requires-python = \">=3.10\"\n",
                  "distribution", strbuf_cstr(&distribution), "input", strbuf_cstr(&input), NULL);
    /* an SPDX expression (checked by the command line): nothing to escape in a TOML string */
    if (gen->options->license) printer_line(out, "license = \"%s\"", gen->options->license);
    printer_line(out, "dependencies = [");
    for (size_t index = 0; PY_DEPENDENCIES[index]; index++) printer_line(out, "    \"%s\",", PY_DEPENDENCIES[index]);
    printer_block(out, "]\n"
                       "classifiers = [\"Framework :: AsyncIO\", \"Framework :: Pydantic :: 2\", \"Typing :: Typed\"]\n"
                       "\n"
                       "[project.optional-dependencies]\n"
                       "# rpc_telemetry.py (OpenTelemetry spans and metrics of every call): imported only by an app that uses it\n"
                       "otel = [\"opentelemetry-api>=1.27\"]\n"
                       "\n"
                       "# The package's modules sit at the root of this directory; the wheel installs them as $package$.\n"
                       "[tool.hatch.build.targets.wheel]\n"
                       "include = [\"*.py\", \"py.typed\"]\n"
                       "\n"
                       "[tool.hatch.build.targets.wheel.sources]\n"
                       "\"\" = \"$package$\"\n"
                       "\n"
                       "[tool.hatch.build.targets.sdist]\n"
                       "include = [\"*.py\", \"py.typed\", \"README.md\"]\n"
                       "\n"
                       "[tool.ruff]\n"
                       "target-version = \"py310\"\n"
                       "line-length = 120\n"
                       "\n"
                       "[tool.mypy]\n"
                       "strict = true\n"
                       "python_version = \"3.10\"\n",
                       "distribution", strbuf_cstr(&distribution), "input", strbuf_cstr(&input), "package",
                       strbuf_cstr(&package), NULL);
    strbuf_free(&package);
    strbuf_free(&distribution);
    strbuf_free(&input);
    return true;
}

/* One line of Markdown from doc text: its first line, with characters Markdown would read removed. */
static void append_markdown_summary(StrBuf *out, const char *doc) {
    if (!doc) return;
    /* runs without a character to escape appended at once */
    for (const char *c = doc;;) {
        size_t run = strcspn(c, "\\`*_[]<>|#\n");
        strbuf_append(out, c, run);
        c += run;
        if (!*c || *c == '\n') break;
        strbuf_putc(out, '\\');
        strbuf_putc(out, *c++);
    }
}

/* Placeholder arguments for the required fields of `params` ("name=value, ..."); false when a required field
 * has no simple placeholder (then "..." stands for it). */
static bool example_arguments(StrBuf *out, const IrDecl *params) {
    bool simple = true;
    for (size_t index = 0; index < params->field_count; index++) {
        const IrField *field = params->fields[index];
        if (field->optional || field->default_value) continue;
        next_arg(out);
        strbuf_printf(out, "%s=", py_name(&field->names));
        const IrType *type = ir_resolve_alias(field->type);
        switch (type->kind) {
        case IR_STRING: strbuf_puts(out, "\"example\""); break;
        case IR_INT: strbuf_puts(out, "1"); break;
        case IR_FLOAT: strbuf_puts(out, "1.0"); break;
        case IR_BOOL: strbuf_puts(out, "True"); break;
        case IR_LIST: strbuf_puts(out, "[]"); break;
        case IR_MAP: strbuf_puts(out, "{}"); break;
        case IR_LITERAL: append_literal_value(out, type->literals[0]); break;
        case IR_REF:
            if (type->decl->kind == IR_DECL_ENUM && type->decl->member_count) {
                strbuf_printf(out, "%s.%s", py_name(&type->decl->names), py_name(&type->decl->members[0]->names));
                break;
            }
            /* fall through */
        default:
            strbuf_puts(out, "...");
            simple = false;
            break;
        }
    }
    return simple;
}

/* The README's Channels section: how to subscribe, and one line per channel. */
static void print_readme_channels(Printer *out, const IrProgram *program) {
    const IrChannel *first = program->channels[0];
    StrBuf args;
    strbuf_init(&args);
    for (size_t index = 0; index < first->param_count; index++) {
        const char *name = py_name(&first->params[index]->names);
        strbuf_printf(&args, "%s%s=%s", index ? ", " : "", name, name);
    }
    printer_block(out, "\n"
                       "## Channels\n"
                       "\n"
                       "One `subscribe_<channel>` method per channel, and an async `publish_<channel>` for the channels\n"
                       "clients may publish into. A subscription decodes every publication into the channel's type:\n"
                       "\n"
                       "```python\n"
                       "async for event in api.$method$($args$):\n"
                       "    ...\n"
                       "```\n"
                       "\n"
                       "- The first iteration subscribes (or `await subscription.subscribe()`, or `async with`); a refused\n"
                       "  subscription raises `SubscriptionRefusedError` (an `RPCError`: `code` 103 is permission denied).\n"
                       "  `on_publication=` takes the publications in a callback instead (plain or async).\n"
                       "- A publication of another shape goes to `on_error=` as a `PublicationDecodeError`; the\n"
                       "  subscription goes on.\n"
                       "- After a lost connection it subscribes again by itself; in a channel with history it recovers\n"
                       "  the publications it missed, in order and none twice, or gives `on_error` a\n"
                       "  `RecoveryFailedError`.\n"
                       "- `subscription.state` is `\"subscribing\"`, `\"subscribed\"` or `\"unsubscribed\"`;\n"
                       "  `subscription.on_state_change` is told of every change. `await subscription.unsubscribe()` ends\n"
                       "  it, and so does closing the client (the iteration then raises `RPCConnectionError`).\n"
                       "- A string parameter that would change the channel's meaning (`:`, `#`, `,`, ...) or is not\n"
                       "  printable ASCII raises `ChannelParamError` before anything is sent.\n"
                       "\n",
                       "method", py_name(&first->subscribe_names), "args", args.data ? args.data : "", NULL);
    strbuf_free(&args);
    for (size_t index = 0; index < program->channel_count; index++) {
        const IrChannel *channel = program->channels[index];
        StrBuf name;
        strbuf_init(&name);
        escape_markdown_code_span(&name, channel->pattern, strlen(channel->pattern), false);
        StrBuf methods;
        strbuf_init(&methods);
        strbuf_printf(&methods, "`%s`", py_name(&channel->subscribe_names));
        if (channel->client_publish) strbuf_printf(&methods, ", `%s`", py_name(&channel->publish_names));
        printer_line(out, "- %s (%s, %s): `%s`%s", methods.data, channel->name, strbuf_cstr(&name),
                     py_name(&channel->publication->names), channel->history ? ", history" : "");
        strbuf_free(&methods);
        strbuf_free(&name);
    }
}

static bool emit_readme(void *context, Printer *out) {
    PyGen *gen = context;
    const IrProgram *program = gen->program;
    StrBuf package, distribution, input;
    strbuf_init(&package);
    strbuf_init(&distribution);
    strbuf_init(&input);
    append_package(&package, gen->options);
    append_distribution(&distribution, gen->options);
    backend_append_input_name(&input, gen->options);
    const char *pkg = strbuf_cstr(&package);

    backend_print_marker(out, MARKER_HTML, gen->options);
    printer_block(out, "# $distribution$\n"
                       "\n"
                       "Typed Python client for the Centrifugo RPC methods of `$input$`: pydantic v2 models and one async\n"
                       "method per RPC method, over a real Centrifugo v6 WebSocket connection (centrifuge-python).\n"
                       "\n"
                       "## Install\n"
                       "\n"
                       "```sh\n"
                       "pip install ./python    # this directory; Python 3.10 or later\n"
                       "```\n"
                       "\n"
                       "To import the directory in place instead (its parent on `sys.path`), install only its dependencies:\n"
                       "`pip install -r requirements.txt` (the same list as `pyproject.toml`).\n"
                       "\n"
                       "## Use\n"
                       "\n",
                       "distribution", strbuf_cstr(&distribution), "input", strbuf_cstr(&input), NULL);

    /* The method the IR chose for every README's example. */
    const IrRpc *example = program->example_rpc;
    StrBuf example_args;
    strbuf_init(&example_args);
    if (example && example->params) example_arguments(&example_args, example->params);
    printer_block(out, "```python\n"
                       "import asyncio\n"
                       "\n",
                       NULL);
    if (example) {
        const char *params = example->params ? py_name(&example->params->names) : NULL;
        if (params) {
            printer_line(out, "from %s import APIClient, %s", pkg, params);
        } else {
            printer_line(out, "from %s import APIClient", pkg);
        }
        printer_block(out, "\n"
                           "\n"
                           "async def main() -> None:\n"
                           "    async with APIClient(\"ws://localhost:8000/connection/websocket\", token=TOKEN, user_id=\"42\") as api:\n",
                           NULL);
        if (params) {
            printer_line(out, "        result = await api.%s(%s(%s))", py_name(&example->names), params,
                         strbuf_cstr(&example_args));
        } else {
            printer_line(out, "        result = await api.%s()", py_name(&example->names));
        }
        printer_block(out, "        print(result)\n"
                           "\n"
                           "\n"
                           "asyncio.run(main())\n",
                           NULL);
    } else {
        printer_line(out, "from %s import APIClient", pkg);
    }
    strbuf_free(&example_args);
    printer_block(out, "```\n"
                       "\n"
                       "`TOKEN` is a Centrifugo connection JWT whose `sub` claim is the user id (here \"42\"). `APIClient` takes the\n"
                       "arguments of `CentrifugoRPCClient`:\n"
                       "\n"
                       "- `url`, `token`, `user_id`;\n"
                       "- `get_token`: an async function returning a fresh token, called when the token expires;\n"
                       "- `transport=\"rpc\"` (default): Centrifugo's RPC command, proxied to the backend;\n"
                       "  `transport=\"pubsub\"`: requests published to `rpc:requests`, replies received on `user#<user_id>`\n"
                       "  and matched by a random correlation id (`request_channel=` changes the request channel);\n"
                       "- `timeout`: seconds a call waits for its answer (default 10); each method also takes `timeout=`,\n"
                       "  which counts for that call, shorter or longer than the client's;\n"
                       "- `max_message_size`: the largest request in bytes (default 65536, Centrifugo's\n"
                       "  `websocket.message_size_limit`; set it to your server's value); a larger one raises\n"
                       "  `RPCRequestTooLargeError` before anything is sent;\n"
                       "- `max_server_ping_delay`: seconds past the server's ping interval after which a silent connection\n"
                       "  is replaced (default 10).\n"
                       "\n"
                       "Without `async with`, call `await api.connect()` first and `await api.close()` (or `disconnect()`, the\n"
                       "same) at the end.\n"
                       "\n"
                       "`APIClient(rpc)` wraps a `CentrifugoRPCClient` made before (the thin-wrapper form): `api` then\n"
                       "uses `rpc`'s connection and settings, and connecting or closing either one acts on both.\n"
                       "\n"
                       "## Errors\n"
                       "\n"
                       "Every failed call raises `RPCError` with `code` and `message`:\n"
                       "\n"
                       "- an error answered by the server keeps its code: 400..1999 from the handlers, below 400 from\n"
                       "  Centrifugo itself (for example 103 permission denied);\n"
                       "- `RPCTimeoutError` (a subclass, code 1): no answer within the timeout;\n"
                       "- `RPCConnectionError` (a subclass, code 3): not connected, or the connection was lost;\n"
                       "- `RPCReplyError` (a subclass, code 13): the result does not fit the result type;\n"
                       "- `RPCRequestTooLargeError` (a subclass, code 15): the request exceeds `max_message_size`; it was\n"
                       "  not sent, and the connection and other calls are not affected;\n"
                       "- `RPCContractMismatchError` (a subclass, code 412) and its subclass `RPCContractOlderError`\n"
                       "  (code 426): the rpcc bridge refused the call because this package was generated from another\n"
                       "  version of its contract, or an older one (`CONTRACT_HASH`, sent with every call); regenerate it.\n"
                       "\n"
                       "Every error class survives `pickle` with its attributes (multiprocessing, task queues).\n"
                       "\n"
                       "Cancelling the task of a call (`task.cancel()`, `asyncio.timeout`) stops waiting for it and\n"
                       "releases its reply slot; the server may still run it. After a lost connection the client\n"
                       "reconnects by itself with backoff (and subscribes to its reply channel again); calls made\n"
                       "meanwhile wait for the connection up to their timeout. A server close with a code in\n"
                       "3500..3999 or 4500..4999 stops the client: calls fail at once with `RPCConnectionError` until\n"
                       "`connect()` is called again.\n"
                       "\n"
                       "## Telemetry\n"
                       "\n"
                       "Every call can be traced and measured with OpenTelemetry (`pip install '$distribution$[otel]'`, or\n"
                       "`opentelemetry-api`; the SDK and its exporters are the application's choice):\n"
                       "\n"
                       "```python\n"
                       "from $package$.rpc_telemetry import OpenTelemetryHook\n"
                       "\n"
                       "api.hook = OpenTelemetryHook()  # the global tracer and meter providers, or pass your own\n"
                       "```\n"
                       "\n"
                       "Only `rpc_telemetry.py` imports OpenTelemetry: an application that does not import it loads none of\n"
                       "it, and a client without a hook pays one `is None` test per call. Each call is then a CLIENT span\n"
                       "named after the method, a child of the current span, with `rpc.system.name` and `rpc.system`\n"
                       "(`centrifugo`), `rpc.method` (the wire method), `rpcc.transport` (`rpc` or `pubsub`),\n"
                       "`rpcc.request.size` and `rpcc.response.size` (bytes); a failed call also has `error.type` (`timeout`,\n"
                       "`disconnected`, `request_too_large`, `application` for a handler's code, `server` for Centrifugo's,\n"
                       "`cancelled`, `other`), `rpc.response.status_code` (the error code) and the status ERROR. Metrics:\n"
                       "`rpc.client.call.duration` (seconds), `rpc.client.request.size` and `rpc.client.response.size`\n"
                       "(bytes), histograms by `rpc.method`, `rpcc.transport` and `error.type`.\n"
                       "\n"
                       "The span's W3C trace context (`traceparent`, `tracestate`) travels with the call, in the call data's\n"
                       "`$$trace` field over `rpc` and in the request envelope's `trace` field over `pubsub`; the rpcc bridge\n"
                       "removes it before validation and continues the trace. Your own hook subclasses `CallHook`\n"
                       "(`call_started`, `call_finished`) and reads `CallInfo`: method, transport, duration, sizes, the\n"
                       "error and its kind.\n"
                       "\n"
                       "## Absent, null and defaults\n"
                       "\n"
                       "- A field with a default that you do not set is not sent; the server applies the default.\n"
                       "- A field that may be absent (`x?: T`) is `None` when absent and is never sent as `null`.\n"
                       "- A field that may be absent or null (`x?: T | null`) is sent as `null` only when you set it to\n"
                       "  `None`; in a result, `\"x\" in result.model_fields_set` tells an absent field from a null one.\n"
                       "- A field whose type is one literal (`kind: Literal[\"circle\"] = \"circle\"`) has that value as its\n"
                       "  default and is always sent.\n"
                       "- `int` values keep their exact value at any size (the 64-bit range of the IDL is not checked).\n"
                       "- Results are validated: a value of the wrong JSON type (an untagged union takes no `\"1\"` for\n"
                       "  an int) or a missing required field raises `RPCReplyError`. A `null` for a field that may only\n"
                       "  be absent reads as absent.\n"
                       "- Timestamps are `AwareDatetime`: a `datetime` without a timezone is refused (`ValidationError`)\n"
                       "  rather than sent without the offset RFC 3339 requires. They come back with their offset and are\n"
                       "  sent with six fractional digits (`...05.500000+01:00`), the same instant.\n"
                       "\n"
                       "## Enums\n"
                       "\n"
                       "String enums are `StrEnum`s (`f\"{member}\"` is the wire value), int enums `IntEnum`s. Enums are\n"
                       "open, as in proto3: a value this SDK does not know (the server added a member) does not fail the\n"
                       "reply; it is kept as a plain `str` or `int` and sent back unchanged. A field of enum `Color` is\n"
                       "typed `Color | str`, and `isinstance(value, Color)` tells a known value from an unknown one.\n"
                       "\n"
                       "## Names and unions\n"
                       "\n"
                       "- Fields keep their IDL names, also `date` or `time` (the module imports those types under an\n"
                       "  alias). A name that cannot be a field gets a trailing `_`: Python keywords (`class_`) and\n"
                       "  attributes of pydantic's `BaseModel` (`json_`, `schema_`, `copy_`, `model_...`), which pydantic\n"
                       "  warns about and mypy refuses to override. Such a field is sent under its wire name.\n"
                       "- Models serialise by wire name everywhere (`model_dump()`, `model_dump_json()`) and accept both\n"
                       "  the wire name and the Python name.\n"
                       "- A union with `@discriminator` is decoded by that field. An untagged union of models is decoded\n"
                       "  in pydantic's smart mode: of the alternatives that validate, the one with the most fields set\n"
                       "  wins, the first on a tie, so `Easy {role, content}` before `Full {role, content, status}` does\n"
                       "  not take a `Full` object. An alternative with literal fields matches only an object that has\n"
                       "  each with its value. Untagged unions without models try their alternatives in order.\n"
                       "- Deprecated methods, models and enums carry `typing_extensions.deprecated`: type checkers flag\n"
                       "  their use (mypy: `--enable-error-code deprecated`). A deprecated method also warns when called;\n"
                       "  a model or enum does not, since decoding a reply makes them without the caller's choice, and a\n"
                       "  deprecated field warns when read. Python has no such marker for an enum member: a deprecated\n"
                       "  member says so in its docstring.\n"
                       "\n",
                       "distribution", strbuf_cstr(&distribution), "package", pkg, NULL);
    if (backend_has_open_model(program))
        printer_block(out, "## Open models\n"
                           "\n"
                           "A model the API marks open (`@open`, pydantic's `extra=\"allow\"`) keeps the keys it does not\n"
                           "declare: they are in `model_extra` (and readable as attributes), and they are sent again with the\n"
                           "model. Set more with `Model(known=1, other=2)`. Its declared fields keep their types.\n"
                           "\n",
                      NULL);
    printer_block(out, "## Methods\n"
                       "\n",
                  NULL);
    if (program->rpc_count == 0) printer_line(out, "The API declares no RPC methods.");
    for (size_t index = 0; index < program->rpc_count; index++) {
        const IrRpc *rpc = program->rpcs[index];
        /* the line's text that is not a name: the wire method as a code span and the summary */
        StrBuf *line = &gen->line;
        strbuf_clear(line);
        escape_markdown_code_span(line, rpc->method, strlen(rpc->method), false);
        size_t wire_len = line->len;
        append_markdown_summary(line, rpc->doc);
        PRINTER_PUTS(out, "- `", py_name(&rpc->names), "(", rpc->params ? py_name(&rpc->params->names) : "", ") -> ",
                     rpc->oneway ? "None" : py_name(&rpc->result->names), "` (");
        printer_putn(out, line->data, wire_len);
        if (rpc->oneway) printer_put(out, ", one-way: no answer");
        printer_putn(out, ")", 1);
        if (line->len > wire_len) {
            printer_putn(out, ": ", 2);
            printer_putn(out, line->data + wire_len, line->len - wire_len);
        }
        if (rpc->deprecation.deprecated) printer_put(out, " (deprecated)");
        printer_end_line(out);
    }
    if (program->channel_count) print_readme_channels(out, program);
    strbuf_free(&package);
    strbuf_free(&distribution);
    strbuf_free(&input);
    return true;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Entry point                                                                                                */

static bool emit_runtime(void *context, Printer *out) {
    const PyGen *gen = context;
    return backend_print_runtime(out, MARKER_HASH, gen->options, "python/rpc_client.py");
}

/* The OpenTelemetry hook: a file of its own, so that only an application that imports it loads OpenTelemetry. */
static bool emit_telemetry(void *context, Printer *out) {
    const PyGen *gen = context;
    return backend_print_runtime(out, MARKER_HASH, gen->options, "python/rpc_telemetry.py");
}

static bool emit_nothing(void *context, Printer *out) {
    (void)context, (void)out;
    return true;
}

static bool emit(const IrProgram *program, const BackendOptions *options, OutputTree *tree) {
    PyGen gen;
    memset(&gen, 0, sizeof gen);
    gen.program = program;
    gen.options = options;
    /* One pass over the declarations before any file: the scalar aliases, and for models.py the names its body
     * uses and each model's traits (decl_uses), so that its header is printed first. */
    gen.decl_traits = malloc((program->decl_count ? program->decl_count : 1) * sizeof *gen.decl_traits);
    if (!gen.decl_traits) {
        fprintf(stderr, "rpcc: out of memory\n");
        exit(1);
    }
    for (size_t index = 0; index < program->decl_count; index++)
        decl_uses(&gen, program->definition_order[index], &gen.decl_traits[index]);
    static const BackendFile files[] = {
        {"python/models.py", emit_models},         {"python/client.py", emit_client},
        {"python/__init__.py", emit_init},         {"python/rpc_client.py", emit_runtime},
        {"python/py.typed", emit_nothing},         {"python/pyproject.toml", emit_pyproject},
        {"python/requirements.txt", emit_requirements}, {"python/README.md", emit_readme},
        {"python/rpc_telemetry.py", emit_telemetry},
    };
    strbuf_init(&gen.line);
    bool emitted = backend_emit_files(tree, files, sizeof files / sizeof files[0], "    ", &gen);
    strbuf_free(&gen.line);
    free(gen.decl_traits);
    free(gen.decl_import_order);
    free(gen.decl_member_types);
    return emitted;
}

const Backend backend_python = {TARGET_PYTHON, "python", emit};
