/* IrProgram.example_rpc: the method every SDK's README shows in its example call, chosen once so that the three
 * READMEs show the same one. The first rpc, not deprecated (an example shows what to use), that takes parameters
 * whose required fields all have a short placeholder in every target (null, a bool, number or string, an empty
 * list or map, a literal, an enum's first member; at most one enum, whose import the example then shows); else
 * the first rpc that is not deprecated; else the first rpc; NULL without rpcs. */
#include "passes.h"

static bool has_placeholder(const IrType *type, const IrDecl **enum_decl) {
    if (!type) return false;
    if (type->nullable) return true;
    const IrType *resolved = ir_resolve_alias(type);
    switch (resolved->kind) {
    case IR_BOOL:
    case IR_INT:
    case IR_FLOAT:
    case IR_STRING:
    case IR_LIST:
    case IR_MAP:
    case IR_LITERAL: return true;
    case IR_REF:
        if (resolved->decl->kind != IR_DECL_ENUM || resolved->decl->member_count == 0) return false;
        if (*enum_decl && *enum_decl != resolved->decl) return false; /* keep the example's imports short */
        *enum_decl = resolved->decl;
        return true;
    default: return false;
    }
}

static bool shows_well(const IrRpc *rpc) {
    if (rpc->deprecation.deprecated || !rpc->params) return false;
    const IrDecl *enum_decl = NULL;
    for (size_t i = 0; i < rpc->params->field_count; i++) {
        const IrField *field = rpc->params->fields[i];
        if (ir_field_is_required(field) && !has_placeholder(field->type, &enum_decl)) return false;
    }
    return true;
}

/* A @oneway method has no result to show: it is never the example (NULL when every method is one-way). */
void ir_choose_example(IrProgram *program) {
    program->example_rpc = NULL;
    for (size_t r = 0; r < program->rpc_count && !program->example_rpc; r++)
        if (!program->rpcs[r]->oneway && shows_well(program->rpcs[r])) program->example_rpc = program->rpcs[r];
    for (size_t r = 0; r < program->rpc_count && !program->example_rpc; r++)
        if (!program->rpcs[r]->oneway && !program->rpcs[r]->deprecation.deprecated)
            program->example_rpc = program->rpcs[r];
    for (size_t r = 0; r < program->rpc_count && !program->example_rpc; r++)
        if (!program->rpcs[r]->oneway) program->example_rpc = program->rpcs[r];
}
