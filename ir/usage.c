/* What the rpcs use each declaration for: IrDecl.is_params and is_result (the models an rpc names), sent and
 * received (everything reachable from those through fields, alternatives, aliases, lists and maps). A channel's
 * publication type is received (clients decode publications), and sent too when clients may publish (@publish). */
#include "passes.h"

static void mark_decl(IrDecl *decl, bool sent);

/* Through lists and maps (a map's key, then its element) to the declaration a type names, if any: a loop, not a
 * call per level. */
static void mark_type(const IrType *type, bool sent) {
    while (type && (type->kind == IR_LIST || type->kind == IR_MAP)) {
        if (type->kind == IR_MAP) mark_type(type->key, sent);
        type = type->element;
    }
    if (type && type->kind == IR_REF) mark_decl(type->decl, sent);
}

/* A declaration is marked before its parts are walked, so each is entered once and recursive types end. */
static void mark_decl(IrDecl *decl, bool sent) {
    bool *mark = sent ? &decl->sent : &decl->received;
    if (*mark) return;
    *mark = true;
    switch (decl->kind) {
    case IR_DECL_MODEL:
        for (size_t i = 0; i < decl->field_count; i++) mark_type(decl->fields[i]->type, sent);
        break;
    case IR_DECL_UNION:
        for (size_t i = 0; i < decl->alternative_count; i++) mark_type(decl->alternatives[i], sent);
        break;
    case IR_DECL_ALIAS: mark_type(decl->aliased, sent); break;
    case IR_DECL_ENUM: break;
    }
}

void ir_mark_usage(IrProgram *program) {
    for (size_t r = 0; r < program->rpc_count; r++) {
        IrRpc *rpc = program->rpcs[r];
        if (rpc->params) {
            rpc->params->is_params = true;
            mark_decl(rpc->params, true);
        }
        if (rpc->result) {
            rpc->result->is_result = true;
            mark_decl(rpc->result, false);
        }
    }
    for (size_t c = 0; c < program->channel_count; c++) {
        IrChannel *channel = program->channels[c];
        if (!channel->publication) continue;
        mark_decl(channel->publication, false);
        if (channel->client_publish) mark_decl(channel->publication, true);
    }
}
