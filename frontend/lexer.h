/* The lexer (grammar/lexer.re, compiled by re2c): turns one source file into lemon's TK_ tokens. */
#ifndef RPCC_LEXER_H
#define RPCC_LEXER_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"

/* A run of `///` lines. The parser marks it used when it attaches it to a declaration, field, member or rpc;
 * the parse driver warns about the ones left unused. */
typedef struct DocComment {
    AstDoc doc;
    bool used;
    struct DocComment *next; /* the file's next doc comment */
} DocComment;

typedef struct Token {
    int kind;         /* TK_* from the generated parser.h; 0 at the end of the file */
    Span span;
    DocComment *doc;  /* the doc comment right before this token, or NULL */
    union { /* by kind (a token is copied several times on its way through the parser: keep it small) */
        struct {
            const char *text; /* STRING: decoded value (NUL-terminated; text_length excludes the NUL) */
            size_t text_length;
        };
        int64_t int_value; /* INT */
    };
} Token;

typedef struct Lexer {
    const SourceFile *file;
    const unsigned char *cursor;
    const unsigned char *limit; /* points at the terminating NUL */
    const unsigned char *marker;
    Diagnostics *diags;
    Arena *arena;
    DocComment *pending_doc; /* doc lines seen since the last token */
    DocComment *first_doc, *last_doc; /* every DocComment of the file, in order (a list through `next`) */
} Lexer;

void lexer_init(Lexer *lexer, const SourceFile *file, Diagnostics *diags, Arena *arena);
Token lexer_next(Lexer *lexer);
/* lexer_next writing the token into *token (the parse driver's way: no copy of a returned struct). */
void lexer_scan(Lexer *lexer, Token *token);
/* Every token of the file into lemon's parser until the end, a retry, a stack overflow or the error limit: the parse
 * driver's fast pass (parse.c). */
struct ParseState;
void lexer_parse(Lexer *lexer, void *parser, struct ParseState *state);

/* The printable name of a token kind, for syntax errors: "';'", "identifier", "'model'", "end of file". */
const char *token_kind_name(int kind);

#endif
