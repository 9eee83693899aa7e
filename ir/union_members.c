/* IrDecl.alternative_names: the word that names each alternative of a union, for targets that name them (Go: the
 * type UnionWord that holds an alternative other than a model, backends/go.c). A declaration's own name for a
 * named type, else a word for the kind ("Int", "String", "List", ...), with the alternative's position appended
 * when a name repeats or would be one of the methods the generated union defines. */
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
    }
}
