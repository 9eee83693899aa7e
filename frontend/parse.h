/* The parse driver: runs the lexer into the lemon parser for one file and builds its AST. */
#ifndef RPCC_PARSE_H
#define RPCC_PARSE_H

#include <stdbool.h>

#include "ast.h"
#include "diag.h"
#include "lexer.h"

/* What the grammar actions (grammar/parser.y) see through lemon's %extra_argument. */
typedef struct ParseState {
    Arena *arena; /* where nodes go now: `bulk`, or `keep` while an rpc is parsed (lowered last) */
    Arena *keep;  /* the file, its declaration nodes and vector, rpcs: kept until lowering ends */
    Arena *bulk;  /* the rest, freed by lowering as it goes (AstFile.bulk; `keep` itself after a syntax error) */
    Diagnostics *diags;
    Lexer *lexer;
    AstFile *file;
    bool seen_declaration; /* imports must come first */
    bool stack_overflow;   /* the input nests deeper than the parser's stack: stop parsing */
    /* A file is parsed fast first, without what error reporting needs (parse.c); the first syntax error sets
     * `retry`, and the file is parsed again with `careful` set. */
    bool careful;
    bool retry;
    /* Error recovery (grammar/parser.y): */
    bool member_error;        /* a field or member of the declaration being parsed had a syntax error */
    int brace_depth;          /* '{' minus '}' before the current token */
    size_t syntax_errors;     /* syntax errors reported in this file */
    unsigned short *snapshot; /* the parser's state stack before the last token that could be refused */
    size_t snapshot_depth, snapshot_capacity;
} ParseState;

/* Parses `source`; every diagnostic goes to `diags`. Always returns a file (possibly partial). */
AstFile *parse_file(const SourceFile *source, Arena *arena, Diagnostics *diags);

/* Checks that the file is UTF-8 without NUL bytes; reports the first offence and returns false otherwise. */
bool parse_check_encoding(const SourceFile *source, Diagnostics *diags);

/* The deepest nesting the parser accepts (types, values, annotations); deeper input gets an error. */
#define PARSE_MAX_DEPTH 256

/* --- helpers for the grammar actions --- */
struct yyParser;
void parse_syntax_error(ParseState *state, int token_kind, const Token *token, const int *expected,
                        int expected_count);
void parse_stack_overflow(ParseState *state);
const AstDoc *parse_take_doc(const Token *token);
/* A list the parser built, kept in the arena for the node that owns it; NULL when empty. */
const PtrVec *parse_keep_list(ParseState *state, const PtrVec *list);
/* After a recovery rule shifted its ';' or '}': whether the parser is back in step with the text, so that the next
 * syntax error can be reported at once. A whole item is back in step only outside every '{'. */
bool parse_resynchronised(const ParseState *state, bool whole_item);
/* A declaration that recovered from a syntax error in its body: kept, and what the checks of meaning would say
 * about it as a whole is left unsaid (diag_add_broken_region). */
void parse_mark_incomplete(ParseState *state, AstDecl *decl);

#endif
