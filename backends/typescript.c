/* The TypeScript backend: prints an ESM package over the `centrifuge` SDK.
 *
 *   typescript/types.ts       one interface per model shape, open enums (literal unions with UnknownEnumValue, a
 *                             const object and an is<Enum> guard each), type aliases for unions and aliases, JSDoc
 *                             on every type and field
 *   typescript/client.ts      APIClient: one typed async method per rpc, its result checked against schema.ts
 *   typescript/schema.ts      every model's fields as the base client checks results: wire name, shape, presence
 *   typescript/rpc-client.ts  the base client (runtime-templates/typescript/rpc-client.ts, embedded)
 *   typescript/index.ts       the public surface
 *   typescript/package.json, tsconfig.json, README.md
 *
 * Input and output shapes. A field with a default may be omitted by the sender and is always present in what the
 * server returns. A model only sent (IrDecl.sent: reachable from some rpc's parameters) makes defaulted fields
 * optional (`limit?: number`); a model only received makes them required (`tags: string[]`). A declaration both sent
 * and received gets two types where the shapes differ (compute_input_shapes): `Name` for results and `NameInput`
 * for what the client sends, as protobuf-es separates a message from its init shape.
 *
 * `int` is `number` (exact up to 2^53 - 1; the base client refuses a result beyond rather than round it) or, with
 * --ts-int bigint, `bigint`: the base client's JSON codec keeps every digit both ways.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "backend.h"
#include "../support/escape.h"
#include "common.h"
#include "printer.h"
#include "../support/arena.h"
#include "../support/strmap.h"

#define TS TARGET_TYPESCRIPT

/* ---------------------------------------------------------------------------------------------------------- */
/* Writing straight into the output                                                                           */

/* The hot paths below reserve a line's room once and copy its pieces in (printer_putn checks the room and the line
 * state for every piece). */

/* Room for `extra` more bytes (and the NUL) at the end of the output; returns where they go. */
static inline char *out_room(Printer *printer, size_t extra) {
    StrBuf *out = &printer->out;
    if (out->len + extra + 1 > out->cap) strbuf_grow(out, extra);
    return out->data + out->len;
}

/* Ends the text written since out_room at `end`. */
static inline void out_commit(Printer *printer, char *end) {
    printer->out.len = (size_t)(end - printer->out.data);
    *end = '\0';
}

/* Copies len bytes to `at` (strbuf_copy_bytes); returns their end. */
static inline __attribute__((always_inline)) char *out_copy(char *at, const char *text, size_t len) {
    strbuf_copy_bytes(at, text, len);
    return at + len;
}

/* strbuf_append (always inline). */
static inline __attribute__((always_inline)) void buf_append(StrBuf *out, const char *text, size_t len) {
    strbuf_append(out, text, len);
}
#define BUF_LITERAL(out, literal) buf_append((out), (literal), sizeof(literal) - 1)

/* Copies a string literal (its length known when compiling). */
#define OUT_LITERAL(at, literal) ((at) = out_copy((at), (literal), sizeof(literal) - 1))

/* A text and its length, for the fixed sentences written often. */
typedef struct Text {
    const char *text;
    size_t len;
} Text;
#define TEXT(literal) ((Text){(literal), sizeof(literal) - 1})

/* The length of the current indentation. */
static inline size_t indent_len(const Printer *printer) { return (size_t)printer->depth * printer->indent_unit_len; }

/* Writes the current indentation (`len` bytes, indent_len's) at `at`; returns its end. */
static inline __attribute__((always_inline)) char *out_indent(const Printer *printer, char *at, size_t len) {
    if (len <= printer->indent_run_len) return out_copy(at, printer->indent_run, len);
    for (int level = 0; level < printer->depth; level++) at = out_copy(at, printer->indent_unit, printer->indent_unit_len);
    return at;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* JSDoc                                                                                                      */

/* The bytes escape_comment_line copies into a JSDoc line unchanged: printable ASCII but '*'. */
static inline bool jsdoc_plain_byte(unsigned char byte) { return byte >= 0x20 && byte < 0x7F && byte != '*'; }

/* The length of the run of such bytes at the start of text[0..len) (most doc text is nothing else): sixteen bytes a
 * step where SSE2 is there. */
#if defined(__SSE2__)
/* A bit for each of the sixteen bytes that is not plain. Signed compares: bytes from 0x80 up are negative, as are
 * those below a space. */
static inline unsigned jsdoc_stops(__m128i bytes) {
    __m128i stops = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(bytes, _mm_set1_epi8(0x20)),
                                              _mm_cmpgt_epi8(bytes, _mm_set1_epi8(0x7E))),
                                 _mm_cmpeq_epi8(bytes, _mm_set1_epi8('*')));
    return (unsigned)_mm_movemask_epi8(stops);
}
#endif

static size_t jsdoc_plain_run(const char *text, size_t len) {
    size_t run = 0;
#if defined(__SSE2__)
    if (len >= 16) {
        for (;;) {
            /* The last step may overlap the one before: its bytes before `run` are plain already. */
            size_t at = run + 16 <= len ? run : len - 16;
            unsigned mask = jsdoc_stops(_mm_loadu_si128((const __m128i *)(const void *)(text + at))) &
                            (0xFFFFu << (run - at));
            if (mask) return at + (size_t)__builtin_ctz(mask);
            run = at + 16;
            if (run == len) return len;
        }
    }
    if (len >= 4) {
        /* The first and the last 8 (or 4) bytes, which may overlap: those of the second part before its first stop
         * are plain when the first part has none. */
        __m128i bytes;
        size_t half;
        if (len >= 8) {
            uint64_t head, tail;
            memcpy(&head, text, 8);
            memcpy(&tail, text + len - 8, 8);
            bytes = _mm_set_epi64x((long long)tail, (long long)head);
            half = 8;
        } else {
            uint32_t head, tail;
            memcpy(&head, text, 4);
            memcpy(&tail, text + len - 4, 4);
            bytes = _mm_set_epi32(0, 0, (int)tail, (int)head);
            half = 4;
        }
        unsigned mask = jsdoc_stops(bytes) & ((1u << (2 * half)) - 1);
        unsigned first = mask & ((1u << half) - 1);
        if (first) return (size_t)__builtin_ctz(first);
        if (mask) return len - half + (size_t)__builtin_ctz(mask >> half);
        return len;
    }
#endif
    while (run < len && jsdoc_plain_byte((unsigned char)text[run])) run++;
    return run;
}

/* One line of a doc: its text without the trailing blanks, and whether all of it is plain (jsdoc_plain_byte). */
typedef struct DocLine {
    const char *text;
    size_t len;
    bool plain;
} DocLine;

/* Reads the line at `cursor` (before `end`); returns where the next one starts. */
static const char *doc_line_read(const char *cursor, const char *end, DocLine *line) {
    const char *stop = cursor + jsdoc_plain_run(cursor, (size_t)(end - cursor));
    const char *line_end = stop;
    line->plain = stop == end || *stop == '\n';
    if (!line->plain) {
        line_end = memchr(stop, '\n', (size_t)(end - stop));
        if (!line_end) line_end = end;
    }
    const char *content_end = line_end;
    while (content_end > cursor && (content_end[-1] == ' ' || content_end[-1] == '\t' || content_end[-1] == '\r'))
        content_end--;
    line->text = cursor;
    line->len = (size_t)(content_end - cursor);
    return line_end < end ? line_end + 1 : end;
}

/* Writes prefix, the line escaped (escape_comment_line, or as it is when plain), suffix and a line break, indented
 * when `indent` (prefix and suffix are plain). */
static void jsdoc_write_line(Printer *printer, bool indent, const char *prefix, size_t prefix_len, const DocLine *line,
                             const char *suffix, size_t suffix_len) {
    size_t indentation = indent ? indent_len(printer) : 0;
    if (line->plain) {
        char *at = out_room(printer, indentation + prefix_len + line->len + suffix_len + 1);
        at = out_indent(printer, at, indentation);
        at = out_copy(at, prefix, prefix_len);
        at = out_copy(at, line->text, line->len);
        at = out_copy(at, suffix, suffix_len);
        *at++ = '\n';
        out_commit(printer, at);
    } else {
        char *at = out_room(printer, indentation + prefix_len);
        at = out_indent(printer, at, indentation);
        out_commit(printer, out_copy(at, prefix, prefix_len));
        escape_comment_line(&printer->out, COMMENT_JSDOC, line->text, line->len, true);
        at = out_room(printer, suffix_len + 1);
        at = out_copy(at, suffix, suffix_len);
        *at++ = '\n';
        out_commit(printer, at);
    }
    printer->at_line_start = true;
}

/* Writes a line of fixed text at the current indentation. */
static void out_fixed_line(Printer *printer, const char *text, size_t len) {
    size_t indentation = indent_len(printer);
    char *at = out_room(printer, indentation + len + 1);
    at = out_indent(printer, at, indentation);
    at = out_copy(at, text, len);
    *at++ = '\n';
    out_commit(printer, at);
    printer->at_line_start = true;
}
#define OUT_FIXED_LINE(printer, literal) out_fixed_line((printer), (literal), sizeof(literal) - 1)

/* An empty line (printer_blank_line: a line break is never indented). */
static inline void out_newline(Printer *printer) { printer_end_line(printer); /* a flush point of a streamed file */ }

/* printer_jsdoc, with a doc without deprecation (all but a few) escaped straight into the output in the same
 * layout: one line between the delimiters for a one-line doc, else the delimiters on lines of their own and a
 * " * " prefix a line (" *" for an empty one). Plain lines (most) are copied as they are. */
static void ts_jsdoc_text(Printer *printer, const char *text, size_t text_len, const char *deprecated) {
    if (deprecated) {
        printer_jsdoc(printer, text, deprecated);
        return;
    }
    if (!text) return;
    if (jsdoc_plain_run(text, text_len) == text_len) { /* one plain line: most docs */
        DocLine line = {text, text_len, true};
        while (line.len && line.text[line.len - 1] == ' ') line.len--;
        if (line.len) jsdoc_write_line(printer, printer->at_line_start, "/** ", 4, &line, " */", 3);
        return;
    }
    /* DocLines' rules: trailing blanks dropped, empty lines before the first and after the last line with content
     * left out. The first line with content waits until the next one tells the layout. */
    const char *cursor = text, *end = text + text_len;
    DocLine first = {0}, line;
    bool started = false, block = false;
    size_t empty_lines = 0; /* since the last line with content: written only if another one follows */
    while (cursor < end) {
        cursor = doc_line_read(cursor, end, &line);
        if (line.len == 0) {
            empty_lines += started;
        } else if (!started) {
            first = line;
            started = true;
        } else {
            if (!block) {
                if (printer->at_line_start) {
                    OUT_FIXED_LINE(printer, "/**");
                } else {
                    out_commit(printer, out_copy(out_room(printer, 4), "/**\n", 4));
                    printer->at_line_start = true;
                }
                jsdoc_write_line(printer, true, " * ", 3, &first, "", 0);
                block = true;
            }
            for (; empty_lines; empty_lines--) OUT_FIXED_LINE(printer, " *");
            jsdoc_write_line(printer, true, " * ", 3, &line, "", 0);
        }
    }
    if (!started) return;
    if (block) {
        OUT_FIXED_LINE(printer, " */");
    } else {
        jsdoc_write_line(printer, printer->at_line_start, "/** ", 4, &first, " */", 3);
    }
}

static void ts_jsdoc(Printer *printer, const char *text, const char *deprecated) {
    ts_jsdoc_text(printer, text, text ? strlen(text) : 0, deprecated);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Doc comments written straight into the output from pieces known to be plain                               */

static inline Text text_of(const char *text) { return (Text){text, strlen(text)}; }

/* True when escape_comment_line would copy all of `text` as it is. */
static inline bool text_plain(Text text) { return jsdoc_plain_run(text.text, text.len) == text.len; }

/* A user doc that is at most one plain line (most): true, with *line its text without trailing blanks (empty for
 * a missing or blank doc). False for any other doc, which goes through ts_jsdoc_text. */
static bool doc_plain_line(const char *doc, Text *line) {
    line->text = doc;
    line->len = 0;
    if (!doc) return true;
    size_t len = strlen(doc);
    if (jsdoc_plain_run(doc, len) != len) return false;
    while (len && doc[len - 1] == ' ') len--;
    line->len = len;
    return true;
}

/* Starts a line: the indentation, `prefix`, the pieces and `suffix` (all plain text, none empty: the line goes on),
 * and with `end_line` a line break. */
static void out_pieces(Printer *printer, Text prefix, const Text *pieces, size_t count, Text suffix, bool end_line) {
    size_t indentation = indent_len(printer), len = indentation + prefix.len + suffix.len + 1;
    for (size_t i = 0; i < count; i++) len += pieces[i].len;
    char *at = out_room(printer, len);
    at = out_indent(printer, at, indentation);
    at = out_copy(at, prefix.text, prefix.len);
    for (size_t i = 0; i < count; i++) at = out_copy(at, pieces[i].text, pieces[i].len);
    at = out_copy(at, suffix.text, suffix.len);
    if (end_line) *at++ = '\n';
    out_commit(printer, at);
    printer->at_line_start = end_line;
}

/* A line of plain text from pieces (out_pieces). */
static void out_pieces_line(Printer *printer, Text prefix, const Text *pieces, size_t count, Text suffix) {
    out_pieces(printer, prefix, pieces, count, suffix, true);
}

#define TEXT_PIECES(...) ((const Text[]){__VA_ARGS__}), (sizeof((const Text[]){__VA_ARGS__}) / sizeof(Text))
/* A JSDoc of one line of plain pieces, between its delimiters. */
#define JSDOC_ONE_LINE(printer, ...) out_pieces_line((printer), TEXT("/** "), TEXT_PIECES(__VA_ARGS__), TEXT(" */"))
/* A line of a JSDoc block: ` * pieces`. */
#define JSDOC_LINE(printer, ...) out_pieces_line((printer), TEXT(" * "), TEXT_PIECES(__VA_ARGS__), TEXT(""))
#define JSDOC_OPEN(printer) out_fixed_line((printer), "/**", 3)
#define JSDOC_BLANK(printer) out_fixed_line((printer), " *", 2)
#define JSDOC_CLOSE(printer) out_fixed_line((printer), " */", 3)

/* A paragraph of a doc written from plain pieces; one without text is left out. */
typedef struct Paragraph {
    Text pieces[3];
    size_t count;
} Paragraph;

static size_t paragraph_len(const Paragraph *paragraph) {
    size_t len = 0;
    for (size_t i = 0; i < paragraph->count; i++) len += paragraph->pieces[i].len;
    return len;
}

/* The JSDoc of paragraphs of plain pieces, laid out as ts_jsdoc lays out their text joined by blank lines: one
 * line between the delimiters for a single one-line paragraph, else a block; nothing without text. */
static void jsdoc_paragraphs(Printer *printer, const Paragraph *paragraphs, size_t count) {
    size_t written = 0, nonempty = 0;
    for (size_t i = 0; i < count; i++) nonempty += paragraph_len(&paragraphs[i]) > 0;
    if (nonempty == 0) return;
    if (nonempty > 1) JSDOC_OPEN(printer);
    for (size_t i = 0; i < count; i++) {
        if (paragraph_len(&paragraphs[i]) == 0) continue;
        if (nonempty == 1) {
            out_pieces_line(printer, TEXT("/** "), paragraphs[i].pieces, paragraphs[i].count, TEXT(" */"));
            return;
        }
        if (written++) JSDOC_BLANK(printer);
        out_pieces_line(printer, TEXT(" * "), paragraphs[i].pieces, paragraphs[i].count, TEXT(""));
    }
    JSDOC_CLOSE(printer);
}

typedef struct TsEmitter {
    const IrProgram *program;
    const BackendOptions *options;
    /* Per declaration (the index of program->decls): the name of its input shape when it has one distinct from
     * its result shape (compute_input_shapes), else NULL; the array is NULL when no declaration has one (most
     * programs: then no lookup is needed). */
    char **input_names;
    /* Each declaration's index in program->decls by its address (programs may hold tens of thousands of
     * declarations: no linear search per reference): open addressing over index_mask + 1 slots holding the index
     * plus one (0: empty), the key being program->decls[index]. Built only where input shapes need it. */
    uint32_t *index_slots;
    size_t index_mask;
    /* Per declaration, for an undocumented model: the first rpc that takes it as parameters or returns it (its
     * doc names that rpc), or NULL; the array is NULL when no such model exists. */
    const IrRpc **role_rpcs;
    /* Composes the docs that are not written from pieces (emptied for each use). */
    struct DocText *scratch;
    Arena arena;
    /* The names an input shape's or a type guard's name could clash with: those of the declarations that start
     * with "is" or end with "Input" and underscores, and every input shape's name. */
    StrMap taken_names;
} TsEmitter;

/* The shape a type is printed in: what results hold, or what the client sends. */
typedef enum Direction { DIRECTION_RESULT, DIRECTION_INPUT } Direction;

typedef struct TypeContext {
    const TsEmitter *emitter;
    Direction direction;
} TypeContext;

/* A field the sender may leave out: `x?: T`, or (in the input shape) one with a default. */
static bool field_is_omissible(Direction direction, const IrField *field) {
    return field->optional || (field->default_value && direction == DIRECTION_INPUT);
}

static size_t pointer_slot(const void *pointer, size_t mask) {
    uint64_t hash = (uint64_t)(uintptr_t)pointer * 0x9E3779B97F4A7C15ULL; /* Fibonacci hashing: the high bits mix */
    return (size_t)(hash >> 32) & mask;
}

static size_t decl_index(const TsEmitter *emitter, const IrDecl *decl) {
    for (size_t slot = pointer_slot(decl, emitter->index_mask);; slot = (slot + 1) & emitter->index_mask) {
        uint32_t entry = emitter->index_slots[slot];
        if (!entry) return 0; /* every referenced declaration is in the program */
        if (emitter->program->decls[entry - 1] == decl) return entry - 1;
    }
}

/* The name of `decl`'s input shape when it has one distinct from its result shape, else NULL. */
static const char *input_name_of(const TsEmitter *emitter, const IrDecl *decl) {
    return emitter->input_names ? emitter->input_names[decl_index(emitter, decl)] : NULL;
}

/* The name of `decl` in `direction`: its input shape's name where it has a distinct one. */
static const char *decl_name(const TypeContext *context, const IrDecl *decl) {
    if (context->direction == DIRECTION_INPUT) {
        const char *input = input_name_of(context->emitter, decl);
        if (input) return input;
    }
    return decl->names.in[TS];
}

/* The one shape of a declaration without a distinct input shape: sent ones as sent, others as received. */
static Direction single_direction(const IrDecl *decl) {
    return decl->sent ? DIRECTION_INPUT : DIRECTION_RESULT;
}

/* Calls `visit` with the index of every declaration `type` names (through lists and maps). */
static void each_named_decl(const TsEmitter *emitter, const IrType *type, void (*visit)(void *, size_t),
                            void *context) {
    switch (type->kind) {
    case IR_LIST:
    case IR_MAP: each_named_decl(emitter, type->element, visit, context); break;
    case IR_REF: visit(context, decl_index(emitter, type->decl)); break;
    default: break;
    }
}

/* Calls `visit` with every declaration a declaration's definition names: field types, alternatives, the aliased. */
static void each_decl_named_by(const TsEmitter *emitter, const IrDecl *decl, void (*visit)(void *, size_t),
                               void *context) {
    switch (decl->kind) {
    case IR_DECL_MODEL:
        for (size_t f = 0; f < decl->field_count; f++) each_named_decl(emitter, decl->fields[f]->type, visit, context);
        break;
    case IR_DECL_UNION:
        for (size_t a = 0; a < decl->alternative_count; a++) {
            each_named_decl(emitter, decl->alternatives[a], visit, context);
        }
        break;
    case IR_DECL_ALIAS: each_named_decl(emitter, decl->aliased, visit, context); break;
    case IR_DECL_ENUM: break;
    }
}

/* The edges "referrer names named" between declarations both sent and received, reversed: for each declaration,
 * the ones that name it (compressed rows: referrers[starts[j] .. starts[j + 1]) name j). */
typedef struct Referrers {
    size_t *starts;
    size_t *referrers;
    size_t referrer; /* the declaration being visited */
    bool filling;
} Referrers;

static void count_or_fill_referrer(void *context, size_t named) {
    Referrers *edges = context;
    if (edges->filling) {
        edges->referrers[--edges->starts[named]] = edges->referrer; /* from the row's end down to its start */
    } else {
        edges->starts[named]++;
    }
}

static void *checked_calloc(size_t count, size_t size) {
    void *memory = calloc(count, size);
    if (!memory) {
        fprintf(stderr, "rpcc: out of memory\n");
        abort();
    }
    return memory;
}

/* A declaration that is both sent and received has two shapes when a field of it has a default (optional in what
 * the client sends, always present in results) or when it names a declaration that has two: found by a walk from
 * the models with defaults back along "is named by" (linear in the declarations and their references, recursive
 * models included). The input shape is named `<Name>Input` (underscores appended while that is taken). */
static void compute_input_shapes(TsEmitter *emitter) {
    const IrProgram *program = emitter->program;
    size_t count = program->decl_count;
    arena_init(&emitter->arena);
    emitter->input_names = NULL;
    emitter->index_slots = NULL;
    emitter->role_rpcs = NULL;
    /* The models both sent and received that have a field with a default: without one, no declaration has two
     * shapes and nothing else is needed. */
    bool *has = checked_calloc(count + 1, sizeof *has);
    size_t *queue = checked_calloc(count + 1, sizeof *queue);
    size_t head = 0, tail = 0;
    for (size_t i = 0; i < count; i++) {
        const IrDecl *decl = program->decls[i];
        if (decl->kind != IR_DECL_MODEL || !decl->sent || !decl->received) continue;
        for (size_t f = 0; f < decl->field_count && !has[i]; f++) {
            if (decl->fields[f]->default_value) has[queue[tail++] = i] = true;
        }
    }
    /* Undocumented parameters and results: their docs name an rpc, found through the index table. */
    bool roles = false;
    for (size_t i = 0; i < program->rpc_count && !roles; i++) {
        const IrDecl *params = program->rpcs[i]->params, *result = program->rpcs[i]->result;
        roles = (params && !(params->doc && *params->doc)) || (result && !(result->doc && *result->doc));
    }
    if (tail || roles) {
        size_t slots = 16;
        while (slots < 2 * count) slots *= 2;
        emitter->index_slots = checked_calloc(slots, sizeof *emitter->index_slots);
        emitter->index_mask = slots - 1;
        for (size_t i = 0; i < count; i++) {
            size_t slot = pointer_slot(program->decls[i], emitter->index_mask);
            while (emitter->index_slots[slot]) slot = (slot + 1) & emitter->index_mask;
            emitter->index_slots[slot] = (uint32_t)(i + 1);
        }
    }
    if (roles) {
        emitter->role_rpcs = checked_calloc(count + 1, sizeof *emitter->role_rpcs);
        for (size_t i = 0; i < program->rpc_count; i++) {
            const IrRpc *rpc = program->rpcs[i];
            if (rpc->params && !emitter->role_rpcs[decl_index(emitter, rpc->params)])
                emitter->role_rpcs[decl_index(emitter, rpc->params)] = rpc;
            if (rpc->result && !emitter->role_rpcs[decl_index(emitter, rpc->result)])
                emitter->role_rpcs[decl_index(emitter, rpc->result)] = rpc;
        }
    }
    if (tail) {
        Referrers edges = {.starts = checked_calloc(count + 2, sizeof *edges.starts)};
        for (int pass = 0; pass < 2; pass++) {
            edges.filling = pass == 1;
            if (edges.filling) {
                /* counts to the ends of the rows; filling moves each back to its row's start */
                for (size_t j = 1; j < count; j++) edges.starts[j] += edges.starts[j - 1];
                if (count) edges.starts[count] = edges.starts[count - 1];
                edges.referrers = checked_calloc(edges.starts[count] + 1, sizeof *edges.referrers);
            }
            for (size_t i = 0; i < count; i++) {
                if (!program->decls[i]->sent || !program->decls[i]->received) continue;
                edges.referrer = i;
                each_decl_named_by(emitter, program->decls[i], count_or_fill_referrer, &edges);
            }
        }
        while (head < tail) {
            size_t named = queue[head++];
            for (size_t k = edges.starts[named]; k < edges.starts[named + 1]; k++) {
                size_t referrer = edges.referrers[k];
                if (!has[referrer]) has[queue[tail++] = referrer] = true;
            }
        }
        free(edges.starts);
        free(edges.referrers);
        emitter->input_names = checked_calloc(count + 1, sizeof *emitter->input_names);
    }
    free(queue);
    /* The declarations' names that a guard (`is<Name>_*`) or an input shape (`<Name>Input_*`) could be, then every
     * input shape's name as it is given. */
    StrMap *taken = &emitter->taken_names;
    strmap_init(taken, &emitter->arena);
    for (size_t i = 0; i < count; i++) {
        const char *name = program->decls[i]->names.in[TS];
        size_t len = strlen(name), end = len;
        while (end && name[end - 1] == '_') end--;
        bool input_like = end >= 5 && memcmp(name + end - 5, "Input", 5) == 0;
        if (input_like || (name[0] == 'i' && name[1] == 's')) strmap_put(taken, name, len, (void *)name);
    }
    for (size_t i = 0; emitter->input_names && i < count; i++) {
        if (!has[i]) continue;
        StrBuf name;
        strbuf_init(&name);
        strbuf_puts(&name, program->decls[i]->names.in[TS]);
        strbuf_puts(&name, "Input");
        while (strmap_get(taken, name.data, name.len)) strbuf_puts(&name, "_");
        emitter->input_names[i] = arena_strdup(&emitter->arena, strbuf_cstr(&name));
        strmap_put(taken, emitter->input_names[i], name.len, emitter->input_names[i]);
        strbuf_free(&name);
    }
    free(has);
}

static void free_input_shapes(TsEmitter *emitter) {
    free(emitter->input_names); /* the names are in the arena */
    free(emitter->index_slots);
    free(emitter->role_rpcs);
    arena_free(&emitter->arena);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Types                                                                                                      */

/* scalar_type as a Text; empty for a type that is not a scalar. */
static Text scalar_text(const TypeContext *context, IrTypeKind kind) {
    switch (kind) {
    case IR_BOOL: return TEXT("boolean");
    case IR_INT: return context->emitter->options->ts_bigint ? TEXT("bigint") : TEXT("number");
    case IR_FLOAT: return TEXT("number");
    case IR_STRING:
    case IR_BYTES:
    case IR_DECIMAL:
    case IR_UUID:
    case IR_TIMESTAMP:
    case IR_DATE:
    case IR_TIME:
    case IR_DURATION: return TEXT("string");
    case IR_ANY: return TEXT("unknown");
    default: return TEXT("");
    }
}

static const char *scalar_type(const TypeContext *context, IrTypeKind kind) {
    switch (kind) {
    case IR_BOOL: return "boolean";
    case IR_INT: return context->emitter->options->ts_bigint ? "bigint" : "number";
    case IR_FLOAT: return "number";
    case IR_STRING:
    case IR_BYTES:
    case IR_DECIMAL:
    case IR_UUID:
    case IR_TIMESTAMP:
    case IR_DATE:
    case IR_TIME:
    case IR_DURATION: return "string";
    case IR_ANY: return "unknown";
    default: return NULL;
    }
}

/* The decimal text of `value` (as "%lld" writes it) into digits[24]; returns where it starts (it ends at
 * digits + 24). */
static char *format_int(char digits[24], long long value) {
    char *cursor = digits + 24;
    unsigned long long magnitude = value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;
    do {
        *--cursor = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (value < 0) *--cursor = '-';
    return cursor;
}

/* printer_putn of the decimal text of `value`, as printer_printf's "%lld" writes it. */
static void ts_put_int(Printer *printer, long long value) {
    char digits[24];
    char *start = format_int(digits, value);
    printer_putn(printer, start, (size_t)(digits + sizeof digits - start));
}

static void append_int(StrBuf *out, long long value) {
    char digits[24];
    char *start = format_int(digits, value);
    strbuf_append(out, start, (size_t)(digits + sizeof digits - start));
}

/* ir_resolve_alias without a call for a type that names no alias (most). */
static inline const IrType *resolved_type(const IrType *type) {
    return type->kind == IR_REF && type->decl->kind == IR_DECL_ALIAS ? ir_resolve_alias(type) : type;
}

/* Types are appended straight to the output: they hold no line break (print_type starts the line first). */
static void append_name(StrBuf *out, const char *name) { buf_append(out, name, strlen(name)); }

static void append_literal_value(StrBuf *out, const IrValue *value) {
    switch (value->kind) {
    case IR_VALUE_STRING: escape_string_literal(out, TS, value->text, value->text_length); break;
    case IR_VALUE_INT: append_int(out, (long long)value->int_value); break;
    case IR_VALUE_BOOL: value->bool_value ? BUF_LITERAL(out, "true") : BUF_LITERAL(out, "false"); break;
    default: BUF_LITERAL(out, "never"); break; /* not a literal kind: the IR never gives one */
    }
}

/* True when the printed type is a union at its top level (and so needs parentheses as an array element). */
static bool type_prints_as_union(const IrType *type) {
    if (type->nullable && type->kind != IR_ANY) return true;
    return type->kind == IR_LITERAL && type->literal_count > 1;
}

/* True when `key` (a map key type) is a closed set of values: such a map need not hold every key. */
static bool key_is_closed_set(const IrType *key) {
    const IrType *resolved = resolved_type(key);
    if (resolved->kind == IR_LITERAL) return true;
    return resolved->kind == IR_REF && resolved->decl->kind == IR_DECL_ENUM;
}

static void append_type(StrBuf *out, const TypeContext *context, const IrType *type);

/* A map's key type: what `Object.entries` yields, a string (decimal digits for int keys); an enum's or a literal
 * union's values where the keys are a closed set. */
static void append_map_key(StrBuf *out, const TypeContext *context, const IrType *key) {
    const IrType *resolved = resolved_type(key);
    if (resolved->kind == IR_REF && resolved->decl->kind == IR_DECL_ENUM) {
        const char *name = decl_name(context, resolved->decl);
        if (resolved->decl->int_enum) {
            BUF_LITERAL(out, "`${");
            buf_append(out, name, strlen(name));
            BUF_LITERAL(out, "}`");
        } else {
            buf_append(out, name, strlen(name));
        }
    } else if (resolved->kind == IR_LITERAL) {
        for (size_t i = 0; i < resolved->literal_count; i++) {
            const IrValue *value = resolved->literals[i];
            if (i) BUF_LITERAL(out, " | ");
            if (value->kind == IR_VALUE_INT) {
                BUF_LITERAL(out, "\"");
                append_int(out, (long long)value->int_value);
                BUF_LITERAL(out, "\"");
            } else {
                append_literal_value(out, value);
            }
        }
    } else if (key->kind == IR_REF && resolved->kind == IR_STRING) {
        append_name(out, decl_name(context, key->decl)); /* an alias of string names the keys */
    } else {
        BUF_LITERAL(out, "string");
    }
}

static void append_type_without_null(StrBuf *out, const TypeContext *context, const IrType *type) {
    switch (type->kind) {
    case IR_BOOL: BUF_LITERAL(out, "boolean"); break;
    case IR_INT:
        if (context->emitter->options->ts_bigint) {
            BUF_LITERAL(out, "bigint");
        } else {
            BUF_LITERAL(out, "number");
        }
        break;
    case IR_FLOAT: BUF_LITERAL(out, "number"); break;
    case IR_STRING:
    case IR_BYTES:
    case IR_DECIMAL:
    case IR_UUID:
    case IR_TIMESTAMP:
    case IR_DATE:
    case IR_TIME:
    case IR_DURATION: BUF_LITERAL(out, "string"); break;
    case IR_ANY: BUF_LITERAL(out, "unknown"); break;
    case IR_LIST:
        if (type_prints_as_union(type->element)) {
            BUF_LITERAL(out, "(");
            append_type(out, context, type->element);
            BUF_LITERAL(out, ")[]");
        } else {
            append_type(out, context, type->element);
            BUF_LITERAL(out, "[]");
        }
        break;
    case IR_MAP: {
        /* Wire keys are strings, and so are the keys Object.entries yields: int keys are decimal strings. */
        bool closed = key_is_closed_set(type->key);
        if (closed) BUF_LITERAL(out, "Partial<");
        BUF_LITERAL(out, "Record<");
        append_map_key(out, context, type->key);
        BUF_LITERAL(out, ", ");
        append_type(out, context, type->element);
        buf_append(out, ">>", closed ? 2 : 1);
        break;
    }
    case IR_LITERAL:
        for (size_t i = 0; i < type->literal_count; i++) {
            if (i) BUF_LITERAL(out, " | ");
            append_literal_value(out, type->literals[i]);
        }
        if (type->literal_count == 0) BUF_LITERAL(out, "never");
        break;
    case IR_REF: append_name(out, decl_name(context, type->decl)); break;
    default: BUF_LITERAL(out, "never"); break;
    }
}

static void append_type(StrBuf *out, const TypeContext *context, const IrType *type) {
    append_type_without_null(out, context, type);
    /* `unknown` already holds null. */
    if (type->nullable && type->kind != IR_ANY) BUF_LITERAL(out, " | null");
}

/* Starts text that holds no line break: the indentation first when the line is empty. */
static void begin_text(Printer *printer) {
    if (printer->at_line_start) {
        if (printer->depth) printer_append_indentation(printer);
        printer->at_line_start = false;
    }
}

static void print_type(Printer *printer, const TypeContext *context, const IrType *type) {
    begin_text(printer); /* a type is never empty */
    append_type(&printer->out, context, type);
}

static void print_literal_value(Printer *printer, const IrValue *value) {
    begin_text(printer);
    append_literal_value(&printer->out, value);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Values (defaults, shown in docs as TypeScript expressions)                                                 */

static void print_value(Printer *printer, const IrValue *value) {
    switch (value->kind) {
    case IR_VALUE_NULL: PRINTER_PUTS(printer, "null"); break;
    case IR_VALUE_BOOL: PRINTER_PUTS(printer, value->bool_value ? "true" : "false"); break;
    case IR_VALUE_INT: ts_put_int(printer, (long long)value->int_value); break;
    case IR_VALUE_FLOAT: PRINTER_PUTS(printer, value->text); break;
    case IR_VALUE_STRING: printer_string_literal(printer, TS, value->text, value->text_length); break;
    case IR_VALUE_ENUM:
        PRINTER_PUTS(printer, value->enum_decl->names.in[TS], ".", value->enum_member->names.in[TS]);
        break;
    case IR_VALUE_LIST:
        PRINTER_PUTS(printer, "[");
        for (size_t i = 0; i < value->count; i++) {
            if (i) PRINTER_PUTS(printer, ", ");
            print_value(printer, value->items[i]);
        }
        PRINTER_PUTS(printer, "]");
        break;
    case IR_VALUE_MAP:
        if (value->count == 0) {
            PRINTER_PUTS(printer, "{}");
            break;
        }
        PRINTER_PUTS(printer, "{ ");
        for (size_t i = 0; i < value->count; i++) {
            if (i) PRINTER_PUTS(printer, ", ");
            const IrValue *key = value->keys[i];
            if (key->kind == IR_VALUE_STRING) {
                printer_string_literal(printer, TS, key->text, key->text_length);
            } else {
                PRINTER_PUTS(printer, "\"");
                ts_put_int(printer, (long long)key->int_value);
                PRINTER_PUTS(printer, "\"");
            }
            PRINTER_PUTS(printer, ": ");
            print_value(printer, value->items[i]);
        }
        PRINTER_PUTS(printer, " }");
        break;
    }
}

/* A scratch printer whose text is appended to a doc being composed (the doc then goes through ts_jsdoc). */
typedef struct DocText {
    Printer printer;
} DocText;

static void doc_init(DocText *doc) { printer_init(&doc->printer, ""); }
static void doc_free(DocText *doc) { printer_free(&doc->printer); }
static const char *doc_cstr(DocText *doc) { return strbuf_cstr(&doc->printer.out); }
static bool doc_empty(const DocText *doc) { return doc->printer.out.len == 0; }
/* Empties a doc for reuse, keeping its memory. */
static void doc_clear(DocText *doc) {
    strbuf_clear(&doc->printer.out);
    doc->printer.at_line_start = true;
}

/* Starts a new paragraph (a blank line) unless the doc is empty. */
static void doc_paragraph(DocText *doc) {
    if (!doc_empty(doc)) strbuf_append(&doc->printer.out, "\n\n", 2); /* no indentation in a doc's printer */
}

/* Adds a sentence to the current paragraph. */
static void doc_sentence_start(DocText *doc) {
    size_t len = doc->printer.out.len;
    if (len > 0 && doc->printer.out.data[len - 1] != '\n') strbuf_putc(&doc->printer.out, ' ');
}

static void doc_append_user(DocText *doc, const char *text) {
    if (!text || !*text) return;
    doc_paragraph(doc);
    strbuf_puts(&doc->printer.out, text);
}

/* What a scalar's string holds, for the field docs: JavaScript sees only a string or a number. */
static const char *format_sentence(const TypeContext *context, IrTypeKind kind) {
    switch (kind) {
    case IR_INT:
        return context->emitter->options->ts_bigint ? "Integer (any number of digits)."
                                                    : "Integer (exact up to 2^53 - 1; a result beyond is refused).";
    case IR_BYTES: return "Base64 string (standard alphabet, padded).";
    case IR_DECIMAL: return "Decimal number as a string, such as `\"12.50\"`.";
    case IR_UUID: return "UUID string.";
    case IR_TIMESTAMP: return "RFC 3339 date-time string, such as `\"2026-01-02T03:04:05Z\"`.";
    case IR_DATE: return "Date string, `YYYY-MM-DD`.";
    case IR_TIME: return "Time string, `HH:MM:SS[.ffffff]` with an optional UTC offset.";
    case IR_DURATION: return "ISO 8601 duration string, such as `\"P1DT2H3M4.5S\"`.";
    default: return NULL;
    }
}

static void print_bound(Printer *printer, const char *relation, const IrValue *value, bool *first) {
    PRINTER_PUTS(printer, *first ? "" : ", ", relation, " ");
    print_value(printer, value);
    *first = false;
}

/* The facts of a field that its type does not tell: presence, default, format, constraints. */
static void doc_field_facts(DocText *doc, const TypeContext *context, const IrField *field) {
    Printer *printer = &doc->printer;
    doc_paragraph(doc);
    const IrType *type = field->type;
    if (field->default_value) {
        if (context->direction == DIRECTION_INPUT) {
            PRINTER_PUTS(printer, "May be omitted: the server then uses `");
        } else {
            PRINTER_PUTS(printer, "Always present in results; the default is `");
        }
        print_value(printer, field->default_value);
        PRINTER_PUTS(printer, "`.");
        if (type->nullable) PRINTER_PUTS(printer, " May be null.");
    } else if (field->optional) {
        PRINTER_PUTS(printer, type->nullable ? "May be absent or null." : "May be absent (never null).");
    } else {
        PRINTER_PUTS(printer, type->nullable ? "Required; may be null." : "Required.");
    }
    const IrType *resolved = ir_resolve_alias(type);
    const char *format = format_sentence(context, resolved->kind);
    if (format) {
        doc_sentence_start(doc);
        PRINTER_PUTS(printer, format);
    }
    const IrConstraints *constraints = field->constraints;
    if (constraints->has_ge || constraints->has_gt || constraints->has_le || constraints->has_lt) {
        doc_sentence_start(doc);
        PRINTER_PUTS(printer, "Range: ");
        bool first = true;
        if (constraints->has_ge) print_bound(printer, ">=", constraints->ge, &first);
        if (constraints->has_gt) print_bound(printer, ">", constraints->gt, &first);
        if (constraints->has_le) print_bound(printer, "<=", constraints->le, &first);
        if (constraints->has_lt) print_bound(printer, "<", constraints->lt, &first);
        PRINTER_PUTS(printer, ".");
    }
    if (constraints->has_min_length || constraints->has_max_length) {
        IrTypeKind kind = resolved->kind;
        const char *unit = kind == IR_LIST || kind == IR_MAP ? "items" : kind == IR_BYTES ? "bytes" : "characters";
        /* "at least 1 characters" reads wrong: the unit's singular for a bound of one. */
        bool one = (constraints->has_max_length ? constraints->max_length : constraints->min_length) == 1;
        if (one) unit = kind == IR_LIST || kind == IR_MAP ? "item" : kind == IR_BYTES ? "byte" : "character";
        doc_sentence_start(doc);
        long long min = constraints->min_length, max = constraints->max_length;
        if (constraints->has_min_length && constraints->has_max_length) {
            printer_printf(printer, "Length: %lld to %lld %s.", min, max, unit);
        } else if (constraints->has_min_length) {
            printer_printf(printer, "Length: at least %lld %s.", min, unit);
        } else {
            printer_printf(printer, "Length: at most %lld %s.", max, unit);
        }
    }
    if (constraints->pattern) {
        doc_sentence_start(doc);
        PRINTER_PUTS(printer, "Pattern: `", constraints->pattern, "`.");
    }
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Files                                                                                                      */

static void print_marker(Printer *printer, const BackendOptions *options) {
    backend_print_marker(printer, MARKER_SLASHES, options);
}

/* The rpc that takes `decl` as parameters or returns it, for the doc of an undocumented model. */
/* The rpc that takes `decl` as parameters or returns it (the first in order), for the doc of an undocumented model;
 * NULL for another model. */
static const IrRpc *model_role(const TsEmitter *emitter, const IrDecl *decl) {
    if (!(decl->is_params || decl->is_result) || !emitter->role_rpcs) return NULL;
    return emitter->role_rpcs[decl_index(emitter, decl)];
}

/* The first sentence of an undocumented model's doc: the rpc that takes it or returns it, else its name. */
static void doc_model_role(const TsEmitter *emitter, DocText *doc, const IrDecl *decl) {
    const IrRpc *rpc = model_role(emitter, decl);
    if (rpc && rpc->params == decl) {
        PRINTER_PUTS(&doc->printer, "Parameters of `", rpc->method, "`.");
    } else if (rpc) {
        PRINTER_PUTS(&doc->printer, "Result of `", rpc->method, "`.");
    } else {
        PRINTER_PUTS(&doc->printer, "The `", decl->names.in[TS], "` object.");
    }
}

static bool model_has_default(const IrDecl *decl) {
    for (size_t i = 0; i < decl->field_count; i++) {
        if (decl->fields[i]->default_value) return true;
    }
    return false;
}

/* format_sentence as a Text (its length known). */
static Text format_text(const TypeContext *context, IrTypeKind kind) {
    switch (kind) {
    case IR_INT:
        return context->emitter->options->ts_bigint ? TEXT("Integer (any number of digits).")
                                                    : TEXT("Integer (exact up to 2^53 - 1; a result beyond is refused).");
    case IR_BYTES: return TEXT("Base64 string (standard alphabet, padded).");
    case IR_DECIMAL: return TEXT("Decimal number as a string, such as `\"12.50\"`.");
    case IR_UUID: return TEXT("UUID string.");
    case IR_TIMESTAMP: return TEXT("RFC 3339 date-time string, such as `\"2026-01-02T03:04:05Z\"`.");
    case IR_DATE: return TEXT("Date string, `YYYY-MM-DD`.");
    case IR_TIME: return TEXT("Time string, `HH:MM:SS[.ffffff]` with an optional UTC offset.");
    case IR_DURATION: return TEXT("ISO 8601 duration string, such as `\"P1DT2H3M4.5S\"`.");
    default: return TEXT("");
    }
}

/* The doc of most fields, written straight into the output: no deprecation, no constraints, no default or one of
 * a scalar kind, and a user doc of at most one plain line. Its facts are then fixed sentences and the default's
 * plain text (doc_field_facts' presence, default and format). Returns false, writing nothing, for any other
 * field. */
static bool emit_plain_field_doc(Printer *printer, const TypeContext *context, const IrField *field) {
    const IrConstraints *constraints = field->constraints;
    if (field->deprecation.deprecated || constraints->has_ge || constraints->has_gt || constraints->has_le ||
        constraints->has_lt || constraints->has_min_length || constraints->has_max_length || constraints->pattern)
        return false;
    /* A default of a scalar kind whose text is plain: doc_field_facts' sentence about it, in pieces. */
    Text value[3] = {TEXT(""), TEXT(""), TEXT("")};
    char digits[24];
    const IrValue *default_value = field->default_value;
    if (default_value) {
        switch (default_value->kind) {
        case IR_VALUE_NULL: value[0] = TEXT("null"); break;
        case IR_VALUE_BOOL: value[0] = default_value->bool_value ? TEXT("true") : TEXT("false"); break;
        case IR_VALUE_INT: {
            char *start = format_int(digits, (long long)default_value->int_value);
            value[0] = (Text){start, (size_t)(digits + sizeof digits - start)};
            break;
        }
        case IR_VALUE_FLOAT: value[0] = text_of(default_value->text); break;
        case IR_VALUE_ENUM:
            value[0] = text_of(default_value->enum_decl->names.in[TS]);
            value[1] = TEXT(".");
            value[2] = text_of(default_value->enum_member->names.in[TS]);
            break;
        default: return false;
        }
        if (!text_plain(value[0]) || !text_plain(value[2])) return false;
    }
    const char *doc = field->doc;
    size_t doc_len = 0;
    if (doc && *doc) {
        doc_len = strlen(doc);
        if (jsdoc_plain_run(doc, doc_len) != doc_len) return false;
        while (doc_len && doc[doc_len - 1] == ' ') doc_len--; /* a blank doc adds nothing */
    }
    bool nullable = field->type->nullable;
    Text presence, default_end = TEXT("");
    if (default_value) {
        presence = context->direction == DIRECTION_INPUT ? TEXT("May be omitted: the server then uses `")
                                                         : TEXT("Always present in results; the default is `");
        default_end = nullable ? TEXT("`. May be null.") : TEXT("`.");
    } else if (field->optional) {
        presence = nullable ? TEXT("May be absent or null.") : TEXT("May be absent (never null).");
    } else {
        presence = nullable ? TEXT("Required; may be null.") : TEXT("Required.");
    }
    Text format = format_text(context, resolved_type(field->type)->kind);
    size_t indentation = indent_len(printer);
    char *at = out_room(printer, 5 * indentation + doc_len + presence.len + value[0].len + value[1].len +
                                     value[2].len + default_end.len + format.len + 32);
    if (doc_len == 0) { /* the one-line form */
        at = out_indent(printer, at, indentation);
        OUT_LITERAL(at, "/** ");
    } else {
        at = out_indent(printer, at, indentation);
        OUT_LITERAL(at, "/**\n");
        at = out_indent(printer, at, indentation);
        OUT_LITERAL(at, " * ");
        at = out_copy(at, doc, doc_len);
        *at++ = '\n';
        at = out_indent(printer, at, indentation);
        OUT_LITERAL(at, " *\n");
        at = out_indent(printer, at, indentation);
        OUT_LITERAL(at, " * ");
    }
    at = out_copy(at, presence.text, presence.len);
    if (default_value) {
        for (size_t i = 0; i < 3; i++) at = out_copy(at, value[i].text, value[i].len);
        at = out_copy(at, default_end.text, default_end.len);
    }
    if (format.len) {
        *at++ = ' ';
        at = out_copy(at, format.text, format.len);
    }
    if (doc_len == 0) {
        OUT_LITERAL(at, " */\n");
    } else {
        *at++ = '\n';
        at = out_indent(printer, at, indentation);
        OUT_LITERAL(at, " */\n");
    }
    out_commit(printer, at);
    printer->at_line_start = true;
    return true;
}

/* A field of an interface: its doc, then `name?: Type;`. `scratch` composes the docs of the other fields. */
static void emit_field(Printer *printer, const TypeContext *context, const IrField *field, DocText *scratch) {
    if (!emit_plain_field_doc(printer, context, field)) {
        doc_clear(scratch);
        doc_append_user(scratch, field->doc);
        doc_field_facts(scratch, context, field);
        ts_jsdoc_text(printer, doc_cstr(scratch), scratch->printer.out.len, backend_deprecation_reason(&field->deprecation));
    }
    const char *name = field->names.in[TS];
    size_t name_len = strlen(name), indentation = indent_len(printer);
    /* A scalar's type (most fields) is written with the rest of the line. */
    Text scalar = scalar_text(context, field->type->kind);
    char *at = out_room(printer, indentation + name_len + scalar.len + 16);
    at = out_indent(printer, at, indentation);
    at = out_copy(at, name, name_len);
    if (field_is_omissible(context->direction, field)) *at++ = '?';
    OUT_LITERAL(at, ": ");
    if (scalar.len) {
        at = out_copy(at, scalar.text, scalar.len);
        if (field->type->nullable && field->type->kind != IR_ANY) OUT_LITERAL(at, " | null");
        OUT_LITERAL(at, ";\n");
        out_commit(printer, at);
    } else {
        out_commit(printer, at);
        append_type(&printer->out, context, field->type);
        buf_append(&printer->out, ";\n", 2);
    }
    printer->at_line_start = true;
}

/* One shape of a model: `name` in `direction`. A model with two shapes says in its doc where the other is. */
static void emit_model_shape(const TsEmitter *emitter, Printer *printer, const IrDecl *decl, Direction direction) {
    TypeContext context = {emitter, direction};
    const char *name = decl_name(&context, decl);
    const char *input_name = input_name_of(emitter, decl);
    /* Its doc: the user's (or what the model is), then which shape this is. Written from pieces when they are all
     * plain and there is no deprecation (nearly always), else composed and laid out by ts_jsdoc. */
    Paragraph paragraphs[2] = {{.count = 0}, {.count = 0}};
    Text user;
    bool direct = !decl->deprecation.deprecated && doc_plain_line(decl->doc, &user);
    if (decl->doc && *decl->doc) {
        paragraphs[0] = (Paragraph){{user}, 1};
    } else {
        const IrRpc *rpc = model_role(emitter, decl);
        if (rpc) {
            paragraphs[0] = (Paragraph){{rpc->params == decl ? TEXT("Parameters of `") : TEXT("Result of `"),
                                         text_of(rpc->method), TEXT("`.")},
                                        3};
        } else {
            paragraphs[0] = (Paragraph){{TEXT("The `"), text_of(decl->names.in[TS]), TEXT("` object.")}, 3};
        }
        direct = direct && text_plain(paragraphs[0].pieces[1]);
    }
    if (input_name) {
        if (direction == DIRECTION_INPUT) {
            paragraphs[1] = (Paragraph){{TEXT("The shape you send: fields with a default may be omitted. Results are `"),
                                         text_of(decl->names.in[TS]), TEXT("`.")},
                                        3};
        } else {
            paragraphs[1] = (Paragraph){{TEXT("The shape of results: fields with a default are always present. What you send is `"),
                                         text_of(input_name), TEXT("`.")},
                                        3};
        }
        direct = direct && text_plain(paragraphs[1].pieces[1]);
    } else if (model_has_default(decl)) {
        paragraphs[1] = (Paragraph){{direction == DIRECTION_INPUT
                                         ? TEXT("Sent to the server: fields with a default may be omitted.")
                                         : TEXT("Received from the server: fields with a default are always present.")},
                                    1};
    }
    if (direct) {
        jsdoc_paragraphs(printer, paragraphs, 2);
    } else {
        DocText *doc = emitter->scratch;
        doc_clear(doc);
        if (decl->doc && *decl->doc) {
            doc_append_user(doc, decl->doc);
        } else {
            doc_model_role(emitter, doc, decl);
        }
        if (paragraphs[1].count) {
            doc_paragraph(doc);
            for (size_t i = 0; i < paragraphs[1].count; i++) {
                strbuf_append(&doc->printer.out, paragraphs[1].pieces[i].text, paragraphs[1].pieces[i].len);
            }
        }
        ts_jsdoc_text(printer, doc_cstr(doc), doc->printer.out.len, backend_deprecation_reason(&decl->deprecation));
    }

    if (decl->field_count == 0 && !decl->open) {
        /* An empty interface would accept any non-nullish value; an object with no known keys is what is meant. */
        PRINTER_LINE(printer, "export type ", name, " = Record<string, never>;");
        return;
    }
    Text name_text = text_of(name);
    out_pieces_line(printer, TEXT("export interface "), &name_text, 1, TEXT(" {"));
    printer_indent(printer);
    for (size_t i = 0; i < decl->field_count; i++) emit_field(printer, &context, decl->fields[i], emitter->scratch);
    if (decl->open) {
        /* @open: the keys the model does not declare, kept as received (schema.ts checks declared fields only)
         * and sent again */
        ts_jsdoc(printer, "Keys the API does not declare (the model is open): kept as received and sent again.", NULL);
        PRINTER_LINE(printer, "[key: string]: unknown;");
    }
    printer_dedent(printer);
    OUT_FIXED_LINE(printer, "}");
}

static void emit_model(const TsEmitter *emitter, Printer *printer, const IrDecl *decl) {
    if (input_name_of(emitter, decl)) {
        emit_model_shape(emitter, printer, decl, DIRECTION_RESULT);
        out_newline(printer);
        emit_model_shape(emitter, printer, decl, DIRECTION_INPUT);
    } else {
        emit_model_shape(emitter, printer, decl, single_direction(decl));
    }
}

/* The bytes a TypeScript string literal holds as they are (escape_string_literal's runs): printable ASCII but '"'
 * and '\'. */
static bool literal_plain(const char *text, size_t len) {
    for (size_t i = 0; i < len; i++) {
        unsigned char byte = (unsigned char)text[i];
        if (byte < 0x20 || byte >= 0x7F || byte == '"' || byte == '\\') return false;
    }
    return true;
}

/* An enum member's value as printed: its decimal digits, or its string literal. */
static void append_enum_value(StrBuf *out, const IrDecl *decl, const IrEnumMember *member) {
    if (decl->int_enum) {
        append_int(out, (long long)member->int_value);
    } else if (literal_plain(member->string_value, member->string_value_length)) {
        size_t len = member->string_value_length;
        if (out->len + len + 3 > out->cap) strbuf_grow(out, len + 2);
        char *at = out->data + out->len;
        *at++ = '"';
        at = out_copy(at, member->string_value, len);
        *at++ = '"';
        *at = '\0';
        out->len = (size_t)(at - out->data);
    } else {
        escape_string_literal(out, TS, member->string_value, member->string_value_length);
    }
}

/* The name of an enum's type guard, `is<Name>`, with underscores appended while a type has that name. */
static void append_guard_name(StrBuf *name, const TsEmitter *emitter, const IrDecl *decl) {
    strbuf_puts(name, "is");
    strbuf_puts(name, decl->names.in[TS]);
    while (emitter->taken_names.count && strmap_get(&emitter->taken_names, name->data, name->len)) strbuf_putc(name, '_');
}

/* The docs of an enum's type, const object and guard, composed and laid out by ts_jsdoc (any doc, deprecation). */
static void emit_enum_doc(Printer *printer, const IrDecl *decl, const char *guard, int which) {
    const char *name = decl->names.in[TS];
    const char *deprecated = backend_deprecation_reason(&decl->deprecation);
    DocText doc;
    doc_init(&doc);
    if (which == 0) {
        if (decl->doc && *decl->doc) {
            doc_append_user(&doc, decl->doc);
        } else {
            PRINTER_PUTS(&doc.printer, "The values of `", name, "`.");
        }
        doc_paragraph(&doc);
        PRINTER_PUTS(&doc.printer, "The const object `", name, "` names each value: `", name, ".", decl->member_count ? decl->members[0]->names.in[TS] : "NAME", "`.");
        doc_paragraph(&doc);
        PRINTER_PUTS(&doc.printer, "Open: a result may hold a value added to the API later (an `UnknownEnumValue<", decl->int_enum ? "number" : "string", ">`), kept and sent back unchanged; `", guard, "(value)` tells the known values apart.");
    } else if (which == 1) {
        if (decl->doc && *decl->doc) {
            doc_append_user(&doc, decl->doc);
        } else {
            PRINTER_PUTS(&doc.printer, "The values of `", name, "`, by name.");
        }
    } else {
        PRINTER_PUTS(&doc.printer, "True for a value of `", name, "` this SDK knows; false for an `UnknownEnumValue` or anything else.");
    }
    ts_jsdoc(printer, doc_cstr(&doc), deprecated);
    doc_free(&doc);
}

/* The const object's members, one line each after its doc (inside the object: indented). */
static void emit_enum_members(Printer *printer, const IrDecl *decl) {
    StrBuf *out = &printer->out;
    printer_indent(printer);
    size_t indentation = indent_len(printer);
    for (size_t i = 0; i < decl->member_count; i++) {
        const IrEnumMember *member = decl->members[i];
        Text member_name = text_of(member->names.in[TS]), doc;
        if (!member->deprecation.deprecated && doc_plain_line(member->doc, &doc) &&
            (decl->int_enum || literal_plain(member->string_value, member->string_value_length))) {
            /* Most members: the doc's one plain line and the member's line in one piece. */
            size_t value_len = decl->int_enum ? 20 : member->string_value_length + 2;
            char *at = out_room(printer, 2 * indentation + doc.len + member_name.len + value_len + 16);
            if (doc.len) {
                at = out_indent(printer, at, indentation);
                OUT_LITERAL(at, "/** ");
                at = out_copy(at, doc.text, doc.len);
                OUT_LITERAL(at, " */\n");
            }
            at = out_indent(printer, at, indentation);
            at = out_copy(at, member_name.text, member_name.len);
            OUT_LITERAL(at, ": ");
            if (decl->int_enum) {
                char digits[24];
                char *start = format_int(digits, (long long)member->int_value);
                at = out_copy(at, start, (size_t)(digits + sizeof digits - start));
            } else {
                *at++ = '"';
                at = out_copy(at, member->string_value, member->string_value_length);
                *at++ = '"';
            }
            OUT_LITERAL(at, ",\n");
            out_commit(printer, at);
            printer->at_line_start = true;
            continue;
        }
        ts_jsdoc(printer, member->doc, backend_deprecation_reason(&member->deprecation));
        out_pieces(printer, TEXT(""), &member_name, 1, TEXT(": "), false);
        append_enum_value(out, decl, member);
        buf_append(out, ",\n", 2);
        printer->at_line_start = true;
    }
    printer_dedent(printer);
}

/* Appends text that starts no indented line (at depth 0, or after text on the line): each piece as it is. */
static void out_text(Printer *printer, const Text *pieces, size_t count) {
    size_t len = 0;
    for (size_t i = 0; i < count; i++) len += pieces[i].len;
    if (len == 0) return;
    char *at = out_room(printer, len);
    for (size_t i = 0; i < count; i++) at = out_copy(at, pieces[i].text, pieces[i].len);
    out_commit(printer, at);
    printer->at_line_start = at[-1] == '\n';
}

/* A line break and the current indentation, as a piece of out_lines. */
#define LINE_BREAK ((Text){NULL, 0})

/* Appends pieces that may span lines: the indentation first when at a line's start, and after each LINE_BREAK
 * piece a line break and the indentation (no piece holds a line break but the last, which may end the text). */
static void out_lines(Printer *printer, const Text *pieces, size_t count) {
    size_t indentation = indent_len(printer), len = printer->at_line_start ? indentation : 0;
    for (size_t i = 0; i < count; i++) len += pieces[i].text ? pieces[i].len : 1 + indentation;
    char *at = out_room(printer, len);
    if (printer->at_line_start) at = out_indent(printer, at, indentation);
    for (size_t i = 0; i < count; i++) {
        if (pieces[i].text) {
            at = out_copy(at, pieces[i].text, pieces[i].len);
        } else {
            *at++ = '\n';
            at = out_indent(printer, at, indentation);
        }
    }
    out_commit(printer, at);
    printer->at_line_start = len && at[-1] == '\n';
}

/* An enum is open: its type admits a value this SDK does not know (`UnknownEnumValue<string>`, which only a
 * received value has), so a reply with a member added later is kept and can be sent back unchanged; the guard
 * `is<Name>` tells a known value from an unknown one. */
static void emit_enum(const TsEmitter *emitter, Printer *printer, const IrDecl *decl) {
    Text name = text_of(decl->names.in[TS]);
    Text base = decl->int_enum ? TEXT("number") : TEXT("string");
    StrBuf guard;
    strbuf_init(&guard);
    append_guard_name(&guard, emitter, decl);
    Text guard_text = {guard.data, guard.len};
    Text first_member = decl->member_count ? text_of(decl->members[0]->names.in[TS]) : TEXT("NAME");
    Text user;
    bool has_doc = decl->doc && *decl->doc;
    /* prettier's layout: the guard's signature on one line when it fits in 120 columns, else the parameter on its
     * own. */
    bool one_line_signature =
        strlen("export function (value: unknown): value is (typeof )[keyof typeof ] {") + guard.len + 2 * name.len <=
        120;
    StrBuf *out = &printer->out;
    /* Nearly always: no deprecation, docs of plain pieces, at the file's top level: the text between the members'
     * values written in a few pieces of whole lines. */
    if (printer->depth == 0 && !decl->deprecation.deprecated && doc_plain_line(decl->doc, &user) &&
        text_plain(name) && text_plain(first_member) && text_plain(guard_text)) {
        Text pieces[24];
        size_t count = 0;
        pieces[count++] = TEXT("/**\n");
        if (!has_doc) {
            pieces[count++] = TEXT(" * The values of `");
            pieces[count++] = name;
            pieces[count++] = TEXT("`.\n *\n");
        } else if (user.len) {
            pieces[count++] = TEXT(" * ");
            pieces[count++] = user;
            pieces[count++] = TEXT("\n *\n");
        }
        pieces[count++] = TEXT(" * The const object `");
        pieces[count++] = name;
        pieces[count++] = TEXT("` names each value: `");
        pieces[count++] = name;
        pieces[count++] = TEXT(".");
        pieces[count++] = first_member;
        pieces[count++] = TEXT("`.\n *\n * Open: a result may hold a value added to the API later (an `UnknownEnumValue<");
        pieces[count++] = base;
        pieces[count++] = TEXT(">`), kept and sent back unchanged; `");
        pieces[count++] = guard_text;
        pieces[count++] = TEXT("(value)` tells the known values apart.\n */\nexport type ");
        pieces[count++] = name;
        pieces[count++] = TEXT(" =");
        out_text(printer, pieces, count);
        for (size_t i = 0; i < decl->member_count; i++) {
            buf_append(out, i ? " | " : " ", i ? 3 : 1);
            append_enum_value(out, decl, decl->members[i]);
        }
        count = 0;
        pieces[count++] = decl->member_count ? TEXT(" | UnknownEnumValue<") : TEXT(" UnknownEnumValue<");
        pieces[count++] = base;
        pieces[count++] = TEXT(">;\n\n");
        if (!has_doc) {
            pieces[count++] = TEXT("/** The values of `");
            pieces[count++] = name;
            pieces[count++] = TEXT("`, by name. */\n");
        } else if (user.len) {
            pieces[count++] = TEXT("/** ");
            pieces[count++] = user;
            pieces[count++] = TEXT(" */\n");
        }
        pieces[count++] = TEXT("export const ");
        pieces[count++] = name;
        pieces[count++] = TEXT(" = {\n");
        out_text(printer, pieces, count);
        emit_enum_members(printer, decl);
        count = 0;
        pieces[count++] = TEXT("} as const;\n\n/** True for a value of `");
        pieces[count++] = name;
        pieces[count++] = TEXT("` this SDK knows; false for an `UnknownEnumValue` or anything else. */\nexport function ");
        pieces[count++] = guard_text;
        pieces[count++] = one_line_signature ? TEXT("(value: unknown): value is (typeof ")
                                             : TEXT("(\n    value: unknown,\n): value is (typeof ");
        pieces[count++] = name;
        pieces[count++] = TEXT(")[keyof typeof ");
        pieces[count++] = name;
        pieces[count++] = TEXT("] {\n    return (Object.values(");
        pieces[count++] = name;
        pieces[count++] = TEXT(") as unknown[]).includes(value);\n}\n");
        out_text(printer, pieces, count);
        strbuf_free(&guard);
        return;
    }

    emit_enum_doc(printer, decl, guard.data, 0);
    out_pieces(printer, TEXT("export type "), &name, 1, TEXT(" ="), false);
    for (size_t i = 0; i < decl->member_count; i++) {
        buf_append(out, i ? " | " : " ", i ? 3 : 1);
        append_enum_value(out, decl, decl->members[i]);
    }
    PRINTER_LINE(printer, decl->member_count ? " | " : " ", "UnknownEnumValue<", base.text, ">;");
    out_newline(printer);
    emit_enum_doc(printer, decl, guard.data, 1);
    out_pieces_line(printer, TEXT("export const "), &name, 1, TEXT(" = {"));
    emit_enum_members(printer, decl);
    OUT_FIXED_LINE(printer, "} as const;");
    out_newline(printer);
    emit_enum_doc(printer, decl, guard.data, 2);
    if (one_line_signature) {
        out_pieces_line(printer, TEXT("export function "), TEXT_PIECES(guard_text, TEXT("(value: unknown): value is (typeof "), name, TEXT(")[keyof typeof "), name), TEXT("] {"));
    } else {
        out_pieces_line(printer, TEXT("export function "), &guard_text, 1, TEXT("("));
        OUT_FIXED_LINE(printer, "    value: unknown,");
        out_pieces_line(printer, TEXT("): value is (typeof "), TEXT_PIECES(name, TEXT(")[keyof typeof "), name), TEXT("] {"));
    }
    printer_indent(printer);
    out_pieces_line(printer, TEXT("return (Object.values("), &name, 1, TEXT(") as unknown[]).includes(value);"));
    printer_dedent(printer);
    OUT_FIXED_LINE(printer, "}");
    strbuf_free(&guard);
}

static void emit_union_shape(const TsEmitter *emitter, Printer *printer, const IrDecl *decl, Direction direction) {
    TypeContext context = {emitter, direction};
    DocText doc;
    doc_init(&doc);
    if (decl->doc && *decl->doc) {
        doc_append_user(&doc, decl->doc);
    } else {
        PRINTER_PUTS(&doc.printer, "One of: ");
        for (size_t i = 0; i < decl->alternative_count; i++) {
            PRINTER_PUTS(&doc.printer, i ? ", " : "", "`");
            print_type(&doc.printer, &context, decl->alternatives[i]);
            PRINTER_PUTS(&doc.printer, "`");
        }
        PRINTER_PUTS(&doc.printer, ".");
    }
    if (decl->discriminator) {
        doc_paragraph(&doc);
        PRINTER_PUTS(&doc.printer, "Tagged by the field ");
        printer_string_literal(&doc.printer, TS, decl->discriminator, strlen(decl->discriminator));
        PRINTER_PUTS(&doc.printer, ": check it to narrow the type.");
    } else {
        doc_paragraph(&doc);
        PRINTER_PUTS(&doc.printer, "Untagged: the server tries the alternatives in this order.");
    }
    ts_jsdoc(printer, doc_cstr(&doc), backend_deprecation_reason(&decl->deprecation));
    doc_free(&doc);
    PRINTER_PUTS(printer, "export type ", decl_name(&context, decl), " =");
    for (size_t i = 0; i < decl->alternative_count; i++) {
        PRINTER_PUTS(printer, i ? " | " : " ");
        print_type(printer, &context, decl->alternatives[i]);
    }
    PRINTER_LINE(printer, ";");
}

static void emit_alias_shape(const TsEmitter *emitter, Printer *printer, const IrDecl *decl, Direction direction) {
    TypeContext context = {emitter, direction};
    DocText doc;
    doc_init(&doc);
    if (decl->doc && *decl->doc) {
        doc_append_user(&doc, decl->doc);
    } else {
        PRINTER_PUTS(&doc.printer, "Another name for `");
        print_type(&doc.printer, &context, decl->aliased);
        PRINTER_PUTS(&doc.printer, "`.");
    }
    const char *format = format_sentence(&context, ir_resolve_alias(decl->aliased)->kind);
    if (format) {
        doc_paragraph(&doc);
        PRINTER_PUTS(&doc.printer, format);
    }
    ts_jsdoc(printer, doc_cstr(&doc), backend_deprecation_reason(&decl->deprecation));
    doc_free(&doc);
    PRINTER_PUTS(printer, "export type ", decl_name(&context, decl), " = ");
    print_type(printer, &context, decl->aliased);
    PRINTER_LINE(printer, ";");
}

/* A union or an alias, in both shapes when it has two. */
static void emit_type_decl(const TsEmitter *emitter, Printer *printer, const IrDecl *decl,
                           void (*emit_shape)(const TsEmitter *, Printer *, const IrDecl *, Direction)) {
    if (input_name_of(emitter, decl)) {
        emit_shape(emitter, printer, decl, DIRECTION_RESULT);
        out_newline(printer);
        emit_shape(emitter, printer, decl, DIRECTION_INPUT);
    } else {
        emit_shape(emitter, printer, decl, single_direction(decl));
    }
}

static bool emit_types(void *context, Printer *printer) {
    const TsEmitter *emitter = context;
    print_marker(printer, emitter->options);
    PRINTER_LINE(printer, "// The data types of the API. Wire names are the property names: values go to the server as is.");
    bool has_enum = false;
    for (size_t i = 0; i < emitter->program->decl_count; i++) has_enum |= emitter->program->decls[i]->kind == IR_DECL_ENUM;
    if (has_enum) PRINTER_LINE(printer, "import type { UnknownEnumValue } from \"./rpc-client.js\";");
    for (size_t i = 0; i < emitter->program->decl_count; i++) {
        const IrDecl *decl = emitter->program->decls[i];
        out_newline(printer);
        switch (decl->kind) {
        case IR_DECL_MODEL: emit_model(emitter, printer, decl); break;
        case IR_DECL_ENUM: emit_enum(emitter, printer, decl); break;
        case IR_DECL_UNION: emit_type_decl(emitter, printer, decl, emit_union_shape); break;
        case IR_DECL_ALIAS: emit_type_decl(emitter, printer, decl, emit_alias_shape); break;
        }
    }
    if (emitter->program->decl_count == 0) {
        out_newline(printer);
        PRINTER_LINE(printer, "export {};");
    }
    return true;
}

/* True when a call may pass no parameters at all: every field may be omitted. */
static bool params_all_omissible(const IrDecl *params) {
    for (size_t i = 0; i < params->field_count; i++) {
        if (!field_is_omissible(DIRECTION_INPUT, params->fields[i])) return false;
    }
    return true;
}

/* A name to sort with its first eight bytes as a big-endian number (NUL-padded): most comparisons are of those
 * (strcmp's order), the rest of the text compared only when they are equal. */
typedef struct SortedName {
    uint64_t key;
    const char *name;
} SortedName;

static SortedName sorted_name(const char *name) {
    uint64_t key = 0;
    size_t i = 0;
    for (; i < 8 && name[i]; i++) key = key << 8 | (unsigned char)name[i];
    return (SortedName){i == 8 ? key : i == 0 ? 0 : key << (8 * (8 - i)), name}; /* no shift by 64 */
}

static bool name_before(const SortedName *left, const SortedName *right) {
    if (left->key != right->key) return left->key < right->key;
    return strcmp(left->name, right->name) < 0;
}

/* Sorts names[0..count) in strcmp's order: a bottom-up merge sort through `spare` (count more). */
static void sort_names(SortedName *names, SortedName *spare, size_t count) {
    SortedName *from = names, *to = spare;
    for (size_t width = 1; width < count; width *= 2) {
        for (size_t start = 0; start < count; start += 2 * width) {
            size_t middle = start + width < count ? start + width : count;
            size_t end = start + 2 * width < count ? start + 2 * width : count;
            size_t left = start, right = middle, out = start;
            while (left < middle && right < end) to[out++] = name_before(&from[right], &from[left]) ? from[right++] : from[left++];
            while (left < middle) to[out++] = from[left++];
            while (right < end) to[out++] = from[right++];
        }
        SortedName *swap = from;
        from = to;
        to = swap;
    }
    if (from != names) memcpy(names, from, count * sizeof *names);
}

/* The type names client.ts imports: params and results of every rpc, the publication types of every channel (and
 * their input shapes for publish methods), sorted, without duplicates. `names` has room for twice as many. */
static size_t client_imports(const TsEmitter *emitter, SortedName *names) {
    const IrProgram *program = emitter->program;
    TypeContext input = {emitter, DIRECTION_INPUT};
    size_t count = 0;
    for (size_t i = 0; i < program->rpc_count; i++) {
        const IrRpc *rpc = program->rpcs[i];
        if (rpc->params) names[count++] = sorted_name(decl_name(&input, rpc->params));
        if (rpc->result) names[count++] = sorted_name(rpc->result->names.in[TS]);
    }
    for (size_t i = 0; i < program->channel_count; i++) {
        const IrChannel *channel = program->channels[i];
        names[count++] = sorted_name(channel->publication->names.in[TS]);
        if (channel->client_publish) names[count++] = sorted_name(decl_name(&input, channel->publication));
    }
    sort_names(names, names + count, count);
    size_t unique = 0;
    for (size_t i = 0; i < count; i++) {
        if (unique == 0 || names[unique - 1].key != names[i].key || strcmp(names[unique - 1].name, names[i].name) != 0)
            names[unique++] = names[i];
    }
    return unique;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Channels: one subscribe method per channel (and a publish method for @publish), in client.ts               */

static void append_prettier_string(StrBuf *out, const char *text);

/* The kind a channel parameter's type resolves to: IR_STRING or IR_INT (checked by the IR). */
static IrTypeKind channel_param_kind(const IrChannelParam *param) {
    return ir_resolve_alias(param->type)->kind == IR_INT ? IR_INT : IR_STRING;
}

/* Whether some channel has a parameter of `kind` (client.ts then imports its runtime helper). */
static bool channels_have_param_kind(const IrProgram *program, IrTypeKind kind) {
    for (size_t i = 0; i < program->channel_count; i++) {
        const IrChannel *channel = program->channels[i];
        for (size_t p = 0; p < channel->param_count; p++) {
            if (channel_param_kind(channel->params[p]) == kind) return true;
        }
    }
    return false;
}

static bool channels_publish(const IrProgram *program) {
    for (size_t i = 0; i < program->channel_count; i++) {
        if (program->channels[i]->client_publish) return true;
    }
    return false;
}

/* `{ userId: string; roomId: number }`: the params object of a channel (NULL-free; only with parameters). */
static void append_channel_params_type(StrBuf *out, const TsEmitter *emitter, const IrChannel *channel) {
    TypeContext context = {emitter, DIRECTION_INPUT};
    strbuf_puts(out, "params: { ");
    for (size_t p = 0; p < channel->param_count; p++) {
        const IrChannelParam *param = channel->params[p];
        strbuf_printf(out, "%s%s: %s", p ? "; " : "", param->names.in[TS],
                      scalar_type(&context, channel_param_kind(param)));
    }
    strbuf_puts(out, " }");
}

/* The channel name as an expression: a string literal without parameters, else a template literal whose
 * placeholders go through the runtime's checks (channelString refuses what would change the name's meaning,
 * channelInt prints an integer in decimal). */
static void append_channel_name(StrBuf *out, const IrChannel *channel) {
    if (channel->param_count == 0) {
        StrBuf text;
        strbuf_init(&text);
        for (size_t i = 0; i < channel->part_count; i++) {
            const IrChannelPart *part = channel->parts[i];
            if (part->text) strbuf_append(&text, part->text, part->text_length);
        }
        append_prettier_string(out, strbuf_cstr(&text));
        strbuf_free(&text);
        return;
    }
    strbuf_putc(out, '`');
    for (size_t i = 0; i < channel->part_count; i++) {
        const IrChannelPart *part = channel->parts[i];
        if (part->param) {
            const char *name = part->param->names.in[TS];
            strbuf_printf(out, "${%s(params.%s, ", channel_param_kind(part->param) == IR_INT ? "channelInt" : "channelString",
                          name);
            append_prettier_string(out, name);
            strbuf_puts(out, ")}");
            continue;
        }
        for (size_t c = 0; c < part->text_length; c++) {
            unsigned char byte = (unsigned char)part->text[c];
            if (byte == '\\' || byte == '`' || (byte == '$' && c + 1 < part->text_length && part->text[c + 1] == '{')) {
                strbuf_putc(out, '\\');
                strbuf_putc(out, (char)byte);
            } else if (byte < 0x20) {
                strbuf_printf(out, "\\u%04x", byte);
            } else {
                strbuf_putc(out, (char)byte);
            }
        }
    }
    strbuf_putc(out, '`');
}

/* `head(a, b): returns {` on one line when it fits in 120 columns (at the class body's indent of 4), else one
 * parameter a line, as prettier breaks a signature. */
static void print_signature(Printer *printer, const char *head, const char *const *params, size_t count,
                            const char *returns) {
    size_t line = 4 + strlen(head) + strlen("(): {") + strlen(returns);
    for (size_t i = 0; i < count; i++) line += strlen(params[i]) + (i ? 2 : 0);
    if (line <= 120) {
        printer_printf(printer, "%s(", head);
        for (size_t i = 0; i < count; i++) printer_printf(printer, "%s%s", i ? ", " : "", params[i]);
        printer_printf(printer, "): %s {\n", returns);
        return;
    }
    printer_line(printer, "%s(", head);
    printer_indent(printer);
    for (size_t i = 0; i < count; i++) printer_line(printer, "%s,", params[i]);
    printer_dedent(printer);
    printer_line(printer, "): %s {", returns);
}

/* `return callee(a, b);` on one line when it fits (at the method body's indent of 8), else one argument a line. */
static void print_return_call(Printer *printer, const char *callee, const char *const *arguments, size_t count) {
    size_t line = 8 + strlen("return ();") + strlen(callee);
    for (size_t i = 0; i < count; i++) line += strlen(arguments[i]) + (i ? 2 : 0);
    if (line <= 120) {
        printer_printf(printer, "return %s(", callee);
        for (size_t i = 0; i < count; i++) printer_printf(printer, "%s%s", i ? ", " : "", arguments[i]);
        printer_printf(printer, ");\n");
        return;
    }
    printer_line(printer, "return %s(", callee);
    printer_indent(printer);
    for (size_t i = 0; i < count; i++) printer_line(printer, "%s,", arguments[i]);
    printer_dedent(printer);
    printer_line(printer, ");");
}

/* The doc lines every method of a channel shares: the user's doc, what the channel is, its parameters. */
static void doc_channel(DocText *doc, const IrChannel *channel) {
    doc_append_user(doc, channel->doc);
    doc_paragraph(doc);
}

static void doc_channel_params(DocText *doc, const IrChannel *channel) {
    if (channel->param_count == 0) return;
    printer_printf(&doc->printer, "@param params - the channel's parameters:");
    for (size_t p = 0; p < channel->param_count; p++) {
        const IrChannelParam *param = channel->params[p];
        printer_printf(&doc->printer, "%s `%s` for `{%s}`", p ? "," : "", param->names.in[TS], param->name);
    }
    printer_printf(&doc->printer, "\n");
}

static void emit_channel_subscribe(const TsEmitter *emitter, Printer *printer, const IrChannel *channel) {
    const char *publication = channel->publication->names.in[TS];
    out_newline(printer);
    DocText doc;
    doc_init(&doc);
    doc_channel(&doc, channel);
    printer_printf(&doc.printer, "Subscribes to the channel `%s` (`%s`): each publication is a `%s`.\n", channel->pattern,
                   channel->name, publication);
    if (channel->history) {
        printer_printf(&doc.printer, "The channel keeps history: after a reconnect, the publications missed meanwhile "
                                     "arrive first,\nin order and once, or `onRecoveryFailed` is told they could not.\n");
    }
    doc_channel_params(&doc, channel);
    printer_printf(&doc.printer, "@param options - handlers (`onPublication`, `onError`, `onStateChange`, "
                                 "`onRecoveryFailed`), and a `signal`\nthat unsubscribes\n");
    printer_printf(&doc.printer, "@returns the subscription: `for await` over it, or add handlers; `unsubscribe()` ends "
                                 "it\n");
    printer_printf(&doc.printer, "@throws `RPCError` (kind `\"client\"`, code 18): a parameter that does not fit in a "
                                 "channel name, or a second\nsubscription to the same channel");
    ts_jsdoc(printer, doc_cstr(&doc), backend_deprecation_reason(&channel->deprecation));
    doc_free(&doc);

    StrBuf params_type, options_param, returns, head;
    strbuf_init(&params_type);
    strbuf_init(&options_param);
    strbuf_init(&returns);
    strbuf_init(&head);
    const char *signature[2];
    size_t signature_count = 0;
    if (channel->param_count) {
        append_channel_params_type(&params_type, emitter, channel);
        signature[signature_count++] = strbuf_cstr(&params_type);
    }
    strbuf_printf(&options_param, "options: SubscribeOptions<%s> = {}", publication);
    signature[signature_count++] = strbuf_cstr(&options_param);
    strbuf_printf(&returns, "ChannelSubscription<%s>", publication);
    strbuf_puts(&head, channel->subscribe_names.in[TS]);
    print_signature(printer, strbuf_cstr(&head), signature, signature_count, strbuf_cstr(&returns));
    printer_indent(printer);

    StrBuf name, check, callee;
    strbuf_init(&name);
    strbuf_init(&check);
    strbuf_init(&callee);
    append_channel_name(&name, channel);
    printer_line(printer, "const channel = %s;", strbuf_cstr(&name));
    strbuf_puts(&check, "schema.publication(");
    append_prettier_string(&check, channel->name);
    strbuf_puts(&check, ")");
    strbuf_printf(&callee, "subscribeChannel<%s>", publication);
    const char *arguments[] = {"this.#client", "channel", strbuf_cstr(&check), "options", "true"};
    /* The last argument, `recoverable`, is printed only for channels with history. */
    print_return_call(printer, strbuf_cstr(&callee), arguments, channel->history ? 5 : 4);
    printer_dedent(printer);
    printer_line(printer, "}");
    strbuf_free(&name);
    strbuf_free(&check);
    strbuf_free(&callee);
    strbuf_free(&params_type);
    strbuf_free(&options_param);
    strbuf_free(&returns);
    strbuf_free(&head);
}

static void emit_channel_publish(const TsEmitter *emitter, Printer *printer, const IrChannel *channel) {
    TypeContext input = {emitter, DIRECTION_INPUT};
    const char *publication = decl_name(&input, channel->publication);
    out_newline(printer);
    DocText doc;
    doc_init(&doc);
    doc_channel(&doc, channel);
    printer_printf(&doc.printer, "Publishes into the channel `%s` (`%s`); the backend checks the publication\nbefore "
                                 "Centrifugo sends it to the subscribers.\n", channel->pattern, channel->name);
    doc_channel_params(&doc, channel);
    printer_printf(&doc.printer, "@param publication - the `%s` to publish\n", publication);
    printer_printf(&doc.printer, "@param options - `signal` to cancel, `timeout` in milliseconds\n");
    printer_printf(&doc.printer, "@throws `RPCError`: a refusal (kind `\"server\"`, 103 when the backend refused it), a "
                                 "timeout, a disconnect,\na parameter that does not fit in a channel name (kind "
                                 "`\"client\"`, code 18)");
    ts_jsdoc(printer, doc_cstr(&doc), backend_deprecation_reason(&channel->deprecation));
    doc_free(&doc);

    StrBuf params_type, publication_param, head;
    strbuf_init(&params_type);
    strbuf_init(&publication_param);
    strbuf_init(&head);
    const char *signature[3];
    size_t signature_count = 0;
    if (channel->param_count) {
        append_channel_params_type(&params_type, emitter, channel);
        signature[signature_count++] = strbuf_cstr(&params_type);
    }
    strbuf_printf(&publication_param, "publication: %s", publication);
    signature[signature_count++] = strbuf_cstr(&publication_param);
    signature[signature_count++] = "options: CallOptions = {}";
    strbuf_printf(&head, "async %s", channel->publish_names.in[TS]);
    print_signature(printer, strbuf_cstr(&head), signature, signature_count, "Promise<void>");
    printer_indent(printer);
    StrBuf name;
    strbuf_init(&name);
    append_channel_name(&name, channel);
    printer_line(printer, "const channel = %s;", strbuf_cstr(&name));
    printer_line(printer, "return this.#client.publish(channel, publication, options);");
    printer_dedent(printer);
    printer_line(printer, "}");
    strbuf_free(&name);
    strbuf_free(&params_type);
    strbuf_free(&publication_param);
    strbuf_free(&head);
}

/* A @oneway method: CentrifugoRPCClient.send, which resolves once the message is handed to Centrifugo. */
static void emit_oneway_method(Printer *printer, const IrRpc *rpc, const char *params) {
    out_newline(printer);
    DocText method_doc;
    doc_init(&method_doc);
    doc_append_user(&method_doc, rpc->doc);
    doc_paragraph(&method_doc);
    PRINTER_LINE(&method_doc.printer, "Sends `", rpc->method, "` one-way: resolves once the message is handed to Centrifugo; the server answers nothing, not even an error.");
    if (params) PRINTER_LINE(&method_doc.printer, "@param params - the `", params, "` to send");
    PRINTER_LINE(&method_doc.printer, "@param options - `signal` to cancel, `timeout` in milliseconds to wait for the connection");
    PRINTER_PUTS(&method_doc.printer, "@throws `RPCError`: not connected in time, a request too large");
    ts_jsdoc(printer, doc_cstr(&method_doc), backend_deprecation_reason(&rpc->deprecation));
    doc_free(&method_doc);
    if (params) {
        bool omissible = params_all_omissible(rpc->params);
        PRINTER_LINE(printer, "async ", rpc->names.in[TS], "(params: ", params, omissible ? " = {}" : "", ", options: CallOptions = {}): Promise<void> {");
    } else {
        PRINTER_LINE(printer, "async ", rpc->names.in[TS], "(options: CallOptions = {}): Promise<void> {");
    }
    printer_indent(printer);
    Printer method;
    printer_init(&method, "");
    printer_string_literal(&method, TS, rpc->method, strlen(rpc->method));
    PRINTER_LINE(printer, "return this.#client.send(", strbuf_cstr(&method.out), ", ", rpc->params ? "params" : "{}", ", options);");
    printer_free(&method);
    printer_dedent(printer);
    PRINTER_LINE(printer, "}");
}

/* A method that calls an rpc and checks its result. */
static void emit_call_method(const TsEmitter *emitter, Printer *printer, const IrRpc *rpc, const char *params,
                             StrBuf *literal) {
    Text result = text_of(rpc->result->names.in[TS]), method = text_of(rpc->method);
    Text params_text = params ? text_of(params) : TEXT("");
    out_newline(printer);
    /* The doc written line by line when its pieces are plain and there is no deprecation (nearly always). */
    Text user;
    Text name = text_of(rpc->names.in[TS]);
    if (!rpc->deprecation.deprecated && doc_plain_line(rpc->doc, &user) && text_plain(method) &&
        text_plain(params_text) && text_plain(result)) {
        /* The doc and the signature in one piece. */
        Text pieces[40];
        size_t count = 0;
        pieces[count++] = TEXT("/**");
        pieces[count++] = LINE_BREAK;
        if (user.len) {
            pieces[count++] = TEXT(" * ");
            pieces[count++] = user;
            pieces[count++] = LINE_BREAK;
            pieces[count++] = TEXT(" *");
            pieces[count++] = LINE_BREAK;
        }
        pieces[count++] = TEXT(" * Calls `");
        pieces[count++] = method;
        pieces[count++] = TEXT("`.");
        pieces[count++] = LINE_BREAK;
        if (params) {
            pieces[count++] = TEXT(" * @param params - the `");
            pieces[count++] = params_text;
            pieces[count++] = TEXT("` to send");
            pieces[count++] = LINE_BREAK;
        }
        pieces[count++] = TEXT(" * @param options - `signal` to cancel the call, `timeout` in milliseconds");
        pieces[count++] = LINE_BREAK;
        pieces[count++] = TEXT(" * @returns the `");
        pieces[count++] = result;
        pieces[count++] = TEXT("` the server answered");
        pieces[count++] = LINE_BREAK;
        pieces[count++] = TEXT(" * @throws `RPCError`: an error reply, a timeout, a disconnect, a result that does not fit the API");
        pieces[count++] = LINE_BREAK;
        pieces[count++] = TEXT(" */");
        pieces[count++] = LINE_BREAK;
        pieces[count++] = TEXT("async ");
        pieces[count++] = name;
        if (params) {
            pieces[count++] = TEXT("(params: ");
            pieces[count++] = params_text;
            pieces[count++] = params_all_omissible(rpc->params) ? TEXT(" = {}, options: CallOptions = {}): Promise<")
                                                                : TEXT(", options: CallOptions = {}): Promise<");
        } else {
            pieces[count++] = TEXT("(options: CallOptions = {}): Promise<");
        }
        pieces[count++] = result;
        pieces[count++] = TEXT("> {\n");
        out_lines(printer, pieces, count);
    } else {
        DocText *doc = emitter->scratch;
        doc_clear(doc);
        doc_append_user(doc, rpc->doc);
        doc_paragraph(doc);
        PRINTER_LINE(&doc->printer, "Calls `", rpc->method, "`.");
        if (params) PRINTER_LINE(&doc->printer, "@param params - the `", params, "` to send");
        PRINTER_LINE(&doc->printer, "@param options - `signal` to cancel the call, `timeout` in milliseconds");
        PRINTER_LINE(&doc->printer, "@returns the `", result.text, "` the server answered");
        PRINTER_PUTS(&doc->printer, "@throws `RPCError`: an error reply, a timeout, a disconnect, a result that does not fit the API");
        ts_jsdoc_text(printer, doc_cstr(doc), doc->printer.out.len, backend_deprecation_reason(&rpc->deprecation));
        if (params) {
            bool omissible = params_all_omissible(rpc->params);
            out_pieces_line(printer, TEXT("async "), TEXT_PIECES(name, TEXT("(params: "), params_text, omissible ? TEXT(" = {}") : TEXT(""), TEXT(", options: CallOptions = {}): Promise<"), result), TEXT("> {"));
        } else {
            out_pieces_line(printer, TEXT("async "), TEXT_PIECES(name, TEXT("(options: CallOptions = {}): Promise<"), result), TEXT("> {"));
        }
    }
    printer_indent(printer);
    /* The result is checked against schema.ts. One line when it fits in 120 columns, else one argument a line
     * (prettier's layout). */
    strbuf_clear(literal);
    if (literal_plain(method.text, method.len)) {
        strbuf_putc(literal, '"');
        strbuf_append(literal, method.text, method.len);
        strbuf_putc(literal, '"');
    } else {
        escape_string_literal(literal, TS, method.text, method.len);
    }
    Text method_literal = {strbuf_cstr(literal), literal->len};
    Text params_argument = rpc->params ? TEXT("params") : TEXT("{}");
    size_t line = strlen("        return this.#client.call<>(, , options, schema.result(\"\"));") + 2 * result.len +
                  method_literal.len + params_argument.len;
    if (line <= 120) {
        out_pieces_line(printer, TEXT("return this.#client.call<"), TEXT_PIECES(result, TEXT(">("), method_literal, TEXT(", "), params_argument, TEXT(", options, schema.result(\""), result), TEXT("\"));"));
    } else {
        out_pieces_line(printer, TEXT("return this.#client.call<"), &result, 1, TEXT(">("));
        printer_indent(printer);
        out_pieces_line(printer, TEXT(""), &method_literal, 1, TEXT(","));
        out_pieces_line(printer, TEXT(""), &params_argument, 1, TEXT(","));
        OUT_FIXED_LINE(printer, "options,");
        out_pieces_line(printer, TEXT("schema.result(\""), &result, 1, TEXT("\"),"));
        printer_dedent(printer);
        OUT_FIXED_LINE(printer, ");");
    }
    printer_dedent(printer);
    OUT_FIXED_LINE(printer, "}");
}

static bool emit_client(void *context, Printer *printer) {
    const TsEmitter *emitter = context;
    const IrProgram *program = emitter->program;
    print_marker(printer, emitter->options);
    if (program->channel_count) {
        /* What the channel methods use from the runtime: its types, and the checks of channel parameters. */
        bool calls = program->rpc_count || channels_publish(program);
        PRINTER_LINE(printer, "import type {", calls ? " CallOptions," : "", " CentrifugoRPCClient, ChannelSubscription, SubscribeOptions } from \"./rpc-client.js\";");
        bool ints = channels_have_param_kind(program, IR_INT), strings = channels_have_param_kind(program, IR_STRING);
        PRINTER_LINE(printer, "import { ", ints ? "channelInt, " : "", strings ? "channelString, " : "", "subscribeChannel } from \"./rpc-client.js\";");
        PRINTER_LINE(printer, "import { schema } from \"./schema.js\";");
    } else if (program->rpc_count == 0) {
        PRINTER_LINE(printer, "import type { CentrifugoRPCClient } from \"./rpc-client.js\";");
    } else {
        PRINTER_LINE(printer, "import type { CallOptions, CentrifugoRPCClient } from \"./rpc-client.js\";");
        /* schema.ts checks results: a program of one-way methods only has none to check. */
        bool any_result = false;
        for (size_t i = 0; i < program->rpc_count; i++) any_result = any_result || !program->rpcs[i]->oneway;
        if (any_result) PRINTER_LINE(printer, "import { schema } from \"./schema.js\";");
    }
    SortedName *names = checked_calloc(2 * (program->rpc_count * 2 + program->channel_count * 2) + 1, sizeof *names);
    size_t name_count = client_imports(emitter, names);
    size_t line_length = strlen("import type {  } from \"./types.js\";");
    for (size_t i = 0; i < name_count; i++) line_length += strlen(names[i].name) + (i ? 2 : 0);
    if (name_count && line_length <= 120) {
        PRINTER_PUTS(printer, "import type {");
        for (size_t i = 0; i < name_count; i++) PRINTER_PUTS(printer, i ? "," : "", " ", names[i].name);
        PRINTER_LINE(printer, " } from \"./types.js\";");
    } else if (name_count) {
        /* One name a line, as formatters wrap a long import. */
        OUT_FIXED_LINE(printer, "import type {");
        printer_indent(printer);
        for (size_t i = 0; i < name_count; i++) {
            Text name = text_of(names[i].name);
            out_pieces_line(printer, TEXT(""), &name, 1, TEXT(","));
        }
        printer_dedent(printer);
        OUT_FIXED_LINE(printer, "} from \"./types.js\";");
    }
    free(names);
    out_newline(printer);

    /* The contract hash: the APIClient has the base client send it with every call (spec/evolution.md). */
    char contract_hash[72];
    backend_contract_hash(program, emitter->options, contract_hash);
    ts_jsdoc(printer, "The contract hash of the file (`rpcc --contract-hash`): the `APIClient` sends it with every call.",
                  NULL);
    PRINTER_LINE(printer, "export const CONTRACT_HASH = \"", contract_hash, "\";");
    out_newline(printer);

    DocText doc;
    doc_init(&doc);
    PRINTER_PUTS(&doc.printer, "The methods of ");
    StrBuf input;
    strbuf_init(&input);
    backend_append_input_name(&input, emitter->options);
    printer_write(&doc.printer, input.data, input.len);
    strbuf_free(&input);
    printer_printf(&doc.printer, ", one typed async method each.\n\n"
                                 "Every method rejects with an `RPCError`: `kind` tells a server error (`code`, `message`)"
                                 " from a timeout or a disconnect.\n\n");
    if (program->channel_count) {
        printer_printf(&doc.printer, "Each channel has a `subscribe` method that returns a typed `ChannelSubscription` "
                                     "(and a `publish`\nmethod when clients may publish into it).\n\n");
    }
    printer_printf(&doc.printer, "```ts\n"
                                 "const client = new CentrifugoRPCClient(\"ws://localhost:8000/connection/websocket\", token, userId);\n"
                                 "await client.connect();\n"
                                 "const api = new APIClient(client);\n"
                                 "```");
    ts_jsdoc(printer, doc_cstr(&doc), NULL);
    doc_free(&doc);
    PRINTER_LINE(printer, "export class APIClient {");
    printer_indent(printer);
    if (program->rpc_count == 0 && program->channel_count == 0) {
        /* No method would read the client: an unused field does not compile under noUnusedLocals. */
        ts_jsdoc(printer, "@param _client - the base client (this API declares no methods)", NULL);
        PRINTER_LINE(printer, "constructor(_client: CentrifugoRPCClient) {}");
    } else {
        PRINTER_LINE(printer, "readonly #client: CentrifugoRPCClient;");
        out_newline(printer);
        ts_jsdoc(printer, "@param client - a connected (or soon connected) base client; either transport works",
                      NULL);
        PRINTER_LINE(printer, "constructor(client: CentrifugoRPCClient) {");
        printer_indent(printer);
        PRINTER_LINE(printer, "this.#client = client;");
        PRINTER_LINE(printer, "client.contractHash = CONTRACT_HASH;");
        printer_dedent(printer);
        PRINTER_LINE(printer, "}");
    }

    TypeContext input_context = {emitter, DIRECTION_INPUT};
    StrBuf literal; /* each method's name as a string literal */
    strbuf_init(&literal);
    for (size_t i = 0; i < program->rpc_count; i++) {
        const IrRpc *rpc = program->rpcs[i];
        const char *params = rpc->params ? decl_name(&input_context, rpc->params) : NULL;
        if (rpc->oneway) {
            emit_oneway_method(printer, rpc, params);
            continue;
        }
        emit_call_method(emitter, printer, rpc, params, &literal);
    }
    strbuf_free(&literal);
    for (size_t i = 0; i < program->channel_count; i++) {
        emit_channel_subscribe(emitter, printer, program->channels[i]);
        if (program->channels[i]->client_publish) emit_channel_publish(emitter, printer, program->channels[i]);
    }
    printer_dedent(printer);
    PRINTER_LINE(printer, "}");
    return true;
}

static bool emit_index(void *context, Printer *printer) {
    const TsEmitter *emitter = context;
    print_marker(printer, emitter->options);
    printer_line(printer, "export { APIClient, CONTRACT_HASH } from \"./client.js\";");
    printer_block(printer, "export {\n"
                           "    CentrifugoRPCClient,\n"
                           "    DEFAULT_MAX_MESSAGE_SIZE,\n"
                           "    RPCContractError,\n"
                           "    RPCError,\n"
                           "    RPCReplyError,\n"
                           "    RPCRequestTooLargeError,\n"
                           "    parseJson,\n"
                           "    stringifyJson,\n"
                           "} from \"./rpc-client.js\";\n",
                  NULL);
    if (emitter->program->channel_count) {
        /* What the channel methods return and take, and their errors. */
        printer_block(printer, "export { ChannelSubscription, RPCPublicationError, RPCSubscriptionError } from \"./rpc-client.js\";\n"
                               "export type {\n"
                               "    CallOptions,\n"
                               "    CentrifugoRPCClientOptions,\n"
                               "    PublicationInfo,\n"
                               "    SubscribeOptions,\n"
                               "    SubscriptionState,\n"
                               "    UnknownEnumValue,\n"
                               "} from \"./rpc-client.js\";\n",
                      NULL);
    } else {
        /* The namer reserves these names for TypeScript types, so `export *` below cannot clash with them. */
        printer_line(printer, "export type { CallOptions, CentrifugoRPCClientOptions, UnknownEnumValue } from \"./rpc-client.js\";");
    }
    /* The hook interface (no OpenTelemetry in it); its OpenTelemetry implementation is the ./telemetry entry. */
    printer_line(printer, "export { TRACE_FIELD, errorKind, setCallHook } from \"./rpc-client.js\";");
    printer_line(printer, "export type { CallHook, CallInfo } from \"./rpc-client.js\";");
    printer_line(printer, "export * from \"./types.js\";");
    return true;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* schema.ts: what the base client checks of results                                                          */

/* A literal value as JSON (inside a shape: `literal(["circle", 2])`). */
static void append_json_literal(StrBuf *out, const IrValue *value) {
    switch (value->kind) {
    case IR_VALUE_STRING:
        strbuf_putc(out, '"');
        for (size_t i = 0; i < value->text_length; i++) {
            unsigned char c = (unsigned char)value->text[i];
            if (c == '"' || c == '\\') {
                strbuf_putc(out, '\\');
                strbuf_putc(out, (char)c);
            } else if (c < 0x20) {
                strbuf_printf(out, "\\u%04x", c);
            } else {
                strbuf_putc(out, (char)c);
            }
        }
        strbuf_putc(out, '"');
        break;
    case IR_VALUE_INT: strbuf_printf(out, "%lld", (long long)value->int_value); break;
    case IR_VALUE_BOOL: strbuf_puts(out, value->bool_value ? "true" : "false"); break;
    default: strbuf_puts(out, "null"); break;
    }
}


static bool prettier_plain(const char *text, size_t len);

/* Appends the shape of `type`; sets *quoted when the text may hold a byte prettier quoting escapes (a literal's,
 * or one in a model's name). */
static void append_shape_flagged(StrBuf *out, const IrType *type, bool *quoted);

static void append_shape_without_null(StrBuf *out, const IrType *type, bool *quoted) {
    switch (type->kind) {
    case IR_BOOL: BUF_LITERAL(out, "bool"); break;
    case IR_INT: BUF_LITERAL(out, "int"); break;
    case IR_FLOAT: BUF_LITERAL(out, "float"); break;
    case IR_ANY: BUF_LITERAL(out, "any"); break;
    case IR_LIST:
    case IR_MAP:
        if (type->kind == IR_LIST) {
            BUF_LITERAL(out, "list(");
        } else {
            BUF_LITERAL(out, "map(");
        }
        append_shape_flagged(out, type->element, quoted);
        BUF_LITERAL(out, ")");
        break;
    case IR_LITERAL:
        *quoted = true;
        BUF_LITERAL(out, "literal([");
        for (size_t i = 0; i < type->literal_count; i++) {
            if (i) BUF_LITERAL(out, ", ");
            append_json_literal(out, type->literals[i]);
        }
        BUF_LITERAL(out, "])");
        break;
    case IR_REF: {
        const IrDecl *decl = type->decl;
        switch (decl->kind) {
        case IR_DECL_MODEL: {
            const char *name = decl->names.in[TS];
            size_t len = strlen(name);
            if (!prettier_plain(name, len)) *quoted = true;
            BUF_LITERAL(out, "model(");
            buf_append(out, name, len);
            BUF_LITERAL(out, ")");
            break;
        }
        case IR_DECL_ENUM:
            if (decl->int_enum) {
                BUF_LITERAL(out, "enum(number)");
            } else {
                BUF_LITERAL(out, "enum(string)");
            }
            break;
        case IR_DECL_ALIAS: append_shape_flagged(out, decl->aliased, quoted); break;
        case IR_DECL_UNION:
            BUF_LITERAL(out, "union(");
            for (size_t i = 0; i < decl->alternative_count; i++) {
                if (i) BUF_LITERAL(out, ", ");
                append_shape_flagged(out, decl->alternatives[i], quoted);
            }
            BUF_LITERAL(out, ")");
            break;
        }
        break;
    }
    default: BUF_LITERAL(out, "string"); break; /* every other scalar is a JSON string */
    }
}

static void append_shape_flagged(StrBuf *out, const IrType *type, bool *quoted) {
    if (type->nullable && type->kind != IR_ANY) {
        BUF_LITERAL(out, "null(");
        append_shape_without_null(out, type, quoted);
        BUF_LITERAL(out, ")");
    } else {
        append_shape_without_null(out, type, quoted);
    }
}

static void append_shape(StrBuf *out, const IrType *type) {
    bool quoted = false;
    append_shape_flagged(out, type, &quoted);
}

/* A string literal as prettier writes it: double quotes unless the text holds more of them than single quotes. */
/* The bytes a prettier string literal may not hold as they are: controls, quotes and the backslash. */
static const bool prettier_stops[256] = {
    [0] = true, [1] = true, [2] = true, [3] = true, [4] = true, [5] = true, [6] = true, [7] = true, [8] = true,
    [9] = true, [10] = true, [11] = true, [12] = true, [13] = true, [14] = true, [15] = true, [16] = true,
    [17] = true, [18] = true, [19] = true, [20] = true, [21] = true, [22] = true, [23] = true, [24] = true,
    [25] = true, [26] = true, [27] = true, [28] = true, [29] = true, [30] = true, [31] = true,
    ['"'] = true, ['\''] = true, ['\\'] = true,
};

static bool prettier_plain(const char *text, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (prettier_stops[(unsigned char)text[i]]) return false;
    }
    return true;
}

static void append_prettier_string(StrBuf *out, const char *text) {
    /* Most strings (names, shapes) hold no quote, backslash or control: found in one scan and copied. */
    const char *plain_end = text;
    while (!prettier_stops[(unsigned char)*plain_end]) plain_end++;
    if (*plain_end == '\0') {
        size_t len = (size_t)(plain_end - text);
        if (out->len + len + 3 > out->cap) strbuf_grow(out, len + 2);
        char *at = out->data + out->len;
        *at++ = '"';
        at = out_copy(at, text, len);
        *at++ = '"';
        *at = '\0';
        out->len = (size_t)(at - out->data);
        return;
    }
    size_t doubles = 0, singles = 0, specials = 0; /* specials: controls and backslashes */
    const char *end = text;
    for (; *end; end++) {
        doubles += *end == '"';
        singles += *end == '\'';
        specials += (unsigned char)*end < 0x20 || *end == '\\';
    }
    char quote = doubles > singles ? '\'' : '"';
    strbuf_putc(out, quote);
    if (specials == 0 && (quote == '"' ? doubles : singles) == 0) { /* nothing to escape: the text as it is */
        strbuf_append(out, text, (size_t)(end - text));
        strbuf_putc(out, quote);
        return;
    }
    for (const char *c = text; *c; c++) {
        if ((unsigned char)*c < 0x20) {
            strbuf_printf(out, "\\u%04x", (unsigned char)*c);
            continue;
        }
        if (*c == quote || *c == '\\') strbuf_putc(out, '\\');
        strbuf_putc(out, *c);
    }
    strbuf_putc(out, quote);
}

/* `schema.field("Model", "wire", "shape", required);` (or another method of the schema) on one line when it fits in
 * 120 columns, else one argument a line (prettier's layout). */
static void print_schema_call(Printer *printer, const char *method, const StrBuf *arguments, size_t count) {
    size_t method_len = strlen(method);
    size_t line = strlen("schema.();") + method_len;
    for (size_t i = 0; i < count; i++) line += arguments[i].len + (i ? 2 : 0);
    if (line <= 120) {
        /* The line's room made once, then its pieces copied in. */
        printer_putn(printer, "schema.", strlen("schema."));
        StrBuf *out = &printer->out;
        strbuf_grow(out, line + 1);
        char *cursor = out->data + out->len;
        strbuf_copy_bytes(cursor, method, method_len);
        cursor += method_len;
        *cursor++ = '(';
        for (size_t i = 0; i < count; i++) {
            if (i) {
                memcpy(cursor, ", ", 2);
                cursor += 2;
            }
            strbuf_copy_bytes(cursor, arguments[i].data, arguments[i].len); /* short: no call to memcpy */
            cursor += arguments[i].len;
        }
        memcpy(cursor, ");\n", 4); /* with the NUL */
        out->len = (size_t)(cursor + 3 - out->data);
        printer->at_line_start = true;
        return;
    }
    PRINTER_LINE(printer, "schema.", method, "(");
    printer_indent(printer);
    for (size_t i = 0; i < count; i++) {
        printer_putn(printer, arguments[i].data, arguments[i].len);
        printer_putn(printer, ",", 1);
        printer_end_line(printer);
    }
    printer_dedent(printer);
    PRINTER_LINE(printer, ");");
}

/* A field's line of schema.ts, `schema.field("Model", "wire", "shape", "required");`, written straight into the
 * output (schema.ts is not indented) with its arguments quoted in place; a line longer than 120 columns is written
 * again in print_schema_call's long form. `model` is the model's name quoted; `scratch` holds five buffers. */
static void emit_schema_field(Printer *printer, const StrBuf *model, const IrField *field, StrBuf *scratch) {
    StrBuf *out = &printer->out;
    /* A defaulted field is trusted to be present: the rpcc bridge always sends it. */
    Text presence = field->optional        ? TEXT("\"optional\"")
                    : field->default_value ? TEXT("\"defaulted\"")
                                           : TEXT("\"required\"");
    /* Most fields: a plain wire name and a shape that needs no quoting, the line written in one piece. */
    const IrType *type = field->type;
    Text scalar_shape = TEXT("");
    if (!type->nullable || type->kind == IR_ANY) {
        switch (type->kind) {
        case IR_BOOL: scalar_shape = TEXT("bool"); break;
        case IR_INT: scalar_shape = TEXT("int"); break;
        case IR_FLOAT: scalar_shape = TEXT("float"); break;
        case IR_ANY: scalar_shape = TEXT("any"); break;
        case IR_STRING:
        case IR_BYTES:
        case IR_DECIMAL:
        case IR_UUID:
        case IR_TIMESTAMP:
        case IR_DATE:
        case IR_TIME:
        case IR_DURATION: scalar_shape = TEXT("string"); break;
        default: break;
        }
    }
    if (!scalar_shape.len) { /* another shape, composed apart: quoted as it is unless it may hold a stop */
        StrBuf *composed = &scratch[4];
        strbuf_clear(composed);
        bool quoted = false;
        append_shape_flagged(composed, type, &quoted);
        if (!quoted) scalar_shape = (Text){composed->data, composed->len};
    }
    if (scalar_shape.len) {
        Text wire = text_of(field->wire_name);
        size_t line = strlen("schema.field(, \"\", \"\", );") + model->len + wire.len + scalar_shape.len + presence.len;
        if (line <= 120 && prettier_plain(wire.text, wire.len)) {
            char *at = out_room(printer, line + 1);
            OUT_LITERAL(at, "schema.field(");
            at = out_copy(at, model->data, model->len);
            OUT_LITERAL(at, ", \"");
            at = out_copy(at, wire.text, wire.len);
            OUT_LITERAL(at, "\", \"");
            at = out_copy(at, scalar_shape.text, scalar_shape.len);
            OUT_LITERAL(at, "\", ");
            at = out_copy(at, presence.text, presence.len);
            OUT_LITERAL(at, ");\n");
            out_commit(printer, at);
            printer->at_line_start = true;
            return;
        }
    }
    size_t start = out->len;
    char *at = out_room(printer, model->len + 16);
    OUT_LITERAL(at, "schema.field(");
    at = out_copy(at, model->data, model->len);
    OUT_LITERAL(at, ", ");
    out_commit(printer, at);
    size_t wire_start = out->len;
    append_prettier_string(out, field->wire_name);
    size_t wire_end = out->len;
    strbuf_append(out, ", \"", 3);
    size_t shape_start = out->len;
    bool quoted = false;
    append_shape_flagged(out, field->type, &quoted);
    /* The shape quoted as append_prettier_string does: as it is unless it holds a stop (only a literal or a model's
     * name can). */
    const char *shape = out->data + shape_start;
    size_t shape_len = out->len - shape_start;
    if (quoted && !prettier_plain(shape, shape_len)) {
        StrBuf *source = &scratch[4];
        strbuf_clear(source);
        strbuf_append(source, shape, shape_len);
        out->len = shape_start - 1; /* before the opening quote */
        append_prettier_string(out, strbuf_cstr(source));
    } else {
        strbuf_putc(out, '"');
    }
    size_t shape_end = out->len;
    at = out_room(printer, presence.len + 5);
    OUT_LITERAL(at, ", ");
    at = out_copy(at, presence.text, presence.len);
    OUT_LITERAL(at, ");");
    if ((size_t)(at - (out->data + start)) <= 120) {
        *at++ = '\n';
        out_commit(printer, at);
        printer->at_line_start = true;
        return;
    }
    /* Too long: the arguments moved out, the line written again one argument a line. */
    strbuf_clear(&scratch[0]);
    strbuf_append(&scratch[0], model->data, model->len);
    strbuf_clear(&scratch[1]);
    strbuf_append(&scratch[1], out->data + wire_start, wire_end - wire_start);
    strbuf_clear(&scratch[2]);
    strbuf_append(&scratch[2], out->data + wire_end + 2, shape_end - (wire_end + 2));
    strbuf_clear(&scratch[3]);
    strbuf_append(&scratch[3], presence.text, presence.len);
    out->len = start;
    out->data[start] = '\0';
    print_schema_call(printer, "field", scratch, 4);
}

static bool emit_schema(void *context, Printer *printer) {
    const TsEmitter *emitter = context;
    const IrProgram *program = emitter->program;
    print_marker(printer, emitter->options);
    printer_line(printer, "// What the typed methods check of each result, and how its integers are represented: every model of");
    printer_line(printer, "// the API, field by field (wire name, shape, presence). See `Schema` in");
    printer_line(printer, "// rpc-client.ts for what is checked and what is trusted.");
    printer_line(printer, "import { Schema } from \"./rpc-client.js\";");
    out_newline(printer);
    printer_line(printer, "export const schema = new Schema(\"%s\");", emitter->options->ts_bigint ? "bigint" : "number");
    StrBuf arguments[6]; /* emit_schema_field's five, and the model's name quoted */
    for (size_t a = 0; a < 6; a++) strbuf_init(&arguments[a]);
    for (size_t i = 0; i < program->decl_count; i++) {
        const IrDecl *decl = program->decls[i];
        if (decl->kind != IR_DECL_MODEL) continue;
        out_newline(printer);
        StrBuf *model = &arguments[5];
        strbuf_clear(model);
        append_prettier_string(model, decl->names.in[TS]);
        if (decl->field_count == 0) PRINTER_LINE(printer, "schema.model(", strbuf_cstr(model), ");");
        for (size_t f = 0; f < decl->field_count; f++) emit_schema_field(printer, model, decl->fields[f], arguments);
    }
    for (size_t a = 0; a < 6; a++) strbuf_free(&arguments[a]);
    /* The publication type of each channel, by the channel's dotted name (the subscribe methods check with it). */
    for (size_t i = 0; i < program->channel_count; i++) {
        const IrChannel *channel = program->channels[i];
        if (i == 0) out_newline(printer);
        StrBuf name, shape_text, shape;
        strbuf_init(&name);
        strbuf_init(&shape_text);
        strbuf_init(&shape);
        append_prettier_string(&name, channel->name);
        IrType publication = {.kind = IR_REF, .decl = channel->publication};
        append_shape(&shape_text, &publication);
        append_prettier_string(&shape, strbuf_cstr(&shape_text));
        const StrBuf channel_arguments[] = {name, shape};
        print_schema_call(printer, "channel", channel_arguments, 2);
        strbuf_free(&name);
        strbuf_free(&shape_text);
        strbuf_free(&shape);
    }
    return true;
}

static bool emit_runtime(void *context, Printer *printer) {
    const TsEmitter *emitter = context;
    return backend_print_runtime(printer, MARKER_SLASHES, emitter->options, "typescript/rpc-client.ts");
}

/* The OpenTelemetry hook: a file (and package entry) of its own, so that an app that does not import it bundles no
 * OpenTelemetry. */
static bool emit_telemetry(void *context, Printer *printer) {
    const TsEmitter *emitter = context;
    return backend_print_runtime(printer, MARKER_SLASHES, emitter->options, "typescript/rpc-telemetry.ts");
}

static void print_package_name(Printer *printer, const char *package_name) {
    StrBuf name;
    strbuf_init(&name);
    namer_append_package_name(&name, TS, package_name);
    printer_write(printer, strbuf_cstr(&name), name.len);
    strbuf_free(&name);
}

static void write_text(Printer *printer, const char *text) { printer_write(printer, text, strlen(text)); }

static bool emit_package_json(void *context, Printer *printer) {
    const TsEmitter *emitter = context;
    write_text(printer, "{\n  \"name\": \"");
    print_package_name(printer, emitter->options->package_name);
    write_text(printer, "\",\n"
                        "  \"version\": \"0.1.0\",\n"
                        "  \"description\": \"Typed Centrifugo RPC client, generated by rpcc.\",\n");
    if (emitter->options->license) {
        /* an SPDX expression (checked by the command line): nothing to escape in a JSON string */
        write_text(printer, "  \"license\": \"");
        write_text(printer, emitter->options->license);
        write_text(printer, "\",\n");
    }
    write_text(printer, "  \"type\": \"module\",\n"
                        "  \"main\": \"./dist/index.js\",\n"
                        "  \"types\": \"./dist/index.d.ts\",\n"
                        "  \"exports\": {\n"
                        "    \".\": {\n"
                        "      \"types\": \"./dist/index.d.ts\",\n"
                        "      \"import\": \"./dist/index.js\"\n"
                        "    },\n"
                        "    \"./telemetry\": {\n"
                        "      \"types\": \"./dist/rpc-telemetry.d.ts\",\n"
                        "      \"import\": \"./dist/rpc-telemetry.js\"\n"
                        "    }\n"
                        "  },\n"
                        "  \"files\": [\"dist\", \"README.md\"],\n"
                        "  \"sideEffects\": false,\n"
                        "  \"scripts\": {\n"
                        "    \"build\": \"tsc -p tsconfig.json\",\n"
                        "    \"prepare\": \"tsc -p tsconfig.json\"\n"
                        "  },\n"
                        "  \"engines\": {\n"
                        "    \"node\": \">=20\"\n"
                        "  },\n"
                        "  \"dependencies\": {\n"
                        "    \"centrifuge\": \"^5.0.0\"\n"
                        "  },\n"
                        "  \"optionalDependencies\": {\n"
                        "    \"ws\": \"^8.0.0\"\n"
                        "  },\n"
                        "  \"peerDependencies\": {\n"
                        "    \"@opentelemetry/api\": \"^1.4.0\"\n"
                        "  },\n"
                        "  \"peerDependenciesMeta\": {\n"
                        "    \"@opentelemetry/api\": {\n"
                        "      \"optional\": true\n"
                        "    }\n"
                        "  },\n"
                        "  \"devDependencies\": {\n"
                        "    \"@opentelemetry/api\": \"^1.4.0\",\n"
                        "    \"typescript\": \"^5.4.0\"\n"
                        "  }\n"
                        "}\n");
    return true;
}

static bool emit_tsconfig(void *context, Printer *printer) {
    const TsEmitter *emitter = context;
    /* tsconfig.json is JSON with comments: the marker fits. */
    print_marker(printer, emitter->options);
    write_text(printer, "{\n"
                        "  \"compilerOptions\": {\n"
                        "    \"target\": \"ES2022\",\n"
                        "    \"lib\": [\"ES2022\", \"DOM\"],\n"
                        "    \"module\": \"NodeNext\",\n"
                        "    \"moduleResolution\": \"NodeNext\",\n"
                        "    \"types\": [],\n"
                        "    \"strict\": true,\n"
                        "    \"exactOptionalPropertyTypes\": true,\n"
                        "    \"noUncheckedIndexedAccess\": true,\n"
                        "    \"noImplicitOverride\": true,\n"
                        "    \"noImplicitReturns\": true,\n"
                        "    \"noFallthroughCasesInSwitch\": true,\n"
                        "    \"noPropertyAccessFromIndexSignature\": true,\n"
                        "    \"noUnusedLocals\": true,\n"
                        "    \"noUnusedParameters\": true,\n"
                        "    \"verbatimModuleSyntax\": true,\n"
                        "    \"isolatedModules\": true,\n"
                        "    \"forceConsistentCasingInFileNames\": true,\n"
                        "    \"declaration\": true,\n"
                        "    \"declarationMap\": true,\n"
                        "    \"sourceMap\": true,\n"
                        "    \"rootDir\": \".\",\n"
                        "    \"outDir\": \"dist\"\n"
                        "  },\n"
                        "  \"include\": [\"*.ts\"],\n"
                        "  \"exclude\": [\"dist\", \"node_modules\"]\n"
                        "}\n");
    return true;
}

/* A placeholder value of `type` for the README's example call, or false when the type has no short one. */
static bool print_sample_value(Printer *printer, const IrType *type, bool bigint) {
    if (type->nullable) {
        printer_printf(printer, "null");
        return true;
    }
    const IrType *resolved = ir_resolve_alias(type);
    switch (resolved->kind) {
    case IR_BOOL: printer_printf(printer, "false"); return true;
    case IR_INT: printer_printf(printer, bigint ? "1n" : "1"); return true;
    case IR_FLOAT: printer_printf(printer, "1"); return true;
    case IR_UUID: printer_printf(printer, "\"2f1b3c1e-8d4a-4e55-9a0b-6f0c2d7e9a10\""); return true;
    case IR_TIMESTAMP: printer_printf(printer, "\"2026-01-02T03:04:05Z\""); return true;
    case IR_DATE: printer_printf(printer, "\"2026-01-02\""); return true;
    case IR_STRING: printer_printf(printer, "\"123\""); return true;
    case IR_LIST: printer_printf(printer, "[]"); return true;
    case IR_MAP: printer_printf(printer, "{}"); return true;
    case IR_LITERAL: print_literal_value(printer, resolved->literals[0]); return true;
    case IR_REF:
        if (resolved->decl->kind == IR_DECL_ENUM && resolved->decl->member_count > 0) {
            printer_printf(printer, "%s.%s", resolved->decl->names.in[TS], resolved->decl->members[0]->names.in[TS]);
            return true;
        }
        return false;
    default: return false;
    }
}

/* The README's example call of the method the IR chose, when its required parameters all have a short placeholder.
 * Returns the rpc (and prints `await api.method({...})` into `call`), or NULL. An enum placeholder needs its const
 * imported: its name is returned in *enum_import. */
static const IrRpc *readme_example(const TsEmitter *emitter, Printer *call, const char **enum_import) {
    *enum_import = NULL;
    const IrRpc *rpc = emitter->program->example_rpc;
    if (rpc) {
        Printer attempt;
        printer_init(&attempt, "");
        printer_printf(&attempt, "await api.%s(", rpc->names.in[TS]);
        bool ok = true;
        const char *needs_enum = NULL;
        if (rpc->params) {
            size_t shown = 0;
            for (size_t f = 0; f < rpc->params->field_count && ok; f++) {
                const IrField *field = rpc->params->fields[f];
                if (field_is_omissible(DIRECTION_INPUT, field)) continue;
                printer_printf(&attempt, "%s%s: ", shown++ ? ", " : "{ ", field->names.in[TS]);
                ok = print_sample_value(&attempt, field->type, emitter->options->ts_bigint);
                const IrType *resolved = ir_resolve_alias(field->type);
                if (!field->type->nullable && resolved->kind == IR_REF) {
                    if (needs_enum && needs_enum != resolved->decl->names.in[TS]) ok = false; /* keep it short */
                    needs_enum = resolved->decl->names.in[TS];
                }
            }
            if (shown) printer_printf(&attempt, " }");
        }
        printer_printf(&attempt, ")");
        if (ok) {
            printer_write(call, strbuf_cstr(&attempt.out), attempt.out.len);
            printer_free(&attempt);
            *enum_import = needs_enum;
            return rpc;
        }
        printer_free(&attempt);
    }
    return NULL;
}

/* README.md's section on channels: how a typed subscription behaves, and the table of channel methods. */
static void emit_readme_channels(const TsEmitter *emitter, Printer *printer) {
    const IrProgram *program = emitter->program;
    const IrChannel *example = program->channels[0];
    printer_block(printer, "\n"
                           "## Channels\n"
                           "\n"
                           "Each channel of the API has a `subscribe` method. It returns a `ChannelSubscription<T>` that delivers the\n"
                           "channel's publications typed as `T`, checked against `schema.ts` as results are:\n"
                           "\n"
                           "```ts\n",
                  NULL);
    printer_printf(printer, "const events = api.%s(", example->subscribe_names.in[TS]);
    if (example->param_count) {
        printer_printf(printer, "{ ");
        for (size_t p = 0; p < example->param_count; p++) {
            const IrChannelParam *param = example->params[p];
            const char *value = channel_param_kind(param) == IR_STRING ? "\"42\""
                                : emitter->options->ts_bigint           ? "1n"
                                                                        : "1";
            printer_printf(printer, "%s%s: %s", p ? ", " : "", param->names.in[TS], value);
        }
        printer_printf(printer, " }, ");
    }
    printer_block(printer, "{\n"
                           "    onPublication: (publication) => console.log(publication),\n"
                           "    onError: (error) => console.warn(error.message),\n"
                           "});\n"
                           "```\n"
                           "\n"
                           "- Publications arrive in order, to the `onPublication` handlers and to every `for await (const x of\n"
                           "  events)` loop. Those that arrive while there is neither (before the first loop, between two\n"
                           "  loops) are kept for the next one: none is lost while the subscription lasts. Leaving a loop\n"
                           "  stops that loop only.\n"
                           "- `events.state` is `\"subscribing\"` (also while it subscribes again after a reconnect), `\"subscribed\"` or\n"
                           "  `\"unsubscribed\"` (over); `onStateChange` is told each change, and `await events.ready()` resolves once\n"
                           "  it is subscribed. A subscription made before `connect()` subscribes once the client is connected.\n"
                           "- A publication that does not fit the API is not delivered: `onError` gets an `RPCPublicationError`\n"
                           "  (kind `\"reply\"`, code 17, with its `path` and the `data` received), and the subscription goes on.\n"
                           "  Without an `onError` handler such errors are written with `console.warn`.\n"
                           "- A subscription the server refuses (code 103: another user's channel, or the channel's guard said no;\n"
                           "  102: Centrifugo has no such namespace) or ends (2000) is over: `ready()` rejects with an\n"
                           "  `RPCSubscriptionError` (kind `\"server\"`, Centrifugo's `code`, the `channel`), loops throw it, `onError`\n"
                           "  gets it and `events.error` holds it. Temporary failures are retried by centrifuge-js and reported to\n"
                           "  `onError` on the way.\n"
                           "- Channels with history are subscribed positioned and recoverable: after a reconnect the publications\n"
                           "  missed meanwhile arrive first, in order and once. When Centrifugo cannot send them (the history\n"
                           "  expired), `onRecoveryFailed` is told before any newer publication: reload what the channel describes.\n"
                           "- `events.unsubscribe()`, an aborted `signal` (an option), `await using events = ...` and `client.close()`\n"
                           "  end it; loops end after what they hold. A client has one subscription per channel at a time: a second\n"
                           "  one throws `RPCError` (kind `\"client\"`, code 18) until the first has ended.\n"
                           "- Channel parameters: an `int` is written in decimal; a string is written as given, but one that is\n"
                           "  empty or holds `:`, `#`, `,`, `$$`, `*`, `&`, `/`, `{`, `}`, a space or a character outside printable\n"
                           "  ASCII is refused before anything is sent (`RPCError`, kind `\"client\"`, code 18): it could name\n"
                           "  another channel.\n"
                           "- Channels into which clients may publish have a `publish` method too; the backend checks each\n"
                           "  publication (and may refuse it: `RPCError` kind `\"server\"`, code 103).\n"
                           "\n"
                           "| method | channel | publication | history |\n"
                           "|--------|---------|-------------|---------|\n",
                  NULL);
    for (size_t i = 0; i < program->channel_count; i++) {
        const IrChannel *channel = program->channels[i];
        StrBuf pattern;
        strbuf_init(&pattern);
        escape_markdown_code_span(&pattern, channel->pattern, strlen(channel->pattern), true);
        const char *publication = channel->publication->names.in[TS];
        printer_line(printer, "| `%s` | %s | `%s` | %s |", channel->subscribe_names.in[TS], strbuf_cstr(&pattern),
                     publication, channel->history ? "yes" : "no");
        if (channel->client_publish) {
            TypeContext input = {emitter, DIRECTION_INPUT};
            printer_line(printer, "| `%s` | %s | `%s` | |", channel->publish_names.in[TS], strbuf_cstr(&pattern),
                         decl_name(&input, channel->publication));
        }
        strbuf_free(&pattern);
    }
}

static bool emit_readme(void *context, Printer *printer) {
    const TsEmitter *emitter = context;
    const IrProgram *program = emitter->program;
    StrBuf package;
    strbuf_init(&package);
    namer_append_package_name(&package, TS, emitter->options->package_name);
    const char *package_name = strbuf_cstr(&package);
    backend_print_marker(printer, MARKER_HTML, emitter->options);
    printer_block(printer, "# $package_name$\n"
                           "\n"
                           "A typed TypeScript client for a Centrifugo RPC API, generated by rpcc: one typed async method per\n"
                           "RPC method, over a real Centrifugo connection (`centrifuge` 5.x). ESM, for Node.js 20+ and browsers.\n"
                           "\n"
                           "## Install\n"
                           "\n"
                           "```sh\n"
                           "cd path/to/typescript && npm install    # dependencies, then builds dist/\n"
                           "cd your-app && npm install path/to/typescript\n"
                           "```\n"
                           "\n"
                           "Its only runtime dependency is `centrifuge`; on Node.js versions without a global `WebSocket` (Node 20)\n"
                           "it loads the optional dependency `ws`. Browsers use their own `WebSocket`, and bundles never include `ws`.\n"
                           "\n"
                           "The package is ESM only, on purpose: one copy of the code, so that `instanceof RPCError` holds everywhere\n"
                           "(a dual CommonJS/ESM package can load twice). CommonJS code imports it with `await import(\"$package_name$\")`,\n"
                           "which TypeScript types under `module: Node16` too; Node.js 20.19+ and 22.12+ also let `require()` load it.\n"
                           "\n"
                           "## Use\n"
                           "\n"
                           "```ts\n",
                           "package_name", package_name, NULL);
    Printer call;
    printer_init(&call, "");
    const char *enum_import = NULL;
    const IrRpc *example = readme_example(emitter, &call, &enum_import);
    if (enum_import) {
        printer_line(printer, "import { APIClient, CentrifugoRPCClient, %s } from \"%s\";", enum_import, package_name);
    } else {
        printer_line(printer, "import { APIClient, CentrifugoRPCClient } from \"%s\";", package_name);
    }
    printer_block(printer, "\n"
                           "await using client = new CentrifugoRPCClient(\"ws://localhost:8000/connection/websocket\", token);\n"
                           "await client.connect();\n"
                           "const api = new APIClient(client);\n",
                           NULL);
    if (example) {
        printer_line(printer, "console.log(%s);", strbuf_cstr(&call.out));
    }
    printer_free(&call);
    printer_block(printer, "```\n"
                           "\n"
                           "`token` is a Centrifugo connection JWT, or an async function that returns a fresh one. `await using`\n"
                           "closes the client when the block ends (TypeScript 5.2+); `client.close()` does the same, and\n"
                           "`client.disconnect()` is `close()` under another name.\n"
                           "\n"
                           "## Transports\n"
                           "\n"
                           "The typed methods are the same with either transport:\n"
                           "\n"
                           "- `{ transport: \"rpc\" }` (default): Centrifugo's RPC command, proxied by Centrifugo to the backend.\n"
                           "- `{ transport: \"pubsub\" }`: the client subscribes to `user#<userId>`, publishes each request with a\n"
                           "  random correlation id (`crypto.randomUUID()`) to `rpc:requests` (option `requestChannel`), and\n"
                           "  matches the reply that arrives on its channel. It needs the user id, the token's `sub`:\n"
                           "  `new CentrifugoRPCClient(url, token, \"123\", { transport: \"pubsub\" })`.\n"
                           "\n"
                           "`timeout` (milliseconds, default 10000) bounds `connect()` and every call:\n"
                           "`new CentrifugoRPCClient(url, token, { timeout: 5000 })`. `connect()` to an address where nothing\n"
                           "listens rejects at once (kind `\"disconnected\"`, code 2), not at the timeout.\n"
                           "\n"
                           "`maxMessageSize` (bytes, default 65536: Centrifugo's `websocket.message_size_limit`) bounds a request;\n"
                           "a larger one rejects with `RPCRequestTooLargeError` (kind `\"client\"`, code 15, with `size` and\n"
                           "`limit`) before anything is sent, leaving the connection and other calls alone.\n"
                           "\n"
                           "## Errors\n"
                           "\n"
                           "Every failure rejects with `RPCError` (`instanceof RPCError`), which has `code`, `message` and `kind`:\n"
                           "\n"
                           "- `\"server\"`: the server answered with an error; application errors have codes 400..1999;\n"
                           "- `\"timeout\"`: no answer within `timeout` (the server may still have run the call);\n"
                           "- `\"disconnected\"`: the connection was closed or lost before the answer, or was never opened;\n"
                           "- `\"client\"`: a local failure (configuration, token function);\n"
                           "- `\"reply\"`: the result does not have the declared shape (`RPCReplyError`, code 16, with the `path`\n"
                           "  of the first value that does not fit; see Types). The server did run the call.\n"
                           "\n"
                           "An `RPCContractError` (kind `\"server\"`, code 412, or 426 with `older` true) is the rpcc bridge refusing\n"
                           "the call because this package was generated from another version of its contract, or an older one\n"
                           "(`CONTRACT_HASH`, sent with every call): regenerate it.\n"
                           "\n"
                           "`cause` holds the error it reports, when there is one (centrifuge-js's error object, a thrown exception).\n"
                           "\n"
                           "Every method takes a last `options` argument: `{ signal, timeout }`. Aborting `signal` (an\n"
                           "`AbortController`'s) rejects the call at once with `signal.reason`, as `fetch` does, and releases it; a\n"
                           "reply that still comes is ignored. `timeout` (milliseconds) replaces the client's for that call, longer\n"
                           "or shorter. After a lost connection, or a server close with a code in 3000..3499 or 4000..4499 (or\n"
                           "1009), the client reconnects by itself with backoff (and subscribes to its reply channel again); calls\n"
                           "made meanwhile wait for the connection up to their timeout. A close with 3500..3999 or 4500..4999 stops\n"
                           "it: calls reject at once with kind `\"disconnected\"` and the close code until `connect()` is called\n"
                           "again.\n"
                           "\n"
                           "## Types\n"
                           "\n"
                           "`types.ts` has the types of the models, with the wire names as property names.\n"
                           "\n"
                           "- `x?: T` may be absent; `x: T | null` is always present but may be `null`. The package compiles with\n"
                           "  `exactOptionalPropertyTypes`: leave an absent field out rather than setting it to `undefined`. The\n"
                           "  client sends exactly the fields you set.\n"
                           "- Fields with a default are optional in what you send (the server fills in the default) and required in\n"
                           "  results (the server always includes them). A model that is both sent and received, with such a field\n"
                           "  (or holding such a model), has two types: `Task` for results and `TaskInput` for what you send, as\n"
                           "  protobuf-es separates a message from its init shape. Each field's doc says which applies.\n"
                           "- Enums are unions of their values (`\"open\" | \"done\"`) plus a const object of the same name whose\n"
                           "  UPPER_SNAKE keys name the values (`TaskStatus.OPEN`). They are open, as in proto3: a result may hold a\n"
                           "  value the server's API gained after this SDK was generated. Such a value is kept as received (the\n"
                           "  call does not fail) and is sent back unchanged; its type is `UnknownEnumValue<string>` (or `<number>`),\n"
                           "  which only a received value has, so a misspelt literal still does not compile. The guard\n"
                           "  `isTaskStatus(value)` is true for the values this SDK knows (`Object.values(TaskStatus)`), so a\n"
                           "  `switch` handles an unknown one in its `default` branch.\n"
                           "- Maps have string keys, as JSON objects do and as `Object.entries` yields them: an `int` key is its\n"
                           "  decimal digits (`Record<string, V>`), an enum key one of the enum's values.\n",
                           NULL);
    if (emitter->options->ts_bigint) {
        printer_block(printer, "- `int` is `bigint` (generated with `--ts-int bigint`): every digit is kept both ways, up to and\n"
                               "  beyond the int64 range. Write `10n` for 10. Results are read with a JSON parser that keeps an\n"
                               "  integer beyond 2^53 - 1 exact (`parseJson`, exported), and requests written with `stringifyJson`,\n"
                               "  which writes a bigint as its digits. In `unknown` values, an integer beyond 2^53 - 1 arrives as a\n"
                               "  `bigint`, smaller ones as `number`. `JSON.stringify` refuses a bigint: use `stringifyJson`.\n",
                      NULL);
    } else {
        printer_block(printer, "- `int` is `number`, exact up to 2^53 - 1 (9007199254740991). Nothing is rounded silently: a result\n"
                               "  with an `int` beyond that is refused (`RPCReplyError`). `rpcc --ts-int bigint` makes `int` a\n"
                               "  `bigint` that keeps every digit, at the cost of writing `10n` and of `JSON.stringify`, which refuses\n"
                               "  bigints; `number` is the default because most APIs' integers (counts, limits, ids from a sequence)\n"
                               "  fit, and a `number` is what every other library hands you. In `unknown` values, integers beyond\n"
                               "  2^53 - 1 arrive as the nearest `number`.\n",
                      NULL);
    }
    printer_block(printer, "- Timestamps, dates, times, durations (ISO 8601), UUIDs, decimals and bytes (base64) are strings in their\n"
                           "  JSON form, kept as the server wrote them.\n"
                           "- Results are checked, cheaply, before a method resolves (`schema.ts`): every field the API requires\n"
                           "  is present, every value has the JSON type its declaration says (and integers are integers), literals\n"
                           "  and union tags hold a declared value; a `null` in a field that may only be absent reads as absent.\n"
                           "  A result that does not fit rejects with `RPCReplyError`. Trusted, not checked: that a field with a\n"
                           "  default is present (the rpcc bridge always sends it); string formats (timestamps, UUIDs, base64,\n"
                           "  decimals); ranges, lengths and patterns; map keys. Fields the API does not declare are kept.\n"
                           "\n"
                           "## Telemetry\n"
                           "\n"
                           "Every call can be traced and measured with OpenTelemetry: install `@opentelemetry/api` (an optional peer\n"
                           "dependency; the SDK and its exporters are the app's choice) and set the client's hook:\n"
                           "\n"
                           "```ts\n"
                           "import { setCallHook } from \"$package_name$\";\n"
                           "import { openTelemetryHook } from \"$package_name$/telemetry\";\n"
                           "\n"
                           "setCallHook(client, openTelemetryHook()); // the global tracer and meter providers, or pass your own\n"
                           "```\n"
                           "\n"
                           "Only the `./telemetry` entry (`rpc-telemetry.ts`) imports OpenTelemetry: an app that does not import it\n"
                           "bundles none of it. The client itself knows nothing of hooks (`setCallHook` wraps its `call`), so an app\n"
                           "that sets none bundles no hook code: its minified bundle is the size it was before hooks. With this hook, each\n"
                           "call is a CLIENT span named after the method, a child of the active span, with `rpc.system.name` and\n"
                           "`rpc.system` (`centrifugo`), `rpc.method` (the wire method), `rpcc.transport` (`rpc` or `pubsub`), `rpcc.request.size`\n"
                           "and `rpcc.response.size` (bytes); a failed call also has `error.type` (`timeout`, `disconnected`,\n"
                           "`request_too_large`, `application` for a handler's code, `server` for Centrifugo's, `bad_reply`, `client`,\n"
                           "`cancelled`, `other`), `rpc.response.status_code` (the error code) and the status ERROR. Metrics:\n"
                           "`rpc.client.call.duration` (seconds), `rpc.client.request.size` and `rpc.client.response.size` (bytes),\n"
                           "histograms by `rpc.method`, `rpcc.transport` and `error.type`.\n"
                           "\n"
                           "The span's W3C trace context (`traceparent`, `tracestate`) travels with the call as the `$$trace` field of\n"
                           "its params (the call data over `rpc`, the request's `params` over `pubsub`); the rpcc bridge removes it\n"
                           "before validation and continues the trace. Your own hook is a `CallHook` (`callStarted`,\n"
                           "`callFinished`) reading `CallInfo`: method, transport, duration (ms), sizes, the error and its kind;\n"
                           "set it with `setCallHook(client, myHook)`, remove it with `setCallHook(client, undefined)`.\n"
                           "\n",
                           "package_name", package_name, NULL);
    if (backend_has_open_model(program))
        printer_block(printer, "## Open models\n"
                               "\n"
                               "An interface the API marks open (`@open`) has an index signature, `[key: string]: unknown`: the keys\n"
                               "it does not declare are kept as received and sent again, and a value you send may carry keys besides\n"
                               "its fields. Its declared fields keep their types.\n"
                               "\n",
                      NULL);
    printer_block(printer, "## Methods\n"
                           "\n",
                  NULL);
    if (program->rpc_count == 0) {
        printer_line(printer, "The API declares no methods.");
    } else {
        printer_block(printer, "| method | RPC name | parameters | result |\n"
                               "|--------|----------|------------|--------|\n",
                               NULL);
        StrBuf wire; /* each method's wire name as a code span */
        strbuf_init(&wire);
        for (size_t i = 0; i < program->rpc_count; i++) {
            const IrRpc *rpc = program->rpcs[i];
            Text method = text_of(rpc->method);
            strbuf_clear(&wire);
            /* A name without a backtick or a bar that neither starts nor ends with a space: between backticks. */
            if (method.len && !memchr(method.text, '`', method.len) && !memchr(method.text, '|', method.len) &&
                method.text[0] != ' ' && method.text[method.len - 1] != ' ') {
                strbuf_putc(&wire, '`');
                strbuf_append(&wire, method.text, method.len);
                strbuf_putc(&wire, '`');
            } else {
                escape_markdown_code_span(&wire, method.text, method.len, true);
            }
            Text params = rpc->params ? text_of(rpc->params->names.in[TS]) : TEXT("");
            Text result = rpc->oneway ? TEXT("") : text_of(rpc->result->names.in[TS]);
            out_pieces_line(printer, TEXT("| `"),
                            TEXT_PIECES(text_of(rpc->names.in[TS]), TEXT("` | "), ((Text){wire.data, wire.len}),
                                        TEXT(" | "), rpc->params ? TEXT("`") : TEXT("none"), params,
                                        rpc->params ? TEXT("`") : TEXT(""),
                                        rpc->oneway ? TEXT(" | none: one-way") : TEXT(" | `"), result,
                                        rpc->oneway ? TEXT("") : TEXT("`")),
                            TEXT(" |"));
        }
        strbuf_free(&wire);
    }
    if (program->channel_count) emit_readme_channels(emitter, printer);
    out_newline(printer);
    printer_line(printer, "Generated code: regenerate it with rpcc instead of editing it.");
    strbuf_free(&package);
    return true;
}

static bool emit(const IrProgram *program, const BackendOptions *options, OutputTree *tree) {
    DocText scratch;
    doc_init(&scratch);
    TsEmitter emitter = {.program = program, .options = options, .scratch = &scratch};
    compute_input_shapes(&emitter);
    static const BackendFile files[] = {
        {"typescript/types.ts", emit_types},         {"typescript/client.ts", emit_client},
        {"typescript/index.ts", emit_index},         {"typescript/package.json", emit_package_json},
        {"typescript/tsconfig.json", emit_tsconfig}, {"typescript/README.md", emit_readme},
        {"typescript/rpc-client.ts", emit_runtime},  {"typescript/schema.ts", emit_schema},
        {"typescript/rpc-telemetry.ts", emit_telemetry},
    };
    bool ok = backend_emit_files(tree, files, sizeof files / sizeof files[0], "    ", &emitter);
    free_input_shapes(&emitter);
    doc_free(&scratch);
    return ok;
}

const Backend backend_typescript = {TARGET_TYPESCRIPT, "typescript", emit};
