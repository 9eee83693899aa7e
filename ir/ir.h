/* The IR: what a checked .rpc program means, with every name resolved, every inline union hoisted into a named
 * declaration, and every target identifier computed. Backends read only this. All memory is in one arena.
 *
 * Invariants a backend may rely on (the validation passes guarantee them; a program that breaks one never reaches
 * a backend):
 * - every IrTypeRef to a declaration points into IrProgram.decls;
 * - names in each target (IrNames) are valid identifiers of that target and unique in their scope;
 * - a union declaration has at least two alternatives, none nullable and none null;
 * - a discriminated union's alternatives are models whose discriminator field is a required string literal type;
 * - default values fit their field's type (ints in range, enum defaults name a member, ...);
 * - map keys are string, int, uuid or an enum, or an alias of one of those (ir_resolve_alias follows it);
 * - a channel's publication is a model or union declaration, or an alias of one (never nullable); its parameters
 *   resolve to string or int; its parts hold each parameter exactly once, never two placeholders side by side;
 *   no two channels' patterns can produce the same channel name, and channels of one namespace share its options.
 */
#ifndef RPCC_IR_H
#define RPCC_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../support/arena.h"
#include "../frontend/source.h"
#include "namer.h"

typedef struct IrDecl IrDecl;
typedef struct IrType IrType;
typedef struct IrValue IrValue;

/* One identifier per target language, as printed. */
typedef struct IrNames {
    const char *in[TARGET_COUNT]; /* in[TARGET_GO] etc. */
} IrNames;

typedef enum IrTypeKind {
    /* scalars */
    IR_BOOL,
    IR_INT,
    IR_FLOAT,
    IR_STRING,
    IR_BYTES,
    IR_DECIMAL,
    IR_UUID,
    IR_TIMESTAMP,
    IR_DATE,
    IR_TIME,
    IR_DURATION,
    IR_ANY,
    /* containers */
    IR_LIST, /* element */
    IR_MAP,  /* key, element */
    /* a closed set of literal values of one scalar kind: "a" | "b", or 1, or true */
    IR_LITERAL,
    /* a reference to a declaration: model, enum, union or alias */
    IR_REF,
} IrTypeKind;

/* 40 bytes, not 64: a large schema has hundreds of thousands (one per field, more for containers), held while the
 * backends print. Hence the bit-fields, the 32-bit count, and the members of different kinds sharing their room
 * (every reader checks the kind first): `element` with `decl` (a container is no reference), `key` with
 * `literals` (a map has no literals). */
struct IrType {
    IrTypeKind kind : 8;
    bool nullable : 1;      /* `T | null`: the value may be JSON null */
    uint32_t literal_count; /* IR_LITERAL: how many `literals` */
    Span span;              /* where the type was written */
    union {
        IrType *element; /* IR_LIST element, IR_MAP value */
        IrDecl *decl;    /* IR_REF */
    };
    union {
        IrType *key; /* IR_MAP */
        /* IR_LITERAL: the values (at least one), all of the same kind (IR_VALUE_STRING, _INT or _BOOL) */
        IrValue **literals;
    };
};

typedef enum IrValueKind {
    IR_VALUE_NULL,
    IR_VALUE_BOOL,
    IR_VALUE_INT,
    IR_VALUE_FLOAT,  /* text holds the literal as written (an int written for a float field stays IR_VALUE_INT) */
    IR_VALUE_STRING, /* text/text_length hold the decoded UTF-8 (may contain NUL bytes only via \u0000) */
    IR_VALUE_ENUM,   /* enum_decl + enum_member */
    IR_VALUE_LIST,   /* items */
    IR_VALUE_MAP,    /* keys (IR_VALUE_STRING or IR_VALUE_INT) and items, in source order */
} IrValueKind;

typedef struct IrEnumMember IrEnumMember;

struct IrValue {
    IrValueKind kind;
    Span span;
    bool bool_value;
    int64_t int_value;
    const char *text;
    size_t text_length;
    IrDecl *enum_decl;
    IrEnumMember *enum_member;
    IrValue **keys;
    IrValue **items;
    size_t count;
};

/* Constraints from @range, @length and @pattern (present flags say which were given). */
typedef struct IrConstraints {
    bool has_ge, has_gt, has_le, has_lt;
    IrValue *ge, *gt, *le, *lt; /* IR_VALUE_INT or IR_VALUE_FLOAT */
    bool has_min_length, has_max_length;
    int64_t min_length, max_length;
    const char *pattern; /* NULL if none */
} IrConstraints;

/* The constraints of every field that has none. */
extern const IrConstraints ir_no_constraints;

/* Packed (9 bytes, byte-aligned), so that the structs holding one can put their flags beside it rather than in a
 * padded word of their own: a large schema holds hundreds of thousands of fields. */
typedef struct __attribute__((packed)) IrDeprecation {
    bool deprecated;
    const char *reason; /* NULL when @deprecated had no argument */
} IrDeprecation;

typedef struct IrField {
    const char *name;      /* as in the IDL */
    Span span;             /* the field name */
    const char *wire_name; /* JSON key: @json(...) or the name */
    Span wire_name_span;   /* the @json argument, or the field name */
    IrNames names;         /* Python attribute, TypeScript property key (may be a quoted literal), Go field */
    const char *doc;       /* NULL if none; lines separated by '\n' */
    bool optional;         /* `x?: T`: may be absent on the wire */
    IrDeprecation deprecation; /* beside `optional`: the two share one 16-byte slot (128 bytes a field, not 136) */
    IrType *type;
    IrValue *default_value; /* NULL if none; a field with a default may be absent too */
    /* Never NULL: &ir_no_constraints when none were given (most fields), so that a field does not carry the struct */
    const IrConstraints *constraints;
} IrField;

struct IrEnumMember {
    const char *name; /* as in the IDL */
    Span span;
    IrNames names;    /* Python member, TypeScript const key, Go constant */
    const char *doc;
    IrDeprecation deprecation;
    uint32_t string_value_length; /* beside `deprecation`, in its slot's padding */
    const char *string_value;     /* string enums */
    int64_t int_value;            /* int enums */
};

typedef enum IrDeclKind {
    IR_DECL_MODEL,
    IR_DECL_ENUM,
    IR_DECL_UNION,
    IR_DECL_ALIAS,
} IrDeclKind;

/* The flags and counts come first, packed together: a large schema has tens of thousands of declarations, held
 * while the backends print (152 bytes, not 192). */
struct IrDecl {
    IrDeclKind kind;
    bool synthesized; /* an inline union hoisted out of a field; it has no declaration in the source */
    bool recursive;   /* IR_DECL_MODEL: the model can reach itself through its fields */
    bool open;        /* IR_DECL_MODEL, @open: its values may carry keys it does not declare, which receivers keep
                         (spec/rpc-idl.md, Open models); the backends do not act on it yet */
    bool int_enum;    /* IR_DECL_ENUM */
    /* What the rpcs use it for (ir/usage.c): some rpc's parameters or result model itself; reachable from some
     * rpc's parameters (clients send it, so a field with a default may be left out) or from some result. */
    bool is_params, is_result;
    bool sent, received;
    /* At its place in IrProgram.definition_order, the declaration names one defined after it, or one that is
     * itself incomplete there (ir/order.c): a target that defines types eagerly completes it at the end. */
    bool defined_incomplete;
    IrDeprecation deprecation;
    uint32_t index;   /* position in IrProgram.decls */
    /* The counts of the arrays below (32 bits: a schema's source is below 4 GiB) */
    uint32_t field_count, member_count, alternative_count;
    const char *name; /* as in the IDL; for a hoisted inline union, the synthesized name */
    Span span;        /* the name (for a hoisted union, the inline union's type) */
    IrNames names;
    const char *doc;
    /* IR_DECL_MODEL */
    IrField **fields; /* field_count of them */
    /* IR_DECL_ENUM */
    IrEnumMember **members; /* member_count */
    /* IR_DECL_UNION: the alternatives (at least two), none nullable */
    IrType **alternatives; /* alternative_count */
    const char *discriminator; /* wire name of the tag field, or NULL for an untagged union */
    IrNames *alternative_names; /* per alternative, the member a target holds it in (Go: the union struct's field;
                                   Rust: the enum's variant; NULL in targets whose unions have no members)
                                   (ir/union_members.c) */
    /* IR_DECL_ALIAS: the aliased type (may be nullable; never an inline union of non-literals: `type X = A | B;`
     * is lowered as `union X = A | B;`) */
    IrType *aliased;
};

typedef struct IrRpc {
    const char *method; /* the wire method name, "tasks.get_stats", or the string of @method("user-profile.get") */
    const char *name;   /* the dotted name as written, which the generated names come from */
    Span span;          /* the dotted name */
    Span method_span;   /* the wire name: the @method string, else the dotted name */
    IrNames names;      /* tasks_get_stats, tasksGetStats, TasksGetStats */
    const char *doc;
    bool oneway;        /* @oneway: the client sends and waits for no result; the server answers nothing */
    IrDeprecation deprecation;
    IrDecl *params;     /* a model, or NULL for `()` (an empty object is sent) */
    IrDecl *result;     /* a model; NULL for a one-way method */
} IrRpc;

/* Typed channels (spec/rpc-idl.md, Channels): a Centrifugo channel name pattern with typed parameters, the type
 * of its publications and the options of its namespace. */
typedef struct IrChannelParam {
    const char *name; /* as in the IDL */
    Span span;
    IrNames names;    /* Python keyword argument, TypeScript property of the params object, Go parameter, Rust
                         argument */
    IrType *type;     /* resolves (ir_resolve_alias) to IR_STRING or IR_INT */
} IrChannelParam;

typedef struct IrChannelPart { /* the pattern, cut into literal text and placeholders, in order */
    const char *text;          /* literal text (NULL for a placeholder); never empty */
    size_t text_length;
    IrChannelParam *param;     /* the placeholder's parameter (NULL for text) */
} IrChannelPart;

typedef enum IrChannelSubscribe { IR_SUBSCRIBE_USER, IR_SUBSCRIBE_GUARD, IR_SUBSCRIBE_ANY } IrChannelSubscribe;

typedef struct IrChannel {
    const char *name;           /* the dotted name as written: "tasks.events" */
    Span span;                  /* the dotted name */
    const char *pattern;        /* "tasks:events#{user_id}" as written (decoded string) */
    Span pattern_span;          /* the string literal */
    const char *namespace_name; /* "tasks", or NULL when the pattern has no ':' */
    bool user_limited;          /* the pattern has '#' */
    IrNames names;              /* base names: tasks_events, tasksEvents, TasksEvents (Rust: tasks_events) */
    IrNames subscribe_names;    /* subscribe_tasks_events, subscribeTasksEvents, SubscribeTasksEvents */
    IrNames publish_names;      /* publish_tasks_events, ... (set even without @publish; printed only with it) */
    const char *doc;
    IrDeprecation deprecation;
    IrChannelParam **params;
    size_t param_count;
    IrChannelPart **parts;
    size_t part_count;
    IrDecl *publication;        /* a model, union or alias declaration (a hoisted inline union is a decl too) */
    IrType *publication_type;   /* the type as written (an IR_REF to `publication` in a valid program) */
    bool client_publish;        /* @publish */
    bool history;               /* @history given */
    int64_t history_size, history_ttl_seconds;
    IrChannelSubscribe subscribe; /* @subscribe, or its default: USER with '#' in the pattern, else GUARD */
    bool subscribe_given;       /* @subscribe was written (the default is not) */
    Span history_span, publish_span, subscribe_span; /* the annotations where given, for messages */
} IrChannel;

/* "user", "guard" or "any": the spelling of @subscribe's argument. */
const char *ir_channel_subscribe_name(IrChannelSubscribe subscribe);

typedef struct IrProgram {
    /* Declarations in a stable order: files in dependency order (imports before importers, in import order),
     * each file's declarations as written, hoisted unions right after the declaration they came from. */
    IrDecl **decls;
    size_t decl_count;
    /* The same declarations in an order in which each comes after what its definition evaluates at once in a
     * language that defines types eagerly (ir/order.c): an alias or union after everything it names, a model after
     * the enums its defaults name; otherwise in the order of `decls`. */
    IrDecl **definition_order;
    IrRpc **rpcs; /* in source order, files as above */
    size_t rpc_count;
    IrRpc *example_rpc; /* the method the READMEs' example calls (ir/example.c); NULL without rpcs */
    IrChannel **channels; /* in source order, files as for rpcs */
    size_t channel_count;
    const SourceFile **files; /* every loaded file, main file last */
    size_t file_count;
} IrProgram;

static inline bool ir_type_is_scalar(const IrType *type) { return type->kind <= IR_ANY; }

/* A field a sender must give: neither `x?: T` nor with a default. */
static inline bool ir_field_is_required(const IrField *field) { return !field->optional && !field->default_value; }

/* Follows aliases (not nullability) to the underlying type. */
const IrType *ir_resolve_alias(const IrType *type);
/* The same, and whether the type or any alias on the way is nullable (`nullable` may be NULL). */
const IrType *ir_resolve_alias_nullable(const IrType *type, bool *nullable);

/* Appends a channel's pattern as the wire sees it to `out`: its text, and each placeholder as its parameter's type
 * ({int}, {string}) when `typed`, else as "{}" (the shape alone). The contract hash and the breaking check use it. */
struct StrBuf;
void ir_channel_wire_pattern(const IrChannel *channel, bool typed, struct StrBuf *out);

/* The IDL spelling of a scalar kind ("int", "timestamp", ...) or container ("list", "map"). */
const char *ir_type_kind_name(IrTypeKind kind);

#endif
