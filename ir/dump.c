/* rpcc --dump-ir: the checked IR as text, one line per declaration, field, member and rpc, with the name each
 * target prints. Stable, so tests can compare it. */
#include <string.h>

#include "../support/escape.h"
#include "passes.h"

static void dump_names(FILE *out, const IrNames *names) {
    fprintf(out, "  [py %s | ts %s | go %s]", names->in[TARGET_PYTHON] ? names->in[TARGET_PYTHON] : "?",
            names->in[TARGET_TYPESCRIPT] ? names->in[TARGET_TYPESCRIPT] : "?",
            names->in[TARGET_GO] ? names->in[TARGET_GO] : "?");
}

static void dump_deprecation(FILE *out, const IrDeprecation *deprecation) {
    if (!deprecation->deprecated) return;
    if (deprecation->reason)
        fprintf(out, " @deprecated(\"%s\")", deprecation->reason); /* reasons are prose: shown as written */
    else
        fputs(" @deprecated", out);
}

static void dump_doc(FILE *out, const char *doc, const char *indent) {
    if (!doc) return;
    const char *line = doc;
    for (;;) {
        const char *end = strchr(line, '\n');
        size_t length = end ? (size_t)(end - line) : strlen(line);
        fprintf(out, "%s///%s%.*s\n", indent, length ? " " : "", (int)length, line);
        if (!end) break;
        line = end + 1;
    }
}

static void dump_constraints(FILE *out, Arena *arena, const IrConstraints *constraints) {
    if (constraints->has_ge || constraints->has_gt || constraints->has_le || constraints->has_lt) {
        fputs(" @range(", out);
        const char *separator = "";
        if (constraints->has_ge) fprintf(out, "ge: %s", ir_value_to_string(arena, constraints->ge)), separator = ", ";
        if (constraints->has_gt) fprintf(out, "%sgt: %s", separator, ir_value_to_string(arena, constraints->gt)), separator = ", ";
        if (constraints->has_le) fprintf(out, "%sle: %s", separator, ir_value_to_string(arena, constraints->le)), separator = ", ";
        if (constraints->has_lt) fprintf(out, "%slt: %s", separator, ir_value_to_string(arena, constraints->lt));
        fputc(')', out);
    }
    if (constraints->has_min_length || constraints->has_max_length) {
        fputs(" @length(", out);
        if (constraints->has_min_length) fprintf(out, "min: %lld", (long long)constraints->min_length);
        if (constraints->has_max_length)
            fprintf(out, "%smax: %lld", constraints->has_min_length ? ", " : "", (long long)constraints->max_length);
        fputc(')', out);
    }
    if (constraints->pattern) {
        IrValue value = {.kind = IR_VALUE_STRING, .text = constraints->pattern, .text_length = strlen(constraints->pattern)};
        fprintf(out, " @pattern(%s)", ir_value_to_string(arena, &value));
    }
}

void ir_dump(const IrProgram *program, FILE *out) {
    Arena arena;
    arena_init(&arena);
    for (size_t d = 0; d < program->decl_count; d++) {
        const IrDecl *decl = program->decls[d];
        dump_doc(out, decl->doc, "");
        static const char *const kinds[] = {"model", "enum", "union", "type"};
        fprintf(out, "%s%s %s", decl->synthesized ? "(hoisted) " : "", kinds[decl->kind], decl->name);
        if (decl->kind == IR_DECL_ENUM) fputs(decl->int_enum ? ": int" : ": string", out);
        if (decl->kind == IR_DECL_ALIAS) fprintf(out, " = %s", ir_type_to_string(&arena, decl->aliased));
        if (decl->kind == IR_DECL_UNION) {
            fputs(" =", out);
            for (size_t i = 0; i < decl->alternative_count; i++)
                fprintf(out, "%s %s", i ? " |" : "", ir_type_to_string(&arena, decl->alternatives[i]));
        }
        if (decl->discriminator) fprintf(out, " @discriminator(\"%s\")", decl->discriminator);
        if (decl->open) fputs(" @open", out);
        if (decl->recursive) fputs(" (recursive)", out);
        dump_deprecation(out, &decl->deprecation);
        dump_names(out, &decl->names);
        fputc('\n', out);
        for (size_t i = 0; i < decl->field_count; i++) {
            const IrField *field = decl->fields[i];
            dump_doc(out, field->doc, "    ");
            fprintf(out, "    %s%s: %s", field->name, field->optional ? "?" : "", ir_type_to_string(&arena, field->type));
            if (field->default_value) fprintf(out, " = %s", ir_value_to_string(&arena, field->default_value));
            if (strcmp(field->wire_name, field->name) != 0) fprintf(out, " @json(\"%s\")", field->wire_name);
            dump_constraints(out, &arena, field->constraints);
            dump_deprecation(out, &field->deprecation);
            dump_names(out, &field->names);
            fputc('\n', out);
        }
        for (size_t i = 0; i < decl->member_count; i++) {
            const IrEnumMember *member = decl->members[i];
            dump_doc(out, member->doc, "    ");
            if (decl->int_enum)
                fprintf(out, "    %s = %lld", member->name, (long long)member->int_value);
            else {
                IrValue value = {.kind = IR_VALUE_STRING, .text = member->string_value,
                                 .text_length = member->string_value_length};
                fprintf(out, "    %s = %s", member->name, ir_value_to_string(&arena, &value));
            }
            dump_deprecation(out, &member->deprecation);
            dump_names(out, &member->names);
            fputc('\n', out);
        }
    }
    for (size_t r = 0; r < program->rpc_count; r++) {
        const IrRpc *rpc = program->rpcs[r];
        dump_doc(out, rpc->doc, "");
        if (rpc->oneway)
            fprintf(out, "rpc %s(%s) @oneway", rpc->name, rpc->params ? rpc->params->name : "");
        else
            fprintf(out, "rpc %s(%s) -> %s", rpc->name, rpc->params ? rpc->params->name : "",
                    rpc->result ? rpc->result->name : "?");
        if (strcmp(rpc->method, rpc->name) != 0) {
            StrBuf wire;
            strbuf_init(&wire);
            escape_json_string(&wire, rpc->method, strlen(rpc->method));
            fprintf(out, " @method(%s)", strbuf_cstr(&wire));
            strbuf_free(&wire);
        }
        dump_deprecation(out, &rpc->deprecation);
        dump_names(out, &rpc->names);
        fputc('\n', out);
    }
    for (size_t c = 0; c < program->channel_count; c++) {
        const IrChannel *channel = program->channels[c];
        dump_doc(out, channel->doc, "");
        fprintf(out, "channel %s(", channel->name);
        for (size_t p = 0; p < channel->param_count; p++)
            fprintf(out, "%s%s: %s", p ? ", " : "", channel->params[p]->name,
                    ir_type_to_string(&arena, channel->params[p]->type));
        IrValue pattern = {.kind = IR_VALUE_STRING, .text = channel->pattern, .text_length = strlen(channel->pattern)};
        fprintf(out, ") %s -> %s", ir_value_to_string(&arena, &pattern),
                channel->publication ? channel->publication->name : "?");
        if (channel->history)
            fprintf(out, " @history(size: %lld, ttl: %lld)", (long long)channel->history_size,
                    (long long)channel->history_ttl_seconds);
        if (channel->client_publish) fputs(" @publish", out);
        /* The effective value, written or not. */
        fprintf(out, " @subscribe(\"%s\")", ir_channel_subscribe_name(channel->subscribe));
        dump_deprecation(out, &channel->deprecation);
        dump_names(out, &channel->names);
        fputc('\n', out);
        fprintf(out, "    namespace %s%s\n", channel->namespace_name ? channel->namespace_name : "(none)",
                channel->user_limited ? ", user-limited" : "");
        fputs("    parts", out);
        for (size_t p = 0; p < channel->part_count; p++) {
            const IrChannelPart *part = channel->parts[p];
            if (part->param) {
                fprintf(out, " {%s}", part->param->name);
            } else {
                IrValue text = {.kind = IR_VALUE_STRING, .text = part->text, .text_length = part->text_length};
                fprintf(out, " %s", ir_value_to_string(&arena, &text));
            }
        }
        fputc('\n', out);
        for (size_t p = 0; p < channel->param_count; p++) {
            fprintf(out, "    param %s", channel->params[p]->name);
            dump_names(out, &channel->params[p]->names);
            fputc('\n', out);
        }
        fputs("    subscribe", out);
        dump_names(out, &channel->subscribe_names);
        fputc('\n', out);
        fputs("    publish", out);
        dump_names(out, &channel->publish_names);
        fputc('\n', out);
    }
    arena_free(&arena);
}
