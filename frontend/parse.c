#include "parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "../support/strmap.h"
#include "../support/utf8.h"
#include "parser.h"

/* lemon's generated entry points (grammar/parser.y, %name RpccParser). */
void *RpccParserAlloc(void *(*allocate)(size_t));
void RpccParserFree(void *parser, void (*release)(void *));
/* grammar/parser.y: saves the stack when the token may be refused (for the expected tokens of the error), then
 * calls RpccParser. */
void RpccParserFeed(void *parser, const Token *token, ParseState *state);

const AstDoc *parse_take_doc(const Token *token) {
    if (!token->doc) return NULL;
    token->doc->used = true;
    return &token->doc->doc;
}

const PtrVec *parse_keep_list(ParseState *state, const PtrVec *list) {
    if (!list->count) return NULL;
    PtrVec *kept = ARENA_NEW(state->arena, PtrVec);
    *kept = *list;
    return kept;
}

bool parse_check_encoding(const SourceFile *source, Diagnostics *diags) {
    const unsigned char *p = (const unsigned char *)source->text;
    const unsigned char *end = p + source->length;
    while (p < end) {
#ifdef __SSE2__
        /* Sixty-four bytes at a time while they are ASCII and not NUL (nearly every byte of a schema): a high bit
         * in the bytes' OR, or a zero as their minimum, stops it. */
        while (end - p >= 64) {
            __m128i a = _mm_loadu_si128((const __m128i *)p), b = _mm_loadu_si128((const __m128i *)(p + 16));
            __m128i c = _mm_loadu_si128((const __m128i *)(p + 32)), d = _mm_loadu_si128((const __m128i *)(p + 48));
            __m128i any = _mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d));
            __m128i least = _mm_min_epu8(_mm_min_epu8(a, b), _mm_min_epu8(c, d));
            if (_mm_movemask_epi8(_mm_or_si128(any, _mm_cmpeq_epi8(least, _mm_setzero_si128())))) break;
            p += 64;
        }
        while (end - p >= 16) {
            __m128i chunk = _mm_loadu_si128((const __m128i *)p);
            int flags = _mm_movemask_epi8(_mm_or_si128(chunk, _mm_cmpeq_epi8(chunk, _mm_setzero_si128())));
            if (flags) break;
            p += 16;
        }
#endif
        /* Eight bytes at a time while they are ASCII and not NUL. */
        while (end - p >= 8) {
            uint64_t word;
            memcpy(&word, p, 8);
            const uint64_t low_bits = 0x0101010101010101ull, high_bits = 0x8080808080808080ull;
            if ((word & high_bits) || ((word - low_bits) & ~word & high_bits)) break;
            p += 8;
        }
        if (p == end) break;
        if (*p == 0) {
            uint32_t offset = (uint32_t)((const char *)p - source->text);
            diag_error(diags, span_make(source, offset, 1), "NUL byte in source file (is this a binary file?)");
            return false;
        }
        size_t length = utf8_length(p, end);
        if (length == 0) {
            uint32_t offset = (uint32_t)((const char *)p - source->text);
            diag_error(diags, span_make(source, offset, 1), "invalid UTF-8 (byte 0x%02X); source files must be UTF-8",
                       *p);
            return false;
        }
        p += length;
    }
    return true;
}

bool parse_resynchronised(const ParseState *state, bool whole_item) {
    return !whole_item || state->brace_depth <= 0;
}

void parse_mark_incomplete(ParseState *state, AstDecl *decl) {
    decl->incomplete = true;
    /* Its header, where the checks point when they speak of the declaration as a whole ("enum 'E' has no
     * members", "'M' is declared here"): what they would say may be about what the error dropped. Its fields and
     * members that parsed are checked as any others. */
    diag_add_broken_region(state->diags, span_join(decl->keyword, decl->name));
}

void parse_syntax_error(ParseState *state, int token_kind, const Token *token, const int *expected,
                        int expected_count) {
    if (state->stack_overflow) return;
    state->syntax_errors++;
    /* Whole classes of tokens read better as one phrase: "expected a type" rather than six token names. */
    static const struct {
        const char *phrase;
        int members[12];
    } classes[] = {
        {"a value", {TK_NULL, TK_TRUE, TK_FALSE, TK_INT, TK_FLOAT, TK_STRING, TK_IDENT, TK_LBRACKET, TK_LBRACE, 0}},
        {"a type", {TK_IDENT, TK_NULL, TK_STRING, TK_INT, TK_TRUE, TK_FALSE, 0}},
        {"a name",
         {TK_IDENT, TK_IMPORT, TK_MODEL, TK_ENUM, TK_UNION, TK_TYPE, TK_RPC, TK_CHANNEL, TK_NULL, TK_TRUE, TK_FALSE, 0}},
    };
    bool remaining[256] = {false};
    for (int i = 0; i < expected_count; i++)
        if (expected[i] > 0 && expected[i] < 256) remaining[expected[i]] = true;
    const char *items[32];
    int item_count = 0;
    for (size_t c = 0; c < sizeof classes / sizeof classes[0]; c++) {
        bool all = true;
        for (const int *member = classes[c].members; *member; member++)
            if (!remaining[*member]) all = false;
        if (!all) continue;
        for (const int *member = classes[c].members; *member; member++) remaining[*member] = false;
        items[item_count++] = classes[c].phrase;
    }
    for (int i = 0; i < expected_count && item_count < 32; i++)
        if (remaining[expected[i]]) items[item_count++] = token_kind_name(expected[i]);

    char list[512] = "";
    size_t used = 0;
    /* A long list says nothing useful: name what was expected only when it is short. */
    if (item_count > 0 && item_count <= 6) {
        for (int i = 0; i < item_count; i++) {
            const char *separator = i == 0 ? "" : (i == item_count - 1 ? " or " : ", ");
            int written = snprintf(list + used, sizeof list - used, "%s%s", separator, items[i]);
            if (written < 0 || (size_t)written >= sizeof list - used) break;
            used += (size_t)written;
        }
    }
    Span span = token->span;
    if (token_kind == 0) {
        /* At the end of the file, point just past the last character rather than at nothing. */
        span.length = 0;
    }
    /* Name the token itself where its kind alone says little: "unexpected name 'int'". */
    char found[160];
    if (token_kind == TK_IDENT)
        snprintf(found, sizeof found, "name '%.*s'", (int)(token->span.length > 64 ? 64 : token->span.length),
                 span_text(token->span));
    else if (token_kind == TK_INT || token_kind == TK_FLOAT)
        snprintf(found, sizeof found, "number %.*s", (int)(token->span.length > 64 ? 64 : token->span.length),
                 span_text(token->span));
    else if (token_kind == TK_STRING)
        snprintf(found, sizeof found, "string");
    else
        snprintf(found, sizeof found, "%s", token_kind_name(token_kind));
    if (used)
        diag_error(state->diags, span, "unexpected %s, expected %s", found, list);
    else
        diag_error(state->diags, span, "unexpected %s", found);
}

void parse_stack_overflow(ParseState *state) {
    state->stack_overflow = true;
    diag_error(state->diags, span_make(state->lexer->file, state->lexer->cursor ?
                   (uint32_t)((const char *)state->lexer->cursor - state->lexer->file->text) : 0, 0),
               "nesting too deep (more than %d levels)", PARSE_MAX_DEPTH);
}

/* The declared names that no parsed declaration has: those the syntax errors dropped. */
static void collect_lost_names(Arena *arena, AstFile *file, const PtrVec *declared) {
    StrMap parsed;
    strmap_init(&parsed, arena);
    for (size_t i = 0; i < file->decls.count; i++) {
        const AstDecl *decl = file->decls.items[i];
        if (decl->kind != AST_DECL_RPC && decl->kind != AST_DECL_CHANNEL)
            strmap_put(&parsed, span_text(decl->name), decl->name.length, (void *)decl);
    }
    for (size_t i = 0; i < declared->count; i++) {
        Span *name = declared->items[i];
        if (!strmap_get(&parsed, span_text(*name), name->length)) ptrvec_push(arena, &file->lost_names, name);
    }
}

/* The fast pass: no bookkeeping for error reporting. It stops at the first syntax error (state->retry) and returns
 * false; parse_file then forgets what it did and parses again with parse_careful. */
static bool parse_fast(AstFile *file, Arena *arena, Diagnostics *diags) {
    Lexer lexer;
    lexer_init(&lexer, file->source, diags, &file->bulk);
    ParseState state;
    memset(&state, 0, sizeof state);
    state.arena = &file->bulk;
    state.keep = arena;
    state.bulk = &file->bulk;
    state.diags = diags;
    state.lexer = &lexer;
    state.file = file;
    void *parser = RpccParserAlloc(malloc);
    if (!parser) {
        fputs("rpcc: out of memory\n", stderr);
        abort();
    }
    lexer_parse(&lexer, parser, &state);
    RpccParserFree(parser, free);
    if (state.retry) return false;
    if (state.stack_overflow) file->unusable = true;
    for (const DocComment *doc = lexer.first_doc; doc; doc = doc->next) {
        if (!doc->used && !state.stack_overflow)
            diag_warning(diags, doc->doc.span, "doc comment documents nothing");
    }
    return true;
}

/* The careful pass, for a file with syntax errors: the parser's stack saved before each token that may be refused
 * (for the expected tokens of an error), the braces counted (for recovery), the declared names collected (for the
 * declarations an error dropped). */
static void parse_careful(AstFile *file, Arena *arena, Diagnostics *diags) {
    const SourceFile *source = file->source;
    Lexer lexer;
    lexer_init(&lexer, source, diags, arena);
    ParseState state;
    memset(&state, 0, sizeof state);
    state.arena = state.keep = state.bulk = arena; /* after a syntax error, nothing is freed early */
    state.diags = diags;
    state.lexer = &lexer;
    state.file = file;
    state.careful = true;
    void *parser = RpccParserAlloc(malloc);
    if (!parser) {
        fputs("rpcc: out of memory\n", stderr);
        abort();
    }
    /* The names declarations were given in the text (the name after `model`, `enum`, `union`, `type`): the last
     * one before the first syntax error and all after it may belong to a declaration the error dropped. */
    int previous_kind = 0;
    Span last_declared = {NULL, 0, 0};
    PtrVec declared_after_error = {0};
    for (;;) {
        Token token;
        lexer_scan(&lexer, &token);
        if (token.kind == 0 && token.doc) {
            /* A doc comment at the end of the file documents nothing (reported below). */
            token.doc = NULL;
        }
        if (token.kind == TK_IDENT && (previous_kind == TK_MODEL || previous_kind == TK_ENUM ||
                                       previous_kind == TK_UNION || previous_kind == TK_TYPE)) {
            if (state.syntax_errors) {
                Span *name = ARENA_NEW(arena, Span);
                *name = token.span;
                ptrvec_push(arena, &declared_after_error, name);
            } else {
                last_declared = token.span;
            }
        }
        previous_kind = token.kind;
        size_t errors_before = state.syntax_errors;
        RpccParserFeed(parser, &token, &state);
        if (errors_before == 0 && state.syntax_errors && last_declared.file) {
            Span *name = ARENA_NEW(arena, Span);
            *name = last_declared;
            ptrvec_push(arena, &declared_after_error, name);
        }
        if (token.kind == TK_LBRACE) state.brace_depth++;
        if (token.kind == TK_RBRACE && state.brace_depth > 0) state.brace_depth--;
        if (token.kind == 0 || state.stack_overflow || diag_limit_reached(diags)) break;
    }
    RpccParserFree(parser, free);
    free(state.snapshot);
    if (state.stack_overflow) file->unusable = true;
    if (declared_after_error.count) collect_lost_names(arena, file, &declared_after_error);

    for (const DocComment *doc = lexer.first_doc; doc; doc = doc->next) {
        if (!doc->used && !state.stack_overflow)
            diag_warning(diags, doc->doc.span, "doc comment documents nothing");
    }
}

AstFile *parse_file(const SourceFile *source, Arena *arena, Diagnostics *diags) {
    AstFile *file = ARENA_NEW(arena, AstFile);
    file->source = source;
    if (!parse_check_encoding(source, diags)) {
        file->unusable = true;
        return file;
    }
    /* Most files have no syntax error: they are parsed once, fast. A file with one is parsed again from the start
     * with the error reporting on, after forgetting the fast pass (its diagnostics and its partial AST; its arena
     * memory stays), so that its diagnostics are those of one careful pass. */
    arena_init(&file->bulk);
    arena_adopt(arena, &file->bulk);
    DiagMark mark = diag_mark(diags);
    if (parse_fast(file, arena, diags)) return file;
    diag_rollback(diags, mark);
    /* Forget the fast pass: its nodes, and its bulk memory (the file's place among `arena`'s children stays). */
    arena_free(&file->bulk);
    memset(&file->imports, 0, sizeof file->imports);
    memset(&file->decls, 0, sizeof file->decls);
    memset(&file->lost_names, 0, sizeof file->lost_names);
    file->unusable = false;
    parse_careful(file, arena, diags);
    return file;
}
