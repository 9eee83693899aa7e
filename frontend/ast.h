/* The syntax tree of one .rpc file, as written. Every node keeps the span it came from. Arena-allocated. */
#ifndef RPCC_AST_H
#define RPCC_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../support/arena.h"
#include "../support/vec.h"
#include "source.h"

typedef enum AstValueKind {
    AST_VALUE_NULL,
    AST_VALUE_BOOL,
    AST_VALUE_INT,
    AST_VALUE_FLOAT,
    AST_VALUE_STRING,
    AST_VALUE_ENUM_MEMBER, /* Type.member */
    AST_VALUE_LIST,
    AST_VALUE_OBJECT,
} AstValueKind;

typedef struct AstValue AstValue;
struct AstValue {
    AstValueKind kind;
    bool bool_value;
    Span span;
    /* By kind: */
    union {
        struct {
            int64_t int_value;
            const char *text; /* FLOAT: the lexeme; STRING: decoded UTF-8 */
            size_t text_length;
        };
        struct {
            Span type_name;   /* ENUM_MEMBER */
            Span member_name; /* ENUM_MEMBER */
        };
        struct {
            PtrVec items; /* LIST items, OBJECT values (AstValue *) */
            PtrVec keys;  /* OBJECT keys (AstValue *, STRING or INT) */
        };
    };
};

typedef enum AstTypeKind {
    AST_TYPE_NAME,    /* int, Task, list<T>, map<K, V> */
    AST_TYPE_LITERAL, /* "a", 1, true */
    AST_TYPE_NULL,    /* null */
    AST_TYPE_UNION,   /* a | b | ... */
} AstTypeKind;

typedef struct AstType AstType;
struct AstType {
    AstTypeKind kind;
    uint32_t name_length; /* NAME: its name is the first name_length bytes of span (ast_type_name) */
    Span span;
    /* One of these, by kind (a large schema has hundreds of thousands of types: keep the node small). */
    union {
        PtrVec arguments;    /* NAME: AstType * */
        PtrVec alternatives; /* UNION: AstType *, flattened */
        AstValue *literal;   /* LITERAL */
    };
};

/* A NAME type's name: `list` of `list<int>`. */
static inline Span ast_type_name(const AstType *type) {
    Span name = {type->span.file, type->span.offset, type->name_length};
    return name;
}
/* A NAME type written with <...>: its span goes past its name (a type argument list is never empty). */
static inline bool ast_type_has_arguments(const AstType *type) {
    return type->kind == AST_TYPE_NAME && type->span.length > type->name_length;
}

typedef struct AstAnnotationArgument {
    Span name; /* length 0 for a positional argument */
    AstValue *value;
} AstAnnotationArgument;

typedef struct AstAnnotation {
    Span span; /* from '@' to the end of the arguments */
    Span name; /* without '@' */
    bool has_parentheses;
    PtrVec arguments; /* AstAnnotationArgument * */
} AstAnnotation;

typedef struct AstDoc {
    const char *text; /* NULL if none; lines joined with '\n', "/// " removed; not NUL-terminated (a one-line doc
                       * points into the source) */
    size_t length;    /* of text */
    Span span;
} AstDoc;

typedef struct AstField {
    Span name;
    const AstDoc *doc; /* NULL if none */
    bool optional; /* written with '?' */
    Span question;
    AstType *type;
    AstValue *default_value;
    const PtrVec *annotations; /* AstAnnotation *; NULL if none (most have none: no empty vector in every node) */
} AstField;

typedef struct AstEnumMember {
    Span name;
    const AstDoc *doc; /* NULL if none */
    AstValue *value; /* NULL if not written */
    const PtrVec *annotations; /* AstAnnotation *; NULL if none */
} AstEnumMember;

typedef enum AstDeclKind {
    AST_DECL_MODEL,
    AST_DECL_ENUM,
    AST_DECL_UNION,
    AST_DECL_ALIAS,
    AST_DECL_RPC,
    AST_DECL_CHANNEL,
} AstDeclKind;

typedef struct AstMethodName {
    Span span;         /* from the first segment to the last */
    const char *text;  /* "tasks.get_stats", whatever spacing was written */
    Span *segments;
    size_t segment_count;
} AstMethodName;

/* A channel's parameter: `user_id: string`. */
typedef struct AstChannelParam {
    Span name;
    AstType *type;
} AstChannelParam;

typedef struct AstDecl {
    AstDeclKind kind;
    /* The position (arena_position) of the file's `bulk` arena when the declaration was parsed: lowering frees what
     * came before once the declarations up to it are lowered. */
    uint32_t bulk_position;
    Span keyword;
    Span name;          /* for RPC: the whole dotted method name */
    const AstDoc *doc; /* NULL if none */
    const PtrVec *annotations; /* AstAnnotation *; NULL if none (most have none: no empty vector in every node) */
    AstType *type;      /* UNION, ALIAS; CHANNEL: the publication type */
    AstMethodName method; /* RPC, CHANNEL */
    bool incomplete;    /* a syntax error inside it was recovered from: its checks would only echo that error */
    /* By kind (read only for a declaration of that kind; the rest of the AST is freed after lowering, but a large
     * schema's ASTs and IR are both alive at its end): */
    union {
        PtrVec fields; /* MODEL: AstField * */
        struct {
            Span enum_base; /* ENUM: "string" or "int" as written */
            PtrVec members; /* ENUM: AstEnumMember * */
        };
        struct {
            bool has_params; /* RPC */
            Span params;     /* RPC: the parameter model's name */
            Span result;     /* RPC: empty (length 0) when the rpc has no `-> Result` */
        };
        struct {
            PtrVec channel_params;    /* CHANNEL: AstChannelParam * */
            Span pattern;             /* CHANNEL: the pattern's string literal */
            const char *pattern_text; /* CHANNEL: decoded */
            size_t pattern_length;
        };
    };
} AstDecl;

typedef struct AstImport {
    Span span;       /* the string literal */
    const char *path; /* decoded */
} AstImport;

typedef struct AstFile {
    const SourceFile *source;
    PtrVec imports; /* AstImport * */
    PtrVec decls;   /* AstDecl * */
    /* Names of declarations that a syntax error dropped (Span *): a use of one is no "unknown type" error. */
    PtrVec lost_names;
    bool unusable; /* not parsed at all (not UTF-8, nested too deep): nothing in it can be checked */
    /* What only the lowering of one declaration reads (fields, types, values, annotations, docs of all but rpcs):
     * lowering frees it as it goes, so that a large schema's AST and IR are not both whole (ir/lower.c). The file
     * itself, its declaration nodes and vector, and everything of an rpc (lowered last) are in the arena given to
     * parse_file, which owns this one (arena_adopt). A file with syntax errors has all in the other arena. */
    Arena bulk;
} AstFile;

#endif
