/* Target names: computes every identifier through the namer (ir/namer.c) and reports two symbols that end up
 * with the same identifier in the same scope of some target, naming both locations. Scopes per target:
 *   types: one per program (in Go, enum constants live there too: Go has one package scope);
 *   fields: one per model; enum members: one per enum (Python, TypeScript, Rust); methods: one per client, and in Python
 *   the type scope too (a method named like a type would shadow it in the client's annotations);
 *   channels: their base names one scope of their own; their subscribe and publish methods (publish only with
 *   @publish) the methods' scope; their parameters one scope per channel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/strmap.h"
#include "passes.h"

typedef struct NamedSymbol {
    /* What the symbol is, for messages, formed only when a collision is reported: "field 'Task.id'" */
    const char *kind;  /* "model", "field", "member", "method", ... */
    const char *owner; /* the model or enum of a field or member, else NULL */
    const char *name;  /* as in the IDL */
    Span span;
    IrNames *names;
} NamedSymbol;

typedef struct Collision {
    NamedSymbol *first, *second;
    const char *names[TARGET_COUNT]; /* the shared identifier per target, NULL where they differ */
} Collision;

typedef struct NameCheck {
    Arena *arena;
    Diagnostics *diags;
    PtrVec collisions;
    /* An enum member name's identifiers (MemberNames), found with one lookup: member names repeat from enum to
     * enum, and converting their case again each time was a tenth of a large run once. */
    StrMap member_names;
    /* A field name's identifiers in every target that derives one from it (FieldNames), found with one lookup. */
    StrMap field_names;
} NameCheck;

/* The identifiers of a field name (AS_WRITTEN where the IDL name is kept); Python's already escaped where it
 * would shadow a type of the module. */
typedef struct FieldNames {
    const char *in[TARGET_COUNT];
    /* TypeScript's key for a field whose wire name is this name: the name, or it quoted */
    const char *ts_key;
    /* 16 bits of each target's identifier's hash, a lane per target (TypeScript's from ts_key): two fields whose
     * lanes all differ cannot collide in any target. */
    uint64_t fingerprint;
} FieldNames;

enum { LANE_BITS = 16 };
static uint64_t lane(Target target, const char *identifier) {
    return (uint64_t)(strmap_hash(identifier, strlen(identifier)) & 0xffffu) << (LANE_BITS * target);
}
_Static_assert(TARGET_COUNT * LANE_BITS <= 64, "a lane per target in 64 bits");
/* Whether some 16-bit lane of x is zero (the classic test: a borrow reaches a lane's top bit only from a zero). */
static bool some_lane_zero(uint64_t x) {
    const uint64_t ones = 0x0001000100010001ull, tops = 0x8000800080008000ull;
    uint64_t used = TARGET_COUNT * LANE_BITS == 64 ? ~0ull : (1ull << (TARGET_COUNT * LANE_BITS)) - 1;
    x |= ~used; /* lanes of no target never match */
    return ((x - ones) & ~x & tops) != 0;
}

/* Marks a cached identifier that is the IDL name as written: the namer then shares the IDL's own string, and so
 * does the cache, with each occurrence's string. */
static const char AS_WRITTEN[] = "";

/* The identifiers of an enum member name in every target without a scope (AS_WRITTEN where the IDL name is kept),
 * and its words in Go, which go after each enum's Go name. */
typedef struct MemberNames {
    const char *in[TARGET_COUNT];
    const char *go_words;
} MemberNames;

static const char *cached_identifier(const char *cached, const char *idl_name) {
    return cached == AS_WRITTEN ? idl_name : cached;
}

static const MemberNames *member_names_of(NameCheck *check, const char *idl_name) {
    size_t length = strlen(idl_name);
    MemberNames *names = strmap_get(&check->member_names, idl_name, length);
    if (names) return names;
    names = ARENA_NEW(check->member_names.arena, MemberNames);
    namer_identifiers(check->arena, NAME_ENUM_MEMBER, idl_name, NULL, names->in);
    for (int t = 0; t < TARGET_COUNT; t++)
        if (names->in[t] == idl_name) names->in[t] = AS_WRITTEN;
    names->go_words = namer_go_member_words(check->arena, idl_name);
    strmap_put(&check->member_names, idl_name, length, names);
    return names;
}

/* A scope of every target in one table: identifier -> ScopeEntry, the first symbol that took the identifier in each
 * target. A name several targets share (a type kept as written is one string in all four) is looked up once. */
typedef struct ScopeEntry {
    NamedSymbol *first[TARGET_COUNT];
} ScopeEntry;

typedef struct Scope {
    StrMap names;
    ScopeEntry *spare; /* allocated for the next new identifier: strmap_put_hashed finds or inserts in one search */
} Scope;

static void scope_init(Scope *scope, Arena *arena) {
    strmap_init(&scope->names, arena);
    scope->spare = NULL;
}

static void scope_clear(Scope *scope) { strmap_clear(&scope->names); }

static ScopeEntry *scope_entry(Scope *scope, const char *name, size_t length, uint32_t hash) {
    if (!scope->spare) {
        scope->spare = ARENA_NEW(scope->names.arena, ScopeEntry);
        memset(scope->spare, 0, sizeof *scope->spare);
    }
    ScopeEntry *entry = strmap_put_hashed(&scope->names, name, length, hash, scope->spare);
    if (entry == scope->spare) scope->spare = NULL;
    return entry;
}

/* Whether `name` is taken in `target` in the scope. */
static bool scope_has(const Scope *scope, Target target, const char *name) {
    size_t length = strlen(name);
    const ScopeEntry *entry = strmap_get_hashed(&scope->names, name, length, strmap_hash(name, length));
    return entry && entry->first[target];
}

static void record_collision(NameCheck *check, NamedSymbol *first, NamedSymbol *second, Target target,
                             const char *name) {
    for (size_t i = 0; i < check->collisions.count; i++) {
        Collision *collision = check->collisions.items[i];
        if (collision->first == first && collision->second == second) {
            collision->names[target] = name;
            return;
        }
    }
    Collision *collision = ARENA_NEW(check->arena, Collision);
    collision->first = first;
    collision->second = second;
    collision->names[target] = name;
    ptrvec_push(check->arena, &check->collisions, collision);
}

static void take(NameCheck *check, ScopeEntry *entry, Target target, NamedSymbol *symbol, const char *name) {
    NamedSymbol *existing = entry->first[target];
    if (!existing) entry->first[target] = symbol;
    else if (existing != symbol) record_collision(check, existing, symbol, target, name);
}

/* The symbol's identifier in `target` claimed in the scope: a collision with the symbol that has it already. */
static void claim(NameCheck *check, Scope *scope, Target target, NamedSymbol *symbol) {
    const char *name = symbol->names->in[target];
    if (!name) return;
    size_t length = strlen(name);
    take(check, scope_entry(scope, name, length, strmap_hash(name, length)), target, symbol, name);
}

/* claim() in every target, in target order, one search per distinct string. */
static void claim_all(NameCheck *check, Scope *scope, NamedSymbol *symbol) {
    ScopeEntry *entries[TARGET_COUNT];
    for (int t = 0; t < TARGET_COUNT; t++) {
        const char *name = symbol->names->in[t];
        if (!name) continue;
        int same = 0;
        while (same < t && symbol->names->in[same] != name) same++;
        if (same < t) {
            entries[t] = entries[same];
        } else {
            size_t length = strlen(name);
            entries[t] = scope_entry(scope, name, length, strmap_hash(name, length));
        }
        take(check, entries[t], (Target)t, symbol, name);
    }
}

static const FieldNames *field_names_of(NameCheck *check, const Scope *types, const char *idl_name) {
    size_t length = strlen(idl_name);
    FieldNames *names = strmap_get(&check->field_names, idl_name, length);
    if (names) return names;
    names = ARENA_NEW(check->field_names.arena, FieldNames);
    names->fingerprint = 0;
    static const Target derived[] = {TARGET_PYTHON, TARGET_GO, TARGET_RUST};
    for (size_t i = 0; i < sizeof derived / sizeof *derived; i++) {
        const char *identifier = namer_identifier(check->arena, derived[i], NAME_FIELD, idl_name, NULL, NULL);
        if (derived[i] == TARGET_PYTHON) {
            /* A Python field named like a type of the module would shadow that type in the class body's
             * annotations (`Item: str = "x"` then `other: Item | None`): escaped like a reserved name, the wire
             * name stays. The types are all claimed before any field, and methods only after. */
            while (scope_has(types, TARGET_PYTHON, identifier))
                identifier = arena_printf(check->arena, "%s_", identifier);
        }
        names->in[derived[i]] = identifier == idl_name ? AS_WRITTEN : identifier;
        names->fingerprint |= lane(derived[i], identifier);
    }
    /* TypeScript keys are the wire names: shared, not copied, when they need no quotes. */
    names->ts_key = namer_is_ts_identifier(idl_name) ? AS_WRITTEN : namer_ts_property(check->arena, idl_name);
    names->fingerprint |= lane(TARGET_TYPESCRIPT, names->ts_key == AS_WRITTEN ? idl_name : names->ts_key);
    strmap_put(&check->field_names, idl_name, length, names);
    return names;
}

static const char *field_identifier_of(const char *cached, const char *idl_name) {
    return cached == AS_WRITTEN ? idl_name : cached;
}

static const char *field_identifier(const FieldNames *names, Target target, const char *idl_name) {
    return field_identifier_of(names->in[target], idl_name);
}

/* Up to this many fields, a model's names are checked pairwise rather than through a hash table. */
enum { PAIRWISE_FIELDS = 12 };

/* claim() for symbols[index] against symbols[0, index) instead of a scope. */
static void claim_among(NameCheck *check, NamedSymbol *symbols, size_t index, Target target) {
    const char *name = symbols[index].names->in[target];
    if (!name) return;
    for (size_t j = 0; j < index; j++) {
        const char *other = symbols[j].names->in[target];
        if (other && (other == name || (other[0] == name[0] && strcmp(other, name) == 0))) {
            record_collision(check, &symbols[j], &symbols[index], target, name);
            return;
        }
    }
}

static NamedSymbol *new_symbol(Arena *arena, const char *kind, const char *owner, const char *name, Span span,
                               IrNames *names) {
    NamedSymbol *symbol = ARENA_NEW(arena, NamedSymbol);
    symbol->kind = kind;
    symbol->owner = owner;
    symbol->name = name;
    symbol->span = span;
    symbol->names = names;
    return symbol;
}

static void name_all(NameCheck *check, NameKind kind, const char *idl_name, const char *scope_name,
                     IrNames *names) {
    if (kind != NAME_ENUM_MEMBER) { /* type and method names are unique in a valid program: nothing to cache */
        namer_identifiers(check->arena, kind, idl_name, NULL, names->in);
        return;
    }
    const MemberNames *cached = member_names_of(check, idl_name);
    for (int t = 0; t < TARGET_COUNT; t++) names->in[t] = cached_identifier(cached->in[t], idl_name);
    /* In Go the members are constants of the package, named after their enum. */
    if (scope_name) names->in[TARGET_GO] = namer_go_enum_member(check->arena, scope_name, cached->go_words, idl_name);
}

static const char *describe(NameCheck *check, const NamedSymbol *symbol) {
    if (strcmp(symbol->kind, "inline union") == 0)
        return arena_printf(check->arena, "the inline union named '%s'", symbol->name);
    if (symbol->owner) return arena_printf(check->arena, "%s '%s.%s'", symbol->kind, symbol->owner, symbol->name);
    return arena_printf(check->arena, "%s '%s'", symbol->kind, symbol->name);
}

/* Reports the collisions recorded so far and forgets them. */
static void report_collisions(NameCheck *check) {
    for (size_t i = 0; i < check->collisions.count; i++) {
        const Collision *collision = check->collisions.items[i];
        /* "'X' in Python and TypeScript, 'Y' in Go": targets that share a name are listed together. */
        char *where = arena_strdup(check->arena, "");
        bool listed[TARGET_COUNT] = {false};
        int groups = 0;
        for (int t = 0; t < TARGET_COUNT; t++) {
            if (!collision->names[t] || listed[t]) continue;
            int members[TARGET_COUNT], member_count = 0;
            for (int u = t; u < TARGET_COUNT; u++) {
                if (collision->names[u] && !listed[u] && strcmp(collision->names[u], collision->names[t]) == 0) {
                    members[member_count++] = u;
                    listed[u] = true;
                }
            }
            where = arena_printf(check->arena, "%s%s'%s' in ", where, groups++ ? ", " : "", collision->names[t]);
            for (int m = 0; m < member_count; m++)
                where = arena_printf(check->arena, "%s%s%s", where,
                                     m == 0 ? "" : (m == member_count - 1 ? " and " : ", "),
                                     target_display_name((Target)members[m]));
        }
        Diagnostic *diagnostic =
            diag_error(check->diags, collision->second->span, "%s and %s both become %s",
                       describe(check, collision->second), describe(check, collision->first), where);
        diag_note(check->diags, diagnostic, collision->first->span, "%s is declared here",
                  describe(check, collision->first));
    }
    check->collisions.count = 0;
}

static const char *decl_kind(const IrDecl *decl) {
    if (decl->synthesized) return "inline union";
    return decl->kind == IR_DECL_MODEL  ? "model"
           : decl->kind == IR_DECL_ENUM ? "enum"
           : decl->kind == IR_DECL_UNION ? "union"
                                         : "type";
}

void ir_check_names(IrProgram *program, Arena *arena, Diagnostics *diags) {
    NameCheck check = {arena, diags, {0}, {0}, {0}};
    /* The scopes, their symbols and the cache live only while the check runs: in an arena of their own, freed at
     * the end (with every table the maps outgrew), while the names they computed stay in `arena` with the IR. */
    Arena scratch;
    arena_init(&scratch);
    strmap_init(&check.member_names, &scratch);
    strmap_init(&check.field_names, &scratch);
    Scope types;
    scope_init(&types, &scratch);
    strmap_reserve(&types.names, program->decl_count + program->rpc_count);
    /* One scope for the fields of every model in turn, cleared between models, and its symbols in one array. */
    Scope fields;
    scope_init(&fields, &scratch);
    Scope members; /* the same for the members of every enum */
    scope_init(&members, &scratch);
    NamedSymbol *field_symbols = NULL;
    uint64_t *field_fingerprints = NULL; /* FieldNames.fingerprint of each field of a model, for the pairwise test */
    size_t field_symbol_capacity = 0;

    for (size_t d = 0; d < program->decl_count; d++) {
        IrDecl *decl = program->decls[d];
        name_all(&check, NAME_TYPE, decl->name, NULL, &decl->names);
        NamedSymbol *symbol = new_symbol(&scratch, decl_kind(decl), NULL, decl->name, decl->span, &decl->names);
        claim_all(&check, &types, symbol);
    }

    for (size_t d = 0; d < program->decl_count; d++) {
        IrDecl *decl = program->decls[d];
        if (decl->kind == IR_DECL_MODEL) {
            if (decl->field_count > field_symbol_capacity) {
                field_symbol_capacity = decl->field_count * 2;
                free(field_symbols);
                free(field_fingerprints);
                field_symbols = malloc(field_symbol_capacity * sizeof *field_symbols);
                field_fingerprints = malloc(field_symbol_capacity * sizeof *field_fingerprints);
                if (!field_symbols || !field_fingerprints) {
                    fputs("rpcc: out of memory\n", stderr);
                    abort();
                }
            }
            /* A small model's fields are compared pairwise (cheaper than hashing each name in each target); a
             * larger one's go through the scope. Either way a collision pairs a field with the first one before it
             * that has its identifier, in the same order. */
            bool pairwise = decl->field_count <= PAIRWISE_FIELDS;
            if (!pairwise)
                scope_clear(&fields);
            for (size_t i = 0; i < decl->field_count; i++) {
                IrField *field = decl->fields[i];
                const FieldNames *names = field_names_of(&check, &types, field->name);
                field->names.in[TARGET_PYTHON] = field_identifier(names, TARGET_PYTHON, field->name);
                uint64_t fingerprint = names->fingerprint;
                if (field->wire_name == field->name) {
                    field->names.in[TARGET_TYPESCRIPT] = field_identifier_of(names->ts_key, field->name);
                } else {
                    /* TypeScript keys are the wire names: shared, not copied, when they need no quotes. */
                    field->names.in[TARGET_TYPESCRIPT] = namer_is_ts_identifier(field->wire_name)
                                                             ? field->wire_name
                                                             : namer_ts_property(arena, field->wire_name);
                    fingerprint = (fingerprint & ~((uint64_t)0xffff << (LANE_BITS * TARGET_TYPESCRIPT))) |
                                  lane(TARGET_TYPESCRIPT, field->names.in[TARGET_TYPESCRIPT]);
                }
                field->names.in[TARGET_GO] = field_identifier(names, TARGET_GO, field->name);
                field->names.in[TARGET_RUST] = field_identifier(names, TARGET_RUST, field->name);
                NamedSymbol *symbol = &field_symbols[i];
                *symbol = (NamedSymbol){"field", decl->name, field->name, field->span, &field->names};
                field_fingerprints[i] = fingerprint;
                if (pairwise) {
                    /* Only a field that shares a lane with an earlier one can collide: compared in full then. */
                    size_t j = 0;
                    while (j < i && !some_lane_zero(fingerprint ^ field_fingerprints[j])) j++;
                    if (j < i)
                        for (int t = 0; t < TARGET_COUNT; t++) claim_among(&check, field_symbols, i, (Target)t);
                } else
                    claim_all(&check, &fields, symbol);
            }
            /* The field symbols are reused by the next model: report this model's collisions now. */
            report_collisions(&check);
        }
        if (decl->kind == IR_DECL_ENUM) {
            /* As for fields: a small enum's members are compared pairwise, a larger one's through the scope. Their
             * symbols stay until the end (Go's are in the types' scope). */
            bool pairwise = decl->member_count <= PAIRWISE_FIELDS;
            NamedSymbol *member_symbols = ARENA_ARRAY(&scratch, NamedSymbol, decl->member_count ? decl->member_count : 1);
            if (!pairwise)
                scope_clear(&members);
            for (size_t i = 0; i < decl->member_count; i++) {
                IrEnumMember *member = decl->members[i];
                name_all(&check, NAME_ENUM_MEMBER, member->name, decl->names.in[TARGET_GO],
                         &member->names);
                NamedSymbol *symbol = &member_symbols[i];
                *symbol = (NamedSymbol){"member", decl->name, member->name, member->span, &member->names};
                if (pairwise) {
                    claim_among(&check, member_symbols, i, TARGET_PYTHON);
                    claim_among(&check, member_symbols, i, TARGET_TYPESCRIPT);
                    claim(&check, &types, TARGET_GO, symbol);
                    claim_among(&check, member_symbols, i, TARGET_RUST);
                } else {
                    claim(&check, &members, TARGET_PYTHON, symbol);
                    claim(&check, &members, TARGET_TYPESCRIPT, symbol);
                    claim(&check, &types, TARGET_GO, symbol);
                    claim(&check, &members, TARGET_RUST, symbol);
                }
            }
        }
    }

    Scope methods;
    scope_init(&methods, &scratch);
    for (size_t r = 0; r < program->rpc_count; r++) {
        IrRpc *rpc = program->rpcs[r];
        name_all(&check, NAME_METHOD, rpc->name, NULL, &rpc->names);
        NamedSymbol *symbol =
            new_symbol(&scratch, "method", NULL, rpc->name, rpc->span, &rpc->names);
        claim_all(&check, &methods, symbol);
        /* In Python the client's methods live in a class body whose annotations name the model types: a method
         * named like a type would shadow it there. */
        claim(&check, &types, TARGET_PYTHON, symbol);
    }

    Scope channels;
    scope_init(&channels, &scratch);
    for (size_t c = 0; c < program->channel_count; c++) {
        IrChannel *channel = program->channels[c];
        name_all(&check, NAME_METHOD, channel->name, NULL, &channel->names);
        name_all(&check, NAME_METHOD, arena_printf(check.arena, "subscribe_%s", channel->name), NULL,
                 &channel->subscribe_names);
        name_all(&check, NAME_METHOD, arena_printf(check.arena, "publish_%s", channel->name), NULL,
                 &channel->publish_names);
        NamedSymbol *symbol = new_symbol(&scratch, "channel", NULL, channel->name, channel->span, &channel->names);
        NamedSymbol *subscribe = new_symbol(&scratch, "subscribe method of channel", NULL, channel->name,
                                            channel->span, &channel->subscribe_names);
        NamedSymbol *publish = new_symbol(&scratch, "publish method of channel", NULL, channel->name,
                                          channel->span, &channel->publish_names);
        for (int t = 0; t < TARGET_COUNT; t++) {
            claim(&check, &channels, (Target)t, symbol);
            claim(&check, &methods, (Target)t, subscribe);
            if (channel->client_publish) claim(&check, &methods, (Target)t, publish);
        }
        claim(&check, &types, TARGET_PYTHON, subscribe);
        if (channel->client_publish) claim(&check, &types, TARGET_PYTHON, publish);

        Scope params;
        scope_init(&params, &scratch);
        for (size_t p = 0; p < channel->param_count; p++) {
            IrChannelParam *param = channel->params[p];
            name_all(&check, NAME_PARAM, param->name, NULL, &param->names);
            NamedSymbol *param_symbol =
                new_symbol(&scratch, "parameter", channel->name, param->name, param->span, &param->names);
            claim_all(&check, &params, param_symbol);
        }
    }
    report_collisions(&check);
    free(field_symbols);
    free(field_fingerprints);
    arena_free(&scratch);
}
