/* The .rpc lexer: re2c with a NUL sentinel and a catch-all error rule (as ninja's lexer). Tokens are spans into
 * the source, never copies; only string literals are decoded. */
#include "frontend/lexer.h"
#include "frontend/parse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

void lexer_init(Lexer *lexer, const SourceFile *file, Diagnostics *diags, Arena *arena) {
    memset(lexer, 0, sizeof *lexer);
    lexer->file = file;
    lexer->cursor = (const unsigned char *)file->text;
    lexer->limit = (const unsigned char *)file->text + file->length;
    lexer->diags = diags;
    lexer->arena = arena;
    /* A UTF-8 byte-order mark is skipped. */
    if (file->length >= 3 && memcmp(file->text, "\xEF\xBB\xBF", 3) == 0) lexer->cursor += 3;
}

static uint32_t offset_of(const Lexer *lexer, const unsigned char *position) {
    return (uint32_t)((const char *)position - lexer->file->text);
}

static Span span_between(const Lexer *lexer, const unsigned char *start, const unsigned char *end) {
    return span_make(lexer->file, offset_of(lexer, start), (uint32_t)(end - start));
}

/* Adds one `///` line to the pending doc comment. */
__attribute__((noinline)) static void add_doc_line(Lexer *lexer, const unsigned char *start, const unsigned char *end) {
    const unsigned char *text = start + 3;
    if (text < end && *text == ' ') text++;
    const unsigned char *text_end = end;
    if (text_end > text && text_end[-1] == '\r') text_end--;
    size_t length = (size_t)(text_end - text);

    DocComment *doc = lexer->pending_doc;
    if (!doc) {
        doc = ARENA_NEW(lexer->arena, DocComment);
        doc->doc.span = span_between(lexer, start, end);
        /* A one-line doc is its source text: no copy (AstDoc.text is not NUL-terminated). */
        doc->doc.text = (const char *)text;
        doc->doc.length = length;
        lexer->pending_doc = doc;
        if (lexer->last_doc)
            lexer->last_doc->next = doc;
        else
            lexer->first_doc = doc;
        lexer->last_doc = doc;
        return;
    }
    size_t old_length = doc->doc.length;
    char *joined = arena_alloc(lexer->arena, old_length + 1 + length + 1);
    memcpy(joined, doc->doc.text, old_length);
    joined[old_length] = '\n';
    memcpy(joined + old_length + 1, text, length);
    doc->doc.text = joined;
    doc->doc.length = old_length + 1 + length;
    doc->doc.span = span_join(doc->doc.span, span_between(lexer, start, end));
}

static Token make_token(Lexer *lexer, int kind, const unsigned char *start) {
    Token token = {.kind = kind, .span = span_between(lexer, start, lexer->cursor), .doc = lexer->pending_doc};
    lexer->pending_doc = NULL;
    return token;
}

static int hex_value(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads 4 hex digits at p; -1 if they are not all there. */
static long read_hex4(const unsigned char *p, const unsigned char *limit) {
    if (limit - p < 4) return -1;
    long value = 0;
    for (int i = 0; i < 4; i++) {
        int digit = hex_value(p[i]);
        if (digit < 0) return -1;
        value = value * 16 + digit;
    }
    return value;
}

static size_t encode_utf8(unsigned long code_point, char *out) {
    if (code_point < 0x80) {
        out[0] = (char)code_point;
        return 1;
    }
    if (code_point < 0x800) {
        out[0] = (char)(0xC0 | (code_point >> 6));
        out[1] = (char)(0x80 | (code_point & 0x3F));
        return 2;
    }
    if (code_point < 0x10000) {
        out[0] = (char)(0xE0 | (code_point >> 12));
        out[1] = (char)(0x80 | ((code_point >> 6) & 0x3F));
        out[2] = (char)(0x80 | (code_point & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (code_point >> 18));
    out[1] = (char)(0x80 | ((code_point >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((code_point >> 6) & 0x3F));
    out[3] = (char)(0x80 | (code_point & 0x3F));
    return 4;
}

/* Scans a string literal whose opening quote is at start (the cursor is just past it), decoding JSON escapes.
 * Errors point at the offending escape or character; the token is still produced so parsing goes on. */
__attribute__((noinline)) static Token lex_string(Lexer *lexer, const unsigned char *start) {
    const unsigned char *p = lexer->cursor;
    /* Most literals are plain text up to their closing quote: copied at once. */
    const unsigned char *plain = p;
    while (*plain >= 0x20 && *plain != '"' && *plain != '\\' && *plain != 0x7F) plain++;
    if (*plain == '"' && plain < lexer->limit) {
        size_t plain_length = (size_t)(plain - p);
        char *copy = arena_alloc(lexer->arena, plain_length + 1); /* zeroed: the NUL is there */
        memcpy(copy, p, plain_length);
        lexer->cursor = plain + 1;
        Token token = make_token(lexer, TK_STRING, start);
        token.text = copy;
        token.text_length = plain_length;
        return token;
    }
    /* The decoded text is never longer than the literal's source text, which ends at the closing quote or the
     * end of the line: bound the allocation by that, not by the rest of the file. */
    const unsigned char *bound = p;
    while (bound < lexer->limit && *bound != '"' && *bound != '\n') bound += *bound == '\\' && bound + 1 < lexer->limit ? 2 : 1;
    char *decoded = arena_alloc(lexer->arena, (size_t)(bound - p) + 1);
    size_t length = 0;
    bool terminated = false;
    while (p < lexer->limit) {
        unsigned char c = *p;
        if (c == '"') {
            p++;
            terminated = true;
            break;
        }
        if (c == '\n' || c == '\r') break;
        if (c < 0x20 || c == 0x7F) {
            diag_error(lexer->diags, span_between(lexer, p, p + 1),
                       "control character 0x%02X in string literal (write it as \\u%04X)", c, c);
            p++;
            continue;
        }
        if (c != '\\') {
            decoded[length++] = (char)c;
            p++;
            continue;
        }
        const unsigned char *escape = p;
        if (p + 1 >= lexer->limit || p[1] == '\n' || p[1] == '\r') {
            p++;
            break;
        }
        unsigned char kind = p[1];
        p += 2;
        switch (kind) {
        case '"': decoded[length++] = '"'; break;
        case '\\': decoded[length++] = '\\'; break;
        case '/': decoded[length++] = '/'; break;
        case 'b': decoded[length++] = '\b'; break;
        case 'f': decoded[length++] = '\f'; break;
        case 'n': decoded[length++] = '\n'; break;
        case 'r': decoded[length++] = '\r'; break;
        case 't': decoded[length++] = '\t'; break;
        case 'u': {
            long unit = read_hex4(p, lexer->limit);
            if (unit < 0) {
                diag_error(lexer->diags, span_between(lexer, escape, p), "\\u must be followed by four hex digits");
                break;
            }
            p += 4;
            unsigned long code_point = (unsigned long)unit;
            if (unit >= 0xD800 && unit <= 0xDBFF) {
                long low = (p + 1 < lexer->limit && p[0] == '\\' && p[1] == 'u') ? read_hex4(p + 2, lexer->limit) : -1;
                if (low < 0xDC00 || low > 0xDFFF) {
                    diag_error(lexer->diags, span_between(lexer, escape, p),
                               "lone surrogate \\u%04lX in string literal", (unsigned long)unit);
                    break;
                }
                p += 6;
                code_point = 0x10000 + (((unsigned long)unit - 0xD800) << 10) + ((unsigned long)low - 0xDC00);
            } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
                diag_error(lexer->diags, span_between(lexer, escape, p),
                           "lone surrogate \\u%04lX in string literal", (unsigned long)unit);
                break;
            }
            length += encode_utf8(code_point, decoded + length);
            break;
        }
        default: {
            /* Point at the whole escape, including a multi-byte character after the backslash. */
            const unsigned char *end = p;
            while (end < lexer->limit && (*end & 0xC0) == 0x80) end++;
            diag_error(lexer->diags, span_between(lexer, escape, end),
                       "unknown escape sequence '\\%.*s' in string literal", (int)(end - escape - 1),
                       (const char *)escape + 1);
            p = end;
        }
        }
    }
    lexer->cursor = p;
    if (!terminated) diag_error(lexer->diags, span_between(lexer, start, start + 1), "unterminated string literal");
    decoded[length] = '\0';
    Token token = make_token(lexer, TK_STRING, start);
    token.text = decoded;
    token.text_length = length;
    return token;
}

__attribute__((noinline)) static Token lex_integer(Lexer *lexer, const unsigned char *start) {
    Token token = make_token(lexer, TK_INT, start);
    const unsigned char *p = start;
    bool negative = *p == '-';
    if (negative) p++;
    /* Accumulate as a negative number so that INT64_MIN is representable. */
    int64_t value = 0;
    bool overflow = false;
    for (; p < lexer->cursor; p++) {
        int digit = *p - '0';
        if (value < (INT64_MIN + digit) / 10) {
            overflow = true;
            break;
        }
        value = value * 10 - digit;
    }
    /* 9223372036854775808 accumulates to exactly INT64_MIN: out of range, and not to be negated. */
    if (!negative && !overflow) {
        if (value == INT64_MIN) overflow = true;
        else value = -value;
    }
    if (overflow) {
        diag_error(lexer->diags, token.span, "integer literal out of the signed 64-bit range");
        value = 0;
    }
    token.int_value = value;
    return token;
}

/* A float literal must be a finite double: the spec excludes infinities, which no SDK could print or send as JSON.
 * (Underflow rounds towards zero, as every JSON decoder does.) The text is NUL-terminated (the lexer's sentinel)
 * and a float token is exactly the prefix strtod reads. */
__attribute__((noinline)) static Token lex_float(Lexer *lexer, const unsigned char *start) {
    Token token = make_token(lexer, TK_FLOAT, start);
    errno = 0;
    double value = strtod((const char *)start, NULL);
    if (errno == ERANGE && isinf(value))
        diag_error(lexer->diags, token.span, "float literal out of the range of a 64-bit double");
    return token;
}

/* Reports a character the language does not use, whole (a multi-byte UTF-8 character is one error). */
__attribute__((noinline)) static void unexpected_character(Lexer *lexer, const unsigned char *start) {
    const unsigned char *end = start + 1;
    if (*start >= 0xC0)
        while (end < lexer->limit && (*end & 0xC0) == 0x80) end++;
    lexer->cursor = end;
    Span span = span_between(lexer, start, end);
    if (*start < 0x20 || *start == 0x7F)
        diag_error(lexer->diags, span, "unexpected control character 0x%02X", *start);
    else
        diag_error(lexer->diags, span, "unexpected character '%.*s'", (int)(end - start), (const char *)start);
}

/* The cursor and marker are locals (the DFA's loops keep them in registers, not in the Lexer): lexer->cursor is
 * written back before each action that reads it or calls out, and read again after one that moves it. */
#define SYNC_OUT() (lexer->cursor = cursor)
#define SYNC_IN() (cursor = lexer->cursor)
/* A token written straight into the caller's: building it in a local and returning it by value cost three copies. */
#define TOKEN(token_kind)                                                                                         \
    do {                                                                                                           \
        SYNC_OUT();                                                                                                \
        token->kind = (token_kind);                                                                                \
        token->span = span_between(lexer, start, cursor);                                                          \
        token->doc = lexer->pending_doc;                                                                           \
        token->text = NULL;                                                                                        \
        token->text_length = 0;                                                                                    \
        lexer->pending_doc = NULL;                                                                                 \
        goto emit;                                                                                                 \
    } while (0)

#define USE_BULK()                                                                                                 \
    do {                                                                                                           \
        if (parser && !in_rpc) state->arena = lexer->arena = state->bulk;                                          \
    } while (0)

/* lemon's parser (grammar/parser.y): scan feeds it in the fast pass. */
void RpccParser(void *parser, int token_kind, Token token, ParseState *state);

/* One token into *token, or, with a parser, every token of the file into the parser (the fast pass, parse.c): the
 * loop is here so that the scanner is entered once a file, not once a token (GCC does not inline a function with
 * computed gotos, and its entry and exit were a fifth of the scanner's cost). */
static void scan(Lexer *lexer, Token *token, void *parser, ParseState *state) {
    const unsigned char *cursor = lexer->cursor, *marker = cursor;
    bool in_rpc = false;
    for (;;) {
        const unsigned char *start = cursor;
        /*!re2c
        re2c:api:style = free-form;
        re2c:define:YYCTYPE = "unsigned char";
        re2c:define:YYCURSOR = cursor;
        re2c:define:YYMARKER = marker;
        re2c:define:YYLIMIT = lexer->limit;
        re2c:yyfill:enable = 0;

        digits = [0-9]+;
        integer = "-"? ("0" | [1-9] [0-9]*);
        fraction = "." digits;
        exponent = [eE] [+-]? digits;

        /* The NUL sentinel ends the text (parse_check_encoding refuses NUL bytes inside it; a NUL that reaches here
         * otherwise is an unexpected character). A sentinel rule rather than re2c's `$` lets re2c use bit vectors and
         * computed gotos. */
        "\x00" {
            if (start == lexer->limit) {
                cursor = start;
                TOKEN(0);
            }
            SYNC_OUT();
            unexpected_character(lexer, start);
            SYNC_IN();
            continue;
        }

        [ \t\r\n]+ { continue; }
        /* A comment's text is skipped with strcspn (the text ends with the NUL sentinel): it stops at a newline or a
         * NUL as the rules `"//" [^\n\x00]*` would, for a fraction of the DFA's cost per byte. Four slashes or more
         * start a plain comment, not a doc line. */
        "///" {
            bool plain = *cursor == '/';
            cursor += strcspn((const char *)cursor, "\n");
            SYNC_OUT();
            if (!plain) add_doc_line(lexer, start, cursor);
            continue;
        }
        "//" { cursor += strcspn((const char *)cursor, "\n"); continue; }
        "/*" {
            SYNC_OUT();
            const unsigned char *end = lexer->cursor;
            while (end + 1 < lexer->limit && !(end[0] == '*' && end[1] == '/')) end++;
            if (end + 1 >= lexer->limit) {
                diag_error(lexer->diags, span_between(lexer, start, start + 2), "unterminated comment");
                lexer->cursor = lexer->limit;
            } else {
                lexer->cursor = end + 2;
            }
            SYNC_IN();
            continue;
        }

        /* Where the parser's nodes go (ParseState.arena), in the fast pass: an rpc, lowered last, is kept whole from
         * its keyword to its ';'; a declaration keyword outside an rpc goes back to the bulk memory that lowering
         * frees as it goes (a field named `type` does so inside a model, harmlessly). In valid input no ';' comes
         * before an rpc's end; invalid input is parsed again with everything kept. */
        "import" { USE_BULK(); TOKEN(TK_IMPORT); }
        "model"  { USE_BULK(); TOKEN(TK_MODEL); }
        "enum"   { USE_BULK(); TOKEN(TK_ENUM); }
        "union"  { USE_BULK(); TOKEN(TK_UNION); }
        "type"   { USE_BULK(); TOKEN(TK_TYPE); }
        "rpc"    {
            if (parser) {
                in_rpc = true;
                state->arena = lexer->arena = state->keep;
            }
            TOKEN(TK_RPC);
        }
        "channel" { USE_BULK(); TOKEN(TK_CHANNEL); }
        "null"   { TOKEN(TK_NULL); }
        "true"   { TOKEN(TK_TRUE); }
        "false"  { TOKEN(TK_FALSE); }
        [A-Za-z_] [A-Za-z0-9_]* { TOKEN(TK_IDENT); }

        integer { SYNC_OUT(); *token = lex_integer(lexer, start); goto emit; }
        integer (fraction exponent? | exponent) { SYNC_OUT(); *token = lex_float(lexer, start); goto emit; }
        "-"? "0" [0-9]+ (fraction? exponent?) {
            SYNC_OUT();
            *token = make_token(lexer, TK_INT, start);
            diag_error(lexer->diags, token->span, "numbers may not have leading zeros");
            goto emit;
        }

        "\"" { SYNC_OUT(); *token = lex_string(lexer, start); goto emit; }

        "{"  { TOKEN(TK_LBRACE); }
        "}"  { TOKEN(TK_RBRACE); }
        "("  { TOKEN(TK_LPAREN); }
        ")"  { TOKEN(TK_RPAREN); }
        "<"  { TOKEN(TK_LT); }
        ">"  { TOKEN(TK_GT); }
        "["  { TOKEN(TK_LBRACKET); }
        "]"  { TOKEN(TK_RBRACKET); }
        ","  { TOKEN(TK_COMMA); }
        ";"  { in_rpc = false; TOKEN(TK_SEMI); }
        ":"  { TOKEN(TK_COLON); }
        "="  { TOKEN(TK_EQ); }
        "?"  { TOKEN(TK_QUESTION); }
        "|"  { TOKEN(TK_PIPE); }
        "."  { TOKEN(TK_DOT); }
        "@"  { TOKEN(TK_AT); }
        "->" { TOKEN(TK_ARROW); }

        [^] { SYNC_OUT(); unexpected_character(lexer, start); SYNC_IN(); continue; }
        */
    emit:
        if (!parser) return;
        if (token->kind == 0) token->doc = NULL; /* a doc comment at the end of the file documents nothing */
        RpccParser(parser, token->kind, *token, state);
        if (token->kind == 0 || state->retry || state->stack_overflow || diag_limit_reached(state->diags)) return;
        SYNC_IN();
    }
}

Token lexer_next(Lexer *lexer) {
    Token token;
    scan(lexer, &token, NULL, NULL);
    return token;
}

void lexer_scan(Lexer *lexer, Token *token) { scan(lexer, token, NULL, NULL); }

void lexer_parse(Lexer *lexer, void *parser, ParseState *state) {
    Token token;
    scan(lexer, &token, parser, state);
}

const char *token_kind_name(int kind) {
    switch (kind) {
    case 0: return "end of file";
    case TK_IMPORT: return "'import'";
    case TK_MODEL: return "'model'";
    case TK_ENUM: return "'enum'";
    case TK_UNION: return "'union'";
    case TK_TYPE: return "'type'";
    case TK_RPC: return "'rpc'";
    case TK_CHANNEL: return "'channel'";
    case TK_NULL: return "'null'";
    case TK_TRUE: return "'true'";
    case TK_FALSE: return "'false'";
    case TK_IDENT: return "a name";
    case TK_INT: return "an integer";
    case TK_FLOAT: return "a number";
    case TK_STRING: return "a string";
    case TK_LBRACE: return "'{'";
    case TK_RBRACE: return "'}'";
    case TK_LPAREN: return "'('";
    case TK_RPAREN: return "')'";
    case TK_LT: return "'<'";
    case TK_GT: return "'>'";
    case TK_LBRACKET: return "'['";
    case TK_RBRACKET: return "']'";
    case TK_COMMA: return "','";
    case TK_SEMI: return "';'";
    case TK_COLON: return "':'";
    case TK_EQ: return "'='";
    case TK_QUESTION: return "'?'";
    case TK_PIPE: return "'|'";
    case TK_DOT: return "'.'";
    case TK_AT: return "'@'";
    case TK_ARROW: return "'->'";
    }
    return "a token";
}
