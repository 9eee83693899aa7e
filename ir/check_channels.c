/* Channels (spec/rpc-idl.md, Channels): what lowering cannot judge alone, once every declaration is lowered.
 *   - the publication type is a model, a union, or an alias of one of them (not nullable);
 *   - a parameter's type is string or int, or an alias of one of them (not nullable);
 *   - the namespace (the pattern's text before the first ':') is literal and a valid Centrifugo namespace name;
 *   - the literal text follows Centrifugo's channel name rules: ASCII, not more than 255 bytes, no '$' first (the
 *     private channel prefix, which needs a subscription token);
 *   - a '#' (user-limited channel) is followed by the users' part; @subscribe("user") needs one;
 *   - channels that share a namespace (or share none) agree on @history, @publish and @subscribe, which are the
 *     namespace's options in Centrifugo's configuration;
 *   - no two channels' patterns can produce the same channel name. */
#include <string.h>

#include "passes.h"

/* ---- types ---- */

static const char *type_description(Arena *arena, const IrType *type) {
    const IrType *base = ir_resolve_alias(type);
    if (base && base->kind == IR_REF) {
        const IrDecl *decl = base->decl;
        const char *kind = decl->kind == IR_DECL_ENUM ? "an enum" : decl->kind == IR_DECL_MODEL ? "a model" : "a union";
        return arena_printf(arena, "'%s' is %s", ir_type_to_string(arena, type), kind);
    }
    return arena_printf(arena, "'%s' is not one", ir_type_to_string(arena, type));
}

/* The publication type: a model, a union, or an alias of one of them, never null. */
static void check_publication(IrChannel *channel, Arena *arena, Diagnostics *diags) {
    const IrType *type = channel->publication_type;
    if (!type) return; /* lowering reported it */
    bool nullable = false;
    const IrType *base = ir_resolve_alias_nullable(type, &nullable);
    if (!base) return;
    bool ok = base->kind == IR_REF && (base->decl->kind == IR_DECL_MODEL || base->decl->kind == IR_DECL_UNION);
    if (ok && !nullable) return;
    Diagnostic *diagnostic;
    if (ok)
        diagnostic = diag_error(diags, type->span,
                                "the publications of channel '%s' cannot be null: a publication is always a value",
                                channel->name);
    else
        diagnostic = diag_error(diags, type->span,
                                "the publication type of channel '%s' must be a model, a union of models or an alias "
                                "of one, and %s",
                                channel->name, type_description(arena, type));
    if (type->kind == IR_REF && !type->decl->synthesized)
        diag_note(diags, diagnostic, type->decl->span, "'%s' is declared here", type->decl->name);
    channel->publication = NULL;
}

static void check_param_type(const IrChannel *channel, const IrChannelParam *param, Arena *arena,
                             Diagnostics *diags) {
    if (!param->type) return;
    bool nullable = false;
    const IrType *base = ir_resolve_alias_nullable(param->type, &nullable);
    if (!base) return;
    if ((base->kind == IR_STRING || base->kind == IR_INT) && !nullable) return;
    diag_error(diags, param->type->span,
               "parameter '%s' of channel '%s' must be a string or an int (it is part of the channel's name), not "
               "'%s'",
               param->name, channel->name, ir_type_to_string(arena, param->type));
}

/* ---- namespace ---- */

/* Centrifugo's rule for namespace names: ^[-a-zA-Z0-9_.]{2,}$ */
static bool is_namespace_name(const char *name) {
    size_t length = strlen(name);
    if (length < 2) return false;
    for (size_t i = 0; i < length; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.'))
            return false;
    }
    return true;
}

static void check_namespace(const IrChannel *channel, Diagnostics *diags) {
    if (!channel->namespace_name || !channel->parts) return;
    if (strchr(channel->namespace_name, '{')) {
        diag_error(diags, channel->pattern_span,
                   "the namespace of channel '%s' (its pattern's text before the first ':') must be literal text: a "
                   "placeholder there would choose the namespace, and with it the channel's options",
                   channel->name);
        return;
    }
    if (!is_namespace_name(channel->namespace_name))
        diag_error(diags, channel->pattern_span,
                   "'%s' is not a valid Centrifugo namespace (the pattern's text before the first ':'): two or more "
                   "letters, digits, '-', '_' or '.'",
                   channel->namespace_name);
}

/* Centrifugo's channel_max_length, by default. */
enum { CHANNEL_MAX_LENGTH = 255 };

static void check_name_rules(const IrChannel *channel, Diagnostics *diags) {
    if (!channel->parts) return;
    size_t literal_length = 0;
    bool ascii = true;
    for (size_t p = 0; p < channel->part_count; p++) {
        const IrChannelPart *part = channel->parts[p];
        literal_length += part->text_length;
        for (size_t i = 0; i < part->text_length; i++)
            if ((unsigned char)part->text[i] >= 0x80 || (unsigned char)part->text[i] < 0x20) ascii = false;
    }
    if (!ascii)
        diag_error(diags, channel->pattern_span,
                   "the pattern of channel '%s' has a character that is not printable ASCII: Centrifugo's channel "
                   "names are ASCII",
                   channel->name);
    if (literal_length > CHANNEL_MAX_LENGTH)
        diag_error(diags, channel->pattern_span,
                   "the pattern of channel '%s' is longer than a channel name may be (%d bytes, Centrifugo's "
                   "channel_max_length by default)",
                   channel->name, CHANNEL_MAX_LENGTH);
    if (channel->pattern[0] == '$')
        diag_error(diags, channel->pattern_span,
                   "a channel name that starts with '$' is a Centrifugo private channel, which needs a subscription "
                   "token; use @subscribe(\"guard\") to decide who may subscribe");
}

static void check_user_limited(const IrChannel *channel, Diagnostics *diags) {
    if (!channel->parts) return;
    const char *hash = strchr(channel->pattern, '#');
    if (hash && hash[1] == '\0')
        diag_error(diags, channel->pattern_span,
                   "the pattern of channel '%s' ends with '#': the users who may subscribe come after it "
                   "(\"%s{user_id}\")",
                   channel->name, channel->pattern);
    if (channel->subscribe == IR_SUBSCRIBE_USER && !hash) {
        Diagnostic *diagnostic =
            diag_error(diags, channel->subscribe_span,
                       "@subscribe(\"user\") needs a user-limited pattern: '#' then the user, as in "
                       "\"ns:name#{user_id}\"");
        diag_note(diags, diagnostic, channel->pattern_span, "the pattern of channel '%s'", channel->name);
    }
}

/* ---- namespace options ---- */

static bool same_namespace(const IrChannel *a, const IrChannel *b) {
    if (!a->namespace_name || !b->namespace_name) return !a->namespace_name && !b->namespace_name;
    return strcmp(a->namespace_name, b->namespace_name) == 0;
}

/* Where a channel's option is written, or its name when it is the default. */
static Span option_span(const IrChannel *channel, Span given) { return given.file ? given : channel->span; }

static const char *history_text(Arena *arena, const IrChannel *channel) {
    if (!channel->history) return "no @history";
    return arena_printf(arena, "@history(size: %lld, ttl: %lld)", (long long)channel->history_size,
                        (long long)channel->history_ttl_seconds);
}

/* Channels of one namespace share its options: the first channel of each namespace sets them. */
static void check_namespace_options(const IrProgram *program, Arena *arena, Diagnostics *diags) {
    for (size_t c = 0; c < program->channel_count; c++) {
        const IrChannel *channel = program->channels[c];
        const IrChannel *first = NULL;
        for (size_t o = 0; o < c && !first; o++)
            if (same_namespace(program->channels[o], channel)) first = program->channels[o];
        if (!first) continue;
        const char *where = channel->namespace_name
                                ? arena_printf(arena, "namespace '%s'", channel->namespace_name)
                                : "no namespace";
        if (first->history != channel->history ||
            (channel->history && (first->history_size != channel->history_size ||
                                  first->history_ttl_seconds != channel->history_ttl_seconds))) {
            Diagnostic *diagnostic = diag_error(
                diags, option_span(channel, channel->history_span),
                "channels '%s' and '%s' are both in %s but disagree on history (%s, and %s): Centrifugo keeps the "
                "options per namespace",
                first->name, channel->name, where, history_text(arena, first), history_text(arena, channel));
            diag_note(diags, diagnostic, option_span(first, first->history_span), "'%s' is declared here",
                      first->name);
        }
        if (first->client_publish != channel->client_publish) {
            Diagnostic *diagnostic = diag_error(
                diags, option_span(channel, channel->publish_span),
                "channels '%s' and '%s' are both in %s but only '%s' has @publish: Centrifugo keeps the options per "
                "namespace",
                first->name, channel->name, where, first->client_publish ? first->name : channel->name);
            diag_note(diags, diagnostic, option_span(first, first->publish_span), "'%s' is declared here",
                      first->name);
        }
        if (first->subscribe != channel->subscribe) {
            Diagnostic *diagnostic = diag_error(
                diags, option_span(channel, channel->subscribe_span),
                "channels '%s' and '%s' are both in %s but disagree on who may subscribe (\"%s\"%s and \"%s\"%s): "
                "Centrifugo keeps the options per namespace",
                first->name, channel->name, where, ir_channel_subscribe_name(first->subscribe),
                first->subscribe_given ? "" : " by default", ir_channel_subscribe_name(channel->subscribe),
                channel->subscribe_given ? "" : " by default");
            diag_note(diags, diagnostic, option_span(first, first->subscribe_span), "'%s' is declared here",
                      first->name);
        }
    }
}

/* ---- overlapping patterns ---- */

/* A pattern as a small automaton over bytes: a literal byte, any text (a string parameter, which may hold
 * anything), or the pieces of an int parameter's decimal text (an optional '-', a digit, more digits). */
typedef enum StepKind { STEP_BYTE, STEP_ANY_TEXT, STEP_OPTIONAL_MINUS, STEP_DIGIT, STEP_MORE_DIGITS } StepKind;

typedef struct Step {
    StepKind kind;
    unsigned char byte; /* STEP_BYTE */
} Step;

static Step *pattern_steps(Arena *arena, const IrChannel *channel, size_t *count) {
    size_t total = 0;
    for (size_t p = 0; p < channel->part_count; p++)
        total += channel->parts[p]->param ? 3 : channel->parts[p]->text_length;
    Step *steps = ARENA_ARRAY(arena, Step, total + 1);
    size_t used = 0;
    for (size_t p = 0; p < channel->part_count; p++) {
        const IrChannelPart *part = channel->parts[p];
        if (!part->param) {
            for (size_t i = 0; i < part->text_length; i++)
                steps[used++] = (Step){STEP_BYTE, (unsigned char)part->text[i]};
            continue;
        }
        const IrType *base = ir_resolve_alias(part->param->type);
        if (base && base->kind == IR_INT) {
            steps[used++] = (Step){STEP_OPTIONAL_MINUS, 0};
            steps[used++] = (Step){STEP_DIGIT, 0};
            steps[used++] = (Step){STEP_MORE_DIGITS, 0};
        } else {
            steps[used++] = (Step){STEP_ANY_TEXT, 0};
        }
    }
    *count = used;
    return steps;
}

/* The bytes a step reads: one byte, any digit, or any byte. */
typedef enum ByteClass { CLASS_BYTE, CLASS_DIGIT, CLASS_ANY } ByteClass;

static bool classes_meet(ByteClass a, unsigned char a_byte, ByteClass b, unsigned char b_byte) {
    if (a == CLASS_ANY || b == CLASS_ANY) return true;
    if (a == CLASS_DIGIT && b == CLASS_DIGIT) return true;
    if (a == CLASS_DIGIT) return b_byte >= '0' && b_byte <= '9';
    if (b == CLASS_DIGIT) return a_byte >= '0' && a_byte <= '9';
    return a_byte == b_byte;
}

/* A step's move on one byte: its class, and where it goes (the same step for the loops). */
typedef struct Move {
    ByteClass kind;
    unsigned char byte;
    size_t to;
} Move;

static bool step_move(const Step *steps, size_t count, size_t at, Move *move) {
    if (at == count) return false;
    switch (steps[at].kind) {
    case STEP_BYTE: *move = (Move){CLASS_BYTE, steps[at].byte, at + 1}; return true;
    case STEP_ANY_TEXT: *move = (Move){CLASS_ANY, 0, at}; return true;
    case STEP_OPTIONAL_MINUS: *move = (Move){CLASS_BYTE, '-', at + 1}; return true;
    case STEP_DIGIT: *move = (Move){CLASS_DIGIT, 0, at + 1}; return true;
    case STEP_MORE_DIGITS: *move = (Move){CLASS_DIGIT, 0, at}; return true;
    }
    return false;
}

/* Steps that may read nothing: any text, the optional minus and the further digits. */
static bool step_may_skip(const Step *steps, size_t count, size_t at) {
    return at < count && (steps[at].kind == STEP_ANY_TEXT || steps[at].kind == STEP_OPTIONAL_MINUS ||
                          steps[at].kind == STEP_MORE_DIGITS);
}

/* Whether some channel name matches both patterns: a search of the product of the two automata. */
static bool patterns_overlap(Arena *arena, const IrChannel *a, const IrChannel *b) {
    size_t a_count, b_count;
    Step *a_steps = pattern_steps(arena, a, &a_count);
    Step *b_steps = pattern_steps(arena, b, &b_count);
    size_t width = b_count + 1;
    bool *seen = ARENA_ARRAY(arena, bool, (a_count + 1) * width);
    size_t *stack = ARENA_ARRAY(arena, size_t, (a_count + 1) * width);
    size_t depth = 0;
    seen[0] = true;
    stack[depth++] = 0;
#define VISIT(i, j)                                   \
    do {                                              \
        size_t state_ = (i) * width + (j);            \
        if (!seen[state_]) {                          \
            seen[state_] = true;                      \
            stack[depth++] = state_;                  \
        }                                             \
    } while (0)
    while (depth) {
        size_t state = stack[--depth];
        size_t i = state / width, j = state % width;
        if (i == a_count && j == b_count) return true;
        if (step_may_skip(a_steps, a_count, i)) VISIT(i + 1, j);
        if (step_may_skip(b_steps, b_count, j)) VISIT(i, j + 1);
        Move a_move, b_move;
        if (step_move(a_steps, a_count, i, &a_move) && step_move(b_steps, b_count, j, &b_move) &&
            classes_meet(a_move.kind, a_move.byte, b_move.kind, b_move.byte))
            VISIT(a_move.to, b_move.to);
    }
#undef VISIT
    return false;
}

/* The literal text before a pattern's first placeholder: every name of the pattern starts with it. */
static size_t literal_prefix(const IrChannel *channel, const char **text) {
    const IrChannelPart *first = channel->part_count ? channel->parts[0] : NULL;
    *text = first && !first->param ? first->text : "";
    return first && !first->param ? first->text_length : 0;
}

/* A quick answer for most pairs: when neither literal prefix starts the other, no name has both. */
static bool prefixes_differ(const IrChannel *a, const IrChannel *b) {
    const char *a_text, *b_text;
    size_t a_length = literal_prefix(a, &a_text), b_length = literal_prefix(b, &b_text);
    return memcmp(a_text, b_text, a_length < b_length ? a_length : b_length) != 0;
}

static void check_overlaps(const IrProgram *program, Diagnostics *diags) {
    for (size_t c = 0; c < program->channel_count; c++) {
        const IrChannel *channel = program->channels[c];
        if (!channel->parts) continue;
        for (size_t o = 0; o < c; o++) {
            const IrChannel *other = program->channels[o];
            if (!other->parts || prefixes_differ(other, channel)) continue;
            Arena scratch;
            arena_init(&scratch);
            bool overlap = patterns_overlap(&scratch, other, channel);
            arena_free(&scratch);
            if (!overlap) continue;
            Diagnostic *diagnostic = diag_error(
                diags, channel->pattern_span,
                "the patterns of channels '%s' and '%s' can produce the same channel name (a string parameter matches "
                "any text, an int parameter any decimal number)",
                other->name, channel->name);
            diag_note(diags, diagnostic, other->pattern_span, "the pattern of channel '%s'", other->name);
            break; /* one report per channel */
        }
    }
}

void ir_check_channels(IrProgram *program, Arena *arena, Diagnostics *diags) {
    for (size_t c = 0; c < program->channel_count; c++) {
        IrChannel *channel = program->channels[c];
        check_publication(channel, arena, diags);
        for (size_t p = 0; p < channel->param_count; p++) check_param_type(channel, channel->params[p], arena, diags);
        check_namespace(channel, diags);
        check_name_rules(channel, diags);
        check_user_limited(channel, diags);
    }
    check_namespace_options(program, arena, diags);
    check_overlaps(program, diags);
}
