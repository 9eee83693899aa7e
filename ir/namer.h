/* Per-target naming: case rules, keyword and reserved-name escaping, Go initialisms.
 * The IR computes every target identifier through this module, so that backends only print and
 * collision checks see exactly the names that will be printed. */
#ifndef RPCC_NAMER_H
#define RPCC_NAMER_H

#include <stdbool.h>

#include "../support/arena.h"
#include "../support/strbuf.h"
#include "../support/target.h"

/* What kind of symbol a name belongs to; each kind has its own case rule and reserved set per target. */
typedef enum NameKind {
    NAME_TYPE,        /* model, enum, union, alias (and unions hoisted out of fields) */
    NAME_FIELD,       /* model field; for TypeScript pass the wire name */
    NAME_ENUM_MEMBER, /* for Go pass the enum's Go type name as scope: constants are TypeNameMember */
    NAME_METHOD,      /* rpc method, dotted IDL name such as "tasks.get_stats"; also a channel's base, subscribe and
                         publish names ("subscribe_tasks.events") */
    NAME_PARAM,       /* a channel's parameter: a keyword argument, a property of a params object, a parameter */
    NAME_KIND_COUNT
} NameKind;

/* The identifier `idl_name` becomes in `target`: `idl_name` itself when unchanged, else a string allocated in
 * `arena` (either way it lives as long as both do).
 * Python:     type as written; field as written; enum member UPPER_SNAKE; method snake_case ('.' -> '_').
 * TypeScript: type as written; field = the wire name, never escaped (see namer_ts_property for quoting); enum
 *             member UPPER_SNAKE; method camelCase.
 * Go:         type, field, method PascalCase with initialisms (user_id -> UserID, tasks.get_stats -> TasksGetStats);
 *             enum member scope + PascalCase(member) (TaskStatus + open -> TaskStatusOpen). `scope` is used for Go
 *             enum members only (may be NULL otherwise).
 * Parameters (NAME_PARAM): Python snake_case, TypeScript camelCase, Go camelCase with initialisms (user_id ->
 *             userID), Rust snake_case.
 * Rust:       type and enum member UpperCamelCase without initialisms (user_id -> UserId; an acronym the author
 *             wrote stays: TaskDTO); field and method snake_case. A keyword becomes a raw identifier ("r#type"),
 *             except crate, self, Self, super and _, which cannot be raw and take the "_" suffix like other
 *             reserved names.
 * A result that is a keyword of the target or a reserved name of the generated code gets the escape suffix "_";
 * *escaped (if not NULL) is set to true then, and false otherwise. Words are split at '_', '.', and case changes
 * (lower->Upper, digit->Upper, and before the last capital of an acronym run: "HTTPServer" -> HTTP, Server;
 * an acronym's plural stays one word: "URLs", "IDs"); digits stay with the word before them ("utf8_name" ->
 * utf8, name; "ipv4" is one word). Empty segments vanish ("a__b" -> a, b). camelCase and PascalCase words are
 * capitalised ("Api"), except golint's initialisms in Go ("API") and a word the author wrote in capitals inside
 * a mixed-case dotted segment ("TaskDTO" stays TaskDTO; in an all-capitals segment such as "HTTP_SERVER" the
 * capitals carry no meaning: Go HTTPServer, TypeScript httpServer). A trailing '_' of the IDL name (the author's
 * own escape, "from_") is kept by snake_case, UPPER_SNAKE and camelCase, dropped by Go. */
const char *namer_identifier(Arena *arena, Target target, NameKind kind, const char *idl_name, const char *scope,
                             bool *escaped);

/* namer_identifier for every target at once (out[t]; go_scope is the scope of TARGET_GO), the same answers, for
 * less: the reserved lists of a name kept as written are looked up once, and targets whose identifiers are the same
 * text share one string. */
void namer_identifiers(Arena *arena, NameKind kind, const char *idl_name, const char *go_scope,
                       const char *out[TARGET_COUNT]);

/* The Go identifier of an enum member, namer_identifier(arena, TARGET_GO, NAME_ENUM_MEMBER, idl_name, scope, NULL),
 * in two steps for callers that name many members of the same name in different enums: the member's own words
 * (namer_go_member_words, once per name), then each enum's scope before them (namer_go_enum_member). */
const char *namer_go_member_words(Arena *arena, const char *idl_name);
const char *namer_go_enum_member(Arena *arena, const char *scope, const char *words, const char *idl_name);

/* True if `identifier` is a keyword of `target` or reserved for `kind` by the generated code. Nothing is reserved
 * for TypeScript fields (every string is a valid property key). Appending "_" to a reserved name always gives a
 * name that is not reserved. */
bool namer_is_reserved(Target target, NameKind kind, const char *identifier);

/* A TypeScript property key for a wire name: `wire_name` itself when it is a valid identifier
 * (keywords are valid property names), otherwise a double-quoted, escaped string literal in `arena`. */
const char *namer_ts_property(Arena *arena, const char *wire_name);

/* True when `name` matches [A-Za-z_$][A-Za-z0-9_$]* (ASCII; used for TypeScript property keys). */
bool namer_is_ts_identifier(const char *name);

/* True when a Python model field name is in Pydantic's protected "model_" namespace (escaped or not): the model
 * then needs `protected_namespaces=()` so that Pydantic does not warn. */
bool namer_python_is_pydantic_namespace(const char *identifier);

/* The name code imports the generated package by, from the package name base (--package-name, or the input's
 * stem in [a-z0-9_]; NULL or "" for none), appended to `out`:
 * Python: the import package, base + "_client" ("api_client" without a base), lower-cased, other characters than
 *         [a-z0-9_] as '_', '_' before a leading digit;
 * TypeScript: the npm package, base with runs of other characters than [a-z0-9] as one '-' (none leading), then
 *             "-client";
 * Go: the package clause, base with other characters than [a-z0-9_] as '_', "sdk" before a leading digit, '_'
 *     after a Go keyword or a lone "_" ("opensdk" without a base);
 * Rust: the cargo package and library name, base lower-cased with other characters than [a-z0-9] as '_', "sdk_"
 *       before a leading digit or '_', then "_client" ("api_client" without a base). */
void namer_append_package_name(StrBuf *out, Target target, const char *base);
/* The Python distribution name (pyproject's `name`): base lower-cased with other characters than [a-z0-9] as '-',
 * + "-client" ("api-client"). */
void namer_append_python_distribution(StrBuf *out, const char *base);

/* True when `path` can be a Go module path (golang.org/x/mod/module.CheckPath's rules, ASCII): elements
 * separated by '/', each non-empty, of letters, digits and "-._~", neither starting nor ending with '.'; the
 * first element does not start with '-'. */
bool namer_is_go_module_path(const char *path);

#endif
