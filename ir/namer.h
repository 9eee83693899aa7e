/* Per-target naming: case rules, keyword and reserved-name escaping, Go initialisms.
 * The IR computes every target identifier through this module, so that backends only print and
 * collision checks see exactly the names that will be printed. */
#ifndef RPCC_NAMER_H
#define RPCC_NAMER_H

#include <stdbool.h>

#include "../frontend/arena.h"

typedef enum Target {
    TARGET_PYTHON,
    TARGET_TYPESCRIPT,
    TARGET_GO,
    TARGET_COUNT
} Target;

/* What kind of symbol a name belongs to; each kind has its own case rule and reserved set per target. */
typedef enum NameKind {
    NAME_TYPE,        /* model, enum, union, alias (and unions hoisted out of fields) */
    NAME_FIELD,       /* model field; for TypeScript pass the wire name */
    NAME_ENUM_MEMBER, /* for Go pass the enum's Go type name as scope: constants are TypeNameMember */
    NAME_METHOD,      /* rpc method, dotted IDL name such as "tasks.get_stats" */
    NAME_KIND_COUNT
} NameKind;

/* "python", "typescript", "go". */
const char *target_name(Target target);
/* Parses a target name as given to --lang; returns false if unknown. */
bool target_parse(const char *name, Target *target);

/* The identifier `idl_name` becomes in `target`, allocated in `arena`.
 * Python:     type as written; field as written; enum member UPPER_SNAKE; method snake_case ('.' -> '_').
 * TypeScript: type as written; field = the wire name (see namer_ts_property for quoting); enum member UPPER_SNAKE;
 *             method camelCase.
 * Go:         type, field, method PascalCase with initialisms (user_id -> UserID, tasks.get_stats -> TasksGetStats);
 *             enum member scope + PascalCase(member) (TaskStatus + open -> TaskStatusOpen).
 * A result that is a keyword of the target or a reserved name of the generated code gets the escape suffix "_";
 * *escaped (if not NULL) is set to true then. Words are split at '_', '.', and case changes
 * (lower->Upper, and before the last capital of an acronym run: "HTTPServer" -> HTTP, Server); digits stay with
 * the word before them. */
const char *namer_identifier(Arena *arena, Target target, NameKind kind, const char *idl_name, const char *scope,
                             bool *escaped);

/* True if `identifier` is a keyword of `target` or reserved for `kind` by the generated code. */
bool namer_is_reserved(Target target, NameKind kind, const char *identifier);

/* A TypeScript property key for a wire name: the name itself when it is a valid identifier
 * (keywords are valid property names), otherwise a double-quoted, escaped string literal. */
const char *namer_ts_property(Arena *arena, const char *wire_name);

/* True when `name` matches [A-Za-z_$][A-Za-z0-9_$]* (ASCII; used for TypeScript property keys). */
bool namer_is_ts_identifier(const char *name);

#endif
