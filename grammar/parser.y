/* The .rpc grammar (lemon). Each rule builds AST nodes in the arena; the EBNF in spec/rpc-idl.md section 2 is the
 * reference this follows. Error recovery: `error SEMI` and `error RBRACE` let one run report every syntax error.
 * Once one of them has resynchronised (outside any unclosed brace, for a whole item), the next error is reported
 * at once (parse_resynchronised) rather than after yacc's three shifted tokens. A declaration that recovered
 * inside its body is kept, marked incomplete; one that was dropped leaves its name in AstFile.lost_names. */

%include {
/* lemon's tracing hooks and its internal assertions cost a tenth of parsing: they are for debugging lemon. */
#ifndef NDEBUG
#define NDEBUG
#endif
#include <assert.h>
#include <string.h>

#include <stdlib.h>

#include "frontend/parse.h"
#include "parser.h"

static int parser_expected_tokens(ParseState *state, int *expected, int capacity);

static AstDecl *decl_new(ParseState *state, AstDeclKind kind, const Token *keyword, Span name) {
    /* Kept until lowering ends (ParseState.keep): lowering walks every declaration node three times. */
    AstDecl *decl = ARENA_NEW(state->keep, AstDecl);
    decl->kind = kind;
    decl->bulk_position = (uint32_t)arena_position(state->bulk);
    decl->keyword = keyword->span;
    decl->name = name;
    decl->doc = parse_take_doc(keyword);
    if (kind == AST_DECL_RPC && decl->doc && state->bulk != state->keep) {
        /* An rpc is lowered after the bulk memory is gone, and its doc was read before its keyword (in bulk). */
        AstDoc *doc = ARENA_NEW(state->keep, AstDoc);
        *doc = *decl->doc;
        doc->text = arena_strndup(state->keep, decl->doc->text, decl->doc->length);
        decl->doc = doc;
    }
    return decl;
}

static AstType *type_new(ParseState *state, AstTypeKind kind, Span span) {
    AstType *type = ARENA_NEW(state->arena, AstType);
    type->kind = kind;
    type->span = span;
    return type;
}

static AstValue *value_new(ParseState *state, AstValueKind kind, Span span) {
    AstValue *value = ARENA_NEW(state->arena, AstValue);
    value->kind = kind;
    value->span = span;
    return value;
}

static AstValue *value_from_token(ParseState *state, AstValueKind kind, const Token *token) {
    AstValue *value = value_new(state, kind, token->span);
    switch (kind) {
    case AST_VALUE_BOOL: value->bool_value = token->kind == TK_TRUE; break;
    case AST_VALUE_INT: value->int_value = token->int_value; break;
    case AST_VALUE_FLOAT:
        value->text = span_strdup(state->arena, token->span);
        value->text_length = token->span.length;
        break;
    case AST_VALUE_STRING:
        value->text = token->text;
        value->text_length = token->text_length;
        break;
    default: break;
    }
    return value;
}

static AstType *type_name(ParseState *state, const Token *name) {
    AstType *type = type_new(state, AST_TYPE_NAME, name->span);
    type->name_length = name->span.length;
    return type;
}

static AstType *type_generic(ParseState *state, const Token *name, const PtrVec *arguments, const Token *closing) {
    AstType *type = type_new(state, AST_TYPE_NAME, span_join(name->span, closing->span));
    type->name_length = name->span.length;
    type->arguments = *arguments;
    return type;
}

/* `question` and `annotations` may be NULL (none written). */
static AstField *field_new(ParseState *state, const Token *name, const Token *question, AstType *type,
                           AstValue *default_value, const PtrVec *annotations) {
    AstField *field = ARENA_NEW(state->arena, AstField);
    field->name = name->span;
    field->doc = parse_take_doc(name);
    field->optional = question != NULL;
    if (question) field->question = question->span;
    field->type = type;
    field->default_value = default_value;
    if (annotations) field->annotations = parse_keep_list(state, annotations);
    return field;
}

/* a | b | c is one flat union node. */
static AstType *type_union(ParseState *state, AstType *left, AstType *right) {
    if (left->kind == AST_TYPE_UNION) {
        ptrvec_push(state->arena, &left->alternatives, right);
        left->span = span_join(left->span, right->span);
        return left;
    }
    AstType *joined = type_new(state, AST_TYPE_UNION, span_join(left->span, right->span));
    ptrvec_push(state->arena, &joined->alternatives, left);
    ptrvec_push(state->arena, &joined->alternatives, right);
    return joined;
}

static void add_declaration(ParseState *state, AstDecl *decl) {
    state->seen_declaration = true;
    if (state->member_error) parse_mark_incomplete(state, decl);
    state->member_error = false;
    ptrvec_push(state->keep, &state->file->decls, decl);
}
}

%name RpccParser
%token_prefix TK_
%token_type { Token }
%extra_argument { ParseState *state }
%stack_size 512
%start_symbol file

%syntax_error {
    if (!state->careful) {
        /* The fast pass saved no stack to tell what was expected: parse again carefully (parse.c). */
        state->retry = true;
        return;
    }
    int expected[YYNTOKEN];
    int expected_count = parser_expected_tokens(state, expected, YYNTOKEN);
    parse_syntax_error(state, yymajor, &yyminor, expected, expected_count);
}
%stack_overflow { parse_stack_overflow(state); }

%token IMPORT MODEL ENUM UNION TYPE RPC CHANNEL NULL TRUE FALSE IDENT INT FLOAT STRING
       LBRACE RBRACE LPAREN RPAREN LT GT LBRACKET RBRACKET COMMA SEMI COLON EQ QUESTION PIPE DOT AT ARROW.

file ::= items.

items ::= .
items ::= items item.

item ::= IMPORT(K) STRING(S) SEMI. {
    AstImport *import = ARENA_NEW(state->arena, AstImport);
    import->span = S.span;
    import->path = S.text;
    if (state->seen_declaration)
        diag_error(state->diags, K.span, "imports must come before declarations");
    ptrvec_push(state->arena, &state->file->imports, import);
}
item ::= decl(D). { add_declaration(state, D); }
item ::= error SEMI. { state->member_error = false; if (parse_resynchronised(state, true)) yypParser->yyerrcnt = -1; }
item ::= error RBRACE. { state->member_error = false; if (parse_resynchronised(state, true)) yypParser->yyerrcnt = -1; }

/* ---- declarations ---- */

%type decl { AstDecl * }

decl(D) ::= MODEL(K) IDENT(N) annotations(A) LBRACE fields(F) RBRACE. {
    D = decl_new(state, AST_DECL_MODEL, &K, N.span);
    D->annotations = parse_keep_list(state, &A);
    D->fields = F;
}
/* A field missing its ';' before the closing brace: recover at the brace instead of swallowing what follows. */
decl(D) ::= MODEL(K) IDENT(N) annotations(A) LBRACE fields(F) error RBRACE. {
    D = decl_new(state, AST_DECL_MODEL, &K, N.span);
    D->annotations = parse_keep_list(state, &A);
    D->fields = F;
    state->member_error = true;
    if (parse_resynchronised(state, false)) yypParser->yyerrcnt = -1;
}
decl(D) ::= ENUM(K) IDENT(N) COLON IDENT(B) annotations(A) LBRACE members(M) RBRACE. {
    D = decl_new(state, AST_DECL_ENUM, &K, N.span);
    D->enum_base = B.span;
    D->annotations = parse_keep_list(state, &A);
    D->members = M;
}
decl(D) ::= ENUM(K) IDENT(N) COLON IDENT(B) annotations(A) LBRACE members(M) error RBRACE. {
    D = decl_new(state, AST_DECL_ENUM, &K, N.span);
    D->enum_base = B.span;
    D->annotations = parse_keep_list(state, &A);
    D->members = M;
    state->member_error = true;
    if (parse_resynchronised(state, false)) yypParser->yyerrcnt = -1;
}
decl(D) ::= UNION(K) IDENT(N) EQ type(T) annotations(A) SEMI. {
    D = decl_new(state, AST_DECL_UNION, &K, N.span);
    D->type = T;
    D->annotations = parse_keep_list(state, &A);
}
decl(D) ::= TYPE(K) IDENT(N) EQ type(T) annotations(A) SEMI. {
    D = decl_new(state, AST_DECL_ALIAS, &K, N.span);
    D->type = T;
    D->annotations = parse_keep_list(state, &A);
}
decl(D) ::= RPC(K) method(M) LPAREN params(P) RPAREN ARROW IDENT(R) annotations(A) SEMI. {
    D = decl_new(state, AST_DECL_RPC, &K, M.span);
    D->method = M;
    D->has_params = P.length > 0;
    D->params = P;
    D->result = R.span;
    D->annotations = parse_keep_list(state, &A);
}
/* A method without `-> Result` answers nothing: lowering requires @oneway on it (spec/rpc-idl.md, section 5). */
decl(D) ::= RPC(K) method(M) LPAREN params(P) RPAREN annotations(A) SEMI. {
    D = decl_new(state, AST_DECL_RPC, &K, M.span);
    D->method = M;
    D->has_params = P.length > 0;
    D->params = P;
    D->annotations = parse_keep_list(state, &A);
}

/* channel tasks.events(user_id: string) "tasks:events#{user_id}" -> TaskEvent @history(size: 300, ttl: 600); */
decl(D) ::= CHANNEL(K) method(M) LPAREN channel_params(P) RPAREN STRING(S) ARROW type(T) annotations(A) SEMI. {
    D = decl_new(state, AST_DECL_CHANNEL, &K, M.span);
    D->method = M;
    D->channel_params = P;
    D->pattern = S.span;
    D->pattern_text = S.text;
    D->pattern_length = S.text_length;
    D->type = T;
    D->annotations = parse_keep_list(state, &A);
}

%type channel_params { PtrVec }
channel_params(P) ::= . { memset(&P, 0, sizeof P); }
channel_params(P) ::= channel_param_list(L). { P = L; }

%type channel_param_list { PtrVec }
channel_param_list(P) ::= channel_param(X). { memset(&P, 0, sizeof P); ptrvec_push(state->arena, &P, X); }
channel_param_list(P) ::= channel_param_list(L) COMMA channel_param(X). { P = L; ptrvec_push(state->arena, &P, X); }

%type channel_param { AstChannelParam * }
channel_param(X) ::= member_name(N) COLON type(T). {
    X = ARENA_NEW(state->arena, AstChannelParam);
    X->name = N.span;
    X->type = T;
}

/* Keywords are fine as field names, enum member names and method segments: `type: string;` is common. */
%type member_name { Token }
member_name(N) ::= IDENT(T). { N = T; }
member_name(N) ::= keyword_name(T). { N = T; }

/* A field's name is IDENT or keyword_name in its own rules, not a member_name: one reduction less a field. */
%type keyword_name { Token }
keyword_name(N) ::= IMPORT(T). { N = T; }
keyword_name(N) ::= MODEL(T). { N = T; }
keyword_name(N) ::= ENUM(T). { N = T; }
keyword_name(N) ::= UNION(T). { N = T; }
keyword_name(N) ::= TYPE(T). { N = T; }
keyword_name(N) ::= RPC(T). { N = T; }
keyword_name(N) ::= CHANNEL(T). { N = T; }
keyword_name(N) ::= NULL(T). { N = T; }
keyword_name(N) ::= TRUE(T). { N = T; }
keyword_name(N) ::= FALSE(T). { N = T; }

/* The method name is rebuilt from its segments, so that `tasks . get` (spaces, comments) names "tasks.get". */
%type method { AstMethodName }
method(M) ::= member_name(N). {
    M.span = N.span;
    M.text = span_strdup(state->arena, N.span);
    M.segment_count = 1;
    M.segments = ARENA_NEW(state->arena, Span);
    M.segments[0] = N.span;
}
method(M) ::= method(L) DOT member_name(N). {
    M.span = span_join(L.span, N.span);
    /* Joined by copies: arena_printf's two vsnprintf calls cost more than the rest of the method's parse. */
    size_t left_length = strlen(L.text);
    char *text = arena_alloc(state->arena, left_length + 1 + N.span.length + 1);
    memcpy(text, L.text, left_length);
    text[left_length] = '.';
    memcpy(text + left_length + 1, span_text(N.span), N.span.length);
    text[left_length + 1 + N.span.length] = '\0';
    M.text = text;
    M.segments = ARENA_ARRAY(state->arena, Span, L.segment_count + 1);
    memcpy(M.segments, L.segments, L.segment_count * sizeof(Span));
    M.segments[L.segment_count] = N.span;
    M.segment_count = L.segment_count + 1;
}

%type params { Span }
params(P) ::= . { memset(&P, 0, sizeof P); }
params(P) ::= IDENT(N). { P = N.span; }

/* ---- model fields ---- */

%type fields { PtrVec }
fields(F) ::= . { memset(&F, 0, sizeof F); }
fields(F) ::= fields(L) field(X). { F = L; if (X) ptrvec_push(state->arena, &F, X); }

/* A field's optional parts (its '?', its default, its annotations) are spelt out as eight rules rather than as
 * empty-able nonterminals: a plain `name: type;` then takes four reductions instead of eight (the parser's main
 * cost per token). The language, and so what a syntax error says was expected, is the same. The parser's stack is
 * kept as deep as with the empty-able nonterminals wherever something may nest (a type, a value, an annotation's
 * arguments), so that input nested too deep overflows it at the same token as ever: `no_question` stands where the
 * '?' is not, and annotations are parsed after `default annotations` as they were. */
%type field { AstField * }
field(F) ::= IDENT(N) no_question COLON type(T) SEMI. { F = field_new(state, &N, NULL, T, NULL, NULL); }
field(F) ::= IDENT(N) no_question COLON type(T) EQ value(D) SEMI. { F = field_new(state, &N, NULL, T, D, NULL); }
field(F) ::= IDENT(N) no_question COLON type(T) default(D) annotations(A) annotation(X) SEMI. {
    ptrvec_push(state->arena, &A, X);
    F = field_new(state, &N, NULL, T, D, &A);
}
field(F) ::= IDENT(N) QUESTION(Q) COLON type(T) SEMI. { F = field_new(state, &N, &Q, T, NULL, NULL); }
field(F) ::= IDENT(N) QUESTION(Q) COLON type(T) EQ value(D) SEMI. { F = field_new(state, &N, &Q, T, D, NULL); }
field(F) ::= IDENT(N) QUESTION(Q) COLON type(T) default(D) annotations(A) annotation(X) SEMI. {
    ptrvec_push(state->arena, &A, X);
    F = field_new(state, &N, &Q, T, D, &A);
}
field(F) ::= keyword_name(N) no_question COLON type(T) SEMI. { F = field_new(state, &N, NULL, T, NULL, NULL); }
field(F) ::= keyword_name(N) no_question COLON type(T) EQ value(D) SEMI. { F = field_new(state, &N, NULL, T, D, NULL); }
field(F) ::= keyword_name(N) no_question COLON type(T) default(D) annotations(A) annotation(X) SEMI. {
    ptrvec_push(state->arena, &A, X);
    F = field_new(state, &N, NULL, T, D, &A);
}
field(F) ::= keyword_name(N) QUESTION(Q) COLON type(T) SEMI. { F = field_new(state, &N, &Q, T, NULL, NULL); }
field(F) ::= keyword_name(N) QUESTION(Q) COLON type(T) EQ value(D) SEMI. { F = field_new(state, &N, &Q, T, D, NULL); }
field(F) ::= keyword_name(N) QUESTION(Q) COLON type(T) default(D) annotations(A) annotation(X) SEMI. {
    ptrvec_push(state->arena, &A, X);
    F = field_new(state, &N, &Q, T, D, &A);
}
field(F) ::= error SEMI. {
    F = NULL;
    state->member_error = true;
    if (parse_resynchronised(state, false)) yypParser->yyerrcnt = -1;
}

no_question ::= .

%type default { AstValue * }
default(D) ::= . { D = NULL; }
default(D) ::= EQ value(V). { D = V; }

/* ---- enum members ---- */

%type members { PtrVec }
members(M) ::= . { memset(&M, 0, sizeof M); }
members(M) ::= members(L) member(X). { M = L; if (X) ptrvec_push(state->arena, &M, X); }

%type member { AstEnumMember * }
member(M) ::= member_name(N) default(V) annotations(A) SEMI. {
    M = ARENA_NEW(state->arena, AstEnumMember);
    M->name = N.span;
    M->doc = parse_take_doc(&N);
    M->value = V;
    M->annotations = parse_keep_list(state, &A);
}
member(M) ::= error SEMI. {
    M = NULL;
    state->member_error = true;
    if (parse_resynchronised(state, false)) yypParser->yyerrcnt = -1;
}

/* ---- types ---- */

/* The common types (a name, a generic) reduce straight to `type`, not through `type_atom` first. */
%type type { AstType * }
type(T) ::= IDENT(N). { T = type_name(state, &N); }
type(T) ::= IDENT(N) LT type_arguments(A) GT(E). { T = type_generic(state, &N, &A, &E); }
type(T) ::= type_literal(A). { T = A; }
type(T) ::= type(L) PIPE type_atom(R). { T = type_union(state, L, R); }

%type type_atom { AstType * }
type_atom(T) ::= IDENT(N). { T = type_name(state, &N); }
type_atom(T) ::= IDENT(N) LT type_arguments(A) GT(E). { T = type_generic(state, &N, &A, &E); }
type_atom(T) ::= type_literal(A). { T = A; }

%type type_literal { AstType * }
type_literal(T) ::= NULL(N). { T = type_new(state, AST_TYPE_NULL, N.span); }
type_literal(T) ::= STRING(S). {
    T = type_new(state, AST_TYPE_LITERAL, S.span);
    T->literal = value_from_token(state, AST_VALUE_STRING, &S);
}
type_literal(T) ::= INT(I). {
    T = type_new(state, AST_TYPE_LITERAL, I.span);
    T->literal = value_from_token(state, AST_VALUE_INT, &I);
}
type_literal(T) ::= TRUE(B). {
    T = type_new(state, AST_TYPE_LITERAL, B.span);
    T->literal = value_from_token(state, AST_VALUE_BOOL, &B);
}
type_literal(T) ::= FALSE(B). {
    T = type_new(state, AST_TYPE_LITERAL, B.span);
    T->literal = value_from_token(state, AST_VALUE_BOOL, &B);
}

%type type_arguments { PtrVec }
type_arguments(A) ::= type(T). { memset(&A, 0, sizeof A); ptrvec_push(state->arena, &A, T); }
type_arguments(A) ::= type_arguments(L) COMMA type(T). { A = L; ptrvec_push(state->arena, &A, T); }

/* ---- values ---- */

%type value { AstValue * }
value(V) ::= NULL(T). { V = value_from_token(state, AST_VALUE_NULL, &T); }
value(V) ::= TRUE(T). { V = value_from_token(state, AST_VALUE_BOOL, &T); }
value(V) ::= FALSE(T). { V = value_from_token(state, AST_VALUE_BOOL, &T); }
value(V) ::= INT(T). { V = value_from_token(state, AST_VALUE_INT, &T); }
value(V) ::= FLOAT(T). { V = value_from_token(state, AST_VALUE_FLOAT, &T); }
value(V) ::= STRING(T). { V = value_from_token(state, AST_VALUE_STRING, &T); }
value(V) ::= IDENT(E) DOT member_name(M). {
    V = value_new(state, AST_VALUE_ENUM_MEMBER, span_join(E.span, M.span));
    V->type_name = E.span;
    V->member_name = M.span;
}
value(V) ::= LBRACKET(L) RBRACKET(R). { V = value_new(state, AST_VALUE_LIST, span_join(L.span, R.span)); }
value(V) ::= LBRACKET(L) value_list(I) comma RBRACKET(R). {
    V = value_new(state, AST_VALUE_LIST, span_join(L.span, R.span));
    V->items = I;
}
value(V) ::= LBRACE(L) RBRACE(R). { V = value_new(state, AST_VALUE_OBJECT, span_join(L.span, R.span)); }
value(V) ::= LBRACE(L) entries(E) comma RBRACE(R). {
    V = E;
    V->span = span_join(L.span, R.span);
}

comma ::= .
comma ::= COMMA.

%type value_list { PtrVec }
value_list(L) ::= value(V). { memset(&L, 0, sizeof L); ptrvec_push(state->arena, &L, V); }
value_list(L) ::= value_list(P) COMMA value(V). { L = P; ptrvec_push(state->arena, &L, V); }

/* The object under construction carries its keys and values until the closing brace gives it its span. */
%type entries { AstValue * }
entries(E) ::= entry_key(K) COLON value(V). {
    E = value_new(state, AST_VALUE_OBJECT, K->span);
    ptrvec_push(state->arena, &E->keys, K);
    ptrvec_push(state->arena, &E->items, V);
}
entries(E) ::= entries(P) COMMA entry_key(K) COLON value(V). {
    E = P;
    ptrvec_push(state->arena, &E->keys, K);
    ptrvec_push(state->arena, &E->items, V);
}

%type entry_key { AstValue * }
entry_key(K) ::= STRING(T). { K = value_from_token(state, AST_VALUE_STRING, &T); }
entry_key(K) ::= INT(T). { K = value_from_token(state, AST_VALUE_INT, &T); }

/* ---- annotations ---- */

%type annotations { PtrVec }
annotations(A) ::= . { memset(&A, 0, sizeof A); }
annotations(A) ::= annotations(L) annotation(X). { A = L; ptrvec_push(state->arena, &A, X); }

%type annotation { AstAnnotation * }
annotation(A) ::= AT(T) IDENT(N). {
    A = ARENA_NEW(state->arena, AstAnnotation);
    A->span = span_join(T.span, N.span);
    A->name = N.span;
}
annotation(A) ::= AT(T) IDENT(N) LPAREN RPAREN(R). {
    A = ARENA_NEW(state->arena, AstAnnotation);
    A->span = span_join(T.span, R.span);
    A->name = N.span;
    A->has_parentheses = true;
}
annotation(A) ::= AT(T) IDENT(N) LPAREN arguments(G) RPAREN(R). {
    A = ARENA_NEW(state->arena, AstAnnotation);
    A->span = span_join(T.span, R.span);
    A->name = N.span;
    A->has_parentheses = true;
    A->arguments = G;
}

%type arguments { PtrVec }
arguments(G) ::= argument(X). { memset(&G, 0, sizeof G); ptrvec_push(state->arena, &G, X); }
arguments(G) ::= arguments(L) COMMA argument(X). { G = L; ptrvec_push(state->arena, &G, X); }

%type argument { AstAnnotationArgument * }
argument(X) ::= value(V). {
    X = ARENA_NEW(state->arena, AstAnnotationArgument);
    X->value = V;
}
argument(X) ::= IDENT(N) COLON value(V). {
    X = ARENA_NEW(state->arena, AstAnnotationArgument);
    X->name = N.span;
    X->value = V;
}

%code {
/* Before each token that may be refused: the parser's state stack as it was, saved into state->snapshot. The bad
 * token has already caused the default reductions of LALR by the time %syntax_error runs, which narrow what the
 * states left on the stack could shift (after `x: int` and a '}', only ';' and '@' would remain of ; @ = | <). */
static inline void parser_save_stack(void *parser_pointer, int token_kind, ParseState *state) {
    struct yyParser *parser = parser_pointer;
    /* A token shifted at once (most of them) leaves the stack as it is and cannot be the bad token: only one that
     * reduces first, or is refused at once, needs the stack saved. */
    if (yy_find_shift_action((YYCODETYPE)token_kind, parser->yytos->stateno) <= YY_MAX_SHIFTREDUCE) return;
    size_t depth = (size_t)(parser->yytos - parser->yystack) + 1;
    if (depth > state->snapshot_capacity) {
        size_t capacity = depth * 2;
        unsigned short *grown = realloc(state->snapshot, capacity * sizeof *grown);
        if (!grown) {
            state->snapshot_depth = 0;
            return;
        }
        state->snapshot = grown;
        state->snapshot_capacity = capacity;
    }
    /* Four entries a step: this copy runs before a third of all tokens, and the loop's own counting was most of it. */
    const yyStackEntry *entry = parser->yystack;
    unsigned short *saved = state->snapshot;
    size_t i = 0;
    for (; i + 4 <= depth; i += 4) {
        saved[i] = entry[i].stateno;
        saved[i + 1] = entry[i + 1].stateno;
        saved[i + 2] = entry[i + 2].stateno;
        saved[i + 3] = entry[i + 3].stateno;
    }
    for (; i < depth; i++) saved[i] = entry[i].stateno;
    state->snapshot_depth = depth;
}

/* One token into the parser, its stack saved first when the token may be refused: parse_file's one call a token. */
void RpccParserFeed(void *parser, const Token *token, ParseState *state) {
    parser_save_stack(parser, token->kind, state);
    RpccParser(parser, token->kind, *token, state);
}

/* The terminals the parser could shift before the bad token, found by simulating the reductions each lookahead
 * would cause on a copy of the saved state stack (LALR default reductions make the action table alone
 * imprecise). */
static int parser_expected_tokens(ParseState *state, int *expected, int capacity) {
    int count = 0;
    int depth = (int)state->snapshot_depth;
    if (depth == 0) return 0;
    YYACTIONTYPE *states = malloc(sizeof(YYACTIONTYPE) * (size_t)(depth + 64));
    if (!states) return 0;
    for (int token = 1; token < YYNTOKEN && count < capacity; token++) {
        if (token == YYERRORSYMBOL) continue;
        int top = depth - 1;
        for (int i = 0; i < depth; i++) states[i] = (YYACTIONTYPE)state->snapshot[i];
        for (int steps = 0; steps < 10000; steps++) {
            YYACTIONTYPE action = yy_find_shift_action((YYCODETYPE)token, states[top]);
            if (action <= YY_MAX_SHIFTREDUCE || action == YY_ACCEPT_ACTION) {
                expected[count++] = token;
                break;
            }
            if (action < YY_MIN_REDUCE) break; /* error */
            int rule = action - YY_MIN_REDUCE;
            top += yyRuleInfoNRhs[rule];
            if (top < 0) break;
            YYACTIONTYPE next = yy_find_reduce_action(states[top], (YYCODETYPE)yyRuleInfoLhs[rule]);
            if (top + 1 >= depth + 64) break;
            states[++top] = next;
        }
    }
    free(states);
    return count;
}
}
