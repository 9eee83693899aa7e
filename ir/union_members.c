/* IrDecl.alternative_names: the word that names each alternative of a union, for targets that name them (Go: the
 * type UnionWord that holds an alternative other than a model, backends/go.c; Rust: one enum variant per
 * alternative). A declaration's own name for a named type, else a word for the kind ("Int", "String", "List",
 * ...), with the alternative's position appended when a name repeats or (Go) would be one of the methods the
 * generated union defines. */
#include <string.h>

#include "passes.h"

static const char *kind_word(const IrType *alternative) {
    switch (alternative->kind) {
    case IR_REF: return alternative->decl->names.in[TARGET_GO];
    case IR_BOOL: return "Bool";
    case IR_INT: return "Int";
    case IR_FLOAT: return "Float";
    case IR_STRING: return "String";
    case IR_BYTES: return "Bytes";
    case IR_DECIMAL: return "Decimal";
    case IR_UUID: return "UUID";
    case IR_TIMESTAMP: return "Timestamp";
    case IR_DATE: return "Date";
    case IR_TIME: return "Time";
    case IR_DURATION: return "Duration";
    case IR_ANY: return "Any";
    case IR_LIST: return "List";
    case IR_MAP: return "Map";
    case IR_LITERAL: return "Literal";
    }
    return "Value";
}

/* Rust: the variants of the union's enum, named the same way from the Rust names; an all-capitals "UUID" would trip
 * clippy's upper_case_acronyms. */
static const char *rust_kind_word(const IrType *alternative) {
    if (alternative->kind == IR_REF) return alternative->decl->names.in[TARGET_RUST];
    if (alternative->kind == IR_UUID) return "Uuid";
    return kind_word(alternative);
}

static void name_rust_variants(IrDecl *decl, Arena *arena) {
    for (size_t index = 0; index < decl->alternative_count; index++) {
        const char *base = rust_kind_word(decl->alternatives[index]);
        bool taken = false;
        for (size_t other = 0; other < index && !taken; other++)
            taken = strcmp(decl->alternative_names[other].in[TARGET_RUST], base) == 0;
        decl->alternative_names[index].in[TARGET_RUST] = taken ? arena_printf(arena, "%s%zu", base, index + 1) : base;
    }
}

void ir_name_union_members(IrProgram *program, Arena *arena) {
    for (size_t d = 0; d < program->decl_count; d++) {
        IrDecl *decl = program->decls[d];
        if (decl->kind != IR_DECL_UNION) continue;
        decl->alternative_names = ARENA_ARRAY(arena, IrNames, decl->alternative_count + 1);
        for (size_t index = 0; index < decl->alternative_count; index++) {
            const char *base = kind_word(decl->alternatives[index]);
            bool taken = strcmp(base, "MarshalJSON") == 0 || strcmp(base, "UnmarshalJSON") == 0;
            for (size_t other = 0; other < index && !taken; other++)
                taken = strcmp(decl->alternative_names[other].in[TARGET_GO], base) == 0;
            decl->alternative_names[index].in[TARGET_GO] =
                taken ? arena_printf(arena, "%s%zu", base, index + 1) : base;
        }
        name_rust_variants(decl, arena);
    }
}
